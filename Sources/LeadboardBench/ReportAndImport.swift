import Foundation
import LeadLifecycle
import SQLiteStore

// The report and import scenarios: each `leadboard` command is timed as a process, beside the
// sqlite3 CLI doing the equivalent work on the same data in the same run.

/// The sqlite3 CLI (the baseline of the store scenarios).
let sqlite3 =
  ["/usr/bin/sqlite3", "/usr/local/bin/sqlite3"].first {
    FileManager.default.isExecutableFile(atPath: $0)
  } ?? "sqlite3"

/// Best of `runs` timings of `body` (the least disturbed by other work on a shared machine).
func best(_ runs: Int, _ body: () throws -> Double) rethrows -> Double {
  var out = Double.infinity
  for _ in 0..<runs { out = min(out, try body()) }
  return out
}

/// The hand-written SQL a sales-ops analyst would run for each report, over the same store's
/// tables: what `leadboard report NAME` is compared with.
let reportSQL: [(name: String, sql: String)] = [
  (
    "funnel",
    """
    SELECT json_extract(body, '$.to') AS stage, count(DISTINCT lead) FROM events
    WHERE type = 'stage_changed' GROUP BY stage;
    """
  ),
  (
    "velocity",
    """
    WITH s AS (SELECT lead, json_extract(body, '$.to') AS stage, at FROM events
               WHERE type = 'stage_changed'),
         n AS (SELECT stage, at, lead(at) OVER (PARTITION BY lead ORDER BY at) AS next_at FROM s)
    SELECT stage, count(next_at), avg(next_at - at) / 86400.0 FROM n GROUP BY stage;
    """
  ),
  (
    "stalls",
    // Per stage: open leads, stalled ones and the days-in-stage buckets, as the report shows.
    """
    SELECT stage, count(*), sum(stall_at IS NOT NULL AND stall_at <= n.t),
      sum(n.t - stage_entered_at <= 7 * 86400), sum(n.t - stage_entered_at BETWEEN 7 * 86400 AND 30 * 86400),
      sum(n.t - stage_entered_at BETWEEN 30 * 86400 AND 90 * 86400),
      sum(n.t - stage_entered_at BETWEEN 90 * 86400 AND 180 * 86400), sum(n.t - stage_entered_at > 180 * 86400)
    FROM leads, (SELECT CAST(strftime('%s', '2026-12-01T09:00:00') AS REAL) AS t) AS n
    WHERE closed IS NULL AND stage NOT IN ('visitor', 'customer') GROUP BY stage;
    """
  ),
]

@MainActor func reportScenarios() throws {
  let n = 1_000_000 / scale
  let db = work + "/big.db"
  let store = try bigStoreShared()
  let events = try store.eventCount()
  let nowText = ISO8601.format(now)
  for (name, sql) in reportSQL {
    log("reports: \(name)")
    let script = work + "/report-\(name).sql"
    try sql.write(toFile: script, atomically: false, encoding: .utf8)
    let ours = try best(2) {
      try run(leadboard, ["report", name, "--db", db, "--now", nowText, "--json"]).0
    }
    let base = try best(2) { try run(sqlite3, [db], stdin: script).0 }
    report(
      "report_\(name)", figure: "leadboard report \(name) over \(n) leads", value: ours * 1000,
      unit: "ms", baseline: "the equivalent SQL in the sqlite3 CLI", baselineValue: base * 1000,
      ratio: ours / base, target: 1.5, targetText: "≤ 1.5× the baseline",
      extra: [("leads", .int(n)), ("events", .int(events))])
  }
}

func pad2(_ x: Int) -> String { x < 10 ? "0\(x)" : "\(x)" }

@MainActor func importScenario() throws {
  let n = 1_000_000 / scale
  log("import: generating a \(n)-row leads CSV")
  let csv = work + "/leads.csv"
  var text = "id,name,email,company,created_at\n"
  text.reserveCapacity(n * 80)
  for i in 0..<n {
    text +=
      "G\(i),Lead \(i),lead\(i)@example\(i % 997).com,\"Company \(i % 5000), Inc.\",2025-\(pad2(1 + i % 12))-\(pad2(1 + i % 28))\n"
  }
  try text.write(toFile: csv, atomically: false, encoding: .utf8)
  log("import: leadboard import")
  let db = work + "/import.db"
  unlink(db)
  let (ours, rss) = try run(
    leadboard, ["import", csv, "--db", db, "--now", ISO8601.format(now), "--quiet"])
  log("import: sqlite3 .import")
  let script = work + "/import-csv.sql"
  try ".mode csv\n.import \(csv) leads\n".write(toFile: script, atomically: false, encoding: .utf8)
  unlink(work + "/import-base.db")
  let (base, _) = try run(sqlite3, [work + "/import-base.db"], stdin: script)
  report(
    "import_csv", figure: "import a \(n)-row leads CSV", value: ours, unit: "s",
    baseline: "sqlite3 .import of the same file into a bare table", baselineValue: base,
    ratio: ours / base, target: 1.5, targetText: "≤ 1.5× the baseline; RSS ≤ 100 MB",
    extra: [
      ("rows", .int(n)), ("peak_rss_mb", .int(rss / 1024)), ("rss_met", .bool(rss < 100 * 1024)),
    ]
  )
}
