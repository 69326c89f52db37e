import Foundation

/// What appending one event did.
public enum AppendResult: Sendable, Equatable {
  /// The event was new: it and its rule outcomes are in the log.
  case added(outcomes: [Event])
  /// An event with this id is already in the log: nothing changed.
  case duplicate
}

/// The whole pipeline in memory: the log, every lead's state, anonymous visitors, routing
/// counters and rep load, kept by the engine's rules. Used for tests, replay and what-if; the
/// stores keep the same projections in their databases.
public struct Pipeline: Sendable {
  public let engine: LifecycleEngine
  public private(set) var leads: [String: LeadState] = [:]
  /// Page views of visitors not yet known, by visitor id.
  public private(set) var anonymousViews: [String: [PageVisit]] = [:]
  /// Which lead each stitched visitor became.
  public private(set) var visitorLeads: [String: String] = [:]
  public private(set) var routing = RoutingState()
  /// Open leads (assigned MQLs and SALs) per rep.
  public private(set) var load: [String: Int] = [:]
  public private(set) var log: [Event] = []
  private var ids = Set<String>()
  /// When each lead next has time-driven work (see `LifecycleEngine.nextDue`).
  private var due: [String: Date] = [:]

  public init(playbook: Playbook) {
    engine = LifecycleEngine(playbook: playbook)
  }

  /// The rules' context for `event`.
  public func context(for event: Event?) -> RuleContext {
    var views: [PageVisit] = []
    if let e = event, EventType.captures.contains(e.type), let v = e.visitor, visitorLeads[v] == nil
    {
      views = anonymousViews[v] ?? []
    }
    return RuleContext(routing: routing, load: load, visitorViews: views)
  }

  /// Appends an external event: checks it, runs the rules, records it and its outcomes.
  /// - Throws: `Refusal`; nothing is recorded then.
  @discardableResult
  public mutating func append(_ input: Event) throws(Refusal) -> AppendResult {
    if ids.contains(input.id) { return .duplicate }
    var event = engine.prepare(input)
    if event.lead == nil, let v = event.visitor, let lead = visitorLeads[v] {
      event.lead = lead  // a known visitor's page view belongs to its lead
    }
    let outcomes = try engine.process(
      event, lead: event.lead.flatMap { leads[$0] }, context: context(for: event))
    record(event)
    for o in outcomes { record(o) }
    return .added(outcomes: outcomes)
  }

  /// Runs the time-driven rules on every open lead at `now`; records and returns their outcomes.
  @discardableResult
  public mutating func tick(at now: Date) -> [Event] {
    var all: [Event] = []
    for id in due.filter({ $0.value <= now }).keys.sorted() {
      guard let lead = leads[id] else { continue }
      let events = engine.tick(lead, at: now, context: context(for: nil))
      for e in events where !ids.contains(e.id) {
        record(e)
        all.append(e)
      }
    }
    return all
  }

  /// Folds stored events (external facts and rule outcomes alike) without running any rule:
  /// how a stored log is read back. Replaying a pipeline's log gives the same state.
  public mutating func replay(_ events: [Event]) {
    for e in events where !ids.contains(e.id) { record(e) }
  }

  /// Folds one event into the projections.
  private mutating func record(_ event: Event) {
    ids.insert(event.id)
    log.append(event)
    routing.apply(event)
    guard let id = event.lead ?? event.visitor.flatMap({ visitorLeads[$0] }) else {
      if case .pageView(let path, _) = event.payload, let v = event.visitor {
        anonymousViews[v, default: []].append(PageVisit(event: event.id, path: path, at: event.at))
      }
      return
    }
    if case .visitorStitched(let v, _) = event.payload {
      visitorLeads[v] = id
      anonymousViews[v] = nil
    }
    let before = leads[id]
    var after = before ?? LeadState(id: id, at: event.at)
    after.apply(event)
    leads[id] = after
    due[id] = engine.nextDue(after)
    adjustLoad(before, -1)
    adjustLoad(after, +1)
  }

  private mutating func adjustLoad(_ lead: LeadState?, _ delta: Int) {
    guard let lead, let owner = lead.owner, lead.isOpen, lead.stage == .mql || lead.stage == .sal
    else { return }
    load[owner, default: 0] += delta
  }

  // MARK: - Reads

  /// Leads in `stage` (open ones only for funnel stages before customer).
  public func leads(in stage: Stage) -> [LeadState] {
    leads.values.filter { $0.stage == stage && ($0.isOpen || stage == .customer) }.sorted {
      $0.id < $1.id
    }
  }

  /// The board's columns at `now`: open leads per stage with their value and how many are
  /// stalled (snoozed ones not counted); `visitor` counts anonymous visitors.
  public func stageTotals(at now: Date) -> [StageTotals] {
    var totals = Dictionary(
      uniqueKeysWithValues: Stage.allCases.map {
        ($0, StageTotals(stage: $0, count: 0, value: 0, stalled: 0))
      })
    totals[.visitor]?.count = anonymousViews.count
    for lead in leads.values where lead.closed == nil {
      totals[lead.stage]?.count += 1
      totals[lead.stage]?.value += StageTotals.countedValue(lead)
      if engine.stall.isStalled(lead, at: now) { totals[lead.stage]?.stalled += 1 }
    }
    return Stage.allCases.map { totals[$0]! }
  }

  /// Every stall alert at `now`, by black hole.
  public func stalls(at now: Date) -> [StallAlert] {
    leads.values.compactMap { engine.stall.evaluate($0, at: now) }.sorted {
      ($0.blackHole.rawValue, $0.lead) < ($1.blackHole.rawValue, $1.lead)
    }
  }
}

extension LifecycleEngine {
  /// Fills what the playbook implies but the event left out (a recycle's nurture end).
  public func prepare(_ event: Event) -> Event {
    var e = event
    if case .recycled(let reason, nil) = e.payload,
      let nurture = playbook.recycle.reason(reason)?.nurture
    {
      e.payload = .recycled(reason: reason, nurtureUntil: e.at.addingTimeInterval(nurture.seconds))
    }
    return e
  }
}
