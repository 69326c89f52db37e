import Foundation

/// Stalls in one stage at the report's clock.
public struct StallStage: Sendable, Equatable {
  public var stage: Stage
  /// Open leads in the stage.
  public var open: Int
  /// Stalled and not snoozed.
  public var stalled: Int
  /// Stalled but snoozed (reported apart, not in `stalled`).
  public var snoozed: Int
  /// Open leads per aging bucket (`StallsReport.bucketLabels`), by days in the stage.
  public var aging: [Int]
  /// stalled / open, percent.
  public var rate: Double? { open == 0 ? nil : 100 * Double(stalled) / Double(open) }
}

/// `report stalls`: the stall rate per stage, the count per black hole, how long open leads have
/// waited, and the snoozed ones apart.
///
/// Definitions: at the report's clock (now, or the `--as-of` time), over the cohort's open leads
/// (not customers, not closed); a lead is stalled when the playbook's `StallRule` says so (longer
/// in the stage than `stallAfter`, or an opportunity past its close date); a snoozed stalled
/// lead counts as snoozed, not stalled. The stall rate is stalled / open leads in the stage.
public struct StallsReport: Sendable, Equatable {
  /// Days-in-stage buckets: 0–7, 8–30, 31–90, 91–180, over 180.
  public static let bucketLabels = ["0-7d", "8-30d", "31-90d", "91-180d", ">180d"]
  static let bucketUpper = [7, 30, 90, 180]

  public var stages: [StallStage]
  /// Per black hole: stalled (not snoozed) and snoozed counts.
  public var blackHoles: [(hole: BlackHole, stalled: Int, snoozed: Int)]

  public static func == (a: StallsReport, b: StallsReport) -> Bool {
    a.stages == b.stages
      && a.blackHoles.elementsEqual(b.blackHoles) {
        ($0.hole, $0.stalled, $0.snoozed) == ($1.hole, $1.stalled, $1.snoozed)
      }
  }

  /// Counts only: the alerts themselves, with their reasons, are the alerts view's and
  /// `leadboard alerts`' (building and sorting every stalled lead's alert was most of this
  /// report's time at a million leads).
  public init(_ input: ReportInput) {
    let rule = StallRule(playbook: input.playbook)
    let order = Transition.stages
    var rows = order.map {
      StallStage(stage: $0, open: 0, stalled: 0, snoozed: 0, aging: [0, 0, 0, 0, 0])
    }
    var holes: [BlackHole: (stalled: Int, snoozed: Int)] = [:]
    // By index into a borrowing tally: `for lead in input.leads` copied each state twice (a
    // retain and a release per field), about a tenth of this report's instructions.
    func tally(_ lead: borrowing LeadState) {
      guard lead.isOpen, let r = order.firstIndex(of: lead.stage) else { return }
      rows[r].open += 1
      let d = lead.daysInStage(at: input.now)
      rows[r].aging[StallsReport.bucketUpper.firstIndex { d <= $0 } ?? 4] += 1
      guard let (hole, snoozed) = rule.classify(lead, at: input.now) else { return }
      if snoozed {
        rows[r].snoozed += 1
        holes[hole, default: (0, 0)].snoozed += 1
      } else {
        rows[r].stalled += 1
        holes[hole, default: (0, 0)].stalled += 1
      }
    }
    for i in input.leads.indices { tally(input.leads[i]) }
    stages = rows
    blackHoles = BlackHole.allCases.map { h in
      (h, holes[h]?.stalled ?? 0, holes[h]?.snoozed ?? 0)
    }
  }

  /// Stalled (not snoozed) leads in all stages.
  public var totalStalled: Int { stages.map(\.stalled).reduce(0, +) }

  /// The documented `--json` shape.
  public var json: JSON {
    .object([
      (
        "stages",
        .array(
          stages.map { s in
            .object([
              ("stage", .string(s.stage.rawValue)), ("open", .int(s.open)),
              ("stalled", .int(s.stalled)), ("snoozed", .int(s.snoozed)),
              ("stall_rate", .number(s.rate, places: 2)),
              (
                "aging",
                .object(zip(StallsReport.bucketLabels, s.aging).map { ($0, .int($1)) })
              ),
            ])
          })
      ),
      (
        "black_holes",
        .array(
          blackHoles.map { h in
            .object([
              ("id", .string(h.hole.rawValue)), ("title", .string(h.hole.title)),
              ("stalled", .int(h.stalled)), ("snoozed", .int(h.snoozed)),
              ("action", .string(h.hole.suggestedAction)),
            ])
          })
      ),
      ("stalled", .int(totalStalled)),
      ("snoozed", .int(stages.map(\.snoozed).reduce(0, +))),
    ])
  }
}
