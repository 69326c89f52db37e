import Foundation
import LeadLifecycle

/// CSV output safe to open in a spreadsheet.
public enum CSVWriter {
  /// Cells starting with `=`, `+`, `-`, `@`, tab or carriage return get a leading `'`, so a
  /// spreadsheet shows them as text instead of running them as a formula (OWASP's advice).
  /// Plain numbers (`-12`, `+3.5`) are left alone: they are data, not formulas.
  public static func neutralise(_ cell: String) -> String {
    guard let first = cell.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) else {
      return cell
    }
    if first == "-" || first == "+", Double(cell) != nil, !cell.contains(where: { $0.isLetter }) {
      return cell
    }
    return "'" + cell
  }

  /// One CSV line (RFC 4180 quoting), cells neutralised, without the line end.
  public static func line(_ cells: [String]) -> String {
    cells.map { raw in
      let c = neutralise(raw)
      if c.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
        return "\"" + c.replacingOccurrences(of: "\"", with: "\"\"") + "\""
      }
      return c
    }.joined(separator: ",")
  }
}

/// Leads and the event log as files.
public enum Exporter {
  /// The leads CSV columns: canonical field names, so `leadboard import` reads an export back
  /// with no mapping.
  public static func leadColumns(extras: [String]) -> [String] {
    [
      "id", "name", "first_name", "last_name", "email", "company", "title", "industry", "employees",
      "country",
      "phone", "source", "campaign", "owner", "stage", "created_at", "value", "close_date",
      "won_at", "lost_at",
      "lost_reason", "closed", "score",
    ] + Stage.allCases.filter { $0 > .known }.map { "entered:\($0.rawValue)" }
      + extras.map { "extra:\($0)" }
  }

  /// Every `extra` key of `leads`, sorted.
  public static func extraKeys(_ leads: [LeadState]) -> [String] {
    var keys = Set<String>()
    for l in leads { keys.formUnion(l.profile.extra.keys) }
    return keys.sorted()
  }

  private static func time(_ d: Date?) -> String { d.map { ISO8601.format($0) } ?? "" }

  /// The cells of `lead` under `leadColumns(extras:)`.
  public static func leadRow(_ l: LeadState, extras: [String]) -> [String] {
    let p = l.profile
    var row = [
      l.id, p.name ?? "", p.firstName ?? "", p.lastName ?? "", p.email ?? "", p.company ?? "",
      p.title ?? "",
      p.industry ?? "", p.employees.map(String.init) ?? "", p.country ?? "", p.phone ?? "",
      p.source ?? "",
      p.campaign ?? "", l.owner ?? "", l.stage.rawValue, time(l.createdAt),
      l.opportunity?.value.map(JSON.formatNumber) ?? "", time(l.opportunity?.closeDate),
      l.stage == .customer ? time(l.entered(.customer)) : "",
      l.closed?.closure == .lost ? time(l.closed?.at) : "", l.closed?.reason ?? "",
      l.closed?.closure.rawValue ?? "", String(l.score),
    ]
    for s in Stage.allCases where s > .known { row.append(time(l.entered(s))) }
    for k in extras { row.append(p.extra[k] ?? "") }
    return row
  }

  /// One JSON object per lead.
  public static func leadJSON(_ l: LeadState) -> JSON {
    let p = l.profile
    var f: [(String, JSON)] = [("id", .string(l.id))]
    for (name, path) in Profile.stringFields {
      if let v = p[keyPath: path] { f.append((name, .string(v))) }
    }
    if let e = p.employees { f.append(("employees", .int(e))) }
    f += [
      ("owner", .optional(l.owner)), ("stage", .string(l.stage.rawValue)),
      ("closed", .optional(l.closed?.closure.rawValue)),
      ("closed_reason", .optional(l.closed?.reason)),
      ("closed_at", l.closed.map { .string(ISO8601.format($0.at)) } ?? .null),
      ("score", .int(l.score)),
      ("created_at", .string(ISO8601.format(l.createdAt))),
      ("stage_entered_at", .string(ISO8601.format(l.stageEnteredAt))),
      ("value", l.opportunity?.value.map { .number($0) } ?? .null),
      ("close_date", l.opportunity?.closeDate.map { .string(ISO8601.format($0)) } ?? .null),
      (
        "history",
        .array(
          l.history.map {
            .object([("stage", .string($0.stage.rawValue)), ("at", .string(ISO8601.format($0.at)))])
          })
      ),
      ("extra", .object(p.extra.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })),
    ]
    return .object(f)
  }
}
