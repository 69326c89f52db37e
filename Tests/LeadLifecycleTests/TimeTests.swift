import Foundation
import LeadLifecycle
import LeadboardTestSupport
import Testing

@Suite("ISO 8601")
struct ISO8601Tests {
  /// 2026-11-02T09:00:00Z as seconds since 1970 (checked with Python's datetime).
  static let referenceEpoch: TimeInterval = 1_793_610_000

  @Test func parsesUTCInstant() throws {
    let d = try #require(ISO8601.parse("2026-11-02T09:00:00Z"))
    #expect(d.timeIntervalSince1970 == Self.referenceEpoch)
  }

  @Test(arguments: [
    "2026-11-02T09:00:00Z",
    "2026-11-02T09:00:00z",
    "2026-11-02t09:00:00Z",
    "2026-11-02 09:00:00Z",
    "2026-11-02T09:00Z",
    "2026-11-02T09:00:00",
    "2026-11-02T18:00:00+09:00",
    "2026-11-02T18:00:00+0900",
    "2026-11-02T04:00:00-05:00",
    "2026-11-02T09:00:00.000Z",
    "2026-11-02T09:00:00Z  ",
  ])
  func everySpellingOfTheSameInstant(_ text: String) {
    #expect(ISO8601.parse(text)?.timeIntervalSince1970 == Self.referenceEpoch)
  }

  @Test func dateOnlyIsUTCMidnight() {
    #expect(ISO8601.parse("2026-11-02") == at("2026-11-02T00:00:00Z"))
  }

  @Test func fractionalSeconds() {
    let d = ISO8601.parse("2026-11-02T09:00:00.25Z")
    #expect(d?.timeIntervalSince1970 == Self.referenceEpoch + 0.25)
    #expect(
      ISO8601.parse("2026-11-02T09:00:00,5Z")?.timeIntervalSince1970 == Self.referenceEpoch + 0.5)
  }

  @Test func leapYears() {
    #expect(ISO8601.parse("2028-02-29") != nil)
    #expect(ISO8601.parse("2000-02-29") != nil)
    #expect(ISO8601.parse("2026-02-29") == nil)
    #expect(ISO8601.parse("2100-02-29") == nil)
  }

  @Test(arguments: [
    "", "2026", "2026-11", "2026-13-01", "2026-00-10", "2026-11-31", "2026-11-02T24:00:00Z",
    "2026-11-02T09:60:00Z", "2026-11-02T09:00:00+25:00", "2026-11-02T09:00:00Q",
    "2026-11-02T09:00:00.Z", "2026-11-02X09:00:00Z", "26-11-02", "2026/11/02",
    "2026-11-02T09:00:00Z trailing", "next monday",
  ])
  func rejectsMalformed(_ text: String) {
    #expect(ISO8601.parse(text) == nil)
  }

  @Test func formatsWholeSecondsAndMilliseconds() {
    #expect(ISO8601.format(Fixed.reference) == "2026-11-02T09:00:00Z")
    #expect(ISO8601.format(Fixed.reference.addingTimeInterval(0.25)) == "2026-11-02T09:00:00.250Z")
    #expect(ISO8601.format(Fixed.reference.addingTimeInterval(0.9996)) == "2026-11-02T09:00:01Z")
    #expect(ISO8601.formatDate(at("2026-12-31T23:59:59Z")) == "2026-12-31")
  }

  @Test func formatsInstantsBefore1970() {
    #expect(ISO8601.format(Date(timeIntervalSince1970: -1)) == "1969-12-31T23:59:59Z")
    #expect(ISO8601.format(at("1900-03-01T12:00:00Z")) == "1900-03-01T12:00:00Z")
  }

  @Test(arguments: [
    "2026-11-02T09:00:00Z", "2028-02-29T23:59:59Z", "1970-01-01T00:00:00Z",
    "2099-12-31T12:34:56.789Z", "1999-12-31T23:59:59Z",
  ])
  func formatThenParseIsIdentity(_ text: String) throws {
    let d = try #require(ISO8601.parse(text))
    #expect(ISO8601.format(d) == text)
  }

  @Test func offsetsAreNormalisedToUTCOnFormat() {
    #expect(ISO8601.format(at("2026-11-03T01:30:00+09:00")) == "2026-11-02T16:30:00Z")
  }
}

@Suite("Spans")
struct SpanTests {
  @Test(arguments: [
    ("90s", 90.0), ("5m", 300.0), ("36h", 129_600.0), ("3d", 259_200.0),
    ("2w", 1_209_600.0), ("1d12h", 129_600.0), ("1.5h", 5_400.0), (" 7d ", 604_800.0),
    ("1w2d3h4m5s", 788_645.0),
  ])
  func parses(_ text: String, _ seconds: Double) {
    #expect(Span(parsing: text)?.seconds == seconds)
  }

  @Test(arguments: ["", "5", "m", "5x", "d5", "5 m", "-5m", "5mm", "1.2.3h", "five minutes"])
  func rejects(_ text: String) {
    #expect(Span(parsing: text) == nil)
  }

  @Test(arguments: [
    (300.0, "5m"), (259_200.0, "3d"), (604_800.0, "1w"), (129_600.0, "1d12h"), (0.0, "0s"),
    (90.0, "1m30s"), (1_213_200.0, "2w1h"),
  ])
  func describesShortestExactSpelling(_ seconds: Double, _ text: String) {
    #expect(Span(seconds: seconds).description == text)
    #expect(Span(parsing: text)?.seconds == seconds)
  }

  @Test func constructorsAndOrdering() {
    #expect(Span.minutes(5) == Span(seconds: 300))
    #expect(Span.hours(2).seconds == 7_200)
    #expect(Span.days(1.5).days == 1.5)
    #expect(Span.minutes(59) < Span.hours(1))
  }

  @Test(arguments: [
    (42.0, "42s"), (252.0, "4m12s"), (11_100.0, "3h05m"), (187_200.0, "2d4h"),
    (-90.0, "-1m30s"), (59.9, "59s"),
  ])
  func humanizesCountdowns(_ interval: TimeInterval, _ text: String) {
    #expect(Span.humanize(interval) == text)
  }
}

@Suite("Manual clock")
struct ManualClockTests {
  @Test func movesOnlyWhenTold() {
    let clock = ManualClock("2026-11-02T09:00:00Z")
    #expect(clock.now() == Fixed.reference)
    #expect(clock.now() == Fixed.reference)
    clock.advance(by: .minutes(5))
    #expect(clock.now() == at("2026-11-02T09:05:00Z"))
    #expect(clock.advance(by: .days(1)) == at("2026-11-03T09:05:00Z"))
    clock.set("2026-12-01T00:00:00Z")
    #expect(ISO8601.format(clock.now()) == "2026-12-01T00:00:00Z")
  }

  @Test func isAWallClock() {
    let clock: any WallClock = ManualClock(Fixed.reference)
    #expect(clock.now() == FixedWallClock(Fixed.reference).now())
  }

  @Test func localTimeIsExplicitAboutTheZone() {
    #expect(Fixed.reference.local(in: "Asia/Tokyo") == "2026-11-02 18:00 Mon")
    #expect(Fixed.reference.local(in: "Europe/London") == "2026-11-02 09:00 Mon")
    #expect(Fixed.reference.local(in: "America/Chicago") == "2026-11-02 03:00 Mon")
  }
}
