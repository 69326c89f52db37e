import Foundation
import LeadLifecycle

/// The fields a column can map to.
public enum CanonicalField {
  /// Every plain field, in documentation order (`entered:STAGE` and `extra:NAME` come on top).
  public static let plain = [
    "id", "email", "first_name", "last_name", "name", "company", "title", "industry", "employees",
    "country",
    "phone", "source", "campaign", "owner", "stage", "created_at", "value", "close_date", "won_at",
    "lost_at",
    "closed_at", "lost_reason",
  ]
  /// The fields holding dates (plus every `entered:STAGE`).
  public static let dates: Set<String> = [
    "created_at", "close_date", "won_at", "lost_at", "closed_at",
  ]

  /// True for `entered:STAGE` and the plain date fields.
  public static func isDate(_ f: String) -> Bool { dates.contains(f) || f.hasPrefix("entered:") }

  /// Nil when `field` is valid, else why not.
  public static func problem(_ field: String) -> String? {
    if plain.contains(field) { return nil }
    if field.hasPrefix("entered:") {
      let s = String(field.dropFirst(8))
      if let st = Stage(rawValue: s), st != .visitor { return nil }
      return
        "unknown stage '\(s)' in '\(field)' (known: known, mql, sal, sql, opportunity, customer)"
    }
    if field.hasPrefix("extra:") {
      return field.count > 6 ? nil : "'extra:' needs a name (extra:NAME)"
    }
    let close = plain.filter { editDistance($0, field.lowercased()) <= 2 }
    let hint =
      close.isEmpty ? "" : " (did you mean \(close.map { "'\($0)'" }.joined(separator: " or "))?)"
    return
      "unknown field '\(field)'\(hint); known: \(plain.joined(separator: ", ")), entered:STAGE, extra:NAME"
  }
}

/// What a stage value in the file means.
public enum StageTarget: Sendable, Equatable, CustomStringConvertible {
  case stage(Stage)
  /// Closed as lost (at `lost_at` / `closed_at`).
  case lost
  case disqualified
  /// No stage information (an open deal whose stage is kept elsewhere).
  case ignore

  public init?(name: String) {
    switch name.lowercased() {
    case "lost": self = .lost
    case "disqualified": self = .disqualified
    case "ignore", "": self = .ignore
    default:
      guard let s = Stage(rawValue: name.lowercased()), s != .visitor else { return nil }
      self = .stage(s)
    }
  }

  public var description: String {
    switch self {
    case .stage(let s): return s.rawValue
    case .lost: return "lost"
    case .disqualified: return "disqualified"
    case .ignore: return "ignore"
    }
  }

  static let names = "known, mql, sal, sql, opportunity, customer, lost, disqualified, ignore"
}

/// Header and value matching: case-, space- and underscore-insensitive.
public func normalizedKey(_ s: String) -> String {
  String(
    String.UnicodeScalarView(
      s.lowercased().unicodeScalars.filter { !CharacterSet.whitespacesAndNewlines.contains($0) }))
}

/// How the columns of a file become canonical fields, and how to read its values.
public struct ImportMapping: Sendable, Equatable {
  /// `hubspot`, `olist-mql`, a mapping file's name …
  public var name: String
  /// Prepended to the source's record id to form the lead id (`hs-123`), keeping systems apart.
  public var idPrefix = ""
  /// Field → the column names that may hold it (the first present in the header wins).
  public var fields: [(field: String, columns: [String])] = []
  /// Stage values as written in the file → what they mean.
  public var stages: [(value: String, target: StageTarget)] = []
  public var dateFormats: [DatePattern] = [try! DatePattern.parse("iso").get()]
  public var timeZone: TimeZone = TimeZone(identifier: "UTC")!
  public var encoding: TextEncoding = .auto
  public var delimiter: DelimiterChoice = .auto

  public init(name: String) { self.name = name }

  public static func == (a: ImportMapping, b: ImportMapping) -> Bool {
    a.name == b.name && a.idPrefix == b.idPrefix && a.fields.map(\.field) == b.fields.map(\.field)
      && a.fields.map(\.columns) == b.fields.map(\.columns)
      && a.stages.map(\.value) == b.stages.map(\.value)
      && a.stages.map(\.target) == b.stages.map(\.target) && a.dateFormats == b.dateFormats
      && a.timeZone.identifier == b.timeZone.identifier && a.encoding == b.encoding
      && a.delimiter == b.delimiter
  }

  /// Sets (or replaces) the columns of `field`.
  public mutating func map(_ field: String, to columns: [String]) {
    if let i = fields.firstIndex(where: { $0.field == field }) {
      fields[i].columns = columns
    } else {
      fields.append((field, columns))
    }
  }

  /// Adds (or replaces) a stage value.
  public mutating func mapStage(_ value: String, to target: StageTarget) {
    let key = normalizedKey(value)
    stages.removeAll { normalizedKey($0.value) == key }
    stages.append((value, target))
  }

  /// The target of a stage value, matched case- and space-insensitively; stage ids always work.
  public func stageTarget(_ value: String) -> StageTarget? {
    let key = normalizedKey(value)
    if let hit = stages.first(where: { normalizedKey($0.value) == key }) { return hit.target }
    return StageTarget(name: key).flatMap { $0 == .ignore ? nil : $0 }
  }

  /// The identity mapping: columns named like the canonical fields (what `export` writes).
  public static func identity(header: [String]) -> ImportMapping {
    var m = ImportMapping(name: "canonical column names")
    for h in header {
      let f = h.trimmingWhitespace.lowercased()
      if CanonicalField.problem(f) == nil { m.map(f, to: [h]) }
    }
    return m
  }

  // MARK: - The mapping file

  /// Reads a JSON5 mapping file; every problem is reported with its path, line and column.
  /// A `preset` key starts from that preset.
  public static func parse(_ text: String, name: String) throws(ConfigProblems) -> ImportMapping {
    let root = try ConfigReader.document(text)
    let reader = ConfigReader()
    var m = ImportMapping(name: name)
    guard let o = reader.object(root, "") else { throw ConfigProblems(reader.problems) }
    if let p = o.string("preset") {
      if let preset = Presets.named(p) {
        m = preset
        m.name = name
      } else {
        reader.problem(
          "preset", o.raw("preset"),
          "unknown preset '\(p)' (known: \(Presets.names.joined(separator: ", ")))")
      }
    }
    if let prefix = o.string("idPrefix") { m.idPrefix = prefix }
    if let fo = reader.object(o.raw("fields"), "fields") {
      for key in fo.keys {
        let path = fo.child(key)
        guard let v = fo.raw(key) else { continue }
        if let problem = CanonicalField.problem(key) {
          fo.keyProblem(key, problem)
          continue
        }
        var columns: [String] = []
        if let s = v.stringValue {
          columns = [s]
        } else if let items = v.elements {
          for (i, item) in items.enumerated() {
            if let s = item.stringValue {
              columns.append(s)
            } else {
              reader.problem(
                "\(path)[\(i)]", item, "expected a column name (a string), found \(item.kindName)")
            }
          }
        } else {
          reader.problem(path, v, "expected a column name or a list of them, found \(v.kindName)")
          continue
        }
        if columns.isEmpty {
          reader.problem(path, v, "names no column")
        } else {
          m.map(key, to: columns)
        }
      }
    }
    if let so = reader.object(o.raw("stages"), "stages") {
      for key in so.keys {
        guard let v = so.raw(key) else {
          m.mapStage(key, to: .ignore)
          continue
        }
        guard let s = v.stringValue else {
          reader.problem(so.child(key), v, "expected a stage name, found \(v.kindName)")
          continue
        }
        guard let t = StageTarget(name: s) else {
          reader.problem(so.child(key), v, "unknown stage '\(s)' (known: \(StageTarget.names))")
          continue
        }
        m.mapStage(key, to: t)
      }
    }
    if let v = o.raw("dateFormat") {
      var patterns: [(String, JSON)] = []
      if let s = v.stringValue {
        patterns = [(s, v)]
      } else if let items = v.elements {
        for (i, item) in items.enumerated() {
          if let s = item.stringValue {
            patterns.append((s, item))
          } else {
            reader.problem(
              "dateFormat[\(i)]", item, "expected a pattern (a string), found \(item.kindName)")
          }
        }
      } else {
        reader.problem(
          "dateFormat", v, "expected a pattern or a list of patterns, found \(v.kindName)")
      }
      var parsed: [DatePattern] = []
      for (s, node) in patterns {
        switch DatePattern.parse(s) {
        case .success(let p): parsed.append(p)
        case .failure(let e): reader.problem("dateFormat", node, e.message)
        }
      }
      if !parsed.isEmpty { m.dateFormats = parsed }
    }
    if let tz = o.string("timeZone") {
      if let zone = TimeZone(identifier: tz) {
        m.timeZone = zone
      } else {
        reader.problem(
          "timeZone", o.raw("timeZone"),
          "unknown time zone '\(tz)' (an IANA name such as Asia/Tokyo)")
      }
    }
    if let e = o.string("encoding") {
      if let enc = TextEncoding(name: e) {
        m.encoding = enc
      } else {
        reader.problem(
          "encoding", o.raw("encoding"), "unknown encoding '\(e)' (known: auto, utf-8, cp932)")
      }
    }
    if let d = o.string("delimiter") {
      if let del = DelimiterChoice(name: d) {
        m.delimiter = del
      } else {
        reader.problem(
          "delimiter", o.raw("delimiter"),
          "unknown delimiter '\(d)' (known: auto, \",\", \";\", tab)")
      }
    }
    o.finish()
    if !reader.problems.isEmpty { throw ConfigProblems(reader.problems) }
    return m
  }

  /// The mapping as a JSON5 file to start from (what `import --print-mapping` prints).
  public var json5: String {
    func q(_ s: String) -> String {
      var out = ""
      JSON.writeString(s, into: &out)
      return out
    }
    var lines = [
      "// leadboard import mapping: \(name)",
      "// Columns match case- and space-insensitively; the first column of a list that is present wins.",
      "// Fields: \(CanonicalField.plain.joined(separator: ", ")), entered:STAGE, extra:NAME.",
      "{",
      "  idPrefix: \(q(idPrefix)),",
      "  fields: {",
    ]
    for (f, cols) in fields {
      let v = cols.count == 1 ? q(cols[0]) : "[" + cols.map(q).joined(separator: ", ") + "]"
      lines.append("    \(q(f)): \(v),")
    }
    lines.append("  },")
    lines.append(
      "  // stage values → known, mql, sal, sql, opportunity, customer, lost, disqualified or ignore"
    )
    lines.append("  stages: {")
    for (v, t) in stages { lines.append("    \(q(v)): \(q(t.description)),") }
    lines.append("  },")
    let formats = dateFormats.map { q($0.text) }
    lines.append(
      "  dateFormat: \(formats.count == 1 ? formats[0] : "[" + formats.joined(separator: ", ") + "]"),"
    )
    lines.append("  timeZone: \(q(timeZone.identifier)),")
    lines.append("  encoding: \(q(encoding.rawValue)),  // auto, utf-8 or cp932")
    lines.append("  delimiter: \(q(delimiter.name)),  // auto, \",\", \";\" or tab")
    lines.append("}")
    return lines.joined(separator: "\n") + "\n"
  }
}
