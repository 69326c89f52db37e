import Foundation
import LeadLifecycle
import LeadboardTestSupport
import Testing

@Suite("Recycle and nurture")
struct RecycleTests {
  /// The standard test playbook with a 20-point MQL threshold, which `fitProfile` meets on
  /// fit alone (behaviour points are cleared on recycle).
  static let lowThreshold = TestPlaybook.standard { $0.scoring.mqlThreshold = 20 }
  /// 250 employees (+15) in Japan (+5): 20 fit points.
  static let fitProfile = Profile(email: "taro@example.jp", employees: 250, country: "JP")

  @Test func manualRecycleGoesBackToKnownWithTheReasonsNurturePeriod() throws {
    let h = PipelineHarness(Self.lowThreshold)
    let owner = try h.makeSAL("L1")
    h.clock.advance(by: .days(2))
    let out = try h.send(h.events.recycle("L1", by: owner, reason: "not_ready"))
    let nurtureEnd = Fixed.reference.plus(.days(2)).plus(.days(90))
    let stored = try #require(h.pipeline.log.first { $0.type == .recycled })
    #expect(stored.payload == .recycled(reason: "not_ready", nurtureUntil: nurtureEnd))
    #expect(out.stageMoves == ["sal→known"])
    #expect(
      out.of(.stageChanged).first?.payload
        == .stageChanged(from: .sal, to: .known, reason: "recycled: not_ready"))
    let lead = h.lead("L1")
    #expect(lead.stage == .known)
    #expect(lead.nurtureUntil == nurtureEnd)
    #expect(lead.recycleCount == 1)
    #expect(lead.lastRecycleReason == "not_ready")
    #expect(lead.owner == nil)
    #expect(lead.previousOwners == [owner])
    #expect(h.pipeline.load[owner] == 0)
  }

  @Test func recycleClearsBehaviourPointsButKeepsFit() throws {
    let h = PipelineHarness(Self.lowThreshold)
    let owner = try h.makeSAL("L1", profile: Self.fitProfile)
    #expect(h.lead("L1").fitScore == 20)
    #expect(h.lead("L1").behaviorScore == 35)
    h.clock.advance(by: .hours(1))
    let out = try h.send(h.events.recycle("L1", by: owner, reason: "no_contact"))
    let reset = try #require(out.scoreChanges.first)
    #expect(reset.kind == .reset)
    #expect(reset.rule == "recycle.reset")
    #expect(reset.delta == -35)
    #expect(reset.score == 20)
    #expect(reset.source == "e4")
    #expect(h.lead("L1").behaviorScore == 0)
    #expect(h.lead("L1").behaviorAtLastActivity == 0)
    #expect(h.lead("L1").score == 20)
  }

  @Test func noMQLDuringNurtureEvenAboveTheThreshold() throws {
    let h = PipelineHarness(Self.lowThreshold)
    let owner = try h.makeSAL("L1", profile: Self.fitProfile)
    try h.send(h.events.recycle("L1", by: owner, reason: "no_contact"))
    #expect(h.lead("L1").score >= 20)
    #expect(h.lead("L1").stage == .known)
    h.clock.advance(by: .days(10))
    let demo = try h.send(h.events.demoRequest("L1"))
    let download = try h.send(h.events.download("L1", asset: "a.pdf"))
    #expect(demo.stageMoves.isEmpty)
    #expect(download.stageMoves.isEmpty)
    #expect(h.lead("L1").score >= 60)
    // A tick just before the end of nurture changes nothing either.
    h.clock.set(Fixed.reference.plus(.days(30)).minus(.seconds(1)))
    #expect(h.tick().stageMoves.isEmpty)
    #expect(h.lead("L1").stage == .known)
  }

  @Test func afterNurtureTheTickEndsItAndPromotes() throws {
    let h = PipelineHarness(Self.lowThreshold)
    let owner = try h.makeSAL("L1", profile: Self.fitProfile)
    try h.send(h.events.recycle("L1", by: owner, reason: "no_contact"))
    let score = h.lead("L1").score
    h.clock.set(Fixed.reference.plus(.days(30)))
    let out = h.tick()
    #expect(out.types.prefix(2) == [.nurtureEnded, .stageChanged])
    #expect(
      out.of(.stageChanged).first?.payload
        == .stageChanged(from: .known, to: .mql, reason: "score \(score) ≥ threshold 20"))
    // The previous owner had it before, but a new MQL is routed afresh.
    #expect(out.of(.assigned).count == 1)
    let lead = h.lead("L1")
    #expect(lead.stage == .mql)
    #expect(lead.nurtureUntil == nil)
    #expect(lead.history.map(\.stage) == [.known, .mql, .sal, .known, .mql])
    // Ticking again at the same instant adds nothing.
    #expect(h.tick().isEmpty)
  }

  @Test func nurtureEndsQuietlyBelowTheThreshold() throws {
    let h = PipelineHarness()
    let owner = try h.makeSAL("L1")
    try h.send(h.events.recycle("L1", by: owner, reason: "wrong_person"))
    #expect(h.lead("L1").score < 60)
    h.clock.set(Fixed.reference.plus(.days(30)))
    let out = h.tick()
    #expect(out.types == [.nurtureEnded])
    #expect(h.lead("L1").stage == .known)
  }

  @Test func anExplicitNurtureEndIsKept() throws {
    let h = PipelineHarness()
    let owner = try h.makeSAL("L1")
    let until = at("2027-04-01T00:00:00Z")
    try h.send(h.events.recycle("L1", by: owner, reason: "not_ready", nurtureUntil: until))
    #expect(h.lead("L1").nurtureUntil == until)
  }

  static let quickAutoRecycle = TestPlaybook.standard {
    $0.recycle.autoRecycle = AutoRecycle(attempts: 3, within: .days(7), reason: "no_contact")
  }

  @Test func autoRecycleAfterNUnansweredAttemptsWithinTheWindow() throws {
    let h = PipelineHarness(Self.quickAutoRecycle)
    let owner = try h.makeSAL("L1")
    try h.send(h.events.contact("L1", by: owner, .noAnswer))
    h.clock.advance(by: .days(2))
    try h.send(h.events.contact("L1", by: owner, .voicemail, channel: .email))
    h.clock.advance(by: .days(2))
    let out = try h.send(h.events.contact("L1", by: owner, .bounced))
    let now = h.clock.now()
    #expect(out.types == [.recycled, .stageChanged, .scoreChanged])
    #expect(out[0].payload == .recycled(reason: "no_contact", nurtureUntil: now.plus(.days(30))))
    #expect(out[2].payload.type == .scoreChanged)
    #expect(out.scoreChanges.first?.kind == .reset)
    #expect(out[0].actor == Event.rulesActor)
    #expect(
      out[1].payload
        == .stageChanged(
          from: .sal, to: .known,
          reason: "auto-recycled (3 attempts without contact in 1w): no_contact"))
    #expect(h.lead("L1").stage == .known)
    #expect(h.lead("L1").recycleCount == 1)
    #expect(h.lead("L1").unansweredAttempts.isEmpty)
  }

  @Test func attemptsSpreadBeyondTheWindowDoNotRecycle() throws {
    let h = PipelineHarness(Self.quickAutoRecycle)
    let owner = try h.makeSAL("L1")
    try h.send(h.events.contact("L1", by: owner, .noAnswer))
    h.clock.advance(by: .days(8))
    try h.send(h.events.contact("L1", by: owner, .noAnswer))
    h.clock.advance(by: .days(1))
    let out = try h.send(h.events.contact("L1", by: owner, .noAnswer))
    #expect(out.isEmpty)
    #expect(h.lead("L1").stage == .sal)
    #expect(h.lead("L1").unansweredAttempts.count == 3)
  }

  @Test func reachingTheProspectResetsTheCount() throws {
    let h = PipelineHarness(Self.quickAutoRecycle)
    let owner = try h.makeSAL("L1")
    try h.send(h.events.contact("L1", by: owner, .noAnswer))
    try h.send(h.events.contact("L1", by: owner, .noAnswer))
    try h.send(h.events.contact("L1", by: owner, .connected))
    let out = try h.send(h.events.contact("L1", by: owner, .noAnswer))
    #expect(out.isEmpty)
    #expect(h.lead("L1").stage == .sal)
    #expect(h.lead("L1").reached)
  }

  /// A playbook where a recycle has no nurture period, so the same lead can be recycled again
  /// at once, at most two recycles are allowed, and only a demo request makes an MQL (the
  /// threshold is out of reach).
  static let twoRecycles = TestPlaybook.standard {
    $0.recycle.reasons.append(RecycleReason(code: "retry", label: "Try again", nurture: nil))
    $0.recycle.maxRecycles = 2
    $0.scoring.mqlThreshold = 1000
  }

  @Test func recyclingMoreThanTheMaximumDisqualifies() throws {
    let h = PipelineHarness(Self.twoRecycles)
    try h.makeMQL("L1")
    for n in 1...2 {
      let out = try h.send(h.events.recycle("L1", by: "a", reason: "retry"))
      #expect(out.stageMoves == ["mql→known"], "recycle \(n)")
      #expect(h.lead("L1").recycleCount == n)
      try h.send(h.events.demoRequest("L1"))
      #expect(h.lead("L1").stage == .mql)
    }
    let third = try h.send(h.events.recycle("L1", by: "a", reason: "retry"))
    #expect(third.types == [.disqualified])
    #expect(third[0].payload == .disqualified(reason: "max_recycles"))
    let lead = h.lead("L1")
    #expect(lead.recycleCount == 3)
    #expect(lead.closed?.closure == .disqualified)
    #expect(lead.closed?.reason == "max_recycles")
    #expect(!lead.isOpen)
    #expect(lead.stage == .mql)
    #expect(h.pipeline.load.values.allSatisfy { $0 == 0 })
  }

  @Test func builtInAllowsThreeRecyclesThenDisqualifies() throws {
    let h = PipelineHarness(
      TestPlaybook.standard {
        $0.recycle.reasons.append(RecycleReason(code: "retry", label: "Again"))
        $0.scoring.mqlThreshold = 1000
      })
    try h.makeMQL("L1")
    var moves: [[String]] = []
    var last: [Event] = []
    for _ in 1...4 {
      last = try h.send(h.events.recycle("L1", by: "a", reason: "retry"))
      moves.append(last.stageMoves)
      if h.lead("L1").isOpen { try h.send(h.events.demoRequest("L1")) }
    }
    #expect(moves == [["mql→known"], ["mql→known"], ["mql→known"], []])
    #expect(last.types == [.disqualified])
  }

  @Test(arguments: [true, false])
  func aRecycleWithoutNurtureStaysKnownOnlyWhenBehaviourIsCleared(_ reset: Bool) throws {
    let h = PipelineHarness(
      TestPlaybook.standard {
        $0.recycle.reasons.append(RecycleReason(code: "retry", label: "Again"))
        $0.recycle.resetBehaviorScore = reset
        $0.scoring.mqlThreshold = 20
      })
    try h.makeMQL("L1")
    #expect(h.lead("L1").score == 35)
    let out = try h.send(h.events.recycle("L1", by: "a", reason: "retry"))
    if reset {
      // Cleared to 0: it has to engage again before it is an MQL.
      #expect(out.stageMoves == ["mql→known"])
      #expect(h.lead("L1").stage == .known)
    } else {
      // Kept at 35, above the threshold, with no nurture period: an MQL again at once.
      #expect(out.stageMoves == ["mql→known", "known→mql"])
      #expect(
        out.of(.assigned).first?.payload
          == .assigned(to: "b", team: nil, explanation: "b: next in round robin for all reps"))
    }
    #expect(h.lead("L1").recycleCount == 1)
  }

  @Test func autoRecyclePastTheMaximumDisqualifiesToo() throws {
    let playbook = Self.quickAutoRecycle.with { $0.recycle.maxRecycles = 0 }
    let h = PipelineHarness(playbook)
    let owner = try h.makeSAL("L1")
    for _ in 1...2 { try h.send(h.events.contact("L1", by: owner, .noAnswer)) }
    let out = try h.send(h.events.contact("L1", by: owner, .noAnswer))
    #expect(out.types == [.recycled, .disqualified])
    #expect(h.lead("L1").closed?.reason == "max_recycles")
  }
}
