import Foundation
import LeadLifecycle

/// The working set of one write transaction: routing counters and rep load kept in memory and
/// written once at the end; each lead decoded once and written once per transaction, however
/// many events it gets; every event inserted as it goes.
struct ProjectionBatch<Session: SQLSession> {
  let store: ProjectionStore<Session>
  var routing: RoutingState
  var load: [String: Int]
  private var dirtyReps = Set<String>()
  private var dirtyTeams = Set<String>()
  private var totals: [Stage: (Int, Double)] = [:]
  /// Changes to the stalled-count buckets (`stall_days`), written once at the end.
  private var stallDays: [StallDay: Int] = [:]
  /// Leads touched in this batch: as read from the store (with the stall bucket its row counts
  /// in, read from the row: the playbook may have been replaced since it was written), and as
  /// they are now.
  private var cache: [String: (original: LeadState?, stall: StallDay?, current: LeadState)] = [:]
  private var dirtyOrder: [String] = []
  /// States written, with their new revisions, for the store's cache once committed.
  private(set) var written: [(String, Int64, LeadState)] = []
  private var changed = false
  private var db: Session { store.db }

  init(store: ProjectionStore<Session>) throws(StoreError) {
    self.store = store
    (routing, load) = try store.readRouting()
  }

  func context(visitorViews: [PageVisit]) -> RuleContext {
    RuleContext(routing: routing, load: load, visitorViews: visitorViews)
  }

  func exists(_ id: String) throws(StoreError) -> Bool {
    try db.scalarInt("SELECT 1 FROM events WHERE id = ?", [.text(id)]) != nil
  }

  func lead(_ id: String) throws(StoreError) -> LeadState? {
    if let c = cache[id] { return c.current }
    return try store.fetchLead(id)
  }

  /// Checks one external event, runs the rules and records it with its outcomes.
  mutating func append(_ input: Event) throws(StoreError) -> AppendStatus {
    if try exists(input.id) { return .duplicate }
    var event = store.engine.prepare(input)
    if event.lead == nil, let v = event.visitor {
      event.lead = try visitorLead(v)
    }
    guard let leadID = event.lead else {
      try recordAnonymousView(event)
      return .added(outcomes: [])
    }
    let before = try lead(leadID)
    var views: [PageVisit] = []
    if EventType.captures.contains(event.type), let v = event.visitor, try visitorLead(v) == nil {
      try db.query(
        "SELECT event, path, at FROM anonymous_views WHERE visitor = ? ORDER BY at, event\(db.dialect.binaryOrder)",
        [.text(v)]
      ) { r in
        views.append(
          PageVisit(event: r.text(0) ?? "", path: r.text(1) ?? "", at: r.date(2) ?? .distantPast))
      }
    }
    let outcomes: [Event]
    do {
      outcomes = try store.engine.process(
        event, lead: before, context: context(visitorViews: views))
    } catch {
      return .refused(error)
    }
    try record([event] + outcomes, leadID: leadID, before: before)
    return .added(outcomes: outcomes)
  }

  /// Folds one stored event without rules (see `ProjectionStore.replay`).
  mutating func fold(_ event: Event) throws(StoreError) {
    var e = event
    if e.lead == nil, let v = e.visitor { e.lead = try visitorLead(v) }
    guard let leadID = e.lead else {
      try recordAnonymousView(e)
      return
    }
    try record([e], leadID: leadID, before: try lead(leadID))
  }

  /// Writes events of one lead; its new state is written at `flush`.
  mutating func record(_ events: [Event], leadID: String, before: LeadState?) throws(StoreError) {
    var state = before ?? LeadState(id: leadID, at: events[0].at)
    if cache[leadID] == nil {
      var stall: StallDay?
      if before != nil {
        try db.query("SELECT stage, stall_at FROM leads WHERE id = ?", [.text(leadID)]) { r in
          if let stage = r.text(0).flatMap(Stage.init(rawValue:)), let at = r.date(1) {
            stall = StallDay(stage: stage, at: at)
          }
        }
      }
      cache[leadID] = (before, stall, state)
      dirtyOrder.append(leadID)
    }
    for e in events {
      try insertEvent(e, lead: leadID)
      state.apply(e)
      routing.apply(e)
      switch e.payload {
      case .assigned(let to, let team, _), .reassigned(_, let to, let team, _):
        dirtyReps.insert(to)
        dirtyTeams.insert(team ?? "*")
      case .visitorStitched(let v, _):
        try db.run("DELETE FROM anonymous_views WHERE visitor = ?", [.text(v)])
        let wasAnonymous =
          try db.scalarInt("SELECT 1 FROM visitors WHERE visitor = ? AND lead IS NULL", [.text(v)])
          != nil
        try db.run(
          """
          INSERT INTO visitors(visitor, lead, first_seen, last_seen) VALUES (?, ?, ?, ?)
          ON CONFLICT(visitor) DO UPDATE SET lead = excluded.lead
          """, [.text(v), .text(leadID), .time(e.at), .time(e.at)])
        if wasAnonymous { bump(.visitor, -1, 0) }
      default:
        break
      }
      if EventType.captures.contains(e.type), let v = e.visitor {
        // A capture naming a visitor with no anonymous history still maps the visitor.
        try db.run(
          "INSERT INTO visitors(visitor, lead, first_seen, last_seen) VALUES (?, ?, ?, ?) ON CONFLICT(visitor) DO NOTHING",
          [.text(v), .text(leadID), .time(e.at), .time(e.at)])
      }
    }
    for (l, delta) in [(before, -1), (state, 1)] {
      guard let l, let owner = l.owner, l.isOpen, l.stage == .mql || l.stage == .sal else {
        continue
      }
      load[owner, default: 0] += delta
      dirtyReps.insert(owner)
    }
    cache[leadID]?.current = state
  }

  private func visitorLead(_ visitor: String) throws(StoreError) -> String? {
    var out: String?
    try db.query("SELECT lead FROM visitors WHERE visitor = ?", [.text(visitor)]) { r in
      out = r.text(0)
    }
    return out
  }

  private mutating func recordAnonymousView(_ e: Event) throws(StoreError) {
    guard case .pageView(let path, _) = e.payload, let v = e.visitor else { return }
    try insertEvent(e, lead: nil)
    try db.run(
      "INSERT INTO anonymous_views(event, visitor, path, at) VALUES (?, ?, ?, ?)",
      [.text(e.id), .text(v), .text(path), .time(e.at)])
    let known = try db.scalarInt("SELECT 1 FROM visitors WHERE visitor = ?", [.text(v)]) != nil
    if known {
      try db.run(
        "UPDATE visitors SET last_seen = \(db.dialect.greatest)(last_seen, ?) WHERE visitor = ?",
        [.time(e.at), .text(v)])
    } else {
      try db.run(
        "INSERT INTO visitors(visitor, lead, first_seen, last_seen) VALUES (?, NULL, ?, ?)",
        [.text(v), .time(e.at), .time(e.at)])
      bump(.visitor, 1, 0)
    }
  }

  private mutating func insertEvent(_ e: Event, lead: String?) throws(StoreError) {
    changed = true
    try db.run(
      "INSERT INTO events(id, lead, visitor, type, at, actor, cause, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      [
        .text(e.id), .optional(lead), .optional(e.visitor), .text(e.type.rawValue), .time(e.at),
        .optional(e.actor), .optional(e.cause), .text(e.jsonLine),
      ])
  }

  /// The stage column a lead counts in, and the value it adds: open leads in their stage,
  /// customers in `customer`, closed leads nowhere.
  private static func column(_ lead: LeadState?) -> (Stage, Double)? {
    guard let lead else { return nil }
    guard lead.closed == nil else { return nil }
    return (lead.stage, StageTotals.countedValue(lead))
  }

  private mutating func bump(_ stage: Stage, _ count: Int, _ value: Double) {
    let t = totals[stage] ?? (0, 0)
    totals[stage] = (t.0 + count, t.1 + value)
  }

  private mutating func writeLead(_ lead: LeadState, before: LeadState?, stall: StallDay?)
    throws(StoreError)
  {
    if let (s, v) = Self.column(before) { bump(s, -1, -v) }
    if let (s, v) = Self.column(lead) { bump(s, 1, v) }
    let engine = store.engine
    let slaDue = engine.sla.status(of: lead, at: lead.stageEnteredAt)?.due
    let stallAt = engine.stall.boardStalledAt(lead)
    let newStall = stallAt.map { StallDay(stage: lead.stage, at: $0) }
    if stall != newStall {
      if let stall { stallDays[stall, default: 0] -= 1 }
      if let newStall { stallDays[newStall, default: 0] += 1 }
    }
    var rev: Int64 = 1
    try db.query(
      """
      INSERT INTO leads(id, stage, stage_rank, closed, owner, team, score, name, company, email, source,
        stage_entered_at, value, close_date, stall_at, sla_due, next_due, state)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT(id) DO UPDATE SET stage = excluded.stage, stage_rank = excluded.stage_rank,
        closed = excluded.closed, owner = excluded.owner, team = excluded.team, score = excluded.score,
        name = excluded.name, company = excluded.company, email = excluded.email, source = excluded.source,
        stage_entered_at = excluded.stage_entered_at, value = excluded.value, close_date = excluded.close_date,
        stall_at = excluded.stall_at, sla_due = excluded.sla_due, next_due = excluded.next_due, state = excluded.state,
        rev = leads.rev + 1
      RETURNING rev
      """,
      [
        .text(lead.id), .text(lead.stage.rawValue), .int(Int64(lead.stage.rank)),
        .optional(lead.closed?.closure.rawValue),
        .optional(lead.owner), .optional(lead.team), .int(Int64(lead.score)),
        .optional(lead.profile.displayName),
        .optional(lead.profile.company), .optional(lead.profile.email?.lowercased()),
        .optional(lead.profile.source),
        .time(lead.stageEnteredAt), .optional(lead.opportunity?.value),
        .time(lead.opportunity?.closeDate),
        .time(stallAt), .time(slaDue), .time(engine.nextDue(lead)),
        db.stateValue(lead),
      ]
    ) { r in rev = r.int(0) }
    written.append((lead.id, rev, lead))
  }

  /// Writes the leads and the counters gathered in memory.
  mutating func flush() throws(StoreError) {
    for id in dirtyOrder {
      guard let c = cache[id] else { continue }
      try writeLead(c.current, before: c.original, stall: c.stall)
    }
    cache = [:]
    dirtyOrder = []
    for (key, delta) in stallDays where delta != 0 {
      try db.run(
        """
        INSERT INTO stall_days(stage, day, count) VALUES (?, ?, ?)
        ON CONFLICT(stage, day) DO UPDATE SET count = stall_days.count + excluded.count
        """, [.text(key.stage.rawValue), .int(key.day), .int(Int64(delta))])
    }
    stallDays = [:]
    for (stage, t) in totals where t.0 != 0 || t.1 != 0 {
      try db.run(
        """
        INSERT INTO stage_totals(stage, count, value) VALUES (?, ?, ?)
        ON CONFLICT(stage) DO UPDATE SET count = stage_totals.count + excluded.count,
          value = stage_totals.value + excluded.value
        """, [.text(stage.rawValue), .int(Int64(t.0)), .double(t.1)])
    }
    totals = [:]
    for rep in dirtyReps {
      try db.run(
        """
        INSERT INTO routing_reps(rep, assigned, load) VALUES (?, ?, ?)
        ON CONFLICT(rep) DO UPDATE SET assigned = excluded.assigned, load = excluded.load
        """,
        [.text(rep), .int(Int64(routing.assignedCount[rep] ?? 0)), .int(Int64(load[rep] ?? 0))])
    }
    for team in dirtyTeams {
      guard let rep = routing.lastAssigned[team] else { continue }
      try db.run(
        "INSERT INTO routing_last(team, rep) VALUES (?, ?) ON CONFLICT(team) DO UPDATE SET rep = excluded.rep",
        [.text(team), .text(rep)])
    }
    dirtyReps = []
    dirtyTeams = []
    if changed {
      try db.didWrite()
      changed = false
    }
  }
}

/// The stalled-count bucket a lead's row counts in: its stage and the whole day (UTC, since
/// 1970) of its `stall_at`. The board's stalled count per stage is the sum of the buckets of
/// the days before today plus an index scan of today's, so it costs about the same at a million
/// leads as at ten thousand (counting the index entry of every stalled lead did not).
public struct StallDay: Hashable, Sendable {
  public let stage: Stage
  public let day: Int64

  public init(stage: Stage, day: Int64) {
    self.stage = stage
    self.day = day
  }

  public init(stage: Stage, at: Date) {
    self.init(stage: stage, day: Self.day(of: at.timeIntervalSince1970))
  }

  /// The largest whole day `d` with `d × 86,400 ≤ seconds`, exactly (the migrations' SQL
  /// backfill and the boundary of today in `stageTotals` follow the same rule).
  public static func day(of seconds: Double) -> Int64 {
    guard seconds.isFinite, abs(seconds) < 1e15 else { return seconds < 0 ? -1 << 40 : 1 << 40 }
    var d = Int64((seconds / 86400).rounded(.down))
    if Double(d) * 86400 > seconds { d -= 1 } else if Double(d + 1) * 86400 <= seconds { d += 1 }
    return d
  }
}
