import Foundation
import LeadLifecycle
import TerminalKit

/// Stalled leads grouped by the black hole they fell into, SLA breaches first, snoozed last,
/// each with age, owner and the suggested action.
enum AlertsView {
  static func draw(_ state: AppState, _ ctx: RenderContext, _ buf: inout ScreenBuffer, _ body: Rect)
  {
    let s = state.strings
    var sections: [(String, [LeadState], (LeadState) -> (String, String))] = []
    let breaches = state.data.breaches.filter(state.passesFilters)
    if !breaches.isEmpty {
      sections.append(
        (
          s.slaBreaches, breaches,
          { lead in
            let late =
              ctx.engine.sla.status(of: lead, at: state.now).map { Span.humanize(-$0.remaining) }
              ?? ""
            // The fix of the black hole the breach is heading into.
            return ("\(s.late) \(late)", BlackHole.forStage(lead.stage)?.suggestedAction ?? "")
          }
        ))
    }
    let live = state.data.stalls.filter {
      $0.alert.snoozedUntil == nil && state.passesFilters($0.lead)
    }
    for hole in BlackHole.allCases {
      let rows = live.filter { $0.alert.blackHole == hole }
      guard !rows.isEmpty else { continue }
      let byLead = Dictionary(rows.map { ($0.lead.id, $0.alert) }, uniquingKeysWith: { a, _ in a })
      sections.append(
        (
          hole.title, rows.map(\.lead),
          { lead in (byLead[lead.id]?.reason ?? "", hole.suggestedAction) }
        ))
    }
    let snoozed = state.data.stalls.filter {
      $0.alert.snoozedUntil != nil && state.passesFilters($0.lead)
    }
    if !snoozed.isEmpty {
      let byLead = Dictionary(
        snoozed.map { ($0.lead.id, $0.alert) }, uniquingKeysWith: { a, _ in a })
      sections.append(
        (
          s.snoozed, snoozed.map(\.lead),
          { lead in
            (
              "→ \(byLead[lead.id]?.snoozedUntil.map(ISO8601.formatDate) ?? "")",
              lead.snoozeReason ?? ""
            )
          }
        ))
    }
    if sections.isEmpty {
      buf.put(" " + s.noLeads, x: body.x, y: body.y + 1, style: ctx.theme["muted"])
      return
    }
    // Flatten into lines: section headers and rows; scroll so the selection is visible.
    var lines: [(header: String?, lead: LeadState?, info: (String, String))] = []
    var index = 0
    var selectedLine = 0
    for (title, leads, info) in sections {
      lines.append(("\(title) (\(leads.count))", nil, ("", "")))
      for lead in leads {
        if index == state.alertIndex { selectedLine = lines.count }
        lines.append((nil, lead, info(lead)))
        index += 1
      }
    }
    let rows = body.height
    let top = max(0, min(selectedLine - rows / 2, lines.count - rows))
    let nameW = max(12, body.width / 5)
    let companyW = max(10, body.width / 6)
    let ownerW = 10
    let ageW = 6
    let reasonW = max(10, (body.width - nameW - companyW - ownerW - ageW - 8) / 2)
    let actionW = max(0, body.width - nameW - companyW - ownerW - ageW - reasonW - 7)
    for (k, line) in lines.dropFirst(top).prefix(rows).enumerated() {
      let y = body.y + k
      if let header = line.header {
        buf.put(" " + header, x: body.x, y: y, style: ctx.theme["header"], maxWidth: body.width)
        continue
      }
      guard let lead = line.lead else { continue }
      let selected = top + k == selectedLine
      let base = selected ? ctx.theme["selected"] : ctx.theme["text"]
      if selected {
        buf.fill(Rect(x: body.x, y: y, width: body.width, height: 1), with: Cell(" ", style: base))
      }
      var x = body.x + 2
      buf.field(lead.profile.displayName, x: x, y: y, width: nameW, style: base.with(.bold))
      x += nameW + 1
      buf.field(lead.profile.company ?? "", x: x, y: y, width: companyW, style: base)
      x += companyW + 1
      buf.field(lead.owner ?? s.unassigned, x: x, y: y, width: ownerW, style: base)
      x += ownerW + 1
      buf.field(
        Format.days(lead, state), x: x, y: y, width: ageW,
        style: selected ? base : Format.slaStyle(lead, state, ctx), alignRight: true)
      x += ageW + 1
      buf.field(
        line.info.0, x: x, y: y, width: reasonW, style: selected ? base : ctx.theme["muted"])
      x += reasonW + 1
      buf.field(line.info.1, x: x, y: y, width: actionW, style: selected ? base : ctx.theme["text"])
    }
  }
}

/// One lead: profile, SLA and stall state, qualification / opportunity / contract, the score
/// ledger, the timeline, and the actions with their keys.
enum LeadView {
  static func draw(_ state: AppState, _ ctx: RenderContext, _ buf: inout ScreenBuffer, _ body: Rect)
  {
    let s = state.strings
    guard let lead = state.data.lead else {
      buf.put(" " + s.noSelection, x: body.x, y: body.y + 1, style: ctx.theme["muted"])
      return
    }
    let p = lead.profile
    var left: [(String, Style)] = []
    func row(_ label: String, _ value: String?, _ style: Style? = nil) {
      guard let value, !value.isEmpty else { return }
      left.append(("\(DisplayWidth.pad(label, to: 10))\(value)", style ?? ctx.theme["text"]))
    }
    left.append(("\(p.displayName)  \(lead.id)", ctx.theme["header"]))
    row(
      s.stage,
      "\(ctx.playbook.label(lead.stage)) · \(Format.days(lead, state))"
        + (lead.closed.map { " · \($0.closure.rawValue): \($0.reason)" } ?? ""))
    row(s.owner, (lead.owner ?? s.unassigned) + (lead.team.map { " (\($0))" } ?? ""))
    row(
      s.score, "\(lead.score) (fit \(lead.fitScore), behaviour \(lead.behaviorScore))",
      ctx.theme["score"])
    row(s.label("company"), p.company)
    row(s.label("title"), p.title)
    row(s.label("email"), p.email)
    row(s.label("phone"), p.phone)
    row(s.source, [p.source, p.campaign].compactMap { $0 }.joined(separator: " / "))
    if let sla = ctx.engine.sla.status(of: lead, at: state.now) {
      let (text, style) = Format.countdown(lead, state, ctx)
      row("SLA", "\(sla.stage) \(text) (\(s.due) \(ISO8601.format(sla.due)))", style)
    }
    if let alert = ctx.engine.stall.evaluate(lead, at: state.now) {
      row(s.stalled, "\(alert.blackHole.title): \(alert.reason)", ctx.theme["stalled"])
      row(s.action, alert.action)
    }
    if lead.contactAttempts > 0 {
      row(
        s.label("contact"),
        "\(lead.contactAttempts) attempts, \(lead.reached ? "reached" : "not reached")")
    }
    for f in ctx.playbook.qualification.fields { row(f.label, lead.qualification[f.id]) }
    if let o = lead.opportunity {
      row(
        s.deal,
        [o.value.map(Format.money), o.currency, o.closeDate.map(ISO8601.formatDate)].compactMap {
          $0
        }.joined(separator: " · "), ctx.theme["value"])
      row("", (o.stakeholders ?? []).joined(separator: ", "))
    }
    if let c = lead.contract {
      row(
        s.label("contract"),
        [c.paymentTerms, c.onboardingDate.map(ISO8601.formatDate)].compactMap { $0 }.joined(
          separator: " · "))
    }
    row(
      s.label("recycled"),
      lead.recycleCount > 0 ? "\(lead.recycleCount)× (\(lead.lastRecycleReason ?? ""))" : nil)
    row(
      s.label("snoozed"),
      lead.snoozedUntil.map { "→ \(ISO8601.formatDate($0)) \(lead.snoozeReason ?? "")" })
    left.append(("", ctx.theme["text"]))
    left.append((s.actions, ctx.theme["header"]))
    for b in ctx.keymap.bindings where b.views?.contains(.lead) == true && b.group != .navigation {
      left.append(
        ("  \(DisplayWidth.pad(b.keyNames, to: 4)) \(b.helpText(state.language))", ctx.theme["key"])
      )
    }
    let split = body.width >= 100 ? body.width / 2 : body.width
    let leftRect = Rect(x: body.x, y: body.y, width: split, height: body.height)
    for (i, (text, style)) in left.prefix(leftRect.height).enumerated() {
      buf.put(
        " " + text, x: leftRect.x, y: leftRect.y + i, style: style, maxWidth: leftRect.width - 1)
    }
    // Right (or below on narrow screens): ledger then timeline.
    var right: [(String, Style)] = [(s.ledger, ctx.theme["header"])]
    for l in lead.ledger.suffix(12) {
      let delta = (l.change.delta >= 0 ? "+" : "") + String(l.change.delta)
      right.append(
        (
          "\(DisplayWidth.pad(delta, to: 4, alignRight: true)) \(l.change.score)  \(l.change.detail)",
          ctx.theme["muted"]
        ))
    }
    right.append(("", ctx.theme["text"]))
    right.append((s.timeline, ctx.theme["header"]))
    for e in state.data.leadEvents.reversed() where e.type != .scoreChanged {
      right.append(("\(ISO8601.formatDate(e.at)) \(timelineText(e))", ctx.theme["text"]))
    }
    let rightRect: Rect
    if split < body.width {
      rightRect = Rect(x: body.x + split, y: body.y, width: body.width - split, height: body.height)
      for y in rightRect.y..<rightRect.maxY {
        buf.put(ctx.glyphs.vertical, x: rightRect.x - 1, y: y, style: ctx.theme["border"])
      }
    } else {
      let used = min(left.count, body.height)
      rightRect = Rect(x: body.x, y: body.y + used, width: body.width, height: body.height - used)
    }
    for (i, (text, style)) in right.dropFirst(state.leadScroll).prefix(rightRect.height)
      .enumerated()
    {
      buf.put(
        " " + text, x: rightRect.x, y: rightRect.y + i, style: style, maxWidth: rightRect.width - 1)
    }
  }

  static func timelineText(_ e: Event) -> String {
    let who = e.actor.map { " (\($0))" } ?? ""
    switch e.payload {
    case .stageChanged(let from, let to, let reason):
      return "\(from?.rawValue ?? "new") → \(to.rawValue): \(reason)"
    case .assigned(let to, _, _): return "assigned to \(to)"
    case .reassigned(let from, let to, _, _): return "reassigned \(from ?? "-") → \(to)"
    case .slaBreached(let stage, _, let owner):
      return "SLA breached in \(stage) (\(owner ?? "unassigned"))"
    case .stalled(let stage, _, let days): return "stalled in \(stage) after \(days) d"
    case .contactAttempt(let c, let o): return "\(c.rawValue): \(o.rawValue)\(who)"
    case .recycled(let r, _): return "recycled: \(r)\(who)"
    case .lost(let r): return "lost: \(r)\(who)"
    case .disqualified(let r): return "disqualified: \(r)\(who)"
    case .pageView(let path, _): return "page \(path)"
    case .note(let t): return "note: \(t)\(who)"
    case .snoozed(let until, let r): return "snoozed → \(ISO8601.formatDate(until)): \(r)"
    default: return e.type.rawValue + who
    }
  }
}

/// Help, pickers and forms drawn over the view.
enum Overlays {
  static func draw(
    _ overlay: Overlay, _ state: AppState, _ ctx: RenderContext, _ buf: inout ScreenBuffer,
    _ body: Rect
  ) {
    let s = state.strings
    let style = ctx.theme["overlay"]
    switch overlay {
    case .filter: return  // drawn in the status line
    case .help:
      var lines: [(String, String)] = []
      for group in KeyBinding.Group.allCases {
        let bindings = ctx.keymap.bindings.filter { $0.group == group }
        guard !bindings.isEmpty else { continue }
        lines.append(("", group.rawValue))
        for b in bindings { lines.append((b.keyNames, b.helpText(state.language))) }
      }
      let width = min(body.width - 2, 90)
      let height = min(body.height, lines.count + 2)
      let r = body.centered(width: width, height: height)
      buf.fill(r, with: Cell(" ", style: style))
      buf.box(
        r, title: s.help + " (esc)", border: style, titleStyle: style.with(.bold),
        glyphs: ctx.glyphs)
      // Two columns when the list is longer than the box.
      let inner = r.inset(1)
      let perColumn = inner.height
      let colWidth = lines.count > perColumn ? inner.width / 2 : inner.width
      for (i, (key, text)) in lines.enumerated() {
        let col = i / max(1, perColumn)
        guard col < 2 else { break }
        let x = inner.x + col * colWidth
        let y = inner.y + i % max(1, perColumn)
        if key.isEmpty {
          buf.put(text, x: x + 1, y: y, style: style.with(.underline), maxWidth: colWidth - 1)
        } else {
          buf.field(key, x: x + 1, y: y, width: 10, style: ctx.theme["key"])
          buf.put(text, x: x + 12, y: y, style: style, maxWidth: colWidth - 13)
        }
      }
    case .picker(let picker):
      let width = min(
        body.width - 4,
        max(
          30, (picker.options.map { DisplayWidth.of($0.label) }.max() ?? 10) + 8,
          DisplayWidth.of(picker.title) + 6))
      let visible = min(picker.options.count, body.height - 4)
      let r = body.centered(width: width, height: visible + 3)
      buf.fill(r, with: Cell(" ", style: style))
      buf.box(
        r, title: picker.title, border: style, titleStyle: style.with(.bold), glyphs: ctx.glyphs)
      let top = max(0, min(picker.index - visible + 1, picker.options.count - visible))
      for (k, opt) in picker.options.enumerated().dropFirst(top).prefix(visible) {
        let y = r.y + 1 + (k - top)
        let sel = k == picker.index
        buf.field(
          (sel ? ctx.glyphs.selectedMark + " " : "  ") + opt.label, x: r.x + 1, y: y,
          width: r.width - 2, style: sel ? ctx.theme["selected"] : style)
      }
      buf.put(s.pick, x: r.x + 2, y: r.maxY - 2, style: style.with(.dim), maxWidth: r.width - 4)
    case .form(let form):
      let width = min(body.width - 4, 70)
      let r = body.centered(width: width, height: form.fields.count + 4)
      buf.fill(r, with: Cell(" ", style: style))
      buf.box(
        r, title: "\(s.movePrompt) \(ctx.playbook.label(form.to)) — \(form.lead)", border: style,
        titleStyle: style.with(.bold), glyphs: ctx.glyphs)
      let labelW = min(24, (form.fields.map { DisplayWidth.of($0.label) }.max() ?? 8) + 1)
      for (i, f) in form.fields.enumerated() {
        let y = r.y + 1 + i
        buf.field(
          f.label, x: r.x + 2, y: y, width: labelW,
          style: i == form.focus ? style.with(.bold) : style)
        f.input.draw(
          into: &buf, x: r.x + 3 + labelW, y: y, width: r.width - labelW - 5,
          style: i == form.focus ? ctx.theme["input"] : style.with(.underline))
      }
      buf.put(s.formHint, x: r.x + 2, y: r.maxY - 2, style: style.with(.dim), maxWidth: r.width - 4)
    }
  }
}
