import Foundation
import LeadLifecycle
import SQLiteStore
import TerminalKit

/// An action on one or more leads: the event it appends is built from the arguments.
private func action(
  _ name: String, _ arguments: String, _ summary: String, options: [OptionSpec] = [],
  needsActor: Bool = false,
  build: @escaping @Sendable (ParsedArguments, Playbook) throws -> EventPayload
) -> CommandSpec {
  CommandSpec(
    path: [name], arguments: arguments, summary: summary,
    options: [dbOption, nowOption, asOption, jsonOption] + options,
    run: { args in
      let ids = args.positionals
      guard !ids.isEmpty else {
        throw CLIError(.usage, "missing ID\nusage: leadboard \(name) \(arguments)")
      }
      let store = try openStore(args)
      // Who acts: --as, LEADBOARD_REP, else (team mode) the rep of the database login.
      let actor = args.value("--as") ?? Paths.environment["LEADBOARD_REP"] ?? loginRep(store)
      if needsActor && (actor ?? "").isEmpty {
        throw CLIError(.usage, "\(name): who is acting? pass --as REP (or set LEADBOARD_REP)")
      }
      let now = try clock(args)
      let payload = try build(args, store.playbook)
      var worst = ExitCode.ok
      var results: [JSON] = []
      for id in ids {
        let millis = Int64((now.timeIntervalSince1970 * 1000).rounded())
        let event = Event(
          id: "\(name)-\(id)-\(actor ?? "cli")-\(millis)", at: now, lead: id, actor: actor, payload)
        let status = try storeCall { () throws(StoreError) in try store.append([event]) }[0]
        let (code, json, text) = describe(
          status, id: id, verb: name, event: event, store: store, now: now)
        if code != .ok && (worst == .ok || code.rawValue > worst.rawValue) { worst = code }
        results.append(json)
        if args.flag("--json") { continue }
        if code == .ok { Console.out(text) } else { Console.err(text) }
      }
      if args.flag("--json") {
        Console.out((results.count == 1 ? results[0] : JSON.array(results)).serialized())
      }
      return worst
    })
}

/// The outcome of one action for humans and for `--json`.
private func describe(
  _ status: AppendStatus, id: String, verb: String, event: Event, store: any PipelineStore,
  now: Date
)
  -> (ExitCode, JSON, String)
{
  switch status {
  case .added(let outcomes):
    let lead = (try? store.lead(id)) ?? nil
    let moves = outcomes.compactMap { e -> String? in
      if case .stageChanged(let from, let to, _) = e.payload {
        return "\(from?.rawValue ?? "new") → \(to.rawValue)"
      }
      if case .disqualified(let r) = e.payload { return "disqualified (\(r))" }
      if case .assigned(let to, _, _) = e.payload { return "assigned to \(to)" }
      return nil
    }
    let json = JSON.object([
      ("lead", .string(id)), ("ok", .bool(true)), ("event", event.json),
      ("outcomes", .array(outcomes.map(\.json))),
      ("stage", .optional(lead?.stage.rawValue)), ("owner", .optional(lead?.owner)),
    ])
    let text = "\(id): \(verb) ok" + (moves.isEmpty ? "" : " — " + moves.joined(separator: ", "))
    return (.ok, json, text)
  case .duplicate:
    let json = JSON.object([("lead", .string(id)), ("ok", .bool(true)), ("duplicate", .bool(true))])
    return (.ok, json, "\(id): already recorded (same event id); nothing changed")
  case .refused(let r):
    var message = r.message
    if r.kind == .conflict, let at = r.winnerAt, let who = r.winner {
      message = "already accepted by \(who) \(ago(at, now: now)) (at \(ISO8601.format(at)))"
    }
    let json = JSON.object([
      ("lead", .string(id)), ("ok", .bool(false)), ("error", .string(r.kind.rawValue)),
      ("message", .string(message)),
      ("missing", .array(r.missing.map { .string($0) })), ("winner", .optional(r.winner)),
      ("winner_at", Present.time(r.winnerAt)),
    ])
    return (exitCode(for: r), json, "\(id): \(DisplayWidth.inert(message))")
  }
}

let actionCommands: [CommandSpec] = [
  action(
    "accept", "ID...",
    "accept MQLs: each becomes the acting rep's SAL, exactly once even under concurrency",
    needsActor: true
  ) { _, _ in
    .accepted
  },
  action(
    "recycle", "ID... --reason CODE",
    "send leads back to nurture with a reason code from the playbook",
    options: [OptionSpec(name: "--reason", value: "CODE", help: "a recycle reason code")]
  ) { args, _ in .recycled(reason: try required(args, "--reason"), nurtureUntil: nil) },
  action(
    "assign", "ID... --to REP", "give leads to a rep",
    options: [OptionSpec(name: "--to", value: "REP", help: "the rep")]
  ) { args, _ in
    .assigned(to: try required(args, "--to"), team: nil, explanation: "assigned by hand")
  },
  action(
    "attempt", "ID... --channel C --outcome O", "log a contact attempt",
    options: [
      OptionSpec(
        name: "--channel", value: "C",
        help: ContactChannel.allCases.map(\.rawValue).joined(separator: "|")),
      OptionSpec(
        name: "--outcome", value: "O",
        help: ContactOutcome.allCases.map(\.rawValue).joined(separator: "|")),
    ]
  ) { args, _ in
    let c = try required(args, "--channel")
    let o = try required(args, "--outcome")
    guard let channel = ContactChannel(rawValue: c) else {
      throw CLIError(
        .usage,
        "--channel: unknown '\(c)' (known: \(ContactChannel.allCases.map(\.rawValue).joined(separator: ", ")))"
      )
    }
    guard let outcome = ContactOutcome(rawValue: o) else {
      throw CLIError(
        .usage,
        "--outcome: unknown '\(o)' (known: \(ContactOutcome.allCases.map(\.rawValue).joined(separator: ", ")))"
      )
    }
    return .contactAttempt(channel: channel, outcome: outcome)
  },
  action(
    "qualify", "ID... [--budget B --authority A --need N --timeline T]",
    "record qualification answers; a SAL becomes an SQL when the framework's fields are all known",
    options: [
      OptionSpec(name: "--budget", value: "TEXT", help: "BANT: budget"),
      OptionSpec(name: "--authority", value: "TEXT", help: "BANT: authority"),
      OptionSpec(name: "--need", value: "TEXT", help: "BANT: need"),
      OptionSpec(name: "--timeline", value: "TEXT", help: "BANT: timeline"),
      OptionSpec(
        name: "--answer", value: "FIELD=TEXT", help: "any framework field", repeatable: true),
    ]
  ) { args, playbook in
    var fields: [String: String] = [:]
    for k in ["budget", "authority", "need", "timeline"] {
      if let v = args.value("--" + k) { fields[k] = v }
    }
    for a in args.all("--answer") {
      guard let eq = a.firstIndex(of: "="), eq != a.startIndex else {
        throw CLIError(.usage, "--answer: expected FIELD=TEXT, found '\(a)'")
      }
      let key = String(a[..<eq])
      guard playbook.qualification.fields.contains(where: { $0.id == key }) else {
        throw CLIError(
          .usage,
          "--answer: '\(key)' is not a field of \(playbook.qualification.name) (\(playbook.qualification.fields.map(\.id).joined(separator: ", ")))"
        )
      }
      fields[key] = String(a[a.index(after: eq)...])
    }
    if fields.isEmpty {
      throw CLIError(
        .usage,
        "qualify: give at least one answer (--budget, --authority, --need, --timeline, --answer)")
    }
    return .qualification(fields: fields)
  },
  action(
    "opportunity", "ID... --value V --close-date D --stakeholders A,B",
    "create the opportunity: an SQL becomes an opportunity when the entry criteria are met",
    options: [
      OptionSpec(name: "--value", value: "AMOUNT", help: "deal value"),
      OptionSpec(name: "--currency", value: "CODE", help: "currency (JPY, USD …)"),
      OptionSpec(name: "--close-date", value: "DATE", help: "expected close date"),
      OptionSpec(name: "--stakeholders", value: "A,B", help: "comma-separated stakeholder names"),
      OptionSpec(name: "--name", value: "TEXT", help: "deal name"),
      OptionSpec(name: "--update", value: nil, help: "update an existing opportunity instead"),
    ]
  ) { args, _ in
    var o = OpportunityFields()
    if let v = args.value("--value") {
      guard let d = Double(v), d >= 0, d.isFinite else {
        throw CLIError(.usage, "--value: expected an amount ≥ 0, found '\(v)'")
      }
      o.value = d
    }
    o.currency = args.value("--currency")
    o.closeDate = try dateOption(args, "--close-date")
    o.stakeholders = args.value("--stakeholders").map {
      $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter {
        !$0.isEmpty
      }
    }
    o.name = args.value("--name")
    return args.flag("--update") ? .opportunityUpdated(o) : .opportunityCreated(o)
  },
  action(
    "contract", "ID... --payment-terms T --onboarding-date D",
    "record the signed contract of an opportunity",
    options: [
      OptionSpec(name: "--payment-terms", value: "TEXT", help: "agreed payment terms"),
      OptionSpec(name: "--onboarding-date", value: "DATE", help: "onboarding kickoff date"),
    ]
  ) { args, _ in
    .contractSigned(
      paymentTerms: args.value("--payment-terms"),
      onboardingDate: try dateOption(args, "--onboarding-date"))
  },
  action(
    "won", "ID...",
    "mark opportunities won: they become customers when the contract criteria are met"
  ) { _, _ in .won },
  action(
    "lost", "ID... --reason CODE", "mark leads lost",
    options: [OptionSpec(name: "--reason", value: "CODE", help: "a lost reason code")]
  ) { args, _ in .lost(reason: try required(args, "--reason")) },
  action(
    "disqualify", "ID... --reason CODE", "disqualify leads",
    options: [OptionSpec(name: "--reason", value: "CODE", help: "a disqualify reason code")]
  ) { args, _ in .disqualified(reason: try required(args, "--reason")) },
  action(
    "snooze", "ID... --until DATE --reason TEXT", "silence a lead's stall alert until a date",
    options: [
      OptionSpec(name: "--until", value: "DATE", help: "resume date"),
      OptionSpec(name: "--reason", value: "TEXT", help: "why"),
    ]
  ) { args, _ in
    guard let until = try dateOption(args, "--until") else {
      throw CLIError(.usage, "missing --until")
    }
    return .snoozed(until: until, reason: try required(args, "--reason"))
  },
  action(
    "move", "ID... --to STAGE", "move leads forward to a stage, checked against its entry criteria",
    options: [
      OptionSpec(name: "--to", value: "STAGE", help: "target stage"),
      OptionSpec(name: "--reason", value: "TEXT", help: "why"),
    ]
  ) { args, _ in
    let s = try required(args, "--to")
    guard let stage = Stage(rawValue: s) else {
      throw CLIError(.usage, "--to: unknown stage '\(s)' (known: \(Stage.idList))")
    }
    return .moved(to: stage, reason: args.value("--reason"))
  },
  action(
    "note", "ID... --text TEXT", "add a note to the timeline",
    options: [OptionSpec(name: "--text", value: "TEXT", help: "the note")]
  ) {
    args, _ in .note(text: try required(args, "--text"))
  },
]
