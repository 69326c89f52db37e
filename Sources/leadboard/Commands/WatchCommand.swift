import Foundation
import LeadLifecycle
import SQLiteStore

/// `leadboard watch`: the change feed for scripts. Polls the store's change token (a cheap
/// pragma, not the data) and prints the board's totals whenever another process commits.
let watchCommand = CommandSpec(
  path: ["watch"], arguments: "",
  summary:
    "print the pipeline totals each time another process changes the store (the change feed)",
  options: [
    dbOption, nowOption, jsonOption,
    OptionSpec(name: "--once", value: nil, help: "exit after the first change"),
    OptionSpec(name: "--timeout", value: "SECONDS", help: "give up after this long (exit 1)"),
    OptionSpec(
      name: "--interval", value: "MS", help: "how often to look, in milliseconds (default 100)"),
  ],
  run: { args in
    try args.expectPositionals(atMost: 0)
    let store = try openStore(args)
    let interval =
      try args.value("--interval").map { text -> Int in
        guard let v = Int(text), (10...10_000).contains(v) else {
          throw CLIError(.usage, "--interval: expected 10 … 10000 ms, found '\(text)'")
        }
        return v
      } ?? 100
    let timeout = try args.value("--timeout").map { text -> Double in
      guard let v = Double(text), v > 0 else {
        throw CLIError(.usage, "--timeout: expected seconds > 0, found '\(text)'")
      }
      return v
    }
    let wall = SystemWallClock()
    let started = ProcessInfo.processInfo.systemUptime
    var token = try storeCall { () throws(StoreError) in try store.changeToken() }
    if !args.flag("--json") { Console.out("watching \(storeLabel(args)) (every \(interval) ms)") }
    var offline = false
    while true {
      usleep(useconds_t(interval * 1000))
      if let timeout, ProcessInfo.processInfo.systemUptime - started > timeout {
        throw CLIError(.failure, "no change within \(timeout) s")
      }
      let now: Int64
      do {
        now = try store.changeToken()
      } catch {
        // The server (team mode) or the file went away: say so once, keep looking.
        if !offline { Console.err("offline: \((error as? StoreError)?.message ?? "\(error)")") }
        offline = true
        continue
      }
      if offline {
        offline = false
        Console.err("back online")
      }
      guard now != token else { continue }
      token = now
      let seen = wall.now()
      let at = args.value("--now") != nil ? try clock(args) : seen
      let totals = try storeCall { () throws(StoreError) in try store.stageTotals(at: at) }
      if args.flag("--json") {
        Console.out(
          JSON.object([
            ("seen_at", .string(ISO8601.format(seen))),
            ("seen_at_ms", .int(Int((seen.timeIntervalSince1970 * 1000).rounded()))),
            ("stages", .object(totals.map { ($0.stage.rawValue, .int($0.count)) })),
          ]).serialized())
      } else {
        Console.out(
          "\(ISO8601.format(seen))  "
            + totals.map { "\($0.stage.rawValue) \($0.count)" }.joined(separator: "  "))
      }
      if args.flag("--once") { return .ok }
    }
  })
