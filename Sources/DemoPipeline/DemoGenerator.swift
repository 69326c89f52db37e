import Foundation
import LeadLifecycle

/// A small, fast, seedable random generator (SplitMix64): the same seed gives the same demo.
public struct SeededRandom: RandomNumberGenerator, Sendable {
  private var state: UInt64
  public init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }
  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
  /// Uniform in [0, 1).
  public mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
  public mutating func chance(_ p: Double) -> Bool { unit() < p }
  public mutating func range(_ lo: Double, _ hi: Double) -> Double { lo + (hi - lo) * unit() }
  public mutating func pick<T>(_ items: [T]) -> T { items[Int(next() % UInt64(items.count))] }
  /// A log-normal draw around `median` (spread 1 ≈ a factor of e either way).
  public mutating func logNormal(median: Double, spread: Double) -> Double {
    let u1 = max(unit(), 1e-12)
    let u2 = unit()
    let z = (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    return median * exp(spread * z)
  }
}

/// The funnel the demo is generated with. Conversion is the share of leads that move on among
/// those whose fate in the stage is decided (moved on, or recycled, lost, disqualified); the
/// rest stay stuck, which is what fills the black holes. Each sits inside the seed's range.
public struct DemoParameters: Sendable {
  public var leads = 2000
  public var seed: UInt64 = 7
  /// How far back the first lead arrives.
  public var history = Span.days(365)
  /// Anonymous visitors who never fill a form, per lead.
  public var anonymousShare = 0.3
  /// P(known → MQL) overall.
  public var mqlShare = 0.55
  public var accept = 0.22
  public var qualify = 0.47
  public var opportunity = 0.37
  public var win = 0.27
  /// Of the leads that do not move on, the share left stuck in the stage.
  public var stuck = [Stage.mql: 0.15, .sal: 0.2, .sql: 0.25, .opportunity: 0.3]

  public init() {}

  /// The conversion a decided cohort shows when `p` move on and `stuck` of the rest stay put.
  public static func expectedRate(move p: Double, stuck: Double) -> Double {
    p / (p + (1 - p) * (1 - stuck))
  }
}

/// A source of leads with its own speed (a multiplier on stage durations).
struct Source {
  var name: String
  var share: Double
  var speed: Double
  var campaigns: [String]
}

/// Generates a deterministic, realistic pipeline and feeds it to a store in time order, with
/// hourly ticks so SLA breaches, reassignments, stalls and decay happen as they would live.
public struct DemoGenerator {
  public let parameters: DemoParameters
  public let end: Date

  public init(parameters: DemoParameters, end: Date) {
    self.parameters = parameters
    self.end = end
  }

  static let sources: [Source] = [
    Source(
      name: "organic_search", share: 0.28, speed: 1.0, campaigns: ["seo-crm-guide", "seo-pricing"]),
    Source(
      name: "paid_search", share: 0.2, speed: 0.9, campaigns: ["google-brand", "google-generic"]),
    Source(
      name: "webinar", share: 0.15, speed: 0.75, campaigns: ["webinar-2026-q3", "webinar-2026-q4"]),
    Source(name: "referral", share: 0.1, speed: 0.55, campaigns: ["partner-referral"]),
    Source(
      name: "events", share: 0.12, speed: 1.15, campaigns: ["expo-tokyo-2026", "saas-summit"]),
    Source(
      name: "linkedin", share: 0.15, speed: 1.3, campaigns: ["li-abm-enterprise", "li-retarget"]),
  ]

  static let jaFamily = [
    "佐々木", "山田", "鈴木", "高橋", "田中", "伊藤", "渡辺", "中村", "小林", "加藤", "吉田", "山本", "松本", "井上", "木村", "林",
    "清水", "山崎", "森", "池田", "橋本", "阿部", "石川", "髙橋", "長谷川",
  ]
  static let jaGiven = [
    "太郎", "花子", "健一", "美咲", "翔太", "陽子", "大輔", "由美", "拓也", "真由美", "直樹", "恵", "誠", "彩", "浩二", "さくら",
  ]
  static let enFirst = [
    "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Emma",
    "Daniel", "Olivia", "Chris", "Sophie", "Ravi", "Mei", "Lucas", "Hannah",
  ]
  static let enLast = [
    "Smith", "Johnson", "Brown", "Taylor", "Anderson", "Thomas", "Moore", "Martin", "Lee", "Walker",
    "Clark", "Wright", "Schmidt", "Müller", "Tan", "Singh",
  ]
  static let jaCompanyWords = [
    "サンプル", "未来工業", "さくら精機", "東京データ", "大阪物流", "北海道フーズ", "みなと商事", "ひかり通信", "富士システム", "青空ソフト",
    "近江製作所", "瀬戸内電機",
  ]
  static let enCompanyWords = [
    "Acme", "Globex", "Initech", "Umbrella", "Stark Analytics", "Wayne Logistics", "Hooli",
    "Vandelay", "Northwind", "Contoso", "Fabrikam", "Tailspin",
  ]
  static let jaTitles = ["営業部長", "マーケティング課長", "情報システム部 部長", "代表取締役", "主任", "担当者", "経営企画本部長"]
  static let enTitles = [
    "VP Sales", "Head of Marketing", "IT Director", "CEO", "Sales Manager", "Analyst",
    "Operations Lead",
  ]
  static let industries = [
    "software", "manufacturing", "製造業", "情報通信業", "retail", "finance", "healthcare", "logistics",
  ]
  static let pages = [
    "/", "/features", "/blog/crm-tips", "/case-studies", "/integrations", "/about",
  ]

  /// Rep accept latency medians in minutes (differs by rep, as in a real team).
  static let acceptLatency: [String: Double] = [
    "sato": 3, "takahashi": 8, "alice": 4, "carol": 25, "tanaka": 90, "bob": 240, "suzuki": 600,
    "dave": 1800,
  ]

  /// A lead's plan: its profile and what will happen to it, decided up front from the seed.
  struct Plan {
    var id: String
    var visitor: String
    var profile: Profile
    var source: Source
    var created: Date
    var becomesMQL: Bool
    var mqlPath: Int  // 0 demo request, 1 pricing visits, 2 engagement
  }

  /// A scheduled action: a time, a lead, and what to do then.
  struct Action {
    var at: Date
    var order: Int
    var lead: Int
    var step: Step
  }

  enum Step {
    case anonymousVisit(path: String)
    case capture
    case nurture(kind: Int)
    case mqlTrigger
    case accept
    case dropMQL
    /// A contact attempt; `reach` succeeds eventually, `persist` keeps trying until recycled.
    case attempt(number: Int, reach: Bool, persist: Bool)
    case qualify
    case createOpportunity
    case dropSQL
    case win
    case dropOpportunity
    /// A pipeline review months later closes what was left stuck in `stage`.
    case cleanup(Stage)
  }

  /// What a run did.
  public struct Report: Sendable {
    /// External events appended.
    public var appended = 0
    /// Rule outcomes the store derived from them and from the ticks.
    public var outcomes = 0
    /// Events the rules refused, by type (a healthy demo has none).
    public var refused: [String: Int] = [:]
    /// Events whose id was already stored (a healthy demo has none: every action is new).
    public var duplicates = 0
    public init() {}
  }

  /// Feeds the whole demo to `store`, then runs a final tick at `end`.
  @discardableResult
  public func run(into store: PipelineStore, progress: ((Int, Int) -> Void)? = nil)
    throws(StoreError) -> Report
  {
    var report = Report()
    var rng = SeededRandom(seed: parameters.seed)
    let start = end.addingTimeInterval(-parameters.history.seconds)
    var plans: [Plan] = []
    var queue: [Action] = []
    var order = 0
    func schedule(_ at: Date, _ lead: Int, _ step: Step) {
      guard at <= end else { return }
      order += 1
      queue.append(Action(at: at, order: order, lead: lead, step: step))
    }
    for i in 0..<parameters.leads {
      let plan = makePlan(i, start: start, rng: &rng)
      plans.append(plan)
      let visits = Int(rng.range(1, 5))
      for v in 0..<visits {
        let path = v == visits - 1 && rng.chance(0.4) ? "/pricing" : rng.pick(DemoGenerator.pages)
        schedule(
          plan.created.addingTimeInterval(-rng.range(600, 6 * 86400)), i,
          .anonymousVisit(path: path))
      }
      schedule(plan.created, i, .capture)
      // Known → MQL: 3–30 days, faster for fast sources.
      let toMQL = clampDays(rng.logNormal(median: 10, spread: 0.6) * plan.source.speed, 3, 30)
      let nurtureTouches = Int(rng.range(1, 4))
      for k in 0..<nurtureTouches {
        schedule(
          plan.created.addingTimeInterval(
            toMQL * 86400 * Double(k + 1) / Double(nurtureTouches + 1)), i, .nurture(kind: k))
      }
      if plan.becomesMQL {
        schedule(plan.created.addingTimeInterval(toMQL * 86400), i, .mqlTrigger)
      }
    }
    // Visitors who browse and never convert: the board's visitor column.
    let anonymous = Int(Double(parameters.leads) * parameters.anonymousShare)
    for k in 0..<anonymous {
      let at = end.addingTimeInterval(-rng.range(3600, 30 * 86400))
      order += 1
      queue.append(
        Action(
          at: at, order: order, lead: -(k + 1),
          step: .anonymousVisit(path: rng.pick(DemoGenerator.pages))))
    }
    var nextTick = start
    var sorted = false
    var cursor = 0
    // Process actions in time order; new actions scheduled along the way are merged in.
    while true {
      if !sorted {
        queue.removeFirst(cursor)
        cursor = 0
        queue.sort { ($0.at, $0.order) < ($1.at, $1.order) }
        sorted = true
      }
      guard cursor < queue.count else { break }
      let batchEnd = min(queue[cursor].at, end)
      while nextTick <= batchEnd {
        let ticked = try store.tick(at: nextTick)
        report.outcomes += ticked.count
        for (lead, step, at) in mqlEntries(ticked, rng: &rng) {
          schedule(at, lead, step)
          sorted = false
        }
        nextTick = nextTick.addingTimeInterval(3600)
      }
      if !sorted { continue }
      // One transaction per simulated hour of actions.
      let horizon = min(nextTick, end.addingTimeInterval(1))
      var events: [Event] = []
      var followUps: [(Int, Step, Date)] = []
      while cursor < queue.count, queue[cursor].at < horizon {
        let a = queue[cursor]
        cursor += 1
        let (made, next) = try perform(a, plans: plans, store: store, pending: events, rng: &rng)
        events += made
        followUps += next
      }
      if !events.isEmpty {
        for (e, status) in zip(events, try store.append(events)) {
          switch status {
          case .added(let o):
            report.appended += 1
            report.outcomes += o.count
            followUps += mqlEntries(o, rng: &rng)
          case .duplicate: report.duplicates += 1
          case .refused: report.refused[e.type.rawValue, default: 0] += 1
          }
        }
      }
      for (lead, step, at) in followUps { schedule(at, lead, step) }
      if !followUps.isEmpty { sorted = false }
      progress?(cursor, queue.count)
    }
    while nextTick <= end {
      report.outcomes += try store.tick(at: nextTick).count
      nextTick = nextTick.addingTimeInterval(3600)
    }
    report.outcomes += try store.tick(at: end).count
    return report
  }

  private func clampDays(_ d: Double, _ lo: Double, _ hi: Double) -> Double { min(hi, max(lo, d)) }

  /// The SDR decision for a lead that just became an MQL (however it got there): accepted by
  /// whoever owns it then after that rep's latency, dropped within days, or left stuck.
  private func decideMQL(_ lead: Int, at t: Date, rng: inout SeededRandom) -> (Int, Step, Date) {
    let minutes = DemoGenerator.acceptLatency.values.sorted()[Int(rng.next() % 8)]
    let latency = rng.logNormal(median: minutes, spread: 0.5) * 60
    if rng.chance(parameters.accept) {
      return (lead, .accept, t.addingTimeInterval(max(60, latency)))
    }
    if rng.chance(parameters.stuck[.mql] ?? 0) {
      return (lead, .cleanup(.mql), t.addingTimeInterval(rng.range(20, 60) * 86400))
    }
    return (lead, .dropMQL, t.addingTimeInterval(rng.range(0.5, 3) * 86400))
  }

  /// The follow-ups for leads that entered MQL in `events`.
  private func mqlEntries(_ events: [Event], rng: inout SeededRandom) -> [(Int, Step, Date)] {
    var out: [(Int, Step, Date)] = []
    for e in events {
      guard case .stageChanged(_, .mql, _) = e.payload, let id = e.lead, id.hasPrefix("L"),
        let n = Int(id.dropFirst())
      else { continue }
      out.append(decideMQL(n - 1, at: e.at, rng: &rng))
    }
    return out
  }

  private func makePlan(_ i: Int, start: Date, rng: inout SeededRandom) -> Plan {
    let japanese = rng.chance(0.5)
    var p = Profile()
    if japanese {
      let family = rng.pick(DemoGenerator.jaFamily)
      p.name = family + " " + rng.pick(DemoGenerator.jaGiven)
      p.company = "株式会社" + rng.pick(DemoGenerator.jaCompanyWords)
      p.title = rng.pick(DemoGenerator.jaTitles)
      p.country = "JP"
      p.email = "lead\(i)@" + (rng.chance(0.1) ? "yahoo.co.jp" : "example.co.jp")
    } else {
      p.name = rng.pick(DemoGenerator.enFirst) + " " + rng.pick(DemoGenerator.enLast)
      p.company = rng.pick(DemoGenerator.enCompanyWords) + (rng.chance(0.5) ? " Inc." : " Ltd.")
      p.title = rng.pick(DemoGenerator.enTitles)
      p.country = rng.pick(["US", "GB", "DE", "SG", "AU", "US"])
      p.email = "lead\(i)@" + (rng.chance(0.1) ? "gmail.com" : "example.com")
    }
    p.industry = rng.pick(DemoGenerator.industries)
    p.employees = Int(rng.logNormal(median: 120, spread: 1.3).rounded())
    var roll = rng.unit()
    var source = DemoGenerator.sources[0]
    for s in DemoGenerator.sources {
      if roll < s.share {
        source = s
        break
      }
      roll -= s.share
    }
    p.source = source.name
    p.campaign = rng.pick(source.campaigns)
    // Arrivals spread evenly over the history, up to an hour before the end.
    let span = parameters.history.seconds - 3600
    let created = start.addingTimeInterval(span * rng.unit())
    return Plan(
      id: String(format: "L%05d", i + 1), visitor: "v-\(i + 1)", profile: p, source: source,
      created: created,
      becomesMQL: rng.chance(parameters.mqlShare), mqlPath: Int(rng.next() % 3))
  }

  private func event(
    _ plan: Plan, _ order: Int, _ at: Date, _ tag: String, actor: String? = nil, lead: Bool = true,
    _ payload: EventPayload
  )
    -> Event
  {
    Event(
      id: "demo-\(plan.id)-\(tag)-\(order)", at: at, lead: lead ? plan.id : nil,
      visitor: lead ? nil : plan.visitor, actor: actor,
      payload)
  }

  /// Carries out one action; returns its events and the actions it schedules next.
  private func perform(
    _ a: Action, plans: [Plan], store: PipelineStore, pending: [Event], rng: inout SeededRandom
  ) throws(StoreError) -> ([Event], [(Int, Step, Date)]) {
    if a.lead < 0, case .anonymousVisit(let path) = a.step {
      let e = Event(
        id: "demo-anon-\(-a.lead)-\(a.order)", at: a.at, visitor: "anon-\(-a.lead)",
        .pageView(path: path, referrer: nil))
      return ([e], [])
    }
    let plan = plans[a.lead]
    let order = a.order  // in every event id, so a step that repeats (a second recycle) is new
    let speed = plan.source.speed
    let t = a.at
    func days(_ d: Double) -> Date { t.addingTimeInterval(d * 86400) }
    switch a.step {
    case .anonymousVisit(let path):
      return (
        [event(plan, order, t, "pv\(a.order)", lead: false, .pageView(path: path, referrer: nil))],
        []
      )
    case .capture:
      var e = event(plan, order, t, "capture", .formSubmit(form: "contact", profile: plan.profile))
      e.visitor = plan.visitor
      return ([e], [])
    case .nurture(let kind):
      let payload: EventPayload
      switch (kind + a.order) % 4 {
      case 0: payload = .emailOpen(campaign: plan.profile.campaign)
      case 1: payload = .emailClick(campaign: plan.profile.campaign, url: "/blog/crm-tips")
      case 2: payload = .contentDownload(asset: "whitepaper-sales-ops.pdf")
      default: payload = .pageView(path: rng.pick(DemoGenerator.pages), referrer: nil)
      }
      return ([event(plan, order, t, "n\(kind)", payload)], [])
    case .mqlTrigger:
      var out: [Event] = []
      switch plan.mqlPath {
      case 0:
        out.append(event(plan, order, t, "demo", .demoRequest))
      case 1:
        for k in 0..<3 {
          out.append(
            event(
              plan, order, t.addingTimeInterval(Double(k)), "price\(k)",
              .pageView(path: "/pricing", referrer: nil)))
        }
      default:
        out.append(
          event(
            plan, order, t, "webinar", .webinarAttended(webinar: plan.profile.campaign ?? "webinar")
          ))
        out.append(
          event(
            plan, order, t.addingTimeInterval(1), "webinar-dl",
            .contentDownload(asset: "roi-calculator.xlsx")))
        out.append(event(plan, order, t.addingTimeInterval(2), "demo", .demoRequest))
      }
      return (out, [])
    case .accept:
      guard let lead = try store.lead(plan.id), lead.stage == .mql, lead.isOpen else {
        return ([], [])
      }
      let rep = lead.owner ?? teamRep(lead, store: store, rng: &rng)
      let step: Step
      if rng.chance(parameters.qualify) {
        step = .attempt(number: 1, reach: true, persist: true)
      } else if rng.chance(parameters.stuck[.sal] ?? 0) {
        step = .attempt(number: 1, reach: false, persist: false)  // one try, then silence: stalls
      } else {
        step = .attempt(number: 1, reach: false, persist: true)  // tries until auto-recycled
      }
      return (
        [event(plan, order, t, "accept", actor: rep, .accepted)],
        [(a.lead, step, days(rng.range(0.05, 1)))]
      )
    case .dropMQL:
      guard let lead = try store.lead(plan.id), lead.stage == .mql, lead.isOpen else {
        return ([], [])
      }
      let rep = lead.owner ?? "sato"
      if rng.chance(0.6) {
        return (
          [
            event(
              plan, order, t, "recycle-mql", actor: rep,
              .recycled(
                reason: rng.pick(["not_ready", "timing", "wrong_person"]), nurtureUntil: nil))
          ], []
        )
      }
      return (
        [
          event(
            plan, order, t, "dq-mql", actor: rep,
            .disqualified(reason: rng.pick(["not_a_fit", "student", "invalid_contact"])))
        ], []
      )
    case .attempt(let number, let reach, let persist):
      guard let lead = try store.lead(plan.id), lead.stage == .sal, lead.isOpen,
        let rep = lead.owner
      else { return ([], []) }
      let channel: ContactChannel = [.phone, .email, .linkedin][number % 3]
      if reach && number >= Int(rng.range(1, 3)) {
        let e = event(
          plan, order, t, "att\(number)", actor: rep,
          .contactAttempt(channel: channel, outcome: .connected))
        // Qualification after 3–14 days (best 3–5), by source speed.
        let d = clampDays(rng.logNormal(median: 7, spread: 0.45) * speed, 3, 14)
        return ([e], [(a.lead, .qualify, days(d))])
      }
      let outcome: ContactOutcome = rng.pick([.noAnswer, .voicemail, .busy])
      let e = event(
        plan, order, t, "att\(number)", actor: rep,
        .contactAttempt(channel: channel, outcome: outcome))
      guard persist else { return ([e], [(a.lead, .cleanup(.sal), days(rng.range(30, 70)))]) }
      guard number < 10 else { return ([e], []) }
      return (
        [e],
        [
          (
            a.lead, .attempt(number: number + 1, reach: reach, persist: true),
            days(rng.range(0.5, 2.2))
          )
        ]
      )
    case .qualify:
      guard let lead = try store.lead(plan.id), lead.stage == .sal, lead.isOpen,
        let rep = lead.owner
      else { return ([], []) }
      let e1 = event(plan, order, t, "talk", actor: rep, .conversation(summary: "discovery call"))
      let e2 = event(
        plan, order, t.addingTimeInterval(60), "bant", actor: rep,
        .qualification(fields: [
          "budget": rng.pick(["5M JPY", "$40k", "¥12,000,000", "$120k"]),
          "authority": plan.profile.title ?? "manager",
          "need": rng.pick(["pipeline visibility", "SDR productivity", "replace spreadsheets"]),
          "timeline": rng.pick(["this quarter", "next quarter", "within 6 months"]),
        ]))
      if rng.chance(parameters.opportunity) {
        let d = clampDays(rng.logNormal(median: 18, spread: 0.5) * speed, 7, 42)
        return ([e1, e2], [(a.lead, .createOpportunity, days(d))])
      }
      if rng.chance(parameters.stuck[.sql] ?? 0) {
        return ([e1, e2], [(a.lead, .cleanup(.sql), days(rng.range(60, 120)))])
      }
      return ([e1, e2], [(a.lead, .dropSQL, days(rng.range(5, 30)))])
    case .dropSQL:
      guard let lead = try store.lead(plan.id), lead.stage == .sql, lead.isOpen,
        let rep = lead.owner
      else { return ([], []) }
      if rng.chance(0.5) {
        return (
          [
            event(
              plan, order, t, "recycle-sql", actor: rep,
              .recycled(reason: rng.pick(["no_budget", "timing"]), nurtureUntil: nil))
          ], []
        )
      }
      return (
        [
          event(
            plan, order, t, "lost-sql", actor: rep,
            .lost(reason: rng.pick(["no_decision", "competitor"])))
        ], []
      )
    case .createOpportunity:
      guard let lead = try store.lead(plan.id), lead.stage == .sql, lead.isOpen,
        let rep = lead.owner
      else { return ([], []) }
      let value = (rng.logNormal(median: 2_400_000, spread: 0.8) / 10000).rounded() * 10000
      let cycle = clampDays(rng.logNormal(median: 75, spread: 0.55) * speed, 30, 180)
      let win = rng.chance(parameters.win)
      let stuck = !win && rng.chance(parameters.stuck[.opportunity] ?? 0)
      let e = event(
        plan, order, t, "opp", actor: rep,
        .opportunityCreated(
          OpportunityFields(
            value: value, currency: plan.profile.country == "JP" ? "JPY" : "USD",
            closeDate: days(cycle * (stuck ? 0.6 : 1.0)),
            stakeholders: Array(
              [plan.profile.name ?? "champion", "CFO", "IT lead", "procurement"].prefix(
                Int(rng.range(2, 4.99)))),
            name: "\(plan.profile.company ?? "Deal") — leadboard")))
      if win { return ([e], [(a.lead, .win, days(cycle))]) }
      if stuck {
        return ([e], [(a.lead, .cleanup(.opportunity), days(cycle * 0.6 + rng.range(60, 150)))])
      }
      return ([e], [(a.lead, .dropOpportunity, days(cycle * rng.range(0.6, 1.2)))])
    case .win:
      guard let lead = try store.lead(plan.id), lead.stage == .opportunity, lead.isOpen,
        let rep = lead.owner
      else { return ([], []) }
      let c = event(
        plan, order, t, "contract", actor: rep,
        .contractSigned(
          paymentTerms: rng.pick(["net 30", "annual upfront", "月末締め翌月末払い"]),
          onboardingDate: days(14)))
      let w = event(plan, order, t.addingTimeInterval(60), "won", actor: rep, .won)
      return ([c, w], [])
    case .cleanup(let stage):
      return (try cleanup(plan, order, stage, at: t, store: store, rng: &rng), [])
    case .dropOpportunity:
      guard let lead = try store.lead(plan.id), lead.stage == .opportunity, lead.isOpen,
        let rep = lead.owner
      else { return ([], []) }
      if rng.chance(0.85) {
        return (
          [
            event(
              plan, order, t, "lost", actor: rep,
              .lost(reason: rng.pick(["price", "competitor", "no_decision", "product_fit"])))
          ], []
        )
      }
      return (
        [
          event(
            plan, order, t, "recycle-opp", actor: rep,
            .recycled(reason: "timing", nurtureUntil: nil))
        ],
        []
      )
    }
  }

  private func cleanup(
    _ plan: Plan, _ order: Int, _ stage: Stage, at t: Date, store: PipelineStore,
    rng: inout SeededRandom
  ) throws(StoreError)
    -> [Event]
  {
    guard let lead = try store.lead(plan.id), lead.stage == stage, lead.isOpen else { return [] }
    let rep = lead.owner ?? teamRep(lead, store: store, rng: &rng)
    switch stage {
    case .mql:
      return [event(plan, order, t, "review-mql", actor: rep, .disqualified(reason: "not_a_fit"))]
    case .sal:
      return [
        event(
          plan, order, t, "review-sal", actor: rep,
          .recycled(reason: "no_contact", nurtureUntil: nil))
      ]
    default:
      return [event(plan, order, t, "review-\(stage)", actor: rep, .lost(reason: "no_decision"))]
    }
  }

  /// A rep of the lead's team, for leads nobody could be routed to.
  private func teamRep(_ lead: LeadState, store: PipelineStore, rng: inout SeededRandom) -> String {
    let router = Router(policy: store.playbook.routing)
    let team = router.team(for: lead.profile)
    let reps = store.playbook.routing.reps.filter { team == nil || $0.team == team }
    return reps.isEmpty ? "sato" : rng.pick(reps).id
  }
}
