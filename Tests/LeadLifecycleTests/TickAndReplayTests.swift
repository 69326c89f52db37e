import Foundation
import LeadLifecycle
import LeadboardTestSupport
import Testing

/// A pipeline with leads in every situation a tick cares about: an MQL about to breach its
/// response SLA, an unworked SAL, a nurturing lead, a stalled SQL, decaying scores, an
/// anonymous visitor stitched on capture, a snoozed lead, a closed one.
func busyPipeline(ticks: Bool) throws -> PipelineHarness {
  let playbook = TestPlaybook.standard(reps: [
    Rep(id: "a"), Rep(id: "b", capacity: 2), Rep(id: "c"),
  ]) {
    $0.scoring.decay = .halfLife(days: 30)
  }
  let h = PipelineHarness(playbook)
  let e = h.events
  try h.send(e.pageView("/pricing", visitor: "v-1"))
  h.clock.advance(by: .minutes(2))
  try h.send(e.pageView("/docs", visitor: "v-1"))
  try h.capture(
    "L1", profile: Profile(email: "taro@example.jp", name: "山田太郎", employees: 300, country: "JP"),
    visitor: "v-1")
  try h.send(e.pageView("/pricing/team", visitor: "v-1"))
  try h.makeMQL("L2")
  try h.makeSAL("L3")
  try h.makeSQL("L4")
  try h.send(e.contact("L3", by: h.lead("L3").owner!, .noAnswer))
  h.clock.advance(by: .minutes(1))
  try h.makeMQL("L5")
  try h.send(e.recycle("L5", by: "a", reason: "timing"))
  try h.makeMQL("L6")
  try h.send(e.snooze("L6", by: h.lead("L6").owner!, until: h.clock.now().plus(.days(2))))
  try h.capture("L7")
  try h.send(e.make(.disqualified(reason: "student"), lead: "L7", actor: "a"))
  if ticks { h.advanceAndTick(.minutes(6)) }
  try h.send(e.demoRequest("L1"))
  try h.send(e.download("L2", asset: "guide.pdf"))
  if ticks { h.advanceAndTick(.days(4)) }
  try h.send(e.qualify("L3", by: h.lead("L3").owner!))
  try h.makeOpportunity("L8", closeDate: h.clock.now().plus(.days(3)))
  if ticks {
    h.advanceAndTick(.days(30))
    h.advanceAndTick(.days(61))
  }
  return h
}

@Suite("Tick determinism")
struct TickDeterminismTests {
  @Test func sameStateAndClockGiveIdenticalEventsIdsIncluded() throws {
    let one = try busyPipeline(ticks: false)
    let two = try busyPipeline(ticks: false)
    #expect(one.pipeline.log == two.pipeline.log)
    let now = one.clock.now().plus(.days(65))
    let first = one.pipeline.tick(at: now)
    let second = two.pipeline.tick(at: now)
    #expect(!first.isEmpty)
    #expect(first == second)
    #expect(first.map(\.id) == second.map(\.id))
    #expect(
      first.allSatisfy {
        $0.id.hasPrefix("tick:\(ISO8601.format(now)):") && $0.actor == Event.rulesActor
      })
    #expect(
      Set(first.types).isSuperset(of: [.slaBreached, .stalled, .scoreChanged, .nurtureEnded]))
    #expect(one.pipeline.leads == two.pipeline.leads)
  }

  @Test func aCopiedPipelineTicksTheSameWay() throws {
    let h = try busyPipeline(ticks: true)
    var copy = h.pipeline
    let now = h.clock.now().plus(.days(7))
    #expect(h.pipeline.tick(at: now) == copy.tick(at: now))
  }

  @Test func tickingTwiceAtTheSameInstantAddsNothing() throws {
    let h = try busyPipeline(ticks: false)
    h.clock.advance(by: .days(65))
    #expect(!h.tick().isEmpty)
    let log = h.pipeline.log
    let leads = h.pipeline.leads
    #expect(h.tick().isEmpty)
    #expect(h.pipeline.log == log)
    #expect(h.pipeline.leads == leads)
  }

  @Test func engineTickIsPure() throws {
    let h = try busyPipeline(ticks: false)
    let engine = h.pipeline.engine
    let lead = h.lead("L2")
    let context = h.pipeline.context(for: nil)
    let now = h.clock.now().plus(.days(4))
    let a = engine.tick(lead, at: now, context: context)
    let b = engine.tick(lead, at: now, context: context)
    #expect(a == b)
    #expect(a.map(\.id) == (1...a.count).map { "tick:\(ISO8601.format(now)):L2#\($0)" })
    #expect(h.lead("L2") == lead)
  }

  @Test func closedLeadsAreLeftAlone() throws {
    let h = try busyPipeline(ticks: false)
    let out = h.pipeline.tick(at: h.clock.now().plus(.days(400)))
    #expect(!out.contains { $0.lead == "L7" })
  }
}

@Suite("Replay")
struct ReplayTests {
  @Test func replayingTheLogGivesIdenticalLeads() throws {
    let h = try busyPipeline(ticks: true)
    #expect(h.pipeline.log.count > 50)
    var replayed = Pipeline(playbook: h.pipeline.engine.playbook)
    replayed.replay(h.pipeline.log)
    #expect(replayed.leads == h.pipeline.leads)
    #expect(replayed.routing == h.pipeline.routing)
    #expect(replayed.load == h.pipeline.load)
    #expect(replayed.visitorLeads == h.pipeline.visitorLeads)
    #expect(replayed.anonymousViews == h.pipeline.anonymousViews)
    #expect(replayed.log == h.pipeline.log)
  }

  @Test func replayRunsNoRules() throws {
    let h = try busyPipeline(ticks: false)
    let facts = h.pipeline.log.filter { $0.cause == nil }
    var replayed = Pipeline(playbook: h.pipeline.engine.playbook)
    replayed.replay(facts)
    #expect(replayed.log.count == facts.count)
    #expect(replayed.leads["L2"]?.stage == .visitor)
    #expect(replayed.leads["L2"]?.ledger.isEmpty == true)
  }

  @Test func rerunningTheRulesOverTheExternalFactsGivesTheSameLeads() throws {
    let h = try busyPipeline(ticks: false)
    let facts = h.pipeline.log.filter { $0.cause == nil }
    #expect(facts.count < h.pipeline.log.count)
    var rerun = Pipeline(playbook: h.pipeline.engine.playbook)
    for fact in facts { try rerun.append(fact) }
    #expect(rerun.leads == h.pipeline.leads)
    #expect(rerun.log == h.pipeline.log)
    #expect(rerun.routing == h.pipeline.routing)
    #expect(rerun.load == h.pipeline.load)
  }

  @Test func theLogSurvivesItsWireFormat() throws {
    let h = try busyPipeline(ticks: true)
    let lines = h.pipeline.log.map(\.jsonLine)
    let decoded = try lines.map { try Event(jsonLine: $0) }
    #expect(decoded == h.pipeline.log)
    var replayed = Pipeline(playbook: h.pipeline.engine.playbook)
    replayed.replay(decoded)
    #expect(replayed.leads == h.pipeline.leads)
  }

  @Test func replayingTwiceAddsNothing() throws {
    let h = try busyPipeline(ticks: true)
    var replayed = Pipeline(playbook: h.pipeline.engine.playbook)
    replayed.replay(h.pipeline.log)
    replayed.replay(h.pipeline.log)
    #expect(replayed.log.count == h.pipeline.log.count)
    #expect(replayed.leads == h.pipeline.leads)
  }

  @Test func whatIfAnotherPlaybookOverTheSameFacts() throws {
    let h = try busyPipeline(ticks: false)
    let facts = h.pipeline.log.filter { $0.cause == nil }
    // A stricter playbook: demo requests are no longer an instant MQL.
    var strict = Pipeline(
      playbook: h.pipeline.engine.playbook.with { $0.scoring.highIntent.events = [] })
    // Facts the stricter rules refuse (an accept of a lead that is no MQL there) are skipped.
    for fact in facts {
      do { try strict.append(fact) } catch { continue }
    }
    #expect(h.pipeline.leads["L2"]?.stage == .mql)
    #expect(strict.leads["L2"]?.stage == .known)
  }
}
