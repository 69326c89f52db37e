import Foundation

/// Why an event could not be read from its JSON form.
public struct EventDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The field at fault (empty for the line as a whole).
  public var field: String
  public var message: String

  public init(field: String, message: String) {
    self.field = field
    self.message = message
  }

  public var description: String { field.isEmpty ? message : "\(field): \(message)" }
}

// MARK: - The wire format

extension Event {
  /// Envelope keys present on every event.
  public static let envelopeKeys = ["id", "type", "at", "lead", "visitor", "actor", "cause"]

  /// Reads one event from a JSON object (one line of the JSON Lines wire format).
  public init(json: JSON) throws(EventDecodingError) {
    guard let members = json.members else {
      throw EventDecodingError(field: "", message: "expected a JSON object, found \(json.kindName)")
    }
    var r = FieldReader(members: members)
    let id = try r.requiredIdentifier("id")
    let typeName = try r.requiredString("type")
    guard let type = EventType(rawValue: typeName) else {
      throw EventDecodingError(
        field: "type", message: "unknown event type '\(typeName)' (known: \(EventType.nameList))")
    }
    let at = try r.requiredDate("at")
    let lead = try r.identifier("lead")
    let visitor = try r.identifier("visitor")
    let actor = try r.string("actor")
    let cause = try r.string("cause")
    let payload = try EventPayload.read(type, from: &r)
    try r.rejectUnknown(type: typeName)
    if lead == nil && !(type == .pageView && visitor != nil) {
      throw EventDecodingError(
        field: "lead", message: "missing: every event but an anonymous page view names a lead")
    }
    if let lead, lead.isEmpty {
      throw EventDecodingError(field: "lead", message: "must not be empty")
    }
    if id.isEmpty { throw EventDecodingError(field: "id", message: "must not be empty") }
    self.init(id: id, at: at, lead: lead, visitor: visitor, actor: actor, cause: cause, payload)
  }

  /// Reads one event from a line of JSON text.
  public init(jsonLine: String) throws(EventDecodingError) {
    let value: JSON
    do {
      value = try JSON5Parser.parse(jsonLine)
    } catch {
      throw EventDecodingError(
        field: "", message: "invalid JSON at column \(error.position.column): \(error.message)")
    }
    try self.init(json: value)
  }

  /// The event as a JSON object in wire order: envelope first, then the payload's fields.
  public var json: JSON {
    var pairs: [(String, JSON)] = [("id", .string(id)), ("type", .string(type.rawValue))]
    pairs.append(("at", .string(ISO8601.format(at))))
    if let lead { pairs.append(("lead", .string(lead))) }
    if let visitor { pairs.append(("visitor", .string(visitor))) }
    if let actor { pairs.append(("actor", .string(actor))) }
    if let cause { pairs.append(("cause", .string(cause))) }
    pairs += payload.fields
    return .object(pairs)
  }

  /// One line of JSON Lines (no trailing newline).
  public var jsonLine: String { json.serialized() }
}

extension EventPayload {
  /// The payload's own wire fields, in documentation order; absent optionals are left out.
  public var fields: [(String, JSON)] {
    var f: [(String, JSON)] = []
    func put(_ k: String, _ v: String?) { if let v { f.append((k, .string(v))) } }
    func putDate(_ k: String, _ v: Date?) { if let v { f.append((k, .string(ISO8601.format(v)))) } }
    switch self {
    case .pageView(let path, let referrer):
      put("path", path)
      put("referrer", referrer)
    case .formSubmit(let form, let profile):
      put("form", form)
      f += profile.wireFields
    case .chat(let p), .emailSubscribe(let p), .accountCreated(let p), .profileUpdated(let p):
      f += p.wireFields
    case .emailOpen(let campaign):
      put("campaign", campaign)
    case .emailClick(let campaign, let url):
      put("campaign", campaign)
      put("url", url)
    case .contentDownload(let asset): put("asset", asset)
    case .webinarAttended(let webinar): put("webinar", webinar)
    case .demoRequest, .unsubscribe, .emailBounce, .won, .accepted, .nurtureEnded: break
    case .contactAttempt(let channel, let outcome):
      put("channel", channel.rawValue)
      put("outcome", outcome.rawValue)
    case .conversation(let summary): put("summary", summary)
    case .qualification(let fields):
      for k in fields.keys.sorted() { put(k, fields[k]) }
    case .opportunityCreated(let o), .opportunityUpdated(let o):
      put("name", o.name)
      if let v = o.value { f.append(("value", .number(v))) }
      put("currency", o.currency)
      putDate("close_date", o.closeDate)
      if let s = o.stakeholders { f.append(("stakeholders", .array(s.map { .string($0) }))) }
    case .contractSigned(let terms, let onboarding):
      put("payment_terms", terms)
      putDate("onboarding_date", onboarding)
    case .lost(let reason), .disqualified(let reason), .unrouted(let reason):
      put("reason", reason)
    case .recycled(let reason, let until):
      put("reason", reason)
      putDate("nurture_until", until)
    case .assigned(let to, let team, let explanation):
      put("to", to)
      put("team", team)
      put("explanation", explanation)
    case .snoozed(let until, let reason):
      putDate("until", until)
      put("reason", reason)
    case .note(let text): put("text", text)
    case .moved(let to, let reason):
      put("to", to.rawValue)
      put("reason", reason)
    case .scoreChanged(let c):
      put("kind", c.kind.rawValue)
      put("rule", c.rule)
      f.append(("delta", .int(c.delta)))
      f.append(("score", .int(c.score)))
      put("source", c.source)
      put("detail", c.detail)
    case .stageChanged(let from, let to, let reason):
      put("from", from?.rawValue)
      put("to", to.rawValue)
      put("reason", reason)
    case .slaBreached(let stage, let due, let owner):
      put("stage", stage.rawValue)
      putDate("due", due)
      put("owner", owner)
    case .reassigned(let from, let to, let team, let explanation):
      put("from", from)
      put("to", to)
      put("team", team)
      put("explanation", explanation)
    case .visitorStitched(_, let views):
      f.append(
        (
          "views",
          .array(
            views.map {
              .object([
                ("event", .string($0.event)), ("path", .string($0.path)),
                ("at", .string(ISO8601.format($0.at))),
              ])
            })
        ))
    case .stalled(let stage, let hole, let days):
      put("stage", stage.rawValue)
      put("black_hole", hole.rawValue)
      f.append(("days", .int(days)))
    }
    return f
  }

  fileprivate static func read(_ type: EventType, from r: inout FieldReader)
    throws(EventDecodingError)
    -> EventPayload
  {
    switch type {
    case .pageView:
      return .pageView(path: try r.requiredString("path"), referrer: try r.string("referrer"))
    case .formSubmit:
      let form = try r.string("form")
      return .formSubmit(form: form, profile: try Profile(reading: &r))
    case .chat: return .chat(profile: try Profile(reading: &r))
    case .emailSubscribe: return .emailSubscribe(profile: try Profile(reading: &r))
    case .accountCreated: return .accountCreated(profile: try Profile(reading: &r))
    case .profileUpdated: return .profileUpdated(profile: try Profile(reading: &r))
    case .emailOpen: return .emailOpen(campaign: try r.string("campaign"))
    case .emailClick:
      return .emailClick(campaign: try r.string("campaign"), url: try r.string("url"))
    case .contentDownload: return .contentDownload(asset: try r.requiredString("asset"))
    case .webinarAttended: return .webinarAttended(webinar: try r.requiredString("webinar"))
    case .demoRequest: return .demoRequest
    case .unsubscribe: return .unsubscribe
    case .emailBounce: return .emailBounce
    case .contactAttempt:
      let channel: ContactChannel = try r.requiredEnum("channel")
      let outcome: ContactOutcome = try r.requiredEnum("outcome")
      return .contactAttempt(channel: channel, outcome: outcome)
    case .conversation: return .conversation(summary: try r.string("summary"))
    case .qualification:
      return .qualification(fields: try r.remainingStrings())
    case .opportunityCreated: return .opportunityCreated(try OpportunityFields(reading: &r))
    case .opportunityUpdated: return .opportunityUpdated(try OpportunityFields(reading: &r))
    case .contractSigned:
      return .contractSigned(
        paymentTerms: try r.string("payment_terms"), onboardingDate: try r.date("onboarding_date"))
    case .won: return .won
    case .lost: return .lost(reason: try r.requiredString("reason"))
    case .disqualified: return .disqualified(reason: try r.requiredString("reason"))
    case .accepted: return .accepted
    case .recycled:
      return .recycled(
        reason: try r.requiredString("reason"), nurtureUntil: try r.date("nurture_until"))
    case .assigned:
      return .assigned(
        to: try r.requiredString("to"), team: try r.string("team"),
        explanation: try r.string("explanation"))
    case .snoozed:
      return .snoozed(until: try r.requiredDate("until"), reason: try r.requiredString("reason"))
    case .note: return .note(text: try r.requiredString("text"))
    case .moved:
      let to: Stage = try r.requiredEnum("to")
      return .moved(to: to, reason: try r.string("reason"))
    case .scoreChanged:
      let kind: ScoreChange.Kind = try r.requiredEnum("kind")
      return .scoreChanged(
        ScoreChange(
          kind: kind, rule: try r.requiredString("rule"), delta: try r.requiredInt("delta"),
          score: try r.requiredInt("score"), source: try r.string("source"),
          detail: try r.string("detail") ?? ""))
    case .stageChanged:
      let from: Stage? = try r.optionalEnum("from")
      let to: Stage = try r.requiredEnum("to")
      return .stageChanged(from: from, to: to, reason: try r.string("reason") ?? "")
    case .slaBreached:
      let stage: Stage = try r.requiredEnum("stage")
      return .slaBreached(
        stage: stage, due: try r.requiredDate("due"), owner: try r.string("owner"))
    case .reassigned:
      return .reassigned(
        from: try r.string("from"), to: try r.requiredString("to"), team: try r.string("team"),
        explanation: try r.string("explanation") ?? "")
    case .unrouted: return .unrouted(reason: try r.requiredString("reason"))
    case .visitorStitched:
      guard let visitor = r.envelopeVisitor else {
        throw EventDecodingError(
          field: "visitor", message: "missing: required for visitor_stitched")
      }
      var views: [PageVisit] = []
      for (i, item) in (try r.array("views") ?? []).enumerated() {
        guard let e = item["event"]?.stringValue, let p = item["path"]?.stringValue,
          let a = item["at"]?.stringValue, let at = ISO8601.parse(a)
        else {
          throw EventDecodingError(field: "views[\(i)]", message: "expected {event, path, at}")
        }
        views.append(PageVisit(event: e, path: p, at: at))
      }
      return .visitorStitched(visitor: visitor, views: views)
    case .stalled:
      let stage: Stage = try r.requiredEnum("stage")
      let hole: BlackHole = try r.requiredEnum("black_hole")
      return .stalled(stage: stage, blackHole: hole, days: try r.requiredInt("days"))
    case .nurtureEnded: return .nurtureEnded
    }
  }
}

extension Profile {
  /// The profile's wire fields: the string fields, `employees` and an `extra` object.
  public var wireFields: [(String, JSON)] {
    var f: [(String, JSON)] = []
    for (key, path) in Profile.stringFields {
      if let v = self[keyPath: path] { f.append((key, .string(v))) }
    }
    if let e = employees { f.append(("employees", .int(e))) }
    if !extra.isEmpty {
      f.append(("extra", .object(extra.keys.sorted().map { ($0, .string(extra[$0]!)) })))
    }
    return f
  }

  fileprivate init(reading r: inout FieldReader) throws(EventDecodingError) {
    self.init()
    for (key, path) in Profile.stringFields {
      self[keyPath: path] = try r.string(key)
    }
    employees = try r.int("employees")
    if let e = employees, e < 0 {
      throw EventDecodingError(field: "employees", message: "must not be negative")
    }
    if let extraObject = r.take("extra") {
      guard let members = extraObject.members else {
        throw EventDecodingError(field: "extra", message: "expected an object of strings")
      }
      for m in members {
        switch m.value.kind {
        case .string(let s): extra[m.key] = s
        case .number(let d): extra[m.key] = JSON.formatNumber(d)
        case .bool(let b): extra[m.key] = b ? "true" : "false"
        case .null: break
        default:
          throw EventDecodingError(field: "extra.\(m.key)", message: "expected a string")
        }
      }
    }
  }
}

extension OpportunityFields {
  fileprivate init(reading r: inout FieldReader) throws(EventDecodingError) {
    self.init()
    name = try r.string("name")
    value = try r.number("value")
    if let v = value, v < 0 || !v.isFinite {
      throw EventDecodingError(field: "value", message: "must be a finite amount ≥ 0")
    }
    currency = try r.string("currency")
    closeDate = try r.date("close_date")
    if let items = try r.array("stakeholders") {
      var names: [String] = []
      for (i, item) in items.enumerated() {
        guard let s = item.stringValue else {
          throw EventDecodingError(field: "stakeholders[\(i)]", message: "expected a string")
        }
        names.append(s)
      }
      stakeholders = names
    }
  }
}

// MARK: - Reading fields

/// Takes fields out of a JSON object one by one, so the keys left over can be reported.
private struct FieldReader {
  var remaining: [String: JSON]
  let envelopeVisitor: String?

  init(members: [JSON.Member]) {
    var d: [String: JSON] = [:]
    for m in members { d[m.key] = m.value }
    remaining = d
    envelopeVisitor = d["visitor"]?.stringValue
  }

  mutating func take(_ key: String) -> JSON? {
    guard let v = remaining.removeValue(forKey: key), !v.isNull else { return nil }
    return v
  }

  func peek(_ key: String) -> JSON? { remaining[key] }

  mutating func string(_ key: String) throws(EventDecodingError) -> String? {
    guard let v = take(key) else { return nil }
    switch v.kind {
    case .string(let s): return s.isEmpty ? nil : s
    case .number(let d): return JSON.formatNumber(d)
    default: throw EventDecodingError(field: key, message: "expected a string, found \(v.kindName)")
    }
  }

  /// An id: a string, or a whole number below 2^53 (which a double holds exactly), as its digits (CRM exports
  /// write numeric ids unquoted). A fraction or a number beyond 2^53 would silently become
  /// another id (12345678901234567891 reads as 12345678901234567168), so it is refused.
  mutating func identifier(_ key: String) throws(EventDecodingError) -> String? {
    guard case .number(let d)? = peek(key)?.kind else { return try string(key) }
    _ = take(key)
    // Strictly below 2^53: 9007199254740993 parses as 2^53 itself, so 2^53 is ambiguous.
    guard d.rounded() == d, abs(d) < 9_007_199_254_740_992 else {
      let shown = d.rounded() == d && abs(d) < 9e18 ? String(Int64(d)) : JSON.formatNumber(d)
      throw EventDecodingError(
        field: key, message: "\(shown) is not a whole number below 2^53: write the id as a string")
    }
    return String(Int64(d))
  }

  mutating func requiredIdentifier(_ key: String) throws(EventDecodingError) -> String {
    guard let s = try identifier(key) else {
      throw EventDecodingError(field: key, message: "missing")
    }
    return s
  }

  mutating func requiredString(_ key: String) throws(EventDecodingError) -> String {
    guard let s = try string(key) else {
      throw EventDecodingError(field: key, message: "missing")
    }
    return s
  }

  mutating func number(_ key: String) throws(EventDecodingError) -> Double? {
    guard let v = take(key) else { return nil }
    switch v.kind {
    case .number(let d): return d
    case .string(let s):
      if s.isEmpty { return nil }
      if let d = Double(s) { return d }
      throw EventDecodingError(field: key, message: "expected a number, found '\(s)'")
    default: throw EventDecodingError(field: key, message: "expected a number, found \(v.kindName)")
    }
  }

  mutating func int(_ key: String) throws(EventDecodingError) -> Int? {
    guard let d = try number(key) else { return nil }
    guard d == d.rounded(), abs(d) < 1e15 else {
      throw EventDecodingError(field: key, message: "expected a whole number, found \(d)")
    }
    return Int(d)
  }

  mutating func requiredInt(_ key: String) throws(EventDecodingError) -> Int {
    guard let i = try int(key) else { throw EventDecodingError(field: key, message: "missing") }
    return i
  }

  mutating func date(_ key: String) throws(EventDecodingError) -> Date? {
    guard let s = try string(key) else { return nil }
    guard let d = ISO8601.parse(s) else {
      throw EventDecodingError(
        field: key, message: "expected an ISO-8601 time such as 2026-11-02T09:00:00Z, found '\(s)'")
    }
    return d
  }

  mutating func requiredDate(_ key: String) throws(EventDecodingError) -> Date {
    guard let d = try date(key) else { throw EventDecodingError(field: key, message: "missing") }
    return d
  }

  mutating func array(_ key: String) throws(EventDecodingError) -> [JSON]? {
    guard let v = take(key) else { return nil }
    guard let a = v.elements else {
      throw EventDecodingError(field: key, message: "expected an array, found \(v.kindName)")
    }
    return a
  }

  mutating func optionalEnum<E: RawRepresentable>(_ key: String) throws(EventDecodingError) -> E?
  where E.RawValue == String, E: CaseIterable {
    guard let s = try string(key) else { return nil }
    guard let e = E(rawValue: s) else {
      let known = E.allCases.map(\.rawValue).joined(separator: ", ")
      throw EventDecodingError(field: key, message: "unknown value '\(s)' (known: \(known))")
    }
    return e
  }

  mutating func requiredEnum<E: RawRepresentable>(_ key: String) throws(EventDecodingError) -> E
  where E.RawValue == String, E: CaseIterable {
    guard let e: E = try optionalEnum(key) else {
      throw EventDecodingError(field: key, message: "missing")
    }
    return e
  }

  /// Every remaining non-envelope key as a string (for free-form qualification answers).
  mutating func remainingStrings() throws(EventDecodingError) -> [String: String] {
    var out: [String: String] = [:]
    for key in remaining.keys.sorted() where !Event.envelopeKeys.contains(key) {
      if let s = try string(key) { out[key] = s }
    }
    return out
  }

  func rejectUnknown(type: String) throws(EventDecodingError) {
    let unknown = remaining.keys.filter { !Event.envelopeKeys.contains($0) }.sorted()
    if let first = unknown.first {
      throw EventDecodingError(
        field: first, message: "unknown field for \(type) (put other attributes under \"extra\")")
    }
  }
}
