import CSQLite
import Foundation
import LeadLifecycle
import StoreCore

/// The `PipelineStore` on one SQLite file: the event log and projections of `ProjectionStore`
/// on a SQLite connection.
///
/// WAL mode, a busy timeout, one connection per process, prepared statements reused. Writes
/// take the write lock up front (`BEGIN IMMEDIATE`), so a claim is a compare-and-set: exactly
/// one of any number of concurrent processes accepts an MQL.
public final class SQLiteStore: ProjectionStore<Connection> {
  /// Opens (or creates) a store.
  /// - Parameters:
  ///   - path: the database file, or `:memory:`.
  ///   - playbookText: the playbook to record when the store is new (default: the built-in
  ///     one). An existing store keeps the playbook it was created with unless
  ///     `replacePlaybook` is set.
  public init(path: String, playbookText: String? = nil, replacePlaybook: Bool = false)
    throws(StoreError)
  {
    let db = try Connection(path: path)
    if path != ":memory:" {
      // WAL lets readers (boards) run while a writer commits.
      try db.execute("PRAGMA journal_mode=WAL")
    }
    try db.execute("PRAGMA synchronous=NORMAL")
    try db.execute("PRAGMA foreign_keys=ON")
    do {
      try Migrations.migrate(db)
    } catch {
      if error.kind == .corrupt || error.kind == .io {
        throw StoreError(.corrupt, "\(path): not a leadboard store (\(error.message))")
      }
      throw error
    }
    var stored: String?
    try db.query("SELECT value FROM settings WHERE key = ?", [.text(SQLiteStore.playbookKey)]) {
      s in
      stored = s.text(0)
    }
    let text: String
    if let stored, !(replacePlaybook && playbookText != nil) {
      text = stored
    } else {
      text = playbookText ?? Playbook.defaultText
      try db.transaction(write: true) { () throws(StoreError) in
        try db.run(
          "INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
          [.text(SQLiteStore.playbookKey), .text(text)])
      }
    }
    let playbook: Playbook
    do {
      playbook = try Playbook.parse(text)
    } catch {
      throw StoreError(.schema, "\(path): the stored playbook is invalid: \(error)")
    }
    super.init(db: db, playbook: playbook)
  }

  /// `PRAGMA integrity_check`: "ok" for a sound file.
  public func integrityCheck() throws(StoreError) -> String {
    var out: [String] = []
    try db.query("PRAGMA integrity_check") { s in out.append(s.text(0) ?? "") }
    return out.joined(separator: "\n")
  }

  /// The query plan SQLite picks for `sql` (to show that board reads use indexes).
  public func queryPlan(_ sql: String) throws(StoreError) -> [String] {
    var out: [String] = []
    try db.query("EXPLAIN QUERY PLAN " + sql) { s in out.append(s.text(3) ?? "") }
    return out
  }
}
