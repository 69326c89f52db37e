import Foundation

/// A line of a lead's score ledger: why the score moved.
public struct LedgerLine: Sendable, Equatable, Codable {
  public var at: Date
  public var change: ScoreChange
  public init(at: Date, change: ScoreChange) {
    self.at = at
    self.change = change
  }
}

/// A stage a lead entered, and when (for velocity).
public struct StageEntry: Sendable, Equatable, Codable {
  public var stage: Stage
  public var at: Date
  public init(stage: Stage, at: Date) {
    self.stage = stage
    self.at = at
  }
}

/// How a lead was closed without becoming a customer.
public struct ClosedInfo: Sendable, Equatable, Codable {
  public var closure: Closure
  public var reason: String
  public var at: Date
  public init(closure: Closure, reason: String, at: Date) {
    self.closure = closure
    self.reason = reason
    self.at = at
  }
}

/// The contract that makes an opportunity a customer.
public struct ContractInfo: Sendable, Equatable, Codable {
  public var signedAt: Date
  public var paymentTerms: String?
  public var onboardingDate: Date?
}

/// The current state of one lead: a pure reduction of its events (`applying(_:)`).
///
/// The funnel position (`stage`, `closed`) is kept apart from what reps do with the lead
/// (owner, attempts, snooze).
public struct LeadState: Sendable, Equatable, Codable {
  public var id: String
  public var profile = Profile()
  /// Anonymous visitor ids stitched onto this lead.
  public var visitors: [String] = []
  public var stage: Stage = .visitor
  public var stageEnteredAt: Date
  public var createdAt: Date
  /// Every stage entry in order (a recycled lead re-enters `known`).
  public var history: [StageEntry] = []
  public var closed: ClosedInfo?

  public var owner: String?
  public var team: String?
  /// Everyone who owned the lead before, oldest first.
  public var previousOwners: [String] = []
  public var assignedAt: Date?
  public var acceptedAt: Date?
  /// Why routing left it unassigned, when it did.
  public var routingNote: String?

  public var fitScore = 0
  public var behaviorScore = 0
  public var ledger: [LedgerLine] = []
  /// Points given so far per rule id (for caps and fit recomputation).
  public var rulePoints: [String: Int] = [:]
  /// The last behaviour activity (for decay), and the behaviour score at that moment.
  public var lastActivityAt: Date?
  public var behaviorAtLastActivity = 0
  /// Page views of this lead, stitched anonymous ones included, oldest first.
  public var pageViews: [PageVisit] = []

  public var contactAttempts = 0
  /// Attempts in the current stage that did not reach the prospect.
  public var unansweredAttempts: [Date] = []
  public var lastContactAt: Date?
  public var reached = false
  public var conversations = 0
  public var qualification: [String: String] = [:]
  public var opportunity: OpportunityFields?
  public var contract: ContractInfo?

  public var recycleCount = 0
  public var lastRecycleReason: String?
  public var nurtureUntil: Date?
  public var snoozedUntil: Date?
  public var snoozeReason: String?
  /// The stage entry for which the SLA was breached (so it is recorded once per clock).
  public var slaBreachedAt: Date?
  /// When the current stall was recorded (once per stage entry).
  public var stalledAt: Date?
  public var lastEventAt: Date
  public var eventCount = 0

  /// A new lead, as of its first event.
  public init(id: String, at: Date) {
    self.id = id
    stageEnteredAt = at
    createdAt = at
    lastEventAt = at
  }

  /// Fit plus behaviour.
  public var score: Int { fitScore + behaviorScore }

  /// The most page views kept on the state (the high-intent rules look at recent ones only).
  public static let pageViewLimit = 50

  // The ledger is left out of the stored form: it grows with every point and the rules never
  // read it (they use `rulePoints`). Stores rebuild it from the log's score_changed events.
  enum CodingKeys: String, CodingKey {
    case id, profile, visitors, stage, stageEnteredAt, createdAt, history, closed, owner, team,
      previousOwners
    case assignedAt, acceptedAt, routingNote, fitScore, behaviorScore, rulePoints, lastActivityAt
    case behaviorAtLastActivity, pageViews, contactAttempts, unansweredAttempts, lastContactAt,
      reached
    case conversations, qualification, opportunity, contract, recycleCount, lastRecycleReason,
      nurtureUntil
    case snoozedUntil, snoozeReason, slaBreachedAt, stalledAt, lastEventAt, eventCount
  }

  /// True while the lead is in the funnel (not a customer, not closed).
  public var isOpen: Bool { closed == nil && stage != .customer }

  /// Days in the current stage at `now`, rounded down.
  public func daysInStage(at now: Date) -> Int {
    max(0, Int(now.timeIntervalSince(stageEnteredAt) / 86400))
  }

  /// When the lead entered `stage` most recently, if it ever did.
  public func entered(_ stage: Stage) -> Date? {
    history.last { $0.stage == stage }?.at
  }

  /// True while snoozed at `now`.
  public func isSnoozed(at now: Date) -> Bool {
    guard let until = snoozedUntil else { return false }
    return now < until
  }

  /// True while in a nurture period at `now`.
  public func isNurturing(at now: Date) -> Bool {
    guard let until = nurtureUntil else { return false }
    return now < until
  }

  // MARK: - Reduction

  /// The state after `event`. Pure: no rules run here; rule outcomes arrive as their own events.
  public func applying(_ event: Event) -> LeadState {
    var s = self
    s.apply(event)
    return s
  }

  /// Applies `event` in place (see `applying(_:)`).
  public mutating func apply(_ event: Event) {
    eventCount += 1
    if event.at > lastEventAt { lastEventAt = event.at }
    if let p = event.payload.profile { profile.merge(p) }
    switch event.payload {
    case .pageView(let path, _):
      pageViews.append(PageVisit(event: event.id, path: path, at: event.at))
      if pageViews.count > LeadState.pageViewLimit {
        pageViews.removeFirst(pageViews.count - LeadState.pageViewLimit)
      }
    case .visitorStitched(let visitor, let views):
      if !visitors.contains(visitor) { visitors.append(visitor) }
      pageViews = Array(
        (views + pageViews).sorted { $0.at < $1.at }.suffix(LeadState.pageViewLimit))
    case .formSubmit, .chat, .emailSubscribe, .accountCreated:
      if let v = event.visitor, !visitors.contains(v) { visitors.append(v) }
    case .contactAttempt(_, let outcome):
      contactAttempts += 1
      lastContactAt = event.at
      if outcome.reached {
        reached = true
        unansweredAttempts = []
      } else {
        unansweredAttempts.append(event.at)
      }
    case .conversation:
      conversations += 1
      reached = true
    case .qualification(let fields):
      for (k, v) in fields { qualification[k] = v }
    case .opportunityCreated(let o), .opportunityUpdated(let o):
      var current = opportunity ?? OpportunityFields()
      current.merge(o)
      opportunity = current
    case .contractSigned(let terms, let onboarding):
      contract = ContractInfo(signedAt: event.at, paymentTerms: terms, onboardingDate: onboarding)
    case .lost(let reason):
      closed = ClosedInfo(closure: .lost, reason: reason, at: event.at)
    case .disqualified(let reason):
      closed = ClosedInfo(closure: .disqualified, reason: reason, at: event.at)
    case .accepted:
      if let actor = event.actor, actor != owner {
        if let o = owner { previousOwners.append(o) }
        owner = actor
      }
      acceptedAt = event.at
    case .recycled(let reason, let until):
      recycleCount += 1
      lastRecycleReason = reason
      nurtureUntil = until
    case .assigned(let to, let team, _):
      setOwner(to, team: team, at: event.at)
    case .reassigned(_, let to, let team, _):
      setOwner(to, team: team, at: event.at)
    case .unrouted(let reason):
      routingNote = reason
    case .snoozed(let until, let reason):
      snoozedUntil = until
      snoozeReason = reason
    case .scoreChanged(let change):
      ledger.append(LedgerLine(at: event.at, change: change))
      rulePoints[change.rule, default: 0] += change.delta
      switch change.kind {
      case .fit:
        fitScore += change.delta
      case .behavior:
        behaviorScore += change.delta
        lastActivityAt = event.at
        behaviorAtLastActivity = behaviorScore
      case .decay:
        behaviorScore += change.delta
      case .reset:
        behaviorScore += change.delta
        behaviorAtLastActivity = behaviorScore
      }
    case .stageChanged(_, let to, _):
      enter(to, at: event.at)
    case .slaBreached:
      slaBreachedAt = event.at
    case .stalled:
      stalledAt = event.at
    case .nurtureEnded:
      nurtureUntil = nil
    case .won, .moved, .note, .emailOpen, .emailClick, .contentDownload, .webinarAttended,
      .demoRequest, .unsubscribe, .emailBounce, .profileUpdated:
      break
    }
  }

  private mutating func setOwner(_ rep: String, team: String?, at: Date) {
    if let o = owner, o != rep { previousOwners.append(o) }
    owner = rep
    self.team = team ?? self.team
    assignedAt = at
    routingNote = nil
    slaBreachedAt = nil
  }

  private mutating func enter(_ to: Stage, at: Date) {
    if to == .known, stage > .known {
      // Recycled: back to marketing. The owner is remembered, the attempts start over.
      if let o = owner { previousOwners.append(o) }
      owner = nil
      assignedAt = nil
      acceptedAt = nil
    }
    stage = to
    stageEnteredAt = at
    history.append(StageEntry(stage: to, at: at))
    unansweredAttempts = []
    slaBreachedAt = nil
    stalledAt = nil
  }
}
