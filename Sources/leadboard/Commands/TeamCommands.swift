import Foundation
import LeadLifecycle

/// Team mode commands: `migrate` copies a store's event log into another store (a SQLite file
/// into PostgreSQL), exactly.
let teamCommands: [CommandSpec] = [
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
    })
]
