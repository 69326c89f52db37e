import Foundation
import LeadLifecycle
import TerminalKit

/// What a key can do.
public enum Command: String, Sendable, CaseIterable {
  case quit, help, nextView, prevView
  case board, queue, alerts, leadView, reports, dimension
  case up, down, left, right, top, bottom, pageUp, pageDown
  case open, back, filter, facet, mine, move
  case accept, recycle, disqualify, snooze, lost, reassign, next, prev, refresh
}

/// One line of the keymap: keys, what they do, where, and when they are greyed out.
/// The help overlay and the status line hints are generated from this table.
public struct KeyBinding: Sendable {
  public enum Group: String, Sendable, CaseIterable {
    case global, navigation, board, queue, alerts, lead
  }
  public var keys: [KeyEvent]
  public var command: Command
  public var help: (en: String, ja: String)
  public var group: Group
  /// The views where it applies; nil everywhere.
  public var views: Set<ViewID>?
  /// Shown in the status line hints of its views.
  public var hint: Bool

  public func helpText(_ l: Language) -> String { l == .ja ? help.ja : help.en }
  public var keyNames: String { keys.map(\.name).joined(separator: "/") }
}

/// The keymap: the default table, overridable from the config file.
public struct Keymap: Sendable {
  public var bindings: [KeyBinding]

  public static let standard = Keymap(bindings: [
    KeyBinding(
      keys: [.char("q")], command: .quit, help: ("quit", "終了"), group: .global, views: nil,
      hint: true),
    KeyBinding(
      keys: [.char("?")], command: .help, help: ("every key", "キー一覧"), group: .global, views: nil,
      hint: true),
    KeyBinding(
      keys: [.tab], command: .nextView, help: ("next view", "次の画面"), group: .global, views: nil,
      hint: false),
    KeyBinding(
      keys: [.backTab], command: .prevView, help: ("previous view", "前の画面"), group: .global,
      views: nil, hint: false),
    KeyBinding(
      keys: [.char("1")], command: .board, help: ("board", "ボード"), group: .global, views: nil,
      hint: false),
    KeyBinding(
      keys: [.char("2")], command: .queue, help: ("queue", "キュー"), group: .global, views: nil,
      hint: false),
    KeyBinding(
      keys: [.char("3")], command: .alerts, help: ("alerts", "アラート"), group: .global, views: nil,
      hint: false),
    KeyBinding(
      keys: [.char("4")], command: .leadView, help: ("lead", "リード"), group: .global, views: nil,
      hint: false),
    KeyBinding(
      keys: [.char("5")], command: .reports, help: ("reports", "レポート"), group: .global, views: nil,
      hint: false),
    KeyBinding(
      keys: [.char("b")], command: .dimension,
      help: ("split the table by source, owner, team, segment", "内訳の切替(ソース・担当・チーム・規模)"),
      group: .global, views: [.reports], hint: true),
    KeyBinding(
      keys: [.char("k"), .up], command: .up, help: ("up", "上へ"), group: .navigation, views: nil,
      hint: false),
    KeyBinding(
      keys: [.char("j"), .down], command: .down, help: ("down", "下へ"), group: .navigation,
      views: nil, hint: false),
    KeyBinding(
      keys: [.char("h"), .left], command: .left, help: ("previous stage", "前のステージ"),
      group: .navigation, views: [.board], hint: false),
    KeyBinding(
      keys: [.char("l"), .right], command: .right, help: ("next stage", "次のステージ"),
      group: .navigation, views: [.board], hint: false),
    KeyBinding(
      keys: [.char("g"), .home], command: .top, help: ("first", "先頭"), group: .navigation,
      views: nil, hint: false),
    KeyBinding(
      keys: [.char("G"), .end], command: .bottom, help: ("last", "末尾"), group: .navigation,
      views: nil, hint: false),
    KeyBinding(
      keys: [.pageUp], command: .pageUp, help: ("page up", "前のページ"), group: .navigation, views: nil,
      hint: false),
    KeyBinding(
      keys: [.pageDown], command: .pageDown, help: ("page down", "次のページ"), group: .navigation,
      views: nil, hint: false),
    KeyBinding(
      keys: [.enter], command: .open, help: ("open the lead", "リードを開く"), group: .navigation,
      views: [.board, .queue, .alerts], hint: true),
    KeyBinding(
      keys: [.escape], command: .back, help: ("back / close", "戻る・閉じる"), group: .navigation,
      views: nil, hint: false),
    KeyBinding(
      keys: [.char("/")], command: .filter,
      help: ("filter by name, company, owner, source", "名前・会社・担当・ソースで絞り込み"), group: .board,
      views: [.board, .alerts], hint: true),
    KeyBinding(
      keys: [.char("f")], command: .facet,
      help: ("only one owner, source or team", "担当・ソース・チームで絞り込み"), group: .board,
      views: [.board, .alerts], hint: true),
    KeyBinding(
      keys: [.char("o")], command: .mine, help: ("only my leads", "自分のリードのみ"), group: .board,
      views: [.board, .alerts], hint: true),
    KeyBinding(
      keys: [.char("m")], command: .move, help: ("move the lead to a stage", "ステージを移動"),
      group: .board, views: [.board, .lead], hint: true),
    KeyBinding(
      keys: [.char("a")], command: .accept, help: ("accept the MQL", "MQLを受諾"), group: .queue,
      views: [.queue, .board, .lead], hint: true),
    KeyBinding(
      keys: [.char("r")], command: .recycle, help: ("recycle with a reason", "理由を付けてリサイクル"),
      group: .queue, views: [.queue, .alerts, .lead], hint: true),
    KeyBinding(
      keys: [.char("d")], command: .disqualify, help: ("disqualify", "失格にする"), group: .queue,
      views: [.queue, .lead], hint: true),
    KeyBinding(
      keys: [.char("s")], command: .snooze, help: ("snooze", "スヌーズ"), group: .queue,
      views: [.queue, .alerts, .lead], hint: true),
    KeyBinding(
      keys: [.char("n")], command: .next, help: ("next lead", "次のリード"), group: .queue,
      views: [.queue, .alerts, .lead], hint: true),
    KeyBinding(
      keys: [.char("p")], command: .prev, help: ("previous lead", "前のリード"), group: .queue,
      views: [.queue, .alerts, .lead], hint: true),
    KeyBinding(
      keys: [.char("x")], command: .reassign, help: ("reassign to another rep", "別の担当者に再割当"),
      group: .alerts, views: [.alerts, .lead], hint: true),
    KeyBinding(
      keys: [.char("L")], command: .lost, help: ("mark lost", "失注にする"), group: .alerts,
      views: [.alerts, .lead], hint: true),
    KeyBinding(
      keys: [.ctrl("r")], command: .refresh, help: ("reload now", "再読み込み"), group: .global,
      views: nil, hint: false),
  ])

  /// The binding for `key` in `view`.
  public func binding(for key: KeyEvent, in view: ViewID) -> KeyBinding? {
    bindings.first { $0.keys.contains(key) && ($0.views == nil || $0.views!.contains(view)) }
  }

  /// The keymap with the keys of some commands replaced (`{"accept": ["a", "enter"]}`).
  /// - Returns: the keymap and a problem per unknown command or key name.
  public func overriding(_ keys: [String: [String]]) -> (Keymap, [String]) {
    var out = self
    var problems: [String] = []
    for (name, list) in keys.sorted(by: { $0.key < $1.key }) {
      guard let command = Command(rawValue: name) else {
        problems.append(
          "keys.\(name): unknown command (known: \(Command.allCases.map(\.rawValue).joined(separator: ", ")))"
        )
        continue
      }
      var parsed: [KeyEvent] = []
      for k in list {
        if let key = KeyEvent(name: k) {
          parsed.append(key)
        } else {
          problems.append("keys.\(name): unknown key '\(k)'")
        }
      }
      guard !parsed.isEmpty else { continue }
      for i in out.bindings.indices where out.bindings[i].command == command {
        out.bindings[i].keys = parsed
      }
    }
    return (out, problems)
  }
}
