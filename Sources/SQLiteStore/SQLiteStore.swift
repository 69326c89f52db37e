import CSQLite
import Foundation
import LeadLifecycle

/// The `PipelineStore` on one SQLite file: an append-only event log and projections (lead
/// state, stage totals, visitors, routing counters) maintained in the same write transaction.
///
/// WAL mode, a busy timeout, one connection per process, prepared statements reused. Writes
/// take the write lock up front (`BEGIN IMMEDIATE`), so a claim is a compare-and-set: exactly
/// one of any number of concurrent processes accepts an MQL.
public final class SQLiteStore: PipelineStore {
  public let playbook: Playbook
  public let engine: LifecycleEngine
  let db: Connection
  private var localCommits: Int64 = 0
  /// Decoded lead states by id with the row revision they were read at. Decoding a state costs
  /// far more than reading its revision, so a row unchanged since it was last read (by any
  /// process: every write bumps `rev`) is not decoded again.
  private var stateCache: [String: (rev: Int64, state: LeadState)] = [:]
  static let stateCacheLimit = 200_000
  /// How many decoded states `stateCache` keeps; a bulk import lowers it to keep memory flat.
  public var stateCacheCapacity = SQLiteStore.stateCacheLimit

  /// The playbook text stored in a store created without one.
  public static let playbookKey = "playbook"

  /// Opens (or creates) a store.
  /// - Parameters:
  ///   - path: the database file, or `:memory:`.
  ///   - playbookText: the playbook to record when the store is new (default: the built-in
  ///     one). An existing store keeps the playbook it was created with unless
  ///     `replacePlaybook` is set.
  public init(path: String, playbookText: String? = nil, replacePlaybook: Bool = false)
    throws(StoreError)
  {
    let db = try Connection(path: path)
    self.db = db
    if path != ":memory:" {
      // WAL lets readers (boards) run while a writer commits.
      try db.execute("PRAGMA journal_mode=WAL")
    }
    try db.execute("PRAGMA synchronous=NORMAL")
    try db.execute("PRAGMA foreign_keys=ON")
    do {
      try Migrations.migrate(db)
    } catch {
      if error.kind == .corrupt || error.kind == .io {
        throw StoreError(.corrupt, "\(path): not a leadboard store (\(error.message))")
      }
      throw error
    }
    var stored: String?
    try db.query("SELECT value FROM settings WHERE key = ?", [.text(SQLiteStore.playbookKey)]) {
      s in
      stored = s.text(0)
    }
    let text: String
    if let stored, !(replacePlaybook && playbookText != nil) {
      text = stored
    } else {
      text = playbookText ?? Playbook.defaultText
      try db.transaction(write: true) { () throws(StoreError) in
        try db.run(
          "INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
          [.text(SQLiteStore.playbookKey), .text(text)])
      }
    }
    do {
      playbook = try Playbook.parse(text)
    } catch {
      throw StoreError(.schema, "\(path): the stored playbook is invalid: \(error)")
    }
    engine = LifecycleEngine(playbook: playbook)
  }

  /// After a commit: count it for the change token and cache the states it wrote.
  private func commit(_ written: [(String, Int64, LeadState)]) {
    localCommits += 1
    for (id, rev, state) in written { remember(id, rev: rev, state) }
  }

  /// The schema versions applied to this file.
  public func appliedMigrations() throws(StoreError) -> [Int] { try Migrations.applied(db) }

  // MARK: - Writes

  public func append(_ events: [Event]) throws(StoreError) -> [AppendStatus] {
    var written: [(String, Int64, LeadState)] = []
    let result = try db.transaction(write: true) { () throws(StoreError) -> [AppendStatus] in
      var batch = try Batch(store: self)
      var out: [AppendStatus] = []
      out.reserveCapacity(events.count)
      for e in events { out.append(try batch.append(e)) }
      try batch.flush()
      written = batch.written
      return out
    }
    commit(written)
    return result
  }

  /// Stores events exactly as given, rule outcomes included, folding them into the
  /// projections without running any rule: how an exported log or another store's log is
  /// brought in. Events already present are skipped.
  /// - Returns: how many were new.
  @discardableResult
  public func replay(_ events: [Event]) throws(StoreError) -> Int {
    var written: [(String, Int64, LeadState)] = []
    let added = try db.transaction(write: true) { () throws(StoreError) -> Int in
      var batch = try Batch(store: self)
      var n = 0
      for e in events where try !batch.exists(e.id) {
        try batch.fold(e)
        n += 1
      }
      try batch.flush()
      written = batch.written
      return n
    }
    commit(written)
    return added
  }

  public func tick(at now: Date) throws(StoreError) -> [Event] {
    var written: [(String, Int64, LeadState)] = []
    let result = try db.transaction(write: true) { () throws(StoreError) -> [Event] in
      var batch = try Batch(store: self)
      var due: [String] = []
      try db.query("SELECT id FROM leads WHERE next_due <= ? ORDER BY id", [.time(now)]) { s in
        due.append(s.text(0) ?? "")
      }
      var all: [Event] = []
      for id in due {
        guard let lead = try batch.lead(id) else { continue }
        let events = engine.tick(lead, at: now, context: batch.context(visitorViews: []))
        var fresh: [Event] = []
        for e in events where try !batch.exists(e.id) { fresh.append(e) }
        guard !fresh.isEmpty else { continue }
        try batch.record(fresh, leadID: id, before: lead)
        all += fresh
      }
      try batch.flush()
      written = batch.written
      return all
    }
    commit(written)
    return result
  }

  // MARK: - Reads

  public func stageTotals(at now: Date) throws(StoreError) -> [StageTotals] {
    try db.transaction(write: false) { () throws(StoreError) -> [StageTotals] in
      var totals: [Stage: StageTotals] = [:]
      for s in Stage.allCases { totals[s] = StageTotals(stage: s, count: 0, value: 0, stalled: 0) }
      try db.query("SELECT stage, count, value FROM stage_totals") { s in
        guard let st = s.text(0).flatMap(Stage.init(rawValue:)) else { return }
        totals[st]?.count = Int(s.int(1))
        totals[st]?.value = s.double(2)
      }
      try db.query(
        "SELECT stage, count(*) FROM leads WHERE stall_at IS NOT NULL AND stall_at <= ? GROUP BY stage",
        [.time(now)]
      ) { s in
        guard let st = s.text(0).flatMap(Stage.init(rawValue:)) else { return }
        totals[st]?.stalled = Int(s.int(1))
      }
      return Stage.allCases.map { totals[$0]! }
    }
  }

  public func leads(_ query: LeadQuery, at now: Date) throws(StoreError) -> [LeadState] {
    var sql = "SELECT id, rev, state FROM leads WHERE 1"
    var values: [SQLValue] = []
    if !query.includeClosed { sql += " AND closed IS NULL" }
    if let s = query.stage {
      sql += " AND stage_rank = ?"
      values.append(.int(Int64(s.rank)))
    }
    if let o = query.owner {
      sql += " AND owner = ?"
      values.append(.text(o))
    }
    if query.stalledOnly {
      sql += " AND stall_at IS NOT NULL AND stall_at <= ?"
      values.append(.time(now))
    }
    if let q = query.search, !q.isEmpty {
      let like =
        "%"
        + q.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
        .replacingOccurrences(of: "_", with: "\\_") + "%"
      let columns = ["name", "company", "email", "owner", "source", "id"]
      sql += " AND (" + columns.map { "\($0) LIKE ? ESCAPE '\\'" }.joined(separator: " OR ") + ")"
      values += Array(repeating: .text(like), count: columns.count - 1)
      values.append(.text(like))
    }
    // Stalled leads come longest-stalled first, straight off the stall index; other lists by
    // stage, then score.
    sql += query.stalledOnly ? " ORDER BY stall_at, id" : " ORDER BY stage_rank, score DESC, id"
    if let limit = query.limit {
      sql += " LIMIT ?"
      values.append(.int(Int64(max(0, limit))))
    }
    return try db.transaction(write: false) { () throws(StoreError) -> [LeadState] in
      var out: [LeadState] = []
      try db.query(sql, values) { s throws(StoreError) in
        // A row unchanged since it was last decoded comes from the cache.
        let id = s.text(0) ?? ""
        let rev = s.int(1)
        if let hit = stateCache[id], hit.rev == rev {
          out.append(hit.state)
        } else {
          let lead = try decodeLead(s.bytes(2))
          remember(id, rev: rev, lead)
          out.append(lead)
        }
      }
      return out
    }
  }

  /// One lead with its full score ledger (rebuilt from the log's score_changed events).
  public func lead(_ id: String) throws(StoreError) -> LeadState? {
    try db.transaction(write: false) { () throws(StoreError) -> LeadState? in
      guard var lead = try fetchLead(id) else { return nil }
      try db.query(
        "SELECT body FROM events WHERE lead = ? AND type = 'score_changed' ORDER BY seq",
        [.text(id)]
      ) {
        s throws(StoreError) in
        let e = try decodeEvent(s.text(0) ?? "")
        if case .scoreChanged(let c) = e.payload {
          lead.ledger.append(LedgerLine(at: e.at, change: c))
        }
      }
      return lead
    }
  }

  public func events(forLead id: String) throws(StoreError) -> [Event] {
    try db.transaction(write: false) { () throws(StoreError) -> [Event] in
      var out: [Event] = []
      try db.query("SELECT body FROM events WHERE lead = ? ORDER BY seq", [.text(id)]) {
        s throws(StoreError) in
        out.append(try decodeEvent(s.text(0) ?? ""))
      }
      return out
    }
  }

  public func allEvents(asOf: Date?) throws(StoreError) -> [Event] {
    try db.transaction(write: false) { () throws(StoreError) -> [Event] in
      var out: [Event] = []
      let sql =
        asOf == nil
        ? "SELECT body FROM events ORDER BY seq"
        : "SELECT body FROM events WHERE at <= ? ORDER BY seq"
      try db.query(sql, asOf.map { [.time($0)] } ?? []) { s throws(StoreError) in
        out.append(try decodeEvent(s.text(0) ?? ""))
      }
      return out
    }
  }

  public func routingSnapshot() throws(StoreError) -> (state: RoutingState, load: [String: Int]) {
    try db.transaction(write: false) { () throws(StoreError) in try readRouting() }
  }

  /// Changes when any process commits: SQLite's `data_version` (which moves on other
  /// connections' commits) plus this connection's own commits.
  public func changeToken() throws(StoreError) -> Int64 {
    let v = try db.scalarInt("PRAGMA data_version") ?? 0
    return v << 32 | localCommits
  }

  /// How many events the log holds.
  public func eventCount() throws(StoreError) -> Int {
    Int(try db.scalarInt("SELECT count(*) FROM events") ?? 0)
  }

  /// `PRAGMA integrity_check`: "ok" for a sound file.
  public func integrityCheck() throws(StoreError) -> String {
    var out: [String] = []
    try db.query("PRAGMA integrity_check") { s in out.append(s.text(0) ?? "") }
    return out.joined(separator: "\n")
  }

  /// The query plan SQLite picks for `sql` (to show that board reads use indexes).
  public func queryPlan(_ sql: String) throws(StoreError) -> [String] {
    var out: [String] = []
    try db.query("EXPLAIN QUERY PLAN " + sql) { s in out.append(s.text(3) ?? "") }
    return out
  }

  // MARK: - Internals

  func fetchLead(_ id: String) throws(StoreError) -> LeadState? {
    var rev: Int64?
    try db.query("SELECT rev FROM leads WHERE id = ?", [.text(id)]) { s in rev = s.int(0) }
    guard let rev else { return nil }
    if let hit = stateCache[id], hit.rev == rev { return hit.state }
    var out: LeadState?
    try db.query("SELECT state FROM leads WHERE id = ?", [.text(id)]) { s throws(StoreError) in
      out = try decodeLead(s.bytes(0))
    }
    if let out { remember(id, rev: rev, out) }
    return out
  }

  /// Caches a decoded state read or written at `rev` (only committed revisions).
  func remember(_ id: String, rev: Int64, _ state: LeadState) {
    if stateCache.count >= stateCacheCapacity {
      stateCache.removeAll(keepingCapacity: stateCacheCapacity > 0)
      if stateCacheCapacity == 0 { return }
    }
    // Keep the stored form, without the ledger: `lead(_:)` rebuilds it from the log, and a
    // written state's ledger would be counted twice.
    var stored = state
    stored.ledger = []
    stateCache[id] = (rev, stored)
  }

  func decodeLead(_ bytes: [UInt8]) throws(StoreError) -> LeadState {
    do {
      return try LeadStateCodec.decode(bytes)
    } catch {
      throw StoreError(.corrupt, "\(db.path): a lead's stored state cannot be read: \(error)")
    }
  }

  func encodeLead(_ lead: LeadState) throws(StoreError) -> [UInt8] {
    LeadStateCodec.encode(lead)
  }

  func decodeEvent(_ line: String) throws(StoreError) -> Event {
    do {
      return try Event(jsonLine: line)
    } catch {
      throw StoreError(.corrupt, "\(db.path): a stored event cannot be read: \(error)")
    }
  }

  func readRouting() throws(StoreError) -> (state: RoutingState, load: [String: Int]) {
    var state = RoutingState()
    var load: [String: Int] = [:]
    try db.query("SELECT rep, assigned, load FROM routing_reps") { s in
      let rep = s.text(0) ?? ""
      if s.int(1) > 0 { state.assignedCount[rep] = Int(s.int(1)) }
      if s.int(2) != 0 { load[rep] = Int(s.int(2)) }
    }
    try db.query("SELECT team, rep FROM routing_last") { s in
      state.lastAssigned[s.text(0) ?? ""] = s.text(1) ?? ""
    }
    return (state, load)
  }
}

// MARK: - A write batch

/// The working set of one write transaction: routing counters and rep load kept in memory and
/// written once at the end; every event and lead row written as it goes.
struct Batch {
  let store: SQLiteStore
  var routing: RoutingState
  var load: [String: Int]
  private var dirtyReps = Set<String>()
  private var dirtyTeams = Set<String>()
  private var totals: [Stage: (Int, Double)] = [:]
  /// Leads touched in this batch: as read from the file, and as they are now. Each is decoded
  /// once and written once per transaction, however many events it gets.
  private var cache: [String: (original: LeadState?, current: LeadState)] = [:]
  private var dirtyOrder: [String] = []
  /// States written, with their new revisions, for the store's cache once committed.
  private(set) var written: [(String, Int64, LeadState)] = []
  private var db: Connection { store.db }

  init(store: SQLiteStore) throws(StoreError) {
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
        "SELECT event, path, at FROM anonymous_views WHERE visitor = ? ORDER BY at, event",
        [.text(v)]
      ) { s in
        views.append(
          PageVisit(event: s.text(0) ?? "", path: s.text(1) ?? "", at: s.date(2) ?? .distantPast))
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

  /// Folds one stored event without rules (see `SQLiteStore.replay`).
  mutating func fold(_ event: Event) throws(StoreError) {
    var e = event
    if e.lead == nil, let v = e.visitor { e.lead = try visitorLead(v) }
    guard let leadID = e.lead else {
      try recordAnonymousView(e)
      return
    }
    try record([e], leadID: leadID, before: try lead(leadID))
  }

  /// Writes events of one lead and the lead's new state.
  mutating func record(_ events: [Event], leadID: String, before: LeadState?) throws(StoreError) {
    var state = before ?? LeadState(id: leadID, at: events[0].at)
    if cache[leadID] == nil {
      cache[leadID] = (before, state)
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
    try db.query("SELECT lead FROM visitors WHERE visitor = ?", [.text(visitor)]) { s in
      out = s.text(0)
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
        "UPDATE visitors SET last_seen = max(last_seen, ?) WHERE visitor = ?",
        [.time(e.at), .text(v)])
    } else {
      try db.run(
        "INSERT INTO visitors(visitor, lead, first_seen, last_seen) VALUES (?, NULL, ?, ?)",
        [.text(v), .time(e.at), .time(e.at)])
      bump(.visitor, 1, 0)
    }
  }

  private func insertEvent(_ e: Event, lead: String?) throws(StoreError) {
    try db.run(
      "INSERT INTO events(id, lead, visitor, type, at, actor, cause, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      [
        .text(e.id), .optional(lead), .optional(e.visitor), .text(e.type.rawValue), .time(e.at),
        .optional(e.actor),
        .optional(e.cause), .text(e.jsonLine),
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

  private mutating func writeLead(_ lead: LeadState, before: LeadState?) throws(StoreError) {
    if let (s, v) = Batch.column(before) { bump(s, -1, -v) }
    if let (s, v) = Batch.column(lead) { bump(s, 1, v) }
    let engine = store.engine
    let slaDue = engine.sla.status(of: lead, at: lead.stageEnteredAt)?.due
    let stallAt = engine.stall.boardStalledAt(lead)
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
        .blob(try store.encodeLead(lead)),
      ]
    ) { s in rev = s.int(0) }
    written.append((lead.id, rev, lead))
  }

  /// Writes the counters gathered in memory.
  mutating func flush() throws(StoreError) {
    for id in dirtyOrder {
      guard let c = cache[id] else { continue }
      try writeLead(c.current, before: c.original)
    }
    cache = [:]
    dirtyOrder = []
    for (stage, t) in totals where t.0 != 0 || t.1 != 0 {
      try db.run(
        """
        INSERT INTO stage_totals(stage, count, value) VALUES (?, ?, ?)
        ON CONFLICT(stage) DO UPDATE SET count = count + excluded.count, value = value + excluded.value
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
  }
}
