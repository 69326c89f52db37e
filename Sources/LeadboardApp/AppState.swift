import Foundation
import LeadLifecycle
import TerminalKit

/// The views, on the number keys.
public enum ViewID: Int, Sendable, CaseIterable {
  case board = 1, queue, alerts, lead, reports

  func title(_ s: Strings) -> String {
    switch self {
    case .board: return s.board
    case .queue: return s.queue
    case .alerts: return s.alerts
    case .lead: return s.lead
    case .reports: return s.reports
    }
  }
}

/// What the views show, loaded from the store by the runtime (never read inside a view).
public struct Snapshot: Sendable, Equatable {
  public var totals: [StageTotals] = []
  /// Cards per stage, best first (at most `cardLimit` per stage).
  public var columns: [Stage: [LeadState]] = [:]
  /// The SDR's queue, most urgent first.
  public var queue: [LeadState] = []
  /// Stalled leads with their alert.
  public var stalls: [AlertRow] = []
  /// Leads whose SLA is breached.
  public var breaches: [LeadState] = []
  /// The lead open in the lead view, with its timeline.
  public var lead: LeadState?
  public var leadEvents: [Event] = []
  /// Reps and teams, for pickers.
  public var reps: [Rep] = []
  /// The Reports view's model (only while that view is open).
  public var reports: ReportsModel?

  public init() {}

  public var isEmpty: Bool { totals.allSatisfy { $0.count == 0 } }
}

/// One alert line: the lead and why it is stalled.
public struct AlertRow: Sendable, Equatable {
  public var lead: LeadState
  public var alert: StallAlert
}

/// A status line message.
public struct StatusMessage: Sendable, Equatable {
  public enum Kind: Sendable, Equatable { case info, ok, error }
  public var text: String
  public var kind: Kind
}

/// A list to pick from (reasons, reps, stages, filters), and what picking does.
public struct Picker: Sendable, Equatable {
  public enum Purpose: Sendable, Equatable {
    case recycle(lead: String)
    case disqualify(lead: String)
    case lost(lead: String)
    case snooze(lead: String)
    case reassign(lead: String)
    case ownerFilter
    case move(lead: String)
  }
  public var title: String
  public var options: [(id: String, label: String)]
  public var index = 0
  public var purpose: Purpose

  public static func == (a: Picker, b: Picker) -> Bool {
    a.title == b.title && a.index == b.index && a.purpose == b.purpose
      && a.options.map(\.id) == b.options.map(\.id)
      && a.options.map(\.label) == b.options.map(\.label)
  }
}

/// A form asking for the fields a move needs (the target stage's entry criteria).
public struct MoveForm: Sendable, Equatable {
  public var lead: String
  public var to: Stage
  public var fields: [(id: String, label: String, input: TextInput)]
  public var focus = 0

  public static func == (a: MoveForm, b: MoveForm) -> Bool {
    a.lead == b.lead && a.to == b.to && a.focus == b.focus
      && a.fields.map(\.id) == b.fields.map(\.id)
      && a.fields.map(\.input) == b.fields.map(\.input)
  }
}

/// What covers the view.
public enum Overlay: Sendable, Equatable {
  case help
  case filter(TextInput)
  case picker(Picker)
  case form(MoveForm)
}

/// The whole UI state: a value, compared by the runtime to decide whether to redraw.
public struct AppState: Sendable, Equatable {
  public var view: ViewID = .board
  /// Where Esc goes back to from the lead view.
  public var returnView: ViewID = .board
  public var size: Size
  public var now: Date
  /// The acting rep (`--as`), for the queue and actions.
  public var me: String?
  public var language: Language
  public var data = Snapshot()
  /// The lead the lead view shows.
  public var openLead: String?

  // Board navigation
  public var column = Stage.mql.rank
  public var row = 0
  /// The first stage column shown (narrow terminals scroll sideways).
  public var firstColumn = 0
  /// Rows scrolled off the top, per column.
  public var scroll: [Int] = Array(repeating: 0, count: Stage.allCases.count)

  public var queueIndex = 0
  public var alertIndex = 0
  public var leadScroll = 0
  /// Which dimension the Reports view's table is split by (index into its list).
  public var reportDimension = 0

  // Filters
  public var search = ""
  /// `owner:x`, `source:x` or `team:x`.
  public var facet: String?
  public var mineOnly = false

  public var overlay: Overlay?
  public var status: StatusMessage?
  public var quit = false
  /// The store could not be read: the board says so and keeps retrying.
  public var offline: String?
  /// How many leads a column loads.
  public static let cardLimit = 200

  public init(size: Size, now: Date, me: String? = nil, language: Language = .en) {
    self.size = size
    self.now = now
    self.me = me
    self.language = language
  }

  public var strings: Strings { Strings(language) }

  /// The cards of `stage` after the filters, in display order.
  public func cards(_ stage: Stage) -> [LeadState] {
    (data.columns[stage] ?? []).filter(passesFilters)
  }

  /// True when `lead` passes the search, facet and mine filters.
  public func passesFilters(_ lead: LeadState) -> Bool {
    if mineOnly, let me, lead.owner != me { return false }
    if let facet {
      let parts = facet.split(separator: ":", maxSplits: 1).map(String.init)
      if parts.count == 2 {
        switch parts[0] {
        case "owner": if (lead.owner ?? "") != parts[1] { return false }
        case "source": if (lead.profile.source ?? "") != parts[1] { return false }
        case "team": if (lead.team ?? "") != parts[1] { return false }
        default: break
        }
      }
    }
    if !search.isEmpty {
      let q = search.lowercased()
      let p = lead.profile
      let hay = [p.displayName, p.company ?? "", lead.owner ?? "", p.source ?? "", lead.id].map {
        $0.lowercased()
      }
      if !hay.contains(where: { $0.contains(q) }) { return false }
    }
    return true
  }

  /// The lead under the cursor in the current view, if any.
  public var selectedLead: LeadState? {
    switch view {
    case .board:
      let cards = cards(Stage.allCases[column])
      return row < cards.count ? cards[row] : nil
    case .queue:
      return queueIndex < data.queue.count ? data.queue[queueIndex] : nil
    case .alerts:
      let rows = alertRows
      return alertIndex < rows.count ? rows[alertIndex] : nil
    case .lead:
      return data.lead
    case .reports:
      return nil
    }
  }

  /// The leads of the alerts view in display order: SLA breaches, then stalls by black hole,
  /// snoozed last.
  public var alertRows: [LeadState] {
    let live = data.stalls.filter { $0.alert.snoozedUntil == nil }
    let snoozed = data.stalls.filter { $0.alert.snoozedUntil != nil }
    let ordered = BlackHole.allCases.flatMap { hole in live.filter { $0.alert.blackHole == hole } }
    return (data.breaches + ordered.map(\.lead) + snoozed.map(\.lead)).filter(passesFilters)
  }
}

/// Everything that can happen to the app.
public enum Action: Sendable, Equatable {
  case key(KeyEvent)
  /// The clock moved (countdowns); the runtime sends one a second.
  case tick(Date)
  case resized(Size)
  /// Fresh data from the store.
  case loaded(Snapshot)
  /// The store failed to answer.
  case storeFailed(String)
  /// What became of an event the app appended.
  case appended(lead: String, verb: String, status: AppendStatus)
  /// An action could not be saved because the store failed (nothing was written).
  case actionFailed(lead: String, verb: String, message: String)
}

/// What the runtime should do: plain data, so tests compare them with `==`.
public enum Effect: Sendable, Equatable {
  /// Reload the snapshot (and the open lead).
  case reload
  /// Append events for a lead (an action), then report the result.
  case append(lead: String, verb: String, events: [Event])
  case quit
}
