import Foundation
import LeadLifecycle
import LeadboardTestSupport
import Testing

@Suite("Playbook")
struct PlaybookTests {
  func problems(_ text: String) -> [ConfigProblem] { Playbook.problems(text) }

  // MARK: - The built-in default

  @Test func builtInTextParsesWithoutProblems() throws {
    let parsed = try Playbook.parse(Playbook.defaultText)
    #expect(parsed == Playbook.builtIn)
  }

  @Test func builtInCarriesTheSeedBenchmarks() {
    let p = Playbook.builtIn
    #expect(p.name == "Default (seed benchmarks)")
    #expect(p.scoring.mqlThreshold == 60)
    #expect(p.scoring.floor == 0)
    #expect(p.scoring.decay == .halfLife(days: 90))
    #expect(p.scoring.highIntent.events == [.demoRequest])
    #expect(
      p.scoring.highIntent.pageViews == [
        RepeatedVisits(path: "/pricing*", count: 3, within: .days(7))
      ])
    #expect(p.sla.stages[.mql] == StageSLA(target: .minutes(5), reassignOnBreach: true))
    #expect(p.sla.stages[.sal] == StageSLA(target: .days(1), until: .contactAttempt))
    #expect(p.sla.timeZone == "Asia/Tokyo")
    #expect(p.stage(.mql).benchmark?.conversion == NumberRange(15, 30))
    #expect(p.stage(.opportunity).stallAfter == .days(180))
    #expect(p.stage(.visitor).stallAfter == nil)
    #expect(
      p.stage(.opportunity).entry == [
        Criterion(field: "value"), Criterion(field: "close_date"),
        Criterion(field: "stakeholders", min: 2),
      ])
    #expect(
      p.routing.reps.map(\.id) == [
        "sato", "tanaka", "suzuki", "takahashi", "alice", "bob", "carol", "dave",
      ])
    #expect(p.routing.reps[0].weight == 2)
    #expect(
      p.routing.reps[0].workingHours == WorkingHours(days: [2, 3, 4, 5, 6], start: 540, end: 1080))
    #expect(p.routing.teamStrategies == ["apac": .weighted, "global": .loadBalanced])
    #expect(
      p.recycle.autoRecycle == AutoRecycle(attempts: 6, within: .days(14), reason: "no_contact"))
    #expect(p.recycle.maxRecycles == 3)
    #expect(p.recycle.resetBehaviorScore)
    #expect(p.qualification.fields.map(\.id) == ["budget", "authority", "need", "timeline"])
    #expect(Set(p.stages.keys) == Set(Stage.allCases))
  }

  @Test func builtInRoundTripsThroughItsJSON() throws {
    let text = Playbook.builtIn.json.serialized()
    #expect(try Playbook.parse(text) == Playbook.builtIn)
    #expect(try Playbook.parse(Playbook.builtIn.json.serialized(pretty: true)) == Playbook.builtIn)
    // The JSON of the re-read playbook is the same text: nothing was lost or reordered.
    #expect(try Playbook.parse(text).json.serialized() == text)
  }

  /// A playbook that differs from the built-in one almost everywhere, including settings it
  /// turns off (a stall window, a benchmark, an SLA, decay, auto-recycle, the floor).
  static let custom: Playbook = Playbook.builtIn.with { p in
    p.name = "Custom 日本"
    p.stages[.known]?.label = "見込み客"
    p.stages[.known]?.stallAfter = nil
    p.stages[.mql]?.benchmark = nil
    p.stages[.mql]?.stallAfter = .hours(36)
    p.stages[.sql]?.winProbability = nil
    p.stages[.sql]?.entry = [Criterion(field: "owner"), Criterion(field: "budget")]
    p.stages[.opportunity]?.entry = [Criterion(field: "value", min: 1000)]
    p.scoring.mqlThreshold = 45
    p.scoring.floor = nil
    p.scoring.decay = .pointsPerInactiveWeek(3)
    p.scoring.fit = [
      FitRule(id: "fit.phone", condition: Condition(field: "phone", test: .present), points: 2),
      FitRule(
        id: "fit.seg", condition: Condition(field: "extra:segment", test: .equals("enterprise")),
        points: 20),
    ]
    p.scoring.behavior = [
      BehaviorRule(id: "b.docs", event: .pageView, match: "/docs/*", points: 2, cap: 8),
      BehaviorRule(id: "b.bounce", event: .emailBounce, points: -5),
    ]
    p.scoring.highIntent = HighIntent(events: [.webinarAttended, .demoRequest], pageViews: [])
    p.routing = RoutingPolicy(
      autoAssign: false, strategy: .weighted, territories: [], defaultTeam: nil,
      teamStrategies: [:],
      reps: [
        Rep(
          id: "x", name: "X", team: "t1", weight: 2.5, capacity: 3, active: false,
          timeZone: "Europe/London",
          workingHours: WorkingHours(days: [1, 7], start: 22 * 60, end: 6 * 60),
          outOfOffice: [DateSpan(from: "2026-12-24", to: "2027-01-03")]),
        Rep(id: "y", team: nil),
      ])
    p.sla = SLAPolicy(
      businessHours: WorkingHours(days: [2, 3, 4, 5], start: 8 * 60 + 30, end: 17 * 60),
      timeZone: "Europe/Berlin",
      stages: [.sal: StageSLA(target: Span(parsing: "1d12h")!, workingHours: true)])
    p.recycle = RecyclePolicy(
      reasons: [RecycleReason(code: "later", label: "Later", nurture: nil)], autoRecycle: nil,
      maxRecycles: 0, resetBehaviorScore: false)
    p.qualification = QualificationFramework(
      name: "MEDDIC", fields: [QualificationField(id: "budget", label: "Economic buyer")])
    p.lostReasons = []
    p.disqualifyReasons = ["spam"]
  }

  @Test func customPlaybookRoundTripsThroughItsJSON() throws {
    let reread = try Playbook.parse(Self.custom.json.serialized())
    #expect(reread.stages == Self.custom.stages)
    #expect(reread.scoring == Self.custom.scoring)
    #expect(reread.routing == Self.custom.routing)
    #expect(reread.sla == Self.custom.sla)
    #expect(reread.recycle == Self.custom.recycle)
    #expect(reread == Self.custom)
  }

  @Test func missingKeysTakeTheBuiltInValues() throws {
    let p = try Playbook.parse("{ scoring: { mqlThreshold: 75 } }")
    #expect(p.scoring.mqlThreshold == 75)
    #expect(p.with { $0.scoring.mqlThreshold = 60 } == Playbook.builtIn)
  }

  @Test func explicitNullTurnsOptionalSettingsOff() throws {
    let p = try Playbook.parse(
      """
      {
        scoring: { floor: null, decay: null },
        routing: { defaultTeam: null },
        recycle: { autoRecycle: null },
        stages: { known: { stallAfter: null, benchmark: null } },
        sla: { sql: null },
      }
      """)
    #expect(p.scoring.floor == nil)
    #expect(p.scoring.decay == nil)
    #expect(p.routing.defaultTeam == nil)
    #expect(p.recycle.autoRecycle == nil)
    #expect(p.stage(.known).stallAfter == nil)
    #expect(p.stage(.known).benchmark == nil)
    #expect(p.sla.stages[.sql] == nil)
  }

  // MARK: - Problems

  /// A file with a wrong type, an unknown stage id, a bad third rep weight and an unknown key.
  static let brokenFile = """
    {
      scoring: {
        mqlThreshold: "sixty",
      },
      stages: {
        lead: { label: "Lead" },
      },
      routing: {
        reps: [
          { id: "a" },
          { id: "b" },
          { id: "c", weight: -1 },
        ],
      },
      colour: "red",
    }
    """

  @Test func everyProblemIsReportedWithPathAndPosition() throws {
    let found = problems(Self.brokenFile)
    #expect(found.count == 4, "\(found)")
    let byPath = Dictionary(found.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })

    let type = try #require(byPath["scoring.mqlThreshold"])
    #expect(type.message == "expected a number, found a string")
    #expect(type.position == SourcePosition(line: 3, column: 19))

    let stage = try #require(byPath["stages.lead"])
    #expect(
      stage.message
        == "unknown stage id 'lead' (known: visitor, known, mql, sal, sql, opportunity, customer)")
    // An unknown name is reported at the key itself.
    #expect(stage.position == SourcePosition(line: 6, column: 5))

    let weight = try #require(byPath["routing.reps[2].weight"])
    #expect(weight.message == "must be greater than 0")
    #expect(weight.position == SourcePosition(line: 12, column: 26))
    #expect(weight.description == "12:26: routing.reps[2].weight: must be greater than 0")

    let key = try #require(byPath["colour"])
    #expect(key.message.hasPrefix("unknown key"))
    #expect(key.message.contains("scoring"))
    #expect(key.position == SourcePosition(line: 15, column: 3))
  }

  @Test func problemsArriveInOneErrorWithOneLineEach() {
    do {
      _ = try Playbook.parse(Self.brokenFile)
      Issue.record("a broken playbook was accepted")
    } catch {
      let lines = error.description.split(separator: "\n")
      #expect(lines.count == 4)
      #expect(lines.contains("12:26: routing.reps[2].weight: must be greater than 0"))
      #expect(lines.contains("3:19: scoring.mqlThreshold: expected a number, found a string"))
    }
  }

  @Test func syntaxErrorReportsLineAndColumn() {
    let found = problems("{\n  name: 'x',\n  stages: {,\n}")
    #expect(found.count == 1)
    #expect(found.first?.path == "")
    #expect(found.first?.position == SourcePosition(line: 3, column: 12))
    #expect(found.first?.description == "3:12: expected a key or '}' but found ','")
  }

  struct Case: Sendable, CustomTestStringConvertible {
    var text: String
    var path: String
    var message: String
    var testDescription: String { path }
  }

  static let cases: [Case] = [
    Case(text: "{ version: 2 }", path: "version", message: "must be at most 1"),
    Case(
      text: "{ routing: { autoAssign: 'yes' } }", path: "routing.autoAssign",
      message: "expected true or false, found a string"),
    Case(
      text: "{ routing: { strategy: 'random' } }", path: "routing.strategy",
      message: "unknown value 'random' (known: round_robin, weighted, load_balanced)"),
    Case(
      text: "{ scoring: { fit: [{ id: 'x', field: 'shoe_size', equals: '42', points: 5 }] } }",
      path: "scoring.fit[0].field", message: "unknown field 'shoe_size'"),
    Case(
      text: "{ scoring: { fit: [{ field: 'country', equals: 'JP', in: ['JP'], points: 5 }] } }",
      path: "scoring.fit[0]", message: "has 2 tests; use exactly one of"),
    Case(
      text: "{ scoring: { behavior: [{ event: 'page_view', points: 0 }] } }",
      path: "scoring.behavior[0].points", message: "must not be 0"),
    Case(
      text: "{ scoring: { behavior: [{ event: 'page_veiw', points: 1 }] } }",
      path: "scoring.behavior[0].event", message: "unknown event type 'page_veiw'"),
    Case(
      text: "{ scoring: { decay: { halfLifeDays: 0 } } }", path: "scoring.decay.halfLifeDays",
      message: "must be greater than 0"),
    Case(
      text: "{ stages: { mql: { stallAfter: '3 days' } } }", path: "stages.mql.stallAfter",
      message: "expected a duration such as \"5m\", \"36h\", \"3d\" or \"2w\""),
    Case(
      text: "{ stages: { opportunity: { entry: ['vibes'] } } }",
      path: "stages.opportunity.entry[0]", message: "unknown criterion field 'vibes'"),
    Case(
      text: "{ stages: { mql: { benchmark: { conversion: [30, 15] } } } }",
      path: "stages.mql.benchmark.conversion", message: "low (30) is above high (15)"),
    Case(
      text: "{ stages: { sql: { winProbability: 1.5 } } }", path: "stages.sql.winProbability",
      message: "must be at most 1"),
    Case(
      text: "{ routing: { reps: [{ id: 'x', timeZone: 'Mars/Olympus' }] } }",
      path: "routing.reps[0].timeZone",
      message: "unknown time zone 'Mars/Olympus' (use an IANA name such as Asia/Tokyo)"),
    Case(
      text: "{ routing: { reps: [{ id: 'x', workingHours: { days: ['mon', 'funday'] } }] } }",
      path: "routing.reps[0].workingHours.days", message: "unknown day 'funday' (use mon … sun)"),
    Case(
      text: "{ routing: { reps: [{ id: 'x', workingHours: { end: '25:00' } }] } }",
      path: "routing.reps[0].workingHours.end", message: "expected a time as HH:MM, found '25:00'"),
    Case(
      text:
        "{ routing: { reps: [{ id: 'x', outOfOffice: [{ from: '2026-12-05', to: '2026-12-01' }] }] } }",
      path: "routing.reps[0].outOfOffice[0]", message: "from (2026-12-05) is after to (2026-12-01)"),
    Case(
      text: "{ routing: { reps: [{ id: 'x' }, { id: 'x' }] } }", path: "routing.reps[1].id",
      message: "duplicate rep id 'x'"),
    Case(
      text:
        "{ routing: { reps: [{ id: 'x', team: 't' }], territories: [{ team: 'u', when: { field: 'country', equals: 'JP' } }] } }",
      path: "routing.territories[0].team", message: "no rep is in team 'u'"),
    Case(
      text: "{ sla: { mql: { target: 'soon' } } }", path: "sla.mql.target",
      message: "expected a duration"),
    Case(
      text: "{ sla: { lead: { target: '5m' } } }", path: "sla.lead",
      message: "unknown stage id 'lead'"),
    Case(
      text: "{ recycle: { autoRecycle: { attempts: 3, within: '7d', reason: 'bored' } } }",
      path: "recycle.autoRecycle.reason", message: "unknown reason code 'bored'"),
    Case(
      text: "{ recycle: { maxRecycles: -1 } }", path: "recycle.maxRecycles",
      message: "must be at least 0"),
    Case(text: "[1, 2]", path: "", message: "expected an object, found an array"),
    Case(
      text: "{ scoring: { mqlTreshold: 50 } }", path: "scoring.mqlTreshold",
      message: "unknown key (did you mean 'mqlThreshold'?)"),
  ]

  @Test(arguments: cases)
  func eachProblemNamesItsPath(_ c: Case) {
    let found = problems(c.text)
    #expect(found.contains { $0.path == c.path && $0.message.hasPrefix(c.message) }, "\(found)")
    #expect(found.allSatisfy { $0.position != .none || $0.path.hasSuffix(".id") }, "\(found)")
  }

  // MARK: - Pieces

  @Test func criterionLabelsReadAsWords() {
    let bant = Playbook.builtIn.qualification
    #expect(Criterion(field: "close_date").label(bant) == "expected close date")
    #expect(Criterion(field: "stakeholders", min: 2).label(bant) == "stakeholders ≥ 2")
    #expect(Criterion(field: "value", min: 1000.5).label(bant) == "deal value ≥ 1000.5")
    #expect(Criterion(field: "budget").label(bant) == "budget")
    #expect(Criterion(field: "first_name").label(bant) == "first name")
  }

  @Test(arguments: [
    (Condition(field: "country", test: .equals("jp")), "country = jp"),
    (Condition(field: "country", test: .oneOf(["JP", "SG"])), "country in JP, SG"),
    (Condition(field: "employees", test: .range(NumberRange(50, 1000))), "employees in 50…1000"),
    (Condition(field: "title", test: .contains(["vp", "部長"])), "title contains vp / 部長"),
    (Condition(field: "phone", test: .present), "phone known"),
  ])
  func conditionSummaries(_ c: Condition, _ text: String) {
    #expect(c.summary == text)
  }
}
