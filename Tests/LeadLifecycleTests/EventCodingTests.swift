import Foundation
import LeadLifecycle
import LeadboardTestSupport
import Testing

@Suite("Event wire format")
struct EventCodingTests {
  @Test func samplesCoverEveryPayloadCase() {
    #expect(Set(EventSamples.oneOfEach.map(\.type)) == Set(EventType.allCases))
    #expect(Set(EventSamples.oneOfEach.map(\.id)).count == EventSamples.oneOfEach.count)
  }

  @Test(arguments: EventSamples.oneOfEach)
  func roundTripsThroughJSON(_ event: Event) throws {
    #expect(try Event(json: event.json) == event)
  }

  @Test(arguments: EventSamples.oneOfEach)
  func roundTripsThroughOneLineOfText(_ event: Event) throws {
    let line = event.jsonLine
    #expect(!line.contains("\n"))
    #expect(try Event(jsonLine: line) == event)
  }

  @Test func exampleLineDecodes() throws {
    let line =
      #"{"id":"e1","type":"form_submit","at":"2026-11-02T09:00:00Z","lead":"L1","visitor":"v-9","email":"taro@example.jp","name":"山田太郎","company":"株式会社サンプル"}"#
    let e = try Event(jsonLine: line)
    #expect(e.id == "e1")
    #expect(e.type == .formSubmit)
    #expect(e.at == at("2026-11-02T09:00:00Z"))
    #expect(e.lead == "L1")
    #expect(e.visitor == "v-9")
    #expect(e.actor == nil)
    #expect(
      e.payload
        == .formSubmit(
          form: nil,
          profile: Profile(email: "taro@example.jp", name: "山田太郎", company: "株式会社サンプル")))
    #expect(e.jsonLine == line)
  }

  @Test func wireOrderIsEnvelopeThenPayload() {
    let e = Event(
      id: "e7", at: Fixed.reference, lead: "L1", actor: "a", cause: "e6",
      .contactAttempt(channel: .phone, outcome: .noAnswer))
    #expect(
      e.jsonLine
        == #"{"id":"e7","type":"contact_attempt","at":"2026-11-02T09:00:00Z","lead":"L1","actor":"a","cause":"e6","channel":"phone","outcome":"no_answer"}"#
    )
  }

  @Test func numbersMayStandForStringsAndNullsForAbsence() throws {
    let e = try Event(
      jsonLine:
        #"{"id":"e1","type":"profile_updated","at":"2026-11-02","lead":"L1","phone":312345678,"title":null,"employees":"250","extra":{"tier":3,"vip":true,"gone":null}}"#
    )
    #expect(
      e.payload
        == .profileUpdated(
          profile: Profile(employees: 250, phone: "312345678", extra: ["tier": "3", "vip": "true"]))
    )
  }

  @Test func anonymousPageViewNeedsNoLead() throws {
    let e = try Event(
      jsonLine:
        #"{"id":"p1","type":"page_view","at":"2026-11-02T09:00:00Z","visitor":"v-9","path":"/pricing"}"#
    )
    #expect(e.lead == nil)
    #expect(e.payload == .pageView(path: "/pricing", referrer: nil))
  }

  struct BadLine: CustomTestStringConvertible, Sendable {
    var line: String
    var field: String
    var message: String
    var testDescription: String { "\(field): \(message)" }
  }

  static let badLines: [BadLine] = [
    BadLine(
      line: #"{"id":"e1","type":"form_sumbit","at":"2026-11-02T09:00:00Z","lead":"L1"}"#,
      field: "type", message: "unknown event type 'form_sumbit'"),
    BadLine(
      line: #"{"type":"form_submit","at":"2026-11-02T09:00:00Z","lead":"L1"}"#,
      field: "id", message: "missing"),
    BadLine(
      line: #"{"id":"","type":"demo_request","at":"2026-11-02T09:00:00Z","lead":"L1"}"#,
      field: "id", message: "missing"),
    BadLine(
      line: #"{"id":"e1","type":"form_submit","at":"2026-11-31T09:00:00Z","lead":"L1"}"#,
      field: "at",
      message:
        "expected an ISO-8601 time such as 2026-11-02T09:00:00Z, found '2026-11-31T09:00:00Z'"),
    BadLine(
      line: #"{"id":"e1","type":"form_submit","lead":"L1"}"#, field: "at", message: "missing"),
    BadLine(
      line:
        #"{"id":"e1","type":"form_submit","at":"2026-11-02T09:00:00Z","lead":"L1","colour":"red"}"#,
      field: "colour",
      message: "unknown field for form_submit (put other attributes under \"extra\")"),
    BadLine(
      line: #"{"id":"e1","type":"demo_request","at":"2026-11-02T09:00:00Z"}"#,
      field: "lead", message: "missing: every event but an anonymous page view names a lead"),
    BadLine(
      line:
        #"{"id":"e1","type":"contact_attempt","at":"2026-11-02T09:00:00Z","lead":"L1","channel":"pigeon","outcome":"replied"}"#,
      field: "channel", message: "unknown value 'pigeon'"),
    BadLine(
      line:
        #"{"id":"e1","type":"contact_attempt","at":"2026-11-02T09:00:00Z","lead":"L1","channel":"phone"}"#,
      field: "outcome", message: "missing"),
    BadLine(
      line:
        #"{"id":"e1","type":"opportunity_created","at":"2026-11-02T09:00:00Z","lead":"L1","value":-5}"#,
      field: "value", message: "must be a finite amount ≥ 0"),
    BadLine(
      line:
        #"{"id":"e1","type":"opportunity_created","at":"2026-11-02T09:00:00Z","lead":"L1","stakeholders":["a",2]}"#,
      field: "stakeholders[1]", message: "expected a string"),
    BadLine(
      line:
        #"{"id":"e1","type":"form_submit","at":"2026-11-02T09:00:00Z","lead":"L1","employees":12.5}"#,
      field: "employees", message: "expected a whole number, found 12.5"),
    BadLine(
      line:
        #"{"id":"e1","type":"form_submit","at":"2026-11-02T09:00:00Z","lead":"L1","email":["a"]}"#,
      field: "email", message: "expected a string, found an array"),
    BadLine(
      line:
        #"{"id":"e1","type":"visitor_stitched","at":"2026-11-02T09:00:00Z","lead":"L1","views":[]}"#,
      field: "visitor", message: "missing: required for visitor_stitched"),
    BadLine(
      line:
        #"{"id":12345678901234567891,"type":"note","at":"2026-11-02T09:00:00Z","lead":"L1","text":"x"}"#,
      field: "id", message: "1.2345678901234567e+19 is not a whole number below 2^53"),
    // 2^53 + 1 parses as 2^53: both are refused, as either could be the other.
    BadLine(
      line:
        #"{"id":9007199254740993,"type":"note","at":"2026-11-02T09:00:00Z","lead":"L1","text":"x"}"#,
      field: "id", message: "9007199254740992 is not a whole number below 2^53"),
    BadLine(
      line: #"{"id":"e1","type":"note","at":"2026-11-02T09:00:00Z","lead":1.5,"text":"x"}"#,
      field: "lead", message: "1.5 is not a whole number below 2^53: write the id as a string"),
    BadLine(
      line: #"["not","an","object"]"#, field: "", message: "expected a JSON object, found an array"),
    BadLine(
      line: #"{"id":"e1","type":"note","at":"2026-11-02T09:00:00Z","lead":"L1","text":"x""#,
      field: "", message: "invalid JSON at column 1: unterminated object: missing '}'"),
  ]

  @Test(arguments: badLines)
  func badLinesNameTheField(_ bad: BadLine) {
    let error = #expect(throws: EventDecodingError.self) { try Event(jsonLine: bad.line) }
    #expect(error?.field == bad.field)
    #expect(error?.message.hasPrefix(bad.message) == true, "\(error?.message ?? "no error")")
  }

  @Test func aWholeNumberIdReadsAsItsDigits() throws {
    let e = try Event(
      jsonLine:
        #"{"id":9007199254740991,"type":"note","at":"2026-11-02T09:00:00Z","lead":777,"text":"x"}"#)
    #expect(e.id == "9007199254740991")
    #expect(e.lead == "777")
  }

  @Test func errorDescriptionPrefixesTheField() {
    #expect(
      EventDecodingError(field: "at", message: "missing").description == "at: missing")
    #expect(EventDecodingError(field: "", message: "bad").description == "bad")
  }

  @Test func everyTypeNameIsKnownAndListed() {
    for t in EventType.allCases {
      #expect(EventType(rawValue: t.rawValue) == t)
      #expect(EventType.nameList.contains(t.rawValue))
    }
    #expect(EventType.ruleOutcomes.isDisjoint(with: EventType.captures))
  }
}
