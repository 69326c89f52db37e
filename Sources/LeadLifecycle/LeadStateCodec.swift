import Foundation

/// The stored form of a `LeadState`: a compact binary encoding, written and read by hand.
///
/// Stores keep one encoded state per lead row and rewrite it on every change, so this is on
/// the path of every ingested event and every listing that misses the decoded-state cache.
/// Foundation's `JSONEncoder`/`JSONDecoder` were the largest cost there.
///
/// Layout (version 1): the byte `0x01`, then every stored field of `LeadState` in declaration
/// order (the ledger is left out, as in the `Codable` form: stores rebuild it from the log):
/// - integers: zigzag LEB128 varints; counts and lengths: LEB128 varints;
/// - strings: a length, then UTF-8 (validated when read);
/// - optionals: a byte `0` (nil) or `1` followed by the value;
/// - booleans: a byte `0` or `1`; stages and closures: one byte (their position);
/// - doubles: the 8 bytes of the IEEE bit pattern, little-endian;
/// - dates: a varint `zigzag(n) << 2 | tag`, where tag 0 means `n` whole seconds and tag 1
///   `n` milliseconds since 2001-01-01 (used only when that gives back the exact same
///   `Double`), and tag 2 (with `n` = 0) is followed by the 8 bytes of the `Double`; so every
///   date round-trips exactly;
/// - arrays and dictionaries: a count, then the elements (dictionary keys in any order).
///
/// Reading is strict and bounded: every read is bounds-checked, a count or length larger than
/// the bytes left is refused before anything is allocated, invalid UTF-8, unknown tags and
/// trailing bytes are refused, all with a `LeadStateCodec.Failure` naming the byte offset.
///
/// States written before this encoding are JSON objects (first byte `{`); `decode` still reads
/// them, so existing stores keep working and are rewritten in this form as leads change.
///
/// Adding a stored field to `LeadState` (or a type it holds) means a new version: bump
/// `version`, write the field, and keep reading version 1 with the field's default. The test
/// `everyStoredFieldIsKnownToTheCodec` fails until then.
public enum LeadStateCodec {
  /// The version byte that starts every encoded state.
  public static let version: UInt8 = 0x01

  /// Why bytes could not be read as a lead state.
  public struct Failure: Error, Equatable, CustomStringConvertible {
    /// The byte offset where reading stopped.
    public var offset: Int
    public var reason: String
    public var description: String { "lead state, byte \(offset): \(reason)" }
    public init(offset: Int, reason: String) {
      self.offset = offset
      self.reason = reason
    }
  }

  // MARK: - Bytes

  /// The stored form of `state` (its ledger left out).
  public static func encode(_ state: LeadState) -> [UInt8] {
    var w = Writer()
    w.bytes.reserveCapacity(256 + state.pageViews.count * 48 + state.history.count * 7)
    w.bytes.append(version)
    w.write(state)
    return w.bytes
  }

  /// Reads a stored state: this encoding, or the JSON of earlier versions (first byte `{`).
  /// The ledger comes back empty.
  public static func decode(_ bytes: UnsafeRawBufferPointer) throws -> LeadState {
    guard let first = bytes.first else { throw Failure(offset: 0, reason: "no bytes") }
    if first == UInt8(ascii: "{") { return try decodeLegacyJSON(Data(bytes)) }
    guard first == version else {
      throw Failure(offset: 0, reason: "unknown version \(first)")
    }
    var r = Reader(bytes, at: 1)
    let state = try r.readLeadState()
    guard r.offset == bytes.count else {
      throw Failure(offset: r.offset, reason: "\(bytes.count - r.offset) bytes after the state")
    }
    return state
  }

  /// `decode(_:)` on an array.
  public static func decode(_ bytes: [UInt8]) throws -> LeadState {
    try bytes.withUnsafeBytes { try decode($0) }
  }

  /// `decode(_:)` on `Data`.
  public static func decode(_ data: Data) throws -> LeadState {
    try data.withUnsafeBytes { try decode($0) }
  }

  // MARK: - Text

  /// The stored form as text, for a store whose state column holds text (PostgreSQL): the
  /// bytes of `encode(_:)` in base64. Never starts with `{`.
  public static func encodeText(_ state: LeadState) -> String {
    Data(encode(state)).base64EncodedString()
  }

  /// Reads `encodeText(_:)`, or the JSON of earlier versions (first character `{`).
  public static func decodeText(_ text: String) throws -> LeadState {
    if text.utf8.first == UInt8(ascii: "{") { return try decodeLegacyJSON(Data(text.utf8)) }
    guard let data = Data(base64Encoded: text) else {
      throw Failure(offset: 0, reason: "neither JSON nor base64 text")
    }
    return try decode(data)
  }

  // MARK: - Legacy JSON

  /// The JSON form earlier versions stored (`JSONEncoder`, dates as seconds since 1970).
  public static func encodeLegacyJSON(_ state: LeadState) throws -> Data {
    let e = JSONEncoder()
    e.dateEncodingStrategy = .secondsSince1970
    return try e.encode(state)
  }

  static func decodeLegacyJSON(_ data: Data) throws -> LeadState {
    let d = JSONDecoder()
    d.dateDecodingStrategy = .secondsSince1970
    return try d.decode(LeadState.self, from: data)
  }
}

// MARK: - Writing

extension LeadStateCodec {
  struct Writer {
    var bytes: [UInt8] = []

    mutating func uvarint(_ value: UInt64) {
      var v = value
      while v >= 0x80 {
        bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
        v >>= 7
      }
      bytes.append(UInt8(truncatingIfNeeded: v))
    }

    mutating func count(_ n: Int) { uvarint(UInt64(n)) }

    mutating func int(_ value: Int) {
      let v = Int64(value)
      uvarint(UInt64(bitPattern: (v << 1) ^ (v >> 63)))
    }

    mutating func bool(_ value: Bool) { bytes.append(value ? 1 : 0) }

    mutating func double(_ value: Double) {
      var bits = value.bitPattern.littleEndian
      withUnsafeBytes(of: &bits) { bytes.append(contentsOf: $0) }
    }

    mutating func string(_ value: String) {
      var s = value
      s.withUTF8 { utf8 in
        count(utf8.count)
        bytes.append(contentsOf: utf8)
      }
    }

    mutating func date(_ value: Date) {
      let t = value.timeIntervalSinceReferenceDate
      // Whole seconds or milliseconds as a varint when that reads back to the same bits.
      if t.isFinite, abs(t) < 9.0e15 {
        let seconds = t.rounded(.towardZero)
        if seconds == t {
          let n = Int64(seconds)
          if Double(n).bitPattern == t.bitPattern {
            tagged(n, tag: 0)
            return
          }
        }
        let ms = (t * 1000).rounded()
        if abs(ms) < 9.0e15 {
          let n = Int64(ms)
          if (Double(n) / 1000).bitPattern == t.bitPattern {
            tagged(n, tag: 1)
            return
          }
        }
      }
      uvarint(2)
      double(t)
    }

    private mutating func tagged(_ n: Int64, tag: UInt64) {
      // |n| < 9e15 < 2^53, so the shifted zigzag value fits in 64 bits.
      uvarint((UInt64(bitPattern: (n << 1) ^ (n >> 63)) << 2) | tag)
    }

    mutating func stage(_ s: Stage) {
      let b: UInt8
      switch s {
      case .visitor: b = 0
      case .known: b = 1
      case .mql: b = 2
      case .sal: b = 3
      case .sql: b = 4
      case .opportunity: b = 5
      case .customer: b = 6
      }
      bytes.append(b)
    }

    mutating func optional<T>(_ value: T?, _ write: (inout Writer, T) -> Void) {
      if let value {
        bytes.append(1)
        write(&self, value)
      } else {
        bytes.append(0)
      }
    }

    mutating func optionalString(_ value: String?) {
      optional(value) { $0.string($1) }
    }

    mutating func optionalDate(_ value: Date?) {
      optional(value) { $0.date($1) }
    }

    mutating func strings(_ values: [String]) {
      count(values.count)
      for s in values { string(s) }
    }

    mutating func write(_ p: Profile) {
      optionalString(p.email)
      optionalString(p.name)
      optionalString(p.firstName)
      optionalString(p.lastName)
      optionalString(p.company)
      optionalString(p.title)
      optionalString(p.industry)
      optional(p.employees) { $0.int($1) }
      optionalString(p.country)
      optionalString(p.phone)
      optionalString(p.source)
      optionalString(p.campaign)
      count(p.extra.count)
      for (k, v) in p.extra {
        string(k)
        string(v)
      }
    }

    mutating func write(_ s: LeadState) {
      string(s.id)
      write(s.profile)
      strings(s.visitors)
      stage(s.stage)
      date(s.stageEnteredAt)
      date(s.createdAt)
      count(s.history.count)
      for h in s.history {
        stage(h.stage)
        date(h.at)
      }
      optional(s.closed) { w, c in
        w.bytes.append(c.closure == .disqualified ? 0 : 1)
        w.string(c.reason)
        w.date(c.at)
      }
      optionalString(s.owner)
      optionalString(s.team)
      strings(s.previousOwners)
      optionalDate(s.assignedAt)
      optionalDate(s.acceptedAt)
      optionalString(s.routingNote)
      int(s.fitScore)
      int(s.behaviorScore)
      count(s.rulePoints.count)
      for (k, v) in s.rulePoints {
        string(k)
        int(v)
      }
      optionalDate(s.lastActivityAt)
      int(s.behaviorAtLastActivity)
      count(s.pageViews.count)
      for v in s.pageViews {
        string(v.event)
        string(v.path)
        date(v.at)
      }
      int(s.contactAttempts)
      count(s.unansweredAttempts.count)
      for d in s.unansweredAttempts { date(d) }
      optionalDate(s.lastContactAt)
      bool(s.reached)
      int(s.conversations)
      count(s.qualification.count)
      for (k, v) in s.qualification {
        string(k)
        string(v)
      }
      optional(s.opportunity) { w, o in
        w.optional(o.value) { $0.double($1) }
        w.optionalString(o.currency)
        w.optionalDate(o.closeDate)
        w.optional(o.stakeholders) { $0.strings($1) }
        w.optionalString(o.name)
      }
      optional(s.contract) { w, c in
        w.date(c.signedAt)
        w.optionalString(c.paymentTerms)
        w.optionalDate(c.onboardingDate)
      }
      int(s.recycleCount)
      optionalString(s.lastRecycleReason)
      optionalDate(s.nurtureUntil)
      optionalDate(s.snoozedUntil)
      optionalString(s.snoozeReason)
      optionalDate(s.slaBreachedAt)
      optionalDate(s.stalledAt)
      date(s.lastEventAt)
      int(s.eventCount)
    }
  }
}

// MARK: - Reading

extension LeadStateCodec {
  struct Reader {
    let base: UnsafeRawBufferPointer
    private(set) var offset: Int

    init(_ base: UnsafeRawBufferPointer, at offset: Int) {
      self.base = base
      self.offset = offset
    }

    func fail(_ reason: String) -> Failure { Failure(offset: offset, reason: reason) }

    var remaining: Int { base.count - offset }

    mutating func byte() throws(Failure) -> UInt8 {
      guard offset < base.count else { throw fail("truncated") }
      let b = base[offset]
      offset += 1
      return b
    }

    mutating func uvarint() throws(Failure) -> UInt64 {
      var result: UInt64 = 0
      var shift: UInt64 = 0
      while true {
        let b = try byte()
        if shift == 63 && b > 1 { throw fail("varint overflows 64 bits") }
        result |= UInt64(b & 0x7F) << shift
        if b < 0x80 { return result }
        shift += 7
      }
    }

    /// A count of elements that each take at least `minimumSize` bytes: never more than the
    /// bytes left could hold, so a hostile count cannot make anything allocate.
    mutating func count(minimumSize: Int = 1) throws(Failure) -> Int {
      let start = offset
      let n = try uvarint()
      guard n <= UInt64(remaining / minimumSize) else {
        offset = start
        throw fail("count \(n) exceeds the \(remaining) bytes left")
      }
      return Int(n)
    }

    mutating func int() throws(Failure) -> Int {
      let z = try uvarint()
      let v = Int64(bitPattern: (z >> 1) ^ (0 &- (z & 1)))
      guard let i = Int(exactly: v) else { throw fail("integer out of range") }
      return i
    }

    mutating func bool() throws(Failure) -> Bool {
      switch try byte() {
      case 0: return false
      case 1: return true
      case let b:
        offset -= 1
        throw fail("expected a boolean, found \(b)")
      }
    }

    mutating func double() throws(Failure) -> Double {
      guard remaining >= 8 else { throw fail("truncated") }
      var bits: UInt64 = 0
      for i in 0..<8 { bits |= UInt64(base[offset + i]) << (8 * UInt64(i)) }
      offset += 8
      return Double(bitPattern: bits)
    }

    mutating func string() throws(Failure) -> String {
      let n = try count()
      let start = offset
      let slice = UnsafeRawBufferPointer(rebasing: base[start..<start + n])
      let decoded = slice.withMemoryRebound(to: UInt8.self) { utf8 -> String? in
        // ASCII (ids, emails, stages, most names) needs no validation; the generic
        // `String(validating:as:)` looked up its metadata on every call, an eighth of a
        // report's time at a million leads.
        guard utf8.allSatisfy({ $0 < 0x80 }) else { return String(validating: utf8, as: UTF8.self) }
        return String(unsafeUninitializedCapacity: n) { out in
          _ = out.initialize(fromContentsOf: utf8)
          return n
        }
      }
      guard let s = decoded else { throw fail("invalid UTF-8") }
      offset += n
      return s
    }

    mutating func date() throws(Failure) -> Date {
      let start = offset
      let v = try uvarint()
      let tag = v & 3
      let z = v >> 2
      let n = Int64(bitPattern: (z >> 1) ^ (0 &- (z & 1)))
      switch tag {
      case 0: return Date(timeIntervalSinceReferenceDate: Double(n))
      case 1: return Date(timeIntervalSinceReferenceDate: Double(n) / 1000)
      case 2 where z == 0: return Date(timeIntervalSinceReferenceDate: try double())
      default:
        offset = start
        throw fail("unknown date form \(v)")
      }
    }

    mutating func present() throws(Failure) -> Bool {
      switch try byte() {
      case 0: return false
      case 1: return true
      case let b:
        offset -= 1
        throw fail("expected an optional's tag 0 or 1, found \(b)")
      }
    }

    mutating func optionalString() throws(Failure) -> String? {
      try present() ? try string() : nil
    }

    mutating func optionalDate() throws(Failure) -> Date? {
      try present() ? try date() : nil
    }

    mutating func readStage() throws(Failure) -> Stage {
      switch try byte() {
      case 0: return .visitor
      case 1: return .known
      case 2: return .mql
      case 3: return .sal
      case 4: return .sql
      case 5: return .opportunity
      case 6: return .customer
      case let b:
        offset -= 1
        throw fail("unknown stage \(b)")
      }
    }

    mutating func strings() throws(Failure) -> [String] {
      let n = try count()
      var out: [String] = []
      out.reserveCapacity(n)
      for _ in 0..<n { out.append(try string()) }
      return out
    }

    mutating func stringDictionary() throws(Failure) -> [String: String] {
      let n = try count(minimumSize: 2)
      // Most are empty; `reserveCapacity` on the empty literal copied its storage through an
      // unspecialized generic (a quarter of a report's instructions at a million leads).
      guard n > 0 else { return [:] }
      var out = [String: String](minimumCapacity: n)
      for _ in 0..<n {
        let start = offset
        let k = try string()
        if out.updateValue(try string(), forKey: k) != nil {
          offset = start
          throw fail("duplicate key '\(k)'")
        }
      }
      return out
    }

    mutating func profile() throws(Failure) -> Profile {
      var p = Profile()
      p.email = try optionalString()
      p.name = try optionalString()
      p.firstName = try optionalString()
      p.lastName = try optionalString()
      p.company = try optionalString()
      p.title = try optionalString()
      p.industry = try optionalString()
      p.employees = try present() ? try int() : nil
      p.country = try optionalString()
      p.phone = try optionalString()
      p.source = try optionalString()
      p.campaign = try optionalString()
      p.extra = try stringDictionary()
      return p
    }

    mutating func readLeadState() throws(Failure) -> LeadState {
      let id = try string()
      let profile = try profile()
      let visitors = try strings()
      let stage = try readStage()
      let stageEnteredAt = try date()
      let createdAt = try date()
      var s = LeadState(id: id, at: createdAt)
      s.profile = profile
      s.visitors = visitors
      s.stage = stage
      s.stageEnteredAt = stageEnteredAt
      let historyCount = try count(minimumSize: 2)
      s.history.reserveCapacity(historyCount)
      for _ in 0..<historyCount {
        let stage = try readStage()
        s.history.append(StageEntry(stage: stage, at: try date()))
      }
      if try present() {
        let closure: Closure
        switch try byte() {
        case 0: closure = .disqualified
        case 1: closure = .lost
        case let b:
          offset -= 1
          throw fail("unknown closure \(b)")
        }
        let reason = try string()
        s.closed = ClosedInfo(closure: closure, reason: reason, at: try date())
      }
      s.owner = try optionalString()
      s.team = try optionalString()
      s.previousOwners = try strings()
      s.assignedAt = try optionalDate()
      s.acceptedAt = try optionalDate()
      s.routingNote = try optionalString()
      s.fitScore = try int()
      s.behaviorScore = try int()
      let pointsCount = try count(minimumSize: 2)
      if pointsCount > 0 { s.rulePoints = [String: Int](minimumCapacity: pointsCount) }
      for _ in 0..<pointsCount {
        let start = offset
        let k = try string()
        if s.rulePoints.updateValue(try int(), forKey: k) != nil {
          offset = start
          throw fail("duplicate rule '\(k)'")
        }
      }
      s.lastActivityAt = try optionalDate()
      s.behaviorAtLastActivity = try int()
      let viewCount = try count(minimumSize: 3)
      s.pageViews.reserveCapacity(viewCount)
      for _ in 0..<viewCount {
        let event = try string()
        let path = try string()
        s.pageViews.append(PageVisit(event: event, path: path, at: try date()))
      }
      s.contactAttempts = try int()
      let attemptCount = try count()
      s.unansweredAttempts.reserveCapacity(attemptCount)
      for _ in 0..<attemptCount { s.unansweredAttempts.append(try date()) }
      s.lastContactAt = try optionalDate()
      s.reached = try bool()
      s.conversations = try int()
      s.qualification = try stringDictionary()
      if try present() {
        var o = OpportunityFields()
        o.value = try present() ? try double() : nil
        o.currency = try optionalString()
        o.closeDate = try optionalDate()
        o.stakeholders = try present() ? try strings() : nil
        o.name = try optionalString()
        s.opportunity = o
      }
      if try present() {
        let signedAt = try date()
        let terms = try optionalString()
        s.contract = ContractInfo(
          signedAt: signedAt, paymentTerms: terms, onboardingDate: try optionalDate())
      }
      s.recycleCount = try int()
      s.lastRecycleReason = try optionalString()
      s.nurtureUntil = try optionalDate()
      s.snoozedUntil = try optionalDate()
      s.snoozeReason = try optionalString()
      s.slaBreachedAt = try optionalDate()
      s.stalledAt = try optionalDate()
      s.lastEventAt = try date()
      s.eventCount = try int()
      return s
    }
  }
}
