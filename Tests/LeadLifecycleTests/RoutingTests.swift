import Foundation
import LeadLifecycle
import LeadboardTestSupport
import Testing

/// Routes `count` leads one after another through `router`, folding each assignment into the
/// counters as the pipeline does; returns the picks in order.
func rotation(
  _ router: Router, count: Int, at now: Date = Fixed.reference, state: RoutingState = RoutingState()
)
  -> [String]
{
  var state = state
  var picks: [String] = []
  for i in 0..<count {
    let d = router.route(Profile(), at: now, state: state, load: [:])
    guard let rep = d.rep else { break }
    picks.append(rep)
    state.apply(
      Event(
        id: "r\(i)", at: now, lead: "L\(i)",
        .assigned(to: rep, team: d.team, explanation: d.explanation)))
  }
  return picks
}

@Suite("Routing: strategies and ties")
struct RoutingStrategyTests {
  @Test func roundRobinStartsAtTheTopOfTheListAndCycles() {
    let router = Router(policy: RoutingPolicy(strategy: .roundRobin, reps: TestPlaybook.abc))
    #expect(rotation(router, count: 7) == ["a", "b", "c", "a", "b", "c", "a"])
    let first = router.route(Profile(), at: Fixed.reference, state: RoutingState(), load: [:])
    #expect(first.explanation == "a: first in round robin for all reps")
  }

  @Test func roundRobinSkipsUnavailableRepsWithoutLosingItsPlace() {
    let reps = [Rep(id: "a"), Rep(id: "b", active: false), Rep(id: "c")]
    let router = Router(policy: RoutingPolicy(strategy: .roundRobin, reps: reps))
    #expect(rotation(router, count: 4) == ["a", "c", "a", "c"])
    var state = RoutingState()
    state.lastAssigned["*"] = "a"
    let d = router.route(Profile(), at: Fixed.reference, state: state, load: [:])
    #expect(d.explanation == "c: next in round robin for all reps; b skipped: inactive")
  }

  @Test(arguments: [RoutingPolicy.Strategy.roundRobin, .weighted, .loadBalanced])
  func equalCountsPickTheFirstRepInListOrder(_ strategy: RoutingPolicy.Strategy) {
    for order in [["a", "b", "c"], ["c", "a", "b"], ["b", "c", "a"]] {
      let router = Router(
        policy: RoutingPolicy(strategy: strategy, reps: order.map { Rep(id: $0) }))
      var state = RoutingState()
      for id in order { state.assignedCount[id] = 4 }
      let load = Dictionary(uniqueKeysWithValues: order.map { ($0, 2) })
      #expect(
        router.route(Profile(), at: Fixed.reference, state: state, load: load).rep == order[0])
      #expect(
        router.route(Profile(), at: Fixed.reference, state: RoutingState(), load: [:]).rep
          == order[0])
    }
  }

  @Test func loadBalancedPicksTheFewestOpenLeadsThenTheFewestAssigned() {
    let router = Router(policy: RoutingPolicy(strategy: .loadBalanced, reps: TestPlaybook.abc))
    var state = RoutingState()
    let byLoad = router.route(
      Profile(), at: Fixed.reference, state: state, load: ["a": 3, "b": 1, "c": 2])
    #expect(byLoad.rep == "b")
    #expect(byLoad.explanation == "b: fewest open leads (1) for all reps")
    state.assignedCount = ["a": 9, "b": 5, "c": 2]
    let tie = router.route(
      Profile(), at: Fixed.reference, state: state, load: ["a": 1, "b": 1, "c": 1])
    #expect(tie.rep == "c")
  }

  @Test func weightedTwoToOneOverManyLeads() {
    let router = Router(
      policy: RoutingPolicy(
        strategy: .weighted, reps: [Rep(id: "big", weight: 2), Rep(id: "small", weight: 1)]))
    let picks = rotation(router, count: 300)
    let big = picks.filter { $0 == "big" }.count
    let small = picks.filter { $0 == "small" }.count
    #expect(picks.count == 300)
    #expect(big == 200)
    #expect(small == 100)
    // Smooth: never more than two in a row for the big rep, never two in a row for the small one.
    #expect(!picks.joined(separator: ",").contains("big,big,big"))
    #expect(!picks.joined(separator: ",").contains("small,small"))
  }

  @Test func weightedWithEqualWeightsSharesEqually() {
    let router = Router(policy: RoutingPolicy(strategy: .weighted, reps: TestPlaybook.abc))
    let picks = rotation(router, count: 30)
    #expect(picks.filter { $0 == "a" }.count == 10)
    #expect(picks.filter { $0 == "b" }.count == 10)
    #expect(picks.filter { $0 == "c" }.count == 10)
    #expect(Array(picks.prefix(3)) == ["a", "b", "c"])
  }

  @Test func weightedThreeWaySharesFollowTheWeights() {
    let reps = [Rep(id: "x", weight: 3), Rep(id: "y", weight: 2), Rep(id: "z", weight: 1)]
    let router = Router(policy: RoutingPolicy(strategy: .weighted, reps: reps))
    let picks = rotation(router, count: 600)
    #expect(picks.filter { $0 == "x" }.count == 300)
    #expect(picks.filter { $0 == "y" }.count == 200)
    #expect(picks.filter { $0 == "z" }.count == 100)
  }

  @Test func territoryPicksTheTeamAndTheTeamStrategy() {
    let policy = RoutingPolicy(
      strategy: .roundRobin,
      territories: [
        Territory(team: "apac", when: Condition(field: "country", test: .oneOf(["JP", "SG"])))
      ],
      defaultTeam: "global", teamStrategies: ["global": .loadBalanced],
      reps: [
        Rep(id: "sato", team: "apac"), Rep(id: "alice", team: "global"),
        Rep(id: "bob", team: "global"),
      ])
    let router = Router(policy: policy)
    #expect(router.team(for: Profile(country: "jp")) == "apac")
    #expect(router.team(for: Profile(country: "US")) == "global")
    #expect(router.team(for: Profile()) == "global")
    let jp = router.route(
      Profile(country: "JP"), at: Fixed.reference, state: RoutingState(), load: [:])
    #expect(jp.rep == "sato")
    #expect(jp.team == "apac")
    #expect(jp.explanation == "sato: first in round robin for team apac")
    let us = router.route(
      Profile(country: "US"), at: Fixed.reference, state: RoutingState(), load: ["alice": 2])
    #expect(us.rep == "bob")
    #expect(us.explanation == "bob: fewest open leads (0) for team global")
  }

  @Test func aTeamWithoutRepsIsExplained() {
    let router = Router(policy: RoutingPolicy(defaultTeam: "emea", reps: TestPlaybook.abc))
    let d = router.route(Profile(), at: Fixed.reference, state: RoutingState(), load: [:])
    #expect(d.rep == nil)
    #expect(d.explanation == "no reps in team emea")
  }
}

@Suite("Routing: reps leaving and filling up")
struct RoutingMembershipTests {
  @Test func countersAreKeyedByIdAndSurviveReordering() {
    var state = RoutingState()
    for (i, rep) in ["a", "b", "a", "c"].enumerated() {
      state.apply(
        Event(
          id: "x\(i)", at: Fixed.reference, lead: "L\(i)",
          .assigned(to: rep, team: nil, explanation: nil)))
    }
    state.apply(
      Event(
        id: "x9", at: Fixed.reference, lead: "L9",
        .reassigned(from: "c", to: "b", team: "t", explanation: "")))
    state.apply(Event(id: "x10", at: Fixed.reference, lead: "L9", .note(text: "not an assignment")))
    #expect(state.assignedCount == ["a": 2, "b": 2, "c": 1])
    #expect(state.lastAssigned == ["*": "c", "t": "b"])
  }

  @Test func roundRobinContinuesAfterTheLastPickWhenTheListIsReordered() {
    var state = RoutingState()
    state.lastAssigned["*"] = "b"
    let router = Router(policy: RoutingPolicy(reps: [Rep(id: "c"), Rep(id: "b"), Rep(id: "a")]))
    #expect(router.route(Profile(), at: Fixed.reference, state: state, load: [:]).rep == "a")
  }

  @Test func roundRobinFallsBackToFewestAssignedWhenTheLastRepLeft() {
    var state = RoutingState()
    state.assignedCount = ["a": 3, "b": 3, "c": 2]
    state.lastAssigned["*"] = "b"
    let router = Router(policy: RoutingPolicy(reps: [Rep(id: "a"), Rep(id: "c")]))
    let d = router.route(Profile(), at: Fixed.reference, state: state, load: [:])
    #expect(d.rep == "c")
    #expect(d.explanation == "c: fewest assigned in round robin for all reps")
  }

  @Test func repRemovedMidRotationInThePipeline() throws {
    // Given a rotation a → b over reps a, b, c
    let h = PipelineHarness()
    try h.makeMQL("L1")
    try h.makeMQL("L2")
    #expect(h.lead("L1").owner == "a")
    #expect(h.lead("L2").owner == "b")
    // When b leaves the team and the log is read back under the new playbook
    let without = TestPlaybook.standard(reps: [Rep(id: "a"), Rep(id: "c")])
    var next = Pipeline(playbook: without)
    next.replay(h.pipeline.log)
    // Then the counters by id survive, and the rotation falls back to the least-served rep
    #expect(next.routing.assignedCount == ["a": 1, "b": 1])
    #expect(next.routing.lastAssigned["*"] == "b")
    let out = try next.append(h.events.formSubmit("L3"))
    #expect(out != .duplicate)
    guard case .added(let outcomes) = try next.append(h.events.demoRequest("L3")) else {
      Issue.record("demo request was a duplicate")
      return
    }
    let assigned = try #require(outcomes.of(.assigned).first)
    #expect(
      assigned.payload
        == .assigned(
          to: "c", team: nil, explanation: "c: fewest assigned in round robin for all reps"))
    // and the rotation carries on from c.
    _ = try next.append(h.events.formSubmit("L4"))
    _ = try next.append(h.events.demoRequest("L4"))
    #expect(next.leads["L4"]?.owner == "a")
  }

  @Test func everyRepAtCapacityLeavesTheLeadUnroutedWithEachReason() throws {
    let reps = [Rep(id: "a", capacity: 1), Rep(id: "b", capacity: 2)]
    let h = PipelineHarness(TestPlaybook.standard(reps: reps))
    try h.makeMQL("L1")
    try h.makeMQL("L2")
    try h.makeMQL("L3")
    #expect(h.pipeline.load == ["a": 1, "b": 2])
    let out = try h.makeMQL("L4")
    #expect(out.of(.assigned).isEmpty)
    let unrouted = try #require(out.of(.unrouted).first)
    let reason =
      "nobody eligible in all reps: a skipped: at capacity (1/1); b skipped: at capacity (2/2)"
    #expect(unrouted.payload == .unrouted(reason: reason))
    #expect(h.lead("L4").stage == .mql)
    #expect(h.lead("L4").owner == nil)
    #expect(h.lead("L4").routingNote == reason)
    // A tick while nothing changed does not repeat the same note.
    #expect(h.tick().of(.unrouted).isEmpty)
  }

  @Test func aFreedSeatIsFilledOnTheNextTick() throws {
    let h = PipelineHarness(TestPlaybook.standard(reps: [Rep(id: "a", capacity: 1)]))
    try h.makeMQL("L1")
    try h.makeMQL("L2")
    #expect(h.lead("L2").owner == nil)
    try h.send(h.events.make(.disqualified(reason: "spam"), lead: "L1", actor: "a"))
    #expect(h.pipeline.load["a"] == 0)
    h.clock.advance(by: .minutes(1))
    let out = h.tick()
    #expect(
      out.of(.assigned).first?.payload
        == .assigned(to: "a", team: nil, explanation: "a: next in round robin for all reps"))
    #expect(h.lead("L2").owner == "a")
    #expect(h.lead("L2").routingNote == nil)
  }
}

@Suite("Routing: availability and time zones")
struct RoutingAvailabilityTests {
  static let tokyo = Rep(id: "tokyo", timeZone: "Asia/Tokyo", workingHours: .office)
  static let london = Rep(
    id: "london", timeZone: "Europe/London",
    workingHours: WorkingHours(days: [2, 3, 4, 5, 6], start: 540, end: 1050))
  static let router = Router(policy: RoutingPolicy(reps: [london, tokyo]))

  struct Instant: Sendable, CustomTestStringConvertible {
    var utc: String
    var tokyo: String?
    var london: String?
    var testDescription: String { utc }
  }

  static let instants: [Instant] = [
    // Monday 00:30 UTC: 09:30 in Tokyo (open), 00:30 in London (closed).
    Instant(
      utc: "2026-11-02T00:30:00Z", tokyo: nil,
      london: "outside working hours (mon–fri 09:00–17:30 Europe/London)"),
    // Monday 09:30 UTC: 18:30 in Tokyo (closed), 09:30 in London (open).
    Instant(
      utc: "2026-11-02T09:30:00Z", tokyo: "outside working hours (mon–fri 09:00–18:00 Asia/Tokyo)",
      london: nil),
    // Monday 08:30 UTC: 17:30 in Tokyo, 08:30 in London: both open only in Tokyo.
    Instant(
      utc: "2026-11-02T08:30:00Z", tokyo: nil,
      london: "outside working hours (mon–fri 09:00–17:30 Europe/London)"),
    // Friday 16:00 UTC: Saturday 01:00 in Tokyo (weekend), Friday 16:00 in London.
    Instant(
      utc: "2026-11-06T16:00:00Z", tokyo: "outside working hours (mon–fri 09:00–18:00 Asia/Tokyo)",
      london: nil),
    // Sunday 23:30 UTC: Monday 08:30 in Tokyo (before opening), Sunday in London.
    Instant(
      utc: "2026-11-01T23:30:00Z", tokyo: "outside working hours (mon–fri 09:00–18:00 Asia/Tokyo)",
      london: "outside working hours (mon–fri 09:00–17:30 Europe/London)"),
    // Summer time: 08:30 UTC on 1 July is 09:30 BST in London (open), 17:30 in Tokyo (open).
    Instant(utc: "2026-07-01T08:30:00Z", tokyo: nil, london: nil),
    // 16:45 UTC on 1 July is 17:45 BST: London just closed.
    Instant(
      utc: "2026-07-01T16:45:00Z", tokyo: "outside working hours (mon–fri 09:00–18:00 Asia/Tokyo)",
      london: "outside working hours (mon–fri 09:00–17:30 Europe/London)"),
  ]

  @Test(arguments: instants)
  func workingHoursAreReadInEachRepsZone(_ i: Instant) {
    let now = at(i.utc)
    #expect(Self.router.unavailability(of: Self.tokyo, at: now, load: 0) == i.tokyo)
    #expect(Self.router.unavailability(of: Self.london, at: now, load: 0) == i.london)
  }

  @Test func theSameInstantRoutesToWhoeverIsAtWork() {
    let morningInTokyo = Self.router.route(
      Profile(), at: at("2026-11-02T00:30:00Z"), state: RoutingState(), load: [:])
    #expect(morningInTokyo.rep == "tokyo")
    #expect(
      morningInTokyo.explanation
        == "tokyo: first in round robin for all reps; london skipped: outside working hours (mon–fri 09:00–17:30 Europe/London)"
    )
    let morningInLondon = Self.router.route(
      Profile(), at: at("2026-11-02T09:30:00Z"), state: RoutingState(), load: [:])
    #expect(morningInLondon.rep == "london")
    #expect(
      morningInLondon.explanation
        == "london: first in round robin for all reps; tokyo skipped: outside working hours (mon–fri 09:00–18:00 Asia/Tokyo)"
    )
    let nobody = Self.router.route(
      Profile(), at: at("2026-11-01T23:30:00Z"), state: RoutingState(), load: [:])
    #expect(nobody.rep == nil)
    #expect(
      nobody.explanation.hasPrefix(
        "nobody eligible in all reps: london skipped: outside working hours"))
  }

  @Test func aNightShiftCrossingMidnightBelongsToTheDayItStarts() {
    // Monday and Tuesday nights, 22:00–06:00 in Tokyo.
    let night = Rep(
      id: "night", timeZone: "Asia/Tokyo",
      workingHours: WorkingHours(days: [2, 3], start: 1320, end: 360))
    let router = Router(policy: RoutingPolicy(reps: [night]))
    func open(_ utc: String) -> Bool {
      router.unavailability(of: night, at: at(utc), load: 0) == nil
    }
    // Monday 22:30 and Wednesday 05:00 (the end of Tuesday night) in Tokyo: at work.
    #expect(open("2026-11-02T13:30:00Z"))
    #expect(open("2026-11-03T20:00:00Z"))
    // Thursday 05:00 (Wednesday night is off) and Monday 05:00 (Sunday night is off): not.
    #expect(!open("2026-11-04T20:00:00Z"))
    #expect(!open("2026-11-01T20:00:00Z"))
  }

  @Test func outOfOfficeIsSkippedAndExplained() {
    let alice = Rep(id: "alice")
    let bob = Rep(id: "bob", outOfOffice: [DateSpan(from: "2026-12-01", to: "2026-12-05")])
    let router = Router(policy: RoutingPolicy(reps: [bob, alice]))
    let d = router.route(
      Profile(), at: at("2026-12-03T12:00:00Z"), state: RoutingState(), load: [:])
    #expect(d.rep == "alice")
    #expect(
      d.explanation
        == "alice: first in round robin for all reps; bob skipped: out of office until 2026-12-05")
    #expect(
      router.unavailability(of: bob, at: at("2026-12-05T23:59:59Z"), load: 0)
        == "out of office until 2026-12-05")
    #expect(router.unavailability(of: bob, at: at("2026-12-06T00:00:00Z"), load: 0) == nil)
    #expect(router.unavailability(of: bob, at: at("2026-11-30T23:59:59Z"), load: 0) == nil)
  }

  @Test func outOfOfficeDatesAreTheRepsLocalDates() {
    let bob = Rep(
      id: "bob", timeZone: "Asia/Tokyo",
      outOfOffice: [DateSpan(from: "2026-12-01", to: "2026-12-05")])
    let router = Router(policy: RoutingPolicy(reps: [bob]))
    // 30 Nov 16:00 UTC is already 1 Dec in Tokyo; 5 Dec 16:00 UTC is 6 Dec there.
    #expect(
      router.unavailability(of: bob, at: at("2026-11-30T16:00:00Z"), load: 0)
        == "out of office until 2026-12-05")
    #expect(router.unavailability(of: bob, at: at("2026-12-05T16:00:00Z"), load: 0) == nil)
  }

  @Test func capacityAndInactivity() {
    let router = Router(policy: RoutingPolicy(reps: []))
    #expect(
      router.unavailability(of: Rep(id: "a", capacity: 3), at: Fixed.reference, load: 3)
        == "at capacity (3/3)")
    #expect(
      router.unavailability(of: Rep(id: "a", capacity: 3), at: Fixed.reference, load: 2) == nil)
    #expect(
      router.unavailability(of: Rep(id: "a", capacity: 0), at: Fixed.reference, load: 0)
        == "at capacity (0/0)")
    #expect(
      router.unavailability(of: Rep(id: "a", active: false), at: Fixed.reference, load: 0)
        == "inactive")
  }

  @Test func builtInRepsAtTheReferenceInstant() {
    // Monday 09:00 UTC: 18:00 in Tokyo and Singapore's 17:00, 04:00 in New York, 03:00 in
    // Chicago, 09:00 in London, 10:00 in Berlin.
    let router = Router(policy: Playbook.builtIn.routing)
    let open = Playbook.builtIn.routing.reps.filter {
      router.unavailability(of: $0, at: Fixed.reference, load: 0) == nil
    }.map(\.id)
    #expect(open == ["takahashi", "carol", "dave"])
    let jp = router.route(
      Profile(country: "JP"), at: Fixed.reference, state: RoutingState(), load: [:])
    #expect(jp.rep == "takahashi")
    #expect(jp.team == "apac")
  }
}
