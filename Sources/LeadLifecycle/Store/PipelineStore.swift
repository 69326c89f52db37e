import Foundation

/// What happened to one event handed to a store.
public enum AppendStatus: Sendable, Equatable {
  /// Stored, with the rule outcomes it caused.
  case added(outcomes: [Event])
  /// An event with this id was already stored; nothing changed.
  case duplicate
  /// The rules refused it; nothing was stored.
  case refused(Refusal)
}

/// One stage's column on the board: how many leads, their open value, how many are stalled.
public struct StageTotals: Sendable, Equatable {
  public var stage: Stage
  /// Open leads in the stage (for `customer`: every customer; for `visitor`: anonymous
  /// visitors not yet known).
  public var count: Int
  /// The sum of the opportunity values of those leads.
  public var value: Double
  public var stalled: Int

  /// The value a lead adds to its column: its deal value once it is an opportunity or a
  /// customer (a recycled lead's old deal does not count in `known`).
  public static func countedValue(_ lead: LeadState) -> Double {
    lead.stage >= .opportunity ? lead.opportunity?.value ?? 0 : 0
  }

  public init(stage: Stage, count: Int, value: Double, stalled: Int) {
    self.stage = stage
    self.count = count
    self.value = value
    self.stalled = stalled
  }
}

/// A filter over leads (the CLI's `leads` and the board's filter).
public struct LeadQuery: Sendable, Equatable {
  public var stage: Stage?
  public var owner: String?
  /// Only leads stalled at the query's `now`.
  public var stalledOnly = false
  /// Case-insensitive text in name, company, email, owner or source.
  public var search: String?
  /// Include closed (lost, disqualified) leads.
  public var includeClosed = false
  public var limit: Int?

  public init(
    stage: Stage? = nil, owner: String? = nil, stalledOnly: Bool = false, search: String? = nil,
    includeClosed: Bool = false, limit: Int? = nil
  ) {
    self.stage = stage
    self.owner = owner
    self.stalledOnly = stalledOnly
    self.search = search
    self.includeClosed = includeClosed
    self.limit = limit
  }

  /// True when `lead` passes every filter but `stalledOnly` (which needs the clock).
  public func matches(_ lead: LeadState) -> Bool {
    if !includeClosed && lead.closed != nil { return false }
    if let s = stage, lead.stage != s { return false }
    if let o = owner, lead.owner != o { return false }
    if let q = search?.lowercased(), !q.isEmpty {
      let p = lead.profile
      let hay = [p.displayName, p.company, p.email, lead.owner, p.source, lead.id].compactMap {
        $0?.lowercased()
      }
      if !hay.contains(where: { $0.contains(q) }) { return false }
    }
    return true
  }
}

/// A rep as the `reps` command and the queue show them.
public struct RepStatus: Sendable, Equatable {
  public var rep: Rep
  /// Open MQLs and SALs owned.
  public var load: Int
  public var assignedTotal: Int
  /// Why the rep cannot take a lead now, or nil when available.
  public var unavailable: String?
  /// True for the rep routing would pick next in the rep's team.
  public var nextInRotation: Bool
}

/// A store failure: cannot open, locked, read-only, full, corrupt.
public struct StoreError: Error, Sendable, CustomStringConvertible {
  public enum Kind: String, Sendable {
    case unavailable, busy, readOnly = "read_only", full, corrupt, schema, io
    /// The store's access rules refuse this role the change (team mode row-level security).
    case forbidden
  }
  public var kind: Kind
  public var message: String
  public init(_ kind: Kind, _ message: String) {
    self.kind = kind
    self.message = message
  }
  public var description: String { message }
}

/// The port between the domain and a database: an append-only event log with projections
/// maintained in the same transaction. SQLite serves one machine; PostgreSQL a team.
///
/// Every write is one transaction: an event, its rule outcomes and the projections commit
/// together or not at all.
public protocol PipelineStore: AnyObject {
  /// The playbook whose rules this store applies (recorded in the store at `init`).
  var playbook: Playbook { get }

  /// Appends events in order, each checked and run through the rules, in one transaction.
  /// Refused and duplicate events change nothing; the others are committed together.
  func append(_ events: [Event]) throws(StoreError) -> [AppendStatus]

  /// Stores events exactly as given (rule outcomes included), folding them into the
  /// projections without running any rule: how an exported log, another store's log or a CRM's
  /// history is brought in. Events whose id is already stored are skipped.
  /// - Returns: how many were new.
  @discardableResult
  func replay(_ events: [Event]) throws(StoreError) -> Int

  /// Runs the time-driven rules on every lead due at `now`; returns the outcomes stored.
  func tick(at now: Date) throws(StoreError) -> [Event]

  /// The board's columns at `now`.
  func stageTotals(at now: Date) throws(StoreError) -> [StageTotals]

  /// Leads matching `query`, ordered by stage, then most urgent first.
  func leads(_ query: LeadQuery, at now: Date) throws(StoreError) -> [LeadState]

  /// One lead, or nil.
  func lead(_ id: String) throws(StoreError) -> LeadState?

  /// A lead's events, oldest first (its timeline).
  func events(forLead id: String) throws(StoreError) -> [Event]

  /// The whole log, in commit order, optionally only events at or before `asOf`.
  func allEvents(asOf: Date?) throws(StoreError) -> [Event]

  /// Routing counters and per-rep open load.
  func routingSnapshot() throws(StoreError) -> (state: RoutingState, load: [String: Int])

  /// A number that changes whenever any process commits a change (the change feed).
  func changeToken() throws(StoreError) -> Int64

  /// Every lead's current state (score ledgers left empty), in id order: what reports start
  /// from, read off the projection instead of replaying the log.
  func allLeads() throws(StoreError) -> [LeadState]
}

extension PipelineStore {
  public func allLeads() throws(StoreError) -> [LeadState] {
    try leads(LeadQuery(includeClosed: true), at: .distantFuture).map { lead in
      var l = lead
      l.ledger = []
      return l
    }.sorted { $0.id < $1.id }
  }

  /// Reps with load, availability and who routing would pick next, per team.
  public func repStatuses(at now: Date) throws(StoreError) -> [RepStatus] {
    let (state, load) = try routingSnapshot()
    let router = Router(policy: playbook.routing)
    var next = Set<String>()
    let teams = Set(playbook.routing.reps.map { $0.team ?? "" })
    for team in teams {
      // Ask a router restricted to the team's members whom it would pick for any lead.
      let members = playbook.routing.reps.filter { ($0.team ?? "") == team }
      let sub = Router(
        policy: RoutingPolicy(
          autoAssign: true,
          strategy: playbook.routing.teamStrategies[team] ?? playbook.routing.strategy,
          territories: [], defaultTeam: team.isEmpty ? nil : team,
          teamStrategies: playbook.routing.teamStrategies,
          reps: members))
      if let pick = sub.route(Profile(), at: now, state: state, load: load).rep {
        next.insert(pick)
      }
    }
    return playbook.routing.reps.map { rep in
      RepStatus(
        rep: rep, load: load[rep.id] ?? 0, assignedTotal: state.assignedCount[rep.id] ?? 0,
        unavailable: router.unavailability(of: rep, at: now, load: load[rep.id] ?? 0),
        nextInRotation: next.contains(rep.id))
    }
  }

  /// The pipeline as it stood at `asOf`: every lead's state folded from the log up to then.
  public func pipeline(asOf: Date) throws(StoreError) -> Pipeline {
    var p = Pipeline(playbook: playbook)
    p.replay(try allEvents(asOf: asOf))
    return p
  }
}
