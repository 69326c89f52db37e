import Foundation
import LeadLifecycle
import LeadboardTestSupport
import Testing

@Suite("SLAs")
struct SLATests {
  @Test func mqlResponseBreachReassignsToTheNextRepWhoHasNotHadIt() throws {
    let h = PipelineHarness()
    try h.makeMQL("L1")
    #expect(h.lead("L1").owner == "a")

    // Four minutes in: on track, nothing happens.
    h.clock.advance(by: .minutes(4))
    #expect(h.tick().isEmpty)
    let status = try #require(h.pipeline.engine.sla.status(of: h.lead("L1"), at: h.clock.now()))
    #expect(status.state == .onTrack)
    #expect(status.remaining == 60)
    let soon = h.pipeline.engine.sla.status(of: h.lead("L1"), at: h.clock.now().plus(.seconds(30)))
    #expect(soon?.state == .dueSoon)

    // Five minutes: breached, recorded and handed to b.
    h.clock.advance(by: .minutes(1))
    let out = h.tick()
    #expect(out.types == [.slaBreached, .reassigned])
    #expect(
      out[0].payload
        == .slaBreached(stage: .mql, due: Fixed.reference.plus(.minutes(5)), owner: "a"))
    #expect(
      out[1].payload
        == .reassigned(
          from: "a", to: "b", team: nil,
          explanation:
            "SLA breached; b: next in round robin for all reps; a skipped: had this lead before"))
    #expect(out.allSatisfy { $0.cause == "tick:2026-11-02T09:05:00Z:L1" })
    #expect(h.lead("L1").owner == "b")
    #expect(h.lead("L1").previousOwners == ["a"])
    #expect(h.pipeline.load == ["a": 0, "b": 1])

    // The clock restarts for b; five more minutes and it goes to c.
    h.clock.advance(by: .minutes(4))
    #expect(h.tick().isEmpty)
    h.clock.advance(by: .minutes(1))
    let second = h.tick()
    #expect(
      second.of(.reassigned).first?.payload
        == .reassigned(
          from: "b", to: "c", team: nil,
          explanation:
            "SLA breached; c: next in round robin for all reps; a skipped: had this lead before; b skipped: had this lead before"
        ))
    #expect(h.lead("L1").previousOwners == ["a", "b"])
  }

  @Test func previousOwnersAreExcludedEvenWhenTheRotationPointsAtThem() throws {
    let h = PipelineHarness(TestPlaybook.standard(reps: [Rep(id: "a"), Rep(id: "b")]))
    try h.makeMQL("L1")
    h.advanceAndTick(.minutes(5))
    #expect(h.lead("L1").owner == "b")
    // Round robin after b would give a, but a had it: nobody is left, b keeps it.
    let out = h.advanceAndTick(.minutes(5))
    #expect(out.types == [.slaBreached])
    #expect(
      out[0].payload
        == .slaBreached(stage: .mql, due: Fixed.reference.plus(.minutes(10)), owner: "b"))
    #expect(h.lead("L1").owner == "b")
    // The breach is recorded once.
    #expect(h.advanceAndTick(.minutes(30)).of(.slaBreached).isEmpty)
  }

  @Test func acceptingInTimeStopsTheMQLClock() throws {
    let h = PipelineHarness()
    try h.makeMQL("L1")
    h.clock.advance(by: .minutes(3))
    try h.send(h.events.accept("L1", by: "a"))
    h.clock.advance(by: .minutes(10))
    #expect(h.tick().of(.slaBreached).isEmpty)
  }

  @Test func salSLAStopsAtTheFirstContactAttempt() throws {
    let worked = PipelineHarness()
    let ignored = PipelineHarness()
    for h in [worked, ignored] {
      try h.makeSAL("L1")
    }
    worked.clock.advance(by: .hours(2))
    try worked.send(worked.events.contact("L1", by: "a", .noAnswer))
    #expect(worked.pipeline.engine.sla.status(of: worked.lead("L1"), at: worked.clock.now()) == nil)

    for h in [worked, ignored] { h.clock.set(Fixed.reference.plus(.days(1))) }
    #expect(worked.tick().isEmpty)
    let breach = ignored.tick()
    #expect(breach.types == [.slaBreached])
    #expect(
      breach[0].payload
        == .slaBreached(stage: .sal, due: Fixed.reference.plus(.days(1)), owner: "a"))
    #expect(ignored.lead("L1").owner == "a")
  }

  @Test func contactBeforeTheStageDoesNotStopTheNewStagesClock() {
    let clock = SLAClock(policy: Playbook.builtIn.sla)
    var lead = LeadState(id: "L1", at: Fixed.reference)
    lead.stage = .sal
    lead.stageEnteredAt = Fixed.reference
    lead.lastContactAt = Fixed.reference.minus(.hours(1))
    let status = clock.status(of: lead, at: Fixed.reference.plus(.hours(25)))
    #expect(status?.state == .breached)
    #expect(status?.remaining == -3600)
  }

  @Test func sqlHasATwoWeekSLAAndClosedLeadsHaveNone() {
    let clock = SLAClock(policy: Playbook.builtIn.sla)
    var lead = LeadState(id: "L1", at: Fixed.reference)
    lead.stage = .sql
    #expect(clock.status(of: lead, at: Fixed.reference)?.due == Fixed.reference.plus(.days(14)))
    #expect(clock.status(of: lead, at: Fixed.reference.plus(.days(1)))?.state == .onTrack)
    #expect(clock.status(of: lead, at: Fixed.reference.plus(.days(12)))?.state == .dueSoon)
    lead.closed = ClosedInfo(closure: .lost, reason: "price", at: Fixed.reference)
    #expect(clock.status(of: lead, at: Fixed.reference) == nil)
    lead.closed = nil
    lead.stage = .known
    #expect(clock.status(of: lead, at: Fixed.reference) == nil)
  }

  struct WorkingCase: Sendable, CustomTestStringConvertible {
    var zone: String
    var start: String
    var target: Span
    var due: String
    var testDescription: String { "\(start) + \(target) in \(zone)" }
  }

  static let workingCases: [WorkingCase] = [
    // Friday 16:00 in Tokyo: two hours left on Friday, two more from Monday 09:00.
    WorkingCase(
      zone: "Asia/Tokyo", start: "2026-11-06T07:00:00Z", target: .hours(4),
      due: "2026-11-09T02:00:00Z"),
    // Saturday in Tokyo: the clock starts Monday 09:00.
    WorkingCase(
      zone: "Asia/Tokyo", start: "2026-11-07T03:00:00Z", target: .hours(4),
      due: "2026-11-09T04:00:00Z"),
    // Monday 07:00 in Tokyo, before opening: 09:00 + 30 minutes.
    WorkingCase(
      zone: "Asia/Tokyo", start: "2026-11-01T22:00:00Z", target: .minutes(30),
      due: "2026-11-02T00:30:00Z"),
    // Inside a day: plain addition.
    WorkingCase(
      zone: "Asia/Tokyo", start: "2026-11-02T01:00:00Z", target: .hours(2),
      due: "2026-11-02T03:00:00Z"),
    // Exactly a full day of 9 hours from Friday 09:00 ends at Friday 18:00.
    WorkingCase(
      zone: "Asia/Tokyo", start: "2026-11-06T00:00:00Z", target: .hours(9),
      due: "2026-11-06T09:00:00Z"),
    // London across the weekend the clocks go back (BST → GMT on Sunday 25 October):
    // Friday 16:00 BST (15:00Z) + 4 h = Friday until 18:00 BST, then Monday 09:00 GMT + 2 h.
    WorkingCase(
      zone: "Europe/London", start: "2026-10-23T15:00:00Z", target: .hours(4),
      due: "2026-10-26T11:00:00Z"),
    // Five 9-hour working days from Monday 09:00 end on Friday at 18:00.
    WorkingCase(
      zone: "Asia/Tokyo", start: "2026-11-02T00:00:00Z", target: .hours(45),
      due: "2026-11-06T09:00:00Z"),
  ]

  @Test(arguments: workingCases)
  func workingHoursDueDates(_ c: WorkingCase) {
    let policy = SLAPolicy(businessHours: .office, timeZone: c.zone)
    let sla = StageSLA(target: c.target, workingHours: true)
    #expect(SLAClock(policy: policy).dueDate(from: at(c.start), sla: sla) == at(c.due))
  }

  @Test func workingHoursSLAAcrossTheWeekendInThePipeline() throws {
    let playbook = TestPlaybook.standard {
      $0.sla.stages[.mql] = StageSLA(target: .hours(4), workingHours: true, reassignOnBreach: true)
    }
    // Friday 16:00 in Tokyo.
    let h = PipelineHarness(playbook, start: at("2026-11-06T07:00:00Z"))
    try h.makeMQL("L1")
    h.clock.set("2026-11-09T01:59:59Z")  // Monday 10:59:59 in Tokyo
    #expect(h.tick().isEmpty)
    h.clock.set("2026-11-09T02:00:00Z")  // Monday 11:00
    let out = h.tick()
    #expect(
      out.first?.payload == .slaBreached(stage: .mql, due: at("2026-11-09T02:00:00Z"), owner: "a"))
    #expect(h.lead("L1").owner == "b")
  }

  @Test func describesTheCalendar() {
    #expect(WorkingCalendar.describe(.office) == "mon–fri 09:00–18:00")
    #expect(
      WorkingCalendar.describe(WorkingHours(days: [1, 7], start: 600, end: 930))
        == "sat,sun 10:00–15:30")
  }
}
