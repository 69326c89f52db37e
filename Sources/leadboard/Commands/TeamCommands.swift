import Foundation
import LeadLifecycle
import PostgresStore

/// The PostgreSQL store a `team` command works on (team roles exist only there).
private func teamStore(_ args: ParsedArguments) throws -> PostgresStore {
  guard isTeamStore(storePath(args)) else {
    throw CLIError(
      .usage,
      "leadboard team \(args.command.path.last ?? ""): team roles live in a PostgreSQL store; pass --db postgresql://… or set LEADBOARD_DB"
    )
  }
  guard let store = try openStore(args) as? PostgresStore else {
    throw CLIError(.failure, "\(storeLabel(args)): not a PostgreSQL store")
  }
  return store
}

private func memberJSON(_ m: TeamMember) -> JSON {
  JSON.object([
    ("login", .string(m.login)), ("rep", .optional(m.rep)), ("role", .string(m.role.rawValue)),
  ])
}

/// Team mode commands: `team init|add|remove|list` set up roles with row-level security;
/// `migrate` copies a store's event log into another store (a SQLite file into PostgreSQL),
/// exactly.
let teamCommands: [CommandSpec] = [
  CommandSpec(
    path: ["team", "init"], arguments: "",
    summary:
      "create the SDR and manager roles of a PostgreSQL store, with row-level security (run as the tables' owner)",
    options: [
      dbOption,
      OptionSpec(
        name: "--prefix", value: "NAME",
        help:
          "group roles are NAME_sdr and NAME_manager (default: leadboard; roles are server-wide)"),
      jsonOption,
    ],
    run: { args in
      try args.expectPositionals(atMost: 0)
      let prefix = args.value("--prefix") ?? "leadboard"
      let store = try teamStore(args)
      let groups = try storeCall { () throws(StoreError) in try store.teamInit(prefix: prefix) }
      if args.flag("--json") {
        Console.out(
          JSON.object([
            ("sdr_role", .string(groups.sdr)), ("manager_role", .string(groups.manager)),
          ])
          .serialized())
      } else {
        Console.out(
          """
          \(store.label): roles \(groups.sdr) and \(groups.manager) ready, row-level security on leads and events.
          Next: leadboard team add LOGIN --rep REP (an SDR), or leadboard team add LOGIN --manager
          """)
      }
      return .ok
    }),
  CommandSpec(
    path: ["team", "add"], arguments: "LOGIN",
    summary:
      "make a database login a member: an SDR acting as --rep, or a manager (the login is created without a password)",
    options: [
      dbOption,
      OptionSpec(
        name: "--rep", value: "REP", help: "the rep this login acts as (a rep id from the playbook)"
      ),
      OptionSpec(name: "--manager", value: nil, help: "a manager: may change any lead"),
      jsonOption,
    ],
    run: { args in
      try args.expectPositionals(atMost: 1)
      guard let login = args.positionals.first else {
        throw CLIError(
          .usage, "missing LOGIN\nusage: leadboard team add LOGIN --rep REP | --manager")
      }
      let role: TeamRole = args.flag("--manager") ? .manager : .sdr
      let rep = args.value("--rep")
      if role == .sdr && (rep ?? "").isEmpty {
        throw CLIError(.usage, "team add: an SDR needs --rep REP (or pass --manager)")
      }
      let store = try teamStore(args)
      let reps = store.playbook.routing.reps.map(\.id)
      if let rep, !reps.isEmpty, !reps.contains(rep) {
        throw CLIError(
          .badInput,
          "--rep: unknown rep '\(rep)' (the playbook's reps: \(reps.joined(separator: ", ")))")
      }
      let member = TeamMember(login: login, rep: rep, role: role)
      try storeCall { () throws(StoreError) in try store.addMember(member) }
      if args.flag("--json") {
        Console.out(memberJSON(member).serialized())
      } else {
        Console.out(
          "\(login): \(role == .sdr ? "SDR" : "manager")\(rep.map { " acting as \($0)" } ?? ""); set a password with psql's \\password \(login), or use certificate or peer authentication"
        )
      }
      return .ok
    }),
  CommandSpec(
    path: ["team", "remove"], arguments: "LOGIN",
    summary: "take a login out of the team (the login itself is kept)",
    options: [dbOption],
    run: { args in
      try args.expectPositionals(atMost: 1)
      guard let login = args.positionals.first else {
        throw CLIError(.usage, "missing LOGIN\nusage: leadboard team remove LOGIN")
      }
      let store = try teamStore(args)
      guard try storeCall({ () throws(StoreError) in try store.removeMember(login) }) else {
        throw CLIError(.notFound, "\(login): not a member of this team")
      }
      Console.out("\(login): removed from the team")
      return .ok
    }),
  CommandSpec(
    path: ["team", "list"], arguments: "",
    summary: "the team's members: login, role and the rep each acts as",
    options: [dbOption, jsonOption],
    run: { args in
      try args.expectPositionals(atMost: 0)
      let store = try teamStore(args)
      let members = try storeCall { () throws(StoreError) in try store.members() }
      if args.flag("--json") {
        Console.out(JSON.array(members.map(memberJSON)).serialized())
      } else if members.isEmpty {
        Console.out("no members yet (leadboard team init, then leadboard team add)")
      } else {
        for m in members {
          Console.out("\(m.login)\t\(m.role.rawValue)\t\(m.rep ?? "-")")
        }
      }
      return .ok
    }),
  CommandSpec(
    path: ["migrate"], arguments: "",
    summary:
      "copy a store's whole event log into another, exactly (e.g. a SQLite file into a postgres:// URL for team mode)",
    options: [
      OptionSpec(name: "--from", value: "FILE|URL", help: "the store to copy (left unchanged)"),
      OptionSpec(
        name: "--to", value: "URL|FILE",
        help: "the store to fill (created; re-running adds only what is missing)"),
      jsonOption,
    ],
    run: { args in
      try args.expectPositionals(atMost: 0)
      let from = try required(args, "--from")
      let to = try required(args, "--to")
      let source = try openStore(ParsedArgumentsOverride.db(args, from))
      let log = try storeCall { () throws(StoreError) in try source.allEvents(asOf: nil) }
      let playbookText = source.playbook.json.serialized()
      let target = try openStore(
        ParsedArgumentsOverride.db(args, to), create: true, playbookText: playbookText)
      let targetLog = try storeCall { () throws(StoreError) in try target.allEvents(asOf: nil) }
      let toLabel = storeLabel(ParsedArgumentsOverride.db(args, to))
      if target.playbook != source.playbook {
        throw CLIError(
          .conflict,
          "\(toLabel): the store applies another playbook (\"\(target.playbook.name)\"); migrate into an empty store"
        )
      }
      // The target must hold a prefix of the source's log: anything else would interleave two
      // histories.
      guard targetLog.count <= log.count, zip(targetLog, log).allSatisfy({ $0 == $1 }) else {
        throw CLIError(
          .conflict,
          "\(toLabel): the store already holds another history; migrate into an empty store")
      }
      var added = 0
      var i = targetLog.count
      while i < log.count {
        let chunk = Array(log[i..<min(i + 5000, log.count)])
        added += try storeCall { () throws(StoreError) in try target.replay(chunk) }
        i += chunk.count
      }
      let copied = try storeCall { () throws(StoreError) in try target.allEvents(asOf: nil) }
      guard copied == log else {
        throw CLIError(.failure, "\(toLabel): the copied log differs from the source")
      }
      if args.flag("--json") {
        Console.out(
          JSON.object([
            ("events", .int(log.count)), ("added", .int(added)), ("identical", .bool(true)),
          ]).serialized())
      } else {
        Console.out(
          "\(toLabel): \(log.count) events, \(added) copied now; the log is identical to the source's"
        )
      }
      return .ok
    }),
]
