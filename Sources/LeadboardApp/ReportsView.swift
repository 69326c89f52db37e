import Foundation
import LeadLifecycle
import TerminalKit

/// What the Reports view shows, computed from the whole log (so only while the view is open,
/// and at most every `ReportsModel.refreshInterval` on live changes).
public struct ReportsModel: Sendable, Equatable {
  public var funnel: FunnelReport
  public var velocity: VelocityReport
  /// MQLs entered per week, oldest first (the last 12 weeks).
  public var weeklyMQLs: [Double]
  /// Share of MQLs per week whose response SLA was met, percent.
  public var weeklySLA: [Double]
  /// Per dimension value: leads, MQLs reached, customers.
  public var groups: [ReportGroup]
  public var computedAt: Date

  public static let refreshInterval: TimeInterval = 10

  /// Builds the model from a log replayed as it stands at `now`.
  public init(playbook: Playbook, log: [Event], now: Date, dimension: ReportDimension?) {
    var pipeline = Pipeline(playbook: playbook)
    pipeline.replay(log)
    let input = ReportInput(pipeline: pipeline, now: now)
    funnel = FunnelReport(input)
    velocity = VelocityReport(input)
    computedAt = now
    let week = 7 * 86400.0
    var mqls = Array(repeating: 0.0, count: 12)
    var breached = Array(repeating: 0.0, count: 12)
    // Week 11 is the seven days up to and including now; week 0 began twelve weeks ago.
    func bucket(_ d: Date) -> Int? {
      let age = now.timeIntervalSince(d)
      guard age >= 0 else { return nil }
      let i = 11 - Int(age / week)
      return i >= 0 ? i : nil
    }
    for lead in input.leads {
      for e in lead.history where e.stage == .mql { if let i = bucket(e.at) { mqls[i] += 1 } }
    }
    for e in log {
      if case .slaBreached(.mql, _, _) = e.payload, let i = bucket(e.at) { breached[i] += 1 }
    }
    weeklyMQLs = mqls
    weeklySLA = zip(mqls, breached).map { m, b in m == 0 ? 100 : max(0, 100 * (1 - b / m)) }
    groups = (dimension.map { input.groups(by: $0) } ?? []).map { name, leads in
      ReportGroup(
        name: name, leads: leads.count,
        mqls: leads.filter { $0.history.contains { $0.stage >= .mql } }.count,
        customers: leads.filter { $0.stage == .customer }.count)
    }
  }
}

/// One line of the by-dimension table.
public struct ReportGroup: Sendable, Equatable {
  public var name: String
  public var leads: Int
  public var mqls: Int
  public var customers: Int
}

/// The dimensions `b` cycles through in the Reports view.
let reportDimensions: [ReportDimension?] = [nil, .source, .owner, .team, .segment]

/// Funnel bars and velocity against the seed's benchmarks, weekly sparklines of MQL volume and
/// SLA compliance, and a table by the chosen dimension.
enum ReportsView {
  static func draw(_ state: AppState, _ ctx: RenderContext, _ buf: inout ScreenBuffer, _ body: Rect)
  {
    let s = state.strings
    guard let model = state.data.reports else {
      buf.put(" " + s.computing, x: body.x, y: body.y + 1, style: ctx.theme["muted"])
      return
    }
    var y = body.y
    let labelW = 14
    let barW = max(10, body.width / 3)
    buf.put(
      " \(s.funnelTitle) (\(model.funnel.leads) \(s.leadsWord))", x: body.x, y: y,
      style: ctx.theme["header"])
    y += 1
    let maxEntered = Double(model.funnel.steps.map(\.counts.entered).max() ?? 1)
    for step in model.funnel.steps where step.stage != .visitor && step.stage != .customer {
      guard y < body.maxY - 8 else { break }
      buf.field(
        ctx.playbook.label(step.stage), x: body.x + 1, y: y, width: labelW, style: ctx.theme["text"]
      )
      buf.bar(
        value: Double(step.counts.entered), maximum: maxEntered, x: body.x + labelW + 2, y: y,
        width: barW,
        style: ctx.theme["bar"], glyphs: ctx.glyphs)
      var x = body.x + labelW + 3 + barW
      x += buf.put("\(step.counts.entered)", x: x, y: y, style: ctx.theme["text"])
      if let rate = step.rate {
        let fit = step.rateFit
        let style =
          fit == .below
          ? ctx.theme["sla.breach"] : fit == .above ? ctx.theme["sla.ok"] : ctx.theme["score"]
        x += buf.put(String(format: "  → %.1f%%", rate), x: x, y: y, style: style)
      }
      if let c = step.benchmark?.conversion {
        buf.put(
          String(format: "  (%@ %.0f–%.0f%%)", s.benchmarkWord, c.low, c.high), x: x, y: y,
          style: ctx.theme["bar.benchmark"],
          maxWidth: max(0, body.maxX - x))
      }
      y += 1
    }
    y += 1
    buf.put(" \(s.velocityTitle)", x: body.x, y: y, style: ctx.theme["header"])
    y += 1
    let maxDays =
      model.velocity.stages.compactMap { v in
        max(v.time?.median ?? 0, v.benchmark?.averageDays?.high ?? 0)
      }.max() ?? 1
    for v in model.velocity.stages where v.stage != .visitor && v.stage != .customer {
      guard y < body.maxY - 4 else { break }
      buf.field(
        ctx.playbook.label(v.stage), x: body.x + 1, y: y, width: labelW, style: ctx.theme["text"])
      if let avg = v.benchmark?.averageDays {
        // The benchmark range as a dim band under the bar.
        let from = Int(Double(barW) * avg.low / max(1, maxDays))
        let to = Int(Double(barW) * avg.high / max(1, maxDays))
        for x in from..<max(from + 1, to) where x < barW {
          buf.put(
            ctx.glyphs == .ascii ? "." : "░", x: body.x + labelW + 2 + x, y: y,
            style: ctx.theme["bar.benchmark"])
        }
      }
      let median = v.time?.median ?? 0
      buf.bar(
        value: median, maximum: max(1, maxDays), x: body.x + labelW + 2, y: y, width: barW,
        style: ctx.theme["bar"], glyphs: ctx.glyphs)
      let fit = v.medianFit
      let style =
        fit == .above
        ? ctx.theme["sla.breach"] : fit == .below ? ctx.theme["sla.ok"] : ctx.theme["text"]
      var text = v.time.map { String(format: "%.1f %@", $0.median, s.days) } ?? "—"
      if let a = v.benchmark?.averageDays {
        text += String(format: "  (%@ %.0f–%.0f %@)", s.benchmarkWord, a.low, a.high, s.days)
      }
      buf.put(
        text, x: body.x + labelW + 3 + barW, y: y, style: style,
        maxWidth: max(0, body.maxX - (body.x + labelW + 3 + barW)))
      y += 1
    }
    y += 1
    if y < body.maxY - 1 {
      buf.put(" \(s.weeklyMQLs) ", x: body.x, y: y, style: ctx.theme["header"])
      buf.put(
        sparkline(model.weeklyMQLs, glyphs: ctx.glyphs), x: body.x + 26, y: y,
        style: ctx.theme["spark"])
      buf.put(
        "  \(Int(model.weeklyMQLs.last ?? 0))", x: body.x + 38, y: y, style: ctx.theme["muted"])
      y += 1
      buf.put(" \(s.weeklySLA) ", x: body.x, y: y, style: ctx.theme["header"])
      buf.put(
        sparkline(model.weeklySLA, glyphs: ctx.glyphs), x: body.x + 26, y: y,
        style: ctx.theme["spark"])
      buf.put(
        String(format: "  %.0f%%", model.weeklySLA.last ?? 0), x: body.x + 38, y: y,
        style: ctx.theme["muted"])
      y += 2
    }
    // The by-dimension table (key b).
    let dim = reportDimensions[state.reportDimension % reportDimensions.count]
    let title = dim.map { "\(s.byWord) \($0)" } ?? "\(s.byWord) —"
    guard y < body.maxY else { return }
    buf.put(" \(title)  (b)", x: body.x, y: y, style: ctx.theme["header"])
    y += 1
    for g in model.groups {
      guard y < body.maxY else { break }
      buf.field(g.name, x: body.x + 1, y: y, width: 20, style: ctx.theme["text"])
      buf.put(
        "\(g.leads) leads  \(g.mqls) MQL  \(g.customers) \(s.customersWord)", x: body.x + 22, y: y,
        style: ctx.theme["muted"],
        maxWidth: max(0, body.width - 23))
      y += 1
    }
  }
}
