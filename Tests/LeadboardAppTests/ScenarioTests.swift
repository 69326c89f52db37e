import Foundation
import LeadLifecycle
import LeadboardApp
import LeadboardTestSupport
import TerminalKit
import Testing

/// Key scripts through the real runtime with an in-memory terminal and store: after every key
/// the screen, the focus and the selection are checked (lazygit's and tig's style of test).
@Suite struct ScenarioTests {
  final class Driver {
    let backend: InMemoryBackend
    let runtime: Runtime
    let store: InMemoryStore

    init(size: Size = Size(width: 120, height: 40), me: String? = "sato", view: ViewID = .board) {
      store = Fixture.store()
      backend = InMemoryBackend(width: size.width, height: size.height)
      var state = AppState(size: size, now: Fixture.now, me: me)
      state.view = view
      runtime = Runtime(
        state: state, store: store, backend: backend, clock: FixedWallClock(Fixture.now),
        context: RenderContext(playbook: .builtIn))
      runtime.reload()
      runtime.redraw()
    }

    /// Presses keys, redrawing after each as the run loop does.
    func press(_ keys: KeyEvent...) {
      for k in keys {
        runtime.dispatch(.key(k))
        runtime.redraw()
      }
    }

    var screen: String { backend.frame.lines.joined(separator: "\n") }
    var selected: String? { runtime.state.selectedLead?.id }
  }

  @Test func navigateTheBoardOpenALeadAndComeBack() {
    let d = Driver()
    #expect(d.runtime.state.view == .board)
    #expect(d.runtime.state.column == Stage.mql.rank)
    let first = d.selected
    #expect(first != nil)
    d.press(.char("j"))
    #expect(d.selected != first, "j moves to the next card")
    d.press(.char("k"))
    #expect(d.selected == first)
    d.press(.char("l"))
    #expect(d.runtime.state.column == Stage.sal.rank)
    #expect(d.selected == "L3" || d.selected == "L9")
    d.press(.char("h"), .enter)
    #expect(d.runtime.state.view == .lead)
    #expect(d.screen.contains(first == "L1" ? "山田 太郎" : "Jane Roe"))
    d.press(.escape)
    #expect(d.runtime.state.view == .board)
  }

  @Test func acceptInTheQueueShowsOnTheBoardAndAgainIsAConflict() throws {
    let d = Driver(view: .queue)
    #expect(d.screen.contains("MQLs for sato"))
    #expect(d.selected == "L1", "the lead whose SLA runs out first is on top")
    d.press(.char("a"))
    #expect(d.runtime.state.status?.kind == .ok, "\(String(describing: d.runtime.state.status))")
    #expect(try d.store.lead("L1")?.stage == .sal)
    #expect(try d.store.lead("L1")?.owner == "sato")
    #expect(!d.runtime.state.data.queue.contains { $0.id == "L1" }, "the queue reloads without it")
    // Another rep's process accepted L2 meanwhile; pressing a on it names the winner.
    _ = try d.store.append([
      Event(
        id: "other", at: Fixture.now.addingTimeInterval(-12), lead: "L2", actor: "alice", .accepted)
    ])
    d.runtime.reload()
    var state = d.runtime.state
    // Ask the updater directly for L2, which this screen still shows as an MQL.
    state.data.queue = [try #require(try Fixture.store().lead("L2"))]
    state.queueIndex = 0
    let effects = Updater(playbook: .builtIn).update(&state, .key(.char("a")))
    guard case .append(let lead, _, let events) = effects.first else {
      Issue.record("accept gave \(effects)")
      return
    }
    let status = try d.store.append(events)[0]
    _ = Updater(playbook: .builtIn).update(
      &state, .appended(lead: lead, verb: "accept", status: status))
    #expect(state.status?.text == "L2: already accepted by alice 12 s ago")
  }

  /// A team store that can refuse this login every write (an SDR acting on another rep's
  /// lead) or be down (the server restarting); otherwise the fixture.
  final class TeamStoreDouble: PipelineStore {
    let inner = Fixture.store()
    var refuseWrites = false
    var down = false
    var refuseWritesAsDown = false
    var playbook: Playbook { inner.playbook }
    func append(_ events: [Event]) throws(StoreError) -> [AppendStatus] {
      if refuseWritesAsDown { throw StoreError(.unavailable, "db: the server is unreachable") }
      if refuseWrites {
        throw StoreError(.forbidden, "db: not permitted for this login: row-level security")
      }
      return try inner.append(events)
    }
    func replay(_ events: [Event]) throws(StoreError) -> Int { try inner.replay(events) }
    func tick(at now: Date) throws(StoreError) -> [Event] { try inner.tick(at: now) }
    func stageTotals(at now: Date) throws(StoreError) -> [StageTotals] {
      if down { throw StoreError(.unavailable, "db: the server is unreachable") }
      return try inner.stageTotals(at: now)
    }
    func leads(_ query: LeadQuery, at now: Date) throws(StoreError) -> [LeadState] {
      try inner.leads(query, at: now)
    }
    func lead(_ id: String) throws(StoreError) -> LeadState? { try inner.lead(id) }
    func events(forLead id: String) throws(StoreError) -> [Event] { try inner.events(forLead: id) }
    func allEvents(asOf: Date?) throws(StoreError) -> [Event] { try inner.allEvents(asOf: asOf) }
    func routingSnapshot() throws(StoreError) -> (state: RoutingState, load: [String: Int]) {
      try inner.routingSnapshot()
    }
    func changeToken() throws(StoreError) -> Int64 {
      if down { throw StoreError(.unavailable, "db: the server is unreachable") }
      return try inner.changeToken()
    }
  }

  func teamRuntime(_ store: TeamStoreDouble, view: ViewID = .board) -> (Runtime, InMemoryBackend) {
    let backend = InMemoryBackend(width: 120, height: 40)
    var state = AppState(size: Size(width: 120, height: 40), now: Fixture.now, me: "sato")
    state.view = view
    let runtime = Runtime(
      state: state, store: store, backend: backend, clock: FixedWallClock(Fixture.now),
      context: RenderContext(playbook: .builtIn))
    runtime.reload()
    runtime.redraw()
    return (runtime, backend)
  }

  @Test func aStoreThatGoesDownShowsOfflineAtOnceAndComesBackOnARetry() throws {
    let store = TeamStoreDouble()
    let (runtime, backend) = teamRuntime(store)
    runtime.pollStore(second: 100)
    #expect(runtime.state.offline == nil)
    store.down = true
    runtime.pollStore(second: 100)
    runtime.redraw()
    #expect(runtime.state.offline != nil, "the first failed poll shows the board offline")
    #expect(backend.frame.lines[0].contains("store unavailable, retrying"))
    #expect(backend.frame.lines.joined().contains("Marketing-qualified"), "the last data stays up")
    // An accept pressed while the store is away says it was not saved.
    runtime.dispatch(.key(.char("2")))
    let lead = try #require(runtime.state.data.queue.first?.id)
    store.refuseWritesAsDown = true
    runtime.dispatch(.key(.char("a")))
    runtime.redraw()
    #expect(runtime.state.status?.kind == .error)
    #expect(runtime.state.status?.text.contains("\(lead): accept not saved") == true)
    #expect(try store.inner.lead(lead)?.stage == .mql)
    runtime.dispatch(.key(.char("1")))
    store.refuseWritesAsDown = false
    store.down = false
    // Another process accepted L1 while the server was away.
    _ = try store.inner.append([
      Event(id: "away", at: Fixture.now, lead: "L1", actor: "alice", .accepted)
    ])
    runtime.pollStore(second: 101)
    #expect(runtime.state.offline != nil, "retries wait retrySeconds")
    runtime.pollStore(second: 102)
    runtime.redraw()
    #expect(runtime.state.offline == nil, "the retry reloads and clears the warning")
    #expect(!backend.frame.lines[0].contains("store unavailable"))
    #expect(
      runtime.state.data.columns[.sal]?.contains { $0.id == "L1" } == true,
      "and shows what changed meanwhile")
  }

  @Test func aWriteTheTeamRolesRefuseIsAnErrorOnTheLineNotOffline() throws {
    let store = TeamStoreDouble()
    store.refuseWrites = true
    let (runtime, backend) = teamRuntime(store, view: .queue)
    runtime.dispatch(.key(.char("a")))
    runtime.redraw()
    #expect(runtime.state.offline == nil, "the store is reachable: the board must not say offline")
    #expect(runtime.state.status?.kind == .error)
    #expect(runtime.state.status?.text.contains("L1: not permitted for your login") == true)
    #expect(backend.frame.lines.joined().contains("not permitted"))
    #expect(try store.inner.lead("L1")?.stage == .mql)
  }

  @Test func recycleWithAReasonFromThePlaybook() throws {
    let d = Driver(view: .queue)
    d.press(.char("r"))
    guard case .picker(let picker) = d.runtime.state.overlay else {
      Issue.record("r should open the reason picker")
      return
    }
    #expect(picker.options.map(\.id) == Playbook.builtIn.recycle.reasons.map(\.code))
    #expect(d.screen.contains("Could not reach the prospect"))
    d.press(.char("j"), .enter)
    #expect(d.runtime.state.overlay == nil)
    let lead = try #require(try d.store.lead("L1"))
    #expect(lead.stage == .known && lead.lastRecycleReason == "not_ready")
    #expect(d.runtime.state.status?.text.contains("mql → known") == true)
  }

  @Test func filterHelpAndQuit() {
    let d = Driver()
    d.press(.char("/"))
    for c in "globex" { d.press(.char(c)) }
    d.press(.enter)
    #expect(d.runtime.state.search == "globex")
    #expect(d.screen.contains("John Smith"))
    #expect(!d.screen.contains("山田 太郎"))
    d.press(.char("?"))
    #expect(d.screen.contains("every key"))
    d.press(.escape, .char("q"))
    #expect(d.runtime.state.quit)
  }

  @Test func actionsWithoutARepExplainThemselves() {
    let d = Driver(me: nil, view: .queue)
    d.press(.char("a"))
    #expect(d.runtime.state.status?.kind == .error)
    #expect(d.runtime.state.status?.text.contains("--as") == true)
  }

  @Test func resizingToTinyAndBackKeepsTheSelection() {
    let d = Driver()
    d.press(.char("j"))
    let selected = d.selected
    d.press(.resize(Size(width: 30, height: 10)))
    #expect(d.runtime.state.size == Size(width: 30, height: 10))
    let small = render(d.runtime.state, d.runtime.context)
    #expect(small.lines.joined(separator: " ").contains("60×16"), "\(small.lines)")
    d.press(.resize(Size(width: 1, height: 1)), .resize(Size(width: 120, height: 40)))
    #expect(d.selected == selected)
    #expect(d.screen.contains("Marketing-qualified"))
  }

  @Test func nothingIsRedrawnWhenNothingChanged() {
    let d = Driver()
    let frames = d.backend.framesPresented
    d.runtime.dispatch(.tick(Fixture.now))
    d.runtime.redraw()
    #expect(d.backend.framesPresented == frames)
  }

  @Test func idleLoopTurnsRenderNothingUntilTheStateChanges() {
    let d = Driver()
    let rendered = d.runtime.framesRendered
    for _ in 0..<10 { d.runtime.redraw() }
    #expect(d.runtime.framesRendered == rendered)
    d.runtime.dispatch(.tick(Fixture.now.addingTimeInterval(1)))
    d.runtime.redraw()
    d.runtime.redraw()
    #expect(d.runtime.framesRendered == rendered + 1)
    d.press(.char("j"))
    #expect(d.runtime.framesRendered == rendered + 2)
  }

  @Test func anEscapeSequenceInANameIsShownInert() {
    let d = Driver(size: Size(width: 120, height: 40), view: .alerts)
    #expect(d.screen.contains("Evil␛[2J Corp"))
    #expect(
      !d.backend.frame.cells.contains { $0.text.unicodeScalars.contains { $0.value == 0x1B } })
  }
}

/// The updater alone: actions in, exact state changes and effects out.
@Suite struct UpdaterTests {
  @Test func numberKeysSwitchViewsAndReload() {
    var (state, ctx, _) = Fixture.state(Size(width: 80, height: 24))
    let u = Updater(playbook: ctx.playbook)
    #expect(u.update(&state, .key(.char("3"))) == [.reload])
    #expect(state.view == .alerts)
    #expect(u.update(&state, .key(.tab)) == [.reload])
    #expect(state.view == .lead)
    #expect(u.update(&state, .key(.char("q"))) == [.quit])
  }

  @Test func acceptProducesOneAcceptedEventByMe() {
    var (state, ctx, _) = Fixture.state(Size(width: 80, height: 24), view: .queue)
    let effects = Updater(playbook: ctx.playbook).update(&state, .key(.char("a")))
    #expect(
      effects == [
        .append(
          lead: "L1", verb: "accept",
          events: [
            Event(
              id: "tui-accept-L1-sato-1793584980000", at: Fixture.now, lead: "L1", actor: "sato",
              .accepted)
          ])
      ])
  }

  @Test func snoozePickerProducesASnoozeUntilTheChosenSpan() {
    var (state, ctx, _) = Fixture.state(Size(width: 80, height: 24), view: .queue)
    let u = Updater(playbook: ctx.playbook)
    _ = u.update(&state, .key(.char("s")))
    _ = u.update(&state, .key(.char("j")))  // 3 days
    let effects = u.update(&state, .key(.enter))
    guard case .append(_, _, let events) = effects.first,
      case .snoozed(let until, _) = events.first?.payload
    else {
      Issue.record("\(effects)")
      return
    }
    #expect(until == Fixture.now.addingTimeInterval(3 * 86400))
  }

  @Test func configuredKeysReplaceTheDefaults() {
    let (keymap, problems) = Keymap.standard.overriding([
      "accept": ["y"], "nope": ["z"], "quit": ["ctrl-?-bad"],
    ])
    #expect(keymap.binding(for: .char("y"), in: .queue)?.command == .accept)
    #expect(keymap.binding(for: .char("a"), in: .queue) == nil)
    #expect(problems.count == 2)
  }
}

/// The theme files in `Themes/` are the built-in themes, and every one reads cleanly.
@Suite struct ThemeTests {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent()
    .deletingLastPathComponent()

  @Test(arguments: ["dark", "light", "high-contrast", "monochrome"])
  func themeFileMatchesTheBuiltIn(_ name: String) throws {
    let file = try String(
      contentsOf: Self.root.appendingPathComponent("Themes/\(name).theme"), encoding: .utf8)
    #expect(
      file == ThemeLoader.builtIn[name], "Themes/\(name).theme differs from the built-in text")
    let theme = try ThemeLoader.parse(file, name: name)
    #expect(Set(theme.styles.keys) == Set(Theme.keys.map(\.0)), "every semantic key is set")
  }

  @Test func aBrokenThemeReportsEveryProblemWithItsPlace() {
    let text = """
      {
        title: { fg: "purple" },
        muted: { fg: 300 },
        nope: {},
      }
      """
    do {
      _ = try ThemeLoader.parse(text, name: "x")
      Issue.record("a broken theme was accepted")
    } catch {
      let lines = error.problems.map(\.description)
      #expect(
        lines.contains { $0.hasPrefix("2:") && $0.contains("title.fg: unknown colour 'purple'") },
        "\(lines)")
      #expect(lines.contains { $0.contains("muted.fg: expected a string") }, "\(lines)")
      #expect(lines.contains { $0.contains("nope: unknown key") }, "\(lines)")
    }
  }

  @Test func monochromeHasNoColours() throws {
    let theme = try ThemeLoader.load("monochrome", userDirectory: "/nonexistent")
    #expect(theme.styles.values.allSatisfy { $0.fg == .default && $0.bg == .default })
  }
}

/// Mouse: a click on a card selects it; the wheel moves the selection.
@Suite struct MouseTests {
  @Test func clickSelectsTheCardUnderThePointer() {
    var (state, ctx, _) = Fixture.state(Size(width: 120, height: 40))
    let u = Updater(playbook: ctx.playbook)
    // The SAL column is the fourth of five; its second card starts at row 1 + 3 + 2.
    let layout = BoardLayout.visibleColumns(width: 120)
    #expect(layout == 5)
    let columnWidth = 120 / 5
    _ = u.update(&state, .key(.click(x: columnWidth * 3 + 2, y: 1 + 3 + 2)))
    #expect(state.column == Stage.sal.rank)
    #expect(state.row == 1)
    #expect(state.selectedLead != nil)
    _ = u.update(&state, .key(.scrollUp))
    #expect(state.row == 0)
  }
}

/// The Reports view: key 5 opens it, b changes the split.
@Suite struct ReportsViewTests {
  @Test func fiveOpensTheReportsAndBSplitsThem() {
    let d = ScenarioTests.Driver()
    d.press(.char("5"))
    #expect(d.runtime.state.view == .reports)
    #expect(d.screen.contains("Funnel: entries per stage"))
    #expect(d.screen.contains("Velocity: median days in stage"))
    d.press(.char("b"))
    #expect(d.screen.contains("by source"))
    #expect(d.screen.contains("webinar"), "the fixture's leads all came from webinars")
  }
}
