import Foundation
import LeadLifecycle
import LeadboardTestSupport
import Testing

/// Numbers and durations too big for the machine are problems with a place, not a crash
/// (a hostile playbook with `mqlThreshold: 1e308` used to trap converting it to Int).
@Suite("Playbook limits")
struct PlaybookLimitsTests {
  func problems(_ text: String) -> [ConfigProblem] { Playbook.problems(text) }

  @Test(arguments: ["1e308", "1e300", "9223372036854775807", "1e19"])
  func aWholeNumberTooLargeIsAProblem(_ number: String) {
    let found = problems("{ scoring: { mqlThreshold: \(number) } }")
    #expect(found.map(\.path) == ["scoring.mqlThreshold"])
    #expect(found.first?.message.hasPrefix("too large") == true)
  }

  @Test func aDurationOfMoreThanAHundredYearsIsAProblem() {
    let found = problems(#"{ stages: { known: { stallAfter: "99999999999999999999d" } } }"#)
    #expect(found.map(\.path) == ["stages.known.stallAfter"])
    #expect(found.first?.message == "too long: at most 100 years")
  }

  @Test func largeButSaneValuesStillParse() throws {
    let p = try Playbook.parse(
      #"{ scoring: { mqlThreshold: 1000000 }, stages: { known: { stallAfter: "520w" } } }"#)
    #expect(p.scoring.mqlThreshold == 1_000_000)
  }
}
