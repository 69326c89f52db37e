import Foundation

/// One rep's numbers (`report reps`, and the per-rep lines of `report sla`).
public struct RepActivity: Sendable, Equatable {
  public var rep: String
  /// Leads given to the rep (`assigned` and `reassigned` events naming the rep).
  public var assigned = 0
  /// MQLs the rep accepted.
  public var accepted = 0
  /// Minutes from the moment the rep held the MQL (its entry, or the later assignment to the rep)
  /// to the rep's accept.
  public var acceptMinutes: [Double] = []
  /// Accepts within the MQL response target, counted from the same moment.
  public var acceptedOnTime = 0
  /// `sla_breached` events on MQLs the rep owned.
  public var breaches = 0
  /// Leads taken away from the rep by an SLA reassignment.
  public var reassignedAway = 0
  /// Leads recycled while the rep owned them.
  public var recycled = 0
  /// SAL entries the rep owned that moved on to SQL or later / that dropped.
  public var salConverted = 0
  public var salDropped = 0
  /// Customers the rep owned when they were won, and their deal value.
  public var won = 0
  public var wonValue = 0.0

  public init(rep: String) { self.rep = rep }

  /// Median accept latency in minutes.
  public var medianAcceptMinutes: Double? { Distribution(acceptMinutes)?.median }
  /// recycled / accepted, percent.
  public var recycleRate: Double? {
    accepted == 0 ? nil : 100 * Double(recycled) / Double(accepted)
  }
  /// SAL → SQL among decided SAL entries, percent.
  public var salToSQLRate: Double? {
    let d = salConverted + salDropped
    return d == 0 ? nil : 100 * Double(salConverted) / Double(d)
  }
  /// Accepts on time / (accepts + breaches as owner), percent.
  public var compliance: Double? {
    let d = accepted + breaches
    return d == 0 ? nil : 100 * Double(acceptedOnTime) / Double(d)
  }
}

/// `report sla`: the MQL response SLA, from the log.
///
/// Definitions: each entry into `mql` starts a response clock due at the playbook's `sla.mql`
/// target (in working hours when it says so). The response is the first `accepted` event (or
/// the move to `sal`; or the first contact attempt when the SLA runs `until: contact_attempt`).
/// Response time runs from the MQL entry. Compliance is responses within the target divided by
/// the clocks that resolved: responses, plus MQLs that left unanswered after the due time, plus
/// open MQLs past it at the report's clock. MQLs recycled or closed unanswered before the due
/// time, and open ones not yet due, are not counted. Breaches and reassignments are the
/// engine's `sla_breached` and `reassigned` events. Per rep: latency from the moment the rep
/// held the lead (the MQL entry or the later assignment to the rep), compliance = accepts within
/// the target / (accepts + breaches while the rep owned the MQL).
public struct SLAReport: Sendable, Equatable {
  /// Response-time buckets.
  public static let bucketLabels = ["<=5m", "5-30m", "30m-4h", "4-24h", "1-3d", ">3d"]
  static let bucketUpperMinutes: [Double] = [5, 30, 240, 1440, 4320]

  /// The response target in minutes (nil when the playbook has no MQL SLA).
  public var targetMinutes: Double?
  /// Minutes from MQL entry to response.
  public var responses: Distribution?
  /// Responses per bucket.
  public var buckets: [Int]
  public var onTime = 0
  public var late = 0
  /// MQLs that left, or are still open, unanswered after the due time.
  public var unansweredPastDue = 0
  /// Open MQLs not yet due.
  public var pending = 0
  /// `sla_breached` events per stage.
  public var breaches: [Stage: Int]
  public var reassignments: Int
  public var reps: [RepActivity]

  /// onTime / (onTime + late + unansweredPastDue), percent.
  public var compliance: Double? {
    let d = onTime + late + unansweredPastDue
    return d == 0 ? nil : 100 * Double(onTime) / Double(d)
  }

  public init(_ input: ReportInput) {
    let walk = ActivityWalk(input)
    targetMinutes = walk.targetMinutes
    responses = Distribution(walk.responseMinutes)
    buckets = Array(repeating: 0, count: SLAReport.bucketLabels.count)
    for m in walk.responseMinutes {
      buckets[SLAReport.bucketUpperMinutes.firstIndex { m <= $0 } ?? 5] += 1
    }
    onTime = walk.onTime
    late = walk.late
    unansweredPastDue = walk.unansweredPastDue
    pending = walk.pending
    breaches = walk.breaches
    reassignments = walk.reassignments
    reps = walk.reps
  }

  /// The documented `--json` shape.
  public var json: JSON {
    .object([
      ("target_minutes", .number(targetMinutes)),
      ("responses", .int(onTime + late)),
      ("response_minutes", responses?.json ?? .null),
      ("distribution", .object(zip(SLAReport.bucketLabels, buckets).map { ($0, .int($1)) })),
      ("on_time", .int(onTime)), ("late", .int(late)),
      ("unanswered_past_due", .int(unansweredPastDue)), ("pending", .int(pending)),
      ("compliance", .number(compliance, places: 2)),
      (
        "breaches",
        .object(breaches.keys.sorted().map { ($0.rawValue, .int(breaches[$0]!)) })
      ),
      ("reassignments", .int(reassignments)),
      (
        "reps",
        .array(
          reps.map { r in
            .object([
              ("rep", .string(r.rep)), ("assigned", .int(r.assigned)),
              ("accepted", .int(r.accepted)),
              ("median_accept_minutes", .number(r.medianAcceptMinutes, places: 1)),
              ("on_time", .int(r.acceptedOnTime)), ("breaches", .int(r.breaches)),
              ("reassigned_away", .int(r.reassignedAway)),
              ("compliance", .number(r.compliance, places: 2)),
            ])
          })
      ),
    ])
  }
}

/// `report reps`: per rep, assigned, accepted, median accept latency, recycle rate, SAL → SQL
/// yield, won count and value.
///
/// Definitions: *assigned* counts `assigned` and `reassigned` events naming the rep; *accepted*
/// the rep's `accepted` events; latency as in `SLAReport`; *recycle rate* = leads recycled
/// while the rep owned them / accepted; *SAL → SQL* = the rep's SAL entries that moved on /
/// those decided (moved on, recycled or closed); *won* = customers the rep owned when won, with
/// their opportunity value. Reps are the playbook's plus every other owner seen in the log.
public struct RepsReport: Sendable, Equatable {
  public var reps: [RepActivity]

  public init(_ input: ReportInput) {
    reps = ActivityWalk(input).reps
  }

  /// The documented `--json` shape.
  public var json: JSON {
    .array(
      reps.map { r in
        .object([
          ("rep", .string(r.rep)), ("assigned", .int(r.assigned)), ("accepted", .int(r.accepted)),
          ("median_accept_minutes", .number(r.medianAcceptMinutes, places: 1)),
          ("recycled", .int(r.recycled)), ("recycle_rate", .number(r.recycleRate, places: 2)),
          ("sal_converted", .int(r.salConverted)), ("sal_dropped", .int(r.salDropped)),
          ("sal_to_sql_rate", .number(r.salToSQLRate, places: 2)),
          ("won", .int(r.won)), ("won_value", .number(r.wonValue, places: 2)),
        ])
      })
  }
}

/// One pass over every cohort lead's events, in log order, collecting the SLA and rep numbers.
struct ActivityWalk {
  var targetMinutes: Double?
  var responseMinutes: [Double] = []
  var onTime = 0
  var late = 0
  var unansweredPastDue = 0
  var pending = 0
  var breaches: [Stage: Int] = [:]
  var reassignments = 0
  var reps: [RepActivity] = []

  init(_ input: ReportInput) {
    let sla = input.playbook.sla.stages[.mql]
    let clock = SLAClock(policy: input.playbook.sla)
    targetMinutes = sla.map { $0.target.seconds / 60 }
    var byRep: [String: RepActivity] = [:]
    func bump(_ rep: String?, _ body: (inout RepActivity) -> Void) {
      guard let rep, !rep.isEmpty else { return }
      body(&byRep[rep, default: RepActivity(rep: rep)])
    }
    for lead in input.leads {
      var owner: String?
      var stage = Stage.visitor
      // The open MQL clock: start, due, and who holds the lead since when.
      var clockStart: Date?
      var due = Date.distantFuture
      var holderSince: Date?
      var salOwner: String?
      func resolveUnanswered(at t: Date) {
        if t > due { unansweredPastDue += 1 }
        clockStart = nil
      }
      func respond(at t: Date, by rep: String?) {
        guard let start = clockStart else { return }
        let m = max(0, t.timeIntervalSince(start)) / 60
        responseMinutes.append(m)
        if t <= due { onTime += 1 } else { late += 1 }
        clockStart = nil
        _ = rep
      }
      for e in input.events[lead.id] ?? [] {
        switch e.payload {
        case .stageChanged(_, let to, _):
          if clockStart != nil && to != .mql {
            if to == .sal { respond(at: e.at, by: owner) } else { resolveUnanswered(at: e.at) }
          }
          if stage == .sal && to != .sal {
            if to > .sal {
              bump(salOwner) { $0.salConverted += 1 }
            } else {
              bump(salOwner) { $0.salDropped += 1 }
            }
          }
          if to == .known && stage > .known { owner = nil }
          if to == .mql {
            clockStart = e.at
            due = sla.map { clock.dueDate(from: e.at, sla: $0) } ?? .distantFuture
            holderSince = e.at
          }
          if to == .sal { salOwner = owner }
          if to == .customer {
            bump(owner) {
              $0.won += 1
              $0.wonValue += lead.opportunity?.value ?? 0
            }
          }
          stage = to
        case .assigned(let to, _, _):
          owner = to
          holderSince = e.at
          bump(to) { $0.assigned += 1 }
        case .reassigned(let from, let to, _, _):
          owner = to
          holderSince = e.at
          reassignments += 1
          bump(to) { $0.assigned += 1 }
          bump(from) { $0.reassignedAway += 1 }
        case .slaBreached(let s, _, let o):
          breaches[s, default: 0] += 1
          if s == .mql { bump(o ?? owner) { $0.breaches += 1 } }
        case .accepted:
          let rep = e.actor ?? owner
          if let start = clockStart {
            let since = max(start, holderSince ?? start)
            let m = max(0, e.at.timeIntervalSince(since)) / 60
            bump(rep) {
              $0.acceptMinutes.append(m)
              if let t = self.targetMinutes, m <= t { $0.acceptedOnTime += 1 }
            }
            respond(at: e.at, by: rep)
          }
          bump(rep) { $0.accepted += 1 }
          owner = rep
        case .contactAttempt:
          if sla?.until == .contactAttempt, clockStart != nil { respond(at: e.at, by: e.actor) }
        case .recycled:
          bump(owner) { $0.recycled += 1 }
        case .lost, .disqualified:
          if clockStart != nil { resolveUnanswered(at: e.at) }
          if stage == .sal { bump(salOwner) { $0.salDropped += 1 } }
          stage = .visitor  // closed: nothing after this counts as a stage exit
        default:
          break
        }
      }
      if clockStart != nil, lead.isOpen {
        if input.now > due { unansweredPastDue += 1 } else { pending += 1 }
      }
    }
    for r in input.playbook.routing.reps where byRep[r.id] == nil {
      byRep[r.id] = RepActivity(rep: r.id)
    }
    reps = byRep.values.sorted { $0.rep < $1.rep }
  }
}
