import Foundation

/// Re-runs another playbook's rules over the external facts of a log.
///
/// External facts are the events whose actor is not `rules`, in log order. Those of a
/// rule-outcome type (an import's stage history) are facts from another system and are folded
/// as recorded; every other one is appended through the new rules, which may refuse it (an
/// accept of a lead that is no MQL under the new threshold): refusals are counted by type.
/// The time-driven rules tick at the times the original log's ticks left outcomes, plus every
/// hour on the same phase, each before the events at or after it: a log built by hourly ticks
/// (the demo, a live store) is reproduced exactly by its own playbook.
public enum WhatIf {
  /// The pipeline the facts of `log` give under `playbook`, up to `now`, and the refusals.
  public static func rerun(_ log: [Event], playbook: Playbook, until now: Date)
    -> (pipeline: Pipeline, refused: [String: Int])
  {
    var p = Pipeline(playbook: playbook)
    var refused: [String: Int] = [:]
    var ticks = Set<Date>()
    for e in log where e.actor == Event.rulesActor && (e.cause?.hasPrefix("tick:") ?? false) {
      ticks.insert(e.at)
    }
    if let phase = ticks.min(), let first = log.map(\.at).min() {
      var t = phase.addingTimeInterval(
        -3600 * (phase.timeIntervalSince(first) / 3600).rounded(.down))
      while t <= now {
        ticks.insert(t)
        t = t.addingTimeInterval(3600)
      }
    }
    let schedule = ticks.filter { $0 <= now }.sorted()
    var next = 0
    for e in log where e.actor != Event.rulesActor && e.at <= now {
      while next < schedule.count, schedule[next] <= e.at {
        p.tick(at: schedule[next])
        next += 1
      }
      if EventType.ruleOutcomes.contains(e.type) {
        p.replay([e])
      } else {
        do { try p.append(e) } catch { refused[e.type.rawValue, default: 0] += 1 }
      }
    }
    while next < schedule.count {
      p.tick(at: schedule[next])
      next += 1
    }
    return (p, refused)
  }
}

/// The headline numbers a what-if compares.
public struct WhatIfSummary: Sendable, Equatable {
  /// Leads that reached MQL (or later).
  public var mqls: Int
  /// MQL → SAL decided rate, percent.
  public var acceptRate: Double?
  /// Median days in each stage (entries that moved on).
  public var medianDays: [Stage: Double]
  /// Median first touch → customer, days.
  public var firstTouchToCustomer: Double?
  public var customers: Int
  /// Stalled (not snoozed) at the clock.
  public var stalled: Int

  public init(_ input: ReportInput) {
    let funnel = FunnelReport(input)
    let velocity = VelocityReport(input)
    mqls = funnel.reached[.mql] ?? 0
    acceptRate = funnel.steps.first { $0.stage == .mql }?.rate
    customers = funnel.reached[.customer] ?? 0
    var m: [Stage: Double] = [:]
    for s in velocity.stages { if let d = s.time?.median { m[s.stage] = d } }
    medianDays = m
    firstTouchToCustomer = velocity.journey("first_touch_to_customer")?.time?.median
    stalled = StallsReport(input).totalStalled
  }

  /// Named numbers in a fixed order, for side-by-side output.
  public var metrics: [(String, Double?)] {
    [
      ("mqls", Double(mqls)), ("accept_rate", acceptRate),
      ("customers", Double(customers)),
      ("first_touch_to_customer_days", firstTouchToCustomer),
    ] + Transition.stages.map { ("median_days_\($0.rawValue)", medianDays[$0]) } + [
      ("stalled", Double(stalled))
    ]
  }

  /// `{name: {current, what_if, difference}}` for `current` against `other`.
  public static func comparison(_ current: WhatIfSummary, _ other: WhatIfSummary) -> JSON {
    .object(
      zip(current.metrics, other.metrics).map { a, b in
        (
          a.0,
          .object([
            ("current", .number(a.1)), ("what_if", .number(b.1)),
            ("difference", .number(a.1.flatMap { x in b.1.map { $0 - x } })),
          ])
        )
      })
  }
}
