import Foundation
import LeadLifecycle
import LeadboardTestSupport
import Testing

@Suite("Stalls and black holes")
struct StallTests {
  func lead(in stage: Stage, since entered: Date = Fixed.reference) -> LeadState {
    var s = LeadState(id: "L1", at: entered)
    s.stage = stage
    s.stageEnteredAt = entered
    s.history = [StageEntry(stage: stage, at: entered)]
    return s
  }

  struct Window: Sendable, CustomTestStringConvertible {
    var stage: Stage
    var hole: BlackHole
    var days: Int
    var testDescription: String { "\(stage) → \(hole.rawValue)" }
  }

  static let windows: [Window] = [
    Window(stage: .known, hole: .nurtureStall, days: 30),
    Window(stage: .mql, hole: .noFollowUp, days: 3),
    Window(stage: .sal, hole: .noContact, days: 14),
    Window(stage: .sql, hole: .opportunityGap, days: 42),
    Window(stage: .opportunity, hole: .agingOpportunity, days: 180),
  ]

  @Test(arguments: windows)
  func eachStageStallsIntoItsBlackHole(_ w: Window) throws {
    let rule = StallRule(playbook: .builtIn)
    let s = lead(in: w.stage)
    let window = Span.days(Double(w.days))
    #expect(rule.evaluate(s, at: Fixed.reference.plus(window)) == nil)
    let alert = try #require(rule.evaluate(s, at: Fixed.reference.plus(window).plus(.days(1))))
    #expect(alert.blackHole == w.hole)
    #expect(alert.stage == w.stage)
    #expect(alert.days == w.days + 1)
    #expect(alert.reason == "\(w.days + 1) d in \(w.stage), window \(w.days) d")
    #expect(alert.action == w.hole.suggestedAction)
    #expect(alert.snoozedUntil == nil)
    #expect(BlackHole.forStage(w.stage) == w.hole)
    #expect(w.hole.stage == w.stage)
  }

  @Test(arguments: [Stage.visitor, .customer])
  func stagesOutsideTheFunnelNeverStall(_ stage: Stage) {
    #expect(
      StallRule(playbook: .builtIn).evaluate(lead(in: stage), at: Fixed.reference.plus(.days(1000)))
        == nil)
  }

  @Test func closedLeadsNeverStall() {
    var s = lead(in: .mql)
    s.closed = ClosedInfo(closure: .disqualified, reason: "spam", at: Fixed.reference)
    #expect(StallRule(playbook: .builtIn).evaluate(s, at: Fixed.reference.plus(.days(100))) == nil)
  }

  @Test func opportunityPastItsCloseDateIsAgingBeforeTheWindow() throws {
    var s = lead(in: .opportunity)
    s.opportunity = OpportunityFields(closeDate: at("2026-11-20T00:00:00Z"))
    let rule = StallRule(playbook: .builtIn)
    #expect(rule.evaluate(s, at: at("2026-11-19T23:59:59Z")) == nil)
    let alert = try #require(rule.evaluate(s, at: at("2026-12-25T00:00:00Z")))
    #expect(alert.blackHole == .agingOpportunity)
    #expect(alert.reason == "close date 2026-11-20 passed 35 d ago")
    #expect(alert.days == 52)
    // Past both the window and the close date, both reasons are given.
    let late = try #require(rule.evaluate(s, at: Fixed.reference.plus(.days(200))))
    #expect(
      late.reason == "200 d in opportunity, window 180 d; close date 2026-11-20 passed 182 d ago")
  }

  @Test func opportunityPastCloseDateInThePipeline() throws {
    let h = PipelineHarness()
    try h.makeOpportunity("L1", closeDate: at("2026-11-30T00:00:00Z"))
    h.clock.set("2026-12-10T00:00:00Z")
    let out = h.tick()
    #expect(
      out.of(.stalled).first?.payload
        == .stalled(stage: .opportunity, blackHole: .agingOpportunity, days: 37))
    #expect(h.pipeline.stalls(at: h.clock.now()).map(\.blackHole) == [.agingOpportunity])
  }

  @Test func eachBlackHoleFromThePipeline() throws {
    let h = PipelineHarness()
    try h.capture("K")
    try h.makeMQL("M")
    try h.send(h.events.accept("M", by: "a"))  // M becomes a SAL owned by a
    try h.makeMQL("Q")  // stays an MQL (owned by b)
    try h.makeSQL("S")
    h.clock.set(Fixed.reference.plus(.days(50)))
    let stalled = h.tick().of(.stalled)
    let holes = Dictionary(uniqueKeysWithValues: stalled.map { ($0.lead!, $0.payload) })
    #expect(holes["K"] == .stalled(stage: .known, blackHole: .nurtureStall, days: 50))
    #expect(holes["M"] == .stalled(stage: .sal, blackHole: .noContact, days: 50))
    #expect(holes["Q"] == .stalled(stage: .mql, blackHole: .noFollowUp, days: 50))
    #expect(holes["S"] == .stalled(stage: .sql, blackHole: .opportunityGap, days: 50))
    #expect(h.pipeline.stalls(at: h.clock.now()).map(\.lead) == ["K", "Q", "M", "S"])
  }

  @Test func snoozeSuppressesTheTickEventButNotTheAlert() throws {
    let h = PipelineHarness()
    try h.makeMQL("L1")
    let until = Fixed.reference.plus(.days(10))
    try h.send(h.events.snooze("L1", by: "a", until: until, reason: "customer on holiday"))
    h.clock.set(Fixed.reference.plus(.days(5)))
    let out = h.tick()
    #expect(out.of(.stalled).isEmpty)
    let alert = try #require(h.pipeline.stalls(at: h.clock.now()).first)
    #expect(alert.blackHole == .noFollowUp)
    #expect(alert.snoozedUntil == until)
    #expect(h.lead("L1").stalledAt == nil)
    // When the snooze ends the stall is recorded.
    h.clock.set(until)
    #expect(
      h.tick().of(.stalled).first?.payload
        == .stalled(stage: .mql, blackHole: .noFollowUp, days: 10))
    #expect(h.pipeline.stalls(at: h.clock.now()).first?.snoozedUntil == nil)
  }

  @Test func stallIsRecordedOncePerStageEntry() throws {
    let h = PipelineHarness()
    try h.makeMQL("L1")
    let first = h.advanceAndTick(.days(4))
    #expect(first.of(.stalled).count == 1)
    #expect(h.lead("L1").stalledAt == h.clock.now())
    #expect(h.advanceAndTick(.days(1)).of(.stalled).isEmpty)
    #expect(h.advanceAndTick(.days(30)).of(.stalled).isEmpty)
    // A new stage entry starts a new window.
    try h.send(h.events.accept("L1", by: "a"))
    #expect(h.lead("L1").stalledAt == nil)
    #expect(h.advanceAndTick(.days(14)).of(.stalled).isEmpty)
    let again = h.advanceAndTick(.days(1))
    #expect(
      again.of(.stalled).first?.payload == .stalled(stage: .sal, blackHole: .noContact, days: 15))
  }

  @Test func classifyAndTheAlertFollowTheRuleAtEveryStageAndMoment() {
    // The rule written out independently of StallRule: an open lead of a funnel stage is
    // stalled once it has been in the stage longer than the stage's window (the `windows`
    // table above, in days), or is an opportunity past its close date; a snooze marks it.
    let rule = StallRule(playbook: .builtIn)
    let window = Dictionary(uniqueKeysWithValues: Self.windows.map { ($0.stage, $0) })
    var checked = 0
    var stalledSeen = 0
    for stage in Stage.allCases {
      for closeDay in [nil, 5.0, 400] {
        for snoozeDay in [nil, 20.0] {
          var s = lead(in: stage)
          if let closeDay {
            s.opportunity = OpportunityFields(closeDate: Fixed.reference.plus(.days(closeDay)))
          }
          if let snoozeDay { s.snoozedUntil = Fixed.reference.plus(.days(snoozeDay)) }
          for day in stride(from: 0.0, through: 200, by: 0.5) {
            let now = Fixed.reference.plus(.days(day))
            var stalled = false
            if let w = window[stage] {
              stalled =
                day > Double(w.days) || (stage == .opportunity && closeDay.map { day > $0 } == true)
            }
            let snoozed = snoozeDay.map { day < $0 } ?? false
            let alert = rule.evaluate(s, at: now)
            let c = rule.classify(s, at: now)
            #expect((alert != nil) == stalled && (c != nil) == stalled, "\(stage) day \(day)")
            #expect(c?.hole == (stalled ? window[stage]?.hole : nil), "\(stage) day \(day)")
            #expect(alert?.blackHole == c?.hole)
            #expect(c.map(\.snoozed) == (stalled ? snoozed : nil), "\(stage) day \(day)")
            #expect(alert.map { $0.snoozedUntil != nil } == c.map(\.snoozed))
            checked += 1
            if stalled { stalledSeen += 1 }
          }
        }
      }
    }
    #expect(checked == Stage.allCases.count * 6 * 401)
    #expect(stalledSeen > 1000)
  }

  @Test func daysInStageRoundsDown() {
    let s = lead(in: .mql)
    #expect(s.daysInStage(at: Fixed.reference.plus(.hours(47))) == 1)
    #expect(s.daysInStage(at: Fixed.reference.minus(.hours(5))) == 0)
  }

  @Test func everyBlackHoleHasWords() {
    for hole in BlackHole.allCases {
      #expect(!hole.title.isEmpty)
      #expect(!hole.suggestedAction.isEmpty)
      #expect(BlackHole.forStage(hole.stage) == hole)
    }
  }
}
