import Foundation
import LeadLifecycle
import LeadboardTestSupport
import Testing

/// The refusal an append throws, or nil when it was accepted.
func refusal(_ h: PipelineHarness, _ event: Event) -> Refusal? {
  do {
    try h.send(event)
    return nil
  } catch {
    return error
  }
}

@Suite("Transitions and entry criteria")
struct TransitionTests {
  @Test func happyPathFromVisitorToCustomer() throws {
    let h = PipelineHarness()
    let owner = try h.makeOpportunity("L1")
    #expect(h.lead("L1").stage == .opportunity)
    try h.send(
      h.events.make(
        .contractSigned(paymentTerms: "net 30", onboardingDate: at("2026-12-01T00:00:00Z")),
        lead: "L1",
        actor: owner))
    let won = try h.send(h.events.make(.won, lead: "L1", actor: owner))
    #expect(won.stageMoves == ["opportunity→customer"])
    #expect(
      h.lead("L1").history.map(\.stage) == [.known, .mql, .sal, .sql, .opportunity, .customer])
    #expect(!h.lead("L1").isOpen)
  }

  @Test func opportunityRefusedWithEveryMissingCriterion() throws {
    let h = PipelineHarness()
    let owner = try h.makeSQL("L1")
    let before = h.pipeline.log.count
    let r = try #require(
      refusal(
        h,
        h.events.createOpportunity(
          "L1", by: owner,
          OpportunityFields(value: 5_000_000, currency: "JPY", stakeholders: ["CTO"]))))
    #expect(r.kind == .missingCriteria)
    #expect(r.message == "sql → opportunity needs: expected close date, stakeholders ≥ 2")
    #expect(r.missing == ["expected close date", "stakeholders ≥ 2"])
    // Nothing was recorded.
    #expect(h.pipeline.log.count == before)
    #expect(h.lead("L1").stage == .sql)
    #expect(h.lead("L1").opportunity == nil)
  }

  @Test func anEmptyOpportunityNamesAllThree() throws {
    let h = PipelineHarness()
    let owner = try h.makeSQL("L1")
    let r = refusal(h, h.events.createOpportunity("L1", by: owner, OpportunityFields()))
    #expect(
      r?.message == "sql → opportunity needs: deal value, expected close date, stakeholders ≥ 2")
  }

  @Test func qualificationNeedsEveryBANTAnswer() throws {
    let h = PipelineHarness()
    let owner = try h.makeSAL("L1")
    let r = refusal(h, h.events.qualify("L1", by: owner, ["budget": "10M JPY"]))
    #expect(r?.kind == .missingCriteria)
    #expect(r?.message == "sal → sql needs: authority, need, timeline")
    let out = try h.send(h.events.qualify("L1", by: owner))
    #expect(out.stageMoves == ["sal→sql"])
    #expect(
      out.of(.stageChanged).first?.payload
        == .stageChanged(from: .sal, to: .sql, reason: "qualified (BANT)"))
  }

  @Test func wonNeedsTheContract() throws {
    let h = PipelineHarness()
    let owner = try h.makeOpportunity("L1")
    let r = refusal(h, h.events.make(.won, lead: "L1", actor: owner))
    #expect(
      r?.message
        == "opportunity → customer needs: a signed contract, payment terms, onboarding kickoff date"
    )
  }

  @Test func acceptOnANonMQLIsRefused() throws {
    let h = PipelineHarness()
    try h.capture("L1")
    let r = try #require(refusal(h, h.events.accept("L1", by: "a")))
    #expect(r.kind == .notAllowed)
    #expect(r.message == "cannot accept: L1 is known, not mql")
    #expect(h.lead("L1").stage == .known)
  }

  @Test func acceptTwiceIsAConflictNamingTheWinner() throws {
    let h = PipelineHarness()
    try h.makeMQL("L1")
    #expect(h.lead("L1").owner == "a")
    let first = try h.send(h.events.accept("L1", by: "a"))
    #expect(first.stageMoves == ["mql→sal"])
    #expect(
      first.of(.stageChanged).first?.payload
        == .stageChanged(from: .mql, to: .sal, reason: "accepted by a"))
    h.clock.advance(by: .seconds(2))
    let r = try #require(refusal(h, h.events.accept("L1", by: "b")))
    #expect(r.kind == .conflict)
    #expect(r.winner == "a")
    #expect(r.winnerAt == Fixed.reference)
    #expect(r.message == "already accepted by a at 2026-11-02T09:00:00Z")
    #expect(h.lead("L1").owner == "a")
  }

  @Test func anotherRepMayAcceptAnAssignedMQL() throws {
    let h = PipelineHarness()
    try h.makeMQL("L1")
    try h.send(h.events.accept("L1", by: "c"))
    #expect(h.lead("L1").owner == "c")
    #expect(h.lead("L1").previousOwners == ["a"])
    #expect(h.pipeline.load == ["a": 0, "c": 1])
  }

  @Test func acceptByAnUnknownRepIsInvalid() throws {
    let h = PipelineHarness()
    try h.makeMQL("L1")
    #expect(
      refusal(h, h.events.accept("L1", by: "zed"))?.message == "unknown rep 'zed' (known: a, b, c)")
    #expect(refusal(h, h.events.make(.accepted, lead: "L1"))?.kind == .invalid)
  }

  @Test func eventsForAnUnknownLeadAreRefused() {
    let h = PipelineHarness()
    let r = refusal(h, h.events.demoRequest("ghost"))
    #expect(r?.kind == .unknownLead)
    #expect(h.pipeline.log.isEmpty)
  }

  @Test func closedLeadsRefuseWork() throws {
    let h = PipelineHarness()
    try h.makeSAL("L1")
    try h.send(h.events.make(.lost(reason: "price"), lead: "L1", actor: "a"))
    let r = refusal(h, h.events.contact("L1", by: "a", .connected))
    #expect(r?.kind == .notAllowed)
    #expect(r?.message == "cannot log contact: L1 was lost (price) on 2026-11-02")
  }

  @Test func unknownReasonCodesAreInvalid() throws {
    let h = PipelineHarness()
    try h.makeSAL("L1")
    #expect(refusal(h, h.events.make(.lost(reason: "aliens"), lead: "L1"))?.kind == .invalid)
    #expect(refusal(h, h.events.make(.disqualified(reason: "rude"), lead: "L1"))?.kind == .invalid)
    #expect(refusal(h, h.events.recycle("L1", by: "a", reason: "whenever"))?.kind == .invalid)
  }

  @Test func manualMovesAreCheckedAndNeverBackwards() throws {
    let h = PipelineHarness()
    try h.makeMQL("L1")
    let back = refusal(h, h.events.make(.moved(to: .known, reason: nil), lead: "L1", actor: "m"))
    #expect(back?.message == "cannot move L1 back from mql to known: recycle it with a reason")
    let same = refusal(h, h.events.make(.moved(to: .mql, reason: nil), lead: "L1", actor: "m"))
    #expect(same?.message == "L1 is already mql")
    let skip = refusal(h, h.events.make(.moved(to: .sql, reason: nil), lead: "L1", actor: "m"))
    #expect(skip?.message == "mql → sql needs: budget, authority, need, timeline")
    let ok = try h.send(
      h.events.make(.moved(to: .sal, reason: "met at the booth"), lead: "L1", actor: "m"))
    #expect(
      ok.of(.stageChanged).first?.payload
        == .stageChanged(from: .mql, to: .sal, reason: "moved by m: met at the booth"))
  }

  @Test func snoozeMustEndInTheFuture() throws {
    let h = PipelineHarness()
    try h.capture("L1")
    let r = refusal(h, h.events.snooze("L1", by: "a", until: Fixed.reference))
    #expect(r?.message == "snooze until 2026-11-02T09:00:00Z is not after 2026-11-02T09:00:00Z")
  }

  @Test func duplicateIdsChangeNothing() throws {
    let h = PipelineHarness()
    let capture = h.events.formSubmit("L1")
    try h.send(capture)
    let log = h.pipeline.log
    let leads = h.pipeline.leads
    #expect(try h.pipeline.append(capture) == .duplicate)
    #expect(h.pipeline.log == log)
    #expect(h.pipeline.leads == leads)
  }

  @Test func criteriaEvaluation() {
    var lead = LeadState(id: "L1", at: Fixed.reference)
    let playbook = Playbook.builtIn
    #expect(
      Criteria.missing(for: .sal, lead: lead, playbook: playbook) == [Criterion(field: "owner")])
    lead.owner = "a"
    #expect(Criteria.missing(for: .sal, lead: lead, playbook: playbook).isEmpty)
    #expect(Criteria.refusal(from: .mql, to: .sal, lead: lead, playbook: playbook) == nil)
    lead.opportunity = OpportunityFields(value: 0, stakeholders: ["a", "b", "c"])
    #expect(Criteria.isMet(Criterion(field: "value", min: 1), lead: lead) == false)
    #expect(Criteria.isMet(Criterion(field: "value"), lead: lead))
    #expect(Criteria.isMet(Criterion(field: "stakeholders", min: 3), lead: lead))
    #expect(!Criteria.isMet(Criterion(field: "stakeholders", min: 4), lead: lead))
    lead.profile.phone = "03"
    #expect(Criteria.isMet(Criterion(field: "phone"), lead: lead))
    #expect(!Criteria.isMet(Criterion(field: "budget"), lead: lead))
    lead.qualification["budget"] = "1M"
    #expect(Criteria.isMet(Criterion(field: "budget"), lead: lead))
  }
}
