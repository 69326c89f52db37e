import Foundation

/// What the rules need to know beyond the lead itself.
public struct RuleContext: Sendable {
  /// Routing fairness counters.
  public var routing: RoutingState
  /// Open leads (assigned MQLs and SALs) per rep.
  public var load: [String: Int]
  /// The anonymous page views of the visitor a capture event names, not yet stitched.
  public var visitorViews: [PageVisit]

  public init(
    routing: RoutingState = RoutingState(), load: [String: Int] = [:],
    visitorViews: [PageVisit] = []
  ) {
    self.routing = routing
    self.load = load
    self.visitorViews = visitorViews
  }
}

/// The lifecycle engine: pure functions of (lead state, event, playbook, now) that decide what
/// follows from a fact (score lines, stage changes, assignments, recycles) and what time alone
/// brings (SLA breaches, stalls, decay, the end of nurture).
public struct LifecycleEngine: Sendable {
  public let playbook: Playbook
  public let scorer: Scorer
  public let router: Router
  public let sla: SLAClock
  public let stall: StallRule

  public init(playbook: Playbook) {
    self.playbook = playbook
    scorer = Scorer(policy: playbook.scoring)
    router = Router(policy: playbook.routing)
    sla = SLAClock(policy: playbook.sla)
    stall = StallRule(playbook: playbook)
  }

  // MARK: - Events

  /// Checks an event against the lead and returns the rule outcomes it causes, in order.
  ///
  /// - Parameters:
  ///   - event: the fact; its time is the rules' "now".
  ///   - lead: the lead before the event; nil when it does not exist yet.
  /// - Returns: outcome events (their ids derive from the event's id, so they are stable).
  /// - Throws: `Refusal` when the event does not apply: unknown lead, wrong stage, missing
  ///   entry criteria (each named), unknown reason code or rep, an accept someone else won.
  public func process(_ event: Event, lead: LeadState?, context: RuleContext) throws(Refusal)
    -> [Event]
  {
    guard let leadID = event.lead else { return [] }  // anonymous page views have no rules
    try check(event, lead: lead)
    var out = Outcomes(cause: event, lead: leadID)
    var s = (lead ?? LeadState(id: leadID, at: event.at)).applying(event)
    let type = event.type

    // Stitch the visitor's anonymous history onto the lead it turned into.
    if EventType.captures.contains(type), let v = event.visitor, !context.visitorViews.isEmpty {
      out.emit(.visitorStitched(visitor: v, views: context.visitorViews), into: &s)
      for view in context.visitorViews {
        for c in scorer.behaviorChanges(
          for: s, type: .pageView, subject: view.path, source: view.event)
        {
          out.emit(.scoreChanged(c), into: &s)
        }
      }
    }
    // visitor → known on a capture.
    if s.stage == .visitor, EventType.captures.contains(type) {
      out.emit(
        .stageChanged(from: .visitor, to: .known, reason: "captured: \(type.rawValue)"), into: &s)
    }
    // Fit follows the profile; behaviour follows the event.
    if event.payload.profile != nil {
      for c in scorer.fitChanges(for: s, source: event.id) { out.emit(.scoreChanged(c), into: &s) }
    }
    for c in scorer.behaviorChanges(
      for: s, type: type, subject: Scorer.subject(of: event.payload), source: event.id)
    {
      out.emit(.scoreChanged(c), into: &s)
    }
    // Manual transitions (already checked).
    switch event.payload {
    case .accepted:
      out.emit(
        .stageChanged(from: .mql, to: .sal, reason: "accepted by \(event.actor ?? "?")"), into: &s)
    case .qualification:
      if s.stage == .sal {
        out.emit(
          .stageChanged(from: .sal, to: .sql, reason: "qualified (\(playbook.qualification.name))"),
          into: &s)
      }
    case .opportunityCreated:
      out.emit(.stageChanged(from: .sql, to: .opportunity, reason: "opportunity created"), into: &s)
    case .won:
      out.emit(.stageChanged(from: .opportunity, to: .customer, reason: "won"), into: &s)
    case .moved(let to, let reason):
      out.emit(
        .stageChanged(
          from: s.stage, to: to,
          reason: "moved by \(event.actor ?? "?")" + (reason.map { ": \($0)" } ?? "")),
        into: &s)
    case .recycled(let code, _):
      recycle(&s, code: code, out: &out)
    case .contactAttempt(_, let outcome) where !outcome.reached:
      if let auto = playbook.recycle.autoRecycle, s.stage == .sal, s.isOpen {
        let since = event.at.addingTimeInterval(-auto.within.seconds)
        let recent = s.unansweredAttempts.filter { $0 >= since }.count
        if recent >= auto.attempts {
          let until = playbook.recycle.reason(auto.reason)?.nurture.map {
            event.at.addingTimeInterval($0.seconds)
          }
          out.emit(.recycled(reason: auto.reason, nurtureUntil: until), into: &s)
          recycle(
            &s, code: auto.reason, out: &out,
            automatic: "\(recent) attempts without contact in \(auto.within)")
        }
      }
    default:
      break
    }
    promoteAndRoute(&s, trigger: type, at: event.at, context: context, out: &out)
    return out.events
  }

  /// Applies the recycle outcome of a `recycled` event already in `s`: back to known, or
  /// disqualified once the lead has been recycled more than the playbook allows.
  private func recycle(
    _ s: inout LeadState, code: String, out: inout Outcomes, automatic: String? = nil
  ) {
    let max = playbook.recycle.maxRecycles
    if s.recycleCount > max {
      out.emit(.disqualified(reason: "max_recycles"), into: &s)
    } else {
      let why = automatic.map { "auto-recycled (\($0)): \(code)" } ?? "recycled: \(code)"
      out.emit(.stageChanged(from: s.stage, to: .known, reason: why), into: &s)
      if playbook.recycle.resetBehaviorScore, s.behaviorScore != 0 {
        // Behaviour that made it an MQL once must not make it one again by itself after nurture.
        let change = ScoreChange(
          kind: .reset, rule: "recycle.reset", delta: -s.behaviorScore, score: s.fitScore,
          source: out.cause.id,
          detail: "behaviour points reset on recycle: \(-s.behaviorScore)")
        out.emit(.scoreChanged(change), into: &s)
      }
    }
  }

  /// known → mql when the score or a high-intent action says so (outside nurture), then
  /// routing for a new, unassigned MQL.
  private func promoteAndRoute(
    _ s: inout LeadState, trigger: EventType?, at now: Date, context: RuleContext,
    out: inout Outcomes
  ) {
    if s.stage == .known, s.isOpen, !s.isNurturing(at: now),
      let why = scorer.mqlReason(for: s, trigger: trigger, at: now)
    {
      out.emit(.stageChanged(from: .known, to: .mql, reason: why), into: &s)
    }
    if s.stage == .mql, s.isOpen, s.owner == nil, playbook.routing.autoAssign,
      !playbook.routing.reps.isEmpty
    {
      let d = router.route(s.profile, at: now, state: context.routing, load: context.load)
      if let rep = d.rep {
        out.emit(.assigned(to: rep, team: d.team, explanation: d.explanation), into: &s)
      } else if s.routingNote == nil {
        // Recorded once: the retries on later ticks stay silent until someone takes it.
        out.emit(.unrouted(reason: d.explanation), into: &s)
      }
    }
  }

  // MARK: - Guards

  /// Throws when `event` does not apply to `lead`.
  public func check(_ event: Event, lead: LeadState?) throws(Refusal) {
    let type = event.type
    if event.id.contains("#") {
      // Rule outcomes are named `<cause>#<n>`; an outside id with '#' could collide with one.
      throw Refusal(.invalid, "id '\(event.id)': '#' is reserved for rule outcomes")
    }
    guard let lead else {
      // Only captures, profile updates and replayed stage changes may create a lead.
      if EventType.captures.contains(type) || type == .profileUpdated || type == .stageChanged {
        return
      }
      throw Refusal(
        .unknownLead,
        "unknown lead '\(event.lead ?? "")': capture it first (form_submit, chat, email_subscribe or account_created)"
      )
    }
    func requireOpen(_ what: String) throws(Refusal) {
      if let c = lead.closed {
        throw Refusal(
          .notAllowed,
          "cannot \(what): \(lead.id) was \(c.closure.rawValue) (\(c.reason)) on \(ISO8601.formatDate(c.at))"
        )
      }
      if lead.stage == .customer {
        throw Refusal(.notAllowed, "cannot \(what): \(lead.id) is already a customer")
      }
    }
    func requireStage(_ stages: [Stage], _ what: String) throws(Refusal) {
      try requireOpen(what)
      guard stages.contains(lead.stage) else {
        let list = stages.map(\.rawValue).joined(separator: " or ")
        throw Refusal(.notAllowed, "cannot \(what): \(lead.id) is \(lead.stage), not \(list)")
      }
    }
    func requireCriteria(_ to: Stage, after: Event) throws(Refusal) {
      let prospective = lead.applying(after)
      if let r = Criteria.refusal(from: lead.stage, to: to, lead: prospective, playbook: playbook) {
        throw r
      }
    }
    func requireKnownRep(_ rep: String?) throws(Refusal) {
      guard let rep, !rep.isEmpty else {
        throw Refusal(.invalid, "who did it? name the rep (--as REP)")
      }
      let reps = playbook.routing.reps
      if !reps.isEmpty && !reps.contains(where: { $0.id == rep }) {
        throw Refusal(
          .invalid, "unknown rep '\(rep)' (known: \(reps.map(\.id).joined(separator: ", ")))")
      }
    }
    switch event.payload {
    case .accepted:
      try requireKnownRep(event.actor)
      if lead.stage > .mql, lead.closed == nil, let by = lead.owner, let at = lead.acceptedAt {
        throw Refusal(
          .conflict, "already accepted by \(by) at \(ISO8601.format(at))", winner: by, winnerAt: at)
      }
      try requireStage([.mql], "accept")
      try requireCriteria(.sal, after: event)
    case .qualification:
      try requireStage([.sal, .sql, .opportunity], "qualify")
      if lead.stage == .sal { try requireCriteria(.sql, after: event) }
    case .opportunityCreated:
      try requireStage([.sql], "create an opportunity")
      try requireCriteria(.opportunity, after: event)
    case .opportunityUpdated:
      try requireStage([.sql, .opportunity], "update the opportunity")
    case .contractSigned:
      try requireStage([.opportunity], "sign a contract")
    case .won:
      try requireStage([.opportunity], "win")
      try requireCriteria(.customer, after: event)
    case .lost(let reason):
      try requireOpen("mark lost")
      if !playbook.lostReasons.isEmpty, !playbook.lostReasons.contains(reason) {
        throw Refusal(
          .invalid,
          "unknown lost reason '\(reason)' (known: \(playbook.lostReasons.joined(separator: ", ")))"
        )
      }
    case .disqualified(let reason):
      try requireOpen("disqualify")
      if !playbook.disqualifyReasons.isEmpty, !playbook.disqualifyReasons.contains(reason) {
        throw Refusal(
          .invalid,
          "unknown disqualify reason '\(reason)' (known: \(playbook.disqualifyReasons.joined(separator: ", ")))"
        )
      }
    case .recycled(let reason, _):
      try requireStage([.mql, .sal, .sql, .opportunity], "recycle")
      if playbook.recycle.reason(reason) == nil {
        throw Refusal(
          .invalid,
          "unknown recycle reason '\(reason)' (known: \(playbook.recycle.reasons.map(\.code).joined(separator: ", ")))"
        )
      }
    case .assigned(let to, _, _):
      try requireOpen("assign")
      try requireKnownRep(to)
    case .snoozed(let until, _):
      try requireOpen("snooze")
      if until <= event.at {
        throw Refusal(
          .invalid, "snooze until \(ISO8601.format(until)) is not after \(ISO8601.format(event.at))"
        )
      }
    case .moved(let to, _):
      try requireOpen("move")
      if to == lead.stage { throw Refusal(.notAllowed, "\(lead.id) is already \(to)") }
      if to < lead.stage {
        throw Refusal(
          .notAllowed,
          "cannot move \(lead.id) back from \(lead.stage) to \(to): recycle it with a reason")
      }
      try requireCriteria(to, after: event)
    case .contactAttempt, .conversation:
      try requireOpen("log contact")
    default:
      break
    }
  }

  // MARK: - Time

  /// The outcomes time alone brings to `lead` at `now`: the end of nurture (and the MQL it may
  /// bring), decay, an SLA breach and its reassignment, routing of an unassigned MQL, a stall.
  /// Deterministic: the same state and clock give the same events, ids included.
  public func tick(_ lead: LeadState, at now: Date, context: RuleContext) -> [Event] {
    guard lead.isOpen else { return [] }  // time changes nothing for customers and closed leads
    let tickEvent = Event(
      id: "tick:\(ISO8601.format(now)):\(lead.id)", at: now, lead: lead.id, .note(text: "tick"))
    var out = Outcomes(cause: tickEvent, lead: lead.id)
    var s = lead
    if let until = s.nurtureUntil, until <= now {
      out.emit(.nurtureEnded, into: &s)
    }
    if let c = scorer.decayChange(for: s, now: now) {
      out.emit(.scoreChanged(c), into: &s)
    }
    guard s.isOpen else { return out.events }
    if let status = sla.status(of: s, at: now), status.state == .breached, s.slaBreachedAt == nil {
      out.emit(.slaBreached(stage: s.stage, due: status.due, owner: s.owner), into: &s)
      if status.sla.reassignOnBreach, s.stage == .mql {
        let excluded = Set(s.previousOwners + (s.owner.map { [$0] } ?? []))
        let d = router.route(
          s.profile, at: now, state: context.routing, load: context.load, excluding: excluded)
        if let rep = d.rep {
          out.emit(
            .reassigned(
              from: s.owner, to: rep, team: d.team, explanation: "SLA breached; " + d.explanation),
            into: &s)
        }
      }
    }
    promoteAndRoute(&s, trigger: nil, at: now, context: context, out: &out)
    if let alert = stall.evaluate(s, at: now), alert.snoozedUntil == nil, s.stalledAt == nil {
      out.emit(.stalled(stage: alert.stage, blackHole: alert.blackHole, days: alert.days), into: &s)
    }
    return out.events
  }
}

/// Collects rule outcomes with stable ids (`<cause>#1`, `#2` …) and applies each to the
/// working state as it is emitted, so later rules see earlier outcomes.
struct Outcomes {
  let cause: Event
  let lead: String
  var events: [Event] = []

  init(cause: Event, lead: String) {
    self.cause = cause
    self.lead = lead
  }

  mutating func emit(_ payload: EventPayload, into state: inout LeadState) {
    let e = Event(
      id: "\(cause.id)#\(events.count + 1)", at: cause.at, lead: lead,
      visitor: { if case .visitorStitched(let v, _) = payload { return v } else { return nil } }(),
      actor: Event.rulesActor, cause: cause.id, payload)
    state.apply(e)
    events.append(e)
  }
}
