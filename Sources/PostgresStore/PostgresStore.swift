import Foundation
import LeadLifecycle

/// The `PipelineStore` on PostgreSQL, for a team: the SQLite store's event log and
/// projections (same tables and columns), maintained in the same transaction.
///
/// Every write transaction takes the schema's write lock first (an advisory transaction
/// lock), so a claim is a compare-and-set: exactly one of any number of concurrent processes
/// accepts an MQL, the others get the engine's `.conflict` naming the winner. Each commit
/// signals `NOTIFY leadboard` (payload: the schema); `changeToken()` counts the
/// notifications received without a round trip, plus this store's own commits and reconnects.
public final class PostgresStore: PipelineStore {
  public let playbook: Playbook
  public let engine: LifecycleEngine
  let db: PGConnection
  private var localCommits: Int64 = 0
  /// Decoded lead states by id with the row revision they were read at (as in `SQLiteStore`).
  private var stateCache: [String: (rev: Int64, state: LeadState)] = [:]
  public var stateCacheCapacity = 200_000

  public static let playbookKey = "playbook"

  /// True for the URLs this store opens (`postgres://…`, `postgresql://…`).
  public static func handles(_ location: String) -> Bool {
    location.hasPrefix("postgres://") || location.hasPrefix("postgresql://")
  }

  /// Opens (or creates) a store.
  /// - Parameters:
  ///   - url: a libpq connection URL. Passwords come from `.pgpass`, `PGPASSWORD` or a
  ///     service file; TLS through `sslmode=`. Never shown in messages.
  ///   - schema: the schema to use (created when missing); nil for the URL's search path.
  ///   - playbookText: the playbook to record when the store is new (default: the built-in
  ///     one); an existing store keeps its playbook unless `replacePlaybook` is set.
  public init(
    url: String, schema: String? = nil, playbookText: String? = nil, replacePlaybook: Bool = false
  ) throws(StoreError) {
    let db = try PGConnection(url: url, schema: schema)
    self.db = db
    try PGMigrations.migrate(db)
    var stored: String?
    try db.query("SELECT value FROM settings WHERE key = $1", [.text(PostgresStore.playbookKey)]) {
      r in stored = r.text(0)
    }
    var text: String
    if let stored, !(replacePlaybook && playbookText != nil) {
      text = stored
    } else {
      text = playbookText ?? Playbook.defaultText
      try db.transaction(write: true) { () throws(StoreError) in
        // Two processes creating the store at once: the first playbook recorded wins.
        try db.run(
          replacePlaybook
            ? "INSERT INTO settings(key, value) VALUES ($1, $2) ON CONFLICT(key) DO UPDATE SET value = excluded.value"
            : "INSERT INTO settings(key, value) VALUES ($1, $2) ON CONFLICT(key) DO NOTHING",
          [.text(PostgresStore.playbookKey), .text(text)])
        try db.notifyChange()
      }
      try db.query("SELECT value FROM settings WHERE key = $1", [.text(PostgresStore.playbookKey)])
      {
        r in if let v = r.text(0) { text = v }
      }
    }
    do {
      playbook = try Playbook.parse(text)
    } catch {
      throw StoreError(.schema, "\(db.label): the stored playbook is invalid: \(error)")
    }
    engine = LifecycleEngine(playbook: playbook)
  }

  /// `url` without its password, for messages.
  public static func redact(_ url: String) -> String { PGConnection.redact(url) }

  /// Drops `schema` and everything in it (scratch schemas of tests and CI).
  public static func dropSchema(url: String, schema: String) throws(StoreError) {
    guard PGConnection.isIdentifier(schema) else {
      throw StoreError(.unavailable, "'\(schema)' is not a valid schema name")
    }
    let db = try PGConnection(url: url)
    try db.execute("DROP SCHEMA IF EXISTS \"\(schema)\" CASCADE")
  }

  /// The URL without its password.
  public var label: String { db.label }
  /// The schema the store lives in.
  public var schema: String { db.schema }
  /// How many times the session was re-established after losing the server.
  public var reconnects: Int { db.reconnects }

  private func commit(_ written: [(String, Int64, LeadState)]) {
    localCommits += 1
    for (id, rev, state) in written { remember(id, rev: rev, state) }
  }

  public func appliedMigrations() throws(StoreError) -> [Int] { try PGMigrations.applied(db) }

  // MARK: - Writes

  public func append(_ events: [Event]) throws(StoreError) -> [AppendStatus] {
    var written: [(String, Int64, LeadState)] = []
    let result = try db.transaction(write: true) { () throws(StoreError) -> [AppendStatus] in
      var batch = try PGBatch(store: self)
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

  @discardableResult
  public func replay(_ events: [Event]) throws(StoreError) -> Int {
    var written: [(String, Int64, LeadState)] = []
    let added = try db.transaction(write: true) { () throws(StoreError) -> Int in
      var batch = try PGBatch(store: self)
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
      var batch = try PGBatch(store: self)
      var due: [String] = []
      try db.query(
        "SELECT id FROM leads WHERE next_due <= $1 ORDER BY id COLLATE \"C\"", [.time(now)]
      ) { r in
        due.append(r.text(0) ?? "")
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
      try db.query("SELECT stage, count, value FROM stage_totals") { r in
        guard let st = r.text(0).flatMap(Stage.init(rawValue:)) else { return }
        totals[st]?.count = Int(r.int(1))
        totals[st]?.value = r.double(2)
      }
      try db.query(
        "SELECT stage, count(*) FROM leads WHERE stall_at IS NOT NULL AND stall_at <= $1 GROUP BY stage",
        [.time(now)]
      ) { r in
        guard let st = r.text(0).flatMap(Stage.init(rawValue:)) else { return }
        totals[st]?.stalled = Int(r.int(1))
      }
      return Stage.allCases.map { totals[$0]! }
    }
  }

  public func leads(_ query: LeadQuery, at now: Date) throws(StoreError) -> [LeadState] {
    var sql = "SELECT id, rev, state FROM leads WHERE true"
    var values: [PGValue] = []
    func param(_ v: PGValue) -> String {
      values.append(v)
      return "$\(values.count)"
    }
    if !query.includeClosed { sql += " AND closed IS NULL" }
    if let s = query.stage { sql += " AND stage_rank = " + param(.int(Int64(s.rank))) }
    if let o = query.owner { sql += " AND owner = " + param(.text(o)) }
    if query.stalledOnly {
      sql += " AND stall_at IS NOT NULL AND stall_at <= " + param(.time(now))
    }
    if let q = query.search, !q.isEmpty {
      let like =
        "%"
        + q.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
        .replacingOccurrences(of: "_", with: "\\_") + "%"
      let p = param(.text(like))
      let columns = ["name", "company", "email", "owner", "source", "id"]
      sql +=
        " AND (" + columns.map { "\($0) ILIKE \(p) ESCAPE '\\'" }.joined(separator: " OR ") + ")"
    }
    // Stalled leads come longest-stalled first (as in the SQLite store); others by stage, then
    // score.
    sql +=
      query.stalledOnly
      ? " ORDER BY stall_at, id COLLATE \"C\""
      : " ORDER BY stage_rank, score DESC, id COLLATE \"C\""
    if let limit = query.limit { sql += " LIMIT " + param(.int(Int64(max(0, limit)))) }
    return try db.transaction(write: false) { () throws(StoreError) -> [LeadState] in
      var out: [LeadState] = []
      try db.query(sql, values) { r throws(StoreError) in
        // A row unchanged since it was last decoded comes from the cache.
        let id = r.text(0) ?? ""
        let rev = r.int(1)
        if let hit = stateCache[id], hit.rev == rev {
          out.append(hit.state)
        } else {
          let lead = try decodeLead(r.text(2) ?? "")
          remember(id, rev: rev, lead)
          out.append(lead)
        }
      }
      return out
    }
  }

  public func lead(_ id: String) throws(StoreError) -> LeadState? {
    try db.transaction(write: false) { () throws(StoreError) -> LeadState? in
      guard var lead = try fetchLead(id) else { return nil }
      try db.query(
        "SELECT body FROM events WHERE lead = $1 AND type = 'score_changed' ORDER BY seq",
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
      try db.query("SELECT body FROM events WHERE lead = $1 ORDER BY seq", [.text(id)]) {
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
        : "SELECT body FROM events WHERE at <= $1 ORDER BY seq"
      try db.query(sql, asOf.map { [.time($0)] } ?? []) { r throws(StoreError) in
        out.append(try decodeEvent(r.text(0) ?? ""))
      }
      return out
    }
  }

  public func routingSnapshot() throws(StoreError) -> (state: RoutingState, load: [String: Int]) {
    try db.transaction(write: false) { () throws(StoreError) in try readRouting() }
  }

  /// Changes when any process commits to this schema: the notifications received (read
  /// without waiting, no round trip) plus this store's own commits and reconnects. Throws
  /// `.unavailable` while the server is unreachable.
  public func changeToken() throws(StoreError) -> Int64 {
    let signals = try db.poll()
    return signals << 32 | localCommits
  }

  /// How many events the log holds.
  public func eventCount() throws(StoreError) -> Int {
    try db.transaction(write: false) { () throws(StoreError) -> Int in
      Int(try db.scalarInt("SELECT count(*) FROM events") ?? 0)
    }
  }

  // MARK: - Internals

  func fetchLead(_ id: String) throws(StoreError) -> LeadState? {
    var rev: Int64?
    try db.query("SELECT rev FROM leads WHERE id = $1", [.text(id)]) { r in rev = r.int(0) }
    guard let rev else { return nil }
    if let hit = stateCache[id], hit.rev == rev { return hit.state }
    var out: LeadState?
    try db.query("SELECT state FROM leads WHERE id = $1", [.text(id)]) { r throws(StoreError) in
      out = try decodeLead(r.text(0) ?? "")
    }
    if let out { remember(id, rev: rev, out) }
    return out
  }

  func remember(_ id: String, rev: Int64, _ state: LeadState) {
    if stateCache.count >= stateCacheCapacity {
      stateCache.removeAll(keepingCapacity: stateCacheCapacity > 0)
      if stateCacheCapacity == 0 { return }
    }
    var stored = state
    stored.ledger = []
    stateCache[id] = (rev, stored)
  }

  func decodeLead(_ text: String) throws(StoreError) -> LeadState {
    do {
      return try LeadStateCodec.decodeText(text)
    } catch {
      throw StoreError(.corrupt, "\(db.label): a lead's stored state cannot be read: \(error)")
    }
  }

  func encodeLead(_ lead: LeadState) throws(StoreError) -> String {
    LeadStateCodec.encodeText(lead)
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
    try db.query("SELECT rep, assigned, load FROM routing_reps") { r in
      let rep = r.text(0) ?? ""
      if r.int(1) > 0 { state.assignedCount[rep] = Int(r.int(1)) }
      if r.int(2) != 0 { load[rep] = Int(r.int(2)) }
    }
    try db.query("SELECT team, rep FROM routing_last") { r in
      state.lastAssigned[r.text(0) ?? ""] = r.text(1) ?? ""
    }
    return (state, load)
  }
}

// MARK: - A write batch

/// The working set of one write transaction (as `SQLiteStore`'s batch): routing counters and
/// rep load kept in memory and written once at the end; each lead decoded once and written
/// once per transaction.
struct PGBatch {
  let store: PostgresStore
  var routing: RoutingState
  var load: [String: Int]
  private var dirtyReps = Set<String>()
  private var dirtyTeams = Set<String>()
  private var totals: [Stage: (Int, Double)] = [:]
  private var cache: [String: (original: LeadState?, current: LeadState)] = [:]
  private var dirtyOrder: [String] = []
  private(set) var written: [(String, Int64, LeadState)] = []
  private var changed = false
  private var db: PGConnection { store.db }

  init(store: PostgresStore) throws(StoreError) {
    self.store = store
    (routing, load) = try store.readRouting()
  }

  func context(visitorViews: [PageVisit]) -> RuleContext {
    RuleContext(routing: routing, load: load, visitorViews: visitorViews)
  }

  func exists(_ id: String) throws(StoreError) -> Bool {
    try db.scalarInt("SELECT 1 FROM events WHERE id = $1", [.text(id)]) != nil
  }

  func lead(_ id: String) throws(StoreError) -> LeadState? {
    if let c = cache[id] { return c.current }
    return try store.fetchLead(id)
  }

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
        "SELECT event, path, at FROM anonymous_views WHERE visitor = $1 ORDER BY at, event COLLATE \"C\"",
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

  mutating func fold(_ event: Event) throws(StoreError) {
    var e = event
    if e.lead == nil, let v = e.visitor { e.lead = try visitorLead(v) }
    guard let leadID = e.lead else {
      try recordAnonymousView(e)
      return
    }
    try record([e], leadID: leadID, before: try lead(leadID))
  }

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
        try db.run("DELETE FROM anonymous_views WHERE visitor = $1", [.text(v)])
        let wasAnonymous =
          try db.scalarInt(
            "SELECT 1 FROM visitors WHERE visitor = $1 AND lead IS NULL", [.text(v)]) != nil
        try db.run(
          """
          INSERT INTO visitors(visitor, lead, first_seen, last_seen) VALUES ($1, $2, $3, $4)
          ON CONFLICT(visitor) DO UPDATE SET lead = excluded.lead
          """, [.text(v), .text(leadID), .time(e.at), .time(e.at)])
        if wasAnonymous { bump(.visitor, -1, 0) }
      default:
        break
      }
      if EventType.captures.contains(e.type), let v = e.visitor {
        try db.run(
          "INSERT INTO visitors(visitor, lead, first_seen, last_seen) VALUES ($1, $2, $3, $4) ON CONFLICT(visitor) DO NOTHING",
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
    try db.query("SELECT lead FROM visitors WHERE visitor = $1", [.text(visitor)]) { r in
      out = r.text(0)
    }
    return out
  }

  private mutating func recordAnonymousView(_ e: Event) throws(StoreError) {
    guard case .pageView(let path, _) = e.payload, let v = e.visitor else { return }
    try insertEvent(e, lead: nil)
    try db.run(
      "INSERT INTO anonymous_views(event, visitor, path, at) VALUES ($1, $2, $3, $4)",
      [.text(e.id), .text(v), .text(path), .time(e.at)])
    let known = try db.scalarInt("SELECT 1 FROM visitors WHERE visitor = $1", [.text(v)]) != nil
    if known {
      try db.run(
        "UPDATE visitors SET last_seen = GREATEST(last_seen, $1) WHERE visitor = $2",
        [.time(e.at), .text(v)])
    } else {
      try db.run(
        "INSERT INTO visitors(visitor, lead, first_seen, last_seen) VALUES ($1, NULL, $2, $3)",
        [.text(v), .time(e.at), .time(e.at)])
      bump(.visitor, 1, 0)
    }
  }

  private mutating func insertEvent(_ e: Event, lead: String?) throws(StoreError) {
    changed = true
    try db.run(
      "INSERT INTO events(id, lead, visitor, type, at, actor, cause, body) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
      [
        .text(e.id), .optional(lead), .optional(e.visitor), .text(e.type.rawValue), .time(e.at),
        .optional(e.actor), .optional(e.cause), .text(e.jsonLine),
      ])
  }

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
    if let (s, v) = PGBatch.column(before) { bump(s, -1, -v) }
    if let (s, v) = PGBatch.column(lead) { bump(s, 1, v) }
    let engine = store.engine
    let slaDue = engine.sla.status(of: lead, at: lead.stageEnteredAt)?.due
    let stallAt = engine.stall.boardStalledAt(lead)
    var rev: Int64 = 1
    try db.query(
      """
      INSERT INTO leads(id, stage, stage_rank, closed, owner, team, score, name, company, email, source,
        stage_entered_at, value, close_date, stall_at, sla_due, next_due, state)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
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
        .text(try store.encodeLead(lead)),
      ]
    ) { r in rev = r.int(0) }
    written.append((lead.id, rev, lead))
  }

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
        INSERT INTO stage_totals(stage, count, value) VALUES ($1, $2, $3)
        ON CONFLICT(stage) DO UPDATE SET count = stage_totals.count + excluded.count,
          value = stage_totals.value + excluded.value
        """, [.text(stage.rawValue), .int(Int64(t.0)), .double(t.1)])
    }
    totals = [:]
    for rep in dirtyReps {
      try db.run(
        """
        INSERT INTO routing_reps(rep, assigned, load) VALUES ($1, $2, $3)
        ON CONFLICT(rep) DO UPDATE SET assigned = excluded.assigned, load = excluded.load
        """,
        [.text(rep), .int(Int64(routing.assignedCount[rep] ?? 0)), .int(Int64(load[rep] ?? 0))])
    }
    for team in dirtyTeams {
      guard let rep = routing.lastAssigned[team] else { continue }
      try db.run(
        "INSERT INTO routing_last(team, rep) VALUES ($1, $2) ON CONFLICT(team) DO UPDATE SET rep = excluded.rep",
        [.text(team), .text(rep)])
    }
    dirtyReps = []
    dirtyTeams = []
    if changed {
      try db.notifyChange()
      changed = false
    }
  }
}
