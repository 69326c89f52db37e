import Foundation
import LeadLifecycle
import LeadboardTestSupport
import Testing

/// Folds score lines into a lead the way the engine does (as `score_changed` events).
func applying(_ changes: [ScoreChange], to lead: LeadState, at date: Date) -> LeadState {
  var s = lead
  for (i, c) in changes.enumerated() {
    s.apply(Event(id: "sc\(s.eventCount)-\(i)", at: date, lead: s.id, .scoreChanged(c)))
  }
  return s
}

@Suite("Scoring: fit")
struct FitScoringTests {
  struct Match: Sendable, CustomTestStringConvertible {
    var condition: Condition
    var profile: Profile
    var matches: Bool
    var testDescription: String { "\(condition.summary) ⇐ \(profile) → \(matches)" }
  }

  static let matches: [Match] = [
    Match(
      condition: Condition(field: "country", test: .equals("jp")), profile: Profile(country: "JP"),
      matches: true),
    Match(
      condition: Condition(field: "country", test: .equals("jp")), profile: Profile(country: "JPN"),
      matches: false),
    Match(
      condition: Condition(field: "country", test: .equals("jp")), profile: Profile(),
      matches: false),
    Match(
      condition: Condition(field: "industry", test: .oneOf(["software", "SaaS"])),
      profile: Profile(industry: "saas"), matches: true),
    Match(
      condition: Condition(field: "industry", test: .oneOf(["software", "SaaS"])),
      profile: Profile(industry: "retail"), matches: false),
    Match(
      condition: Condition(field: "employees", test: .range(NumberRange(50, 5000))),
      profile: Profile(employees: 50), matches: true),
    Match(
      condition: Condition(field: "employees", test: .range(NumberRange(50, 5000))),
      profile: Profile(employees: 5000), matches: true),
    Match(
      condition: Condition(field: "employees", test: .range(NumberRange(50, 5000))),
      profile: Profile(employees: 49), matches: false),
    Match(
      condition: Condition(field: "employees", test: .range(NumberRange(50, 5000))),
      profile: Profile(employees: 5001), matches: false),
    Match(
      condition: Condition(field: "employees", test: .range(NumberRange(50, 5000))),
      profile: Profile(), matches: false),
    Match(
      condition: Condition(field: "title", test: .contains(["director", "部長"])),
      profile: Profile(title: "Sales Director"), matches: true),
    Match(
      condition: Condition(field: "title", test: .contains(["director", "部長"])),
      profile: Profile(title: "情報システム部長"), matches: true),
    Match(
      condition: Condition(field: "title", test: .contains(["director", "部長"])),
      profile: Profile(title: "Engineer"), matches: false),
    Match(
      condition: Condition(field: "email_domain", test: .oneOf(["gmail.com"])),
      profile: Profile(email: "Taro@GMAIL.com"), matches: true),
    Match(
      condition: Condition(field: "email_domain", test: .oneOf(["gmail.com"])),
      profile: Profile(email: "taro@example.jp"), matches: false),
    Match(
      condition: Condition(field: "extra:segment", test: .equals("enterprise")),
      profile: Profile(extra: ["segment": "Enterprise"]), matches: true),
    Match(
      condition: Condition(field: "phone", test: .present), profile: Profile(phone: "03-1234"),
      matches: true),
    Match(
      condition: Condition(field: "phone", test: .present), profile: Profile(phone: ""),
      matches: false),
  ]

  @Test(arguments: matches)
  func conditionTests(_ m: Match) {
    #expect(m.condition.matches(m.profile) == m.matches)
  }

  static let policy = ScoringPolicy(
    mqlThreshold: 50,
    fit: [
      FitRule(
        id: "fit.country", condition: Condition(field: "country", test: .equals("jp")), points: 5),
      FitRule(
        id: "fit.industry",
        condition: Condition(field: "industry", test: .oneOf(["software", "SaaS"])), points: 10),
      FitRule(
        id: "fit.size",
        condition: Condition(field: "employees", test: .range(NumberRange(50, 5000))), points: 15),
      FitRule(
        id: "fit.title", condition: Condition(field: "title", test: .contains(["director", "部長"])),
        points: 15),
      FitRule(
        id: "fit.free_mail",
        condition: Condition(field: "email_domain", test: .oneOf(["gmail.com"])), points: -10),
    ])

  @Test func fitLinesCarryRuleDeltaRunningScoreAndSource() {
    var lead = LeadState(id: "L1", at: Fixed.reference)
    lead.profile = Profile(email: "t@gmail.com", title: "Director", employees: 250, country: "JP")
    let lines = Scorer(policy: Self.policy).fitChanges(for: lead, source: "e1")
    #expect(lines.map(\.rule) == ["fit.country", "fit.size", "fit.title", "fit.free_mail"])
    #expect(lines.map(\.delta) == [5, 15, 15, -10])
    #expect(lines.map(\.score) == [5, 20, 35, 25])
    #expect(lines.allSatisfy { $0.kind == .fit && $0.source == "e1" })
    #expect(lines[0].detail == "country = jp: +5")
    #expect(lines[1].detail == "employees in 50…5000: +15")
    #expect(lines[3].detail == "email_domain in gmail.com: -10")
  }

  @Test func fitFollowsTheProfileBothWays() {
    let scorer = Scorer(policy: Self.policy)
    var lead = LeadState(id: "L1", at: Fixed.reference)
    lead.profile = Profile(employees: 250, country: "JP")
    lead = applying(scorer.fitChanges(for: lead, source: "e1"), to: lead, at: Fixed.reference)
    #expect(lead.fitScore == 20)
    // Same profile: nothing to do.
    #expect(scorer.fitChanges(for: lead, source: "e2").isEmpty)
    // The company shrank below the range: the points it gave are taken back.
    lead.profile.employees = 20
    let lines = scorer.fitChanges(for: lead, source: "e3")
    #expect(lines.count == 1)
    #expect(lines.first?.rule == "fit.size")
    #expect(lines.first?.delta == -15)
    #expect(lines.first?.score == 5)
    #expect(lines.first?.detail == "no longer employees in 50…5000: -15")
  }

  @Test func captureWritesFitAndBehaviourLinesToTheLedger() throws {
    let h = PipelineHarness()
    try h.capture(
      "L1",
      profile: Profile(
        email: "taro@example.jp", name: "山田太郎", company: "株式会社サンプル", title: "情報システム部長",
        industry: "情報通信業", employees: 250, country: "JP"))
    let ledger = h.lead("L1").ledger.map(\.change)
    #expect(
      ledger.map(\.rule) == [
        "fit.size.mid", "fit.industry", "fit.title", "fit.country", "behavior.form",
      ])
    #expect(ledger.map(\.delta) == [15, 10, 15, 5, 5])
    #expect(ledger.map(\.score) == [15, 25, 40, 45, 50])
    #expect(ledger.allSatisfy { $0.source == "e1" })
    #expect(ledger.last?.detail == "form_submit contact: +5")
    #expect(h.lead("L1").ledger.allSatisfy { $0.at == Fixed.reference })
    #expect(h.lead("L1").fitScore == 45)
    #expect(h.lead("L1").behaviorScore == 5)
    #expect(h.lead("L1").score == 50)
    #expect(h.lead("L1").stage == .known)
  }

  @Test func profileUpdateRescoresFit() throws {
    let h = PipelineHarness()
    try h.capture("L1", profile: Profile(email: "a@example.jp"))
    let out = try h.send(h.events.profileUpdate("L1", Profile(title: "VP Sales")))
    #expect(out.scoreChanges.map(\.rule) == ["fit.title"])
    #expect(out.scoreChanges.first?.source == "e2")
    #expect(h.lead("L1").score == 20)
  }
}

@Suite("Scoring: behaviour")
struct BehaviorScoringTests {
  static let policy = ScoringPolicy(
    mqlThreshold: 100,
    behavior: [
      BehaviorRule(id: "b.pricing", event: .pageView, match: "/pricing*", points: 10, cap: 25),
      BehaviorRule(id: "b.page", event: .pageView, points: 1, cap: 3),
      BehaviorRule(id: "b.pdf", event: .contentDownload, match: "*.pdf", points: 7),
      BehaviorRule(id: "b.unsub", event: .unsubscribe, points: -20),
    ])

  @Test(arguments: [
    ("/pricing*", "/pricing", true), ("/pricing*", "/pricing/team", true),
    ("/pricing*", "/PRICING", true), ("/pricing*", "/docs/pricing", false),
    ("*pricing*", "/docs/pricing", true), ("/blog/?", "/blog/a", true),
    ("/blog/?", "/blog/ab", false), ("*.pdf", "whitepaper.PDF", true), ("", "", true),
    ("*", "", true), ("a*b*c", "axxbyyc", true), ("a*b*c", "axxbyy", false),
    ("/料金*", "/料金/プラン", true),
  ])
  func globs(_ pattern: String, _ text: String, _ expected: Bool) {
    #expect(globMatch(pattern, text) == expected)
  }

  @Test func matchingPathsScoreAndOthersDoNot() {
    let scorer = Scorer(policy: Self.policy)
    let lead = LeadState(id: "L1", at: Fixed.reference)
    let pricing = scorer.behaviorChanges(
      for: lead, type: .pageView, subject: "/pricing/team", source: "e1")
    #expect(pricing.map(\.rule) == ["b.pricing", "b.page"])
    #expect(pricing.map(\.score) == [10, 11])
    #expect(pricing[0].detail == "page_view /pricing/team: +10")
    let about = scorer.behaviorChanges(for: lead, type: .pageView, subject: "/about", source: "e2")
    #expect(about.map(\.rule) == ["b.page"])
    let doc = scorer.behaviorChanges(
      for: lead, type: .contentDownload, subject: "deck.pptx", source: "e3")
    #expect(doc.isEmpty)
    let noSubject = scorer.behaviorChanges(for: lead, type: .pageView, subject: nil, source: "e4")
    #expect(noSubject.map(\.rule) == ["b.page"])
  }

  @Test func capLimitsPointsPerRuleAndSaysSo() {
    let scorer = Scorer(policy: Self.policy)
    var lead = LeadState(id: "L1", at: Fixed.reference)
    var given: [Int] = []
    var notes: [String] = []
    for i in 1...4 {
      let lines = scorer.behaviorChanges(
        for: lead, type: .pageView, subject: "/pricing", source: "e\(i)"
      )
      .filter { $0.rule == "b.pricing" }
      given.append(lines.first?.delta ?? 0)
      notes.append(lines.first?.detail ?? "")
      lead = applying(lines, to: lead, at: Fixed.reference)
    }
    #expect(given == [10, 10, 5, 0])
    #expect(notes[2] == "page_view /pricing: +5 (cap 25 reached)")
    #expect(lead.rulePoints["b.pricing"] == 25)
  }

  @Test func floorClampsNegativePoints() {
    let scorer = Scorer(policy: Self.policy)
    var lead = LeadState(id: "L1", at: Fixed.reference)
    lead = applying(
      scorer.behaviorChanges(for: lead, type: .pageView, subject: "/about", source: "e1"), to: lead,
      at: Fixed.reference)
    #expect(lead.score == 1)
    let lines = scorer.behaviorChanges(for: lead, type: .unsubscribe, subject: nil, source: "e2")
    #expect(lines.map(\.delta) == [-1])
    #expect(lines.first?.score == 0)
    #expect(lines.first?.detail == "unsubscribe: -1 (floor 0)")
    lead = applying(lines, to: lead, at: Fixed.reference)
    // At the floor, more negative points change nothing and write no line.
    #expect(
      scorer.behaviorChanges(for: lead, type: .unsubscribe, subject: nil, source: "e3").isEmpty)
  }

  @Test func withoutAFloorTheScoreGoesNegative() {
    var policy = Self.policy
    policy.floor = nil
    let scorer = Scorer(policy: policy)
    var lead = LeadState(id: "L1", at: Fixed.reference)
    lead = applying(
      scorer.behaviorChanges(for: lead, type: .pageView, subject: "/about", source: "e1"), to: lead,
      at: Fixed.reference)
    let lines = scorer.behaviorChanges(for: lead, type: .unsubscribe, subject: nil, source: "e2")
    #expect(lines.map(\.delta) == [-20])
    #expect(lines.first?.score == -19)
    #expect(lines.first?.detail == "unsubscribe: -20")
    lead = applying(lines, to: lead, at: Fixed.reference)
    #expect(lead.score == -19)
  }

  @Test func aFloorAboveZeroIsHonoured() {
    var policy = Self.policy
    policy.floor = 5
    let scorer = Scorer(policy: policy)
    var lead = LeadState(id: "L1", at: Fixed.reference)
    lead.behaviorScore = 12
    let lines = scorer.behaviorChanges(for: lead, type: .unsubscribe, subject: nil, source: "e1")
    #expect(lines.map(\.delta) == [-7])
    #expect(lines.first?.score == 5)
  }

  @Test func negativePointsInThePipelineLedger() throws {
    let h = PipelineHarness(TestPlaybook.standard { $0.scoring.floor = nil })
    try h.capture("L1")
    let out = try h.send(h.events.make(.unsubscribe, lead: "L1"))
    #expect(out.scoreChanges.map(\.delta) == [-20])
    #expect(h.lead("L1").score == -15)
    #expect(h.lead("L1").ledger.last?.change.score == -15)
    #expect(h.lead("L1").ledger.last?.change.source == "e2")
  }
}

@Suite("Scoring: decay")
struct DecayTests {
  func lead(behavior: Int, lastActivity: Date) -> LeadState {
    var s = LeadState(id: "L1", at: lastActivity)
    s.behaviorScore = behavior
    s.behaviorAtLastActivity = behavior
    s.lastActivityAt = lastActivity
    return s
  }

  @Test func halfLifeHalvesPerPeriod() {
    let scorer = Scorer(policy: ScoringPolicy(mqlThreshold: 60, decay: .halfLife(days: 30)))
    let start = Fixed.reference
    let s = lead(behavior: 40, lastActivity: start)
    #expect(scorer.decayChange(for: s, now: start) == nil)
    let month = scorer.decayChange(for: s, now: start.plus(.days(30)))
    #expect(month?.delta == -20)
    #expect(month?.score == 20)
    #expect(month?.kind == .decay)
    #expect(month?.rule == "decay")
    #expect(month?.source == nil)
    #expect(month?.detail == "decay: 30 days inactive, half-life 30 d: -20")
    #expect(scorer.decayChange(for: s, now: start.plus(.days(60)))?.delta == -30)
  }

  @Test func pointsPerInactiveWeekCountsWholeWeeksAndStopsAtZero() {
    let scorer = Scorer(policy: ScoringPolicy(mqlThreshold: 60, decay: .pointsPerInactiveWeek(5)))
    let start = Fixed.reference
    let s = lead(behavior: 12, lastActivity: start)
    #expect(scorer.decayChange(for: s, now: start.plus(.days(6))) == nil)
    #expect(scorer.decayChange(for: s, now: start.plus(.days(7)))?.delta == -5)
    #expect(scorer.decayChange(for: s, now: start.plus(.days(15)))?.delta == -10)
    #expect(
      scorer.decayChange(for: s, now: start.plus(.days(15)))?.detail
        == "decay: 2 inactive weeks × 5: -10")
    #expect(scorer.decayChange(for: s, now: start.plus(.weeks(10)))?.delta == -12)
  }

  /// Captures a lead with 35 behaviour points and an empty profile.
  func harness(_ decay: Decay) throws -> PipelineHarness {
    let h = PipelineHarness(TestPlaybook.standard { $0.scoring.decay = decay })
    try h.capture("L1", profile: Profile())
    for i in 1...3 { try h.send(h.events.download("L1", asset: "guide-\(i).pdf")) }
    #expect(h.lead("L1").behaviorScore == 35)
    return h
  }

  @Test func halfLifeTickingMonthlyEqualsTickingOnce() throws {
    let monthly = try harness(.halfLife(days: 90))
    let once = try harness(.halfLife(days: 90))
    var steps: [Int] = []
    for _ in 1...6 {
      monthly.advanceAndTick(.days(30))
      steps.append(monthly.lead("L1").behaviorScore)
    }
    once.advanceAndTick(.days(180))
    #expect(monthly.clock.now() == once.clock.now())
    // 35 · 2^(−t/90 d), rounded, month by month.
    #expect(steps == [28, 22, 18, 14, 11, 9])
    #expect(once.lead("L1").behaviorScore == 9)
    #expect(monthly.lead("L1").score == once.lead("L1").score)
    let monthlyDecay = monthly.lead("L1").ledger.filter { $0.change.kind == .decay }
    let onceDecay = once.lead("L1").ledger.filter { $0.change.kind == .decay }
    #expect(monthlyDecay.count == 6)
    #expect(onceDecay.count == 1)
    #expect(monthlyDecay.map(\.change.delta).reduce(0, +) == onceDecay[0].change.delta)
  }

  @Test func weeklyDecayTickingWeeklyEqualsTickingOnce() throws {
    let weekly = try harness(.pointsPerInactiveWeek(4))
    let once = try harness(.pointsPerInactiveWeek(4))
    for _ in 1...5 { weekly.advanceAndTick(.days(7)) }
    once.advanceAndTick(.days(35))
    #expect(weekly.lead("L1").behaviorScore == 15)
    #expect(once.lead("L1").behaviorScore == 15)
    // Twelve weeks later it is gone, never negative.
    weekly.advanceAndTick(.weeks(12))
    #expect(weekly.lead("L1").behaviorScore == 0)
  }

  @Test func newActivityRestartsTheDecayFromTheNewScore() throws {
    let h = try harness(.halfLife(days: 90))
    h.advanceAndTick(.days(90))
    #expect(h.lead("L1").behaviorScore == 18)
    try h.send(h.events.make(.webinarAttended(webinar: "w1"), lead: "L1"))
    #expect(h.lead("L1").behaviorScore == 33)
    #expect(h.lead("L1").behaviorAtLastActivity == 33)
    h.advanceAndTick(.days(90))
    #expect(h.lead("L1").behaviorScore == 17)
  }
}

@Suite("Scoring: MQL")
struct MQLTests {
  @Test func crossingTheThresholdMakesAnMQLWithTheReason() throws {
    let h = PipelineHarness()
    try h.capture(
      "L1",
      profile: Profile(
        email: "taro@example.jp", title: "情報システム部長", industry: "情報通信業", employees: 250,
        country: "JP"))
    #expect(h.lead("L1").score == 50)
    let before = try h.send(h.events.pageView("/about", lead: "L1"))
    #expect(before.stageMoves.isEmpty)
    #expect(h.lead("L1").score == 51)
    let out = try h.send(h.events.pageView("/pricing", lead: "L1"))
    #expect(out.stageMoves == ["known→mql"])
    let change = try #require(out.of(.stageChanged).first)
    #expect(
      change.payload == .stageChanged(from: .known, to: .mql, reason: "score 62 ≥ threshold 60"))
    #expect(change.cause == "e3")
    #expect(change.actor == Event.rulesActor)
    #expect(change.id == "e3#3")
    #expect(h.lead("L1").stage == .mql)
    #expect(h.lead("L1").entered(.mql) == Fixed.reference)
  }

  @Test func exactlyAtTheThresholdIsEnough() throws {
    let h = PipelineHarness(TestPlaybook.standard { $0.scoring.mqlThreshold = 5 })
    let out = try h.capture("L1")
    #expect(out.stageMoves == ["visitor→known", "known→mql"])
    #expect(h.lead("L1").score == 5)
  }

  @Test func demoRequestIsAnInstantMQL() throws {
    let h = PipelineHarness()
    try h.capture("L1")
    #expect(h.lead("L1").score == 5)
    let out = try h.send(h.events.demoRequest("L1"))
    #expect(out.stageMoves == ["known→mql"])
    #expect(
      out.of(.stageChanged).first?.payload
        == .stageChanged(from: .known, to: .mql, reason: "high-intent action: demo_request"))
    #expect(h.lead("L1").score == 35)
  }

  @Test func repeatedPricingViewsWithinTheWindowAreAnInstantMQL() throws {
    let h = PipelineHarness()
    try h.capture("L1", profile: Profile())
    try h.send(h.events.pageView("/pricing", lead: "L1"))
    h.clock.advance(by: .days(3))
    try h.send(h.events.pageView("/pricing/enterprise", lead: "L1"))
    h.clock.advance(by: .days(3))
    let out = try h.send(h.events.pageView("/pricing", lead: "L1"))
    #expect(h.lead("L1").score < 60)
    #expect(out.stageMoves == ["known→mql"])
    #expect(
      out.of(.stageChanged).first?.payload
        == .stageChanged(
          from: .known, to: .mql, reason: "high-intent: 3 views of /pricing* within 1w"))
  }

  @Test func pricingViewsSpreadBeyondTheWindowAreNot() throws {
    let h = PipelineHarness()
    try h.capture("L1", profile: Profile())
    try h.send(h.events.pageView("/pricing", lead: "L1"))
    h.clock.advance(by: .days(4))
    try h.send(h.events.pageView("/pricing", lead: "L1"))
    h.clock.advance(by: .days(3) + .hours(1))
    let out = try h.send(h.events.pageView("/pricing", lead: "L1"))
    #expect(out.stageMoves.isEmpty)
    #expect(h.lead("L1").stage == .known)
  }

  @Test func otherPagesDoNotCountTowardsRepeatedVisits() throws {
    let h = PipelineHarness()
    try h.capture("L1", profile: Profile())
    for path in ["/pricing", "/docs", "/pricing"] {
      try h.send(h.events.pageView(path, lead: "L1"))
    }
    #expect(h.lead("L1").stage == .known)
  }

  @Test func mqlReasonOrder() {
    let scorer = Scorer(policy: Playbook.builtIn.scoring)
    var lead = LeadState(id: "L1", at: Fixed.reference)
    lead.stage = .known
    lead.fitScore = 70
    #expect(
      scorer.mqlReason(for: lead, trigger: .demoRequest, at: Fixed.reference)
        == "high-intent action: demo_request")
    #expect(
      scorer.mqlReason(for: lead, trigger: .pageView, at: Fixed.reference)
        == "score 70 ≥ threshold 60")
    lead.fitScore = 59
    #expect(scorer.mqlReason(for: lead, trigger: nil, at: Fixed.reference) == nil)
  }
}

extension Span {
  static func + (a: Span, b: Span) -> Span { Span(seconds: a.seconds + b.seconds) }
}
