import Foundation
import LeadLifecycle
import TerminalKit

/// The update function: applies an action to the state and returns the effects to run.
/// Pure: no store, no terminal, no clock but the state's.
public struct Updater: Sendable {
  public let playbook: Playbook
  public let keymap: Keymap

  public init(playbook: Playbook, keymap: Keymap = .standard) {
    self.playbook = playbook
    self.keymap = keymap
  }

  public func update(_ state: inout AppState, _ action: Action) -> [Effect] {
    switch action {
    case .tick(let now):
      state.now = now
      return []
    case .resized(let size):
      state.size = size
      clampCursors(&state)
      return []
    case .loaded(let data):
      state.data = data
      state.offline = nil
      clampCursors(&state)
      return []
    case .storeFailed(let message):
      state.offline = message
      return []
    case .actionFailed(let lead, let verb, let message):
      // Say plainly that nothing was saved: pressing the key again once the store is back
      // is safe (the event lands once).
      state.offline = message
      state.status = StatusMessage(
        text: "\(lead): \(verb) \(state.strings.notSaved)", kind: .error)
      return []
    case .appended(let lead, let verb, let status):
      state.status = describe(
        status, lead: lead, verb: verb, now: state.now, strings: state.strings)
      return [.reload]
    case .key(let key):
      if case .resize(let size) = key {
        state.size = size
        clampCursors(&state)
        return []
      }
      if case .click(let x, let y) = key { return click(&state, x: x, y: y) }
      if state.overlay != nil { return overlayKey(&state, key) }
      return command(&state, key)
    }
  }

  // MARK: - Commands

  private func command(_ state: inout AppState, _ key: KeyEvent) -> [Effect] {
    let key: KeyEvent = key == .scrollUp ? .up : key == .scrollDown ? .down : key
    guard let binding = keymap.binding(for: key, in: state.view) else {
      if case .char = key {
        state.status = StatusMessage(
          text: "\(key.name): \(state.strings.notAvailable) (? )", kind: .info)
      }
      return []
    }
    state.status = nil
    let s = state.strings
    switch binding.command {
    case .quit:
      state.quit = true
      return [.quit]
    case .help: state.overlay = .help
    case .nextView, .prevView:
      let order: [ViewID] = [.board, .queue, .alerts, .lead, .reports]
      let i = order.firstIndex(of: state.view) ?? 0
      let j = (i + (binding.command == .nextView ? 1 : order.count - 1)) % order.count
      return switchView(&state, order[j])
    case .board: return switchView(&state, .board)
    case .queue: return switchView(&state, .queue)
    case .alerts: return switchView(&state, .alerts)
    case .leadView: return switchView(&state, .lead)
    case .reports: return switchView(&state, .reports)
    case .dimension:
      state.reportDimension = (state.reportDimension + 1) % reportDimensions.count
      state.data.reports = nil  // recomputed for the new split
      return [.reload]
    case .up: move(&state, by: -1)
    case .down: move(&state, by: 1)
    case .pageUp: move(&state, by: -max(1, state.size.height - 8))
    case .pageDown: move(&state, by: max(1, state.size.height - 8))
    case .top: move(&state, by: -1_000_000)
    case .bottom: move(&state, by: 1_000_000)
    case .left:
      state.column = max(0, state.column - 1)
      state.row = 0
      clampCursors(&state)
    case .right:
      state.column = min(Stage.allCases.count - 1, state.column + 1)
      state.row = 0
      clampCursors(&state)
    case .open:
      guard let lead = state.selectedLead else {
        state.status = StatusMessage(text: s.noSelection, kind: .info)
        return []
      }
      state.returnView = state.view
      state.openLead = lead.id
      state.view = .lead
      state.leadScroll = 0
      return [.reload]
    case .back:
      if state.view == .lead { state.view = state.returnView }
      return []
    case .filter: state.overlay = .filter(TextInput(state.search))
    case .facet:
      var options: [(id: String, label: String)] = [("", s.everyone)]
      for rep in playbook.routing.reps {
        options.append(("owner:\(rep.id)", "\(s.owner): \(rep.name)"))
      }
      for team in Set(playbook.routing.reps.compactMap(\.team)).sorted() {
        options.append(("team:\(team)", "\(s.team): \(team)"))
      }
      let sources = Set(state.data.columns.values.flatMap { $0.compactMap(\.profile.source) })
        .sorted()
      for src in sources { options.append(("source:\(src)", "\(s.source): \(src)")) }
      state.overlay = .picker(
        Picker(title: s.ownerFilterPrompt, options: options, purpose: .ownerFilter))
    case .mine:
      guard state.me != nil else {
        state.status = StatusMessage(text: s.needsRep, kind: .error)
        return []
      }
      state.mineOnly.toggle()
      state.row = 0
      clampCursors(&state)
    case .refresh:
      state.data.reports = nil  // ctrl-r recomputes the reports too
      return [.reload]
    case .next: move(&state, by: 1, followLead: true)
    case .prev: move(&state, by: -1, followLead: true)
    case .accept, .recycle, .disqualify, .snooze, .lost, .reassign, .move:
      return leadAction(&state, binding.command)
    }
    return []
  }

  private func switchView(_ state: inout AppState, _ view: ViewID) -> [Effect] {
    if view == .lead && state.openLead == nil {
      guard let lead = state.selectedLead else {
        state.status = StatusMessage(text: state.strings.noSelection, kind: .info)
        return []
      }
      state.openLead = lead.id
    }
    if view == .lead { state.returnView = state.view == .lead ? state.returnView : state.view }
    state.view = view
    return [.reload]
  }

  /// Moves the cursor of the current view; `followLead` keeps the lead view on the list's
  /// next lead (n / p in the lead view walk the list it was opened from).
  private func move(_ state: inout AppState, by delta: Int, followLead: Bool = false) {
    var view = state.view
    if view == .lead {
      guard followLead else {
        state.leadScroll = max(0, state.leadScroll + delta)
        return
      }
      view = state.returnView
    }
    switch view {
    case .board:
      let n = state.cards(Stage.allCases[state.column]).count
      state.row = max(0, min(n - 1, state.row + delta))
    case .queue:
      state.queueIndex = max(0, min(state.data.queue.count - 1, state.queueIndex + delta))
    case .alerts:
      state.alertIndex = max(0, min(state.alertRows.count - 1, state.alertIndex + delta))
    case .lead, .reports: break
    }
    clampCursors(&state)
    if state.view == .lead, followLead {
      let saved = state.view
      state.view = view
      if let lead = state.selectedLead { state.openLead = lead.id }
      state.view = saved
    }
  }

  /// Keeps every cursor inside its list and the selected card on screen.
  func clampCursors(_ state: inout AppState) {
    let cards = state.cards(Stage.allCases[state.column]).count
    state.row = max(0, min(state.row, cards - 1))
    state.queueIndex = max(0, min(state.queueIndex, state.data.queue.count - 1))
    state.alertIndex = max(0, min(state.alertIndex, state.alertRows.count - 1))
    let visible = BoardLayout.visibleColumns(width: state.size.width)
    if state.column < state.firstColumn { state.firstColumn = state.column }
    if state.column >= state.firstColumn + visible {
      state.firstColumn = state.column - visible + 1
    }
    // After a resize to a wider screen, show as many columns to the left as still keep the
    // cursor in view.
    state.firstColumn = min(state.firstColumn, max(0, state.column - visible + 1))
    state.firstColumn = max(0, min(state.firstColumn, Stage.allCases.count - visible))
    let rows = BoardLayout.cardRows(height: state.size.height)
    var top = state.scroll[state.column]
    if state.row < top { top = state.row }
    if rows > 0 && state.row >= top + rows { top = state.row - rows + 1 }
    state.scroll[state.column] = max(0, top)
  }

  // MARK: - Actions on leads

  private func leadAction(_ state: inout AppState, _ command: Command) -> [Effect] {
    let s = state.strings
    guard let lead = state.selectedLead else {
      state.status = StatusMessage(text: s.noSelection, kind: .info)
      return []
    }
    switch command {
    case .accept:
      guard let me = state.me else {
        state.status = StatusMessage(text: s.needsRep, kind: .error)
        return []
      }
      return [
        .append(
          lead: lead.id, verb: "accept",
          events: [event(state, lead.id, "accept", actor: me, .accepted)])
      ]
    case .recycle:
      let options = playbook.recycle.reasons.map { (id: $0.code, label: $0.label) }
      state.overlay = .picker(
        Picker(
          title: "\(s.recyclePrompt) — \(lead.profile.displayName)", options: options,
          purpose: .recycle(lead: lead.id)))
    case .disqualify:
      let options = playbook.disqualifyReasons.map { (id: $0, label: $0) }
      state.overlay = .picker(
        Picker(
          title: "\(s.disqualifyPrompt) — \(lead.profile.displayName)", options: options,
          purpose: .disqualify(lead: lead.id)))
    case .lost:
      let options = playbook.lostReasons.map { (id: $0, label: $0) }
      state.overlay = .picker(
        Picker(
          title: "\(s.lostPrompt) — \(lead.profile.displayName)", options: options,
          purpose: .lost(lead: lead.id)))
    case .snooze:
      let options = [
        ("1d", "1 day / 1日"), ("3d", "3 days / 3日"), ("1w", "1 week / 1週間"),
        ("2w", "2 weeks / 2週間"), ("30d", "30 days / 30日"),
      ]
      .map { (id: $0.0, label: $0.1) }
      state.overlay = .picker(
        Picker(
          title: "\(s.snoozePrompt) — \(lead.profile.displayName)", options: options,
          purpose: .snooze(lead: lead.id)))
    case .reassign:
      let options = playbook.routing.reps.filter { $0.id != lead.owner }.map {
        (id: $0.id, label: "\($0.name) (\($0.team ?? "-"))")
      }
      state.overlay = .picker(
        Picker(
          title: "\(s.reassignPrompt) — \(lead.profile.displayName)", options: options,
          purpose: .reassign(lead: lead.id)))
    case .move:
      let later = Stage.allCases.filter { $0 > lead.stage && $0 != .visitor }
      guard lead.isOpen, !later.isEmpty else {
        state.status = StatusMessage(
          text: "\(lead.id): \(lead.closed?.closure.rawValue ?? lead.stage.rawValue)", kind: .error)
        return []
      }
      let options = later.map { (id: $0.rawValue, label: playbook.label($0)) }
      state.overlay = .picker(
        Picker(
          title: "\(s.movePrompt) — \(lead.profile.displayName)", options: options,
          purpose: .move(lead: lead.id)))
    default: break
    }
    return []
  }

  /// An event the user caused, with a stable id from its lead, verb, actor and time.
  func event(
    _ state: AppState, _ lead: String, _ verb: String, actor: String?, _ payload: EventPayload
  ) -> Event {
    let millis = Int64((state.now.timeIntervalSince1970 * 1000).rounded())
    return Event(
      id: "tui-\(verb)-\(lead)-\(actor ?? "manager")-\(millis)", at: state.now, lead: lead,
      actor: actor ?? state.me, payload)
  }

  // MARK: - Overlays

  private func overlayKey(_ state: inout AppState, _ key: KeyEvent) -> [Effect] {
    guard let overlay = state.overlay else { return [] }
    switch overlay {
    case .help:
      if key == .escape || key == .char("?") || key == .char("q") || key == .enter {
        state.overlay = nil
      }
      return []
    case .filter(var input):
      switch key {
      case .escape: state.overlay = nil
      case .enter:
        state.search = input.text
        state.overlay = nil
        state.row = 0
        state.alertIndex = 0
        clampCursors(&state)
      default:
        _ = input.handle(key)
        state.overlay = .filter(input)
        state.search = input.text  // filter as you type
        clampCursors(&state)
      }
      return []
    case .picker(var picker):
      switch key {
      case .escape:
        state.overlay = nil
      case .up, .char("k"):
        picker.index = max(0, picker.index - 1)
        state.overlay = .picker(picker)
      case .down, .char("j"):
        picker.index = min(picker.options.count - 1, picker.index + 1)
        state.overlay = .picker(picker)
      case .enter:
        state.overlay = nil
        guard picker.index < picker.options.count else { return [] }
        return picked(&state, picker, picker.options[picker.index].id)
      default: break
      }
      return []
    case .form(var form):
      switch key {
      case .escape: state.overlay = nil
      case .tab, .down:
        form.focus = (form.focus + 1) % max(1, form.fields.count)
        state.overlay = .form(form)
      case .backTab, .up:
        form.focus = (form.focus + form.fields.count - 1) % max(1, form.fields.count)
        state.overlay = .form(form)
      case .enter:
        state.overlay = nil
        return submit(&state, form)
      default:
        if form.focus < form.fields.count {
          _ = form.fields[form.focus].input.handle(key)
          state.overlay = .form(form)
        }
      }
      return []
    }
  }

  private func picked(_ state: inout AppState, _ picker: Picker, _ id: String) -> [Effect] {
    let me = state.me
    switch picker.purpose {
    case .ownerFilter:
      state.facet = id.isEmpty ? nil : id
      state.row = 0
      clampCursors(&state)
      return []
    case .recycle(let lead):
      return [
        .append(
          lead: lead, verb: "recycle",
          events: [
            event(state, lead, "recycle", actor: me, .recycled(reason: id, nurtureUntil: nil))
          ])
      ]
    case .disqualify(let lead):
      return [
        .append(
          lead: lead, verb: "disqualify",
          events: [event(state, lead, "disqualify", actor: me, .disqualified(reason: id))])
      ]
    case .lost(let lead):
      return [
        .append(
          lead: lead, verb: "lost",
          events: [event(state, lead, "lost", actor: me, .lost(reason: id))])
      ]
    case .reassign(let lead):
      return [
        .append(
          lead: lead, verb: "reassign",
          events: [
            event(
              state, lead, "assign", actor: me,
              .assigned(to: id, team: nil, explanation: "reassigned from the board"))
          ])
      ]
    case .snooze(let lead):
      let span = Span(parsing: id) ?? .days(1)
      let until = state.now.addingTimeInterval(span.seconds)
      return [
        .append(
          lead: lead, verb: "snooze",
          events: [
            event(
              state, lead, "snooze", actor: me,
              .snoozed(until: until, reason: "snoozed \(id) from the board"))
          ])
      ]
    case .move(let lead):
      guard let to = Stage(rawValue: id) else { return [] }
      let fields = formFields(for: to)
      if fields.isEmpty {
        return submit(&state, MoveForm(lead: lead, to: to, fields: []))
      }
      state.overlay = .form(MoveForm(lead: lead, to: to, fields: fields))
      return []
    }
  }

  /// The fields a move to `stage` asks for: its entry criteria the user can type.
  func formFields(for stage: Stage) -> [(id: String, label: String, input: TextInput)] {
    var out: [(id: String, label: String, input: TextInput)] = []
    for c in playbook.stage(stage).entry {
      switch c.field {
      case "owner", "contract_signed", "contact_connected", "conversation", "score": continue
      default: out.append((c.field, c.label(playbook.qualification), TextInput()))
      }
    }
    return out
  }

  /// Turns a filled move form into the events that carry its fields and the move.
  private func submit(_ state: inout AppState, _ form: MoveForm) -> [Effect] {
    var values: [String: String] = [:]
    for f in form.fields where !f.input.text.isEmpty { values[f.id] = f.input.text }
    let me = state.me
    let lead = form.lead
    var events: [Event] = []
    switch form.to {
    case .sal:
      guard let me else {
        state.status = StatusMessage(text: state.strings.needsRep, kind: .error)
        return []
      }
      events = [event(state, lead, "accept", actor: me, .accepted)]
    case .sql:
      events = [event(state, lead, "qualify", actor: me, .qualification(fields: values))]
    case .opportunity:
      var o = OpportunityFields()
      o.value = values["value"].flatMap { Double($0.replacingOccurrences(of: ",", with: "")) }
      o.closeDate = values["close_date"].flatMap(ISO8601.parse)
      o.stakeholders = values["stakeholders"].map {
        $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter {
          !$0.isEmpty
        }
      }
      o.currency = values["currency"]
      events = [event(state, lead, "opportunity", actor: me, .opportunityCreated(o))]
    case .customer:
      events = [
        event(
          state, lead, "contract", actor: me,
          .contractSigned(
            paymentTerms: values["payment_terms"],
            onboardingDate: values["onboarding_date"].flatMap(ISO8601.parse))),
        event(state, lead, "won", actor: me, .won),
      ]
    default:
      events = [
        event(state, lead, "move", actor: me, .moved(to: form.to, reason: "moved from the board"))
      ]
    }
    return [.append(lead: lead, verb: "move", events: events)]
  }

  // MARK: - Mouse

  private func click(_ state: inout AppState, x: Int, y: Int) -> [Effect] {
    guard state.overlay == nil, state.view == .board else { return [] }
    let layout = BoardLayout(state: state)
    if let (column, row) = layout.hit(x: x, y: y) {
      state.column = column
      state.row = row
      clampCursors(&state)
    }
    return []
  }

  // MARK: - Results

  func describe(_ status: AppendStatus, lead: String, verb: String, now: Date, strings: Strings)
    -> StatusMessage
  {
    switch status {
    case .added(let outcomes):
      let moves = outcomes.compactMap { e -> String? in
        if case .stageChanged(let from, let to, _) = e.payload {
          return "\(from?.rawValue ?? "new") → \(to.rawValue)"
        }
        if case .disqualified(let r) = e.payload { return "disqualified (\(r))" }
        return nil
      }
      return StatusMessage(
        text: "\(lead): \(verb) \(strings.done)"
          + (moves.isEmpty ? "" : " — " + moves.joined(separator: ", ")), kind: .ok)
    case .duplicate:
      return StatusMessage(text: "\(lead): \(verb) already recorded", kind: .info)
    case .refused(let r):
      if r.kind == .conflict, let who = r.winner, let at = r.winnerAt {
        let secs = max(0, Int(now.timeIntervalSince(at)))
        let age = secs < 120 ? "\(secs) s" : secs < 7200 ? "\(secs / 60) min" : "\(secs / 3600) h"
        return StatusMessage(text: "\(lead): already accepted by \(who) \(age) ago", kind: .error)
      }
      return StatusMessage(text: "\(lead): \(r.message)", kind: .error)
    }
  }
}
