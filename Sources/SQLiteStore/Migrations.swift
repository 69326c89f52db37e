import Foundation
import LeadLifecycle
import StoreCore

/// The registered migrations, in order. Applied versions are recorded in `schema_migrations`.
enum Migrations {
  static let all: [Migration] = [
    Migration(
      version: 1, name: "event log and projections",
      sql: """
        CREATE TABLE events(
          seq INTEGER PRIMARY KEY,
          id TEXT NOT NULL UNIQUE,
          lead TEXT,
          visitor TEXT,
          type TEXT NOT NULL,
          at REAL NOT NULL,
          actor TEXT,
          cause TEXT,
          body TEXT NOT NULL
        );
        CREATE INDEX events_by_lead ON events(lead, seq) WHERE lead IS NOT NULL;
        CREATE INDEX events_by_at ON events(at);

        -- The current state of each lead, maintained in the same transaction as its events.
        CREATE TABLE leads(
          id TEXT PRIMARY KEY,
          stage TEXT NOT NULL,
          stage_rank INTEGER NOT NULL,
          closed TEXT,
          owner TEXT,
          team TEXT,
          score INTEGER NOT NULL,
          name TEXT,
          company TEXT,
          email TEXT,
          source TEXT,
          stage_entered_at REAL NOT NULL,
          value REAL,
          close_date REAL,
          stall_at REAL,
          sla_due REAL,
          next_due REAL,
          rev INTEGER NOT NULL DEFAULT 1,
          state BLOB NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX leads_board ON leads(stage_rank, score DESC) WHERE closed IS NULL;
        CREATE INDEX leads_owner ON leads(owner, stage_rank) WHERE closed IS NULL;
        CREATE INDEX leads_stall ON leads(stall_at) WHERE stall_at IS NOT NULL;
        CREATE INDEX leads_due ON leads(next_due) WHERE next_due IS NOT NULL;
        CREATE INDEX leads_queue ON leads(stage_rank, sla_due) WHERE closed IS NULL AND sla_due IS NOT NULL;
        CREATE INDEX leads_email ON leads(email) WHERE email IS NOT NULL;

        -- The board's column headers: open count and value per stage.
        CREATE TABLE stage_totals(stage TEXT PRIMARY KEY, count INTEGER NOT NULL, value REAL NOT NULL) WITHOUT ROWID;

        -- Anonymous visitors and their page views until a capture stitches them onto a lead.
        CREATE TABLE visitors(visitor TEXT PRIMARY KEY, lead TEXT, first_seen REAL NOT NULL, last_seen REAL NOT NULL) WITHOUT ROWID;
        CREATE TABLE anonymous_views(event TEXT PRIMARY KEY, visitor TEXT NOT NULL, path TEXT NOT NULL, at REAL NOT NULL) WITHOUT ROWID;
        CREATE INDEX anonymous_views_by_visitor ON anonymous_views(visitor, at);

        -- Routing fairness counters and open load per rep.
        CREATE TABLE routing_reps(rep TEXT PRIMARY KEY, assigned INTEGER NOT NULL, load INTEGER NOT NULL) WITHOUT ROWID;
        CREATE TABLE routing_last(team TEXT PRIMARY KEY, rep TEXT NOT NULL) WITHOUT ROWID;

        -- The playbook text this store applies, and other settings.
        CREATE TABLE settings(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
        """),
    Migration(
      version: 2, name: "stalled counts from the index alone",
      sql: """
        -- The board's stalled count per stage reads (stall_at, stage) without touching rows.
        DROP INDEX leads_stall;
        CREATE INDEX leads_stall ON leads(stall_at, stage) WHERE stall_at IS NOT NULL;
        """),
    Migration(
      version: 3, name: "stalled counts by day",
      sql: """
        -- Stalled leads per stage and whole day of stall_at (StallDay): the board sums the days
        -- before today and scans only today's index range. Filled from the leads here; the
        -- write batch keeps it. A row's day is the largest d with d * 86400 <= stall_at.
        CREATE TABLE stall_days(stage TEXT NOT NULL, day INTEGER NOT NULL, count INTEGER NOT NULL,
          PRIMARY KEY(stage, day)) WITHOUT ROWID;
        INSERT INTO stall_days(stage, day, count)
          SELECT stage, d - (d * 86400 > stall_at) + ((d + 1) * 86400 <= stall_at) AS day, count(*)
          FROM (SELECT stage, stall_at, CAST(stall_at / 86400 AS INTEGER) AS d FROM leads
                WHERE stall_at IS NOT NULL)
          GROUP BY 1, 2;
        """),
  ]

  /// The newest version.
  static var latest: Int { all.last?.version ?? 0 }

  /// Applies every registered migration above the recorded version, up to `target`, each in
  /// its own transaction.
  static func migrate(_ db: Connection, upTo target: Int = latest) throws(StoreError) {
    try db.execute(
      "CREATE TABLE IF NOT EXISTS schema_migrations(version INTEGER PRIMARY KEY, name TEXT NOT NULL)"
    )
    let current = Int(try db.scalarInt("SELECT max(version) FROM schema_migrations") ?? 0)
    if current > latest {
      throw StoreError(
        .schema,
        "\(db.path): the store has schema version \(current), newer than this leadboard (\(latest)); upgrade leadboard"
      )
    }
    for m in all where m.version > current && m.version <= target {
      try db.transaction(write: true) { () throws(StoreError) in
        try db.execute(m.sql)
        try db.run(
          "INSERT INTO schema_migrations(version, name) VALUES (?, ?)",
          [.int(Int64(m.version)), .text(m.name)])
      }
    }
  }
}
