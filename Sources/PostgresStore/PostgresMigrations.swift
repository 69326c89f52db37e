import Foundation
import LeadLifecycle
import StoreCore

/// The registered migrations, in order: the SQLite schema with PostgreSQL types. Times are
/// seconds since 1970 (`double precision`) exactly as in the SQLite store and the event wire
/// format, so both stores hold the same values. Applied versions are in `schema_migrations`.
enum PGMigrations {
  static let all: [Migration] = [
    Migration(
      version: 1, name: "event log and projections",
      sql: """
        CREATE TABLE events(
          seq bigserial PRIMARY KEY,
          id text NOT NULL UNIQUE,
          lead text,
          visitor text,
          type text NOT NULL,
          at double precision NOT NULL,
          actor text,
          cause text,
          body text NOT NULL
        );
        CREATE INDEX events_by_lead ON events(lead, seq) WHERE lead IS NOT NULL;
        CREATE INDEX events_by_at ON events(at);

        -- The current state of each lead, maintained in the same transaction as its events.
        CREATE TABLE leads(
          id text PRIMARY KEY,
          stage text NOT NULL,
          stage_rank integer NOT NULL,
          closed text,
          owner text,
          team text,
          score integer NOT NULL,
          name text,
          company text,
          email text,
          source text,
          stage_entered_at double precision NOT NULL,
          value double precision,
          close_date double precision,
          stall_at double precision,
          sla_due double precision,
          next_due double precision,
          rev bigint NOT NULL DEFAULT 1,
          state text NOT NULL
        );
        CREATE INDEX leads_board ON leads(stage_rank, score DESC) WHERE closed IS NULL;
        CREATE INDEX leads_owner ON leads(owner, stage_rank) WHERE closed IS NULL;
        CREATE INDEX leads_stall ON leads(stall_at, stage) WHERE stall_at IS NOT NULL;
        CREATE INDEX leads_due ON leads(next_due) WHERE next_due IS NOT NULL;
        CREATE INDEX leads_queue ON leads(stage_rank, sla_due) WHERE closed IS NULL AND sla_due IS NOT NULL;
        CREATE INDEX leads_email ON leads(email) WHERE email IS NOT NULL;

        -- The board's column headers: open count and value per stage.
        CREATE TABLE stage_totals(stage text PRIMARY KEY, count bigint NOT NULL, value double precision NOT NULL);

        -- Anonymous visitors and their page views until a capture stitches them onto a lead.
        CREATE TABLE visitors(visitor text PRIMARY KEY, lead text, first_seen double precision NOT NULL, last_seen double precision NOT NULL);
        CREATE TABLE anonymous_views(event text PRIMARY KEY, visitor text NOT NULL, path text NOT NULL, at double precision NOT NULL);
        CREATE INDEX anonymous_views_by_visitor ON anonymous_views(visitor, at);

        -- Routing fairness counters and open load per rep.
        CREATE TABLE routing_reps(rep text PRIMARY KEY, assigned bigint NOT NULL, load bigint NOT NULL);
        CREATE TABLE routing_last(team text PRIMARY KEY, rep text NOT NULL);

        -- The playbook text this store applies, and other settings.
        CREATE TABLE settings(key text PRIMARY KEY, value text NOT NULL);
        """),
    Migration(
      version: 2, name: "stalled counts by day",
      sql: """
        -- Stalled leads per stage and whole day of stall_at (StallDay), as in the SQLite store.
        CREATE TABLE stall_days(stage text NOT NULL, day bigint NOT NULL, count bigint NOT NULL,
          PRIMARY KEY(stage, day));
        INSERT INTO stall_days(stage, day, count)
          SELECT stage, d - (CASE WHEN d * 86400 > stall_at THEN 1 ELSE 0 END)
              + (CASE WHEN (d + 1) * 86400 <= stall_at THEN 1 ELSE 0 END) AS day, count(*)
          FROM (SELECT stage, stall_at, floor(stall_at / 86400)::bigint AS d FROM leads
                WHERE stall_at IS NOT NULL) AS s
          GROUP BY 1, 2;
        """),
  ]

  static var latest: Int { all.last?.version ?? 0 }

  /// The recorded version, or 0 for a schema without leadboard tables.
  static func current(_ db: PGConnection) throws(StoreError) -> Int {
    let exists = try db.scalarInt(
      "SELECT 1 FROM pg_tables WHERE schemaname = current_schema() AND tablename = 'schema_migrations'"
    )
    guard exists != nil else { return 0 }
    return Int(try db.scalarInt("SELECT max(version) FROM schema_migrations") ?? 0)
  }

  /// Applies every migration above the recorded version in one transaction, under a lock so
  /// that processes opening a new store at once do not race. A store already at the latest
  /// version is not touched (a role without DDL rights can open it).
  static func migrate(_ db: PGConnection) throws(StoreError) {
    let found = try current(db)
    if found > latest {
      throw StoreError(
        .schema,
        "\(db.label): the store has schema version \(found), newer than this leadboard (\(latest)); upgrade leadboard"
      )
    }
    guard found < latest else { return }
    try db.transaction(write: true) { () throws(StoreError) in
      try db.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations(version integer PRIMARY KEY, name text NOT NULL)"
      )
      let current = Int(try db.scalarInt("SELECT max(version) FROM schema_migrations") ?? 0)
      for m in all where m.version > current {
        try db.execute(m.sql)
        try db.run(
          "INSERT INTO schema_migrations(version, name) VALUES ($1, $2)",
          [.int(Int64(m.version)), .text(m.name)])
      }
    }
  }
}
