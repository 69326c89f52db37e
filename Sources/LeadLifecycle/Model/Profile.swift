import Foundation

/// What is known about the person and company behind a lead. Every field is optional:
/// empty means unknown.
public struct Profile: Sendable, Equatable, Codable, Hashable {
  public var email: String?
  public var name: String?
  public var firstName: String?
  public var lastName: String?
  public var company: String?
  public var title: String?
  public var industry: String?
  public var employees: Int?
  public var country: String?
  public var phone: String?
  public var source: String?
  public var campaign: String?
  /// Any other attribute (`extra:NAME` in imports), usable as a report dimension.
  public var extra: [String: String]

  public init(
    email: String? = nil, name: String? = nil, firstName: String? = nil, lastName: String? = nil,
    company: String? = nil, title: String? = nil, industry: String? = nil, employees: Int? = nil,
    country: String? = nil, phone: String? = nil, source: String? = nil, campaign: String? = nil,
    extra: [String: String] = [:]
  ) {
    self.email = email
    self.name = name
    self.firstName = firstName
    self.lastName = lastName
    self.company = company
    self.title = title
    self.industry = industry
    self.employees = employees
    self.country = country
    self.phone = phone
    self.source = source
    self.campaign = campaign
    self.extra = extra
  }

  /// The string fields by their wire name, in documentation order.
  // Key paths are immutable values; they are just not declared Sendable by the toolchain.
  nonisolated(unsafe) public static let stringFields:
    [(String, WritableKeyPath<Profile, String?>)] = [
      ("email", \.email), ("name", \.name), ("first_name", \.firstName), ("last_name", \.lastName),
      ("company", \.company), ("title", \.title), ("industry", \.industry), ("country", \.country),
      ("phone", \.phone), ("source", \.source), ("campaign", \.campaign),
    ]

  /// Every field a scoring or routing condition can name.
  public static let conditionFields: [String] =
    stringFields.map(\.0) + ["employees", "email_domain", "extra:NAME"]

  /// The display name: `name`, else first and last name joined, else the email.
  public var displayName: String {
    if let n = name, !n.isEmpty { return n }
    let joined = [firstName, lastName].compactMap { $0 }.filter { !$0.isEmpty }
    if !joined.isEmpty {
      // Japanese names read family name first; keep the order the source gave.
      return joined.joined(separator: " ")
    }
    return email ?? ""
  }

  /// The domain of the email address, lowercased.
  public var emailDomain: String? {
    guard let e = email, let at = e.lastIndex(of: "@") else { return nil }
    return e[e.index(after: at)...].lowercased()
  }

  /// The value of a condition field as text (`employees` as its number), or nil when unknown.
  public func value(of field: String) -> String? {
    if field == "employees" { return employees.map(String.init) }
    if field == "email_domain" { return emailDomain }
    if field.hasPrefix("extra:") { return extra[String(field.dropFirst(6))] }
    return Profile.stringFields.first { $0.0 == field }.flatMap { self[keyPath: $0.1] }
  }

  /// Overlays every field `other` knows onto this profile.
  public mutating func merge(_ other: Profile) {
    for (_, path) in Profile.stringFields {
      if let v = other[keyPath: path], !v.isEmpty { self[keyPath: path] = v }
    }
    if let e = other.employees { employees = e }
    for (k, v) in other.extra { extra[k] = v }
  }

  /// True when no field is known.
  public var isEmpty: Bool { self == Profile() }
}
