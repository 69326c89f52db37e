import Foundation
import LeadLifecycle
import SQLiteStore
import TerminalKit

let storeCommands: [CommandSpec] = [
  CommandSpec(
    path: ["init"], arguments: "",
    summary: "create a store (or replace its playbook with --playbook)",
    options: [dbOption, playbookOption, jsonOption],
    run: { args in
      try args.expectPositionals(atMost: 0)
      var text: String?
      if let file = args.value("--playbook") {
        _ = try loadPlaybook(file: file)  // report its problems before touching the store
        text = try AtomicFile.read(file)
      }
      let path = storeLabel(args)
      var existed = FileManager.default.fileExists(atPath: path)
      let store = try openStore(
        args, create: true, playbookText: text, replacePlaybook: text != nil)
      let events = try storeCall { () throws(StoreError) in try store.eventCount() }
      if isTeamStore(storePath(args)) { existed = events > 0 }
      if args.flag("--json") {
        Console.out(
          JSON.object([
            ("db", .string(path)), ("created", .bool(!existed)), ("events", .int(events)),
            ("playbook", .string(store.playbook.name)),
          ]).serialized())
      } else {
        Console.out(
          existed
            ? "\(path): store already exists (\(events) events), playbook \"\(store.playbook.name)\""
            : "\(path): created, playbook \"\(store.playbook.name)\"")
      }
      return .ok
    }),
  CommandSpec(
    path: ["ingest"], arguments: "[FILE|-]",
    summary:
      "append JSON Lines events (the documented event format); valid lines are kept, each rejected line is reported",
    options: [
      dbOption, jsonOption,
      OptionSpec(name: "--quiet", value: nil, help: "do not list rejected lines"),
      OptionSpec(
        name: "--replay", value: nil,
        help:
          "store a full log (an 'export --events' file) as given, rule outcomes included, without running the rules"
      ),
    ],
    run: { args in try runIngest(args) }),
  CommandSpec(
    path: ["pipeline"], arguments: "",
    summary: "per stage: open count, open value and stalled count (the board's data)",
    options: [
      dbOption, nowOption, jsonOption,
      OptionSpec(
        name: "--as-of", value: "TIME", help: "the pipeline as it stood then, from the log"),
    ],
    run: { args in try runPipeline(args) }),
  CommandSpec(
    path: ["leads"], arguments: "",
    summary: "list leads",
    options: [
      dbOption, nowOption, jsonOption,
      OptionSpec(name: "--stage", value: "STAGE", help: "only this stage"),
      OptionSpec(name: "--owner", value: "REP", help: "only this owner"),
      OptionSpec(name: "--stalled", value: nil, help: "only stalled leads"),
      OptionSpec(
        name: "--search", value: "TEXT",
        help: "name, company, email, owner, source or id containing TEXT"),
      OptionSpec(name: "--closed", value: nil, help: "include lost and disqualified leads"),
      OptionSpec(name: "--limit", value: "N", help: "at most N leads"),
    ],
    run: { args in try runLeads(args) }),
  CommandSpec(
    path: ["show"], arguments: "ID",
    summary: "a lead: profile, timeline, score ledger with reasons, SLA and stall state",
    options: [dbOption, nowOption, jsonOption],
    run: { args in try runShow(args) }),
  CommandSpec(
    path: ["tick"], arguments: "",
    summary:
      "run the time-driven rules (SLA breach, stall, decay, nurture end) at --now and print what they did",
    options: [dbOption, nowOption, jsonOption],
    run: { args in
      try args.expectPositionals(atMost: 0)
      let store = try openStore(args)
      let now = try clock(args)
      let events = try storeCall { () throws(StoreError) in try store.tick(at: now) }
      if args.flag("--json") {
        Console.out(
          JSON.object([("at", Present.time(now)), ("events", .array(events.map(\.json)))])
            .serialized())
      } else {
        for e in events { Console.out("\(e.lead ?? "-")  \(Present.eventLine(e))") }
        Console.out(
          "tick at \(ISO8601.format(now)): \(events.count) event\(events.count == 1 ? "" : "s")")
      }
      return .ok
    }),
  CommandSpec(
    path: ["reps"], arguments: "",
    summary: "each rep with open load, capacity, availability and who is next in rotation",
    options: [dbOption, nowOption, jsonOption],
    run: { args in
      try args.expectPositionals(atMost: 0)
      let store = try openStore(args)
      let now = try clock(args)
      let reps = try storeCall { () throws(StoreError) in try store.repStatuses(at: now) }
      if args.flag("--json") {
        Console.out(
          JSON.array(
            reps.map { r in
              .object([
                ("id", .string(r.rep.id)), ("name", .string(r.rep.name)),
                ("team", .optional(r.rep.team)),
                ("load", .int(r.load)), ("capacity", r.rep.capacity.map { .int($0) } ?? .null),
                ("assigned_total", .int(r.assignedTotal)),
                ("available", .bool(r.unavailable == nil)),
                ("unavailable_reason", .optional(r.unavailable)),
                ("next_in_rotation", .bool(r.nextInRotation)),
              ])
            }
          ).serialized())
      } else {
        Console.out(
          Present.table(
            ["REP", "NAME", "TEAM", "LOAD", "CAP", "ASSIGNED", "NEXT", "AVAILABILITY"],
            reps.map { r in
              [
                r.rep.id, r.rep.name, r.rep.team ?? "-", String(r.load),
                r.rep.capacity.map(String.init) ?? "-",
                String(r.assignedTotal), r.nextInRotation ? "▶" : "", r.unavailable ?? "available",
              ]
            }, rightAligned: [3, 4, 5]))
      }
      return .ok
    }),
]

// MARK: - ingest

func runIngest(_ args: ParsedArguments) throws -> ExitCode {
  try args.expectPositionals(atMost: 1)
  let source = args.positionals.first ?? "-"
  var reader = try LineReader.open(source)
  let store = try openStore(args, create: true)
  // A bulk writer: the batch keeps the leads it touches, and states are cheap to decode; the
  // default cache (for boards) held 200,000 decoded states, 651 MB at a 1,000,000-event ingest.
  store.stateCacheCapacity = bulkStateCacheCapacity
  var read = 0
  var added = 0
  var duplicates = 0
  var rejects: [(line: Int, reason: String)] = []
  var batch: [(line: Int, event: Event)] = []

  // --replay: a whole exported log, rule outcomes included, folded without the rules.
  let replay = args.flag("--replay")

  func flush() throws {
    guard !batch.isEmpty else { return }
    if replay {
      let events = batch.map(\.event)
      let n = try storeCall { () throws(StoreError) in try store.replay(events) }
      added += n
      duplicates += events.count - n
      batch.removeAll(keepingCapacity: true)
      return
    }
    let statuses = try storeCall { () throws(StoreError) in try store.append(batch.map(\.event)) }
    for (item, status) in zip(batch, statuses) {
      switch status {
      case .added: added += 1
      case .duplicate: duplicates += 1
      case .refused(let r): rejects.append((item.line, r.message))
      }
    }
    batch.removeAll(keepingCapacity: true)
  }

  var lineNumber = 0
  while let next = reader.next() {
    lineNumber += 1
    let bytes: [UInt8]
    switch next {
    case .text(let b): bytes = b
    case .tooLong(let n):
      read += 1
      rejects.append(
        (
          lineNumber,
          "a line of \(n) bytes: over the 1 MiB limit for an event line (\(LineReader.maxLineBytes) bytes)"
        ))
      continue
    }
    if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
    read += 1
    guard let text = String(validatingUTF8: bytes.map { CChar(bitPattern: $0) } + [0]),
      !bytes.contains(0)
    else {
      rejects.append((lineNumber, "not valid UTF-8 text"))
      continue
    }
    let event: Event
    do {
      event = try Event(jsonLine: text)
    } catch {
      rejects.append((lineNumber, error.description))
      continue
    }
    if !replay, EventType.ruleOutcomes.contains(event.type) {
      rejects.append(
        (
          lineNumber,
          "type: \(event.type.rawValue) is written by the rules, not ingested (use --replay for an exported log)"
        ))
      continue
    }
    batch.append((lineNumber, event))
    if batch.count >= 2000 { try flush() }
  }
  try flush()
  let name = source == "-" ? "stdin" : source
  if args.flag("--json") {
    Console.out(
      JSON.object([
        ("file", .string(name)), ("read", .int(read)), ("added", .int(added)),
        ("duplicate", .int(duplicates)),
        ("rejected", .int(rejects.count)),
        (
          "rejects",
          .array(
            rejects.map { .object([("line", .int($0.line)), ("reason", .string($0.reason))]) })
        ),
      ]).serialized())
  } else {
    if !args.flag("--quiet") {
      for r in rejects { Console.err("\(name):\(r.line): \(DisplayWidth.inert(r.reason))") }
    }
    Console.out(
      "\(name): read \(read), added \(added), duplicate \(duplicates), rejected \(rejects.count)")
  }
  return rejects.isEmpty ? .ok : .badInput
}

// MARK: - pipeline

func runPipeline(_ args: ParsedArguments) throws -> ExitCode {
  try args.expectPositionals(atMost: 0)
  let store = try openStore(args)
  let now = try clock(args)
  var totals: [StageTotals]
  var at = now
  if let asOfText = args.value("--as-of") {
    guard let asOf = ISO8601.parse(asOfText) else {
      throw CLIError(.usage, "--as-of: expected an ISO-8601 time, found '\(asOfText)'")
    }
    at = asOf
    let p = try storeCall { () throws(StoreError) in try store.pipeline(asOf: asOf) }
    totals = p.stageTotals(at: asOf)
  } else {
    totals = try storeCall { () throws(StoreError) in try store.stageTotals(at: now) }
  }
  if args.flag("--json") {
    Console.out(
      JSON.object([
        ("at", Present.time(at)),
        (
          "stages",
          .array(
            totals.map {
              .object([
                ("stage", .string($0.stage.rawValue)),
                ("label", .string(store.playbook.label($0.stage))),
                ("count", .int($0.count)), ("value", .number($0.value)),
                ("stalled", .int($0.stalled)),
              ])
            })
        ),
      ]).serialized(pretty: true))
  } else {
    Console.out(
      Present.table(
        ["STAGE", "LABEL", "COUNT", "OPEN VALUE", "STALLED"],
        totals.map {
          [
            $0.stage.rawValue, store.playbook.label($0.stage), String($0.count),
            Present.money($0.value), String($0.stalled),
          ]
        }, rightAligned: [2, 3, 4]))
  }
  return .ok
}

// MARK: - leads, show

func runLeads(_ args: ParsedArguments) throws -> ExitCode {
  try args.expectPositionals(atMost: 0)
  var query = LeadQuery()
  if let s = args.value("--stage") {
    guard let stage = Stage(rawValue: s) else {
      throw CLIError(.usage, "--stage: unknown stage '\(s)' (known: \(Stage.idList))")
    }
    query.stage = stage
  }
  query.owner = args.value("--owner")
  query.stalledOnly = args.flag("--stalled")
  query.search = args.value("--search")
  query.includeClosed = args.flag("--closed")
  if let l = args.value("--limit") {
    guard let n = Int(l), n >= 0 else {
      throw CLIError(.usage, "--limit: expected a whole number ≥ 0, found '\(l)'")
    }
    query.limit = n
  }
  let store = try openStore(args)
  let now = try clock(args)
  let leads = try storeCall { () throws(StoreError) in try store.leads(query, at: now) }
  if args.flag("--json") {
    Console.out(
      JSON.array(leads.map { Present.leadRow($0, engine: store.engine, now: now) }).serialized())
  } else {
    Console.out(
      Present.table(
        ["ID", "NAME", "COMPANY", "STAGE", "OWNER", "SCORE", "DAYS", "STALLED"],
        leads.map { l in
          let alert = store.engine.stall.evaluate(l, at: now)
          return [
            l.id, l.profile.displayName, l.profile.company ?? "",
            l.closed?.closure.rawValue ?? l.stage.rawValue,
            l.owner ?? "-", String(l.score), String(l.daysInStage(at: now)),
            alert == nil ? "" : (alert?.snoozedUntil == nil ? "stalled" : "snoozed"),
          ]
        }, rightAligned: [5, 6]))
    Console.err("\(leads.count) lead\(leads.count == 1 ? "" : "s")")
  }
  return .ok
}

func runShow(_ args: ParsedArguments) throws -> ExitCode {
  try args.expectPositionals(atMost: 1)
  let id = try args.positional(0, "ID")
  let store = try openStore(args)
  let now = try clock(args)
  guard let lead = try storeCall({ () throws(StoreError) in try store.lead(id) }) else {
    throw CLIError(.notFound, "no lead '\(id)'")
  }
  let events = try storeCall { () throws(StoreError) in try store.events(forLead: id) }
  if args.flag("--json") {
    Console.out(
      Present.leadDetail(lead, events: events, engine: store.engine, now: now).serialized(
        pretty: true))
    return .ok
  }
  let p = lead.profile
  var lines = [
    "\(lead.id)  \(DisplayWidth.inert(p.displayName))\(p.company.map { " — " + DisplayWidth.inert($0) } ?? "")",
    "stage     \(store.playbook.label(lead.stage)) (\(lead.stage)) for \(lead.daysInStage(at: now)) d"
      + (lead.closed.map { ", \($0.closure.rawValue): \($0.reason)" } ?? ""),
    "owner     \(lead.owner ?? "unassigned")\(lead.team.map { " (team \($0))" } ?? "")"
      + (lead.routingNote.map { " — \($0)" } ?? ""),
    "score     \(lead.score) (fit \(lead.fitScore), behaviour \(lead.behaviorScore))",
  ]
  if let s = store.engine.sla.status(of: lead, at: now) {
    lines.append(
      "SLA       \(s.state.rawValue): due \(ISO8601.format(s.due)) (\(s.remaining >= 0 ? Span.humanize(s.remaining) + " left" : Span.humanize(-s.remaining) + " late"))"
    )
  }
  if let a = store.engine.stall.evaluate(lead, at: now) {
    lines.append("stalled   \(a.blackHole.title): \(a.reason) → \(a.action)")
  }
  if let e = p.email { lines.append("email     \(DisplayWidth.inert(e))") }
  if let t = p.title { lines.append("title     \(DisplayWidth.inert(t))") }
  if !lead.qualification.isEmpty {
    lines.append(
      "qualified "
        + lead.qualification.keys.sorted().map { "\($0): \(lead.qualification[$0]!)" }.joined(
          separator: "; "))
  }
  if let o = lead.opportunity {
    lines.append(
      "deal      \(o.value.map(Present.money) ?? "?") \(o.currency ?? ""), close \(o.closeDate.map(ISO8601.formatDate) ?? "?"), stakeholders \((o.stakeholders ?? []).joined(separator: ", "))"
    )
  }
  lines += ["", "score ledger"]
  for l in lead.ledger {
    let delta = (l.change.delta >= 0 ? "+" : "") + String(l.change.delta)
    lines.append(
      "  \(ISO8601.format(l.at))  \(delta) → \(l.change.score)  \(l.change.rule): \(DisplayWidth.inert(l.change.detail))"
    )
  }
  lines += ["", "timeline"]
  for e in events where e.type != .scoreChanged { lines.append("  " + Present.eventLine(e)) }
  Console.out(lines.joined(separator: "\n"))
  return .ok
}
