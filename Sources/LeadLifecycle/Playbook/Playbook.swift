import Foundation

/// The agreement between marketing and sales, as one human-edited file: stage definitions,
/// entry criteria, stall windows and benchmarks, scoring, routing, SLAs, recycle rules and the
/// qualification framework. The built-in default carries the seed's benchmarks.
public struct Playbook: Sendable, Equatable {
  /// A name for reports ("Default (seed benchmarks)").
  public var name: String
  /// Per-stage definitions; every stage id is present.
  public var stages: [Stage: StageDefinition]
  public var scoring: ScoringPolicy
  public var routing: RoutingPolicy
  public var sla: SLAPolicy
  public var recycle: RecyclePolicy
  public var qualification: QualificationFramework
  /// Reason codes offered when a lead is lost.
  public var lostReasons: [String]
  /// Reason codes offered when a lead is disqualified.
  public var disqualifyReasons: [String]

  /// The definition of `stage` (always present once read).
  public func stage(_ stage: Stage) -> StageDefinition {
    stages[stage] ?? StageDefinition(label: stage.rawValue)
  }

  /// The display label of `stage`.
  public func label(_ stage: Stage) -> String { self.stage(stage).label }
}

/// One stage of the playbook.
public struct StageDefinition: Sendable, Equatable {
  /// Display label ("Marketing-qualified lead", or 「MQL」 in a Japanese playbook).
  public var label: String
  /// Which team owns leads in this stage (marketing, sales, customer_success …).
  public var owner: String
  /// What the stage means, in the team's words.
  public var definition: String
  /// A lead in this stage longer than this is stalled; nil never stalls.
  public var stallAfter: Span?
  /// Benchmarks of the transition out of this stage into the next one.
  public var benchmark: Benchmark?
  /// Criteria a lead must meet to enter this stage.
  public var entry: [Criterion]
  /// Probability that a lead in this stage is won, for the weighted forecast (0…1).
  public var winProbability: Double?

  public init(
    label: String, owner: String = "", definition: String = "", stallAfter: Span? = nil,
    benchmark: Benchmark? = nil, entry: [Criterion] = [], winProbability: Double? = nil
  ) {
    self.label = label
    self.owner = owner
    self.definition = definition
    self.stallAfter = stallAfter
    self.benchmark = benchmark
    self.entry = entry
    self.winProbability = winProbability
  }
}

/// A closed range of numbers, as written `[low, high]`.
public struct NumberRange: Sendable, Equatable {
  public var low: Double
  public var high: Double
  public init(_ low: Double, _ high: Double) {
    self.low = low
    self.high = high
  }
  public func contains(_ x: Double) -> Bool { x >= low && x <= high }
}

/// Seed benchmarks for the move from a stage to the next.
public struct Benchmark: Sendable, Equatable {
  /// Typical conversion, percent.
  public var conversion: NumberRange?
  /// Average time in stage, days.
  public var averageDays: NumberRange?
  /// Best-in-class time in stage, days.
  public var bestDays: NumberRange?

  public init(
    conversion: NumberRange? = nil, averageDays: NumberRange? = nil, bestDays: NumberRange? = nil
  ) {
    self.conversion = conversion
    self.averageDays = averageDays
    self.bestDays = bestDays
  }
}

/// One entry criterion: a field that must be present, optionally with a minimum.
public struct Criterion: Sendable, Equatable {
  /// The field (`owner`, `budget`, `close_date`, `stakeholders` …).
  public var field: String
  /// A minimum: a count for lists (stakeholders), an amount for numbers (value, score).
  public var min: Double?

  public init(field: String, min: Double? = nil) {
    self.field = field
    self.min = min
  }

  /// Fields with a fixed meaning; qualification fields come from the framework and profile
  /// fields from `Profile.stringFields`.
  public static let builtInFields: [String: String] = [
    "owner": "an owner",
    "contact_connected": "a contact attempt that reached the prospect",
    "conversation": "a conversation held",
    "value": "deal value",
    "currency": "currency",
    "close_date": "expected close date",
    "stakeholders": "stakeholders",
    "contract_signed": "a signed contract",
    "payment_terms": "payment terms",
    "onboarding_date": "onboarding kickoff date",
    "score": "score",
  ]

  /// How the criterion reads in a refusal: `expected close date`, `stakeholders ≥ 2`.
  public func label(_ framework: QualificationFramework) -> String {
    let base =
      Criterion.builtInFields[field]
      ?? framework.fields.first { $0.id == field }?.label.lowercased()
      ?? field.replacingOccurrences(of: "_", with: " ")
    if let min { return "\(base) ≥ \(JSON.formatNumber(min))" }
    return base
  }
}

// MARK: - Scoring

/// How a lead's score is computed, explained line by line in its ledger.
public struct ScoringPolicy: Sendable, Equatable {
  /// A known lead whose score reaches this becomes an MQL.
  public var mqlThreshold: Int
  /// The lowest score negative behaviour points and decay can bring a lead to (fit penalties
  /// always count in full); nil is no floor.
  public var floor: Int?
  /// Points for who the lead is (company size, industry, title, country, domain).
  public var fit: [FitRule]
  /// Points for what the lead does (page views, downloads, webinars, email), negative included.
  public var behavior: [BehaviorRule]
  /// How behaviour points fade when the lead goes quiet; nil keeps them.
  public var decay: Decay?
  /// Actions that make a known lead an MQL at once, whatever its score.
  public var highIntent: HighIntent

  public init(
    mqlThreshold: Int, floor: Int? = 0, fit: [FitRule] = [], behavior: [BehaviorRule] = [],
    decay: Decay? = nil, highIntent: HighIntent = HighIntent()
  ) {
    self.mqlThreshold = mqlThreshold
    self.floor = floor
    self.fit = fit
    self.behavior = behavior
    self.decay = decay
    self.highIntent = highIntent
  }
}

/// A test on one profile field.
public struct Condition: Sendable, Equatable {
  public enum Test: Sendable, Equatable {
    /// Equal, ignoring case.
    case equals(String)
    /// Equal to one of, ignoring case.
    case oneOf([String])
    /// A number within the range.
    case range(NumberRange)
    /// Contains one of, ignoring case.
    case contains([String])
    /// The field is known (non-empty).
    case present
  }
  /// A field of `Profile.conditionFields`.
  public var field: String
  public var test: Test

  public init(field: String, test: Test) {
    self.field = field
    self.test = test
  }

  /// True when `profile` passes the test.
  public func matches(_ profile: Profile) -> Bool {
    guard let raw = profile.value(of: field), !raw.isEmpty else { return false }
    let value = raw.lowercased()
    switch test {
    case .equals(let s): return value == s.lowercased()
    case .oneOf(let list): return list.contains { $0.lowercased() == value }
    case .range(let r):
      guard let d = Double(raw) else { return false }
      return r.contains(d)
    case .contains(let list): return list.contains { value.contains($0.lowercased()) }
    case .present: return true
    }
  }

  /// In words: `employees in 50…1000`, `country in JP, SG`.
  public var summary: String {
    switch test {
    case .equals(let s): return "\(field) = \(s)"
    case .oneOf(let l): return "\(field) in \(l.joined(separator: ", "))"
    case .range(let r):
      return "\(field) in \(JSON.formatNumber(r.low))…\(JSON.formatNumber(r.high))"
    case .contains(let l): return "\(field) contains \(l.joined(separator: " / "))"
    case .present: return "\(field) known"
    }
  }
}

/// Points for a profile that passes a condition.
public struct FitRule: Sendable, Equatable {
  public var id: String
  public var condition: Condition
  public var points: Int
  public init(id: String, condition: Condition, points: Int) {
    self.id = id
    self.condition = condition
    self.points = points
  }
}

/// Points for an event, optionally only on matching paths or assets, with a cap per lead.
public struct BehaviorRule: Sendable, Equatable {
  public var id: String
  public var event: EventType
  /// A glob (`/pricing*`) on a page view's path, a download's asset, a webinar or a campaign.
  public var match: String?
  public var points: Int
  /// The most points (in absolute value) this rule may give one lead; nil is no cap.
  public var cap: Int?

  public init(id: String, event: EventType, match: String? = nil, points: Int, cap: Int? = nil) {
    self.id = id
    self.event = event
    self.match = match
    self.points = points
    self.cap = cap
  }
}

/// How behaviour points fade.
public enum Decay: Sendable, Equatable {
  /// Behaviour points halve every so many days without activity.
  case halfLife(days: Double)
  /// Behaviour points drop by this much for every full week without activity.
  case pointsPerInactiveWeek(Int)
}

/// Actions that make a known lead an MQL at once.
public struct HighIntent: Sendable, Equatable {
  /// Event types (demo_request by default).
  public var events: [EventType]
  /// Repeated visits: `count` page views matching `path` within `within`.
  public var pageViews: [RepeatedVisits]

  public init(events: [EventType] = [], pageViews: [RepeatedVisits] = []) {
    self.events = events
    self.pageViews = pageViews
  }
}

/// N page views matching a glob within a window.
public struct RepeatedVisits: Sendable, Equatable {
  public var path: String
  public var count: Int
  public var within: Span
  public init(path: String, count: Int, within: Span) {
    self.path = path
    self.count = count
    self.within = within
  }
}

// MARK: - Routing

/// How MQLs find a rep.
public struct RoutingPolicy: Sendable, Equatable {
  public enum Strategy: String, Sendable, CaseIterable, Codable {
    case roundRobin = "round_robin"
    case weighted
    case loadBalanced = "load_balanced"
  }
  /// Assign new MQLs automatically.
  public var autoAssign: Bool
  /// The strategy used when a team names none.
  public var strategy: Strategy
  /// First matching rule picks the team.
  public var territories: [Territory]
  /// The team when no territory matches; nil means every rep.
  public var defaultTeam: String?
  /// Per-team strategy overrides.
  public var teamStrategies: [String: Strategy]
  public var reps: [Rep]

  public init(
    autoAssign: Bool = true, strategy: Strategy = .roundRobin, territories: [Territory] = [],
    defaultTeam: String? = nil, teamStrategies: [String: Strategy] = [:], reps: [Rep] = []
  ) {
    self.autoAssign = autoAssign
    self.strategy = strategy
    self.territories = territories
    self.defaultTeam = defaultTeam
    self.teamStrategies = teamStrategies
    self.reps = reps
  }
}

/// A condition that sends a lead to a team.
public struct Territory: Sendable, Equatable {
  public var team: String
  public var when: Condition
  public init(team: String, when: Condition) {
    self.team = team
    self.when = when
  }
}

/// A sales rep as routing sees them.
public struct Rep: Sendable, Equatable {
  public var id: String
  public var name: String
  public var team: String?
  /// Relative share in weighted routing (> 0).
  public var weight: Double
  /// The most open leads (MQL assigned + SAL) at once; nil is unlimited.
  public var capacity: Int?
  public var active: Bool
  /// IANA time zone of the rep's working hours and out-of-office dates.
  public var timeZone: String
  public var workingHours: WorkingHours?
  public var outOfOffice: [DateSpan]

  public init(
    id: String, name: String? = nil, team: String? = nil, weight: Double = 1, capacity: Int? = nil,
    active: Bool = true, timeZone: String = "UTC", workingHours: WorkingHours? = nil,
    outOfOffice: [DateSpan] = []
  ) {
    self.id = id
    self.name = name ?? id
    self.team = team
    self.weight = weight
    self.capacity = capacity
    self.active = active
    self.timeZone = timeZone
    self.workingHours = workingHours
    self.outOfOffice = outOfOffice
  }
}

/// Days of the week and a daily window, in some time zone.
public struct WorkingHours: Sendable, Equatable {
  /// Weekdays, 1 = Sunday … 7 = Saturday (Gregorian calendar numbering).
  public var days: Set<Int>
  /// Minutes after midnight.
  public var start: Int
  /// Minutes after midnight; may be before `start` for a window that crosses midnight.
  public var end: Int

  public init(days: Set<Int>, start: Int, end: Int) {
    self.days = days
    self.start = start
    self.end = end
  }

  /// Monday to Friday, 09:00–18:00.
  public static let office = WorkingHours(days: [2, 3, 4, 5, 6], start: 9 * 60, end: 18 * 60)

  public static let dayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
}

/// An inclusive range of calendar dates (`2026-12-01` … `2026-12-05`) in the rep's zone.
public struct DateSpan: Sendable, Equatable {
  /// `YYYY-MM-DD`.
  public var from: String
  /// `YYYY-MM-DD`, inclusive.
  public var to: String
  public init(from: String, to: String) {
    self.from = from
    self.to = to
  }
}

// MARK: - SLA

/// Response and stage service levels.
public struct SLAPolicy: Sendable, Equatable {
  /// The business calendar for SLAs counted in working hours.
  public var businessHours: WorkingHours
  /// The time zone of `businessHours`.
  public var timeZone: String
  /// Per-stage SLAs; `mql` is the response SLA.
  public var stages: [Stage: StageSLA]

  public init(
    businessHours: WorkingHours = .office, timeZone: String = "UTC", stages: [Stage: StageSLA] = [:]
  ) {
    self.businessHours = businessHours
    self.timeZone = timeZone
    self.stages = stages
  }
}

/// An SLA on one stage.
public struct StageSLA: Sendable, Equatable {
  /// What stops the clock.
  public enum Until: String, Sendable, CaseIterable, Codable {
    /// The lead leaves the stage (accepted, for MQLs).
    case exit
    /// A first contact attempt is logged.
    case contactAttempt = "contact_attempt"
  }
  /// Time allowed.
  public var target: Span
  /// Count only business hours.
  public var workingHours: Bool
  /// On breach, give the lead to the next eligible rep who has not had it.
  public var reassignOnBreach: Bool
  public var until: Until

  public init(
    target: Span, workingHours: Bool = false, reassignOnBreach: Bool = false, until: Until = .exit
  ) {
    self.target = target
    self.workingHours = workingHours
    self.reassignOnBreach = reassignOnBreach
    self.until = until
  }
}

// MARK: - Recycle and qualification

/// When and how leads go back to nurture.
public struct RecyclePolicy: Sendable, Equatable {
  public var reasons: [RecycleReason]
  /// Recycle a SAL automatically after this many attempts without reaching the person.
  public var autoRecycle: AutoRecycle?
  /// A lead recycled more often than this is disqualified instead.
  public var maxRecycles: Int
  /// Clear the behaviour points of a recycled lead, so it must re-engage to become an MQL again.
  public var resetBehaviorScore: Bool

  public init(
    reasons: [RecycleReason], autoRecycle: AutoRecycle? = nil, maxRecycles: Int = 3,
    resetBehaviorScore: Bool = true
  ) {
    self.reasons = reasons
    self.autoRecycle = autoRecycle
    self.maxRecycles = maxRecycles
    self.resetBehaviorScore = resetBehaviorScore
  }

  /// The reason with this code.
  public func reason(_ code: String) -> RecycleReason? { reasons.first { $0.code == code } }
}

/// A recycle reason code and its nurture period.
public struct RecycleReason: Sendable, Equatable {
  public var code: String
  public var label: String
  /// While nurturing, the lead cannot become an MQL again.
  public var nurture: Span?
  public init(code: String, label: String, nurture: Span? = nil) {
    self.code = code
    self.label = label
    self.nurture = nurture
  }
}

/// Automatic recycle of unreachable SALs.
public struct AutoRecycle: Sendable, Equatable {
  public var attempts: Int
  public var within: Span
  public var reason: String
  public init(attempts: Int, within: Span, reason: String) {
    self.attempts = attempts
    self.within = within
    self.reason = reason
  }
}

/// The qualification framework (BANT by default): the answers that make a SAL an SQL.
public struct QualificationFramework: Sendable, Equatable {
  public var name: String
  public var fields: [QualificationField]
  public init(name: String, fields: [QualificationField]) {
    self.name = name
    self.fields = fields
  }
}

/// One question of the framework.
public struct QualificationField: Sendable, Equatable {
  public var id: String
  public var label: String
  public var question: String
  public init(id: String, label: String, question: String = "") {
    self.id = id
    self.label = label
    self.question = question
  }
}
