import Foundation

/// The source of "now". Every rule takes time as an input; only the executable picks the
/// system clock, tests and `--now` pick a fixed one.
public protocol WallClock: Sendable {
  /// The current instant.
  func now() -> Date
}

/// The system clock: the only place in the domain that reads `Date()`.
public struct SystemWallClock: WallClock {
  public init() {}
  public func now() -> Date { Date() }
}

/// A clock that always answers the same instant (for `--now`).
public struct FixedWallClock: WallClock {
  public let instant: Date
  public init(_ instant: Date) { self.instant = instant }
  public func now() -> Date { instant }
}

// MARK: - ISO 8601

/// Fast, allocation-light ISO-8601 parsing and formatting in UTC, shared by the event format,
/// the playbook and the CLI's `--now`.
public enum ISO8601 {
  /// Parses `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM[:SS[.fff]]` with `Z` or `±HH:MM` (a space may stand
  /// for `T`). A date or time without an offset is taken as UTC.
  public static func parse(_ text: String) -> Date? {
    var utf8 = Array(text.utf8)
    while let last = utf8.last, last == 0x20 { utf8.removeLast() }
    return parse(bytes: utf8[...])
  }

  /// Parses from a byte slice (see `parse(_:)`).
  public static func parse(bytes b: ArraySlice<UInt8>) -> Date? {
    var i = b.startIndex
    func digits(_ n: Int) -> Int? {
      guard b.endIndex - i >= n else { return nil }
      var v = 0
      for k in 0..<n {
        let c = b[i + k]
        guard c >= 48, c <= 57 else { return nil }
        v = v * 10 + Int(c - 48)
      }
      i += n
      return v
    }
    func expect(_ c: UInt8) -> Bool {
      guard i < b.endIndex, b[i] == c else { return false }
      i += 1
      return true
    }
    guard let year = digits(4), expect(45), let month = digits(2), expect(45), let day = digits(2)
    else { return nil }
    guard (1...12).contains(month), day >= 1, day <= daysInMonth(year, month) else { return nil }
    var seconds = 0
    var fraction = 0.0
    var offset = 0
    if i < b.endIndex {
      guard b[i] == UInt8(ascii: "T") || b[i] == UInt8(ascii: "t") || b[i] == 0x20 else {
        return nil
      }
      i += 1
      guard let hour = digits(2), expect(58), let minute = digits(2), hour < 24, minute < 60 else {
        return nil
      }
      var second = 0
      if expect(58) {
        guard let s = digits(2), s < 61 else { return nil }
        second = s
        if i < b.endIndex, b[i] == UInt8(ascii: ".") || b[i] == UInt8(ascii: ",") {
          i += 1
          var scale = 0.1
          var any = false
          while i < b.endIndex, b[i] >= 48, b[i] <= 57 {
            fraction += Double(b[i] - 48) * scale
            scale /= 10
            i += 1
            any = true
          }
          if !any { return nil }
        }
      }
      seconds = hour * 3600 + minute * 60 + second
      if i < b.endIndex {
        if b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z") {
          i += 1
        } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
          let sign = b[i] == UInt8(ascii: "-") ? -1 : 1
          i += 1
          guard let oh = digits(2) else { return nil }
          _ = expect(58)
          guard let om = digits(2), oh < 24, om < 60 else { return nil }
          offset = sign * (oh * 3600 + om * 60)
        } else {
          return nil
        }
      }
    }
    guard i == b.endIndex else { return nil }
    let days = daysFromCivil(year, month, day)
    return Date(timeIntervalSince1970: Double(days * 86400 + seconds - offset) + fraction)
  }

  /// Formats as `YYYY-MM-DDTHH:MM:SSZ`, with milliseconds when the instant has a fraction.
  public static func format(_ date: Date) -> String {
    let t = date.timeIntervalSince1970
    var whole = Int(t.rounded(.down))
    var millis = Int(((t - Double(whole)) * 1000).rounded())
    if millis == 1000 {
      whole += 1
      millis = 0
    }
    let days = Int((Double(whole) / 86400).rounded(.down))
    let secs = whole - days * 86400
    let (y, m, d) = civilFromDays(days)
    var s = pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2) + "T"
    s += pad(secs / 3600, 2) + ":" + pad(secs % 3600 / 60, 2) + ":" + pad(secs % 60, 2)
    if millis != 0 { s += "." + pad(millis, 3) }
    return s + "Z"
  }

  /// Formats the UTC calendar date as `YYYY-MM-DD`.
  public static func formatDate(_ date: Date) -> String {
    String(format(date).prefix(10))
  }

  private static func pad(_ v: Int, _ width: Int) -> String {
    let s = String(v)
    return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
  }

  static func daysInMonth(_ y: Int, _ m: Int) -> Int {
    switch m {
    case 2: return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 ? 29 : 28
    case 4, 6, 9, 11: return 30
    default: return 31
    }
  }

  /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
  static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
    let y = m <= 2 ? y0 - 1 : y0
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    return era * 146097 + doe - 719468
  }

  static func civilFromDays(_ z0: Int) -> (Int, Int, Int) {
    let z = z0 + 719468
    let era = (z >= 0 ? z : z - 146096) / 146097
    let doe = z - era * 146097
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
    let y = yoe + era * 400
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let d = doy - (153 * mp + 2) / 5 + 1
    let m = mp + (mp < 10 ? 3 : -9)
    return (m <= 2 ? y + 1 : y, m, d)
  }
}

// MARK: - Durations

/// A span of time written the way people write it in a playbook: `5m`, `36h`, `3d`, `2w`,
/// or combined (`1d12h`). Stored in seconds.
public struct Span: Sendable, Hashable, Comparable, CustomStringConvertible {
  public var seconds: TimeInterval

  public init(seconds: TimeInterval) { self.seconds = seconds }
  public static func minutes(_ m: Double) -> Span { Span(seconds: m * 60) }
  public static func hours(_ h: Double) -> Span { Span(seconds: h * 3600) }
  public static func days(_ d: Double) -> Span { Span(seconds: d * 86400) }

  public var days: Double { seconds / 86400 }

  public static func < (a: Span, b: Span) -> Bool { a.seconds < b.seconds }

  /// Parses `90s`, `5m`, `36h`, `3d`, `2w` and sums like `1d12h`. Nil when malformed.
  public init?(parsing text: String) {
    var total = 0.0
    var number = ""
    var any = false
    for ch in text.trimmingCharacters(in: .whitespaces) {
      if ch.isASCII, ch.isNumber || ch == "." {
        number.append(ch)
        continue
      }
      guard let n = Double(number) else { return nil }
      let unit: Double
      switch ch {
      case "s": unit = 1
      case "m": unit = 60
      case "h": unit = 3600
      case "d": unit = 86400
      case "w": unit = 604800
      default: return nil
      }
      total += n * unit
      number = ""
      any = true
    }
    guard number.isEmpty, any else { return nil }
    seconds = total
  }

  /// The shortest exact spelling (`5m`, `3d`, `1d12h`).
  public var description: String {
    var rest = Int(seconds.rounded())
    if rest == 0 { return "0s" }
    if rest % 86400 == 0 {
      let days = rest / 86400
      return days % 7 == 0 ? "\(days / 7)w" : "\(days)d"
    }
    var out = ""
    for (unit, suffix) in [(604800, "w"), (86400, "d"), (3600, "h"), (60, "m"), (1, "s")] {
      if rest >= unit {
        out += "\(rest / unit)\(suffix)"
        rest %= unit
      }
    }
    return out
  }

  /// A compact human rendering for a countdown: `4m12s`, `3h05m`, `2d4h`.
  public static func humanize(_ interval: TimeInterval) -> String {
    let negative = interval < 0
    let s = Int(abs(interval).rounded(.down))
    let text: String
    if s < 60 {
      text = "\(s)s"
    } else if s < 3600 {
      text = "\(s / 60)m\(String(format: "%02d", s % 60))s"
    } else if s < 86400 {
      text = "\(s / 3600)h\(String(format: "%02d", s % 3600 / 60))m"
    } else {
      text = "\(s / 86400)d\(s % 86400 / 3600)h"
    }
    return negative ? "-" + text : text
  }
}
