import DemoPipeline
import Foundation
import LeadLifecycle
import SQLiteStore

let demoCommand = CommandSpec(
  path: ["demo"], arguments: "",
  summary:
    "build a deterministic, realistic demo pipeline ending at --now (default store: demo.db in the data folder)",
  options: [
    dbOption, nowOption, jsonOption,
    OptionSpec(name: "--leads", value: "N", help: "how many leads (default 2000)"),
    OptionSpec(
      name: "--seed", value: "S",
      help: "random seed (default 7): the same seed gives the same store"),
    OptionSpec(
      name: "--no-tui", value: nil,
      help: "fill the store and print the pipeline; do not open the board"),
    OptionSpec(name: "--force", value: nil, help: "replace an existing store given with --db"),
  ] + boardOptions.filter { !["--db", "--now"].contains($0.name) },
  run: { args in
    try args.expectPositionals(atMost: 0)
    var parameters = DemoParameters()
    if let n = args.value("--leads") {
      guard let v = Int(n), v >= 1, v <= 5_000_000 else {
        throw CLIError(.usage, "--leads: expected 1 … 5000000, found '\(n)'")
      }
      parameters.leads = v
    }
    if let s = args.value("--seed") {
      guard let v = UInt64(s) else {
        throw CLIError(.usage, "--seed: expected a whole number ≥ 0, found '\(s)'")
      }
      parameters.seed = v
    }
    let explicit = args.value("--db") ?? Paths.environment["LEADBOARD_DB"]
    let path = explicit ?? Paths.dataDirectory + "/demo.db"
    if explicit != nil, FileManager.default.fileExists(atPath: path), !args.flag("--force") {
      throw CLIError(.badInput, "\(path): already exists; pass --force to replace it with a demo")
    }
    let now = try clock(args)
    // Build into a temporary file and rename it into place: a demo is all there or not at all.
    let temp = path + ".building-\(getpid())"
    for suffix in ["", "-wal", "-shm"] { unlink(temp + suffix) }
    let started = ProcessInfo.processInfo.systemUptime
    var report = DemoGenerator.Report()
    do {
      let store = try SQLiteStore(path: temp)
      let interactive = isatty(2) != 0
      report = try DemoGenerator(parameters: parameters, end: now).run(into: store) { done, total in
        if interactive && done % 500 == 0 {
          FileHandle.standardError.write(Data("\r  simulating \(done)/\(total) actions".utf8))
        }
      }
      if interactive { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    } catch {
      for suffix in ["", "-wal", "-shm"] { unlink(temp + suffix) }
      throw CLIError(.storeUnavailable, (error as? StoreError)?.message ?? "\(error)")
    }
    for suffix in ["-wal", "-shm"] { unlink(path + suffix) }
    guard rename(temp, path) == 0 else {
      let why = String(cString: strerror(errno))
      unlink(temp)
      throw CLIError(.storeUnavailable, "\(path): cannot put the demo in place (\(why))")
    }
    let seconds = ProcessInfo.processInfo.systemUptime - started
    let store = try openStore(ParsedArgumentsOverride.db(args, path))
    let totals = try storeCall { () throws(StoreError) in try store.stageTotals(at: now) }
    if args.flag("--json") {
      Console.out(
        JSON.object([
          ("db", .string(path)), ("leads", .int(parameters.leads)),
          ("seed", .int(Int(parameters.seed))),
          ("events_appended", .int(report.appended)), ("duplicates", .int(report.duplicates)),
          ("outcomes", .int(report.outcomes)),
          (
            "refused", .object(report.refused.keys.sorted().map { ($0, .int(report.refused[$0]!)) })
          ), ("seconds", .number((seconds * 10).rounded() / 10)),
          ("stages", .object(totals.map { ($0.stage.rawValue, .int($0.count)) })),
        ]).serialized())
    } else {
      Console.out(
        "demo: \(parameters.leads) leads, seed \(parameters.seed), \(report.appended) events (\(report.outcomes) rule outcomes) in \(String(format: "%.1f", seconds)) s → \(path)"
      )
      Console.out(
        Present.table(
          ["STAGE", "COUNT", "OPEN VALUE", "STALLED"],
          totals.map {
            [$0.stage.rawValue, String($0.count), Present.money($0.value), String($0.stalled)]
          }, rightAligned: [1, 2, 3]))
      if !report.refused.isEmpty {
        Console.err(
          "refused: "
            + report.refused.keys.sorted().map { "\($0) \(report.refused[$0]!)" }.joined(
              separator: ", "))
      }
    }
    if args.flag("--no-tui") || isatty(1) == 0 { return .ok }
    return try openBoard(
      ParsedArgumentsOverride.db(args, path), store: store,
      feed: LiveFeed(seed: parameters.seed, start: now))
  })

/// Re-targets parsed arguments at another store path.
enum ParsedArgumentsOverride {
  static func db(_ args: ParsedArguments, _ path: String) -> ParsedArguments {
    var a = args
    a.values["--db"] = [path]
    return a
  }
}
