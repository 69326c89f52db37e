import Foundation
import LeadLifecycle
import TerminalKit

/// Everything a view needs besides the state: the playbook (labels, rules), the theme and the
/// glyphs for this terminal.
public struct RenderContext: Sendable {
  public var playbook: Playbook
  public var engine: LifecycleEngine
  public var theme: Theme
  public var glyphs: Glyphs
  public var keymap: Keymap

  public init(
    playbook: Playbook, theme: Theme = ThemeLoader.dark, glyphs: Glyphs = .unicode,
    keymap: Keymap = .standard
  ) {
    self.playbook = playbook
    engine = LifecycleEngine(playbook: playbook)
    self.theme = theme
    self.glyphs = glyphs
    self.keymap = keymap
  }
}

/// The smallest terminal the dashboard draws in; below it a clear message says so.
public let minimumSize = Size(width: 60, height: 16)

/// Renders the whole screen for `state`. Pure: the same state gives the same buffer.
public func render(_ state: AppState, _ ctx: RenderContext) -> ScreenBuffer {
  var buf = ScreenBuffer(
    width: state.size.width, height: state.size.height, fill: Cell(" ", style: ctx.theme["text"]))
  guard state.size.width >= minimumSize.width, state.size.height >= minimumSize.height else {
    tooSmall(state, ctx, &buf)
    return buf
  }
  let (top, rest) = buf.area.splitTop(1)
  let (bottom, body) = rest.splitBottom(1)
  titleBar(state, ctx, &buf, top)
  switch state.view {
  case .board: BoardView.draw(state, ctx, &buf, body)
  case .queue: QueueView.draw(state, ctx, &buf, body)
  case .alerts: AlertsView.draw(state, ctx, &buf, body)
  case .lead: LeadView.draw(state, ctx, &buf, body)
  case .reports: ReportsView.draw(state, ctx, &buf, body)
  }
  statusLine(state, ctx, &buf, bottom)
  if let overlay = state.overlay { Overlays.draw(overlay, state, ctx, &buf, body) }
  return buf
}

private func tooSmall(_ state: AppState, _ ctx: RenderContext, _ buf: inout ScreenBuffer) {
  let s = state.strings
  let lines = [
    "leadboard", s.tooSmall, "\(minimumSize.width)×\(minimumSize.height)",
    "(\(state.size.width)×\(state.size.height))",
  ]
  let top = max(0, (state.size.height - lines.count) / 2)
  for (i, line) in lines.enumerated() where top + i < state.size.height {
    let w = min(state.size.width, DisplayWidth.of(line))
    buf.put(
      line, x: max(0, (state.size.width - w) / 2), y: top + i,
      style: i == 0 ? ctx.theme["header"] : ctx.theme["text"], maxWidth: state.size.width)
  }
}

private func titleBar(_ state: AppState, _ ctx: RenderContext, _ buf: inout ScreenBuffer, _ r: Rect)
{
  let s = state.strings
  buf.fill(r, with: Cell(" ", style: ctx.theme["title"]))
  var x = r.x + buf.put(" leadboard ", x: r.x, y: r.y, style: ctx.theme["title"].with(.bold))
  for v in ViewID.allCases {
    let label = " \(v.rawValue) \(v.title(s)) "
    x += buf.put(
      label, x: x, y: r.y, style: v == state.view ? ctx.theme["tab.active"] : ctx.theme["title"],
      maxWidth: max(0, r.maxX - x))
  }
  let second = Date(timeIntervalSince1970: state.now.timeIntervalSince1970.rounded(.down))
  var right = ISO8601.format(second).replacingOccurrences(of: "T", with: " ")
    .replacingOccurrences(of: "Z", with: " UTC")
  if let me = state.me { right = "\(me)  " + right }
  guard state.offline != nil else {
    let w = DisplayWidth.of(right) + 1
    if r.maxX - w > x + 1 { buf.put(right, x: r.maxX - w, y: r.y, style: ctx.theme["title"]) }
    return
  }
  // Offline: the warning always shows. The clock and the rep give way first, then the tabs.
  let warning = "⚠ " + s.reconnecting
  let candidates =
    [warning + "  " + right] + (state.me.map { [warning + "  " + $0] } ?? []) + [warning]
  let text = candidates.first { DisplayWidth.of($0) + 1 < r.maxX - x - 1 } ?? warning
  let w = min(r.width, DisplayWidth.of(text) + 1)
  buf.put(
    text, x: max(r.x, r.maxX - w), y: r.y, style: ctx.theme["title"].with(.bold), maxWidth: w)
}

private func statusLine(
  _ state: AppState, _ ctx: RenderContext, _ buf: inout ScreenBuffer, _ r: Rect
) {
  if case .filter(let input) = state.overlay {
    buf.fill(r, with: Cell(" ", style: ctx.theme["input"]))
    let prompt = "/ "
    let used = buf.put(prompt, x: r.x, y: r.y, style: ctx.theme["input"])
    input.draw(into: &buf, x: r.x + used, y: r.y, width: r.width - used, style: ctx.theme["input"])
    return
  }
  if let status = state.status {
    let style =
      status.kind == .error
      ? ctx.theme["status.error"]
      : status.kind == .ok ? ctx.theme["status.ok"] : ctx.theme["status"]
    buf.fill(r, with: Cell(" ", style: style))
    buf.put(" " + status.text, x: r.x, y: r.y, style: style, maxWidth: r.width)
    return
  }
  buf.fill(r, with: Cell(" ", style: ctx.theme["status"]))
  var x = r.x + 1
  for b in ctx.keymap.bindings where b.hint && (b.views == nil || b.views!.contains(state.view)) {
    let key = b.keys[0].name
    let text = b.helpText(state.language)
    let need = DisplayWidth.of(key) + DisplayWidth.of(text) + 3
    if x + need > r.maxX { break }
    x += buf.put(key, x: x, y: r.y, style: ctx.theme["status"].with(.bold))
    x += buf.put(" " + text + "  ", x: x, y: r.y, style: ctx.theme["status"])
  }
}

// MARK: - Shared formatting

enum Format {
  /// Compact money: 950, 12.3K, 4.5M, 1.2B.
  static func money(_ v: Double) -> String {
    let a = abs(v)
    if a >= 1e9 { return String(format: "%.1fB", v / 1e9) }
    if a >= 1e6 { return String(format: "%.1fM", v / 1e6) }
    if a >= 1e4 { return String(format: "%.0fK", v / 1e3) }
    if a >= 1e3 { return String(format: "%.1fK", v / 1e3) }
    return String(format: "%.0f", v)
  }

  /// The style for a lead's days-in-stage: its SLA state, else stalled, else muted.
  static func slaStyle(_ lead: LeadState, _ state: AppState, _ ctx: RenderContext) -> Style {
    if let sla = ctx.engine.sla.status(of: lead, at: state.now) {
      switch sla.state {
      case .breached: return ctx.theme["sla.breach"]
      case .dueSoon: return ctx.theme["sla.warn"]
      case .onTrack: return ctx.theme["sla.ok"]
      }
    }
    if ctx.engine.stall.isStalled(lead, at: state.now) { return ctx.theme["stalled"] }
    return ctx.theme["muted"]
  }

  /// `4m12s` left, or `-1h05m` late.
  static func countdown(_ lead: LeadState, _ state: AppState, _ ctx: RenderContext) -> (
    String, Style
  ) {
    guard let sla = ctx.engine.sla.status(of: lead, at: state.now) else {
      return ("—", ctx.theme["muted"])
    }
    let style: Style =
      sla.state == .breached
      ? ctx.theme["sla.breach"]
      : sla.state == .dueSoon ? ctx.theme["sla.warn"] : ctx.theme["sla.ok"]
    return (Span.humanize(sla.remaining), style)
  }

  /// The top score reasons of a lead, biggest first: `demo +30, pricing +20`.
  static func reasons(_ lead: LeadState, limit: Int) -> String {
    var byRule: [String: Int] = [:]
    for l in lead.ledger { byRule[l.change.rule, default: 0] += l.change.delta }
    let top = byRule.filter { $0.value != 0 }.sorted {
      abs($0.value) > abs($1.value) || (abs($0.value) == abs($1.value) && $0.key < $1.key)
    }
    return top.prefix(limit).map { rule, pts in
      let name = rule.split(separator: ".").dropFirst().joined(separator: ".")
      return "\(name.isEmpty ? rule : name) \(pts >= 0 ? "+" : "")\(pts)"
    }.joined(separator: ", ")
  }

  static func days(_ lead: LeadState, _ state: AppState) -> String {
    "\(lead.daysInStage(at: state.now))\(state.strings.days)"
  }
}
