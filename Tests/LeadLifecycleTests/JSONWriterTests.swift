import Foundation
import LeadLifecycle
import Testing

@Suite("JSON writer")
struct JSONWriterTests {
  /// The plain fast path and the escaping path write the same literals they always did.
  @Test(arguments: [
    ("", #""""#),
    ("plain ascii", #""plain ascii""#),
    ("山田 太郎 株式会社サンプル", #""山田 太郎 株式会社サンプル""#),
    ("café — “quoted” €", #""café — “quoted” €""#),
    ("a\"b\\c", #""a\"b\\c""#),
    ("line\nfeed\ttab\r", #""line\nfeed\ttab\r""#),
    ("esc\u{1B}[2J bell\u{07} del\u{7F}", #""esc\u001b[2J bell\u0007 del\u007f""#),
    ("c1 \u{85} \u{9F} ok \u{A0}", "\"c1 \\u0085 \\u009f ok \u{A0}\""),
    ("separators \u{2028}\u{2029} dash \u{2014}", #""separators \u2028\u2029 dash —""#),
    ("\u{08}\u{0C}", #""\b\f""#),
  ])
  func stringsAreEscapedAsBefore(_ input: String, _ expected: String) {
    var out = ""
    JSON.writeString(input, into: &out)
    #expect(out == expected)
  }
}
