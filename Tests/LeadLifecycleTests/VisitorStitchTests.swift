import Foundation
import LeadLifecycle
import LeadboardTestSupport
import Testing

@Suite("Visitor history stitching")
struct VisitorStitchTests {
  @Test func anonymousViewsAreStitchedOntoTheLeadOnFormSubmit() throws {
    // Given two anonymous page views by visitor v-9 the day before
    let h = PipelineHarness(start: at("2026-11-01T10:00:00Z"))
    #expect(try h.send(h.events.pageView("/pricing", visitor: "v-9")).isEmpty)
    h.clock.advance(by: .minutes(3))
    try h.send(h.events.pageView("/docs/api", visitor: "v-9"))
    try h.send(h.events.pageView("/", visitor: "v-other"))
    #expect(h.pipeline.leads.isEmpty)
    #expect(h.pipeline.anonymousViews["v-9"]?.map(\.path) == ["/pricing", "/docs/api"])

    // When the visitor fills a form the next day
    h.clock.set("2026-11-02T09:00:00Z")
    let out = try h.capture("L1", profile: Profile(email: "taro@example.jp"), visitor: "v-9")

    // Then a visitor_stitched outcome carries those views
    let stitched = try #require(out.of(.visitorStitched).first)
    let views = [
      PageVisit(event: "e1", path: "/pricing", at: at("2026-11-01T10:00:00Z")),
      PageVisit(event: "e2", path: "/docs/api", at: at("2026-11-01T10:03:00Z")),
    ]
    #expect(stitched.payload == .visitorStitched(visitor: "v-9", views: views))
    #expect(stitched.lead == "L1")
    #expect(stitched.visitor == "v-9")
    #expect(stitched.cause == "e4")
    #expect(out.types.first == .visitorStitched)
    // the lead's page views contain them, and the visitor is remembered
    let lead = h.lead("L1")
    #expect(lead.pageViews == views)
    #expect(lead.visitors == ["v-9"])
    #expect(h.pipeline.visitorLeads["v-9"] == "L1")
    #expect(h.pipeline.anonymousViews["v-9"] == nil)
    #expect(h.pipeline.anonymousViews["v-other"]?.count == 1)
    // and the ledger has behaviour points for each view, sourced to the view's own event.
    let viewLines = lead.ledger.map(\.change).filter { $0.source == "e1" || $0.source == "e2" }
    #expect(viewLines.map(\.rule) == ["behavior.pricing", "behavior.page", "behavior.page"])
    #expect(viewLines.map(\.source) == ["e1", "e1", "e2"])
    #expect(viewLines.map(\.delta) == [10, 1, 1])
    #expect(lead.score == 17)
  }

  @Test func aLaterAnonymousViewByTheSameVisitorIsAttachedToTheLead() throws {
    let h = PipelineHarness()
    try h.send(h.events.pageView("/pricing", visitor: "v-9"))
    try h.capture("L1", visitor: "v-9")
    h.clock.advance(by: .hours(1))
    let out = try h.send(h.events.pageView("/pricing/enterprise", visitor: "v-9"))
    let stored = try #require(h.pipeline.log.first { $0.id == "e3" })
    #expect(stored.lead == "L1")
    #expect(stored.visitor == "v-9")
    #expect(h.lead("L1").pageViews.map(\.path) == ["/pricing", "/pricing/enterprise"])
    #expect(out.scoreChanges.map(\.rule) == ["behavior.pricing", "behavior.page"])
    #expect(out.allSatisfy { $0.lead == "L1" })
    #expect(h.pipeline.anonymousViews["v-9"] == nil)
  }

  @Test func stitchedPricingViewsCountTowardsRepeatedVisits() throws {
    let h = PipelineHarness()
    for _ in 1...3 {
      try h.send(h.events.pageView("/pricing", visitor: "v-9"))
      h.clock.advance(by: .hours(5))
    }
    let out = try h.capture("L1", profile: Profile(), visitor: "v-9")
    #expect(out.stageMoves == ["visitor→known", "known→mql"])
    #expect(
      out.of(.stageChanged).last?.payload
        == .stageChanged(
          from: .known, to: .mql, reason: "high-intent: 3 views of /pricing* within 1w"))
  }

  @Test func aSecondCaptureDoesNotStitchAgain() throws {
    let h = PipelineHarness()
    try h.send(h.events.pageView("/pricing", visitor: "v-9"))
    try h.capture("L1", visitor: "v-9")
    let again = try h.send(
      h.events.make(.chat(profile: Profile(name: "Taro")), lead: "L1", visitor: "v-9"))
    #expect(again.of(.visitorStitched).isEmpty)
    #expect(h.lead("L1").pageViews.count == 1)
  }

  @Test func aCaptureWithoutHistoryStitchesNothing() throws {
    let h = PipelineHarness()
    let out = try h.capture("L1", visitor: "v-new")
    #expect(out.of(.visitorStitched).isEmpty)
    #expect(h.lead("L1").visitors == ["v-new"])
  }
}
