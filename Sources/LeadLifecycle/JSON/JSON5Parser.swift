import Foundation

/// A syntax error in a JSON or JSON5 text, with the line and column where it was found.
public struct JSONSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
  public var position: SourcePosition
  public var message: String

  public init(position: SourcePosition, message: String) {
    self.position = position
    self.message = message
  }

  public var description: String { "\(position): \(message)" }
}

/// Parses JSON5 (a superset of JSON): comments, trailing commas, unquoted keys, single-quoted
/// strings, hexadecimal numbers, leading or trailing decimal points, `+`, `Infinity` and `NaN`.
///
/// Why our own parser rather than `JSONDecoder.allowsJSON5`: on Linux, Foundation reports a
/// syntax error as "The given data was not valid JSON." with no line or column, and a decoded
/// type stops at its first problem. A human-edited playbook needs every problem with its place.
public struct JSON5Parser {
  private let bytes: [UInt8]
  private var index = 0
  private var line = 1
  private var lineStart = 0
  /// The column at `markIndex` on the line that starts at `markLineStart`, so that each
  /// `currentPosition()` counts on from the last one (counting from the line's start every
  /// time made one long line, a JSON Lines event or a minified file, quadratic).
  private var markLineStart = -1
  private var markIndex = 0
  private var markColumn = 1
  /// Nesting deeper than this is refused rather than risking the stack on hostile input.
  public static let maximumDepth = 256

  /// Parses a whole document: one value, optionally surrounded by whitespace and comments.
  public static func parse(_ text: String) throws(JSONSyntaxError) -> JSON {
    try parse(bytes: Array(text.utf8))
  }

  /// Parses a whole document from UTF-8 bytes (a leading byte-order mark is skipped).
  public static func parse(bytes: [UInt8]) throws(JSONSyntaxError) -> JSON {
    var p = JSON5Parser(bytes: bytes)
    if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
      p.index = 3
      p.lineStart = 3
    }
    try p.skipTrivia()
    if p.index >= bytes.count { throw p.error("empty document: expected a value") }
    let value = try p.parseValue(depth: 0)
    try p.skipTrivia()
    if p.index < bytes.count {
      throw p.error("unexpected \(p.describeCurrent()) after the end of the value")
    }
    return value
  }

  private init(bytes: [UInt8]) {
    self.bytes = bytes
  }

  // MARK: - Positions and errors

  private var position: SourcePosition {
    var column = 1
    var i = lineStart
    while i < index {
      if bytes[i] & 0xC0 != 0x80 { column += 1 }
      i += 1
    }
    return SourcePosition(line: line, column: column)
  }

  /// `position`, in time proportional to the bytes read since the last call.
  private mutating func currentPosition() -> SourcePosition {
    if markLineStart != lineStart || markIndex > index {
      markLineStart = lineStart
      markIndex = lineStart
      markColumn = 1
    }
    while markIndex < index {
      if bytes[markIndex] & 0xC0 != 0x80 { markColumn += 1 }
      markIndex += 1
    }
    return SourcePosition(line: line, column: markColumn)
  }

  private func error(_ message: String) -> JSONSyntaxError {
    JSONSyntaxError(position: position, message: message)
  }

  private func describeCurrent() -> String {
    guard index < bytes.count else { return "end of input" }
    let b = bytes[index]
    if b >= 0x21 && b < 0x7F { return "'\(Character(UnicodeScalar(b)))'" }
    return String(format: "byte 0x%02X", b)
  }

  private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

  private mutating func advance() {
    if bytes[index] == UInt8(ascii: "\n") {
      line += 1
      lineStart = index + 1
    }
    index += 1
  }

  // MARK: - Trivia

  private mutating func skipTrivia() throws(JSONSyntaxError) {
    while let b = current {
      switch b {
      case 0x20, 0x09, 0x0A, 0x0D, 0x0B, 0x0C:
        advance()
      case 0xC2 where index + 1 < bytes.count && bytes[index + 1] == 0xA0:  // NBSP
        index += 2
      case 0xEF
      where index + 2 < bytes.count && bytes[index + 1] == 0xBB && bytes[index + 2] == 0xBF:
        index += 3  // a stray BOM
      case 0xE2
      where index + 2 < bytes.count && bytes[index + 1] == 0x80
        && (bytes[index + 2] == 0xA8 || bytes[index + 2] == 0xA9):
        index += 3
        line += 1
        lineStart = index
      case UInt8(ascii: "/"):
        guard index + 1 < bytes.count else { throw error("unexpected '/' at end of input") }
        if bytes[index + 1] == UInt8(ascii: "/") {
          while let c = current, c != 0x0A { advance() }
        } else if bytes[index + 1] == UInt8(ascii: "*") {
          let start = currentPosition()
          advance()
          advance()
          var closed = false
          while let c = current {
            if c == UInt8(ascii: "*"), index + 1 < bytes.count,
              bytes[index + 1] == UInt8(ascii: "/")
            {
              advance()
              advance()
              closed = true
              break
            }
            advance()
          }
          if !closed {
            throw JSONSyntaxError(position: start, message: "unterminated /* comment")
          }
        } else {
          throw error("unexpected '/': comments start with // or /*")
        }
      default:
        return
      }
    }
  }

  // MARK: - Values

  private mutating func parseValue(depth: Int) throws(JSONSyntaxError) -> JSON {
    guard depth < JSON5Parser.maximumDepth else {
      throw error("nesting deeper than \(JSON5Parser.maximumDepth) levels")
    }
    let start = currentPosition()
    guard let b = current else { throw error("unexpected end of input: expected a value") }
    switch b {
    case UInt8(ascii: "{"): return try parseObject(depth: depth, start: start)
    case UInt8(ascii: "["): return try parseArray(depth: depth, start: start)
    case UInt8(ascii: "\""), UInt8(ascii: "'"):
      return JSON(.string(try parseString()), at: start)
    case UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."),
      UInt8(ascii: "0")...UInt8(ascii: "9"):
      return JSON(.number(try parseNumber()), at: start)
    default:
      if let word = identifierWord() {
        switch word {
        case "true": return JSON(.bool(true), at: start)
        case "false": return JSON(.bool(false), at: start)
        case "null": return JSON(.null, at: start)
        case "Infinity": return JSON(.number(.infinity), at: start)
        case "NaN": return JSON(.number(.nan), at: start)
        default:
          throw JSONSyntaxError(
            position: start,
            message: "unexpected word '\(word)': strings must be quoted")
        }
      }
      throw error("unexpected \(describeCurrent()): expected a value")
    }
  }

  /// Reads a bare word of letters, digits, `_` and `$` (used for literals and unquoted keys).
  private mutating func identifierWord() -> String? {
    let s = index
    while let c = current,
      (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z"))
        || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
        || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || c == UInt8(ascii: "_")
        || c == UInt8(ascii: "$") || c >= 0x80
    {
      if index == s, c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") { break }
      if c >= 0x80 {
        // Non-ASCII letters are allowed in JSON5 identifiers; stop at non-letters.
        guard let (scalar, length) = decodeScalar(at: index),
          scalar.properties.isAlphabetic || scalar.properties.numericType != nil
        else { break }
        index += length
        continue
      }
      index += 1
    }
    guard index > s else { return nil }
    return String(decoding: bytes[s..<index], as: UTF8.self)
  }

  private func decodeScalar(at i: Int) -> (Unicode.Scalar, Int)? {
    var iterator = bytes[i...].makeIterator()
    var decoder = UTF8()
    switch decoder.decode(&iterator) {
    case .scalarValue(let scalar):
      return (scalar, String(scalar).utf8.count)
    default:
      return nil
    }
  }

  private mutating func parseObject(depth: Int, start: SourcePosition) throws(JSONSyntaxError)
    -> JSON
  {
    advance()  // {
    var members: [JSON.Member] = []
    var seen = Set<String>()
    while true {
      try skipTrivia()
      guard let c = current else {
        throw JSONSyntaxError(position: start, message: "unterminated object: missing '}'")
      }
      if c == UInt8(ascii: "}") {
        advance()
        return JSON(.object(members), at: start)
      }
      let keyPosition = currentPosition()
      let key: String
      if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") {
        key = try parseString()
      } else if let word = identifierWord() {
        key = word
      } else {
        throw error("expected a key or '}' but found \(describeCurrent())")
      }
      if seen.contains(key) {
        throw JSONSyntaxError(position: keyPosition, message: "duplicate key '\(key)'")
      }
      seen.insert(key)
      try skipTrivia()
      guard current == UInt8(ascii: ":") else {
        throw error("expected ':' after key '\(key)' but found \(describeCurrent())")
      }
      advance()
      try skipTrivia()
      let value = try parseValue(depth: depth + 1)
      members.append(JSON.Member(key: key, keyPosition: keyPosition, value: value))
      try skipTrivia()
      if current == UInt8(ascii: ",") {
        advance()
      } else if current == UInt8(ascii: "}") {
        continue
      } else if current == nil {
        throw JSONSyntaxError(position: start, message: "unterminated object: missing '}'")
      } else {
        throw error(
          "expected ',' or '}' after the value of '\(key)' but found \(describeCurrent())")
      }
    }
  }

  private mutating func parseArray(depth: Int, start: SourcePosition) throws(JSONSyntaxError)
    -> JSON
  {
    advance()  // [
    var items: [JSON] = []
    while true {
      try skipTrivia()
      guard let c = current else {
        throw JSONSyntaxError(position: start, message: "unterminated array: missing ']'")
      }
      if c == UInt8(ascii: "]") {
        advance()
        return JSON(.array(items), at: start)
      }
      if c == UInt8(ascii: ",") { throw error("unexpected ',': missing value in array") }
      items.append(try parseValue(depth: depth + 1))
      try skipTrivia()
      if current == UInt8(ascii: ",") {
        advance()
      } else if current == UInt8(ascii: "]") {
        continue
      } else if current == nil {
        throw JSONSyntaxError(position: start, message: "unterminated array: missing ']'")
      } else {
        throw error("expected ',' or ']' in array but found \(describeCurrent())")
      }
    }
  }

  private mutating func parseString() throws(JSONSyntaxError) -> String {
    let quote = bytes[index]
    let start = currentPosition()
    advance()
    var out: [UInt8] = []
    while true {
      guard let c = current else {
        throw JSONSyntaxError(position: start, message: "unterminated string")
      }
      if c == quote {
        advance()
        break
      }
      if c == 0x0A || c == 0x0D {
        throw error("line break inside a string (escape it as \\n)")
      }
      if c == UInt8(ascii: "\\") {
        advance()
        guard let e = current else {
          throw JSONSyntaxError(position: start, message: "unterminated string")
        }
        switch e {
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "v"): out.append(0x0B)
        case UInt8(ascii: "0"): out.append(0x00)
        case 0x0A:  // line continuation
          advance()
          continue
        case 0x0D:
          advance()
          if current == 0x0A { advance() }
          continue
        case UInt8(ascii: "x"):
          advance()
          let v = try hexDigits(2)
          out.append(contentsOf: Array(String(UnicodeScalar(UInt8(v))).utf8))
          continue
        case UInt8(ascii: "u"):
          advance()
          var v = try hexDigits(4)
          if (0xD800...0xDBFF).contains(v), current == UInt8(ascii: "\\"), index + 1 < bytes.count,
            bytes[index + 1] == UInt8(ascii: "u")
          {
            advance()
            advance()
            let low = try hexDigits(4)
            if (0xDC00...0xDFFF).contains(low) {
              v = 0x10000 + ((v - 0xD800) << 10) + (low - 0xDC00)
            }
          }
          let scalar = UnicodeScalar(v) ?? "\u{FFFD}"
          out.append(contentsOf: Array(String(scalar).utf8))
          continue
        default:
          out.append(e)  // \" \' \\ \/ and any other character stand for themselves
        }
        advance()
        continue
      }
      out.append(c)
      advance()
    }
    return String(decoding: out, as: UTF8.self)
  }

  private mutating func hexDigits(_ n: Int) throws(JSONSyntaxError) -> UInt32 {
    var v: UInt32 = 0
    for _ in 0..<n {
      guard let c = current, let d = JSON5Parser.hexValue(c) else {
        throw error("expected \(n) hexadecimal digits in escape")
      }
      v = v * 16 + UInt32(d)
      advance()
    }
    return v
  }

  private static func hexValue(_ c: UInt8) -> UInt8? {
    switch c {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
    default: return nil
    }
  }

  private mutating func parseNumber() throws(JSONSyntaxError) -> Double {
    let startPosition = currentPosition()
    var negative = false
    if current == UInt8(ascii: "-") || current == UInt8(ascii: "+") {
      negative = current == UInt8(ascii: "-")
      advance()
    }
    if let word = peekWord(), word == "Infinity" || word == "NaN" {
      index += word.utf8.count
      return word == "NaN" ? .nan : (negative ? -.infinity : .infinity)
    }
    if current == UInt8(ascii: "0"), index + 1 < bytes.count,
      bytes[index + 1] == UInt8(ascii: "x") || bytes[index + 1] == UInt8(ascii: "X")
    {
      advance()
      advance()
      var v: Double = 0
      var any = false
      while let c = current, let d = JSON5Parser.hexValue(c) {
        v = v * 16 + Double(d)
        any = true
        advance()
      }
      if !any { throw error("expected hexadecimal digits after 0x") }
      return negative ? -v : v
    }
    let s = index
    var digits = 0
    while let c = current, c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") {
      advance()
      digits += 1
    }
    if current == UInt8(ascii: ".") {
      advance()
      while let c = current, c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") {
        advance()
        digits += 1
      }
    }
    if digits == 0 {
      throw JSONSyntaxError(position: startPosition, message: "malformed number")
    }
    if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
      advance()
      if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { advance() }
      var expDigits = 0
      while let c = current, c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") {
        advance()
        expDigits += 1
      }
      if expDigits == 0 { throw error("malformed number: missing exponent digits") }
    }
    if let c = current,
      (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z"))
        || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
    {
      throw error("malformed number: unexpected \(describeCurrent())")
    }
    let text = String(decoding: bytes[s..<index], as: UTF8.self)
    guard let v = Double(text) else {
      throw JSONSyntaxError(position: startPosition, message: "malformed number '\(text)'")
    }
    return negative ? -v : v
  }

  private func peekWord() -> String? {
    var i = index
    while i < bytes.count, (bytes[i] >= UInt8(ascii: "A") && bytes[i] <= UInt8(ascii: "z")) {
      i += 1
    }
    return i > index ? String(decoding: bytes[index..<i], as: UTF8.self) : nil
  }
}
