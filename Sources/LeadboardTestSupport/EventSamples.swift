import Foundation
import LeadLifecycle

/// One event of every payload case, with every optional field both present and absent
/// somewhere, for wire-format and storage round trips.
public enum EventSamples {
  static let t = at("2026-11-02T09:00:00Z")
  static let profile = Profile(
    email: "taro@example.jp", name: "山田太郎", firstName: "太郎", lastName: "山田",
    company: "株式会社サンプル", title: "情報システム部長", industry: "情報通信業", employees: 250,
    country: "JP", phone: "+81-3-1234-5678", source: "webinar", campaign: "fy26-q3",
    extra: ["crm_id": "0012", "segment": "mid-market"])

  /// Every `EventPayload` case at least once (some twice, with optionals set and unset).
  public static let oneOfEach: [Event] = [
    Event(id: "s1", at: t, visitor: "v-9", .pageView(path: "/pricing", referrer: nil)),
    Event(
      id: "s2", at: t, lead: "L1", .pageView(path: "/docs/api", referrer: "https://google.com/")),
    Event(
      id: "s3", at: t, lead: "L1", visitor: "v-9", .formSubmit(form: "demo", profile: profile)),
    Event(id: "s4", at: t, lead: "L1", .formSubmit(form: nil, profile: Profile(email: "a@b.jp"))),
    Event(id: "s5", at: t, lead: "L1", .chat(profile: Profile(name: "Ann", company: "Acme"))),
    Event(id: "s6", at: t, lead: "L1", .emailSubscribe(profile: Profile(email: "x@y.com"))),
    Event(id: "s7", at: t, lead: "L1", .accountCreated(profile: Profile(employees: 12))),
    Event(
      id: "s8", at: t, lead: "L1", actor: "import",
      .profileUpdated(profile: Profile(title: "CTO", extra: ["tier": "gold"]))),
    Event(id: "s9", at: t, lead: "L1", .emailOpen(campaign: "nov-newsletter")),
    Event(id: "s10", at: t, lead: "L1", .emailOpen(campaign: nil)),
    Event(
      id: "s11", at: t, lead: "L1", .emailClick(campaign: "nov", url: "https://ex.jp/pricing")),
    Event(id: "s12", at: t, lead: "L1", .contentDownload(asset: "whitepaper-2026.pdf")),
    Event(id: "s13", at: t, lead: "L1", .webinarAttended(webinar: "fy26-kickoff")),
    Event(id: "s14", at: t, lead: "L1", .demoRequest),
    Event(id: "s15", at: t, lead: "L1", .unsubscribe),
    Event(id: "s16", at: t, lead: "L1", .emailBounce),
    Event(
      id: "s17", at: t, lead: "L1", actor: "a",
      .contactAttempt(channel: .linkedin, outcome: .wrongNumber)),
    Event(id: "s18", at: t, lead: "L1", actor: "a", .conversation(summary: "discovery call")),
    Event(id: "s19", at: t, lead: "L1", actor: "a", .conversation(summary: nil)),
    Event(
      id: "s20", at: t, lead: "L1", actor: "a",
      .qualification(fields: ["budget": "10M JPY", "need": "visibility"])),
    Event(
      id: "s21", at: t, lead: "L1", actor: "a",
      .opportunityCreated(
        OpportunityFields(
          value: 1_250_000.5, currency: "JPY", closeDate: at("2027-01-29T00:00:00Z"),
          stakeholders: ["CTO", "CFO"], name: "Annual plan"))),
    Event(
      id: "s22", at: t, lead: "L1", actor: "a",
      .opportunityUpdated(OpportunityFields(closeDate: at("2027-03-31T00:00:00Z")))),
    Event(
      id: "s23", at: t, lead: "L1", actor: "a",
      .contractSigned(paymentTerms: "net 30", onboardingDate: at("2027-02-01T01:00:00Z"))),
    Event(id: "s24", at: t, lead: "L1", .contractSigned(paymentTerms: nil, onboardingDate: nil)),
    Event(id: "s25", at: t, lead: "L1", actor: "a", .won),
    Event(id: "s26", at: t, lead: "L1", actor: "a", .lost(reason: "competitor")),
    Event(id: "s27", at: t, lead: "L1", actor: "a", .disqualified(reason: "spam")),
    Event(id: "s28", at: t, lead: "L1", actor: "a", .accepted),
    Event(
      id: "s29", at: t, lead: "L1", actor: "a",
      .recycled(reason: "not_ready", nurtureUntil: at("2027-01-31T09:00:00Z"))),
    Event(id: "s30", at: t, lead: "L1", actor: "a", .recycled(reason: "timing", nurtureUntil: nil)),
    Event(
      id: "s31", at: t, lead: "L1", actor: "manager",
      .assigned(to: "a", team: "apac", explanation: "by hand")),
    Event(id: "s32", at: t, lead: "L1", .assigned(to: "b", team: nil, explanation: nil)),
    Event(
      id: "s33", at: t, lead: "L1", actor: "a",
      .snoozed(until: at("2026-11-09T00:00:00Z"), reason: "travelling")),
    Event(id: "s34", at: t, lead: "L1", actor: "a", .note(text: "prefers email; 日本語可")),
    Event(id: "s35", at: t, lead: "L1", actor: "m", .moved(to: .sql, reason: "met at event")),
    Event(id: "s36", at: t, lead: "L1", actor: "m", .moved(to: .opportunity, reason: nil)),
    Event(
      id: "s37", at: t, lead: "L1", actor: Event.rulesActor, cause: "s14",
      .scoreChanged(
        ScoreChange(
          kind: .behavior, rule: "behavior.demo", delta: 30, score: 45, source: "s14",
          detail: "demo_request: +30"))),
    Event(
      id: "s38", at: t, lead: "L1", actor: Event.rulesActor, cause: "tick",
      .scoreChanged(
        ScoreChange(
          kind: .decay, rule: "decay", delta: -7, score: 38, source: nil,
          detail: "decay: 30 days inactive, half-life 90 d: -7"))),
    Event(
      id: "s39", at: t, lead: "L1", actor: Event.rulesActor, cause: "s14",
      .stageChanged(from: .known, to: .mql, reason: "high-intent action: demo_request")),
    Event(
      id: "s40", at: t, lead: "L1", actor: Event.rulesActor,
      .stageChanged(from: nil, to: .known, reason: "imported")),
    Event(
      id: "s41", at: t, lead: "L1", actor: Event.rulesActor,
      .slaBreached(stage: .mql, due: at("2026-11-02T08:55:00Z"), owner: "a")),
    Event(
      id: "s42", at: t, lead: "L1", actor: Event.rulesActor,
      .slaBreached(stage: .sal, due: at("2026-11-01T09:00:00Z"), owner: nil)),
    Event(
      id: "s43", at: t, lead: "L1", actor: Event.rulesActor,
      .reassigned(
        from: "a", to: "b", team: "global", explanation: "SLA breached; b: next in round robin")),
    Event(
      id: "s44", at: t, lead: "L1", actor: Event.rulesActor,
      .reassigned(from: nil, to: "c", team: nil, explanation: "")),
    Event(
      id: "s45", at: t, lead: "L1", actor: Event.rulesActor,
      .unrouted(reason: "nobody eligible in all reps: a skipped: at capacity (1/1)")),
    Event(
      id: "s46", at: t, lead: "L1", visitor: "v-9", actor: Event.rulesActor, cause: "s3",
      .visitorStitched(
        visitor: "v-9",
        views: [
          PageVisit(event: "s1", path: "/pricing", at: at("2026-11-01T08:00:00Z")),
          PageVisit(event: "s0", path: "/", at: at("2026-11-01T07:59:00Z")),
        ])),
    Event(
      id: "s47", at: t, lead: "L1", actor: Event.rulesActor,
      .stalled(stage: .opportunity, blackHole: .agingOpportunity, days: 200)),
    Event(id: "s48", at: t, lead: "L1", actor: Event.rulesActor, .nurtureEnded),
    Event(
      id: "s49", at: t, lead: "L1", actor: Event.rulesActor, cause: "s30",
      .scoreChanged(
        ScoreChange(
          kind: .reset, rule: "recycle.reset", delta: -35, score: 20, source: "s30",
          detail: "behaviour points reset on recycle: -35"))),
  ]
}
