import Foundation
import LeadLifecycle
import StoreCore

/// The `PipelineStore` on PostgreSQL, for a team: the event log and projections of
/// `ProjectionStore` (the SQLite store's tables and columns) on a libpq session.
///
/// Every write transaction takes the schema's write lock first (an advisory transaction
/// lock), so a claim is a compare-and-set: exactly one of any number of concurrent processes
/// accepts an MQL, the others get the engine's `.conflict` naming the winner. Each commit
/// signals `NOTIFY leadboard` (payload: the schema); `changeToken()` counts the
/// notifications received without a round trip, plus this store's own commits and reconnects.
public final class PostgresStore: ProjectionStore<PGConnection> {
  /// True for the URLs this store opens (`postgres://…`, `postgresql://…`).
  public static func handles(_ location: String) -> Bool {
    location.hasPrefix("postgres://") || location.hasPrefix("postgresql://")
  }

  /// Opens (or creates) a store.
  /// - Parameters:
  ///   - url: a libpq connection URL. Passwords come from `.pgpass`, `PGPASSWORD` or a
  ///     service file; TLS through `sslmode=`. Never shown in messages.
  ///   - schema: the schema to use (created when missing); nil for the URL's search path.
  ///   - playbookText: the playbook to record when the store is new (default: the built-in
  ///     one); an existing store keeps its playbook unless `replacePlaybook` is set.
  public init(
    url: String, schema: String? = nil, playbookText: String? = nil, replacePlaybook: Bool = false
  ) throws(StoreError) {
    let db = try PGConnection(url: url, schema: schema)
    try PGMigrations.migrate(db)
    var stored: String?
    try db.query("SELECT value FROM settings WHERE key = $1", [.text(PostgresStore.playbookKey)]) {
      r in stored = r.text(0)
    }
    var text: String
    if let stored, !(replacePlaybook && playbookText != nil) {
      text = stored
    } else {
      text = playbookText ?? Playbook.defaultText
      try db.transaction(write: true) { () throws(StoreError) in
        // Two processes creating the store at once: the first playbook recorded wins.
        try db.run(
          replacePlaybook
            ? "INSERT INTO settings(key, value) VALUES ($1, $2) ON CONFLICT(key) DO UPDATE SET value = excluded.value"
            : "INSERT INTO settings(key, value) VALUES ($1, $2) ON CONFLICT(key) DO NOTHING",
          [.text(PostgresStore.playbookKey), .text(text)])
        try db.notifyChange()
      }
      try db.query("SELECT value FROM settings WHERE key = $1", [.text(PostgresStore.playbookKey)])
      {
        r in if let v = r.text(0) { text = v }
      }
    }
    let playbook: Playbook
    do {
      playbook = try Playbook.parse(text)
    } catch {
      throw StoreError(.schema, "\(db.label): the stored playbook is invalid: \(error)")
    }
    super.init(db: db, playbook: playbook)
  }

  /// `url` without its password, for messages.
  public static func redact(_ url: String) -> String { PGConnection.redact(url) }

  /// Drops `schema` and everything in it (scratch schemas of tests and CI).
  public static func dropSchema(url: String, schema: String) throws(StoreError) {
    guard PGConnection.isIdentifier(schema) else {
      throw StoreError(.unavailable, "'\(schema)' is not a valid schema name")
    }
    let db = try PGConnection(url: url)
    try db.execute("DROP SCHEMA IF EXISTS \"\(schema)\" CASCADE")
  }

  /// The URL without its password.
  public var label: String { db.label }
  /// The schema the store lives in.
  public var schema: String { db.schema }
  /// How many times the session was re-established after losing the server.
  public var reconnects: Int { db.reconnects }

}
