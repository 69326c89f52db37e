import Foundation
import LeadLifecycle
import LeadboardTestSupport
import Testing

@Suite("Stages and black holes")
struct StageTests {
  @Test func funnelOrderAndNeighbours() {
    #expect(Stage.allCases.map(\.rank) == Array(0...6))
    #expect(Stage.visitor.previous == nil)
    #expect(Stage.known.next == .mql)
    #expect(Stage.customer.next == nil)
    #expect(Stage.sql < Stage.opportunity)
  }
}

@Suite("Lead state reducer")
struct LeadStateTests {
  let t = Fixed.reference

  func event(_ payload: EventPayload, at date: Date? = nil, actor: String? = nil) -> Event {
    Event(id: "x", at: date ?? t, lead: "L1", actor: actor, payload)
  }

  @Test func profileFieldsMergeAndNeverBlankOut() {
    var s = LeadState(id: "L1", at: t)
    s.apply(
      event(.formSubmit(form: nil, profile: Profile(email: "a@b.jp", name: "山田太郎", employees: 10))))
    s.apply(event(.profileUpdated(profile: Profile(name: "", title: "CTO", extra: ["k": "v"]))))
    #expect(
      s.profile
        == Profile(email: "a@b.jp", name: "山田太郎", title: "CTO", employees: 10, extra: ["k": "v"]))
    #expect(s.profile.displayName == "山田太郎")
    #expect(s.profile.emailDomain == "b.jp")
    #expect(s.eventCount == 2)
  }

  @Test func displayNameFallsBack() {
    #expect(Profile(firstName: "太郎", lastName: "山田").displayName == "太郎 山田")
    #expect(Profile(email: "x@y.z").displayName == "x@y.z")
    #expect(Profile().isEmpty)
  }

  @Test func stageChangesKeepHistoryAndResetPerStageCounters() {
    var s = LeadState(id: "L1", at: t)
    s.apply(event(.stageChanged(from: .visitor, to: .known, reason: "captured")))
    s.apply(event(.stageChanged(from: .known, to: .mql, reason: "score"), at: t.plus(.days(1))))
    s.apply(event(.assigned(to: "a", team: "apac", explanation: nil), at: t.plus(.days(1))))
    s.apply(event(.stageChanged(from: .mql, to: .sal, reason: "accepted"), at: t.plus(.days(2))))
    s.apply(event(.contactAttempt(channel: .phone, outcome: .noAnswer), at: t.plus(.days(3))))
    s.apply(event(.stalled(stage: .sal, blackHole: .noContact, days: 15), at: t.plus(.days(17))))
    #expect(s.unansweredAttempts == [t.plus(.days(3))])
    #expect(s.stalledAt == t.plus(.days(17)))
    // Recycled: back to known, the owner is remembered and the attempts start over.
    s.apply(event(.stageChanged(from: .sal, to: .known, reason: "recycled"), at: t.plus(.days(20))))
    #expect(s.stage == .known)
    #expect(s.owner == nil)
    #expect(s.previousOwners == ["a"])
    #expect(s.team == "apac")
    #expect(s.unansweredAttempts.isEmpty)
    #expect(s.contactAttempts == 1)
    #expect(s.stalledAt == nil)
    #expect(s.stageEnteredAt == t.plus(.days(20)))
    #expect(s.history.map(\.stage) == [.known, .mql, .sal, .known])
    #expect(s.entered(.known) == t.plus(.days(20)))
    #expect(s.entered(.opportunity) == nil)
  }

  @Test func reassignmentClearsTheBreachAndRemembersTheOwner() {
    var s = LeadState(id: "L1", at: t)
    s.apply(event(.assigned(to: "a", team: nil, explanation: nil)))
    s.apply(event(.slaBreached(stage: .mql, due: t, owner: "a")))
    #expect(s.slaBreachedAt == t)
    s.apply(event(.reassigned(from: "a", to: "b", team: nil, explanation: "")))
    #expect(s.owner == "b")
    #expect(s.previousOwners == ["a"])
    #expect(s.slaBreachedAt == nil)
  }

  @Test func nurtureSnoozeAndClosure() {
    var s = LeadState(id: "L1", at: t)
    s.apply(event(.recycled(reason: "not_ready", nurtureUntil: t.plus(.days(90)))))
    #expect(s.isNurturing(at: t.plus(.days(89))))
    #expect(!s.isNurturing(at: t.plus(.days(90))))
    s.apply(event(.nurtureEnded))
    #expect(s.nurtureUntil == nil)
    s.apply(event(.snoozed(until: t.plus(.days(2)), reason: "holiday")))
    #expect(s.isSnoozed(at: t.plus(.days(1))))
    #expect(!s.isSnoozed(at: t.plus(.days(2))))
    #expect(s.isOpen)
    s.apply(event(.lost(reason: "price"), at: t.plus(.days(5))))
    #expect(s.closed == ClosedInfo(closure: .lost, reason: "price", at: t.plus(.days(5))))
    #expect(!s.isOpen)
  }

  @Test func opportunityUpdatesOverlay() {
    var s = LeadState(id: "L1", at: t)
    s.apply(
      event(
        .opportunityCreated(
          OpportunityFields(value: 100, currency: "JPY", stakeholders: ["a", "b"]))))
    s.apply(event(.opportunityUpdated(OpportunityFields(value: 150, closeDate: t))))
    #expect(
      s.opportunity
        == OpportunityFields(value: 150, currency: "JPY", closeDate: t, stakeholders: ["a", "b"]))
  }

  @Test func applyingIsPure() {
    let s = LeadState(id: "L1", at: t)
    let next = s.applying(event(.conversation(summary: "hi")))
    #expect(s.conversations == 0)
    #expect(next.conversations == 1)
    #expect(next.reached)
  }
}
