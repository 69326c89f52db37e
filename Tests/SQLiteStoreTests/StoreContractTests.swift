import Foundation
import LeadLifecycle
import LeadboardTestSupport
import Testing

/// The `PipelineStore` contract: what every store must do, whatever keeps the data. Each test
/// runs on every kind in `StoreKind.contract`.
@Suite("PipelineStore contract")
struct StoreContractTests {
  /// A profile that scores fit points: mid-size (15), industry (10), title (15), country (5).
  static let taro = Profile(
    email: "taro@example.jp", name: "山田太郎", company: "Acme KK", title: "情報システム部長",
    industry: "製造業", employees: 300, country: "JP")

  // MARK: - Append

  @Test(arguments: StoreKind.contract)
  func aStoreAppliesThePlaybookItWasMadeWith(_ kind: StoreKind) throws {
    try kind.withFactory { factory in
      // Given a playbook that differs from the built-in one in reps, decay and capacity
      let playbook = Self.busyPlaybook
      #expect(playbook != Playbook.builtIn)

      // When a store is made with it
      let store = try factory.make(playbook: playbook)

      // Then the store applies exactly that playbook.
      #expect(store.playbook == playbook)
    }
  }

  @Test(arguments: StoreKind.contract)
  func aCaptureMakesTheLeadReadableWithStageAndScore(_ kind: StoreKind) throws {
    try kind.withFactory { factory in
      // Given an empty store
      let desk = Desk(try factory.make())
      let capture = desk.events.formSubmit("L1", profile: Self.taro)

      // When a form fill captures L1
      let status = try desk.append(capture)

      // Then it is added with its rule outcomes: visitor → known, four fit lines, form points
      let outcomes = try #require(status.outcomes)
      #expect(outcomes.stageMoves == ["visitor→known"])
      #expect(
        outcomes.scoreChanges.map(\.rule) == [
          "fit.size.mid", "fit.industry", "fit.title", "fit.country", "behavior.form",
        ])
      // and the lead reads back with its stage, score, profile and ledger
      let lead = try #require(try desk.store.lead("L1"))
      #expect(lead.stage == .known)
      #expect(lead.score == 50)
      #expect(lead.fitScore == 45)
      #expect(lead.profile.company == "Acme KK")
      #expect(lead.stageEnteredAt == Fixed.reference)
      #expect(lead.ledger.map(\.change) == outcomes.scoreChanges)
      // and the listing shows it too.
      let listed = try desk.store.leads(LeadQuery(), at: desk.now)
      #expect(listed.map(\.id) == ["L1"])
      #expect(listed.first?.withoutLedger == lead.withoutLedger)
      #expect(try desk.store.events(forLead: "L1") == [capture] + outcomes)
    }
  }

  @Test(arguments: StoreKind.contract)
  func aDuplicateIdChangesNothing(_ kind: StoreKind) throws {
    try kind.withFactory { factory in
      // Given L1 captured by event e1
      let desk = Desk(try factory.make())
      let capture = desk.events.formSubmit("L1", profile: Self.taro)
      try desk.send(capture)
      let log = try desk.store.allEvents(asOf: nil)
      let lead = try desk.lead("L1")
      let totals = try desk.store.stageTotals(at: desk.now)

      // When the same event, and then another event reusing its id (a demo request that
      // would make L1 an MQL), are appended
      desk.clock.advance(by: .hours(1))
      let again = try desk.store.append([capture])
      var impostor = desk.events.demoRequest("L1")
      impostor.id = capture.id
      let reused = try desk.store.append([impostor])

      // Then both are duplicates and the log, the lead and the board are unchanged.
      #expect(again == [.duplicate])
      #expect(reused == [.duplicate])
      #expect(try desk.store.allEvents(asOf: nil) == log)
      #expect(try desk.store.lead("L1") == lead)
      #expect(try desk.store.stageTotals(at: desk.now) == totals)
    }
  }

  @Test(arguments: StoreKind.contract)
  func anEventForAnUnknownLeadIsRefusedAndNotStored(_ kind: StoreKind) throws {
    try kind.withFactory { factory in
      // Given a store with one captured lead
      let desk = Desk(try factory.make())
      try desk.capture("L1")
      let log = try desk.store.allEvents(asOf: nil)
      let totals = try desk.store.stageTotals(at: desk.now)

      // When a rep accepts a lead nobody captured
      let status = try desk.append(desk.events.accept("ghost", by: "a"))

      // Then it is refused as an unknown lead and nothing is stored.
      let refusal = try #require(status.refusal)
      #expect(refusal.kind == .unknownLead)
      #expect(refusal.message.contains("'ghost'"))
      #expect(try desk.store.lead("ghost") == nil)
      #expect(try desk.store.events(forLead: "ghost").isEmpty)
      #expect(try desk.store.allEvents(asOf: nil) == log)
      #expect(try desk.store.stageTotals(at: desk.now) == totals)
    }
  }

  @Test(arguments: StoreKind.contract)
  func anOpportunityWithoutItsCriteriaIsRefusedAndNotStored(_ kind: StoreKind) throws {
    try kind.withFactory { factory in
      // Given an SQL
      let desk = Desk(try factory.make())
      let owner = try desk.makeSQL("L1")
      let timeline = try desk.store.events(forLead: "L1")
      let lead = try desk.lead("L1")

      // When its owner creates an opportunity with a value only
      let status = try desk.append(
        desk.events.createOpportunity("L1", by: owner, OpportunityFields(value: 5_000_000)))

      // Then it is refused naming what is missing, and the lead is still an SQL.
      let refusal = try #require(status.refusal)
      #expect(refusal.kind == .missingCriteria)
      #expect(refusal.missing == ["expected close date", "stakeholders ≥ 2"])
      #expect(try desk.store.events(forLead: "L1") == timeline)
      #expect(try desk.store.lead("L1") == lead)
      #expect(try desk.store.stageTotals(at: desk.now)[Stage.opportunity.rank].count == 0)
    }
  }

  @Test(arguments: StoreKind.contract)
  func aRefusedEventInABatchLeavesTheOthersStored(_ kind: StoreKind) throws {
    try kind.withFactory { factory in
      // Given an empty store
      let desk = Desk(try factory.make())
      let capture = desk.events.formSubmit("L1")
      let ghost = desk.events.accept("ghost", by: "a")
      let demo = desk.events.demoRequest("L1")

      // When one batch holds a capture, an accept of an unknown lead and a demo request
      let statuses = try desk.store.append([capture, ghost, demo])

      // Then the middle one is refused, the others are stored in order with their outcomes.
      try #require(statuses.count == 3)
      #expect(statuses[1].refusal?.kind == .unknownLead)
      let captured = try #require(statuses[0].outcomes)
      let requested = try #require(statuses[2].outcomes)
      #expect(try desk.store.allEvents(asOf: nil) == [capture] + captured + [demo] + requested)
      #expect(try desk.lead("L1").stage == .mql)
    }
  }

  // MARK: - Accept exactly once

  @Test(arguments: StoreKind.contract)
  func anMQLIsAcceptedExactlyOnce(_ kind: StoreKind) throws {
    try kind.withFactory { factory in
      // Given an MQL routed to a
      let desk = Desk(try factory.make())
      try desk.makeMQL("L1")
      #expect(try desk.owner("L1") == "a")

      // When b accepts it, and a minute later c does too
      desk.clock.advance(by: .minutes(1))
      let first = try desk.append(desk.events.accept("L1", by: "b"))
      let acceptedAt = desk.now
      desk.clock.advance(by: .minutes(1))
      let log = try desk.store.allEvents(asOf: nil)
      let second = try desk.append(desk.events.accept("L1", by: "c"))

      // Then b's accept wins: the lead is b's SAL
      #expect(first.outcomes?.stageMoves == ["mql→sal"])
      let lead = try desk.lead("L1")
      #expect(lead.stage == .sal)
      #expect(lead.owner == "b")
      #expect(lead.acceptedAt == acceptedAt)
      // and c's is refused as a conflict naming the winner, storing nothing.
      let refusal = try #require(second.refusal)
      #expect(refusal.kind == .conflict)
      #expect(refusal.winner == "b")
      #expect(refusal.winnerAt == acceptedAt)
      #expect(try desk.store.allEvents(asOf: nil) == log)
      #expect(try desk.lead("L1") == lead)
    }
  }

  @Test(arguments: StoreKind.contract)
  func twoAcceptsInOneBatchAcceptOnce(_ kind: StoreKind) throws {
    try kind.withFactory { factory in
      // Given an MQL
      let desk = Desk(try factory.make())
      try desk.makeMQL("L1")

      // When one batch carries accepts by c and then by b
      let statuses = try desk.store.append([
        desk.events.accept("L1", by: "c"), desk.events.accept("L1", by: "b"),
      ])

      // Then the first is added and the second refused as a conflict naming c.
      try #require(statuses.count == 2)
      #expect(statuses[0].outcomes?.stageMoves == ["mql→sal"])
      #expect(statuses[1].refusal?.kind == .conflict)
      #expect(statuses[1].refusal?.winner == "c")
      #expect(try desk.owner("L1") == "c")
      #expect(try desk.store.allEvents(asOf: nil).of(.accepted).map(\.actor) == ["c"])
    }
  }

  // MARK: - The board

  @Test(arguments: StoreKind.contract)
  func stageTotalsCountLeadsAndValuePerStage(_ kind: StoreKind) throws {
    try kind.withFactory { factory in
      // Given two anonymous visitors (v-1 with two views, v-2 with one)
      let desk = Desk(try factory.make())
      try desk.send(desk.events.pageView("/pricing", visitor: "v-1"))
      desk.clock.advance(by: .minutes(1))
      try desk.send(desk.events.pageView("/docs", visitor: "v-1"))
      try desk.send(desk.events.pageView("/", visitor: "v-2"))
      desk.clock.advance(by: .minutes(1))
      // and leads in every stage: a known lead, an MQL, a SAL, two opportunities, a customer
      // and a disqualified lead (which counts nowhere)
      try desk.capture("K1")
      try desk.makeMQL("M1")
      try desk.makeSAL("S1")
      try desk.makeOpportunity("O1", value: 1_200_000)
      try desk.makeOpportunity("O2", value: 800_000)
      try desk.makeCustomer("C1", value: 500_000)
      try desk.capture("D1")
      try desk.send(desk.events.make(.disqualified(reason: "spam"), lead: "D1", actor: "a"))

      // Then each column counts its open leads and their value; visitor counts visitors
      let expected: [Stage: (Int, Double)] = [
        .visitor: (2, 0), .known: (1, 0), .mql: (1, 0), .sal: (1, 0), .sql: (0, 0),
        .opportunity: (2, 2_000_000), .customer: (1, 500_000),
      ]
      let totals = try desk.store.stageTotals(at: desk.now)
      #expect(totals.map(\.stage) == Stage.allCases)
      for t in totals {
        #expect(t.count == expected[t.stage]?.0, "count of \(t.stage)")
        #expect(t.value == expected[t.stage]?.1, "value of \(t.stage)")
        #expect(t.stalled == 0, "stalled in \(t.stage)")
      }

      // When v-1 fills a form, and views another page afterwards
      try desk.capture("V1", visitor: "v-1")
      desk.clock.advance(by: .minutes(1))
      try desk.send(desk.events.pageView("/pricing/team", visitor: "v-1"))

      // Then v-1 leaves the visitor column for known (and does not come back)
      let after = try desk.store.stageTotals(at: desk.now)
      #expect(after[Stage.visitor.rank].count == 1)
      #expect(after[Stage.known.rank].count == 2)
      #expect(try desk.lead("V1").pageViews.map(\.path) == ["/pricing", "/docs", "/pricing/team"])

      // And later on the MQL is stalled after 3 days; known and SAL leads after 30 and 14.
      let in4Days = try desk.store.stageTotals(at: desk.now.plus(.days(4)))
      #expect(in4Days.map(\.stalled) == [0, 0, 1, 0, 0, 0, 0])
      let in31Days = try desk.store.stageTotals(at: desk.now.plus(.days(31)))
      #expect(in31Days.map(\.stalled) == [0, 2, 1, 1, 0, 0, 0])
      #expect(in31Days.map(\.count) == after.map(\.count))
    }
  }

  @Test(arguments: StoreKind.contract)
  func theStalledCountAgreesWithTheStalledListingAtEveryHour(_ kind: StoreKind) throws {
    try kind.withFactory { factory in
      // Given leads captured at odd hours over three weeks, some becoming MQLs and SALs, some
      // later accepted, recycled or disqualified (each change moves the lead's stall time)
      let desk = Desk(try factory.make())
      for i in 0..<24 {
        desk.clock.advance(by: .hours(Double(7 + (i * 5) % 17)))
        switch i % 4 {
        case 0: try desk.capture("K\(i)")
        case 1: try desk.makeMQL("M\(i)")
        case 2: try desk.makeSAL("S\(i)")
        default:
          let owner = try desk.makeSAL("R\(i)")
          desk.clock.advance(by: .hours(30))
          try desk.send(desk.events.recycle("R\(i)", by: owner, reason: "timing"))
        }
        if i % 8 == 7 {
          try desk.send(
            desk.events.make(.disqualified(reason: "spam"), lead: "K\(i - 7)", actor: "a"))
        }
      }
      // When the board's stalled counts are read every 5 hours over the next 60 days
      var t = desk.now.plus(.days(-21))
      var checked = 0
      while t < desk.now.plus(.days(60)) {
        let totals = try desk.store.stageTotals(at: t)
        let listed = try desk.store.leads(LeadQuery(stalledOnly: true, includeClosed: true), at: t)
        // Then each stage's count is the number of stalled leads the listing shows there
        for total in totals {
          #expect(
            total.stalled == listed.filter { $0.stage == total.stage }.count,
            "\(total.stage) at \(ISO8601.format(t))")
        }
        checked += listed.count
        t = t.plus(.hours(5))
      }
      #expect(checked > 0)
    }
  }

  /// Leads for the listing tests: K1 (score 5) and K2 (35) known, M1 and M2 MQLs of a and b
  /// (35 each), S1 c's SAL, D1 disqualified.
  func listingDesk(_ factory: StoreFactory) throws -> Desk {
    let desk = Desk(try factory.make())
    try desk.capture("K1", profile: Profile(email: "ann@globex.example", name: "Ann Low"))
    try desk.capture(
      "K2", profile: Profile(name: "Bob High", company: "Acme", title: "Director", employees: 300))
    try desk.makeMQL("M1", profile: Profile(company: "Acme Japan"))
    try desk.makeMQL("M2")
    try desk.makeSAL("S1")
    try desk.capture("D1")
    try desk.send(desk.events.make(.disqualified(reason: "spam"), lead: "D1", actor: "a"))
    return desk
  }

  @Test(arguments: StoreKind.contract)
  func leadsAreOrderedByStageThenScore(_ kind: StoreKind) throws {
    try kind.withFactory { factory in
      // Given leads in several stages and scores
      let desk = try listingDesk(factory)
      func ids(_ q: LeadQuery) throws -> [String] {
        try desk.store.leads(q, at: desk.now).map(\.id)
      }

      // Then the listing is stage by stage, highest score first, ties by id, closed left out
      let all = try desk.store.leads(LeadQuery(), at: desk.now)
      #expect(all.map(\.id) == ["K2", "K1", "M1", "M2", "S1"])
      #expect(all.map(\.score) == [35, 5, 35, 35, 35])
      // and every filter narrows it.
      #expect(try ids(LeadQuery(stage: .known)) == ["K2", "K1"])
      #expect(try ids(LeadQuery(stage: .customer)) == [])
      #expect(try ids(LeadQuery(owner: "b")) == ["M2"])
      #expect(try ids(LeadQuery(stage: .mql, owner: "a")) == ["M1"])
      #expect(try ids(LeadQuery(search: "acme")) == ["K2", "M1"])
      #expect(try ids(LeadQuery(search: "GLOBEX")) == ["K1"])
      #expect(try ids(LeadQuery(search: "bob high")) == ["K2"])
      #expect(try ids(LeadQuery(limit: 2)) == ["K2", "K1"])
      #expect(try ids(LeadQuery(limit: 0)) == [])
      #expect(try ids(LeadQuery(includeClosed: true)) == ["K2", "D1", "K1", "M1", "M2", "S1"])
      #expect(try ids(LeadQuery(stage: .known, includeClosed: true, limit: 2)) == ["K2", "D1"])
    }
  }

  @Test(arguments: StoreKind.contract)
  func stalledOnlyDependsOnTheQueryInstant(_ kind: StoreKind) throws {
    try kind.withFactory { factory in
      // Given MQLs, known leads and a SAL entered now
      let desk = try listingDesk(factory)

      // Then none is stalled now; after 4 days the MQLs (3-day window) are, and after
      // 31 days the known leads (30) and the SAL (14) too, longest stalled first.
      let stalled = LeadQuery(stalledOnly: true)
      #expect(try desk.store.leads(stalled, at: desk.now).isEmpty)
      #expect(try desk.store.leads(stalled, at: desk.now.plus(.days(4))).map(\.id) == ["M1", "M2"])
      #expect(
        try desk.store.leads(stalled, at: desk.now.plus(.days(31))).map(\.id) == [
          "M1", "M2", "S1", "K1", "K2",
        ])
      #expect(
        try desk.store.leads(LeadQuery(owner: "b", stalledOnly: true), at: desk.now.plus(.days(4)))
          .map(\.id) == ["M2"])
    }
  }

  @Test(arguments: StoreKind.contract)
  func aLeadsTimelineIsItsEventsInOrder(_ kind: StoreKind) throws {
    try kind.withFactory { factory in
      // Given an anonymous view by v-1, then L1 captured as v-1, another lead, a demo request
      // and a later page view by the visitor alone
      let desk = Desk(try factory.make())
      let view = desk.events.pageView("/pricing", visitor: "v-1")
      try desk.send(view)
      desk.clock.advance(by: .minutes(10))
      let capture = desk.events.formSubmit("L1", visitor: "v-1")
      let captured = try desk.send(capture)
      try desk.capture("L2")
      desk.clock.advance(by: .hours(1))
      let demo = desk.events.demoRequest("L1")
      let requested = try desk.send(demo)
      desk.clock.advance(by: .hours(1))
      var later = desk.events.pageView("/pricing/team", visitor: "v-1")
      let viewed = try desk.send(later)
      later.lead = "L1"  // stored under the lead the visitor became

      // Then L1's timeline is its events and their outcomes in commit order, the stitch
      // included; the anonymous view stays a visitor event; L2's are not in it.
      let timeline = try desk.store.events(forLead: "L1")
      #expect(timeline == [capture] + captured + [demo] + requested + [later] + viewed)
      #expect(timeline.first { $0.type == .visitorStitched }?.cause == capture.id)
      #expect(!timeline.contains { $0.id == view.id })
      #expect(try desk.store.events(forLead: "L2").allSatisfy { $0.lead == "L2" })
      #expect(try desk.store.events(forLead: "nobody").isEmpty)
    }
  }

  // MARK: - Time

  @Test(arguments: StoreKind.contract)
  func tickBreachesTheSLAReassignsAndLaterStalls(_ kind: StoreKind) throws {
    try kind.withFactory { factory in
      // Given an MQL routed to a at 09:00 (5-minute response SLA, 3-day stall window)
      let desk = Desk(try factory.make())
      try desk.makeMQL("L1")

      // When the clock ticks at 09:04: nothing is due
      #expect(try desk.advanceAndTick(.minutes(4)).isEmpty)

      // When it ticks at 09:05: the SLA is breached and the lead goes to b
      let breach = try desk.advanceAndTick(.minutes(1))
      #expect(breach.types == [.slaBreached, .reassigned])
      #expect(
        breach.first?.payload
          == .slaBreached(stage: .mql, due: Fixed.reference.plus(.minutes(5)), owner: "a"))
      #expect(breach.allSatisfy { $0.cause == "tick:2026-11-02T09:05:00Z:L1" })
      #expect(try desk.owner("L1") == "b")
      #expect(try desk.lead("L1").previousOwners == ["a"])

      // Then ticking again at the same instant adds nothing
      let log = try desk.store.allEvents(asOf: nil)
      let lead = try desk.lead("L1")
      #expect(try desk.tick().isEmpty)
      #expect(try desk.store.allEvents(asOf: nil) == log)
      #expect(try desk.lead("L1") == lead)
      #expect(log.suffix(2) == breach[...])

      // When it ticks four days later: b's SLA breach moves it to c, and it stalls
      let later = try desk.advanceAndTick(.days(4))
      #expect(later.of(.reassigned).count == 1)
      #expect(try desk.owner("L1") == "c")
      #expect(
        later.of(.stalled).map(\.payload) == [
          .stalled(stage: .mql, blackHole: .noFollowUp, days: 4)
        ])
      #expect(try desk.lead("L1").stalledAt == desk.now)
      #expect(try desk.tick().isEmpty)
      #expect(try desk.store.allEvents(asOf: nil).count == log.count + later.count)
    }
  }

  @Test(arguments: StoreKind.contract)
  func allEventsAsOfCutsTheLogAtAnInstant(_ kind: StoreKind) throws {
    try kind.withFactory { factory in
      // Given a capture at 09:00, a demo request at 10:00 and a tick at 10:05
      let desk = Desk(try factory.make())
      let capture = desk.events.formSubmit("L1")
      let captured = try desk.send(capture)
      desk.clock.advance(by: .hours(1))
      let demo = desk.events.demoRequest("L1")
      let requested = try desk.send(demo)
      let ticked = try desk.advanceAndTick(.minutes(5))
      #expect(!ticked.isEmpty)

      // Then the log as of each instant holds what happened up to it (inclusive), in order.
      let whole = [capture] + captured + [demo] + requested + ticked
      #expect(try desk.store.allEvents(asOf: nil) == whole)
      #expect(try desk.store.allEvents(asOf: Fixed.reference.minus(.seconds(1))) == [])
      #expect(try desk.store.allEvents(asOf: Fixed.reference) == [capture] + captured)
      #expect(
        try desk.store.allEvents(asOf: Fixed.reference.plus(.minutes(30))) == [capture] + captured)
      #expect(
        try desk.store.allEvents(asOf: Fixed.reference.plus(.hours(1)))
          == [capture] + captured + [demo] + requested)
      #expect(try desk.store.allEvents(asOf: desk.now) == whole)
      // and the pipeline as of 09:30 has L1 known, not yet an MQL.
      #expect(
        try desk.store.pipeline(asOf: Fixed.reference.plus(.minutes(30))).leads["L1"]?.stage
          == .known)
    }
  }

  // MARK: - Change feed and reps

  @Test(arguments: StoreKind.contract)
  func theChangeTokenMovesOnWritesOnly(_ kind: StoreKind) throws {
    try kind.withFactory { factory in
      // Given a store with a lead
      let desk = Desk(try factory.make())
      try desk.makeMQL("L1")
      let before = try desk.store.changeToken()

      // When it is only read, the token stays
      _ = try desk.store.stageTotals(at: desk.now)
      _ = try desk.store.leads(LeadQuery(), at: desk.now)
      _ = try desk.store.lead("L1")
      _ = try desk.store.allEvents(asOf: nil)
      #expect(try desk.store.changeToken() == before)

      // When an accept is appended, it changes
      try desk.send(desk.events.accept("L1", by: "a"))
      let afterAppend = try desk.store.changeToken()
      #expect(afterAppend != before)

      // And when a tick stores outcomes, it changes again.
      #expect(!(try desk.advanceAndTick(.days(2))).isEmpty)
      #expect(try desk.store.changeToken() != afterAppend)
    }
  }

  @Test(arguments: StoreKind.contract)
  func repStatusesShowLoadAssignmentsAndTheNextRep(_ kind: StoreKind) throws {
    try kind.withFactory { factory in
      // Given reps a, b and c (c takes one open lead at most), round robin
      let playbook = TestPlaybook.standard(reps: [
        Rep(id: "a"), Rep(id: "b"), Rep(id: "c", capacity: 1),
      ])
      let desk = Desk(try factory.make(playbook: playbook))
      func statuses() throws -> [String] {
        try desk.store.repStatuses(at: desk.now).map {
          "\($0.rep.id) load=\($0.load) assigned=\($0.assignedTotal)"
            + " \($0.unavailable ?? "available")\($0.nextInRotation ? " next" : "")"
        }
      }
      #expect(
        try statuses() == [
          "a load=0 assigned=0 available next", "b load=0 assigned=0 available",
          "c load=0 assigned=0 available",
        ])

      // When three MQLs are routed (a, b, c) and a accepts hers
      try desk.makeMQL("L1")
      try desk.makeMQL("L2")
      try desk.makeMQL("L3")
      try desk.send(desk.events.accept("L1", by: "a"))

      // Then each has one open lead, c is full, and a is next
      #expect(
        try statuses() == [
          "a load=1 assigned=1 available next", "b load=1 assigned=1 available",
          "c load=1 assigned=1 at capacity (1/1)",
        ])

      // When a recycles L1 and c's lead is disqualified
      try desk.send(desk.events.recycle("L1", by: "a", reason: "timing"))
      try desk.send(desk.events.make(.disqualified(reason: "spam"), lead: "L3", actor: "c"))

      // Then their load drops while the assignment counts stay.
      #expect(
        try statuses() == [
          "a load=0 assigned=1 available next", "b load=1 assigned=1 available",
          "c load=0 assigned=1 available",
        ])
    }
  }

  // MARK: - Replay

  /// A playbook with decay and a capacity, so a busy scenario produces every kind of outcome.
  static let busyPlaybook = TestPlaybook.standard(reps: [
    Rep(id: "a"), Rep(id: "b", capacity: 2), Rep(id: "c"),
  ]) {
    $0.scoring.decay = .halfLife(days: 30)
  }

  /// Leads in every situation, with ticks in between (as `busyPipeline` in the domain tests).
  func busyScenario(_ desk: Desk) throws {
    let e = desk.events
    try desk.send(e.pageView("/pricing", visitor: "v-1"))
    desk.clock.advance(by: .minutes(2))
    try desk.send(e.pageView("/docs", visitor: "v-1"))
    try desk.send(e.pageView("/", visitor: "v-2"))
    try desk.capture("L1", profile: Self.taro, visitor: "v-1")
    try desk.send(e.pageView("/pricing/team", visitor: "v-1"))
    try desk.makeMQL("L2")
    try desk.makeSAL("L3")
    try desk.makeSQL("L4")
    try desk.send(e.contact("L3", by: try desk.owner("L3"), .noAnswer))
    desk.clock.advance(by: .minutes(1))
    try desk.makeMQL("L5")
    try desk.send(e.recycle("L5", by: "a", reason: "timing"))
    try desk.makeMQL("L6")
    try desk.send(e.snooze("L6", by: try desk.owner("L6"), until: desk.now.plus(.days(2))))
    try desk.capture("L7")
    try desk.send(e.make(.disqualified(reason: "student"), lead: "L7", actor: "a"))
    try desk.advanceAndTick(.minutes(6))
    try desk.send(e.demoRequest("L1"))
    try desk.send(e.download("L2", asset: "guide.pdf"))
    try desk.advanceAndTick(.days(4))
    try desk.send(e.qualify("L3", by: try desk.owner("L3")))
    try desk.makeOpportunity("L8", value: 900_000, closeDate: desk.now.plus(.days(3)))
    try desk.makeCustomer("L9", value: 300_000)
    try desk.advanceAndTick(.days(30))
    try desk.advanceAndTick(.days(61))
  }

  @Test(arguments: StoreKind.contract)
  func replayingTheLogGivesTheSameLeadsAsAppending(_ kind: StoreKind) throws {
    try kind.withFactory { factory in
      // Given a store built by appending a busy scenario, with ticks
      let desk = Desk(try factory.make(playbook: Self.busyPlaybook))
      try busyScenario(desk)
      let now = desk.now.plus(.days(1))
      let built = try Snapshot(desk.store, at: now)
      #expect(built.leads.count == 9)
      #expect(built.log.count > 60)
      #expect(Set(built.log.types).isSuperset(of: [.slaBreached, .reassigned, .stalled]))

      // When its log is folded without rules: by the domain's Pipeline, and by this kind
      let log = try desk.store.allEvents(asOf: nil)
      var domain = Pipeline(playbook: Self.busyPlaybook)
      domain.replay(log)
      let replayed = try factory.replay(log, playbook: Self.busyPlaybook, at: now)

      // Then both give the same leads (ledgers included), board, log and routing
      #expect(Snapshot(domain, at: now) == built)
      #expect(replayed == built)
      // and the listing is the same states without their ledgers.
      let listed = try desk.store.leads(LeadQuery(includeClosed: true), at: now)
      #expect(listed.map(\.withoutLedger) == listed.map { built.leads[$0.id]!.withoutLedger })
      // and every stored state, what reports start from, is the replayed state in id order.
      let all = try desk.store.allLeads()
      #expect(all.map(\.id) == domain.leads.keys.sorted())
      #expect(all == all.map { domain.leads[$0.id]!.withoutLedger })
    }
  }

  @Test(arguments: StoreKind.contract)
  func theStoreAgreesWithTheDomainPipeline(_ kind: StoreKind) throws {
    try kind.withFactory { factory in
      // Given the busy scenario appended to this store and to an in-memory store
      let desk = Desk(try factory.make(playbook: Self.busyPlaybook))
      try busyScenario(desk)
      let reference = Desk(InMemoryStore(playbook: Self.busyPlaybook))
      try busyScenario(reference)

      // Then every outcome, lead and column is the same.
      let now = desk.now
      #expect(try Snapshot(desk.store, at: now) == Snapshot(reference.store, at: now))
      #expect(
        try desk.store.leads(LeadQuery(includeClosed: true), at: now).map(\.withoutLedger)
          == reference.store.leads(LeadQuery(includeClosed: true), at: now).map(\.withoutLedger))
    }
  }
}
