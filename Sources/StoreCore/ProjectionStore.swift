import Foundation
import LeadLifecycle

/// The `PipelineStore` both engines share: an append-only event log and projections (lead
/// state, stage totals, visitors, routing counters) maintained in the same write transaction,
/// over any `SQLSession`. `SQLiteStore` and `PostgresStore` add opening, migrations and their
/// engine's extras; the event log and every projection are written here, once.
open class ProjectionStore<Session: SQLSession>: PipelineStore {
  public let playbook: Playbook
  public let engine: LifecycleEngine
  public let db: Session
  private var localCommits: Int64 = 0
  /// Decoded lead states by id with the row revision they were read at. Decoding a state costs
  /// far more than reading its revision, so a row unchanged since it was last read (by any
  /// process: every write bumps `rev`) is not decoded again.
  private var stateCache: [String: (rev: Int64, state: LeadState)] = [:]
  public static var stateCacheLimit: Int { 200_000 }
  /// How many decoded states the store keeps; a bulk import lowers it to keep memory flat.
  public var stateCacheCapacity = ProjectionStore.stateCacheLimit
  /// The settings key of the playbook text a store applies.
  public static var playbookKey: String { "playbook" }

  public init(db: Session, playbook: Playbook) {
    self.db = db
    self.playbook = playbook
    self.engine = LifecycleEngine(playbook: playbook)
  }

  /// After a commit: count it for the change token and cache the states it wrote.
  private func commit(_ written: [(String, Int64, LeadState)]) {
    localCommits += 1
    for (id, rev, state) in written { remember(id, rev: rev, state) }
  }

  /// Runs `body` on a fresh batch in one write transaction, flushes it and, once committed,
  /// caches what it wrote.
  private func write<T>(_ body: (inout ProjectionBatch<Session>) throws(StoreError) -> T)
    throws(StoreError) -> T
  {
    var written: [(String, Int64, LeadState)] = []
    let result = try db.transaction(write: true) { () throws(StoreError) -> T in
      var batch = try ProjectionBatch(store: self)
      let result = try body(&batch)
      try batch.flush()
      written = batch.written
      return result
    }
    commit(written)
    return result
  }

  // MARK: - Writes

  public func append(_ events: [Event]) throws(StoreError) -> [AppendStatus] {
    try write { batch throws(StoreError) in
      var out: [AppendStatus] = []
      out.reserveCapacity(events.count)
      for e in events { out.append(try batch.append(e)) }
      return out
    }
  }

  /// Stores events exactly as given, rule outcomes included, folding them into the
  /// projections without running any rule: how an exported log or another store's log is
  /// brought in. Events already present are skipped.
  /// - Returns: how many were new.
  @discardableResult
  public func replay(_ events: [Event]) throws(StoreError) -> Int {
    try write { batch throws(StoreError) in
      var n = 0
      for e in events where try !batch.exists(e.id) {
        try batch.fold(e)
        n += 1
      }
      return n
    }
  }

  public func tick(at now: Date) throws(StoreError) -> [Event] {
    try write { batch throws(StoreError) in
      var due: [String] = []
      try db.query(
        "SELECT id FROM leads WHERE next_due <= ? ORDER BY id\(db.dialect.binaryOrder)",
        [.time(now)]
      ) { r in due.append(r.text(0) ?? "") }
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
      return all
    }
  }

  // MARK: - Reads

  public func stageTotals(at now: Date) throws(StoreError) -> [StageTotals] {
    try db.transaction(write: false) { () throws(StoreError) -> [StageTotals] in
      var totals: [Stage: StageTotals] = [:]
      for s in Stage.allCases { totals[s] = StageTotals(stage: s, count: 0, value: 0, stalled: 0) }
      try db.query("SELECT stage, count, value FROM stage_totals", []) { r in
        guard let st = r.text(0).flatMap(Stage.init(rawValue:)) else { return }
        totals[st]?.count = Int(r.int(1))
        totals[st]?.value = r.double(2)
      }
      // Stalled: the day buckets before today, then today's part of the stall index up to now
      // (`StallDay`), not a count over every stalled lead's index entry.
      let today = StallDay.day(of: now.timeIntervalSince1970)
      try db.query(
        "SELECT stage, sum(count) FROM stall_days WHERE day < ? GROUP BY stage", [.int(today)]
      ) { r in
        guard let st = r.text(0).flatMap(Stage.init(rawValue:)) else { return }
        totals[st]?.stalled += Int(r.int(1))
      }
      try db.query(
        "SELECT stage, count(*) FROM leads WHERE stall_at >= ? AND stall_at <= ? GROUP BY stage",
        [.double(Double(today) * 86400), .time(now)]
      ) { r in
        guard let st = r.text(0).flatMap(Stage.init(rawValue:)) else { return }
        totals[st]?.stalled += Int(r.int(1))
      }
      return Stage.allCases.map { totals[$0]! }
    }
  }

  public func leads(_ query: LeadQuery, at now: Date) throws(StoreError) -> [LeadState] {
    var sql = "SELECT id, rev, state FROM leads WHERE 1 = 1"
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
      sql +=
        " AND ("
        + columns.map { "\($0) \(db.dialect.like) ? ESCAPE '\\'" }.joined(separator: " OR ") + ")"
      values += Array(repeating: .text(like), count: columns.count)
    }
    // Stalled leads come longest-stalled first, straight off the stall index; other lists by
    // stage, then score.
    let byID = "id" + db.dialect.binaryOrder
    sql +=
      query.stalledOnly
      ? " ORDER BY stall_at, \(byID)" : " ORDER BY stage_rank, score DESC, \(byID)"
    if let limit = query.limit {
      sql += " LIMIT ?"
      values.append(.int(Int64(max(0, limit))))
    }
    return try db.transaction(write: false) { () throws(StoreError) -> [LeadState] in
      var out: [LeadState] = []
      try db.query(sql, values) { r throws(StoreError) in
        // A row unchanged since it was last decoded comes from the cache.
        let id = r.text(0) ?? ""
        let rev = r.int(1)
        if let hit = stateCache[id], hit.rev == rev {
          out.append(hit.state)
        } else {
          let lead = try decodeLead(r, 2)
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
      ) { r throws(StoreError) in
        let e = try decodeEvent(r.text(0) ?? "")
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
        r throws(StoreError) in
        out.append(try decodeEvent(r.text(0) ?? ""))
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
      try db.query(sql, asOf.map { [.time($0)] } ?? []) { r throws(StoreError) in
        out.append(try decodeEvent(r.text(0) ?? ""))
      }
      return out
    }
  }

  /// Every lead's state, decoded once each and not cached (a report reads them all once).
  public func allLeads() throws(StoreError) -> [LeadState] {
    try db.transaction(write: false) { () throws(StoreError) -> [LeadState] in
      var out: [LeadState] = []
      out.reserveCapacity(Int(try db.scalarInt("SELECT count(*) FROM leads") ?? 0))
      try db.query("SELECT state FROM leads ORDER BY id\(db.dialect.binaryOrder)", []) {
        r throws(StoreError) in out.append(try decodeLead(r, 0))
      }
      return out
    }
  }

  public func routingSnapshot() throws(StoreError) -> (state: RoutingState, load: [String: Int]) {
    try db.transaction(write: false) { () throws(StoreError) in try readRouting() }
  }

  /// Changes when any process commits: the session's change signal (SQLite's `data_version`,
  /// PostgreSQL's notifications) plus this store's own commits.
  public func changeToken() throws(StoreError) -> Int64 {
    try db.changeSignal() << 32 | localCommits
  }

  /// The schema versions applied to this store.
  public func appliedMigrations() throws(StoreError) -> [Int] { try db.appliedMigrations() }

  /// How many events the log holds.
  public func eventCount() throws(StoreError) -> Int {
    try db.transaction(write: false) { () throws(StoreError) -> Int in
      Int(try db.scalarInt("SELECT count(*) FROM events") ?? 0)
    }
  }

  // MARK: - Internals

  func fetchLead(_ id: String) throws(StoreError) -> LeadState? {
    var rev: Int64?
    try db.query("SELECT rev FROM leads WHERE id = ?", [.text(id)]) { r in rev = r.int(0) }
    guard let rev else { return nil }
    if let hit = stateCache[id], hit.rev == rev { return hit.state }
    var out: LeadState?
    try db.query("SELECT state FROM leads WHERE id = ?", [.text(id)]) { r throws(StoreError) in
      out = try decodeLead(r, 0)
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

  func decodeLead(_ row: Session.Row, _ column: Int32) throws(StoreError) -> LeadState {
    do {
      return try db.state(row, column)
    } catch {
      throw StoreError(.corrupt, "\(db.label): a lead's stored state cannot be read: \(error)")
    }
  }

  func decodeEvent(_ line: String) throws(StoreError) -> Event {
    do {
      return try Event(jsonLine: line)
    } catch {
      throw StoreError(.corrupt, "\(db.label): a stored event cannot be read: \(error)")
    }
  }

  func readRouting() throws(StoreError) -> (state: RoutingState, load: [String: Int]) {
    var state = RoutingState()
    var load: [String: Int] = [:]
    try db.query("SELECT rep, assigned, load FROM routing_reps", []) { r in
      let rep = r.text(0) ?? ""
      if r.int(1) > 0 { state.assignedCount[rep] = Int(r.int(1)) }
      if r.int(2) != 0 { load[rep] = Int(r.int(2)) }
    }
    try db.query("SELECT team, rep FROM routing_last", []) { r in
      state.lastAssigned[r.text(0) ?? ""] = r.text(1) ?? ""
    }
    return (state, load)
  }
}
