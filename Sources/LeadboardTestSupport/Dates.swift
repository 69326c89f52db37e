import Foundation
import LeadLifecycle

/// The instant an ISO-8601 text names (`2026-11-02T09:00:00Z`, `2026-11-02T18:00:00+09:00`,
/// `2026-11-02`). Crashes on a malformed literal: fixtures are constants, a typo is a test bug.
public func at(_ iso: String) -> Date {
  guard let date = ISO8601.parse(iso) else {
    preconditionFailure("not an ISO-8601 instant: '\(iso)'")
  }
  return date
}

/// Fixed instants the suites share. Every test pins its time through these or `at(_:)`;
/// none reads the system clock.
public enum Fixed {
  /// Monday 2026-11-02 09:00 UTC (18:00 in Tokyo, 09:00 in London): the reference instant.
  public static let reference = at("2026-11-02T09:00:00Z")
  /// The reference instant as text.
  public static let referenceText = "2026-11-02T09:00:00Z"
}

extension Date {
  /// This instant moved by `span` (negative spans move back).
  public func plus(_ span: Span) -> Date { addingTimeInterval(span.seconds) }

  /// This instant moved back by `span`.
  public func minus(_ span: Span) -> Date { addingTimeInterval(-span.seconds) }

  /// The wall-clock time of this instant in an explicitly named IANA zone, as
  /// `YYYY-MM-DD HH:MM EEE` (`2026-11-02 18:00 Mon`), for assertions about local time.
  public func local(in zone: String) -> String {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: zone)!
    let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .weekday], from: self)
    let day = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"][c.weekday! - 1]
    return String(
      format: "%04d-%02d-%02d %02d:%02d ", c.year!, c.month!, c.day!, c.hour!, c.minute!)
      + day
  }
}

extension Span {
  /// Whole weeks.
  public static func weeks(_ w: Double) -> Span { Span(seconds: w * 604_800) }
  /// Whole seconds.
  public static func seconds(_ s: Double) -> Span { Span(seconds: s) }
}
