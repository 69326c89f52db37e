import Foundation
import LeadLifecycle
import LeadboardApp
import LeadboardTestSupport
import TerminalKit
import Testing

/// A small pipeline with Japanese and English names in every stage, an SLA running, an SLA
/// breached, each black hole, a snoozed lead and a name carrying an escape sequence; pinned to
/// one clock.
enum Fixture {
  /// Monday 2 November 2026, 11:03 in Tokyo.
  static let now = at("2026-11-02T02:03:00Z")

  static let japanesePlaybook: Playbook = {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("Playbooks/sample-ja.json5")
    let text = try! String(contentsOf: url, encoding: .utf8)
    return try! Playbook.parse(text)
  }()

  static func profile(
    _ name: String, _ company: String, _ country: String, title: String = "部長", employees: Int = 300
  ) -> Profile {
    Profile(
      email:
        "\(name.unicodeScalars.reduce(UInt32(7)) { ($0 &* 31 &+ $1.value) % 100_000 })@example.com",
      name: name, company: company, title: title, industry: "software",
      employees: employees, country: country, source: "webinar")
  }

  /// The events, in time order.
  static var events: [Event] {
    var e: [Event] = []
    var n = 0
    func add(
      _ at: String, _ lead: String?, actor: String? = nil, visitor: String? = nil, _ p: EventPayload
    ) {
      n += 1
      e.append(
        Event(
          id: "x\(n)", at: LeadboardTestSupport.at(at), lead: lead, visitor: visitor, actor: actor,
          p))
    }
    // Anonymous visitors.
    add("2026-11-01T10:00:00Z", nil, visitor: "v-100", .pageView(path: "/pricing", referrer: nil))
    add("2026-11-01T11:00:00Z", nil, visitor: "v-101", .pageView(path: "/", referrer: nil))
    // L7 known, in nurture for a month: stalled in nurture.
    add(
      "2026-09-20T03:00:00Z", "L7",
      .formSubmit(
        form: nil,
        profile: Profile(
          email: "ichiro@example.jp", name: "鈴木 一郎", company: "北海道フーズ株式会社", country: "JP")))
    // L4 SQL since September: the SQL → opportunity gap.
    add(
      "2026-09-01T02:00:00Z", "L4",
      .formSubmit(form: nil, profile: profile("John Smith", "Globex Ltd.", "SG", title: "VP Sales"))
    )
    add("2026-09-01T02:01:00Z", "L4", .demoRequest)
    add("2026-09-01T02:02:00Z", "L4", actor: "sato", .accepted)
    add(
      "2026-09-03T02:00:00Z", "L4", actor: "sato",
      .contactAttempt(channel: .phone, outcome: .connected))
    add(
      "2026-09-05T02:00:00Z", "L4", actor: "sato",
      .qualification(fields: [
        "budget": "$40k", "authority": "VP Sales", "need": "pipeline visibility", "timeline": "Q1",
      ]))
    // L5 opportunity past its close date: aging.
    add(
      "2026-08-03T02:00:00Z", "L5",
      .formSubmit(form: nil, profile: profile("髙橋 健一", "株式会社さくら精機", "JP")))
    add("2026-08-03T02:01:00Z", "L5", .demoRequest)
    add("2026-08-03T02:02:00Z", "L5", actor: "tanaka", .accepted)
    add(
      "2026-08-04T02:00:00Z", "L5", actor: "tanaka",
      .contactAttempt(channel: .phone, outcome: .connected))
    add(
      "2026-08-06T02:00:00Z", "L5", actor: "tanaka",
      .qualification(fields: [
        "budget": "¥12,000,000", "authority": "部長", "need": "SFA刷新", "timeline": "今期中",
      ]))
    add(
      "2026-08-20T02:00:00Z", "L5", actor: "tanaka",
      .opportunityCreated(
        OpportunityFields(
          value: 2_400_000, currency: "JPY", closeDate: at("2026-10-15"),
          stakeholders: ["髙橋", "経理部長"])))
    // L6 customer.
    add(
      "2026-07-06T02:00:00Z", "L6",
      .formSubmit(
        form: nil, profile: profile("Emma Brown", "Acme Inc.", "SG", title: "Head of Sales")))
    add("2026-07-06T02:01:00Z", "L6", .demoRequest)
    add("2026-07-06T02:02:00Z", "L6", actor: "suzuki", .accepted)
    add(
      "2026-07-07T02:00:00Z", "L6", actor: "suzuki",
      .qualification(fields: [
        "budget": "$120k", "authority": "CEO", "need": "forecasting", "timeline": "now",
      ]))
    add(
      "2026-07-20T02:00:00Z", "L6", actor: "suzuki",
      .opportunityCreated(
        OpportunityFields(
          value: 1_200_000, currency: "USD", closeDate: at("2026-10-30"),
          stakeholders: ["Emma", "CFO"])))
    add(
      "2026-10-20T02:00:00Z", "L6", actor: "suzuki",
      .contractSigned(paymentTerms: "net 30", onboardingDate: at("2026-11-10")))
    add("2026-10-20T02:01:00Z", "L6", actor: "suzuki", .won)
    // L3 SAL since 10 October, no contact: the SAL → SQL black hole.
    add(
      "2026-10-10T02:00:00Z", "L3",
      .formSubmit(form: nil, profile: profile("佐々木 花子", "株式会社東京データ", "JP")))
    add("2026-10-10T02:01:00Z", "L3", .demoRequest)
    add("2026-10-10T02:02:00Z", "L3", actor: "tanaka", .accepted)
    add(
      "2026-10-12T02:00:00Z", "L3", actor: "tanaka",
      .contactAttempt(channel: .email, outcome: .noAnswer))
    // L9 SAL stalled too, but snoozed until the 10th.
    add(
      "2026-10-05T02:00:00Z", "L9",
      .formSubmit(form: nil, profile: profile("中村 陽子", "株式会社みなと商事", "JP")))
    add("2026-10-05T02:01:00Z", "L9", .demoRequest)
    add("2026-10-05T02:02:00Z", "L9", actor: "sato", .accepted)
    add(
      "2026-10-25T02:00:00Z", "L9", actor: "sato",
      .snoozed(until: at("2026-11-10"), reason: "on parental leave"))
    // L8 a day-old MQL nobody took: MQL → SAL black hole soon, SLA long breached.
    add(
      "2026-10-28T02:00:00Z", "L8",
      .formSubmit(
        form: nil, profile: profile("Olivia Tan", "Evil\u{1B}[2J Corp", "SG", title: "Director")))
    add("2026-10-28T02:01:00Z", "L8", .demoRequest)
    // L2 US lead at night in New York: unassigned, SLA breached.
    add(
      "2026-11-02T01:00:00Z", "L2",
      .formSubmit(form: nil, profile: profile("Jane Roe", "Initech Inc.", "US", title: "VP Sales")))
    add("2026-11-02T01:01:00Z", "L2", .demoRequest)
    // L1 this morning in Tokyo: routed, its 5-minute SLA running.
    add(
      "2026-11-02T02:00:00Z", "L1", visitor: "v-9",
      .formSubmit(form: "demo", profile: profile("山田 太郎", "株式会社サンプル", "JP", title: "営業部長")))
    add("2026-11-02T02:00:30Z", "L1", .demoRequest)
    return e
  }

  /// A store holding the fixture, with the time rules run at `now`.
  static func store(_ playbook: Playbook = .builtIn) -> InMemoryStore {
    let store = InMemoryStore(playbook: playbook)
    for e in events {
      let status = try! store.append([e])[0]
      if case .refused(let r) = status { Issue.record("fixture event \(e.id) refused: \(r)") }
    }
    _ = try! store.tick(at: at("2026-10-01T00:00:00Z"))
    _ = try! store.tick(at: now)
    return store
  }

  /// A state of `size` loaded from the fixture store.
  static func state(
    _ size: Size, language: Language = .en, view: ViewID = .board, me: String? = "sato",
    store: InMemoryStore? = nil,
    open lead: String? = nil
  ) -> (AppState, RenderContext, InMemoryStore) {
    let playbook: Playbook = language == .ja ? japanesePlaybook : .builtIn
    let store = store ?? Fixture.store(playbook)
    var state = AppState(size: size, now: now, me: me, language: language)
    state.view = view
    state.openLead = lead
    state.data = try! SnapshotLoader(store: store).load(for: state)
    let ctx = RenderContext(playbook: playbook)
    var s = state
    _ = Updater(playbook: playbook).update(&s, .resized(size))
    return (s, ctx, store)
  }
}

// MARK: - Golden files

/// Compares a screen with `Snapshots/<name>.txt` (its text) and `<name>.styles.txt` (its
/// style runs). `RECORD_SNAPSHOTS=1 swift test` writes them instead and records an issue, so a
/// recording run never passes silently.
func expectSnapshot(
  _ buffer: ScreenBuffer, _ name: String, filePath: String = #filePath,
  sourceLocation: SourceLocation = #_sourceLocation
) {
  let dir = URL(fileURLWithPath: filePath).deletingLastPathComponent().appendingPathComponent(
    "Snapshots")
  let text = buffer.lines.joined(separator: "\n") + "\n"
  let styles = buffer.styleDump.joined(separator: "\n") + "\n"
  let textURL = dir.appendingPathComponent("\(name).txt")
  let styleURL = dir.appendingPathComponent("\(name).styles.txt")
  if ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] == "1" {
    try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    try! text.write(to: textURL, atomically: true, encoding: .utf8)
    try! styles.write(to: styleURL, atomically: true, encoding: .utf8)
    Issue.record(
      "recorded \(name); run again without RECORD_SNAPSHOTS to check it",
      sourceLocation: sourceLocation)
    return
  }
  guard let expected = try? String(contentsOf: textURL, encoding: .utf8) else {
    Issue.record(
      "no snapshot \(name).txt: run RECORD_SNAPSHOTS=1 swift test --filter LeadboardAppTests",
      sourceLocation: sourceLocation)
    return
  }
  if expected != text {
    let want = expected.split(separator: "\n", omittingEmptySubsequences: false)
    let got = text.split(separator: "\n", omittingEmptySubsequences: false)
    var diff: [String] = []
    for i in 0..<max(want.count, got.count) {
      let w = i < want.count ? String(want[i]) : "∅"
      let g = i < got.count ? String(got[i]) : "∅"
      if w != g { diff.append("line \(i + 1):\n  want |\(w)|\n  got  |\(g)|") }
    }
    let shown = diff.prefix(8).joined(separator: "\n")
    Issue.record("\(name) differs from its snapshot:\n\(shown)", sourceLocation: sourceLocation)
  }
  let expectedStyles = (try? String(contentsOf: styleURL, encoding: .utf8)) ?? ""
  #expect(
    expectedStyles == styles, "\(name): style runs differ from \(name).styles.txt",
    sourceLocation: sourceLocation)
}
