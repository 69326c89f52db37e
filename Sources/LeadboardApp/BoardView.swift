import Foundation
import LeadLifecycle
import TerminalKit

/// Where the board's columns and cards go for a given screen size (shared by drawing and by
/// mouse hit-testing).
public struct BoardLayout {
  /// Columns narrower than this scroll sideways instead.
  static let minColumnWidth = 24
  /// Rows above the cards: header, value line, rule.
  static let headerRows = 3
  static let cardHeight = 2

  let state: AppState
  let body: Rect

  init(state: AppState) {
    self.state = state
    body = Rect(x: 0, y: 1, width: state.size.width, height: state.size.height - 2)
  }

  /// How many stage columns fit side by side.
  public static func visibleColumns(width: Int) -> Int {
    max(1, min(Stage.allCases.count, width / minColumnWidth))
  }

  /// How many cards fit in a column.
  public static func cardRows(height: Int) -> Int {
    max(0, (height - 2 - headerRows) / cardHeight)
  }

  /// The rectangle of each visible stage column, by stage index.
  var columns: [(Int, Rect)] {
    let n = BoardLayout.visibleColumns(width: body.width)
    return body.columns(n).enumerated().map { (state.firstColumn + $0.offset, $0.element) }
      .filter { $0.0 < Stage.allCases.count }
  }

  /// The (column, row) of the card at a screen position.
  func hit(x: Int, y: Int) -> (Int, Int)? {
    for (index, r) in columns where x >= r.x && x < r.maxX {
      let top = r.y + BoardLayout.headerRows
      guard y >= top && y < r.maxY else { return nil }
      let row = state.scroll[index] + (y - top) / BoardLayout.cardHeight
      return row < state.cards(Stage.allCases[index]).count ? (index, row) : nil
    }
    return nil
  }
}

/// The manager's board: a column per stage with count, open value and stalled count, and
/// cards with name, company, score, owner and days in stage coloured by SLA state.
enum BoardView {
  static func draw(_ state: AppState, _ ctx: RenderContext, _ buf: inout ScreenBuffer, _ body: Rect)
  {
    let s = state.strings
    if state.data.isEmpty && state.offline == nil {
      buf.put(
        s.emptyStore, x: body.x + 2, y: body.y + 1, style: ctx.theme["muted"],
        maxWidth: body.width - 4)
    }
    let layout = BoardLayout(state: state)
    let totals = Dictionary(uniqueKeysWithValues: state.data.totals.map { ($0.stage, $0) })
    for (index, rect) in layout.columns {
      let stage = Stage.allCases[index]
      let inner = Rect(x: rect.x, y: rect.y, width: rect.width - 1, height: rect.height)
      let focused = index == state.column
      let t = totals[stage] ?? StageTotals(stage: stage, count: 0, value: 0, stalled: 0)
      // Header: label and count; then open value and stalled count.
      let headerStyle = focused ? ctx.theme["header"].with(.underline) : ctx.theme["header"]
      let count = String(t.count)
      buf.field(
        ctx.playbook.label(stage), x: inner.x, y: inner.y, width: inner.width - count.count - 1,
        style: headerStyle)
      buf.put(count, x: inner.maxX - count.count, y: inner.y, style: headerStyle)
      var x = inner.x
      x += buf.put(
        t.value > 0 ? Format.money(t.value) : "—", x: x, y: inner.y + 1, style: ctx.theme["value"],
        maxWidth: inner.width)
      if t.stalled > 0 {
        let text = " \(t.stalled) \(s.stalled)"
        buf.put(
          text, x: inner.maxX - DisplayWidth.of(text), y: inner.y + 1, style: ctx.theme["stalled"])
      }
      buf.put(
        String(repeating: ctx.glyphs.horizontal, count: inner.width), x: inner.x, y: inner.y + 2,
        style: ctx.theme["border"])
      // Column separator.
      for y in rect.y..<rect.maxY {
        buf.put(ctx.glyphs.vertical, x: rect.maxX - 1, y: y, style: ctx.theme["border"])
      }
      // Cards.
      let cards = state.cards(stage)
      let rows = BoardLayout.cardRows(height: state.size.height)
      let first = state.scroll[index]
      var y = inner.y + BoardLayout.headerRows
      for (i, lead) in cards.enumerated().dropFirst(first).prefix(rows) {
        drawCard(
          lead, selected: focused && i == state.row, state, ctx, &buf,
          Rect(x: inner.x, y: y, width: inner.width, height: 2))
        y += BoardLayout.cardHeight
      }
      if stage == .visitor {
        // Anonymous visitors are cookies, not leads: the column counts them.
        buf.put(
          "\(t.count) \(s.anonymousVisitors)", x: inner.x + 1, y: inner.y + 3,
          style: ctx.theme["muted"], maxWidth: inner.width - 1)
      } else if cards.isEmpty {
        buf.put(
          s.noLeads, x: inner.x + 1, y: inner.y + 3, style: ctx.theme["muted"],
          maxWidth: inner.width - 1)
      } else if first + rows < cards.count {
        let more = "+\(cards.count - first - rows)"
        buf.put(more, x: inner.maxX - more.count, y: inner.maxY - 1, style: ctx.theme["muted"])
      }
    }
    // Sideways scroll markers.
    let n = BoardLayout.visibleColumns(width: body.width)
    // Sideways scroll markers sit on the rule under the headers, where they hide nothing.
    let rule = body.y + 2
    if state.firstColumn > 0 {
      buf.put(ctx.glyphs == .ascii ? "<" : "◀", x: body.x, y: rule, style: ctx.theme["key"])
    }
    if state.firstColumn + n < Stage.allCases.count {
      buf.put(ctx.glyphs == .ascii ? ">" : "▶", x: body.maxX - 1, y: rule, style: ctx.theme["key"])
    }
  }

  static func drawCard(
    _ lead: LeadState, selected: Bool, _ state: AppState, _ ctx: RenderContext,
    _ buf: inout ScreenBuffer, _ r: Rect
  ) {
    let base = selected ? ctx.theme["selected"] : ctx.theme["text"]
    if selected { buf.fill(r, with: Cell(" ", style: base)) }
    let score = String(lead.score)
    buf.field(
      lead.profile.displayName, x: r.x, y: r.y, width: r.width - score.count - 1,
      style: base.with(.bold))
    buf.put(score, x: r.maxX - score.count, y: r.y, style: selected ? base : ctx.theme["score"])
    let days = Format.days(lead, state)
    let daysWidth = DisplayWidth.of(days)  // "42日" is four columns wide, three characters long
    let tail = " \(lead.owner ?? "—") "
    let tailWidth = DisplayWidth.of(tail) + daysWidth
    buf.field(
      lead.profile.company ?? "", x: r.x, y: r.y + 1, width: max(0, r.width - tailWidth),
      style: selected ? base : ctx.theme["muted"])
    buf.put(tail, x: r.maxX - tailWidth, y: r.y + 1, style: selected ? base : ctx.theme["muted"])
    buf.put(
      days, x: r.maxX - daysWidth, y: r.y + 1,
      style: selected ? base.with(.bold) : Format.slaStyle(lead, state, ctx))
  }
}

/// The SDR's desk: MQLs assigned to me or unassigned in my team, most urgent first, with a
/// live SLA countdown and the score's reasons.
enum QueueView {
  static func draw(_ state: AppState, _ ctx: RenderContext, _ buf: inout ScreenBuffer, _ body: Rect)
  {
    let s = state.strings
    let title = state.me.map { "\(s.queueFor) \($0)" } ?? s.allMQLs
    buf.put(
      " \(title) — \(state.data.queue.count)", x: body.x, y: body.y, style: ctx.theme["header"],
      maxWidth: body.width)
    let slaW = 9
    let scoreW = 5
    let ownerW = 10
    let rest = body.width - slaW - scoreW - ownerW - 6
    let nameW = max(10, rest * 3 / 10)
    let companyW = max(8, rest * 3 / 10)
    let whyW = max(0, rest - nameW - companyW)
    var y = body.y + 1
    var x = body.x + 1
    for (text, w, right) in [
      ("SLA", slaW, true), (s.lead, nameW, false), ("", companyW, false), (s.score, scoreW, true),
      (s.owner, ownerW, false),
      (s.reasons, whyW, false),
    ] {
      buf.field(text, x: x, y: y, width: w, style: ctx.theme["muted"], alignRight: right)
      x += w + 1
    }
    y += 1
    let detailRows = 6
    let listRows = max(1, body.maxY - y - detailRows)
    let first = max(0, min(state.queueIndex - listRows + 1, state.data.queue.count - listRows))
    let top = max(0, first)
    for (i, lead) in state.data.queue.enumerated().dropFirst(top).prefix(listRows) {
      let selected = i == state.queueIndex
      let base = selected ? ctx.theme["selected"] : ctx.theme["text"]
      if selected {
        buf.fill(Rect(x: body.x, y: y, width: body.width, height: 1), with: Cell(" ", style: base))
      }
      buf.put(selected ? ctx.glyphs.selectedMark : " ", x: body.x, y: y, style: base)
      var x = body.x + 1
      let (countdown, cstyle) = Format.countdown(lead, state, ctx)
      buf.field(
        countdown, x: x, y: y, width: slaW, style: selected ? base.with(.bold) : cstyle,
        alignRight: true)
      x += slaW + 1
      buf.field(lead.profile.displayName, x: x, y: y, width: nameW, style: base.with(.bold))
      x += nameW + 1
      buf.field(lead.profile.company ?? "", x: x, y: y, width: companyW, style: base)
      x += companyW + 1
      buf.field(
        String(lead.score), x: x, y: y, width: scoreW, style: selected ? base : ctx.theme["score"],
        alignRight: true)
      x += scoreW + 1
      buf.field(lead.owner ?? s.unassigned, x: x, y: y, width: ownerW, style: base)
      x += ownerW + 1
      buf.field(
        Format.reasons(lead, limit: 3), x: x, y: y, width: whyW,
        style: selected ? base : ctx.theme["muted"])
      y += 1
    }
    if state.data.queue.isEmpty {
      buf.put(s.noLeads, x: body.x + 2, y: y, style: ctx.theme["muted"])
    }
    // Detail of the selected lead: the ledger's biggest lines.
    guard let lead = state.selectedLead else { return }
    let dy = body.maxY - detailRows
    buf.put(
      String(repeating: ctx.glyphs.horizontal, count: body.width), x: body.x, y: dy,
      style: ctx.theme["border"])
    let head =
      "\(lead.id)  \(lead.profile.displayName)  \(lead.profile.title ?? "")  \(lead.profile.email ?? "")  \(lead.profile.source ?? "")"
    buf.put(" " + head, x: body.x, y: dy + 1, style: ctx.theme["header"], maxWidth: body.width)
    let lines = lead.ledger.sorted { abs($0.change.delta) > abs($1.change.delta) }.prefix(
      detailRows - 2)
    for (k, l) in lines.enumerated() {
      let delta = (l.change.delta >= 0 ? "+" : "") + String(l.change.delta)
      buf.field(
        delta, x: body.x + 1, y: dy + 2 + k, width: 5, style: ctx.theme["score"], alignRight: true)
      buf.put(
        l.change.detail, x: body.x + 8, y: dy + 2 + k, style: ctx.theme["muted"],
        maxWidth: body.width - 9)
    }
  }
}
