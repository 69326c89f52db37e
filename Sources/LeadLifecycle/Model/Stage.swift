import Foundation

/// A position in the funnel, from anonymous visitor to customer.
///
/// What a rep is doing with a lead (owner, attempts, snooze) is kept apart, in `LeadState`.
public enum Stage: String, Sendable, CaseIterable, Codable, Comparable, CustomStringConvertible {
  case visitor, known, mql, sal, sql, opportunity, customer

  /// Funnel order: visitor is 0, customer 6.
  public var rank: Int { Stage.allCases.firstIndex(of: self)! }

  /// The stage after this one on the happy path, or nil for `customer`.
  public var next: Stage? { rank + 1 < Stage.allCases.count ? Stage.allCases[rank + 1] : nil }

  /// The stage before this one, or nil for `visitor`.
  public var previous: Stage? { rank > 0 ? Stage.allCases[rank - 1] : nil }

  public static func < (a: Stage, b: Stage) -> Bool { a.rank < b.rank }

  public var description: String { rawValue }

  /// Every stage id, comma-separated, for "known ones are …" messages.
  public static let idList = Stage.allCases.map(\.rawValue).joined(separator: ", ")
}

/// How a lead left the funnel without becoming a customer.
public enum Closure: String, Sendable, Codable, CaseIterable {
  /// Not a fit (or recycled too many times): closed for good.
  case disqualified
  /// An opportunity (or earlier stage) that was lost to a competitor, no decision, etc.
  case lost
}

/// The four places where leads fall out of the funnel unnoticed, after the seed, plus the
/// nurture stall of known leads that never warm up.
public enum BlackHole: String, Sendable, Codable, CaseIterable {
  /// MQL → SAL: marketing handed over, nobody followed up.
  case noFollowUp = "mql_no_follow_up"
  /// SAL → SQL: the rep cannot reach the prospect.
  case noContact = "sal_no_contact"
  /// SQL → opportunity: qualified but never turned into an opportunity.
  case opportunityGap = "sql_opportunity_gap"
  /// Opportunities months past their expected close date.
  case agingOpportunity = "aging_opportunity"
  /// Known leads that sat in nurture past the window without reaching the threshold.
  case nurtureStall = "known_nurture_stall"

  /// The black hole a lead stalled in `stage` falls into.
  public static func forStage(_ stage: Stage) -> BlackHole? {
    switch stage {
    case .known: return .nurtureStall
    case .mql: return .noFollowUp
    case .sal: return .noContact
    case .sql: return .opportunityGap
    case .opportunity: return .agingOpportunity
    case .visitor, .customer: return nil
    }
  }

  /// The stage whose stall this black hole names.
  public var stage: Stage {
    switch self {
    case .nurtureStall: return .known
    case .noFollowUp: return .mql
    case .noContact: return .sal
    case .opportunityGap: return .sql
    case .agingOpportunity: return .opportunity
    }
  }

  /// A one-line title for alerts.
  public var title: String {
    switch self {
    case .noFollowUp: return "MQL → SAL: handed over, nobody followed up"
    case .noContact: return "SAL → SQL: prospect not reached"
    case .opportunityGap: return "SQL → opportunity: qualified, no opportunity"
    case .agingOpportunity: return "Aging opportunity: past the window or close date"
    case .nurtureStall: return "Known → MQL: stuck in nurture"
    }
  }

  /// The seed's fix for this black hole.
  public var suggestedAction: String {
    switch self {
    case .noFollowUp: return "assign now and call within the response SLA"
    case .noContact: return "verify contact data, try another channel, recycle after the limit"
    case .opportunityGap: return "create the opportunity or re-qualify at the pipeline review"
    case .agingOpportunity: return "reset a realistic close date, or mark won, lost or recycle"
    case .nurtureStall: return "review the nurture track and the lead's fit"
    }
  }
}
