import Foundation
import LeadLifecycle
import LeadboardTestSupport
import Testing

/// A deterministic generator for the generated states and the fuzz loops.
private struct SplitMix: RandomNumberGenerator {
  var state: UInt64
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

/// `state` as a store gives it back: without its ledger.
private func stored(_ state: LeadState) -> LeadState {
  var s = state
  s.ledger = []
  return s
}

private func roundTrip(_ state: LeadState) throws -> LeadState {
  try LeadStateCodec.decode(LeadStateCodec.encode(state))
}

/// A state with every optional field set, Japanese text, and numbers at their limits.
private func fullState() -> LeadState {
  let t = Fixed.reference
  var s = LeadState(id: "L-全部", at: t.minus(.days(90)))
  s.profile = Profile(
    email: "taro@example.jp", name: "山田 太郎", firstName: "太郎", lastName: "山田",
    company: "株式会社サンプル🏯", title: "情報システム部長", industry: "情報通信業", employees: Int.max,
    country: "JP", phone: "+81-3-1234-5678", source: "webinar", campaign: "fy26-q3",
    extra: ["crm_id": "0012", "セグメント": "中堅", "": ""])
  s.visitors = ["v-1", "v-2"]
  s.stage = .opportunity
  s.stageEnteredAt = t.minus(.days(3))
  s.history = Stage.allCases.map { StageEntry(stage: $0, at: t.minus(.days(Double(10 - $0.rank)))) }
  s.closed = ClosedInfo(closure: .lost, reason: "競合に敗退", at: t)
  s.owner = "sato"
  s.team = "apac"
  s.previousOwners = ["tanaka", "suzuki"]
  s.assignedAt = t.minus(.days(8))
  s.acceptedAt = t.minus(.days(7))
  s.routingNote = "no rep with capacity"
  s.fitScore = Int.min
  s.behaviorScore = Int.max
  s.ledger = [
    LedgerLine(
      at: t,
      change: ScoreChange(
        kind: .fit, rule: "fit.x", delta: 1, score: 1, source: nil, detail: "not stored"))
  ]
  s.rulePoints = ["fit.employees": 20, "behavior.pricing_page": -5, "decay": Int.min]
  s.lastActivityAt = t.minus(.seconds(0.001))
  s.behaviorAtLastActivity = -1
  s.pageViews = (0..<LeadState.pageViewLimit).map {
    PageVisit(event: "pv\($0)", path: "/料金/\($0)", at: t.minus(.minutes(Double($0))))
  }
  s.contactAttempts = 3
  s.unansweredAttempts = [t.minus(.days(2)), t.minus(.days(1))]
  s.lastContactAt = t.minus(.days(1))
  s.reached = true
  s.conversations = 2
  s.qualification = ["budget": "1000万円", "need": "visibility", "timeline": ""]
  s.opportunity = OpportunityFields(
    value: 1_250_000.5, currency: "JPY", closeDate: t.plus(.days(60)),
    stakeholders: ["CTO", "CFO", "情シス"], name: "年間契約")
  s.contract = ContractInfo(
    signedAt: t, paymentTerms: "net 30", onboardingDate: Date.distantFuture)
  s.recycleCount = 2
  s.lastRecycleReason = "not_ready"
  s.nurtureUntil = t.plus(.days(30))
  s.snoozedUntil = t.plus(.days(1))
  s.snoozeReason = "出張中"
  s.slaBreachedAt = t.minus(.hours(1))
  s.stalledAt = Date.distantPast
  s.lastEventAt = t
  s.eventCount = 1234
  return s
}

/// `fullState()` as a plain state whose `ContractInfo` is built by applying events (the
/// memberwise initialiser is internal to the domain).
extension ContractInfo {
  fileprivate init(signedAt: Date, paymentTerms: String?, onboardingDate: Date?) {
    var s = LeadState(id: "x", at: signedAt)
    s.apply(
      Event(
        id: "c", at: signedAt, lead: "x",
        .contractSigned(paymentTerms: paymentTerms, onboardingDate: onboardingDate)))
    self = s.contract!
  }
}

private let sampleDates: [Double] = [
  0, -0.0, 1, -1, 0.5, 0.001, -0.001, 0.1, 1e-9, Double.leastNonzeroMagnitude, 786_000_000,
  786_000_000.123,
  786_000_000.1234567, -978_307_200, 1e15, 9.0e15, 9.1e15, -9.1e15, 1e300, -1e300,
  .greatestFiniteMagnitude, -.greatestFiniteMagnitude, .infinity, -.infinity, .nan,
  Date.distantPast.timeIntervalSinceReferenceDate,
  Date.distantFuture.timeIntervalSinceReferenceDate,
]

private func randomString(_ rng: inout SplitMix) -> String {
  let alphabet = Array("abcXYZ019 -_/.@山田太郎株式会社サンプル情報🏯é\u{0}\n\"{}\\")
  let n = Int.random(in: 0...12, using: &rng)
  return String((0..<n).map { _ in alphabet.randomElement(using: &rng)! })
}

private func randomDate(_ rng: inout SplitMix) -> Date {
  switch Int.random(in: 0...3, using: &rng) {
  case 0:
    return Date(
      timeIntervalSinceReferenceDate: Double(
        Int.random(in: -1_000_000_000...2_000_000_000, using: &rng)))
  case 1:
    return Date(
      timeIntervalSinceReferenceDate: Double(
        Int64.random(in: -1_000_000_000_000...2_000_000_000_000, using: &rng)) / 1000)
  case 2: return Date(timeIntervalSinceReferenceDate: Double.random(in: -1e10...1e10, using: &rng))
  default: return Date(timeIntervalSinceReferenceDate: randomDouble(&rng))
  }
}

/// Any double but NaN (which never equals itself; `datesRoundTripBitForBit` covers it).
private func randomDouble(_ rng: inout SplitMix) -> Double {
  let d = Double(bitPattern: rng.next())
  return d.isNaN ? -0.0 : d
}

private func randomInt(_ rng: inout SplitMix) -> Int {
  switch Int.random(in: 0...2, using: &rng) {
  case 0: return Int.random(in: -100...100, using: &rng)
  case 1: return [Int.min, Int.max, 0, -1, 63, 64, -64, -65][Int.random(in: 0...7, using: &rng)]
  default: return Int(truncatingIfNeeded: rng.next())
  }
}

private func maybe<T>(_ rng: inout SplitMix, _ make: (inout SplitMix) -> T) -> T? {
  Bool.random(using: &rng) ? make(&rng) : nil
}

private func randomState(_ rng: inout SplitMix) -> LeadState {
  var s = LeadState(id: randomString(&rng), at: randomDate(&rng))
  func strings(_ rng: inout SplitMix) -> [String] {
    (0..<Int.random(in: 0...4, using: &rng)).map { _ in randomString(&rng) }
  }
  func dict(_ rng: inout SplitMix) -> [String: String] {
    var d: [String: String] = [:]
    for _ in 0..<Int.random(in: 0...4, using: &rng) { d[randomString(&rng)] = randomString(&rng) }
    return d
  }
  s.profile = Profile(
    email: maybe(&rng, randomString), name: maybe(&rng, randomString),
    firstName: maybe(&rng, randomString), lastName: maybe(&rng, randomString),
    company: maybe(&rng, randomString), title: maybe(&rng, randomString),
    industry: maybe(&rng, randomString), employees: maybe(&rng, randomInt),
    country: maybe(&rng, randomString), phone: maybe(&rng, randomString),
    source: maybe(&rng, randomString), campaign: maybe(&rng, randomString), extra: dict(&rng))
  s.visitors = strings(&rng)
  s.stage = Stage.allCases.randomElement(using: &rng)!
  s.stageEnteredAt = randomDate(&rng)
  s.history = (0..<Int.random(in: 0...5, using: &rng)).map { _ in
    StageEntry(stage: Stage.allCases.randomElement(using: &rng)!, at: randomDate(&rng))
  }
  s.closed = maybe(&rng) {
    ClosedInfo(
      closure: Closure.allCases.randomElement(using: &$0)!, reason: randomString(&$0),
      at: randomDate(&$0))
  }
  s.owner = maybe(&rng, randomString)
  s.team = maybe(&rng, randomString)
  s.previousOwners = strings(&rng)
  s.assignedAt = maybe(&rng, randomDate)
  s.acceptedAt = maybe(&rng, randomDate)
  s.routingNote = maybe(&rng, randomString)
  s.fitScore = randomInt(&rng)
  s.behaviorScore = randomInt(&rng)
  for _ in 0..<Int.random(in: 0...4, using: &rng) {
    s.rulePoints[randomString(&rng)] = randomInt(&rng)
  }
  s.lastActivityAt = maybe(&rng, randomDate)
  s.behaviorAtLastActivity = randomInt(&rng)
  s.pageViews = (0..<Int.random(in: 0...5, using: &rng)).map { _ in
    PageVisit(event: randomString(&rng), path: randomString(&rng), at: randomDate(&rng))
  }
  s.contactAttempts = randomInt(&rng)
  s.unansweredAttempts = (0..<Int.random(in: 0...3, using: &rng)).map { _ in randomDate(&rng) }
  s.lastContactAt = maybe(&rng, randomDate)
  s.reached = Bool.random(using: &rng)
  s.conversations = randomInt(&rng)
  s.qualification = dict(&rng)
  s.opportunity = maybe(&rng) {
    OpportunityFields(
      value: maybe(&$0, randomDouble), currency: maybe(&$0, randomString),
      closeDate: maybe(&$0, randomDate), stakeholders: maybe(&$0, strings),
      name: maybe(&$0, randomString))
  }
  s.contract = maybe(&rng) {
    ContractInfo(
      signedAt: randomDate(&$0), paymentTerms: maybe(&$0, randomString),
      onboardingDate: maybe(&$0, randomDate))
  }
  s.recycleCount = randomInt(&rng)
  s.lastRecycleReason = maybe(&rng, randomString)
  s.nurtureUntil = maybe(&rng, randomDate)
  s.snoozedUntil = maybe(&rng, randomDate)
  s.snoozeReason = maybe(&rng, randomString)
  s.slaBreachedAt = maybe(&rng, randomDate)
  s.stalledAt = maybe(&rng, randomDate)
  s.lastEventAt = randomDate(&rng)
  s.eventCount = randomInt(&rng)
  return s
}

@Suite("Lead state codec")
struct LeadStateCodecTests {
  // MARK: Coverage

  /// Fails when a stored field is added to a type the codec writes: the codec must learn it.
  @Test func everyStoredFieldIsKnownToTheCodec() {
    let t = Fixed.reference
    let counts: [(String, Int, Int)] = [
      ("LeadState", Mirror(reflecting: LeadState(id: "x", at: t)).children.count, 38),
      ("Profile", Mirror(reflecting: Profile()).children.count, 13),
      ("OpportunityFields", Mirror(reflecting: OpportunityFields()).children.count, 5),
      ("ContractInfo", Mirror(reflecting: fullState().contract!).children.count, 3),
      ("ClosedInfo", Mirror(reflecting: fullState().closed!).children.count, 3),
      ("PageVisit", Mirror(reflecting: PageVisit(event: "", path: "", at: t)).children.count, 3),
      ("StageEntry", Mirror(reflecting: StageEntry(stage: .known, at: t)).children.count, 2),
    ]
    for (name, found, known) in counts {
      #expect(found == known, "\(name) has \(found) stored fields; LeadStateCodec writes \(known)")
    }
    #expect(Stage.allCases.count == 7)
    #expect(Closure.allCases.count == 2)
  }

  // MARK: Round trips

  @Test func aNewLeadWithEveryOptionalNilRoundTrips() throws {
    let s = LeadState(id: "L1", at: Fixed.reference)
    #expect(try roundTrip(s) == s)
    let bytes = LeadStateCodec.encode(s)
    #expect(bytes.first == LeadStateCodec.version)
    #expect(bytes.count < 80)
  }

  @Test func aStateWithEveryFieldSetRoundTripsWithoutItsLedger() throws {
    let s = fullState()
    #expect(try roundTrip(s) == stored(s))
    #expect(try roundTrip(s).ledger.isEmpty)
  }

  @Test(arguments: Stage.allCases)
  func everyStageRoundTrips(_ stage: Stage) throws {
    for closure in [nil] + Closure.allCases {
      var s = fullState()
      s.stage = stage
      s.closed = closure.map { ClosedInfo(closure: $0, reason: "r", at: Fixed.reference) }
      #expect(try roundTrip(s) == stored(s))
    }
  }

  @Test func statesOfTheBusyPipelineRoundTrip() throws {
    let h = try busyPipeline(ticks: true)
    #expect(h.pipeline.leads.count >= 8)
    for (_, lead) in h.pipeline.leads {
      #expect(try roundTrip(lead) == stored(lead))
      #expect(try LeadStateCodec.decodeText(LeadStateCodec.encodeText(lead)) == stored(lead))
    }
  }

  @Test func aLeadThatSawOneEventOfEachKindRoundTrips() throws {
    var s = LeadState(id: "L1", at: Fixed.reference)
    for e in EventSamples.oneOfEach { s.apply(e) }
    #expect(s.opportunity != nil && s.contract != nil && s.closed != nil)
    #expect(try roundTrip(s) == stored(s))
  }

  @Test func generatedStatesRoundTrip() throws {
    var rng = SplitMix(state: 7)
    for _ in 0..<500 {
      let s = randomState(&rng)
      #expect(try roundTrip(s) == s)
      #expect(try LeadStateCodec.decodeText(LeadStateCodec.encodeText(s)) == s)
    }
  }

  @Test func datesRoundTripBitForBit() throws {
    for t in sampleDates {
      var s = LeadState(id: "d", at: Date(timeIntervalSinceReferenceDate: t))
      s.snoozedUntil = Date(timeIntervalSinceReferenceDate: t)
      let back = try roundTrip(s)
      #expect(back.lastEventAt.timeIntervalSinceReferenceDate.bitPattern == t.bitPattern, "\(t)")
      #expect(back.snoozedUntil?.timeIntervalSinceReferenceDate.bitPattern == t.bitPattern)
    }
  }

  @Test func extremeDealValuesRoundTripBitForBit() throws {
    for v in [
      0, -0.0, .nan, .infinity, -.infinity, .greatestFiniteMagnitude, Double.leastNonzeroMagnitude,
      0.1,
    ] {
      var s = LeadState(id: "v", at: Fixed.reference)
      s.opportunity = OpportunityFields(value: v)
      #expect(try roundTrip(s).opportunity?.value?.bitPattern == v.bitPattern)
    }
  }

  @Test func theBinaryFormIsSmallerThanTheJSON() throws {
    let h = try busyPipeline(ticks: true)
    for (_, lead) in h.pipeline.leads {
      let json = try LeadStateCodec.encodeLegacyJSON(lead)
      #expect(LeadStateCodec.encode(lead).count * 2 < json.count)
    }
  }

  // MARK: Earlier stores

  @Test func theJSONOfEarlierVersionsStillReads() throws {
    let h = try busyPipeline(ticks: true)
    for (_, lead) in h.pipeline.leads {
      let json = try LeadStateCodec.encodeLegacyJSON(lead)
      #expect(json.first == UInt8(ascii: "{"))
      // Whole-second instants survive the seconds-since-1970 JSON exactly.
      #expect(try LeadStateCodec.decode(json) == stored(lead))
      #expect(try LeadStateCodec.decode(Array(json)) == stored(lead))
      #expect(try LeadStateCodec.decodeText(String(decoding: json, as: UTF8.self)) == stored(lead))
    }
  }

  @Test func aStateStoredByAnEarlierVersionReads() throws {
    // Written by `JSONEncoder` with `.secondsSince1970`, as stores did before the binary form.
    let text =
      #"{"id":"L1","profile":{"email":"taro@example.jp","name":"山田太郎","employees":250,"extra":{"tier":"gold"}},"visitors":["v-1"],"stage":"mql","stageEnteredAt":1793610000,"createdAt":1793609880.5,"history":[{"stage":"known","at":1793609880.5},{"stage":"mql","at":1793610000}],"owner":"a","team":"apac","previousOwners":[],"assignedAt":1793610000,"fitScore":20,"behaviorScore":30,"rulePoints":{"fit.employees":20,"behavior.demo":30},"lastActivityAt":1793610000,"behaviorAtLastActivity":30,"pageViews":[{"event":"e1","path":"/pricing","at":1793609700}],"contactAttempts":0,"unansweredAttempts":[],"reached":false,"conversations":0,"qualification":{},"opportunity":{"value":1250000.5,"currency":"JPY"},"recycleCount":0,"lastEventAt":1793610000,"eventCount":4}"#
    for s in [try LeadStateCodec.decodeText(text), try LeadStateCodec.decode(Array(text.utf8))] {
      #expect(s.id == "L1")
      #expect(s.profile.name == "山田太郎")
      #expect(s.profile.employees == 250)
      #expect(s.stage == .mql)
      #expect(s.createdAt == Date(timeIntervalSince1970: 1_793_609_880.5))
      #expect(s.history.map(\.stage) == [.known, .mql])
      #expect(s.owner == "a")
      #expect(s.score == 50)
      #expect(s.rulePoints["behavior.demo"] == 30)
      #expect(s.pageViews.map(\.path) == ["/pricing"])
      #expect(s.opportunity?.value == 1_250_000.5)
      #expect(s.contract == nil && s.closed == nil && s.snoozedUntil == nil)
      #expect(s.eventCount == 4)
      // And it is written back in the binary form without loss.
      #expect(try roundTrip(s) == s)
    }
  }

  @Test func theTextFormIsBase64AndNeverLooksLikeJSON() throws {
    let text = LeadStateCodec.encodeText(fullState())
    #expect(!text.hasPrefix("{"))
    #expect(Data(base64Encoded: text).map(Array.init) == LeadStateCodec.encode(fullState()))
    #expect(throws: LeadStateCodec.Failure.self) { try LeadStateCodec.decodeText("not base64!") }
    #expect(throws: LeadStateCodec.Failure.self) { try LeadStateCodec.decodeText("") }
  }

  // MARK: Hostile bytes

  @Test func everyTruncationThrows() {
    for sample in [fullState(), LeadState(id: "L1", at: Fixed.reference)] {
      let bytes = LeadStateCodec.encode(sample)
      for n in 0..<bytes.count {
        #expect(throws: LeadStateCodec.Failure.self, "prefix of \(n) bytes") {
          try LeadStateCodec.decode(Array(bytes[..<n]))
        }
      }
    }
  }

  @Test func trailingBytesAreRefused() {
    let bytes = LeadStateCodec.encode(fullState())
    #expect(throws: LeadStateCodec.Failure.self) { try LeadStateCodec.decode(bytes + [0]) }
  }

  @Test func anUnknownVersionIsRefused() {
    var bytes = LeadStateCodec.encode(fullState())
    bytes[0] = 2
    #expect(throws: LeadStateCodec.Failure(offset: 0, reason: "unknown version 2")) {
      try LeadStateCodec.decode(bytes)
    }
  }

  @Test func aHugeLengthIsRefusedBeforeAllocating() {
    // Version, then an id length of 2^63 - 1 and of 2^64 - 1 (ten-byte varints), then junk.
    let huge: [[UInt8]] = [
      [1, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F, 0x41],
      [1, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0x41],
      [1, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F],
      [1, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01],
    ]
    for bytes in huge {
      #expect(throws: LeadStateCodec.Failure.self) { try LeadStateCodec.decode(bytes) }
    }
    // A visitor count of a billion after an empty id and profile.
    var counted: [UInt8] = [1, 0] + Array(repeating: 0, count: 12) + [0]
    counted += [0x80, 0x94, 0xEB, 0xDC, 0x03]
    #expect(throws: LeadStateCodec.Failure.self) { try LeadStateCodec.decode(counted) }
  }

  @Test func invalidUTF8AndBadTagsAreRefused() {
    // id of 2 bytes that are not UTF-8.
    #expect(throws: LeadStateCodec.Failure.self) {
      try LeadStateCodec.decode([1, 2, 0xC3, 0x28])
    }
    // An optional's tag that is neither 0 nor 1 (the profile's email).
    #expect(throws: LeadStateCodec.Failure.self) { try LeadStateCodec.decode([1, 0, 7]) }
    // A stage past customer.
    let bytes = LeadStateCodec.encode(LeadState(id: "", at: Fixed.reference))
    // version, id length, 12 optional tags, extra count, visitors count: the stage is next.
    var bad = bytes
    #expect(bad[16] == 0)
    bad[16] = 7
    #expect(throws: LeadStateCodec.Failure(offset: 16, reason: "unknown stage 7")) {
      try LeadStateCodec.decode(bad)
    }
  }

  @Test func brokenJSONThrowsTheDecodersError() {
    #expect(throws: (any Error).self) { try LeadStateCodec.decode(Array("{\"id\":".utf8)) }
    #expect(throws: (any Error).self) { try LeadStateCodec.decodeText("{}") }
  }

  @Test func everySingleByteChangeReadsOrThrowsWithoutCrashing() {
    let bytes = LeadStateCodec.encode(fullState())
    var read = 0
    var refused = 0
    for i in 0..<bytes.count {
      for value: UInt8 in [0x00, 0x01, 0x02, 0x7F, 0x80, 0xFF, bytes[i] ^ 0x01] {
        var changed = bytes
        changed[i] = value
        do {
          _ = try LeadStateCodec.decode(changed)
          read += 1
        } catch {
          refused += 1
        }
      }
    }
    #expect(read > 0 && refused > 0)
  }

  @Test func randomBytesNeverCrash() {
    var rng = SplitMix(state: 42)
    let valid = LeadStateCodec.encode(fullState())
    for round in 0..<30_000 {
      var bytes: [UInt8]
      switch round % 3 {
      case 0:
        // Noise after the version byte.
        bytes =
          [1]
          + (0..<Int.random(in: 0...64, using: &rng)).map { _ in
            UInt8.random(in: 0...255, using: &rng)
          }
      case 1:
        // Noise with mostly small bytes, which parse further.
        bytes =
          [1]
          + (0..<Int.random(in: 0...200, using: &rng)).map { _ in
            UInt8.random(in: 0...3, using: &rng)
          }
      default:
        // A valid encoding with a few bytes overwritten, cut or spliced.
        bytes = valid
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
          bytes[Int.random(in: 1..<bytes.count, using: &rng)] = UInt8.random(
            in: 0...255, using: &rng)
        }
        if Bool.random(using: &rng) {
          bytes.removeLast(Int.random(in: 0..<bytes.count, using: &rng))
        }
      }
      _ = try? LeadStateCodec.decode(bytes)
    }
    for _ in 0..<2_000 {
      let junk =
        [UInt8(ascii: "{")]
        + (0..<Int.random(in: 0...40, using: &rng)).map { _ in
          UInt8.random(in: 0...255, using: &rng)
        }
      _ = try? LeadStateCodec.decode(junk)
      _ = try? LeadStateCodec.decodeText(String(decoding: junk.dropFirst(), as: UTF8.self))
    }
  }
}
