import Foundation

extension Playbook {
  /// The built-in default: the seed's benchmarks, a 60-point MQL threshold, a 5-minute MQL
  /// response SLA and eight demo reps in two teams. Parsed from `defaultText`, so the file
  /// `leadboard playbook init` writes and the defaults in force are one and the same.
  public static let builtIn: Playbook = {
    do {
      return try Playbook.read(JSON5Parser.parse(defaultText), defaults: .skeleton)
    } catch {
      // The text is a constant checked by the test suite; failing here is a build defect.
      fatalError("built-in playbook is invalid: \(error)")
    }
  }()

  /// The frame every playbook is read over: all stage ids with their ids as labels, no rules.
  static let skeleton = Playbook(
    name: "",
    stages: Dictionary(
      uniqueKeysWithValues: Stage.allCases.map { ($0, StageDefinition(label: $0.rawValue)) }),
    scoring: ScoringPolicy(mqlThreshold: 60),
    routing: RoutingPolicy(),
    sla: SLAPolicy(),
    recycle: RecyclePolicy(reasons: []),
    qualification: QualificationFramework(name: "BANT", fields: []),
    lostReasons: [],
    disqualifyReasons: [])

  /// The default playbook as commented JSON5: what `leadboard playbook init` writes.
  public static let defaultText = #"""
    // leadboard playbook: the agreement between marketing and sales, in one file.
    // JSON5: comments, unquoted keys and trailing commas are fine. Any key left out takes the
    // built-in default shown here. Check a file with `leadboard playbook check FILE`.
    {
      // A name shown in reports.
      name: "Default (seed benchmarks)",
      // Format version of this file. Always 1.
      version: 1,

      // The seven funnel stages, in order. Ids are fixed; labels, owners and rules are yours.
      //   label:          shown on the board and in reports
      //   owner:          the team that owns leads in this stage
      //   definition:     what the stage means, in your words
      //   stallAfter:     a lead longer than this in the stage is stalled ("30d", "2w", "36h")
      //   benchmark:      the move from this stage to the next: conversion %, average and
      //                   best-in-class days, each as [low, high]
      //   entry:          what a lead must have to enter the stage (a move without it is refused)
      //   winProbability: chance that a lead here is won, for the weighted forecast (0 to 1)
      stages: {
        visitor: {
          label: "Anonymous visitor",
          owner: "marketing",
          definition: "Tracked by cookie or IP until it fills a form, chats, subscribes or signs up.",
        },
        known: {
          label: "Known lead",
          owner: "marketing",
          definition: "Captured contact; nurtured until the score or a high-intent action makes it an MQL.",
          stallAfter: "30d",
          benchmark: { averageDays: [7, 30], bestDays: [3, 7] },
        },
        mql: {
          label: "Marketing-qualified lead",
          owner: "marketing",
          definition: "Score reached the threshold or a high-intent action; handed to sales.",
          stallAfter: "3d",
          benchmark: { conversion: [15, 30], averageDays: [1, 3], bestDays: [0, 1] },
        },
        sal: {
          label: "Sales-accepted lead",
          owner: "sales",
          definition: "A rep accepted it and works it: contact attempts until a real conversation.",
          stallAfter: "14d",
          benchmark: { conversion: [40, 60], averageDays: [7, 14], bestDays: [3, 5] },
          entry: ["owner"],
        },
        sql: {
          label: "Sales-qualified lead",
          owner: "sales",
          definition: "A conversation established budget, authority, need and timeline.",
          stallAfter: "42d",
          benchmark: { conversion: [30, 50], averageDays: [14, 42], bestDays: [7, 14] },
          entry: ["owner", "budget", "authority", "need", "timeline"],
          winProbability: 0.1,
        },
        opportunity: {
          label: "Opportunity",
          owner: "sales",
          definition: "A deal with an expected close date, a value and at least two stakeholders.",
          stallAfter: "180d",
          benchmark: { conversion: [20, 40], averageDays: [30, 180] },
          entry: ["value", "close_date", { field: "stakeholders", min: 2 }],
          winProbability: 0.3,
        },
        customer: {
          label: "Customer",
          owner: "customer_success",
          definition: "Contract signed, payment terms agreed, onboarding kickoff scheduled.",
          entry: ["contract_signed", "payment_terms", "onboarding_date"],
          winProbability: 1,
        },
      },

      // Lead scoring. Every point that moves is a line in the lead's score ledger.
      scoring: {
        // A known lead whose score reaches this becomes an MQL.
        mqlThreshold: 60,
        // The lowest score that negative behaviour points and decay can bring a lead to
        // (fit penalties always count in full). null: no floor.
        floor: 0,
        // Fit: who the lead is. Each rule: field, one test (equals, in, range, contains,
        // present) and points (negative allowed). Fields: email, name, company, title,
        // industry, employees, country, phone, source, campaign, email_domain, extra:NAME.
        fit: [
          { id: "fit.size.mid", field: "employees", range: [50, 5000], points: 15 },
          { id: "fit.size.small", field: "employees", range: [10, 49], points: 5 },
          { id: "fit.industry", field: "industry", in: ["software", "saas", "it", "manufacturing", "情報通信業", "製造業"], points: 10 },
          { id: "fit.title", field: "title", contains: ["vp", "director", "head", "chief", "manager", "部長", "課長", "取締役", "本部長"], points: 15 },
          { id: "fit.country", field: "country", in: ["JP", "US", "GB", "DE", "SG", "AU"], points: 5 },
          { id: "fit.free_mail", field: "email_domain", in: ["gmail.com", "yahoo.co.jp", "hotmail.com", "outlook.com"], points: -10 },
          { id: "fit.competitor", field: "email_domain", in: ["competitor.example"], points: -50 },
        ],
        // Behaviour: what the lead does. Each rule: event type, an optional glob on the
        // path, asset, webinar or campaign (match), points, and a cap per lead.
        behavior: [
          { id: "behavior.pricing", event: "page_view", match: "/pricing*", points: 10, cap: 30 },
          { id: "behavior.page", event: "page_view", points: 1, cap: 10 },
          { id: "behavior.download", event: "content_download", points: 10, cap: 30 },
          { id: "behavior.webinar", event: "webinar_attended", points: 15, cap: 30 },
          { id: "behavior.form", event: "form_submit", points: 5, cap: 10 },
          { id: "behavior.chat", event: "chat", points: 5, cap: 10 },
          { id: "behavior.email_open", event: "email_open", points: 1, cap: 5 },
          { id: "behavior.email_click", event: "email_click", points: 3, cap: 15 },
          { id: "behavior.demo", event: "demo_request", points: 30 },
          { id: "behavior.unsubscribe", event: "unsubscribe", points: -20 },
          { id: "behavior.bounce", event: "email_bounce", points: -15 },
        ],
        // Behaviour points fade while the lead is quiet: halfLifeDays, or
        // pointsPerInactiveWeek. null keeps them forever.
        decay: { halfLifeDays: 90 },
        // Actions that make a known lead an MQL at once, whatever its score.
        highIntent: {
          // Event types.
          events: ["demo_request"],
          // Repeated visits: count page views matching path within a window.
          pageViews: [{ path: "/pricing*", count: 3, within: "7d" }],
        },
      },

      // Who gets a new MQL.
      routing: {
        // Assign new MQLs automatically (false leaves them to be picked from the queue).
        autoAssign: true,
        // round_robin, weighted (by rep weight) or load_balanced (fewest open leads).
        strategy: "round_robin",
        // The first matching rule picks the team; conditions as in scoring.fit.
        territories: [
          { team: "apac", when: { field: "country", in: ["JP", "SG", "KR", "AU", "IN", "TW", "HK"] } },
        ],
        // The team when no territory matches (null: every rep).
        defaultTeam: "global",
        // Per-team strategy overrides.
        teams: {
          apac: { strategy: "weighted" },
          global: { strategy: "load_balanced" },
        },
        // The reps. id (stable), name, team, weight (> 0), capacity (most open MQL + SAL
        // leads), active, timeZone (IANA), workingHours {days, start, end} in that zone,
        // outOfOffice [{from, to}] as inclusive dates. Unavailable reps are skipped.
        reps: [
          { id: "sato", name: "佐藤 美咲", team: "apac", weight: 2, capacity: 40, timeZone: "Asia/Tokyo", workingHours: { days: ["mon", "tue", "wed", "thu", "fri"], start: "09:00", end: "18:00" } },
          { id: "tanaka", name: "田中 健", team: "apac", weight: 1, capacity: 30, timeZone: "Asia/Tokyo", workingHours: { days: ["mon", "tue", "wed", "thu", "fri"], start: "09:00", end: "18:00" } },
          { id: "suzuki", name: "鈴木 陽子", team: "apac", weight: 1, capacity: 30, timeZone: "Asia/Tokyo", workingHours: { days: ["mon", "tue", "wed", "thu", "fri"], start: "09:00", end: "18:00" } },
          { id: "takahashi", name: "高橋 翔", team: "apac", weight: 1, capacity: 30, timeZone: "Asia/Singapore", workingHours: { days: ["mon", "tue", "wed", "thu", "fri"], start: "09:00", end: "18:00" } },
          { id: "alice", name: "Alice Chen", team: "global", weight: 1, capacity: 40, timeZone: "America/New_York", workingHours: { days: ["mon", "tue", "wed", "thu", "fri"], start: "08:00", end: "17:00" } },
          { id: "bob", name: "Bob Miller", team: "global", weight: 1, capacity: 40, timeZone: "America/Chicago", workingHours: { days: ["mon", "tue", "wed", "thu", "fri"], start: "08:00", end: "17:00" } },
          { id: "carol", name: "Carol Davis", team: "global", weight: 1, capacity: 40, timeZone: "Europe/London", workingHours: { days: ["mon", "tue", "wed", "thu", "fri"], start: "09:00", end: "17:30" } },
          { id: "dave", name: "Dave Wilson", team: "global", weight: 1, capacity: 40, timeZone: "Europe/Berlin", workingHours: { days: ["mon", "tue", "wed", "thu", "fri"], start: "09:00", end: "18:00" } },
        ],
      },

      // Service levels. Each stage: target (time allowed), workingHours (count business
      // hours only), reassignOnBreach (give the lead to the next eligible rep who has not had
      // it), until ("exit": leaving the stage, or "contact_attempt": the first attempt).
      sla: {
        // The business calendar for SLAs counted in working hours.
        businessHours: { timeZone: "Asia/Tokyo", days: ["mon", "tue", "wed", "thu", "fri"], start: "09:00", end: "18:00" },
        // The MQL response SLA: accepted within 5 minutes, else reassigned.
        mql: { target: "5m", workingHours: false, reassignOnBreach: true, until: "exit" },
        // A first contact attempt within a day of acceptance.
        sal: { target: "1d", workingHours: false, reassignOnBreach: false, until: "contact_attempt" },
        // An opportunity within two weeks of qualification.
        sql: { target: "14d", workingHours: false, reassignOnBreach: false, until: "exit" },
      },

      // Back to nurture.
      recycle: {
        // Reason codes offered when a rep recycles, each with a nurture period during which
        // the lead cannot become an MQL again.
        reasons: [
          { code: "no_contact", label: "Could not reach the prospect", nurture: "30d" },
          { code: "not_ready", label: "Interested, not ready to buy", nurture: "90d" },
          { code: "no_budget", label: "No budget this period", nurture: "180d" },
          { code: "timing", label: "Bad timing; follow up later", nurture: "60d" },
          { code: "wrong_person", label: "Not the right contact", nurture: "30d" },
        ],
        // Recycle a SAL automatically after this many attempts without reaching the person
        // within the window (null turns it off).
        autoRecycle: { attempts: 6, within: "14d", reason: "no_contact" },
        // A lead recycled more often than this is disqualified instead.
        maxRecycles: 3,
        // Clear a recycled lead's behaviour points, so it must engage again to be an MQL.
        resetBehaviorScore: true,
      },

      // The questions that make a SAL an SQL (names usable in stages.*.entry).
      qualification: {
        // The framework's name.
        framework: "BANT",
        // Its fields: id, label, and the question a rep asks.
        fields: [
          { id: "budget", label: "Budget", question: "Is there budget, and how much?" },
          { id: "authority", label: "Authority", question: "Who decides, and are they involved?" },
          { id: "need", label: "Need", question: "What problem must be solved?" },
          { id: "timeline", label: "Timeline", question: "By when must it be solved?" },
        ],
      },

      // Reason codes offered when a deal is lost.
      lostReasons: ["price", "competitor", "no_decision", "timing", "product_fit"],
      // Reason codes offered when a lead is disqualified.
      disqualifyReasons: ["not_a_fit", "student", "competitor", "spam", "duplicate", "invalid_contact", "max_recycles"],
    }

    """#
}
