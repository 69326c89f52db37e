import Foundation
import LeadLifecycle
import LeadboardTestSupport
import PostgresStore
import SQLiteStore
import Testing

/// The stores the contract suite runs against. A PostgreSQL store joins by adding a case here
/// (and to `contract`), with its branch in `StoreFactory.make` and `StoreFactory.replay`.
enum StoreKind: String, Sendable, CaseIterable, CustomTestStringConvertible {
  /// The domain's `InMemoryStore`: the reference every database store must agree with.
  case inMemory
  /// `SQLiteStore(path: ":memory:")`.
  case sqliteMemory
  /// `SQLiteStore` on a file in a fresh temporary directory (WAL mode, real locking).
  case sqliteFile
  /// `PostgresStore` in a fresh schema of the scratch database `LEADBOARD_TEST_PG` names
  /// (each store its own schema, dropped afterwards, so tests run in parallel).
  case postgres

  /// The scratch database URL for the PostgreSQL kind, or nil when the contract runs
  /// without it.
  static let postgresURL: String? = {
    guard let url = ProcessInfo.processInfo.environment["LEADBOARD_TEST_PG"], !url.isEmpty else {
      return nil
    }
    return url
  }()

  /// The kinds every contract test runs on: PostgreSQL too when `LEADBOARD_TEST_PG` is set.
  static let contract: [StoreKind] =
    [.inMemory, .sqliteMemory, .sqliteFile] + (postgresURL == nil ? [] : [.postgres])

  var testDescription: String {
    switch self {
    case .inMemory: return "InMemoryStore"
    case .sqliteMemory: return "SQLiteStore(:memory:)"
    case .sqliteFile: return "SQLiteStore(file)"
    case .postgres: return "PostgresStore"
    }
  }

  /// Runs `body` with a factory for fresh, empty stores of this kind, then removes whatever
  /// they left on disk.
  func withFactory<R>(_ body: (StoreFactory) throws -> R) throws -> R {
    let scratch = try TemporaryDirectory()
    defer { scratch.remove() }
    let factory = StoreFactory(kind: self, directory: scratch.url)
    defer { factory.dropSchemas() }
    return try body(factory)
  }
}

/// Makes fresh, empty stores of one kind; file-backed ones each get a new file in `directory`.
final class StoreFactory {
  let kind: StoreKind
  let directory: URL
  private var made = 0
  private var schemas: [String] = []

  init(kind: StoreKind, directory: URL) {
    self.kind = kind
    self.directory = directory
  }

  /// A new, empty store applying `playbook`.
  func make(playbook: Playbook = ContractPlaybook.standard) throws -> PipelineStore {
    made += 1
    switch kind {
    case .inMemory:
      return InMemoryStore(playbook: playbook)
    case .sqliteMemory:
      return try SQLiteStore(path: ":memory:", playbookText: playbook.json.serialized())
    case .sqliteFile:
      let path = directory.appendingPathComponent("store-\(made).sqlite").path
      return try SQLiteStore(path: path, playbookText: playbook.json.serialized())
    case .postgres:
      let url = try #require(StoreKind.postgresURL)
      let schema =
        "lbtest_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
      schemas.append(schema)
      return try PostgresStore(url: url, schema: schema, playbookText: playbook.json.serialized())
    }
  }

  /// Drops the schemas the PostgreSQL stores were made in.
  func dropSchemas() {
    guard let url = StoreKind.postgresURL else { return }
    for s in schemas { try? PostgresStore.dropSchema(url: url, schema: s) }
    schemas = []
  }

  /// The projections a store of this kind rebuilds from `log` by folding it without rules:
  /// `Pipeline.replay` for the in-memory store, `SQLiteStore.replay` into a fresh store for
  /// SQLite.
  func replay(_ log: [Event], playbook: Playbook = ContractPlaybook.standard, at now: Date)
    throws -> Snapshot
  {
    switch kind {
    case .inMemory:
      var pipeline = Pipeline(playbook: playbook)
      pipeline.replay(log)
      return Snapshot(pipeline, at: now)
    case .sqliteMemory, .sqliteFile:
      let store = try #require(try make(playbook: playbook) as? SQLiteStore)
      let added = try store.replay(log)
      #expect(added == log.count)
      return try Snapshot(store, at: now)
    case .postgres:
      let store = try make(playbook: playbook)
      let added = try store.replay(log)
      #expect(added == log.count)
      return try Snapshot(store, at: now)
    }
  }
}

/// The playbooks the contract suite uses.
enum ContractPlaybook {
  /// Reps a, b and c, round robin over all of them, no decay: see `TestPlaybook.standard`.
  static let standard = TestPlaybook.standard()
}

/// A directory under the system's temporary directory, removed by `remove()`.
struct TemporaryDirectory {
  let url: URL

  init() throws {
    url = FileManager.default.temporaryDirectory
      .appendingPathComponent("leadboard-store-tests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: false)
  }

  /// A path inside the directory.
  func path(_ name: String) -> String { url.appendingPathComponent(name).path }

  func remove() { try? FileManager.default.removeItem(at: url) }
}

/// Everything a reader can see of a store at one instant, for comparing stores with each
/// other and with the domain's `Pipeline`.
struct Snapshot: Equatable, CustomStringConvertible {
  /// Every lead (closed ones included) with its full score ledger.
  var leads: [String: LeadState]
  var totals: [StageTotals]
  var log: [Event]
  var routing: RoutingState
  /// Open load per rep; reps with no load left out (stores may or may not keep zero rows).
  var load: [String: Int]

  init(_ store: PipelineStore, at now: Date) throws {
    var leads: [String: LeadState] = [:]
    for listed in try store.leads(LeadQuery(includeClosed: true), at: now) {
      leads[listed.id] = try store.lead(listed.id)
    }
    self.leads = leads
    totals = try store.stageTotals(at: now)
    log = try store.allEvents(asOf: nil)
    let (routing, load) = try store.routingSnapshot()
    self.routing = routing
    self.load = load.filter { $0.value != 0 }
  }

  init(_ pipeline: Pipeline, at now: Date) {
    leads = pipeline.leads
    totals = pipeline.stageTotals(at: now)
    log = pipeline.log
    routing = pipeline.routing
    load = pipeline.load.filter { $0.value != 0 }
  }

  var description: String {
    "\(leads.count) leads, \(log.count) events, totals \(totals.map { "\($0.stage)=\($0.count)" })"
  }
}

extension LeadState {
  /// This state without its score ledger (listings may leave the ledger out).
  var withoutLedger: LeadState {
    var s = self
    s.ledger = []
    return s
  }
}

/// A scenario step that did not go as the scenario assumes (a fixture bug, not a finding).
struct ScenarioError: Error, CustomStringConvertible {
  var description: String
  init(_ description: String) { self.description = description }
}

/// Drives a store the way the CLI does: events made by a factory on a manual clock and
/// appended one at a time, with the lead's current owner read back from the store.
final class Desk {
  let store: PipelineStore
  let clock: ManualClock
  let events: EventFactory

  init(_ store: PipelineStore, start: Date = Fixed.reference, idPrefix: String = "e") {
    self.store = store
    clock = ManualClock(start)
    events = EventFactory(prefix: idPrefix, clock: clock)
  }

  var now: Date { clock.now() }

  /// Appends one event and returns its status.
  func append(_ event: Event) throws -> AppendStatus {
    let statuses = try store.append([event])
    guard statuses.count == 1 else {
      throw ScenarioError("\(statuses.count) statuses for one event")
    }
    return statuses[0]
  }

  /// Appends one event that must be added; returns its rule outcomes.
  @discardableResult
  func send(_ event: Event) throws -> [Event] {
    let status = try append(event)
    guard case .added(let outcomes) = status else {
      throw ScenarioError("\(event.id) (\(event.type.rawValue) on \(event.lead ?? "-")): \(status)")
    }
    return outcomes
  }

  /// The lead, which must exist.
  func lead(_ id: String) throws -> LeadState {
    guard let lead = try store.lead(id) else { throw ScenarioError("no lead '\(id)'") }
    return lead
  }

  /// The owner of the lead, which must have one.
  func owner(_ id: String) throws -> String {
    guard let owner = try lead(id).owner else { throw ScenarioError("lead '\(id)' has no owner") }
    return owner
  }

  /// Runs the time-driven rules at the clock's instant.
  @discardableResult
  func tick() throws -> [Event] { try store.tick(at: now) }

  /// Moves the clock by `span`, then ticks.
  @discardableResult
  func advanceAndTick(_ span: Span) throws -> [Event] {
    clock.advance(by: span)
    return try tick()
  }

  // MARK: - Scenario steps (as in `PipelineHarness`)

  @discardableResult
  func capture(
    _ lead: String, profile: Profile = Profile(email: "lead@example.com"), visitor: String? = nil
  ) throws -> [Event] {
    try send(events.formSubmit(lead, visitor: visitor, profile: profile))
  }

  /// Captures `lead` and makes it an MQL with a demo request; returns the request's outcomes.
  @discardableResult
  func makeMQL(_ lead: String, profile: Profile = Profile(email: "lead@example.com")) throws
    -> [Event]
  {
    try capture(lead, profile: profile)
    return try send(events.demoRequest(lead))
  }

  /// Makes `lead` an MQL and has its owner accept it; returns the owner.
  @discardableResult
  func makeSAL(_ lead: String, profile: Profile = Profile(email: "lead@example.com")) throws
    -> String
  {
    try makeMQL(lead, profile: profile)
    let owner = try owner(lead)
    try send(events.accept(lead, by: owner))
    return owner
  }

  /// Makes `lead` a SAL and qualifies it with every BANT answer; returns the owner.
  @discardableResult
  func makeSQL(_ lead: String) throws -> String {
    let owner = try makeSAL(lead)
    try send(events.qualify(lead, by: owner))
    return owner
  }

  /// Makes `lead` an SQL and creates a complete opportunity worth `value`; returns the owner.
  @discardableResult
  func makeOpportunity(
    _ lead: String, value: Double = 1_200_000, closeDate: Date = at("2027-01-29T00:00:00Z")
  ) throws -> String {
    let owner = try makeSQL(lead)
    try send(
      events.createOpportunity(
        lead, by: owner,
        OpportunityFields(
          value: value, currency: "JPY", closeDate: closeDate, stakeholders: ["CTO", "CFO"])))
    return owner
  }

  /// Makes `lead` an opportunity worth `value`, signs the contract and wins it.
  func makeCustomer(_ lead: String, value: Double) throws {
    let owner = try makeOpportunity(lead, value: value)
    try send(
      events.make(
        .contractSigned(paymentTerms: "net 30", onboardingDate: now.plus(.days(14))), lead: lead,
        actor: owner))
    try send(events.make(.won, lead: lead, actor: owner))
  }
}

extension AppendStatus {
  /// The refusal, or nil when the event was added or a duplicate.
  var refusal: Refusal? {
    if case .refused(let r) = self { return r }
    return nil
  }

  /// The rule outcomes, or nil when the event was not added.
  var outcomes: [Event]? {
    if case .added(let o) = self { return o }
    return nil
  }
}
