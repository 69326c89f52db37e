import Foundation
import LeadLifecycle
import LeadboardTestSupport
import SQLiteStore
import StoreCore
import Testing

/// What only the SQLite store has: a file with a schema, migrations, transactions that roll
/// back, permissions, indexes and a change feed across connections.
@Suite("SQLiteStore")
struct SQLiteStoreTests {
  static let playbook = ContractPlaybook.standard
  static let playbookText = playbook.json.serialized()

  /// A new store on a file in `dir`, applying the contract playbook.
  func makeStore(_ dir: TemporaryDirectory, _ name: String = "leadboard.sqlite") throws
    -> SQLiteStore
  {
    try SQLiteStore(path: dir.path(name), playbookText: Self.playbookText)
  }

  /// True when a query plan mentions the `events` table (a scan or search of the log).
  func touchesTheLog(_ plan: [String]) -> Bool {
    plan.contains { $0.range(of: #"\bevents\b"#, options: .regularExpression) != nil }
  }

  // MARK: - Schema and migrations

  @Test func aNewFileIsMigratedFromEmpty() throws {
    // Given an empty temporary directory
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let path = dir.path("leadboard.sqlite")

    // When a store is opened on a file that does not exist
    let store = try SQLiteStore(path: path)

    // Then migration 1 is applied and recorded, and every table exists
    #expect(try store.appliedMigrations() == [1, 2, 3])
    #expect(try store.eventCount() == 0)
    #expect(try store.integrityCheck() == "ok")
    let raw = try RawDatabase(path: path)
    #expect(
      try raw.column("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name") == [
        "anonymous_views", "events", "leads", "routing_last", "routing_reps", "schema_migrations",
        "settings", "stage_totals", "stall_days", "visitors",
      ])
    #expect(
      try raw.column("SELECT version || ' ' || name FROM schema_migrations") == [
        "1 event log and projections", "2 stalled counts from the index alone",
        "3 stalled counts by day",
      ])
    #expect(try raw.column("PRAGMA journal_mode") == ["wal"])
    // and the built-in playbook is recorded as the store's playbook.
    #expect(store.playbook == Playbook.builtIn)
    #expect(
      try raw.column("SELECT value FROM settings WHERE key = '\(SQLiteStore.playbookKey)'") == [
        Playbook.defaultText
      ])
  }

  @Test func anInMemoryStoreIsMigratedToo() throws {
    // Given / When a store in memory
    let store = try SQLiteStore(path: ":memory:", playbookText: Self.playbookText)

    // Then it has the same schema version and applies the playbook it was given.
    #expect(try store.appliedMigrations() == [1, 2, 3])
    #expect(store.playbook == Self.playbook)
  }

  @Test func reopeningAFileKeepsItsDataAndPlaybook() throws {
    // Given a store created with a custom playbook, holding a SAL
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let path = dir.path("leadboard.sqlite")
    let custom = TestPlaybook.standard { $0.name = "reopen test" }
    #expect(custom != Playbook.builtIn)
    var log: [Event] = []
    var lead: LeadState?
    var totals: [StageTotals] = []
    do {
      let first = try SQLiteStore(path: path, playbookText: custom.json.serialized())
      let desk = Desk(first)
      try desk.makeSAL("L1")
      log = try first.allEvents(asOf: nil)
      lead = try first.lead("L1")
      totals = try first.stageTotals(at: desk.now)
    }

    // When the file is opened again: without a playbook, then offering the built-in one
    let second = try SQLiteStore(path: path)
    let third = try SQLiteStore(path: path, playbookText: Playbook.defaultText)

    // Then both apply the recorded playbook and see the same log, lead and board
    #expect(second.playbook == custom)
    #expect(third.playbook == custom)
    #expect(try second.appliedMigrations() == [1, 2, 3])
    #expect(try second.allEvents(asOf: nil) == log)
    #expect(try second.lead("L1") == lead)
    #expect(try second.stageTotals(at: Fixed.reference) == totals)
    #expect(try third.eventCount() == log.count)
    // and the reopened store keeps working on the same routing counters.
    let desk = Desk(second, idPrefix: "r")
    try desk.makeMQL("L2")
    #expect(try desk.owner("L2") == "b")
  }

  @Test func aFileFromANewerLeadboardIsRefused() throws {
    // Given a store whose file records a schema version newer than this build knows
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let path = dir.path("leadboard.sqlite")
    _ = try makeStore(dir)
    try RawDatabase(path: path).execute(
      "INSERT INTO schema_migrations(version, name) VALUES (99, 'from the future')")

    // When it is opened
    let error = #expect(throws: StoreError.self) { try SQLiteStore(path: path) }

    // Then opening fails with a schema error naming the file and both versions
    #expect(error?.kind == .schema)
    #expect(error?.message.contains(path) == true)
    #expect(error?.message.contains("schema version 99") == true)
    // and the file is left as it was.
    #expect(
      try RawDatabase(path: path).column("SELECT version FROM schema_migrations") == [
        "1", "2", "3", "99",
      ])
  }

  // MARK: - The log

  @Test func everyEventTypeSurvivesTheRoundTrip() throws {
    // Given one event of every payload type (an anonymous page view first, then lead L1)
    let samples = EventSamples.oneOfEach
    #expect(Set(samples.map(\.type)) == Set(EventType.allCases))
    let dir = try TemporaryDirectory()
    defer { dir.remove() }

    // When they are replayed into a file store, and the file is reopened
    do {
      let store = try makeStore(dir)
      #expect(try store.replay(samples) == samples.count)
    }
    let store = try makeStore(dir)

    // Then the log reads back equal to the input, in order
    #expect(try store.allEvents(asOf: nil) == samples)
    #expect(try store.eventCount() == samples.count)
    #expect(try store.events(forLead: "L1") == samples.filter { $0.lead == "L1" })
    // and the folded lead is the one the domain folds from the same events.
    var domain = Pipeline(playbook: store.playbook)
    domain.replay(samples)
    #expect(try store.lead("L1") == domain.leads["L1"])
    // Replaying them again adds nothing.
    #expect(try store.replay(samples) == 0)
    #expect(try store.eventCount() == samples.count)
  }

  @Test func aFailedAppendRollsBackTheWholeBatch() throws {
    // Given a file store with one lead, and a trigger (installed through a second
    // connection) that fails the insert of any event with id `boom`
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let path = dir.path("leadboard.sqlite")
    let store = try makeStore(dir)
    let desk = Desk(store)
    try desk.capture("L0")
    let before = try Snapshot(store, at: desk.now)
    let raw = try RawDatabase(path: path)
    try raw.execute(
      """
      CREATE TRIGGER fail_on_boom BEFORE INSERT ON events WHEN NEW.id = 'boom'
      BEGIN SELECT RAISE(ABORT, 'injected failure'); END
      """)

    // When one append carries a capture, a demo request (MQL and assignment), an anonymous
    // page view, and last an event the database refuses to store
    let batch = [
      desk.events.formSubmit("L1"), desk.events.demoRequest("L1"),
      desk.events.pageView("/pricing", visitor: "v-1"),
      Event(id: "boom", at: desk.now, lead: "L0", actor: "a", .note(text: "fails")),
    ]
    let error = #expect(throws: StoreError.self) { try store.append(batch) }

    // Then the append fails with the database's message
    #expect(error?.message.contains("injected failure") == true)
    // and none of the batch is visible: not to the store, not to another connection, not
    // to a store opened afresh
    #expect(try store.eventCount() == before.log.count)
    #expect(try store.lead("L1") == nil)
    #expect(try Snapshot(store, at: desk.now) == before)
    #expect(try raw.column("SELECT count(*) FROM events") == ["\(before.log.count)"])
    #expect(try raw.column("SELECT count(*) FROM leads") == ["1"])
    #expect(try raw.column("SELECT count(*) FROM visitors") == ["0"])
    #expect(try Snapshot(try makeStore(dir), at: desk.now) == before)

    // When the cause is gone, the same batch goes through in full (no id was used up).
    try raw.execute("DROP TRIGGER fail_on_boom")
    let statuses = try store.append(batch)
    #expect(statuses.allSatisfy { $0.outcomes != nil })
    #expect(try store.lead("L1")?.stage == .mql)
    #expect(try store.stageTotals(at: desk.now)[Stage.visitor.rank].count == 1)
  }

  @Test func appendingTheSameEventsAgainAddsNothing() throws {
    // Given a file store fed a batch of facts
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let desk = Desk(try makeStore(dir))
    let e = desk.events
    let facts = [
      e.pageView("/pricing", visitor: "v-1"), e.formSubmit("L1", visitor: "v-1"),
      e.demoRequest("L1"), e.accept("L1", by: "b"), e.formSubmit("L2"), e.demoRequest("L2"),
      e.contact("L1", by: "b", .noAnswer),
    ]
    let first = try desk.store.append(facts)
    #expect(first.allSatisfy { $0.outcomes != nil })
    let before = try Snapshot(desk.store, at: desk.now)

    // When the same facts are appended again, to the same store and after reopening it
    let again = try desk.store.append(facts)
    let reopened = try makeStore(dir)
    let onceMore = try reopened.append(facts)

    // Then every one is a duplicate and nothing was added.
    #expect(again == Array(repeating: .duplicate, count: facts.count))
    #expect(onceMore == Array(repeating: .duplicate, count: facts.count))
    #expect(try reopened.eventCount() == before.log.count)
    #expect(try Snapshot(reopened, at: desk.now) == before)
    #expect(try Snapshot(desk.store, at: desk.now) == before)
  }

  // MARK: - The file

  @Test func theDatabaseFileIsPrivateToItsOwner() throws {
    // Given / When a store created on a new file, written to
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let path = dir.path("leadboard.sqlite")
    let store = try makeStore(dir)
    try Desk(store).capture("L1")

    // Then the file, and its WAL and shared-memory files, are readable by the owner only.
    func mode(_ p: String) throws -> Int? {
      try FileManager.default.attributesOfItem(atPath: p)[.posixPermissions] as? Int
    }
    #expect(try mode(path) == 0o600)
    #expect(FileManager.default.fileExists(atPath: path + "-wal"))
    for companion in [path + "-wal", path + "-shm"]
    where FileManager.default.fileExists(atPath: companion) {
      #expect(try mode(companion) == 0o600, "\(companion)")
    }
  }

  @Test func aFileThatIsNotADatabaseIsReportedAndLeftAlone() throws {
    // Given a text file
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let path = dir.path("notes.txt")
    try Data("hello".utf8).write(to: URL(fileURLWithPath: path))

    // When a store is opened on it
    let error = #expect(throws: StoreError.self) { try SQLiteStore(path: path) }

    // Then it fails as corrupt or unavailable, naming the file
    #expect(error?.kind == .corrupt || error?.kind == .unavailable, "\(String(describing: error))")
    #expect(error?.message.contains(path) == true)
    // and the file still says hello.
    #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data("hello".utf8))
  }

  // MARK: - Indexes

  /// The board's column headers (`SQLiteStore.stageTotals`).
  static let totalsQuery = "SELECT stage, count, value FROM stage_totals"
  /// The stalled count per column, as `SQLiteStore.stageTotals` runs it: the day buckets
  /// before today, and today's range of the stall index.
  static let stalledDaysQuery =
    "SELECT stage, sum(count) FROM stall_days WHERE day < ? GROUP BY stage"
  static let stalledQuery =
    "SELECT stage, count(*) FROM leads WHERE stall_at >= ? AND stall_at <= ? GROUP BY stage"
  /// The board's lead listing: the plain form, and the forms `SQLiteStore.leads` builds for
  /// `LeadQuery(limit:)` and `LeadQuery(stage:limit:)`.
  static let listingQueries = [
    "SELECT state FROM leads WHERE closed IS NULL ORDER BY stage_rank, score DESC, id LIMIT 50",
    "SELECT state FROM leads WHERE 1 AND closed IS NULL ORDER BY stage_rank, score DESC, id LIMIT ?",
    "SELECT state FROM leads WHERE 1 AND closed IS NULL AND stage_rank = ?"
      + " ORDER BY stage_rank, score DESC, id LIMIT ?",
  ]
  /// Every query the board runs on a redraw.
  static let boardQueries = [totalsQuery, stalledDaysQuery, stalledQuery] + listingQueries

  @Test(arguments: boardQueries)
  func boardQueriesNeverReadTheLog(_ sql: String) throws {
    // Given a file store with leads in several stages
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let store = try makeStore(dir)
    let desk = Desk(store)
    try desk.makeSAL("L1")
    try desk.makeMQL("L2")
    try desk.capture("L3")

    // When SQLite plans the query
    let plan = try store.queryPlan(sql)

    // Then the plan exists and never touches the events table.
    #expect(!plan.isEmpty)
    #expect(!touchesTheLog(plan), "\(plan)")
  }

  @Test(arguments: listingQueries)
  func theLeadListingWalksTheBoardIndex(_ sql: String) throws {
    // Given a store
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let store = try makeStore(dir)

    // When SQLite plans a listing
    let plan = try store.queryPlan(sql)

    // Then it reads the board index in order, with no sort of its own.
    #expect(plan.contains { $0.contains("USING INDEX leads_board") }, "\(plan)")
    #expect(!plan.contains { $0.contains("TEMP B-TREE") }, "\(plan)")
  }

  @Test func theStalledCountSearchesTheStallIndex() throws {
    // Given a store
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let store = try makeStore(dir)

    // When SQLite plans the stalled count
    let plan = try store.queryPlan(Self.stalledQuery)

    // Then it searches the stall index instead of scanning every lead.
    #expect(
      plan.contains { $0.contains("SEARCH leads USING COVERING INDEX leads_stall") }, "\(plan)")
  }

  @Test func migrationThreeFillsTheStalledDaysFromTheLeads() throws {
    // Given a store at schema version 2 (no day buckets) with leads stalling on many days,
    // some before 1970 and some exactly on a day boundary
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let path = dir.path("old.sqlite")
    do {
      let store = try makeStore(dir, "old.sqlite")
      let desk = Desk(store)
      for i in 0..<12 {
        desk.clock.advance(by: .hours(Double(11 + i * 9)))
        try desk.makeMQL("M\(i)")
      }
    }
    let raw = try RawDatabase(path: path)
    try raw.execute(
      """
      INSERT INTO leads(id, stage, stage_rank, score, stage_entered_at, stall_at, state)
        VALUES ('old1', 'known', 1, 0, -200000.5, -86400.0, x''), ('old2', 'known', 1, 0, 0, 86400.0, x'');
      DROP TABLE stall_days;
      DELETE FROM schema_migrations WHERE version = 3;
      """)
    let everyStalled = try raw.column(
      "SELECT stage || ' ' || count(*) FROM leads WHERE stall_at IS NOT NULL GROUP BY stage ORDER BY 1"
    )
    // When the store is opened again (migration 3 runs)
    let store = try makeStore(dir, "old.sqlite")
    // Then each bucket holds the leads whose stall time falls on its day, and the totals far in
    // the future count every stalled lead, as a plain count does.
    #expect(try store.appliedMigrations() == [1, 2, 3])
    #expect(
      try raw.column(
        "SELECT day || ' ' || count FROM stall_days WHERE stage = 'known' ORDER BY day"
      )
      .prefix(2) == ["-1 1", "1 1"])
    let future = try store.stageTotals(at: at("2100-01-01T00:00:00Z"))
    let got = future.filter { $0.stalled > 0 }.map { "\($0.stage.rawValue) \($0.stalled)" }.sorted()
    #expect(everyStalled.count >= 2)
    #expect(got == everyStalled)
  }

  @Test(
    arguments: [
      (0.0, 0), (86399.999, 0), (86400.0, 1), (-0.001, -1), (-86400.0, -1), (-86400.5, -2),
      (1_796_115_600.0, 20788), (1_796_083_200.0, 20788), (1_796_083_199.9999, 20787),
    ] as [(Double, Int64)])
  func aStallTimeFallsOnTheLargestWholeDayBeforeIt(_ seconds: Double, _ day: Int64) {
    #expect(StallDay.day(of: seconds) == day)
  }

  // MARK: - Change feed

  // Synchronous on purpose: `Thread.sleep` keeps this thread, so the bound measures the
  // store, not how soon a cooperative pool busy with other tests resumes a sleeping task.
  @Test func anotherConnectionsCommitShowsUpWithinHalfASecond() throws {
    // Given two stores on one file (as two processes would have), and an MQL
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let path = dir.path("leadboard.sqlite")
    let watcher = try SQLiteStore(path: path, playbookText: Self.playbookText)
    let writer = try SQLiteStore(path: path)
    let desk = Desk(writer)
    try desk.makeMQL("L1")
    let token = try watcher.changeToken()
    // and the watcher's token stays put while nobody writes
    Thread.sleep(forTimeInterval: 0.02)
    _ = try watcher.stageTotals(at: desk.now)
    #expect(try watcher.changeToken() == token)

    // When the writer appends an accept
    try desk.send(desk.events.accept("L1", by: "a"))

    // Then polling the watcher every 10 ms sees the token change within 500 ms
    let clock = ContinuousClock()
    let start = clock.now
    var seen = try watcher.changeToken()
    while seen == token, clock.now - start < .milliseconds(500) {
      Thread.sleep(forTimeInterval: 0.01)
      seen = try watcher.changeToken()
    }
    let elapsed = clock.now - start
    #expect(seen != token, "no change after \(elapsed)")
    #expect(elapsed < .milliseconds(500), "seen after \(elapsed)")
    // and the watcher then reads the writer's commit.
    #expect(try watcher.lead("L1")?.stage == .sal)
    #expect(try watcher.lead("L1")?.owner == "a")
  }
}
