import Foundation

/// Why the engine refused an event: a move whose criteria are not met, an action that does not
/// fit the lead's stage, an unknown reason code or rep, or an accept that someone else won.
public struct Refusal: Error, Sendable, Equatable, CustomStringConvertible {
  public enum Kind: String, Sendable {
    /// The lead does not exist.
    case unknownLead = "unknown_lead"
    /// The action does not apply to the lead as it stands.
    case notAllowed = "not_allowed"
    /// The target stage's entry criteria are not met.
    case missingCriteria = "missing_criteria"
    /// A reason code, rep or value the playbook does not know.
    case invalid
    /// Someone else already did it (an accept that lost the race).
    case conflict
  }
  public var kind: Kind
  public var message: String
  /// For `missingCriteria`: each missing criterion in words.
  public var missing: [String]
  /// For `conflict`: who won, and when.
  public var winner: String?
  public var winnerAt: Date?

  public init(
    _ kind: Kind, _ message: String, missing: [String] = [], winner: String? = nil,
    winnerAt: Date? = nil
  ) {
    self.kind = kind
    self.message = message
    self.missing = missing
    self.winner = winner
    self.winnerAt = winnerAt
  }

  public var description: String { message }
}

/// Entry criteria: what a lead must have to enter a stage.
public enum Criteria {
  /// The criteria of `stage` that `lead` does not meet, in playbook order.
  public static func missing(for stage: Stage, lead: LeadState, playbook: Playbook) -> [Criterion] {
    playbook.stage(stage).entry.filter { !isMet($0, lead: lead) }
  }

  /// True when `lead` meets `criterion`.
  public static func isMet(_ c: Criterion, lead: LeadState) -> Bool {
    func atLeast(_ x: Double?) -> Bool {
      guard let x else { return false }
      return x >= (c.min ?? -Double.infinity)
    }
    switch c.field {
    case "owner": return lead.owner != nil
    case "contact_connected": return lead.reached
    case "conversation": return lead.conversations >= Int(c.min ?? 1)
    case "value": return atLeast(lead.opportunity?.value)
    case "currency": return lead.opportunity?.currency != nil
    case "close_date": return lead.opportunity?.closeDate != nil
    case "stakeholders":
      return (lead.opportunity?.stakeholders?.count ?? 0) >= Int(c.min ?? 1)
    case "contract_signed": return lead.contract != nil
    case "payment_terms": return !(lead.contract?.paymentTerms ?? "").isEmpty
    case "onboarding_date": return lead.contract?.onboardingDate != nil
    case "score": return atLeast(Double(lead.score))
    default:
      if let answer = lead.qualification[c.field] { return !answer.isEmpty }
      if let v = lead.profile.value(of: c.field) { return !v.isEmpty }
      return false
    }
  }

  /// A refusal naming every missing criterion (`sql → opportunity needs: expected close date,
  /// stakeholders ≥ 2`), or nil when none is missing.
  public static func refusal(from: Stage, to: Stage, lead: LeadState, playbook: Playbook)
    -> Refusal?
  {
    let missing = missing(for: to, lead: lead, playbook: playbook)
    guard !missing.isEmpty else { return nil }
    let labels = missing.map { $0.label(playbook.qualification) }
    return Refusal(
      .missingCriteria, "\(from) → \(to) needs: \(labels.joined(separator: ", "))", missing: labels)
  }
}

/// Shell-style glob matching with `*` (any run) and `?` (one character), case-insensitive.
public func globMatch(_ pattern: String, _ text: String) -> Bool {
  let p = Array(pattern.lowercased().unicodeScalars)
  let t = Array(text.lowercased().unicodeScalars)
  var pi = 0
  var ti = 0
  var star = -1
  var mark = 0
  while ti < t.count {
    if pi < p.count, p[pi] == "?" || p[pi] == t[ti] {
      pi += 1
      ti += 1
    } else if pi < p.count, p[pi] == "*" {
      star = pi
      mark = ti
      pi += 1
    } else if star >= 0 {
      pi = star + 1
      mark += 1
      ti = mark
    } else {
      return false
    }
  }
  while pi < p.count, p[pi] == "*" { pi += 1 }
  return pi == p.count
}
