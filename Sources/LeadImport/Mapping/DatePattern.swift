import Foundation

/// A date pattern such as `dd-MM-yyyy HH:mm`, or `iso` (ISO 8601 dates and times).
///
/// Tokens: `yyyy`, `yy`, `MM`, `M`, `dd`, `d`, `HH`, `H`, `mm`, `ss`, `SSS` (fraction); any other
/// character must appear as written. A time without an offset is read in the mapping's time
/// zone. Parsing never consults the clock.
public struct DatePattern: Sendable, Equatable, CustomStringConvertible {
  enum Token: Sendable, Equatable {
    case year4, year2, month, day, hour, minute, second, fraction
    /// Digits: exactly `width`, or 1–2 when `width` is nil.
    case literal(UInt8)
  }
  struct Part: Sendable, Equatable {
    var token: Token
    var fixed: Bool
  }

  /// The pattern as written.
  public let text: String
  private let parts: [Part]
  private let iso: Bool

  /// Parses a pattern; nil (with the reason) when it names no date or has unknown letters.
  public static func parse(_ text: String) -> Result<DatePattern, PatternError> {
    if text.lowercased() == "iso" {
      return .success(DatePattern(text: "iso", parts: [], iso: true))
    }
    var parts: [Part] = []
    let chars = Array(text.utf8)
    var i = 0
    while i < chars.count {
      let c = chars[i]
      var run = 1
      while i + run < chars.count, chars[i + run] == c { run += 1 }
      switch (c, run) {
      case (UInt8(ascii: "y"), 4): parts.append(Part(token: .year4, fixed: true))
      case (UInt8(ascii: "y"), 2): parts.append(Part(token: .year2, fixed: true))
      case (UInt8(ascii: "M"), 1), (UInt8(ascii: "M"), 2):
        parts.append(Part(token: .month, fixed: run == 2))
      case (UInt8(ascii: "d"), 1), (UInt8(ascii: "d"), 2):
        parts.append(Part(token: .day, fixed: run == 2))
      case (UInt8(ascii: "H"), 1), (UInt8(ascii: "H"), 2):
        parts.append(Part(token: .hour, fixed: run == 2))
      case (UInt8(ascii: "m"), 2), (UInt8(ascii: "m"), 1):
        parts.append(Part(token: .minute, fixed: run == 2))
      case (UInt8(ascii: "s"), 2), (UInt8(ascii: "s"), 1):
        parts.append(Part(token: .second, fixed: run == 2))
      case (UInt8(ascii: "S"), _): parts.append(Part(token: .fraction, fixed: false))
      default:
        if (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) {
          return .failure(
            PatternError(
              message:
                "unknown pattern letters '\(String(repeating: Character(UnicodeScalar(c)), count: run))' in '\(text)' (known: yyyy, yy, MM, M, dd, d, HH, H, mm, ss, SSS, or iso)"
            ))
        }
        for _ in 0..<run { parts.append(Part(token: .literal(c), fixed: true)) }
      }
      i += run
    }
    let tokens = parts.map(\.token)
    guard tokens.contains(.day), tokens.contains(.month),
      tokens.contains(.year4) || tokens.contains(.year2)
    else {
      return .failure(
        PatternError(message: "'\(text)' needs a day, a month and a year (dd, MM, yyyy)"))
    }
    return .success(DatePattern(text: text, parts: parts, iso: false))
  }

  /// Why a pattern is not usable.
  public struct PatternError: Error, Sendable, Equatable {
    public var message: String
  }

  private init(text: String, parts: [Part], iso: Bool) {
    self.text = text
    self.parts = parts
    self.iso = iso
  }

  public var description: String { text }

  /// The instant `string` names, read in `timeZone` unless it carries an offset; nil when it
  /// does not match the pattern or is not a real date.
  public func date(from string: String, timeZone: TimeZone) -> Date? {
    let s = Array(string.trimmingWhitespace.utf8)
    var f = Fields()
    if iso {
      guard parseISO(s, &f) else { return nil }
    } else {
      guard parsePattern(s, &f) else { return nil }
    }
    return f.date(in: timeZone)
  }

  struct Fields {
    var year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0
    var fraction = 0.0
    var offset: Int?

    func date(in tz: TimeZone) -> Date? {
      guard (1...12).contains(month), day >= 1, day <= Fields.daysIn(month, year), hour <= 23,
        minute <= 59,
        second <= 60
      else { return nil }
      let local =
        Double(Fields.days(year, month, day) * 86400 + hour * 3600 + minute * 60 + second)
        + fraction
      if let offset { return Date(timeIntervalSince1970: local - Double(offset)) }
      if tz.identifier == "UTC" || tz.identifier == "GMT" {
        return Date(timeIntervalSince1970: local)
      }
      // The offset at the local time: guess with the offset at `local` read as UTC, then correct.
      let first = Double(tz.secondsFromGMT(for: Date(timeIntervalSince1970: local)))
      let second = Double(tz.secondsFromGMT(for: Date(timeIntervalSince1970: local - first)))
      return Date(timeIntervalSince1970: local - second)
    }

    static func daysIn(_ m: Int, _ y: Int) -> Int {
      switch m {
      case 2: return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 ? 29 : 28
      case 4, 6, 9, 11: return 30
      default: return 31
      }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func days(_ y0: Int, _ m: Int, _ d: Int) -> Int {
      let y = m <= 2 ? y0 - 1 : y0
      let era = (y >= 0 ? y : y - 399) / 400
      let yoe = y - era * 400
      let mp = (m + 9) % 12
      let doy = (153 * mp + 2) / 5 + d - 1
      let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
      return era * 146097 + doe - 719468
    }
  }

  private func parsePattern(_ s: [UInt8], _ f: inout Fields) -> Bool {
    var i = 0
    func digits(_ minCount: Int, _ maxCount: Int) -> Int? {
      var n = 0
      var count = 0
      while count < maxCount, i < s.count, s[i] >= 0x30, s[i] <= 0x39 {
        n = n * 10 + Int(s[i] - 0x30)
        i += 1
        count += 1
      }
      return count >= minCount ? n : nil
    }
    for p in parts {
      switch p.token {
      case .literal(let c):
        guard i < s.count, s[i] == c else { return false }
        i += 1
      case .year4: guard let v = digits(4, 4) else { return false }; f.year = v
      case .year2: guard let v = digits(2, 2) else { return false }; f.year = 2000 + v
      case .month: guard let v = digits(p.fixed ? 2 : 1, 2) else { return false }; f.month = v
      case .day: guard let v = digits(p.fixed ? 2 : 1, 2) else { return false }; f.day = v
      case .hour: guard let v = digits(p.fixed ? 2 : 1, 2) else { return false }; f.hour = v
      case .minute: guard let v = digits(p.fixed ? 2 : 1, 2) else { return false }; f.minute = v
      case .second: guard let v = digits(p.fixed ? 2 : 1, 2) else { return false }; f.second = v
      case .fraction:
        let start = i
        guard let v = digits(1, 9) else { return false }
        f.fraction = Double(v) / pow(10, Double(i - start))
      }
    }
    return i == s.count
  }

  /// `yyyy-MM-dd`, `yyyy/MM/dd`, then optionally `T` or a space, `HH:mm[:ss[.fff]]`, and `Z` or
  /// `±HH[:]mm`.
  private func parseISO(_ s: [UInt8], _ f: inout Fields) -> Bool {
    var i = 0
    func digits(_ count: Int) -> Int? {
      guard i + count <= s.count else { return nil }
      var n = 0
      for k in 0..<count {
        let c = s[i + k]
        guard c >= 0x30, c <= 0x39 else { return nil }
        n = n * 10 + Int(c - 0x30)
      }
      i += count
      return n
    }
    func eat(_ c: UInt8) -> Bool {
      if i < s.count, s[i] == c {
        i += 1
        return true
      }
      return false
    }
    guard let y = digits(4) else { return false }
    let sep: UInt8 =
      i < s.count && s[i] == UInt8(ascii: "/") ? UInt8(ascii: "/") : UInt8(ascii: "-")
    guard eat(sep), let m = digits(2), eat(sep), let d = digits(2) else { return false }
    (f.year, f.month, f.day) = (y, m, d)
    if i == s.count { return true }
    guard eat(UInt8(ascii: "T")) || eat(UInt8(ascii: " ")) else { return false }
    guard let h = digits(2), eat(UInt8(ascii: ":")), let mi = digits(2) else { return false }
    (f.hour, f.minute) = (h, mi)
    if eat(UInt8(ascii: ":")) {
      guard let sec = digits(2) else { return false }
      f.second = sec
      if eat(UInt8(ascii: ".")) || eat(UInt8(ascii: ",")) {
        let start = i
        while i < s.count, s[i] >= 0x30, s[i] <= 0x39 { i += 1 }
        guard i > start else { return false }
        f.fraction =
          Double(String(decoding: s[start..<i], as: UTF8.self)).map {
            $0 / pow(10, Double(i - start))
          } ?? 0
      }
    }
    _ = eat(UInt8(ascii: " "))
    if i == s.count { return true }
    if eat(UInt8(ascii: "Z")) { f.offset = 0; return i == s.count }
    let sign: Int
    if eat(UInt8(ascii: "+")) {
      sign = 1
    } else if eat(UInt8(ascii: "-")) {
      sign = -1
    } else {
      return false
    }
    guard let oh = digits(2) else { return false }
    _ = eat(UInt8(ascii: ":"))
    let om = digits(2) ?? 0
    f.offset = sign * (oh * 3600 + om * 60)
    return i == s.count
  }
}
