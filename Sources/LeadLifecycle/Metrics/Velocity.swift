import Foundation

/// Time in one stage against its benchmarks.
public struct StageVelocity: Sendable, Equatable {
  public var stage: Stage
  /// Days from entering the stage to entering a later one, over entries that moved on.
  public var time: Distribution?
  public var benchmark: Benchmark?
  /// Entries that moved on but took longer than the benchmark's average high.
  public var slowerThanAverage: Int
  /// Open leads in the stage at the report's clock that have been there longer than it.
  public var openOverAverage: Int
  public var medianFit: BenchmarkFit? { BenchmarkFit.of(time?.median, benchmark?.averageDays) }
}

/// A whole-journey span (`first touch → customer`, `mql → customer`).
public struct Journey: Sendable, Equatable {
  /// `first_touch_to_customer`, `mql_to_customer`.
  public var name: String
  /// Days, over customers.
  public var time: Distribution?
  /// Customers whose win is dated before the start (imported data); counted as 0 days.
  public var outOfOrder: Int
}

/// `report velocity`: how fast leads move, per stage and end to end, overall and by dimension.
///
/// Definitions: *time in stage* is measured on entries that moved on to a later stage, from the
/// entry to the next stage entered (`LeadState.conversionDays`); skipped stages have no time.
/// *First touch → customer* runs from the lead's first event (`createdAt`) to its entry into
/// `customer`; *MQL → customer* from its first entry into `mql` (recycles included in the span).
/// A win dated before the start (imported data) counts as 0 days and is reported as out of order.
public struct VelocityReport: Sendable, Equatable {
  public var stages: [StageVelocity]
  public var journeys: [Journey]
  /// Per group when a dimension is given: its name, leads, customers and velocity.
  public var groups: [(name: String, leads: Int, customers: Int, report: VelocityReport)] = []
  public var dimension: ReportDimension?

  public static func == (a: VelocityReport, b: VelocityReport) -> Bool {
    a.stages == b.stages && a.journeys == b.journeys && a.dimension == b.dimension
      && a.groups.map(\.name) == b.groups.map(\.name)
      && zip(a.groups, b.groups).allSatisfy { $0.report == $1.report && $0.leads == $1.leads }
  }

  public init(_ input: ReportInput, by dimension: ReportDimension? = nil) {
    // One pass over the leads (a filtered copy of them per stage was a third of the report's
    // time at a million leads): conversion times, and open leads past the benchmark.
    var limits: [Stage: Double] = [:]
    for s in Transition.stages {
      if let high = input.playbook.stage(s).benchmark?.averageDays?.high { limits[s] = high }
    }
    var times: [Stage: [Double]] = [:]
    var openOver: [Stage: Int] = [:]
    for lead in input.leads {
      for (s, d) in lead.conversionDays() { times[s, default: []].append(d) }
      if lead.isOpen, let l = limits[lead.stage], days(lead.stageEnteredAt, input.now) > l {
        openOver[lead.stage, default: 0] += 1
      }
    }
    stages = Transition.stages.map { s in
      let limit = limits[s]
      return StageVelocity(
        stage: s, time: Distribution(times[s] ?? []), benchmark: input.playbook.stage(s).benchmark,
        slowerThanAverage: limit.map { l in (times[s] ?? []).filter { $0 > l }.count } ?? 0,
        openOverAverage: openOver[s] ?? 0)
    }
    journeys = [
      VelocityReport.journey("first_touch_to_customer", input.leads) { $0.createdAt },
      VelocityReport.journey("mql_to_customer", input.leads) { l in
        l.history.first { $0.stage == .mql }?.at
      },
    ]
    self.dimension = dimension
    if let dimension {
      groups = input.groups(by: dimension).map { name, members in
        (
          name, members.count, members.filter { $0.stage == .customer }.count,
          VelocityReport(input.restricted(to: members))
        )
      }
    }
  }

  static func journey(_ name: String, _ leads: [LeadState], start: (LeadState) -> Date?)
    -> Journey
  {
    var values: [Double] = []
    var late = 0
    for l in leads where l.stage == .customer {
      guard let won = l.history.last(where: { $0.stage == .customer })?.at, let s = start(l) else {
        continue
      }
      let d = days(s, won)
      if d < 0 { late += 1 }
      values.append(max(0, d))
    }
    return Journey(name: name, time: Distribution(values), outOfOrder: late)
  }

  /// The journey called `name`.
  public func journey(_ name: String) -> Journey? { journeys.first { $0.name == name } }

  /// The documented `--json` shape.
  public var json: JSON {
    var pairs: [(String, JSON)] = [
      (
        "stages",
        .array(
          stages.map { v in
            .object([
              ("stage", .string(v.stage.rawValue)), ("to", .string(v.stage.next!.rawValue)),
              ("days", v.time?.json ?? .null),
              ("benchmark_average_days", rangeJSON(v.benchmark?.averageDays)),
              ("benchmark_best_days", rangeJSON(v.benchmark?.bestDays)),
              ("median_vs_average", .optional(v.medianFit?.rawValue)),
              ("slower_than_average", .int(v.slowerThanAverage)),
              ("open_over_average", .int(v.openOverAverage)),
            ])
          })
      ),
      (
        "journeys",
        .object(
          journeys.map { j in
            (
              j.name,
              .object([("days", j.time?.json ?? .null), ("out_of_order", .int(j.outOfOrder))])
            )
          })
      ),
    ]
    if let dimension {
      pairs.append(("by", .string(dimension.description)))
      pairs.append(
        (
          "groups",
          .array(
            groups.map { g in
              .object([
                ("name", .string(g.name)), ("leads", .int(g.leads)),
                ("customers", .int(g.customers)),
                (
                  "first_touch_to_customer_median_days",
                  .number(g.report.journey("first_touch_to_customer")?.time?.median)
                ),
                (
                  "mql_to_customer_median_days",
                  .number(g.report.journey("mql_to_customer")?.time?.median)
                ),
                (
                  "stage_median_days",
                  .object(g.report.stages.map { ($0.stage.rawValue, .number($0.time?.median)) })
                ),
              ])
            })
        ))
    }
    return .object(pairs)
  }
}
