import Foundation

/// The UI language.
public enum Language: String, Sendable, CaseIterable {
  case en, ja

  /// `ja` when `LANG` / `LC_ALL` / `LC_MESSAGES` start with `ja`, else `en`.
  public static func fromEnvironment(_ env: [String: String]) -> Language {
    for key in ["LC_ALL", "LC_MESSAGES", "LANG"] {
      if let v = env[key], !v.isEmpty { return v.lowercased().hasPrefix("ja") ? .ja : .en }
    }
    return .en
  }
}

/// Every UI text in English and Japanese. Stage labels come from the playbook instead.
public struct Strings: Sendable {
  public let language: Language

  public init(_ language: Language) { self.language = language }

  private func t(_ en: String, _ ja: String) -> String { language == .ja ? ja : en }

  public var board: String { t("Board", "ボード") }
  public var queue: String { t("Queue", "キュー") }
  public var alerts: String { t("Alerts", "アラート") }
  public var lead: String { t("Lead", "リード") }
  public var reports: String { t("Reports", "レポート") }
  public var help: String { t("Keys", "キー一覧") }
  public var stalled: String { t("stalled", "停滞") }
  public var unassigned: String { t("unassigned", "未割当") }
  public var days: String { t("d", "日") }
  public var score: String { t("score", "スコア") }
  public var owner: String { t("owner", "担当") }
  public var noLeads: String { t("no leads", "リードなし") }
  public var anonymousVisitors: String { t("anonymous visitors", "匿名の訪問者") }
  public var emptyStore: String {
    t(
      "The store is empty. Fill it with `leadboard demo` or `leadboard import FILE`.",
      "ストアは空です。`leadboard demo` または `leadboard import FILE` でデータを入れてください。")
  }
  public var queueFor: String { t("MQLs for", "担当MQL:") }
  public var allMQLs: String { t("all MQLs (no --as given)", "全MQL(--as 未指定)") }
  public var due: String { t("due", "期限") }
  public var late: String { t("late", "超過") }
  public var reasons: String { t("why", "理由") }
  public var slaBreaches: String { t("SLA breached", "SLA違反") }
  public var snoozed: String { t("Snoozed", "スヌーズ中") }
  public var action: String { t("action", "対応") }
  public var age: String { t("age", "経過") }
  public var profile: String { t("Profile", "プロフィール") }
  public var timeline: String { t("Timeline", "タイムライン") }
  public var ledger: String { t("Score ledger", "スコア内訳") }
  public var deal: String { t("Deal", "商談") }
  public var actions: String { t("Actions", "操作") }
  public var filter: String { t("filter", "絞り込み") }
  public var filterPrompt: String {
    t("Filter by name, company, owner or source", "名前・会社・担当・ソースで絞り込み")
  }
  public var mine: String { t("mine", "自分") }
  public var pick: String { t("enter picks, esc cancels", "Enterで選択、Escで取消") }
  public var formHint: String {
    t("tab next field, enter submits, esc cancels", "Tabで次の項目、Enterで送信、Escで取消")
  }
  public var tooSmall: String { t("Enlarge the terminal to at least", "端末を広げてください。最小:") }
  public var live: String { t("live", "ライブ") }
  public var noSelection: String { t("nothing selected", "選択なし") }
  public var accepted: String { t("accepted", "受諾しました") }
  public var done: String { t("done", "完了") }
  public var recyclePrompt: String { t("Recycle: reason", "リサイクル理由") }
  public var disqualifyPrompt: String { t("Disqualify: reason", "失格理由") }
  public var lostPrompt: String { t("Lost: reason", "失注理由") }
  public var snoozePrompt: String { t("Snooze for", "スヌーズ期間") }
  public var reassignPrompt: String { t("Reassign to", "再割当先") }
  public var ownerFilterPrompt: String { t("Show only", "表示対象") }
  public var movePrompt: String { t("Move to", "移動先") }
  public var stage: String { t("stage", "ステージ") }
  public var value: String { t("value", "金額") }
  public var source: String { t("source", "ソース") }
  public var team: String { t("team", "チーム") }
  public var everyone: String { t("everyone", "全員") }
  public var notAvailable: String { t("not available here", "この画面では使えません") }
  public var needsRep: String {
    t("start with --as REP to act as a rep", "--as REP で担当者として起動してください")
  }
  /// A lead view field label.
  public func label(_ key: String) -> String {
    guard language == .ja else { return key }
    let ja = [
      "company": "会社", "title": "役職", "email": "メール", "phone": "電話", "contact": "接触",
      "contract": "契約",
      "recycled": "リサイクル", "snoozed": "スヌーズ",
    ]
    return ja[key] ?? key
  }

  public var computing: String { t("computing the reports…", "レポートを計算中…") }
  public var funnelTitle: String {
    t("Funnel: entries per stage → conversion", "ファネル:ステージ別の流入 → 転換率")
  }
  public var velocityTitle: String { t("Velocity: median days in stage", "速度:ステージ滞在日数の中央値") }
  public var weeklyMQLs: String { t("MQLs per week (12 wk)", "週次MQL数(12週)") }
  public var weeklySLA: String { t("SLA met per week", "週次SLA遵守率") }
  public var benchmarkWord: String { t("seed", "基準") }
  public var leadsWord: String { t("leads", "件") }
  public var byWord: String { t("by", "内訳:") }
  public var customersWord: String { t("customers", "顧客") }
  public var notSaved: String {
    t(
      "not saved: the store is unavailable; try again when it is back",
      "保存できませんでした（ストアに接続できません）。復旧後にもう一度")
  }
  public var reconnecting: String { t("store unavailable, retrying", "ストアに接続できません。再試行中") }
}
