import Foundation

/// A line and column (both 1-based) in a source text, counted in Unicode scalars.
public struct SourcePosition: Sendable, Hashable, CustomStringConvertible {
  /// 1-based line.
  public var line: Int
  /// 1-based column.
  public var column: Int

  /// Creates a position; `0:0` means "not from a source text".
  public init(line: Int, column: Int) {
    self.line = line
    self.column = column
  }

  /// The position of values built in code rather than parsed.
  public static let none = SourcePosition(line: 0, column: 0)

  public var description: String { "\(line):\(column)" }
}

/// A JSON (or JSON5) value that remembers where it stood in its source text.
///
/// Objects keep their keys in source order. Equality ignores positions, so a parsed value
/// compares equal to the same value built in code.
public struct JSON: Sendable, CustomStringConvertible {
  /// The shape of a value.
  public enum Kind: Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSON])
    case object([Member])
  }

  /// One key of an object, with the position of the key itself.
  public struct Member: Sendable {
    public var key: String
    public var keyPosition: SourcePosition
    public var value: JSON

    public init(key: String, keyPosition: SourcePosition = .none, value: JSON) {
      self.key = key
      self.keyPosition = keyPosition
      self.value = value
    }
  }

  public var kind: Kind
  public var position: SourcePosition

  public init(_ kind: Kind, at position: SourcePosition = .none) {
    self.kind = kind
    self.position = position
  }

  // MARK: - Builders

  public static let null = JSON(.null)
  public static func bool(_ b: Bool) -> JSON { JSON(.bool(b)) }
  public static func number(_ d: Double) -> JSON { JSON(.number(d)) }
  public static func int(_ i: Int) -> JSON { JSON(.number(Double(i))) }
  public static func string(_ s: String) -> JSON { JSON(.string(s)) }
  public static func array(_ a: [JSON]) -> JSON { JSON(.array(a)) }
  /// An object from ordered pairs.
  public static func object(_ pairs: [(String, JSON)]) -> JSON {
    JSON(.object(pairs.map { Member(key: $0.0, value: $0.1) }))
  }
  /// A string, or `null` when absent.
  public static func optional(_ s: String?) -> JSON { s.map { .string($0) } ?? .null }

  // MARK: - Access

  /// The member named `key` of an object, or nil.
  public subscript(key: String) -> JSON? {
    guard case .object(let members) = kind else { return nil }
    return members.first { $0.key == key }?.value
  }

  /// Object members in order, or nil when this is not an object.
  public var members: [Member]? {
    if case .object(let m) = kind { return m }
    return nil
  }
  /// Array elements, or nil when this is not an array.
  public var elements: [JSON]? {
    if case .array(let a) = kind { return a }
    return nil
  }
  public var stringValue: String? {
    if case .string(let s) = kind { return s }
    return nil
  }
  public var numberValue: Double? {
    if case .number(let d) = kind { return d }
    return nil
  }
  public var boolValue: Bool? {
    if case .bool(let b) = kind { return b }
    return nil
  }
  public var isNull: Bool {
    if case .null = kind { return true }
    return false
  }

  /// A short name of the kind, for error messages ("a string", "an object").
  public var kindName: String {
    switch kind {
    case .null: return "null"
    case .bool: return "a boolean"
    case .number: return "a number"
    case .string: return "a string"
    case .array: return "an array"
    case .object: return "an object"
    }
  }

  public var description: String { serialized() }
}

extension JSON: Equatable {
  public static func == (a: JSON, b: JSON) -> Bool {
    switch (a.kind, b.kind) {
    case (.null, .null): return true
    case (.bool(let x), .bool(let y)): return x == y
    case (.number(let x), .number(let y)): return x == y
    case (.string(let x), .string(let y)): return x == y
    case (.array(let x), .array(let y)): return x == y
    case (.object(let x), .object(let y)):
      return x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    default: return false
    }
  }
}

// MARK: - Serialization

extension JSON {
  /// Strict JSON text (RFC 8259). Non-finite numbers become `null`.
  /// - Parameter pretty: two-space indentation and one member per line.
  public func serialized(pretty: Bool = false) -> String {
    var out = ""
    out.reserveCapacity(256)  // an event line fits: no regrowth on the ingest path
    write(into: &out, pretty: pretty, indent: 0)
    return out
  }

  private func write(into out: inout String, pretty: Bool, indent: Int) {
    switch kind {
    case .null: out += "null"
    case .bool(let b): out += b ? "true" : "false"
    case .number(let d): out += JSON.formatNumber(d)
    case .string(let s): JSON.writeString(s, into: &out)
    case .array(let items):
      if items.isEmpty {
        out += "[]"
        return
      }
      out += "["
      for (i, item) in items.enumerated() {
        if i > 0 { out += "," }
        if pretty { JSON.newline(&out, indent + 1) }
        item.write(into: &out, pretty: pretty, indent: indent + 1)
      }
      if pretty { JSON.newline(&out, indent) }
      out += "]"
    case .object(let members):
      if members.isEmpty {
        out += "{}"
        return
      }
      out += "{"
      for (i, m) in members.enumerated() {
        if i > 0 { out += "," }
        if pretty { JSON.newline(&out, indent + 1) }
        JSON.writeString(m.key, into: &out)
        out += pretty ? ": " : ":"
        m.value.write(into: &out, pretty: pretty, indent: indent + 1)
      }
      if pretty { JSON.newline(&out, indent) }
      out += "}"
    }
  }

  private static func newline(_ out: inout String, _ indent: Int) {
    out += "\n"
    out += String(repeating: "  ", count: indent)
  }

  /// Integers print without a fraction; other numbers with the shortest round-trip form.
  public static func formatNumber(_ d: Double) -> String {
    guard d.isFinite else { return "null" }
    if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) }
    return "\(d)"
  }

  /// Appends `s` as a JSON string literal, escaping quotes, backslashes and every control
  /// character (so terminal escape sequences in data stay inert in the output).
  public static func writeString(_ s: String, into out: inout String) {
    out += "\""
    // Most strings need no escape: append them whole. A byte that might start one sends the
    // string down the per-scalar path (C2 leads U+0080…U+009F, E2 leads U+2028 and U+2029).
    if !s.utf8.contains(where: {
      $0 < 0x20 || $0 == 0x22 || $0 == 0x5C || $0 == 0x7F || $0 == 0xC2 || $0 == 0xE2
    }) {
      out += s
      out += "\""
      return
    }
    for scalar in s.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      case "\u{08}": out += "\\b"
      case "\u{0C}": out += "\\f"
      default:
        if scalar.value < 0x20 || scalar.value == 0x7F || (0x80...0x9F).contains(scalar.value)
          || scalar.value == 0x2028 || scalar.value == 0x2029
        {
          out += String(format: "\\u%04x", scalar.value)
        } else {
          out.unicodeScalars.append(scalar)
        }
      }
    }
    out += "\""
  }
}
