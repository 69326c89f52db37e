import Foundation

/// One thing wrong with a playbook (or theme, or config) file, with where it is.
public struct ConfigProblem: Sendable, Equatable, CustomStringConvertible {
  /// The key path (`routing.reps[2].weight`); empty for the document as a whole.
  public var path: String
  public var position: SourcePosition
  public var message: String

  public init(path: String, position: SourcePosition, message: String) {
    self.path = path
    self.position = position
    self.message = message
  }

  /// `12:7: routing.reps[2].weight: must be greater than 0`.
  public var description: String {
    var s = position == .none ? "" : "\(position): "
    if !path.isEmpty { s += "\(path): " }
    return s + message
  }
}

/// Every problem found in a file; thrown when a file cannot be used.
public struct ConfigProblems: Error, Sendable, CustomStringConvertible {
  public var problems: [ConfigProblem]
  public init(_ problems: [ConfigProblem]) { self.problems = problems }
  public var description: String { problems.map(\.description).joined(separator: "\n") }
}

// MARK: - A reader that collects every problem

/// Walks a parsed JSON5 document by key path, filling defaults for missing keys and collecting
/// every problem instead of stopping at the first. Reused by the playbook, theme and config.
public final class ConfigReader {
  public private(set) var problems: [ConfigProblem] = []

  public init() {}

  /// Parses a JSON5 configuration document (playbook, theme, mapping, config); a syntax error
  /// becomes the one problem, with its line and column.
  public static func document(_ text: String) throws(ConfigProblems) -> JSON {
    do {
      return try JSON5Parser.parse(text)
    } catch {
      throw ConfigProblems([
        ConfigProblem(path: "", position: error.position, message: error.message)
      ])
    }
  }

  /// Records a problem at `node`.
  public func problem(_ path: String, _ node: JSON?, _ message: String) {
    problems.append(ConfigProblem(path: path, position: node?.position ?? .none, message: message))
  }

  /// An object view of `node` at `path`, reporting a wrong type.
  public func object(_ node: JSON?, _ path: String) -> ObjectView? {
    guard let node else { return nil }
    guard let members = node.members else {
      problem(path, node, "expected an object, found \(node.kindName)")
      return nil
    }
    return ObjectView(reader: self, node: node, members: members, path: path)
  }

  /// A view of one object's members; `finish(allowing:)` reports keys nobody asked for.
  public final class ObjectView {
    let reader: ConfigReader
    public let node: JSON
    let members: [JSON.Member]
    public let path: String
    private var used = Set<String>()

    init(reader: ConfigReader, node: JSON, members: [JSON.Member], path: String) {
      self.reader = reader
      self.node = node
      self.members = members
      self.path = path
    }

    /// The path of a child key.
    public func child(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The raw value of `key` (null counts as absent), marking it as known.
    public func raw(_ key: String) -> JSON? {
      used.insert(key)
      guard let v = members.first(where: { $0.key == key })?.value, !v.isNull else { return nil }
      return v
    }

    /// Reports a problem at the position of `key` itself (for unknown names).
    public func keyProblem(_ key: String, _ message: String) {
      let pos = members.first { $0.key == key }?.keyPosition ?? node.position
      reader.problems.append(ConfigProblem(path: child(key), position: pos, message: message))
    }

    /// Every key in source order.
    public var keys: [String] { members.map(\.key) }

    public func has(_ key: String) -> Bool { raw(key) != nil }

    public func string(_ key: String, _ fallback: String) -> String {
      string(key) ?? fallback
    }

    public func string(_ key: String) -> String? {
      guard let v = raw(key) else { return nil }
      guard let s = v.stringValue else {
        reader.problem(child(key), v, "expected a string, found \(v.kindName)")
        return nil
      }
      return s
    }

    public func bool(_ key: String, _ fallback: Bool) -> Bool {
      guard let v = raw(key) else { return fallback }
      guard let b = v.boolValue else {
        reader.problem(child(key), v, "expected true or false, found \(v.kindName)")
        return fallback
      }
      return b
    }

    /// A number; `min`/`max` bounds are checked and reported.
    public func number(_ key: String, min: Double? = nil, above: Double? = nil, max: Double? = nil)
      -> Double?
    {
      guard let v = raw(key) else { return nil }
      guard let d = v.numberValue, d.isFinite else {
        reader.problem(child(key), v, "expected a number, found \(v.kindName)")
        return nil
      }
      if let above, d <= above {
        reader.problem(child(key), v, "must be greater than \(JSON.formatNumber(above))")
        return nil
      }
      if let min, d < min {
        reader.problem(child(key), v, "must be at least \(JSON.formatNumber(min))")
        return nil
      }
      if let max, d > max {
        reader.problem(child(key), v, "must be at most \(JSON.formatNumber(max))")
        return nil
      }
      return d
    }

    public func int(_ key: String, min: Int? = nil, max: Int? = nil) -> Int? {
      guard let d = number(key, min: min.map(Double.init), max: max.map(Double.init)) else {
        return nil
      }
      guard d == d.rounded() else {
        reader.problem(
          child(key), raw(key), "expected a whole number, found \(JSON.formatNumber(d))")
        return nil
      }
      // 1e308 is whole but no Int: a problem, not a crash.
      guard let i = Int(exactly: d), abs(i) <= ObjectView.largestWhole else {
        reader.problem(child(key), raw(key), "too large: \(JSON.formatNumber(d))")
        return nil
      }
      return i
    }

    /// The largest whole number a playbook may hold (2^53: every such Double is exact).
    static let largestWhole = 1 << 53

    /// The longest span a playbook may hold: 100 years.
    public static let longestSpan = 100 * 365.25 * 86400

    /// A span written as `5m`, `3d`, `2w`.
    public func span(_ key: String) -> Span? {
      guard let v = raw(key) else { return nil }
      if let s = v.stringValue, let span = Span(parsing: s), span.seconds >= 0 {
        guard span.seconds <= ObjectView.longestSpan else {
          reader.problem(child(key), v, "too long: at most 100 years")
          return nil
        }
        return span
      }
      reader.problem(child(key), v, "expected a duration such as \"5m\", \"36h\", \"3d\" or \"2w\"")
      return nil
    }

    /// An array, each element passed to `each` with its path.
    public func array<T>(_ key: String, _ each: (JSON, String) -> T?) -> [T]? {
      guard let v = raw(key) else { return nil }
      guard let items = v.elements else {
        reader.problem(child(key), v, "expected an array, found \(v.kindName)")
        return nil
      }
      return items.enumerated().compactMap { i, item in each(item, "\(child(key))[\(i)]") }
    }

    public func strings(_ key: String) -> [String]? {
      array(key) { item, path in
        guard let s = item.stringValue else {
          reader.problem(path, item, "expected a string, found \(item.kindName)")
          return nil
        }
        return s
      }
    }

    /// `[low, high]` with low ≤ high.
    public func range(_ key: String, min: Double? = nil) -> NumberRange? {
      guard let v = raw(key) else { return nil }
      guard let items = v.elements, items.count == 2, let lo = items[0].numberValue,
        let hi = items[1].numberValue
      else {
        reader.problem(child(key), v, "expected [low, high], two numbers")
        return nil
      }
      if lo > hi {
        reader.problem(
          child(key), v, "low (\(JSON.formatNumber(lo))) is above high (\(JSON.formatNumber(hi)))")
        return nil
      }
      if let min, lo < min {
        reader.problem(child(key), v, "must not be below \(JSON.formatNumber(min))")
        return nil
      }
      return NumberRange(lo, hi)
    }

    /// An enum value from its raw string, listing the known values on a mismatch.
    public func choice<E: RawRepresentable & CaseIterable>(_ key: String) -> E?
    where E.RawValue == String {
      guard let s = string(key) else { return nil }
      if let e = E(rawValue: s) { return e }
      let known = E.allCases.map(\.rawValue).joined(separator: ", ")
      reader.problem(child(key), raw(key), "unknown value '\(s)' (known: \(known))")
      return nil
    }

    /// Reports every key that no one read.
    public func finish() {
      for m in members where !used.contains(m.key) {
        let close = used.filter { editDistance($0.lowercased(), m.key.lowercased()) <= 2 }.sorted()
        let hint =
          close.isEmpty
          ? (used.isEmpty ? "" : " (known here: \(used.sorted().joined(separator: ", ")))")
          : " (did you mean \(close.map { "'\($0)'" }.joined(separator: " or "))?)"
        reader.problems.append(
          ConfigProblem(path: child(m.key), position: m.keyPosition, message: "unknown key" + hint))
      }
    }
  }
}

// MARK: - The playbook from JSON5

extension Playbook {
  /// Parses and checks a playbook. Missing keys take the built-in default's value.
  /// - Throws: `ConfigProblems` listing every problem with its path, line and column.
  public static func parse(_ text: String) throws(ConfigProblems) -> Playbook {
    let root = try ConfigReader.document(text)
    return try read(root, defaults: .builtIn)
  }

  /// Reads a parsed document over `defaults`.
  public static func read(_ root: JSON, defaults: Playbook) throws(ConfigProblems) -> Playbook {
    let reader = ConfigReader()
    let playbook = read(root, defaults: defaults, reader: reader)
    if !reader.problems.isEmpty { throw ConfigProblems(reader.problems) }
    return playbook
  }

  static func read(_ root: JSON, defaults d: Playbook, reader: ConfigReader) -> Playbook {
    guard let top = reader.object(root, "") else { return d }
    var p = d
    p.name = top.string("name", d.name)
    _ = top.int("version", min: 1, max: 1)
    let framework = readQualification(top.raw("qualification"), d.qualification, reader)
    p.qualification = framework
    p.stages = readStages(top.raw("stages"), d, framework, reader)
    checkInheritedEntries(p.stages, d, framework, top.raw("qualification"), reader)
    p.scoring = readScoring(top.raw("scoring"), d.scoring, reader)
    p.routing = readRouting(top.raw("routing"), d.routing, reader)
    p.sla = readSLA(top.raw("sla"), d.sla, reader)
    p.recycle = readRecycle(top.raw("recycle"), d.recycle, reader)
    p.lostReasons = top.strings("lostReasons") ?? d.lostReasons
    p.disqualifyReasons = top.strings("disqualifyReasons") ?? d.disqualifyReasons
    top.finish()
    return p
  }

  // MARK: Stages

  private static func readStages(
    _ node: JSON?, _ d: Playbook, _ framework: QualificationFramework, _ reader: ConfigReader
  ) -> [Stage: StageDefinition] {
    var stages = d.stages
    guard let obj = reader.object(node, "stages") else { return stages }
    for key in obj.keys {
      guard let stage = Stage(rawValue: key) else {
        obj.keyProblem(key, "unknown stage id '\(key)' (known: \(Stage.idList))")
        continue
      }
      guard let s = reader.object(obj.raw(key), obj.child(key)) else { continue }
      var def = d.stage(stage)
      def.label = s.string("label", def.label)
      def.owner = s.string("owner", def.owner)
      def.definition = s.string("definition", def.definition)
      if s.keys.contains("stallAfter") { def.stallAfter = s.span("stallAfter") }
      if s.keys.contains("winProbability") {
        def.winProbability = s.number("winProbability", min: 0, max: 1)
      }
      if s.keys.contains("benchmark") && s.raw("benchmark") == nil { def.benchmark = nil }
      if let b = reader.object(s.raw("benchmark"), s.child("benchmark")) {
        var bench = def.benchmark ?? Benchmark()
        if b.keys.contains("conversion") { bench.conversion = b.range("conversion", min: 0) }
        if let c = bench.conversion, c.high > 100 {
          reader.problem(b.child("conversion"), b.raw("conversion"), "is a percentage: at most 100")
        }
        if b.keys.contains("averageDays") { bench.averageDays = b.range("averageDays", min: 0) }
        if b.keys.contains("bestDays") { bench.bestDays = b.range("bestDays", min: 0) }
        b.finish()
        def.benchmark = bench
      }
      if let entry = s.array(
        "entry", { item, path in readCriterion(item, path, framework, reader) })
      {
        def.entry = entry
      }
      s.finish()
      stages[stage] = def
    }
    return stages
  }

  private static func readCriterion(
    _ item: JSON, _ path: String, _ framework: QualificationFramework, _ reader: ConfigReader
  ) -> Criterion? {
    var criterion: Criterion
    if let s = item.stringValue {
      criterion = Criterion(field: s)
    } else if let o = reader.object(item, path) {
      guard let field = o.string("field") else {
        reader.problem(path, item, "missing \"field\"")
        o.finish()
        return nil
      }
      criterion = Criterion(field: field, min: o.number("min", min: 0))
      o.finish()
    } else {
      return nil
    }
    let known = knownCriterionFields(framework)
    if !known.contains(criterion.field) {
      reader.problem(
        path, item,
        "unknown criterion field '\(criterion.field)' (known: \(known.sorted().joined(separator: ", ")))"
      )
      return nil
    }
    return criterion
  }

  private static func knownCriterionFields(_ framework: QualificationFramework) -> Set<String> {
    Set(Criterion.builtInFields.keys).union(framework.fields.map(\.id))
      .union(Profile.stringFields.map(\.0))
  }

  /// A stage whose entry criteria come from the defaults may name a qualification field that
  /// this playbook's `qualification.fields` no longer defines: such a stage could never be
  /// entered, and the playbook would not read back once exported. Reported at `qualification`.
  private static func checkInheritedEntries(
    _ stages: [Stage: StageDefinition], _ d: Playbook, _ framework: QualificationFramework,
    _ qualification: JSON?, _ reader: ConfigReader
  ) {
    let known = knownCriterionFields(framework)
    for stage in Stage.allCases {
      guard let entry = stages[stage]?.entry, entry == d.stage(stage).entry else { continue }
      for criterion in entry where !known.contains(criterion.field) {
        reader.problem(
          "qualification.fields", qualification,
          "no field '\(criterion.field)', which the default entry criteria of stage "
            + "'\(stage.rawValue)' need (define it, or set stages.\(stage.rawValue).entry)")
      }
    }
  }

  // MARK: Scoring

  private static func readScoring(_ node: JSON?, _ d: ScoringPolicy, _ reader: ConfigReader)
    -> ScoringPolicy
  {
    var s = d
    guard let o = reader.object(node, "scoring") else { return s }
    s.mqlThreshold = o.int("mqlThreshold", min: 1) ?? d.mqlThreshold
    if o.has("floor") {
      s.floor = o.int("floor")
    } else if o.keys.contains("floor") {
      s.floor = nil
    }
    if let fit = o.array("fit", { readFitRule($0, $1, reader) }) { s.fit = fit }
    if let behavior = o.array("behavior", { readBehaviorRule($0, $1, reader) }) {
      s.behavior = behavior
    }
    for (list, name) in [(s.fit.map(\.id), "fit"), (s.behavior.map(\.id), "behavior")] {
      var seen = Set<String>()
      for id in list where !seen.insert(id).inserted {
        reader.problem(o.child(name), o.raw(name), "duplicate rule id '\(id)'")
      }
    }
    if o.keys.contains("decay") {
      if let dec = reader.object(o.raw("decay"), o.child("decay")) {
        if let h = dec.number("halfLifeDays", above: 0) {
          s.decay = .halfLife(days: h)
        } else if let w = dec.int("pointsPerInactiveWeek", min: 1) {
          s.decay = .pointsPerInactiveWeek(w)
        } else if !dec.has("halfLifeDays") && !dec.has("pointsPerInactiveWeek") {
          reader.problem(dec.path, dec.node, "set halfLifeDays or pointsPerInactiveWeek")
        }
        if dec.has("halfLifeDays") && dec.has("pointsPerInactiveWeek") {
          reader.problem(
            dec.path, dec.node, "set only one of halfLifeDays and pointsPerInactiveWeek")
        }
        dec.finish()
      } else {
        s.decay = nil
      }
    }
    if let hi = reader.object(o.raw("highIntent"), o.child("highIntent")) {
      if let events = hi.array("events", { item, path in readEventType(item, path, reader) }) {
        s.highIntent.events = events
      }
      if let views = hi.array(
        "pageViews",
        { item, path -> RepeatedVisits? in
          guard let v = reader.object(item, path) else { return nil }
          defer { v.finish() }
          guard let p = v.string("path") else {
            reader.problem(path, item, "missing \"path\"")
            return nil
          }
          guard let c = v.int("count", min: 1), let w = v.span("within") else {
            if !v.has("count") { reader.problem(path, item, "missing \"count\"") }
            if !v.has("within") { reader.problem(path, item, "missing \"within\"") }
            return nil
          }
          return RepeatedVisits(path: p, count: c, within: w)
        })
      {
        s.highIntent.pageViews = views
      }
      hi.finish()
    }
    o.finish()
    return s
  }

  private static func readEventType(_ item: JSON, _ path: String, _ reader: ConfigReader)
    -> EventType?
  {
    guard let name = item.stringValue else {
      reader.problem(path, item, "expected an event type name, found \(item.kindName)")
      return nil
    }
    guard let t = EventType(rawValue: name) else {
      reader.problem(path, item, "unknown event type '\(name)' (known: \(EventType.nameList))")
      return nil
    }
    return t
  }

  /// Reads `{field, equals | in | range | contains | present}`.
  static func readCondition(_ o: ConfigReader.ObjectView, _ reader: ConfigReader) -> Condition? {
    guard let field = o.string("field") else {
      reader.problem(o.path, o.node, "missing \"field\"")
      return nil
    }
    let knownFields = Profile.stringFields.map(\.0) + ["employees", "email_domain"]
    if !knownFields.contains(field) && !field.hasPrefix("extra:") {
      reader.problem(
        o.child("field"), o.raw("field"),
        "unknown field '\(field)' (known: \(knownFields.joined(separator: ", ")), extra:NAME)")
    }
    var tests: [Condition.Test] = []
    if let s = o.string("equals") { tests.append(.equals(s)) }
    if let l = o.strings("in") { tests.append(.oneOf(l)) }
    if let r = o.range("range") { tests.append(.range(r)) }
    if let l = o.strings("contains") { tests.append(.contains(l)) }
    if o.bool("present", false) { tests.append(.present) }
    guard tests.count == 1 else {
      reader.problem(
        o.path, o.node,
        tests.isEmpty
          ? "needs one test: equals, in, range, contains or present"
          : "has \(tests.count) tests; use exactly one of equals, in, range, contains, present")
      return nil
    }
    return Condition(field: field, test: tests[0])
  }

  private static func readFitRule(_ item: JSON, _ path: String, _ reader: ConfigReader) -> FitRule?
  {
    guard let o = reader.object(item, path) else { return nil }
    defer { o.finish() }
    let id = o.string("id")
    let points = o.int("points")
    if !o.has("points") { reader.problem(path, item, "missing \"points\"") }
    guard let condition = readCondition(o, reader), let points else { return nil }
    return FitRule(id: id ?? "fit.\(condition.field)", condition: condition, points: points)
  }

  private static func readBehaviorRule(_ item: JSON, _ path: String, _ reader: ConfigReader)
    -> BehaviorRule?
  {
    guard let o = reader.object(item, path) else { return nil }
    defer { o.finish() }
    let event = o.raw("event").flatMap { readEventType($0, o.child("event"), reader) }
    if !o.has("event") { reader.problem(path, item, "missing \"event\"") }
    let points = o.int("points")
    if !o.has("points") { reader.problem(path, item, "missing \"points\"") }
    let cap = o.int("cap", min: 1)
    let match = o.string("match")
    let id = o.string("id")
    guard let event, let points else { return nil }
    if points == 0 { reader.problem(o.child("points"), o.raw("points"), "must not be 0") }
    return BehaviorRule(
      id: id ?? "behavior.\(event.rawValue)\(match.map { ":" + $0 } ?? "")", event: event,
      match: match,
      points: points, cap: cap)
  }

  // MARK: Routing

  private static func readRouting(_ node: JSON?, _ d: RoutingPolicy, _ reader: ConfigReader)
    -> RoutingPolicy
  {
    var r = d
    guard let o = reader.object(node, "routing") else { return r }
    r.autoAssign = o.bool("autoAssign", d.autoAssign)
    r.strategy = o.choice("strategy") ?? d.strategy
    if let reps = o.array("reps", { readRep($0, $1, reader) }) { r.reps = reps }
    var ids = Set<String>()
    for (i, rep) in r.reps.enumerated() where !ids.insert(rep.id).inserted {
      reader.problem("routing.reps[\(i)].id", nil, "duplicate rep id '\(rep.id)'")
    }
    let teams = Set(r.reps.compactMap(\.team))
    if let territories = o.array(
      "territories",
      { item, path -> Territory? in
        guard let t = reader.object(item, path) else { return nil }
        defer { t.finish() }
        guard let team = t.string("team") else {
          reader.problem(path, item, "missing \"team\"")
          return nil
        }
        if !teams.contains(team) {
          reader.problem(t.child("team"), t.raw("team"), "no rep is in team '\(team)'")
        }
        guard let when = reader.object(t.raw("when"), t.child("when")) else {
          if !t.has("when") { reader.problem(path, item, "missing \"when\"") }
          return nil
        }
        defer { when.finish() }
        guard let c = readCondition(when, reader) else { return nil }
        return Territory(team: team, when: c)
      })
    {
      r.territories = territories
    }
    if o.keys.contains("defaultTeam") {
      r.defaultTeam = o.string("defaultTeam")
      if let t = r.defaultTeam, !teams.contains(t) {
        reader.problem(o.child("defaultTeam"), o.raw("defaultTeam"), "no rep is in team '\(t)'")
      }
    }
    if let ts = reader.object(o.raw("teams"), o.child("teams")) {
      var strategies: [String: RoutingPolicy.Strategy] = [:]
      for team in ts.keys {
        if !teams.contains(team) {
          reader.problem(ts.child(team), ts.raw(team), "no rep is in team '\(team)'")
        }
        guard let t = reader.object(ts.raw(team), ts.child(team)) else { continue }
        if let s: RoutingPolicy.Strategy = t.choice("strategy") { strategies[team] = s }
        t.finish()
      }
      r.teamStrategies = strategies
      ts.finish()
    }
    o.finish()
    return r
  }

  private static func readRep(_ item: JSON, _ path: String, _ reader: ConfigReader) -> Rep? {
    guard let o = reader.object(item, path) else { return nil }
    defer { o.finish() }
    guard let id = o.string("id"), !id.isEmpty else {
      reader.problem(path, item, "missing \"id\"")
      return nil
    }
    var rep = Rep(id: id)
    rep.name = o.string("name", id)
    rep.team = o.string("team")
    if o.has("weight") { rep.weight = o.number("weight", above: 0) ?? 1 }
    rep.capacity = o.int("capacity", min: 0)
    rep.active = o.bool("active", true)
    if let tz = o.string("timeZone") {
      if TimeZone(identifier: tz) == nil {
        reader.problem(
          o.child("timeZone"), o.raw("timeZone"),
          "unknown time zone '\(tz)' (use an IANA name such as Asia/Tokyo)")
      } else {
        rep.timeZone = tz
      }
    }
    if let wh = reader.object(o.raw("workingHours"), o.child("workingHours")) {
      rep.workingHours = readWorkingHours(wh, reader)
    }
    if let ooo = o.array(
      "outOfOffice",
      { item, p -> DateSpan? in
        guard let s = reader.object(item, p) else { return nil }
        defer { s.finish() }
        guard let from = s.string("from"), let to = s.string("to") else {
          reader.problem(p, item, "expected {from: \"YYYY-MM-DD\", to: \"YYYY-MM-DD\"}")
          return nil
        }
        guard ISO8601.parse(from) != nil, from.count == 10, ISO8601.parse(to) != nil, to.count == 10
        else {
          reader.problem(p, item, "dates must be YYYY-MM-DD")
          return nil
        }
        if from > to { reader.problem(p, item, "from (\(from)) is after to (\(to))") }
        return DateSpan(from: from, to: to)
      })
    {
      rep.outOfOffice = ooo
    }
    return rep
  }

  static func readWorkingHours(_ o: ConfigReader.ObjectView, _ reader: ConfigReader)
    -> WorkingHours?
  {
    defer { o.finish() }
    var hours = WorkingHours.office
    if let days = o.strings("days") {
      var set = Set<Int>()
      for day in days {
        if let i = WorkingHours.dayNames.firstIndex(of: day.lowercased().prefix(3).description) {
          set.insert(i + 1)
        } else {
          reader.problem(o.child("days"), o.raw("days"), "unknown day '\(day)' (use mon … sun)")
        }
      }
      hours.days = set
    }
    for key in ["start", "end"] {
      guard let s = o.string(key) else { continue }
      let parts = s.split(separator: ":")
      guard parts.count == 2, let h = Int(parts[0]), let m = Int(parts[1]), (0...24).contains(h),
        (0..<60).contains(m), h * 60 + m <= 1440
      else {
        reader.problem(o.child(key), o.raw(key), "expected a time as HH:MM, found '\(s)'")
        continue
      }
      if key == "start" { hours.start = h * 60 + m } else { hours.end = h * 60 + m }
    }
    if hours.start == hours.end {
      reader.problem(o.path, o.node, "start and end are equal: the window is empty")
    }
    return hours
  }

  // MARK: SLA, recycle, qualification

  private static func readSLA(_ node: JSON?, _ d: SLAPolicy, _ reader: ConfigReader) -> SLAPolicy {
    var s = d
    guard let o = reader.object(node, "sla") else { return s }
    if let bh = reader.object(o.raw("businessHours"), o.child("businessHours")) {
      if let tz = bh.string("timeZone") {
        if TimeZone(identifier: tz) == nil {
          reader.problem(bh.child("timeZone"), bh.raw("timeZone"), "unknown time zone '\(tz)'")
        } else {
          s.timeZone = tz
        }
      }
      if let wh = readWorkingHours(bh, reader) { s.businessHours = wh }
    }
    for key in o.keys where key != "businessHours" {
      guard let stage = Stage(rawValue: key) else {
        _ = o.raw(key)
        o.keyProblem(key, "unknown stage id '\(key)' (known: \(Stage.idList))")
        continue
      }
      guard let st = reader.object(o.raw(key), o.child(key)) else {
        // `sal: null` turns the built-in SLA of that stage off.
        if o.raw(key) == nil { s.stages[stage] = nil }
        continue
      }
      defer { st.finish() }
      let existing = d.stages[stage]
      guard let target = st.span("target") ?? existing?.target else {
        reader.problem(st.path, st.node, "missing \"target\"")
        continue
      }
      if target.seconds <= 0 {
        reader.problem(st.child("target"), st.raw("target"), "must be greater than 0")
      }
      var sla = StageSLA(target: target)
      sla.workingHours = st.bool("workingHours", existing?.workingHours ?? false)
      sla.reassignOnBreach = st.bool("reassignOnBreach", existing?.reassignOnBreach ?? false)
      sla.until = st.choice("until") ?? existing?.until ?? .exit
      s.stages[stage] = sla
    }
    o.finish()
    return s
  }

  private static func readRecycle(_ node: JSON?, _ d: RecyclePolicy, _ reader: ConfigReader)
    -> RecyclePolicy
  {
    var r = d
    guard let o = reader.object(node, "recycle") else { return r }
    if let reasons = o.array(
      "reasons",
      { item, path -> RecycleReason? in
        guard let x = reader.object(item, path) else { return nil }
        defer { x.finish() }
        guard let code = x.string("code"), !code.isEmpty else {
          reader.problem(path, item, "missing \"code\"")
          return nil
        }
        return RecycleReason(code: code, label: x.string("label", code), nurture: x.span("nurture"))
      })
    {
      r.reasons = reasons
    }
    var codes = Set<String>()
    for reason in r.reasons where !codes.insert(reason.code).inserted {
      reader.problem(o.child("reasons"), o.raw("reasons"), "duplicate reason code '\(reason.code)'")
    }
    r.maxRecycles = o.int("maxRecycles", min: 0) ?? d.maxRecycles
    r.resetBehaviorScore = o.bool("resetBehaviorScore", d.resetBehaviorScore)
    if o.keys.contains("autoRecycle") {
      if let a = reader.object(o.raw("autoRecycle"), o.child("autoRecycle")) {
        let attempts = a.int("attempts", min: 1)
        let within = a.span("within")
        let reason = a.string("reason")
        if let reason, !codes.contains(reason) {
          reader.problem(
            a.child("reason"), a.raw("reason"),
            "unknown reason code '\(reason)' (known: \(r.reasons.map(\.code).joined(separator: ", ")))"
          )
        }
        if let attempts, let within, let reason {
          r.autoRecycle = AutoRecycle(attempts: attempts, within: within, reason: reason)
        } else {
          reader.problem(a.path, a.node, "needs attempts, within and reason")
        }
        a.finish()
      } else {
        r.autoRecycle = nil
      }
    }
    o.finish()
    return r
  }

  private static func readQualification(
    _ node: JSON?, _ d: QualificationFramework, _ reader: ConfigReader
  ) -> QualificationFramework {
    var q = d
    guard let o = reader.object(node, "qualification") else { return q }
    q.name = o.string("framework", d.name)
    if let fields = o.array(
      "fields",
      { item, path -> QualificationField? in
        guard let f = reader.object(item, path) else { return nil }
        defer { f.finish() }
        guard let id = f.string("id"), !id.isEmpty else {
          reader.problem(path, item, "missing \"id\"")
          return nil
        }
        return QualificationField(
          id: id, label: f.string("label", id), question: f.string("question", ""))
      })
    {
      q.fields = fields
    }
    o.finish()
    return q
  }
}

/// Levenshtein distance between two strings, for "did you mean" hints.
public func editDistance(_ a: String, _ b: String) -> Int {
  let a = Array(a)
  let b = Array(b)
  if a.isEmpty { return b.count }
  if b.isEmpty { return a.count }
  var prev = Array(0...b.count)
  for i in 1...a.count {
    var cur = [i] + Array(repeating: 0, count: b.count)
    for j in 1...b.count {
      cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
    }
    prev = cur
  }
  return prev[b.count]
}
