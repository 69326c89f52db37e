import Foundation

/// Where a measured value sits against a benchmark range.
public enum BenchmarkFit: String, Sendable, Equatable {
  case below, inside, above

  /// Nil when either side is missing.
  public static func of(_ x: Double?, _ range: NumberRange?) -> BenchmarkFit? {
    guard let x, let range else { return nil }
    return x < range.low ? .below : (x > range.high ? .above : .inside)
  }
}

/// One transition of the funnel report (`mql → sal`).
public struct FunnelStep: Sendable, Equatable {
  /// Counts as `Funnel.conversions` defines them (entries, converted, dropped, open).
  public var counts: StageConversion
  /// converted / (converted + dropped), percent; nil when nothing is decided.
  public var rate: Double? { counts.decidedRate }
  /// converted / entered, percent (open entries count as not converted).
  public var cohortRate: Double? {
    counts.entered == 0 ? nil : 100 * Double(counts.converted) / Double(counts.entered)
  }
  /// Days from entering the stage to entering the next one, over converted entries that have
  /// an entry time of their own (skipped stages have none).
  public var time: Distribution?
  public var benchmark: Benchmark?
  /// The decided rate against the benchmark's conversion range.
  public var rateFit: BenchmarkFit? { BenchmarkFit.of(rate, benchmark?.conversion) }
  /// The median time against the benchmark's average range.
  public var timeFit: BenchmarkFit? { BenchmarkFit.of(time?.median, benchmark?.averageDays) }
  public var stage: Stage { counts.stage }
}

/// `report funnel`: per transition, entries, conversions, the decided rate and the median time,
/// against the playbook's (the seed's) ranges; and how many leads reached each stage.
///
/// Definitions (those of `Funnel.conversions`): every entry into a stage counts once (a recycled
/// lead that comes back counts again); it converts when the next stage entered is later in the
/// funnel, and a lead that skipped stages counts as having entered and passed the skipped ones;
/// it drops when the lead went back to `known` or was closed (lost, disqualified) in the stage;
/// otherwise it is open. The rate is converted / (converted + dropped): open entries wait.
public struct FunnelReport: Sendable, Equatable {
  public var leads: Int
  /// Distinct leads that reached each stage or a later one (skipped stages count as reached).
  public var reached: [Stage: Int]
  public var steps: [FunnelStep]

  public init(_ input: ReportInput) {
    leads = input.leads.count
    let conversions = Funnel.conversions(input.leads)
    var times: [Stage: [Double]] = [:]
    var reached: [Stage: Int] = [:]
    for lead in input.leads {
      for (stage, d) in lead.conversionDays() { times[stage, default: []].append(d) }
      if let top = lead.furthestStage {
        for s in Stage.allCases where s >= .known && s <= top { reached[s, default: 0] += 1 }
      }
    }
    self.reached = reached
    steps = Transition.stages.map { s in
      FunnelStep(
        counts: conversions[s]!, time: Distribution(times[s] ?? []),
        benchmark: input.playbook.stage(s).benchmark)
    }
  }

  /// Leads that reached `b` as a percentage of those that reached `a` (`mql` → `customer`).
  public func reachRate(_ a: Stage, _ b: Stage) -> Double? {
    let n = reached[a] ?? 0
    return n == 0 ? nil : 100 * Double(reached[b] ?? 0) / Double(n)
  }

  /// The documented `--json` shape.
  public var json: JSON {
    .object([
      ("leads", .int(leads)),
      (
        "reached",
        .object(
          Stage.allCases.filter { $0 >= .known }.map { ($0.rawValue, .int(reached[$0] ?? 0)) })
      ),
      ("mqls", .int(reached[.mql] ?? 0)),
      ("customers", .int(reached[.customer] ?? 0)),
      ("mql_to_customer_rate", .number(reachRate(.mql, .customer), places: 2)),
      (
        "transitions",
        .array(
          steps.map { s in
            .object([
              ("from", .string(s.stage.rawValue)), ("to", .string(s.stage.next!.rawValue)),
              ("entered", .int(s.counts.entered)), ("converted", .int(s.counts.converted)),
              ("dropped", .int(s.counts.dropped)), ("open", .int(s.counts.open)),
              ("rate", .number(s.rate, places: 2)),
              ("cohort_rate", .number(s.cohortRate, places: 2)),
              ("median_days", .number(s.time?.median)),
              ("benchmark_conversion", rangeJSON(s.benchmark?.conversion)),
              ("benchmark_average_days", rangeJSON(s.benchmark?.averageDays)),
              ("rate_vs_benchmark", .optional(s.rateFit?.rawValue)),
              ("time_vs_benchmark", .optional(s.timeFit?.rawValue)),
            ])
          })
      ),
    ])
  }
}

/// `[low, high]` or null.
func rangeJSON(_ r: NumberRange?) -> JSON {
  r.map { .array([.number($0.low), .number($0.high)]) } ?? .null
}
