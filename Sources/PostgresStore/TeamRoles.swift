import Foundation
import LeadLifecycle
import StoreCore

/// What a member of the team may change.
public enum TeamRole: String, Sendable, CaseIterable {
  /// Changes only leads they own and unowned MQLs (the open queue); reads everything.
  case sdr
  /// Changes any lead, and the playbook.
  case manager
}

/// One database login of the team and the rep it acts as.
public struct TeamMember: Sendable, Equatable {
  public var login: String
  public var rep: String?
  public var role: TeamRole
  public init(login: String, rep: String?, role: TeamRole) {
    self.login = login
    self.rep = rep
    self.role = role
  }
}

/// The two group roles `team init` creates for a schema.
public struct TeamGroups: Sendable, Equatable {
  public var sdr: String
  public var manager: String
  public func name(_ role: TeamRole) -> String { role == .sdr ? sdr : manager }
}

/// Roles and row-level security: access rules enforced by the database itself, so a
/// hand-written SQL session under an SDR login is held to them as much as leadboard is.
///
/// `teamInit` creates two group roles (`<prefix>_sdr`, `<prefix>_manager`), grants them the
/// tables (the log is append-only for both: no UPDATE or DELETE on `events`) and policies on
/// `leads` and `events`: every member reads everything; an SDR inserts or updates a lead only
/// when it is theirs or an unowned MQL, and may not hand it to anyone else; a manager changes
/// any lead. `addMember` maps a login to a rep (the `team_members` table), which is how the
/// policies know who is asking. Role and schema names reach SQL only as validated identifiers;
/// every value is a bound parameter.
extension PostgresStore {
  static let groupsKey = "team.groups"

  /// Sets up (or brings up to date) the roles and policies of this store's schema. Needs a
  /// login that owns the tables and may create roles. Safe to run again.
  @discardableResult
  public func teamInit(prefix: String) throws(StoreError) -> TeamGroups {
    let groups = TeamGroups(sdr: prefix + "_sdr", manager: prefix + "_manager")
    for name in [groups.sdr, groups.manager] where !PGConnection.isIdentifier(name) {
      throw StoreError(
        .schema,
        "'\(name)' is not a usable role name: lower-case letters, digits and _, at most 63 bytes")
    }
    guard PGConnection.isIdentifier(db.schema) else {
      throw StoreError(
        .schema,
        "\(label): team roles need a schema named with lower-case letters, digits and _ (found '\(db.schema)')"
      )
    }
    let schema = quoted(db.schema)
    let sdr = quoted(groups.sdr)
    let manager = quoted(groups.manager)
    let both = "\(sdr), \(manager)"
    try db.transaction(write: true) { () throws(StoreError) in
      for name in [groups.sdr, groups.manager] where try !roleExists(name) {
        try db.execute("CREATE ROLE \(quoted(name)) NOLOGIN")
      }
      try db.execute(
        """
        CREATE TABLE IF NOT EXISTS team_members(
          login text PRIMARY KEY,
          rep text,
          role text NOT NULL CHECK (role IN ('sdr', 'manager'))
        );
        CREATE OR REPLACE FUNCTION \(schema).leadboard_rep() RETURNS text
          LANGUAGE sql STABLE
          AS $$ SELECT rep FROM \(schema).team_members WHERE login = current_user $$;

        GRANT USAGE ON SCHEMA \(schema) TO \(both);
        GRANT SELECT ON ALL TABLES IN SCHEMA \(schema) TO \(both);
        GRANT USAGE ON ALL SEQUENCES IN SCHEMA \(schema) TO \(both);
        GRANT INSERT ON events TO \(both);
        GRANT INSERT, UPDATE ON leads, stage_totals, stall_days, routing_reps, routing_last, visitors TO \(both);
        GRANT INSERT, DELETE ON anonymous_views TO \(both);
        GRANT INSERT, UPDATE ON settings TO \(manager);
        GRANT EXECUTE ON FUNCTION \(schema).leadboard_rep() TO \(both);

        ALTER TABLE leads ENABLE ROW LEVEL SECURITY;
        ALTER TABLE events ENABLE ROW LEVEL SECURITY;

        DROP POLICY IF EXISTS team_read ON leads;
        DROP POLICY IF EXISTS team_manager ON leads;
        DROP POLICY IF EXISTS team_sdr_insert ON leads;
        DROP POLICY IF EXISTS team_sdr_update ON leads;
        CREATE POLICY team_read ON leads FOR SELECT TO \(both) USING (true);
        CREATE POLICY team_manager ON leads FOR ALL TO \(manager) USING (true) WITH CHECK (true);
        CREATE POLICY team_sdr_insert ON leads FOR INSERT TO \(sdr)
          WITH CHECK (owner IS NULL OR owner = \(schema).leadboard_rep());
        CREATE POLICY team_sdr_update ON leads FOR UPDATE TO \(sdr)
          USING (owner = \(schema).leadboard_rep() OR (owner IS NULL AND stage = 'mql'))
          WITH CHECK (owner IS NULL OR owner = \(schema).leadboard_rep());

        DROP POLICY IF EXISTS team_read ON events;
        DROP POLICY IF EXISTS team_manager ON events;
        DROP POLICY IF EXISTS team_sdr_insert ON events;
        CREATE POLICY team_read ON events FOR SELECT TO \(both) USING (true);
        CREATE POLICY team_manager ON events FOR INSERT TO \(manager) WITH CHECK (true);
        -- An SDR's event must be about a new lead, an unowned MQL or a lead of their own.
        CREATE POLICY team_sdr_insert ON events FOR INSERT TO \(sdr) WITH CHECK (
          lead IS NULL
          OR NOT EXISTS (SELECT 1 FROM \(schema).leads l WHERE l.id = lead)
          OR EXISTS (
            SELECT 1 FROM \(schema).leads l WHERE l.id = lead
              AND (l.owner = \(schema).leadboard_rep() OR (l.owner IS NULL AND l.stage = 'mql'))));
        """)
      try db.run(
        """
        INSERT INTO settings(key, value) VALUES ($1, $2)
        ON CONFLICT(key) DO UPDATE SET value = excluded.value
        """, [.text(PostgresStore.groupsKey), .text(groups.sdr + " " + groups.manager)])
    }
    return groups
  }

  /// The group roles `teamInit` made for this schema, or nil before it ran.
  public func teamGroups() throws(StoreError) -> TeamGroups? {
    var value: String?
    try db.transaction(write: false) { () throws(StoreError) in
      try db.query("SELECT value FROM settings WHERE key = $1", [.text(PostgresStore.groupsKey)]) {
        r in value = r.text(0)
      }
    }
    guard let value else { return nil }
    let parts = value.split(separator: " ").map(String.init)
    guard parts.count == 2, parts.allSatisfy(PGConnection.isIdentifier) else {
      throw StoreError(.schema, "\(label): the recorded team roles '\(value)' are not role names")
    }
    return TeamGroups(sdr: parts[0], manager: parts[1])
  }

  /// Makes `login` a member: creates the login role when missing (without a password: set
  /// one with psql's `\password`, or use certificate or peer authentication), puts it in the
  /// role's group (and out of the other) and records the rep it acts as.
  public func addMember(_ member: TeamMember) throws(StoreError) {
    guard let groups = try teamGroups() else {
      throw StoreError(.schema, "\(label): no team roles here yet; run 'leadboard team init' first")
    }
    guard PGConnection.isIdentifier(member.login) else {
      throw StoreError(
        .schema,
        "'\(member.login)' is not a usable login name: lower-case letters, digits and _, at most 63 bytes"
      )
    }
    let login = quoted(member.login)
    try db.transaction(write: true) { () throws(StoreError) in
      if try !roleExists(member.login) { try db.execute("CREATE ROLE \(login) LOGIN") }
      let other: TeamRole = member.role == .sdr ? .manager : .sdr
      if try isMember(member.login, of: groups.name(other)) {
        try db.execute("REVOKE \(quoted(groups.name(other))) FROM \(login)")
      }
      try db.execute("GRANT \(quoted(groups.name(member.role))) TO \(login)")
      try db.run(
        """
        INSERT INTO team_members(login, rep, role) VALUES ($1, $2, $3)
        ON CONFLICT(login) DO UPDATE SET rep = excluded.rep, role = excluded.role
        """, [.text(member.login), .optional(member.rep), .text(member.role.rawValue)])
    }
  }

  /// Takes `login` out of the team (the login role itself is kept). Returns false when it was
  /// not a member.
  @discardableResult
  public func removeMember(_ login: String) throws(StoreError) -> Bool {
    guard let groups = try teamGroups(), PGConnection.isIdentifier(login) else { return false }
    return try db.transaction(write: true) { () throws(StoreError) -> Bool in
      let found =
        try db.scalarInt("SELECT 1 FROM team_members WHERE login = $1", [.text(login)]) != nil
      guard found else { return false }
      try db.run("DELETE FROM team_members WHERE login = $1", [.text(login)])
      for role in TeamRole.allCases where try isMember(login, of: groups.name(role)) {
        try db.execute("REVOKE \(quoted(groups.name(role))) FROM \(quoted(login))")
      }
      return true
    }
  }

  /// The members, by login.
  public func members() throws(StoreError) -> [TeamMember] {
    guard try teamGroups() != nil else { return [] }
    return try db.transaction(write: false) { () throws(StoreError) -> [TeamMember] in
      var out: [TeamMember] = []
      try db.query("SELECT login, rep, role FROM team_members ORDER BY login COLLATE \"C\"") { r in
        out.append(
          TeamMember(
            login: r.text(0) ?? "", rep: r.text(1),
            role: TeamRole(rawValue: r.text(2) ?? "") ?? .sdr))
      }
      return out
    }
  }

  /// The member this session logged in as, if the team has roles and the login is a member.
  public func sessionMember() throws(StoreError) -> TeamMember? {
    guard try teamGroups() != nil else { return nil }
    return try db.transaction(write: false) { () throws(StoreError) -> TeamMember? in
      var out: TeamMember?
      try db.query("SELECT login, rep, role FROM team_members WHERE login = current_user") { r in
        out = TeamMember(
          login: r.text(0) ?? "", rep: r.text(1), role: TeamRole(rawValue: r.text(2) ?? "") ?? .sdr
        )
      }
      return out
    }
  }

  private func roleExists(_ name: String) throws(StoreError) -> Bool {
    try db.scalarInt("SELECT 1 FROM pg_roles WHERE rolname = $1", [.text(name)]) != nil
  }

  private func isMember(_ login: String, of group: String) throws(StoreError) -> Bool {
    try db.scalarInt(
      """
      SELECT 1 FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
        JOIN pg_roles u ON u.oid = m.member WHERE g.rolname = $1 AND u.rolname = $2
      """, [.text(group), .text(login)]) != nil
  }

  /// A validated identifier in double quotes.
  private func quoted(_ identifier: String) -> String {
    precondition(PGConnection.isIdentifier(identifier), "unvalidated identifier")
    return "\"\(identifier)\""
  }
}
