import Foundation
import LeadLifecycle
import LeadboardTestSupport
import Testing

/// What fuzzing (Fuzz/, .ci/fuzz.sh) found, each input kept in Fuzz/corpus/ as well.
@Suite("Fuzz regressions (LeadLifecycle)")
struct FuzzRegressionTests {
  func problems(_ text: String) -> [ConfigProblem] { Playbook.problems(text) }

  /// Found by the playbook target: renaming a qualification field kept the default SQL entry
  /// criteria naming the old one; the playbook was accepted, the SQL stage could never be
  /// entered, and the exported playbook did not read back.
  @Test func defaultEntryCriteriaNeedTheirQualificationFields() {
    let text = """
      {
        qualification: {
          fields: [
            { id: "budge>", label: "予算" },
            { id: "authority" }, { id: "need" }, { id: "timeline" },
          ],
        },
      }
      """
    let found = problems(text)
    #expect(found.count == 1)
    #expect(found.first?.path == "qualification.fields")
    #expect(found.first?.position == SourcePosition(line: 2, column: 18))
    #expect(found.first?.message.contains("'budget'") == true)
    #expect(found.first?.message.contains("stages.sql.entry") == true)
  }

  @Test func renamedFieldsWithTheirOwnEntryCriteriaRoundTrip() throws {
    let text = """
      {
        qualification: { fields: [{ id: "money" }, { id: "need" }] },
        stages: { sql: { entry: ["owner", "money", "need"] } },
      }
      """
    let playbook = try Playbook.parse(text)
    #expect(try Playbook.parse(playbook.json.serialized(pretty: true)) == playbook)
  }
}

extension FuzzRegressionTests {
  /// Found with a seed of the playbook target: a whole-number setting beyond Int's range
  /// trapped in `Int(_:)` instead of being reported.
  @Test(arguments: [
    "{scoring: {mqlThreshold: 1e300}}", "{scoring: {floor: -1e300}}",
    "{scoring: {mqlThreshold: 9223372036854775808}}",
  ])
  func hugeWholeNumbersAreReportedNotTrapped(_ text: String) {
    let found = problems(text)
    #expect(found.count == 1)
    #expect(found.first?.path.hasPrefix("scoring.") == true)
    #expect(found.first?.message.hasPrefix("too large") == true)
  }
}

extension FuzzRegressionTests {
  /// Found while fuzzing the event decoder (by reading, not by the fuzzer: its inputs are
  /// short): every value's position was counted from the start of its line, so one long line
  /// took quadratic time (an 80 KB JSON Lines event: over two minutes instrumented; this
  /// 200 KB line: 234 s in a debug build before, 0.14 s after).
  @Test func oneLongLineParsesInLinearTime() throws {
    let n = 50_000
    let line =
      "{\"a\":[" + Array(repeating: "\"é\"", count: n).joined(separator: ",") + "],\"b\":x}"
    let started = ContinuousClock.now
    var error: JSONSyntaxError?
    do {
      _ = try JSON5Parser.parse(line)
    } catch let e {
      error = e
    }
    let elapsed = ContinuousClock.now - started
    #expect(elapsed < .seconds(5))
    // Columns count characters: 6 + n values of 3 characters + (n - 1) commas + "],\"b\":".
    #expect(error?.position == SourcePosition(line: 1, column: 6 + 4 * n + 6))
    #expect(error?.message == "unexpected word 'x': strings must be quoted")
  }
}
