import Foundation
import LeadLifecycle
import Testing

@Suite("JSON5 parser")
struct JSON5ParserTests {
  func parse(_ text: String) throws -> JSON { try JSON5Parser.parse(text) }

  func syntaxError(_ text: String) -> JSONSyntaxError? {
    do {
      _ = try JSON5Parser.parse(text)
      return nil
    } catch {
      return error
    }
  }

  @Test func plainJSON() throws {
    let v = try parse(#"{"a": [1, 2.5, -3e2, true, false, null], "b": "x\"y\u00e9"}"#)
    #expect(
      v
        == .object([
          ("a", .array([.int(1), .number(2.5), .number(-300), .bool(true), .bool(false), .null])),
          ("b", .string("x\"yé")),
        ]))
  }

  @Test func commentsEverywhere() throws {
    let v = try parse(
      """
      // leading line comment
      /* block
         comment */ {
        a: 1, // after a value
        /* before a key */ b: /* before a value */ 2,
      } // trailing
      """)
    #expect(v == .object([("a", .int(1)), ("b", .int(2))]))
  }

  @Test func trailingCommas() throws {
    #expect(try parse("[1, 2, 3,]") == .array([.int(1), .int(2), .int(3)]))
    #expect(
      try parse("{a: 1, b: [true,],}") == .object([("a", .int(1)), ("b", .array([.bool(true)]))]))
  }

  @Test func unquotedAndUnicodeKeys() throws {
    let v = try parse("{mqlThreshold: 60, $id: 'x', _private: 1, 名前: '山田'}")
    #expect(v["mqlThreshold"] == .int(60))
    #expect(v["$id"] == .string("x"))
    #expect(v["_private"] == .int(1))
    #expect(v["名前"] == .string("山田"))
  }

  @Test func singleQuotedStrings() throws {
    #expect(try parse(#"'it\'s "fine"'"#) == .string(#"it's "fine""#))
    #expect(try parse(#"{'key': 'value'}"#)["key"] == .string("value"))
  }

  @Test func numbersJSON5Style() throws {
    #expect(try parse("0xFF") == .int(255))
    #expect(try parse("-0x10") == .int(-16))
    #expect(try parse("+7") == .int(7))
    #expect(try parse(".5") == .number(0.5))
    #expect(try parse("5.") == .number(5))
    #expect(try parse("Infinity").numberValue == .infinity)
    #expect(try parse("-Infinity").numberValue == -.infinity)
    #expect(try parse("NaN").numberValue?.isNaN == true)
  }

  @Test func stringEscapes() throws {
    #expect(try parse(#""\n\t\\\/\x41\u3042\ud83d\ude00""#) == .string("\n\t\\/Aあ😀"))
    #expect(try parse("'line \\\ncontinued'") == .string("line continued"))
  }

  @Test func keysKeepSourceOrderAndPositions() throws {
    let v = try parse("{\n  zeta: 1,\n  alpha: [\n    true\n  ]\n}")
    let members = try #require(v.members)
    #expect(members.map(\.key) == ["zeta", "alpha"])
    #expect(members[0].keyPosition == SourcePosition(line: 2, column: 3))
    #expect(members[1].value.position == SourcePosition(line: 3, column: 10))
    #expect(members[1].value.elements?[0].position == SourcePosition(line: 4, column: 5))
  }

  @Test func positionsCountScalarsNotBytes() throws {
    // 「山田」 is 6 UTF-8 bytes but 2 columns of text.
    let v = try parse("{'山田': 1, b: 2}")
    #expect(v.members?[1].keyPosition == SourcePosition(line: 1, column: 11))
  }

  @Test func syntaxErrorOnLineThreeReportsLineAndColumn() throws {
    let e = try #require(syntaxError("{\n  a: 1,\n  b: @\n}"))
    #expect(e.position == SourcePosition(line: 3, column: 6))
    #expect(e.message == "unexpected '@': expected a value")
    #expect(e.description == "3:6: unexpected '@': expected a value")
  }

  @Test(arguments: [
    ("{a: 1", 1, 1, "unterminated object: missing '}'"),
    ("[1, 2", 1, 1, "unterminated array: missing ']'"),
    ("{a 1}", 1, 4, "expected ':' after key 'a' but found '1'"),
    ("{a: 1 b: 2}", 1, 7, "expected ',' or '}' after the value of 'a' but found 'b'"),
    ("[1,,2]", 1, 4, "unexpected ',': missing value in array"),
    ("\n\n  'abc", 3, 3, "unterminated string"),
    ("{a: yes}", 1, 5, "unexpected word 'yes': strings must be quoted"),
    ("{a: 1, a: 2}", 1, 8, "duplicate key 'a'"),
    ("/* never closed", 1, 1, "unterminated /* comment"),
    ("", 1, 1, "empty document: expected a value"),
    ("1 2", 1, 3, "unexpected '2' after the end of the value"),
    ("0x", 1, 3, "expected hexadecimal digits after 0x"),
    ("12abc", 1, 3, "malformed number: unexpected 'a'"),
    ("'a\nb'", 1, 3, "line break inside a string (escape it as \\n)"),
    ("{a: 1} /", 1, 8, "unexpected '/' at end of input"),
  ])
  func errorsNameThePlace(_ text: String, _ line: Int, _ column: Int, _ message: String) throws {
    let e = try #require(syntaxError(text))
    #expect(e.position == SourcePosition(line: line, column: column))
    #expect(e.message == message)
  }

  @Test func hostileDepthIsRefusedNotCrashed() throws {
    let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
    let e = try #require(syntaxError(deep))
    #expect(e.message == "nesting deeper than \(JSON5Parser.maximumDepth) levels")
    #expect(e.position == SourcePosition(line: 1, column: JSON5Parser.maximumDepth + 1))
  }

  @Test func depthLimitIsExact() throws {
    let n = JSON5Parser.maximumDepth
    let atLimit = String(repeating: "[", count: n) + String(repeating: "]", count: n)
    #expect(throws: Never.self) { try JSON5Parser.parse(atLimit) }
    let over = String(repeating: "{a:", count: n) + "1" + String(repeating: "}", count: n)
    #expect(syntaxError(over)?.message == "nesting deeper than \(n) levels")
  }

  @Test func byteOrderMarkIsSkipped() throws {
    let v = try JSON5Parser.parse(bytes: [0xEF, 0xBB, 0xBF] + Array("{a: 1}".utf8))
    #expect(v == .object([("a", .int(1))]))
    #expect(v.members?[0].keyPosition == SourcePosition(line: 1, column: 2))
  }

  @Test func serializedIsStrictJSONAndReparses() throws {
    let v = try parse("{a: 'x\\u0007y', b: [1.5, -2, null], c: {d: true}, 'e f': '日本'}")
    let text = v.serialized()
    #expect(text == #"{"a":"x\u0007y","b":[1.5,-2,null],"c":{"d":true},"e f":"日本"}"#)
    #expect(try parse(text) == v)
    #expect(try parse(v.serialized(pretty: true)) == v)
  }

  @Test func equalityIgnoresPositionsButNotOrder() throws {
    #expect(try parse("{\n a: 1, b: 2}") == .object([("a", .int(1)), ("b", .int(2))]))
    #expect(try parse("{b: 2, a: 1}") != .object([("a", .int(1)), ("b", .int(2))]))
  }
}
