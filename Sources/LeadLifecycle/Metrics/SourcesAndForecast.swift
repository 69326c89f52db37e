import Foundation

/// One group of `report sources`.
public struct SourceGroup: Sendable, Equatable {
  public var name: String
  /// Leads of the cohort in the group.
  public var leads: Int
  /// Distinct leads that reached each stage or a later one.
  public var reached: [Stage: Int]
  /// Median days from first touch to customer.
  public var medianDaysToCustomer: Double?
  /// Customers (leads whose stage is `customer`) and the sum of their deal values.
  public var customers: Int
  public var wonValue: Double

  /// reached(stage) / leads, percent.
  public func rate(_ stage: Stage) -> Double? {
    leads == 0 ? nil : 100 * Double(reached[stage] ?? 0) / Double(leads)
  }
}

/// `report sources`: per source (or campaign, or any dimension): volume, conversion to each
/// stage, velocity and won value.
///
/// Definitions: volume is the cohort's leads in the group; *conversion to a stage* is the share
/// of them that reached it or a later one (skipped stages count as reached; a recycled lead
/// counts once); velocity is the median first touch → customer in days; won value is the sum
/// of the opportunity values of the group's customers. Blank values group as `unknown`.
public struct SourcesReport: Sendable, Equatable {
  public static let stages: [Stage] = [.mql, .sal, .sql, .opportunity, .customer]
  public var dimension: ReportDimension
  public var groups: [SourceGroup]

  public init(_ input: ReportInput, by dimension: ReportDimension = .source) {
    self.dimension = dimension
    groups = input.groups(by: dimension).map { name, members in
      var reached: [Stage: Int] = [:]
      for l in members {
        for s in SourcesReport.stages where l.reached(s) { reached[s, default: 0] += 1 }
      }
      let customers = members.filter { $0.stage == .customer }
      return SourceGroup(
        name: name, leads: members.count, reached: reached,
        medianDaysToCustomer: VelocityReport.journey("first_touch_to_customer", members) {
          $0.createdAt
        }.time?.median,
        customers: customers.count,
        wonValue: customers.reduce(0) { $0 + ($1.opportunity?.value ?? 0) })
    }
  }

  /// The documented `--json` shape.
  public var json: JSON {
    .object([
      ("by", .string(dimension.description)),
      (
        "groups",
        .array(
          groups.map { g in
            .object([
              ("name", .string(g.name)), ("leads", .int(g.leads)),
              (
                "reached",
                .object(SourcesReport.stages.map { ($0.rawValue, .int(g.reached[$0] ?? 0)) })
              ),
              (
                "rates",
                .object(SourcesReport.stages.map { ($0.rawValue, .number(g.rate($0), places: 2)) })
              ),
              ("customers", .int(g.customers)),
              ("median_days_to_customer", .number(g.medianDaysToCustomer)),
              ("won_value", .number(g.wonValue, places: 2)),
            ])
          })
      ),
    ])
  }
}

/// One transition's distance from its benchmarks (`report bottleneck`).
public struct BottleneckRow: Sendable, Equatable {
  public var stage: Stage
  public var rate: Double?
  public var conversion: NumberRange?
  public var medianDays: Double?
  public var averageDays: NumberRange?
  /// (benchmark low − rate) / benchmark low, when the rate is below the range; else 0.
  public var rateShortfall: Double
  /// (median − average high) / average high, when the median is above the range; else 0.
  public var timeExcess: Double
  /// rateShortfall + timeExcess: how far below the benchmarks the transition falls.
  public var score: Double { rateShortfall + timeExcess }
  public var blackHole: BlackHole? { BlackHole.forStage(stage) }
}

/// `report bottleneck`: transitions ranked by how far they fall below the benchmarks, in rate
/// (relative shortfall under the conversion range's low end) plus time (relative excess over
/// the average range's high end); the first with a positive score is the principal black hole,
/// named with its evidence (rate, median time, leads stalled in it now) and the seed's fix.
public struct BottleneckReport: Sendable, Equatable {
  public var rows: [BottleneckRow]
  /// Stalled (not snoozed) leads per black hole at the report's clock.
  public var stalled: [BlackHole: Int]

  public init(_ input: ReportInput) {
    let funnel = FunnelReport(input)
    let stalls = StallsReport(input)
    stalled = Dictionary(uniqueKeysWithValues: stalls.blackHoles.map { ($0.hole, $0.stalled) })
    rows = funnel.steps.map { s in
      let b = s.benchmark
      var shortfall = 0.0
      if let r = s.rate, let c = b?.conversion, r < c.low, c.low > 0 {
        shortfall = (c.low - r) / c.low
      }
      var excess = 0.0
      if let m = s.time?.median, let a = b?.averageDays, m > a.high, a.high > 0 {
        excess = (m - a.high) / a.high
      }
      return BottleneckRow(
        stage: s.stage, rate: s.rate, conversion: b?.conversion, medianDays: s.time?.median,
        averageDays: b?.averageDays, rateShortfall: shortfall, timeExcess: excess)
    }.sorted { ($0.score, $1.stage.rank) > ($1.score, $0.stage.rank) }
  }

  /// The worst transition, when one falls below its benchmarks.
  public var principal: BottleneckRow? { rows.first.flatMap { $0.score > 0 ? $0 : nil } }

  /// The evidence for `row`, in words.
  public func evidence(_ row: BottleneckRow) -> [String] {
    var out: [String] = []
    if let r = row.rate {
      let range = row.conversion.map { " (benchmark \(fmt($0.low))–\(fmt($0.high)) %)" } ?? ""
      out.append("conversion \(fmt(r)) %\(range)")
    }
    if let m = row.medianDays {
      let range = row.averageDays.map { " (benchmark \(fmt($0.low))–\(fmt($0.high)) d)" } ?? ""
      out.append("median \(fmt(m)) d in stage\(range)")
    }
    if let h = row.blackHole { out.append("\(stalled[h] ?? 0) leads stalled in it now") }
    return out
  }

  /// The documented `--json` shape.
  public var json: JSON {
    func row(_ r: BottleneckRow) -> JSON {
      .object([
        ("from", .string(r.stage.rawValue)), ("to", .string(r.stage.next!.rawValue)),
        ("rate", .number(r.rate, places: 2)), ("benchmark_conversion", rangeJSON(r.conversion)),
        ("median_days", .number(r.medianDays)),
        ("benchmark_average_days", rangeJSON(r.averageDays)),
        ("rate_shortfall", .number(r.rateShortfall)), ("time_excess", .number(r.timeExcess)),
        ("score", .number(r.score)), ("black_hole", .optional(r.blackHole?.rawValue)),
        ("stalled_now", .int(r.blackHole.flatMap { stalled[$0] } ?? 0)),
      ])
    }
    return .object([
      ("ranking", .array(rows.map(row))),
      (
        "principal",
        principal.map { p in
          .object([
            ("from", .string(p.stage.rawValue)), ("to", .string(p.stage.next!.rawValue)),
            ("black_hole", .optional(p.blackHole?.rawValue)),
            ("title", .optional(p.blackHole?.title)),
            ("evidence", .array(evidence(p).map { .string($0) })),
            ("fix", .optional(p.blackHole?.seedFix)),
          ])
        } ?? .null
      ),
    ])
  }
}

extension BlackHole {
  /// The seed's fix for the black hole, in full.
  public var seedFix: String {
    switch self {
    case .noFollowUp:
      return
        "agree the MQL definition, set a response SLA, assign automatically, track and report follow-up speed"
    case .noContact:
      return
        "verify contact data, attempt on several channels, recycle after the agreed attempts without contact"
    case .opportunityGap:
      return
        "explicit opportunity entry criteria, pipeline reviews, re-qualification"
    case .agingOpportunity:
      return
        "realistic close dates, regular reviews, clear won / lost / recycle criteria, deal-aging metrics"
    case .nurtureStall:
      return "review the nurture track, the scoring model and the MQL threshold"
    }
  }
}

func fmt(_ x: Double) -> String {
  x == x.rounded() && abs(x) < 1e9 ? String(Int(x)) : String(format: "%.1f", x)
}

/// One month of `report forecast`.
public struct ForecastMonth: Sendable, Equatable {
  /// `2026-12`, or `overdue` (close date before the clock), or `unscheduled` (no close date).
  public var month: String
  public var deals: Int
  /// Best case: every open deal in the month closes (the unweighted value).
  public var bestCase: Double
  /// Σ value × win probability.
  public var weighted: Double
  /// Deals with a signed contract (only the won step is missing).
  public var commit: Double
}

/// `report forecast`: the weighted pipeline by expected close month.
///
/// Definitions: open leads of the cohort in `sql` or `opportunity` with a deal value; the month
/// is the opportunity's expected close date (UTC); a close date before the clock goes to
/// `overdue`, none to `unscheduled`. The probability is the stage's `winProbability` from the
/// playbook, or (`measured`) the product of the measured decided rates from the stage to
/// customer. Weighted = Σ value × probability; best case = Σ value; commit = Σ value of deals
/// whose contract is signed.
public struct ForecastReport: Sendable, Equatable {
  public enum Method: String, Sendable { case playbook, measured }
  public var method: Method
  public var probabilities: [Stage: Double]
  public var months: [ForecastMonth]

  public init(_ input: ReportInput, method: Method = .playbook) {
    self.method = method
    var p: [Stage: Double] = [:]
    switch method {
    case .playbook:
      for s in [Stage.sql, .opportunity] { p[s] = input.playbook.stage(s).winProbability ?? 0 }
    case .measured:
      let funnel = FunnelReport(input)
      func rate(_ s: Stage) -> Double { (funnel.steps.first { $0.stage == s }?.rate ?? 0) / 100 }
      p[.opportunity] = rate(.opportunity)
      p[.sql] = rate(.sql) * rate(.opportunity)
    }
    probabilities = p
    var byMonth: [String: ForecastMonth] = [:]
    var cal = Calendar(identifier: .gregorian)
    cal.timeZone = TimeZone(identifier: "UTC")!
    for l in input.leads where l.isOpen && (l.stage == .sql || l.stage == .opportunity) {
      guard let value = l.opportunity?.value, value > 0 else { continue }
      let key: String
      if let d = l.opportunity?.closeDate {
        if d < input.now {
          key = "overdue"
        } else {
          let c = cal.dateComponents([.year, .month], from: d)
          key = String(format: "%04d-%02d", c.year!, c.month!)
        }
      } else {
        key = "unscheduled"
      }
      var m =
        byMonth[key] ?? ForecastMonth(month: key, deals: 0, bestCase: 0, weighted: 0, commit: 0)
      m.deals += 1
      m.bestCase += value
      m.weighted += value * (p[l.stage] ?? 0)
      if l.contract != nil { m.commit += value }
      byMonth[key] = m
    }
    months = byMonth.values.sorted { a, b in
      func order(_ k: String) -> String { k == "overdue" ? "0" : (k == "unscheduled" ? "9" : k) }
      return order(a.month) < order(b.month)
    }
  }

  /// Totals over every month.
  public var total: ForecastMonth {
    months.reduce(ForecastMonth(month: "total", deals: 0, bestCase: 0, weighted: 0, commit: 0)) {
      ForecastMonth(
        month: "total", deals: $0.deals + $1.deals, bestCase: $0.bestCase + $1.bestCase,
        weighted: $0.weighted + $1.weighted, commit: $0.commit + $1.commit)
    }
  }

  /// The documented `--json` shape.
  public var json: JSON {
    func m(_ x: ForecastMonth) -> JSON {
      .object([
        ("month", .string(x.month)), ("deals", .int(x.deals)),
        ("commit", .number(x.commit, places: 2)), ("weighted", .number(x.weighted, places: 2)),
        ("best_case", .number(x.bestCase, places: 2)),
      ])
    }
    return .object([
      ("method", .string(method.rawValue)),
      (
        "probabilities",
        .object(
          probabilities.keys.sorted().map { ($0.rawValue, .number(probabilities[$0]!, places: 4)) })
      ),
      ("months", .array(months.map(m))),
      ("total", m(total)),
    ])
  }
}
