import Foundation
import LeadLifecycle
import TerminalKit

/// Reads what the views need from a store: small, indexed reads only (a few hundred leads per
/// column at most), never the whole log.
public struct SnapshotLoader {
  public let store: PipelineStore

  public init(store: PipelineStore) { self.store = store }

  public func load(for state: AppState) throws(StoreError) -> Snapshot {
    var snap = Snapshot()
    let playbook = store.playbook
    let engine = LifecycleEngine(playbook: playbook)
    let now = state.now
    snap.reps = playbook.routing.reps
    snap.totals = try store.stageTotals(at: now)
    for stage in Stage.allCases {
      snap.columns[stage] = try store.leads(
        LeadQuery(stage: stage, includeClosed: false, limit: AppState.cardLimit), at: now)
    }
    // The queue: MQLs assigned to me, or unassigned in my team; all MQLs when nobody is named.
    let router = Router(policy: playbook.routing)
    let myTeam = state.me.flatMap { me in playbook.routing.reps.first { $0.id == me }?.team }
    var queue = try store.leads(LeadQuery(stage: .mql, limit: 1000), at: now).filter { lead in
      guard let me = state.me else { return true }
      if lead.owner == me { return true }
      return lead.owner == nil && (myTeam == nil || router.team(for: lead.profile) == myTeam)
    }
    queue.sort { a, b in
      let ra = engine.sla.status(of: a, at: now)?.remaining ?? .infinity
      let rb = engine.sla.status(of: b, at: now)?.remaining ?? .infinity
      return ra != rb ? ra < rb : a.score != b.score ? a.score > b.score : a.id < b.id
    }
    // The queue shows score reasons: fetch the ledger of the leads on screen.
    snap.queue = try queue.prefix(200).map { lead throws(StoreError) in
      try store.lead(lead.id) ?? lead
    }
    // Alerts: stalled leads, and SLA breaches among MQLs and SALs.
    let stalled = try store.leads(LeadQuery(stalledOnly: true, limit: 1000), at: now)
    var snoozedStalls: [AlertRow] = []
    snap.stalls = stalled.compactMap { lead in
      engine.stall.evaluate(lead, at: now).map { AlertRow(lead: lead, alert: $0) }
    }
    for stage in [Stage.mql, .sal, .sql, .opportunity, .known] {
      for lead in snap.columns[stage] ?? [] where lead.isSnoozed(at: now) {
        if let alert = engine.stall.evaluate(lead, at: now) {
          snoozedStalls.append(AlertRow(lead: lead, alert: alert))
        }
      }
    }
    snap.stalls += snoozedStalls
    snap.breaches =
      ((snap.columns[.mql] ?? []) + (snap.columns[.sal] ?? []) + (snap.columns[.sql] ?? [])).filter
    {
      engine.sla.status(of: $0, at: now)?.state == .breached
    }
    if state.view == .reports {
      // The whole log, replayed: only for the Reports view, and not more often than every few
      // seconds while other processes keep changing the store.
      if let previous = state.data.reports,
        now.timeIntervalSince(previous.computedAt) < ReportsModel.refreshInterval
      {
        snap.reports = previous
      } else {
        let dimension = reportDimensions[state.reportDimension % reportDimensions.count]
        snap.reports = ReportsModel(
          playbook: playbook, log: try store.allEvents(asOf: nil), now: now, dimension: dimension)
      }
    }
    if let id = state.openLead {
      snap.lead = try store.lead(id)
      snap.leadEvents = try store.events(forLead: id)
    }
    return snap
  }
}

/// The run loop: keys and clock ticks become actions, the updater returns effects, the runtime
/// runs them against the store and redraws only when the state changed. Another process's
/// commit is noticed through the store's change token within `pollInterval`.
public final class Runtime {
  /// Any change to the state (an action, a reload, a tick) marks the frame as due; an idle
  /// loop turn renders nothing (rendering 10 times a second for an unchanged screen was most
  /// of an idle board's CPU).
  public var state: AppState { didSet { needsRender = true } }
  private var needsRender = true
  /// Frames rendered so far (presented or not): what an idle loop turn must not add to.
  public private(set) var framesRendered = 0
  public let updater: Updater
  public let context: RenderContext
  let store: PipelineStore
  let backend: TerminalBackend
  let clock: WallClock
  /// Called on every loop turn (the demo's simulation feeds the store from here).
  public var onIdle: ((Date) -> Void)?
  public var pollInterval = 0.1
  private var lastToken: Int64?
  private var lastFrame: ScreenBuffer?
  private var lastSecond: Int = -1
  /// While offline: how often to try the store again, and when it was last tried.
  public var retrySeconds = 2
  private var lastRetry = 0

  public init(
    state: AppState, store: PipelineStore, backend: TerminalBackend, clock: WallClock,
    context: RenderContext
  ) {
    self.state = state
    self.store = store
    self.backend = backend
    self.clock = clock
    self.context = context
    updater = Updater(playbook: context.playbook, keymap: context.keymap)
  }

  /// Sends an action through the updater and runs the effects it returns.
  public func dispatch(_ action: Action) {
    let effects = updater.update(&state, action)
    for effect in effects { run(effect) }
  }

  func run(_ effect: Effect) {
    switch effect {
    case .quit: state.quit = true
    case .reload: reload()
    case .append(let lead, let verb, let events):
      do {
        let statuses = try store.append(events)
        // The first refusal, else the last status, describes the action.
        let status =
          statuses.first { if case .refused = $0 { return true } else { return false } } ?? statuses
          .last ?? .duplicate
        var outcomes: [Event] = []
        for s in statuses { if case .added(let o) = s { outcomes += o } }
        if case .refused = status {
          dispatch(.appended(lead: lead, verb: verb, status: status))
        } else {
          dispatch(.appended(lead: lead, verb: verb, status: .added(outcomes: outcomes)))
        }
      } catch  where error.kind == .forbidden {
        // The team store's roles refuse this login the change: the store is fine, say why.
        let refusal = Refusal(.notAllowed, "not permitted for your login (\(error.message))")
        dispatch(.appended(lead: lead, verb: verb, status: .refused(refusal)))
      } catch {
        dispatch(.actionFailed(lead: lead, verb: verb, message: error.message))
      }
    }
  }

  /// One turn of watching the store: reload when another process committed (the change
  /// token moved). A store that fails is shown offline at once, then retried every
  /// `retrySeconds` of `second` (a monotonic count, not the app's clock, which `--now` can pin;
  /// not every turn: reconnecting to a server that is down can take a while); the first reload
  /// that succeeds clears it.
  public func pollStore(second: Int) {
    if state.offline == nil {
      do {
        if try store.changeToken() != lastToken { reload() }
      } catch {
        lastRetry = second
        dispatch(.storeFailed(error.message))
      }
    } else if second - lastRetry >= retrySeconds {
      lastRetry = second
      reload()
    }
  }

  /// Reloads the snapshot from the store.
  public func reload() {
    do {
      // The token first: a change committed while loading then triggers one more reload.
      let token = try store.changeToken()
      let snap = try SnapshotLoader(store: store).load(for: state)
      lastToken = token
      _ = updater.update(&state, .loaded(snap))
    } catch {
      _ = updater.update(&state, .storeFailed(error.message))
    }
  }

  /// Draws the current state if it differs from what is on screen.
  public func redraw() {
    guard needsRender || lastFrame == nil else { return }
    needsRender = false
    framesRendered += 1
    let frame = render(state, context)
    if frame != lastFrame {
      backend.present(frame)
      lastFrame = frame
    }
  }

  /// Runs until the user quits. Waits for keys in short slices, so a change by another
  /// process shows within `pollInterval` and a countdown ticks each second; nothing is drawn
  /// when nothing changed.
  public func run() {
    state.size = backend.size
    state.now = clock.now()
    reload()
    redraw()
    while !state.quit {
      if let event = backend.nextEvent(timeout: pollInterval) {
        dispatch(.key(event))
        // Drain keys already typed before drawing (fast typists, pasted text).
        while !state.quit, let more = backend.nextEvent(timeout: 0) { dispatch(.key(more)) }
      }
      let now = clock.now()
      onIdle?(now)
      let second = Int(now.timeIntervalSince1970)
      if second != lastSecond {
        lastSecond = second
        dispatch(.tick(now))
      }
      // Retries are paced by the monotonic uptime: the wall clock may be pinned (--now).
      pollStore(second: Int(ProcessInfo.processInfo.systemUptime))
      redraw()
    }
  }
}
