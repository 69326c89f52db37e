import Foundation
import LeadLifecycle

/// One valid row in canonical terms.
public struct ImportRecord: Sendable, Equatable {
  /// Index of the file in the import's file list.
  public var file: Int
  public var line: Int
  /// The lead this row describes (the id prefix plus the source's record id).
  public var lead: String
  /// Text fields by canonical name (`stage` holds the resolved target name).
  public var values: [String: String] = [:]
  /// Date fields by canonical name, as seconds since 1970.
  public var dates: [String: Double] = [:]

  public init(file: Int, line: Int, lead: String) {
    self.file = file
    self.line = line
    self.lead = lead
  }

  /// The earliest date on the row.
  var earliest: Double? { dates.values.min() }

  // A compact line for the spill files: fields separated by 0x1F, with \, newline, 0x1E and
  // 0x1F escaped.
  func serialized() -> String {
    var parts = [String(file), String(line), Self.escape(lead)]
    for (k, v) in values.sorted(by: { $0.key < $1.key }) {
      parts.append(Self.escape(k) + "=" + Self.escape(v))
    }
    for (k, v) in dates.sorted(by: { $0.key < $1.key }) {
      parts.append("@" + Self.escape(k) + "=" + String(v))
    }
    return parts.joined(separator: "\u{1F}")
  }

  init?(serialized line: Substring) {
    let parts = line.split(separator: "\u{1F}", omittingEmptySubsequences: false)
    guard parts.count >= 3, let f = Int(parts[0]), let l = Int(parts[1]) else { return nil }
    self.init(file: f, line: l, lead: Self.unescape(parts[2]))
    for p in parts.dropFirst(3) {
      guard let eq = p.firstIndex(of: "=") else { continue }
      let k = p[..<eq]
      let v = p[p.index(after: eq)...]
      if k.hasPrefix("@") {
        dates[Self.unescape(k.dropFirst())] = Double(v) ?? 0
      } else {
        values[Self.unescape(k)] = Self.unescape(v)
      }
    }
  }

  static func escape(_ s: String) -> String {
    guard
      s.contains(where: {
        $0 == "\\" || $0 == "\n" || $0 == "\u{1F}" || $0 == "\u{1E}" || $0 == "=" || $0 == "\r"
      })
    else { return s }
    var out = ""
    for c in s {
      switch c {
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\u{1F}": out += "\\u"
      case "\u{1E}": out += "\\v"
      case "=": out += "\\e"
      default: out.append(c)
      }
    }
    return out
  }

  static func unescape<S: StringProtocol>(_ s: S) -> String {
    guard s.contains("\\") else { return String(s) }
    var out = ""
    var escaping = false
    for c in s {
      if escaping {
        switch c {
        case "n": out.append("\n")
        case "r": out.append("\r")
        case "u": out.append("\u{1F}")
        case "v": out.append("\u{1E}")
        case "e": out.append("=")
        default: out.append(c)
        }
        escaping = false
      } else if c == "\\" {
        escaping = true
      } else {
        out.append(c)
      }
    }
    return out
  }
}

/// One thing wrong with a row.
public struct CellProblem: Sendable, Equatable {
  /// 1-based field number, or nil for the row as a whole.
  public var column: Int?
  /// The header name of that column.
  public var columnName: String?
  public var message: String
}

/// A mapped row, or why it is refused.
public enum RowResult: Sendable, Equatable {
  case record(ImportRecord)
  case rejected([CellProblem])
}

/// Turns rows of one file into `ImportRecord`s under a mapping.
public struct RowMapper {
  public let mapping: ImportMapping
  public let header: [String]
  /// Field → column index, for the fields whose column is in the header.
  public private(set) var columns: [(field: String, index: Int)] = []
  /// Mapped fields whose columns are absent.
  public private(set) var missingFields: [String] = []
  /// Header columns no field uses.
  public private(set) var ignoredColumns: [String] = []

  /// Resolves the mapping against `header`.
  /// - Throws: a message when the id column is missing.
  public init(mapping: ImportMapping, header: [String]) throws(CSVFileError) {
    self.mapping = mapping
    self.header = header
    var index: [String: Int] = [:]
    for (i, h) in header.enumerated() where index[normalizedKey(h)] == nil {
      index[normalizedKey(h)] = i
    }
    var used = Set<Int>()
    for (field, cols) in mapping.fields {
      if let i = cols.lazy.compactMap({ index[normalizedKey($0)] }).first {
        columns.append((field, i))
        used.insert(i)
      } else {
        missingFields.append(field)
      }
    }
    ignoredColumns = header.enumerated().filter { !used.contains($0.offset) }.map(\.element)
    guard columns.contains(where: { $0.field == "id" }) else {
      let looked = mapping.fields.first { $0.field == "id" }?.columns ?? []
      throw CSVFileError(
        looked.isEmpty
          ? "no id column: the source's record id is required (name it with --map id=COLUMN or a mapping file; header: \(header.prefix(12).joined(separator: ", ")))"
          : "no id column: looked for \(looked.map { "'\($0)'" }.joined(separator: ", ")) (header: \(header.prefix(12).joined(separator: ", ")))"
      )
    }
  }

  /// The record for `fields`, or every problem in it.
  public func map(_ fields: [String], line: Int, file: Int) -> RowResult {
    var problems: [CellProblem] = []
    var rec = ImportRecord(file: file, line: line, lead: "")
    if fields.count > header.count, fields[header.count...].contains(where: { !$0.isEmpty }) {
      problems.append(
        CellProblem(
          column: header.count + 1, columnName: nil,
          message:
            "row has \(fields.count) fields, the header \(header.count): cells past the header are not empty"
        ))
    }
    for (field, i) in columns {
      // Short (ragged) rows: missing cells are unknown.
      guard i < fields.count else { continue }
      let raw = fields[i].trimmingWhitespace
      if raw.isEmpty { continue }
      let name = header[i]
      func bad(_ message: String) {
        problems.append(CellProblem(column: i + 1, columnName: name, message: message))
      }
      if CanonicalField.isDate(field) {
        if let d = mapping.dateFormats.lazy.compactMap({
          $0.date(from: raw, timeZone: self.mapping.timeZone)
        }).first {
          rec.dates[field] = d.timeIntervalSince1970
        } else {
          bad(
            "\(field): unparseable date '\(raw)' (expected \(mapping.dateFormats.map(\.text).joined(separator: " or ")))"
          )
        }
        continue
      }
      switch field {
      case "stage":
        guard let t = mapping.stageTarget(raw) else {
          let known =
            (mapping.stages.map(\.value) + [
              "known", "mql", "sal", "sql", "opportunity", "customer",
            ])
          bad("stage: unknown stage value '\(raw)' (known: \(known.joined(separator: ", ")))")
          continue
        }
        if t != .ignore { rec.values["stage"] = t.description }
      case "employees":
        guard let n = RowMapper.employees(raw) else {
          bad("employees: expected a whole number, found '\(raw)'")
          continue
        }
        rec.values[field] = String(n)
      case "value":
        guard let v = RowMapper.amount(raw) else {
          bad("value: expected an amount, found '\(raw)'")
          continue
        }
        rec.values[field] = JSON.formatNumber(v)
      case "email":
        rec.values[field] = raw
      default:
        rec.values[field] = raw
      }
    }
    let id = rec.values.removeValue(forKey: "id")
    if id == nil {
      let col = columns.first { $0.field == "id" }!.index
      problems.append(
        CellProblem(
          column: col + 1, columnName: header[col],
          message: "missing id ('\(header[col])' is empty)"))
    }
    if !problems.isEmpty { return .rejected(problems) }
    rec.lead = mapping.idPrefix + id!
    return .record(rec)
  }

  /// `300`, `1,000`, `1 000`, or a range `51-200` (its lower bound).
  static func employees(_ s: String) -> Int? {
    let cleaned = s.filter { $0 != "," && $0 != " " && $0 != "\u{00A0}" }
    if let n = Int(cleaned), n >= 0 { return n }
    if let dash = cleaned.firstIndex(of: "-"), let lo = Int(cleaned[..<dash]), lo >= 0,
      Int(cleaned[cleaned.index(after: dash)...]) != nil
    {
      return lo
    }
    if cleaned.hasSuffix("+"), let n = Int(cleaned.dropLast()) { return n }
    return nil
  }

  /// `1234.5`, `1,234.50`, `1.234,50`, `€ 1 200`: the last `.` or `,` followed by one or two
  /// digits is the decimal mark; other separators are grouping.
  static func amount(_ s: String) -> Double? {
    var t = s.filter { $0.isNumber || $0 == "." || $0 == "," || $0 == "-" }
    guard t.contains(where: \.isNumber) else { return nil }
    if let last = t.lastIndex(where: { $0 == "." || $0 == "," }) {
      let decimals = t.distance(from: last, to: t.endIndex) - 1
      if decimals == 1 || decimals == 2 {
        let intPart = t[..<last].filter { $0 != "." && $0 != "," }
        t = intPart + "." + t[t.index(after: last)...]
      } else {
        t = t.filter { $0 != "." && $0 != "," }
      }
    }
    guard let v = Double(t), v.isFinite else { return nil }
    return v
  }
}
