import Foundation
import LeadLifecycle

/// The report names `leadboard report` knows.
let reportNames = [
  "funnel", "velocity", "stalls", "sla", "reps", "sources", "bottleneck", "forecast",
]

let reportCommand = CommandSpec(
  path: ["report"], arguments: "NAME",
  summary: "reports: \(reportNames.joined(separator: ", ")) (definitions in the README)",
  options: [
    dbOption, nowOption, jsonOption,
    OptionSpec(name: "--csv", value: nil, help: "print the report's table as CSV"),
    OptionSpec(
      name: "--from", value: "DATE", help: "only leads whose first touch is on or after DATE"),
    OptionSpec(
      name: "--to", value: "DATE", help: "only leads whose first touch is before the end of DATE"),
    OptionSpec(name: "--by", value: "DIM", help: "group by \(ReportDimension.names)"),
    OptionSpec(name: "--as-of", value: "TIME", help: "the report as it stood then, from the log"),
    OptionSpec(
      name: "--what-if", value: "PLAYBOOK",
      help: "re-run this playbook's rules over the same facts; show both side by side"),
    OptionSpec(
      name: "--svg", value: "FILE", help: "write a standalone SVG chart (funnel, velocity, sources)"
    ),
    OptionSpec(
      name: "--method", value: "M",
      help: "forecast probabilities: playbook (default) or measured"),
  ],
  run: { args in try runReport(args) })

/// A report rendered as one table (text and CSV) plus lines printed before and after it.
struct ReportTable {
  var header: [String]
  var rows: [[String]]
  var right: Set<Int> = []
  var before: [String] = []
  var after: [String] = []
}

func runReport(_ args: ParsedArguments) throws -> ExitCode {
  try args.expectPositionals(atMost: 1)
  let name = try args.positional(0, "NAME").lowercased()
  guard reportNames.contains(name) else {
    throw CLIError(
      .usage, "unknown report '\(name)' (known: \(reportNames.joined(separator: ", ")))")
  }
  if args.flag("--json") && args.flag("--csv") {
    throw CLIError(.usage, "--json and --csv exclude each other")
  }
  var dimension: ReportDimension?
  if let by = args.value("--by") {
    guard let d = ReportDimension.parse(by) else {
      throw CLIError(.usage, "--by: unknown dimension '\(by)' (known: \(ReportDimension.names))")
    }
    dimension = d
  }
  var method = ForecastReport.Method.playbook
  if let m = args.value("--method") {
    guard let v = ForecastReport.Method(rawValue: m) else {
      throw CLIError(.usage, "--method: expected playbook or measured, found '\(m)'")
    }
    method = v
  }
  if args.value("--svg") != nil && !["funnel", "velocity", "sources"].contains(name) {
    throw CLIError(.usage, "--svg is available on funnel, velocity and sources")
  }
  let from = try dateOption(args, "--from")
  var to = try dateOption(args, "--to")
  // A plain date includes the whole day.
  if let t = args.value("--to"), t.count == 10, let d = to { to = d.addingTimeInterval(86400) }
  let asOf = try dateOption(args, "--as-of")
  let other = try args.value("--what-if").map { try loadPlaybook(file: $0) }
  let store = try openStore(args)
  let now = try asOf ?? clock(args)
  // Reports read the leads' stored states; only a past instant, a what-if and the reports that
  // follow each event (sla, reps) replay the log.
  let input: ReportInput
  var log: [Event] = []
  if asOf != nil || other != nil || ["sla", "reps"].contains(name) {
    log = try storeCall { () throws(StoreError) in try store.allEvents(asOf: asOf) }
    var current = Pipeline(playbook: store.playbook)
    current.replay(log)
    input = ReportInput(pipeline: current, now: now, from: from, to: to)
  } else {
    let leads = try storeCall { () throws(StoreError) in try store.allLeads() }
    input = ReportInput(
      playbook: store.playbook, leads: leads, log: [], now: now, from: from, to: to)
  }

  if let other {
    let (p, refused) = WhatIf.rerun(log, playbook: other, until: now)
    let alt = ReportInput(pipeline: p, now: now, from: from, to: to)
    let a = WhatIfSummary(input)
    let b = WhatIfSummary(alt)
    if args.flag("--json") {
      Console.out(
        JSON.object([
          ("report", .string(name)), ("at", Present.time(now)),
          ("current_playbook", .string(store.playbook.name)),
          ("what_if_playbook", .string(other.name)),
          ("comparison", WhatIfSummary.comparison(a, b)),
          ("refused", .object(refused.keys.sorted().map { ($0, .int(refused[$0]!)) })),
          ("current", reportJSON(name, input, dimension, method)),
          ("what_if", reportJSON(name, alt, dimension, method)),
        ]).serialized(pretty: true))
      return .ok
    }
    var t = ReportTable(
      header: ["METRIC", "CURRENT", "WHAT-IF", "DIFFERENCE"],
      rows: zip(a.metrics, b.metrics).map { x, y in
        [
          x.0, num(x.1), num(y.1),
          x.1.flatMap { p in y.1.map { q in (q - p >= 0 ? "+" : "") + num(q - p) } } ?? "-",
        ]
      }, right: [1, 2, 3])
    t.before = [
      "what-if: \"\(other.name)\" against \"\(store.playbook.name)\" over the same facts, at \(ISO8601.format(now))"
    ]
    if !refused.isEmpty {
      t.after = [
        "facts the other rules refuse: "
          + refused.keys.sorted().map { "\($0) \(refused[$0]!)" }.joined(separator: ", ")
      ]
    }
    print(t, args)
    return .ok
  }

  if let svg = args.value("--svg") {
    let title = "\(name.capitalized) — \(store.playbook.name)"
    let chart: SVGChart
    switch name {
    case "funnel": chart = FunnelReport(input).chart(title: title)
    case "velocity": chart = VelocityReport(input).chart(title: title)
    default: chart = SourcesReport(input, by: dimension ?? .source).chart(title: title)
    }
    do {
      try AtomicFile.write(chart.svg, to: svg)
    } catch {
      throw CLIError(.badInput, "\(svg): cannot write: \(error)")
    }
  }
  if args.flag("--json") {
    Console.out(reportJSON(name, input, dimension, method).serialized(pretty: true))
    return .ok
  }
  print(reportTable(name, input, dimension, method), args)
  return .ok
}

/// The report's `--json`: `{report, at, leads, …the report's own shape}`.
func reportJSON(
  _ name: String, _ input: ReportInput, _ dim: ReportDimension?, _ method: ForecastReport.Method
)
  -> JSON
{
  let body: JSON
  switch name {
  case "funnel": body = FunnelReport(input).json
  case "velocity": body = VelocityReport(input, by: dim).json
  case "stalls": body = StallsReport(input).json
  case "sla": body = SLAReport(input).json
  case "reps": body = .object([("reps", RepsReport(input).json)])
  case "sources": body = SourcesReport(input, by: dim ?? .source).json
  case "bottleneck": body = BottleneckReport(input).json
  default: body = ForecastReport(input, method: method).json
  }
  var pairs: [(String, JSON)] = [
    ("report", .string(name)), ("at", Present.time(input.now)),
    ("from", Present.time(input.from)), ("to", Present.time(input.to)),
    ("cohort_leads", .int(input.leads.count)),
  ]
  pairs += body.members?.map { ($0.key, $0.value) } ?? []
  return .object(pairs)
}

func num(_ x: Double?) -> String {
  guard let x else { return "-" }
  return x == x.rounded() && abs(x) < 1e12 ? String(Int(x)) : String(format: "%.1f", x)
}

func pct(_ x: Double?) -> String { x.map { String(format: "%.1f %%", $0) } ?? "-" }

func range(_ r: NumberRange?, _ unit: String) -> String {
  r.map { "\(num($0.low))–\(num($0.high))\(unit)" } ?? "-"
}

/// A bar of `width` cells for `x` out of `max`.
func bar(_ x: Double?, max: Double, width: Int = 20) -> String {
  guard let x, max > 0 else { return "" }
  let cells = Int((Double(width) * Swift.min(1, Swift.max(0, x / max))).rounded())
  return String(repeating: "█", count: cells)
}

func reportTable(
  _ name: String, _ input: ReportInput, _ dim: ReportDimension?, _ method: ForecastReport.Method
)
  -> ReportTable
{
  let head = "\(input.leads.count) leads, at \(ISO8601.format(input.now))"
  switch name {
  case "funnel":
    let f = FunnelReport(input)
    var t = ReportTable(
      header: [
        "TRANSITION", "ENTERED", "CONVERTED", "DROPPED", "OPEN", "RATE", "", "BENCHMARK",
        "MEDIAN DAYS", "AVERAGE",
      ],
      rows: f.steps.map { s in
        [
          Transition.name(s.stage), String(s.counts.entered), String(s.counts.converted),
          String(s.counts.dropped), String(s.counts.open),
          pct(s.rate) + (s.rateFit.map { $0 == .inside ? "" : " (\($0.rawValue))" } ?? ""),
          bar(s.rate, max: 100), range(s.benchmark?.conversion, " %"), num(s.time?.median),
          range(s.benchmark?.averageDays, " d"),
        ]
      }, right: [1, 2, 3, 4, 5, 8])
    t.before = ["funnel: \(head)"]
    t.after = [
      "reached: "
        + Stage.allCases.filter { $0 >= .known }.map { "\($0) \(f.reached[$0] ?? 0)" }
        .joined(separator: ", ") + "; MQL → customer \(pct(f.reachRate(.mql, .customer)))",
      "rate = converted / (converted + dropped); open entries wait; skipped stages count as passed",
    ]
    return t
  case "velocity":
    let v = VelocityReport(input, by: dim)
    var t = ReportTable(
      header: [
        "STAGE", "N", "MEDIAN", "P75", "P90", "MEAN", "", "AVERAGE", "BEST", "SLOWER", "OPEN OVER",
      ],
      rows: v.stages.map { s in
        [
          Transition.name(s.stage), String(s.time?.count ?? 0), num(s.time?.median),
          num(s.time?.p75), num(s.time?.p90), num(s.time?.mean),
          bar(s.time?.median, max: s.benchmark?.averageDays?.high ?? (s.time?.p90 ?? 0)),
          range(s.benchmark?.averageDays, " d"), range(s.benchmark?.bestDays, " d"),
          String(s.slowerThanAverage), String(s.openOverAverage),
        ]
      }, right: [1, 2, 3, 4, 5, 9, 10])
    t.before = ["velocity (days in stage before moving on): \(head)"]
    t.after = v.journeys.map { j in
      "\(j.name.replacingOccurrences(of: "_", with: " ")): median \(num(j.time?.median)) d, p90 \(num(j.time?.p90)) d over \(j.time?.count ?? 0) customers"
        + (j.outOfOrder > 0 ? " (\(j.outOfOrder) won before the start, counted as 0 d)" : "")
    }
    if let dim {
      t.after.append("")
      t.after.append(
        Present.table(
          [dim.description.uppercased(), "LEADS", "CUSTOMERS", "TOUCH→CUSTOMER", "MQL→CUSTOMER"],
          v.groups.map { g in
            [
              g.name, String(g.leads), String(g.customers),
              num(g.report.journey("first_touch_to_customer")?.time?.median),
              num(g.report.journey("mql_to_customer")?.time?.median),
            ]
          }, rightAligned: [1, 2, 3, 4]))
    }
    return t
  case "stalls":
    let s = StallsReport(input)
    var t = ReportTable(
      header: ["STAGE", "OPEN", "STALLED", "RATE", "", "SNOOZED"] + StallsReport.bucketLabels,
      rows: s.stages.map { r in
        [
          r.stage.rawValue, String(r.open), String(r.stalled), pct(r.rate), bar(r.rate, max: 100),
          String(r.snoozed),
        ] + r.aging.map(String.init)
      }, right: Set([1, 2, 3, 5] + Array(6..<11)))
    t.before = ["stalls at \(ISO8601.format(input.now)) (\(input.leads.count) leads)"]
    t.after =
      [""]
      + s.blackHoles.filter { $0.stalled + $0.snoozed > 0 }.map { h in
        "\(h.hole.title): \(h.stalled) stalled, \(h.snoozed) snoozed — \(h.hole.suggestedAction)"
      }
    return t
  case "sla":
    let r = SLAReport(input)
    var t = ReportTable(
      header: [
        "REP", "ASSIGNED", "ACCEPTED", "MEDIAN MIN", "ON TIME", "BREACHES", "REASSIGNED AWAY",
        "COMPLIANCE",
      ],
      rows: r.reps.map { x in
        [
          x.rep, String(x.assigned), String(x.accepted), num(x.medianAcceptMinutes),
          String(x.acceptedOnTime), String(x.breaches), String(x.reassignedAway), pct(x.compliance),
        ]
      }, right: [1, 2, 3, 4, 5, 6, 7])
    t.before = [
      "MQL response SLA (target \(num(r.targetMinutes)) min): \(head)",
      "responses \(r.onTime + r.late): median \(num(r.responses?.median)) min, p90 \(num(r.responses?.p90)) min; compliance \(pct(r.compliance)) (\(r.onTime) on time, \(r.late) late, \(r.unansweredPastDue) unanswered past due, \(r.pending) pending)",
      "distribution: "
        + zip(SLAReport.bucketLabels, r.buckets).map { "\($0) \($1)" }.joined(separator: ", "),
      "breaches: "
        + (r.breaches.isEmpty
          ? "none"
          : r.breaches.keys.sorted().map { "\($0) \(r.breaches[$0]!)" }.joined(separator: ", "))
        + "; reassignments \(r.reassignments)",
      "",
    ]
    return t
  case "reps":
    let r = RepsReport(input)
    var t = ReportTable(
      header: [
        "REP", "ASSIGNED", "ACCEPTED", "MEDIAN ACCEPT MIN", "RECYCLE RATE", "SAL→SQL", "WON",
        "WON VALUE",
      ],
      rows: r.reps.map { x in
        [
          x.rep, String(x.assigned), String(x.accepted), num(x.medianAcceptMinutes),
          pct(x.recycleRate), pct(x.salToSQLRate), String(x.won), Present.money(x.wonValue),
        ]
      }, right: [1, 2, 3, 4, 5, 6, 7])
    t.before = ["reps: \(head)"]
    return t
  case "sources":
    let s = SourcesReport(input, by: dim ?? .source)
    let top = s.groups.compactMap { $0.rate(.customer) }.max() ?? 0
    var t = ReportTable(
      header: [
        s.dimension.description.uppercased(), "LEADS", "MQL", "SAL", "SQL", "OPP", "CUSTOMER", "",
        "DAYS TO WIN", "WON VALUE",
      ],
      rows: s.groups.map { g in
        [g.name, String(g.leads)] + SourcesReport.stages.map { pct(g.rate($0)) } + [
          bar(g.rate(.customer), max: top, width: 12), num(g.medianDaysToCustomer),
          Present.money(g.wonValue),
        ]
      }, right: [1, 2, 3, 4, 5, 6, 8, 9])
    t.before = ["sources (share of leads that reached each stage): \(head)"]
    return t
  case "bottleneck":
    let b = BottleneckReport(input)
    var t = ReportTable(
      header: [
        "TRANSITION", "RATE", "BENCHMARK", "MEDIAN DAYS", "AVERAGE", "RATE SHORT", "TIME OVER",
        "SCORE",
      ],
      rows: b.rows.map { r in
        [
          Transition.name(r.stage), pct(r.rate), range(r.conversion, " %"), num(r.medianDays),
          range(r.averageDays, " d"), String(format: "%.2f", r.rateShortfall),
          String(format: "%.2f", r.timeExcess), String(format: "%.2f", r.score),
        ]
      }, right: [1, 3, 5, 6, 7])
    t.before = ["bottleneck (ranked by how far below the benchmarks): \(head)"]
    if let p = b.principal, let h = p.blackHole {
      t.after =
        ["", "principal black hole: \(h.title)"] + b.evidence(p).map { "  - \($0)" } + [
          "  fix: \(h.seedFix)"
        ]
    } else {
      t.after = ["", "no transition falls below its benchmarks"]
    }
    return t
  default:
    let f = ForecastReport(input, method: method)
    var t = ReportTable(
      header: ["MONTH", "DEALS", "COMMIT", "WEIGHTED", "BEST CASE"],
      rows: (f.months + [f.total]).map { m in
        [
          m.month, String(m.deals), Present.money(m.commit), Present.money(m.weighted),
          Present.money(m.bestCase),
        ]
      }, right: [1, 2, 3, 4])
    t.before = [
      "forecast (\(f.method.rawValue) probabilities: "
        + f.probabilities.keys.sorted().map {
          "\($0) \(String(format: "%.0f %%", 100 * f.probabilities[$0]!))"
        }
        .joined(separator: ", ") + "): \(head)"
    ]
    return t
  }
}

/// Prints a report table as text (with its surrounding lines) or, with `--csv`, as CSV.
private func print(_ t: ReportTable, _ args: ParsedArguments) {
  if args.flag("--csv") {
    let lines = ([t.header] + t.rows).map { $0.map(csvField).joined(separator: ",") }
    Console.out(lines.joined(separator: "\n"))
    return
  }
  for l in t.before { Console.out(l) }
  Console.out(Present.table(t.header, t.rows, rightAligned: t.right))
  for l in t.after { Console.out(l) }
}

/// A CSV field (RFC 4180), with spreadsheet formulas neutralised; bars left out.
func csvField(_ s: String) -> String {
  var v = s
  if v.contains("█") { v = v.replacingOccurrences(of: "█", with: "") }
  if let f = v.first, "=+-@".contains(f), Double(v) == nil { v = "'" + v }
  if v.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
    return "\"" + v.replacingOccurrences(of: "\"", with: "\"\"") + "\""
  }
  return v
}
