import CursesBackend
import DemoPipeline
import Foundation
import LeadLifecycle
import LeadboardApp
import SQLiteStore
import TerminalKit

/// `$XDG_CONFIG_HOME/leadboard/config.json5`: default store, who I am, theme, language, keys.
struct UserConfig {
  var db: String?
  var me: String?
  var theme: String?
  var language: Language?
  var keys: [String: [String]] = [:]

  static var path: String { Paths.configDirectory + "/config.json5" }

  /// Reads the config file when it exists; every problem is reported with its place.
  static func load() throws -> UserConfig {
    let path = UserConfig.path
    guard FileManager.default.fileExists(atPath: path) else { return UserConfig() }
    let text = try AtomicFile.read(path)
    let root: JSON
    do {
      root = try ConfigReader.document(text)
    } catch {
      throw CLIError(.badInput, error.problems.map { "\(path):\($0)" }.joined(separator: "\n"))
    }
    let reader = ConfigReader()
    var c = UserConfig()
    if let top = reader.object(root, "") {
      c.db = top.string("db")
      c.me = top.string("as")
      c.theme = top.string("theme")
      if let l = top.string("lang") {
        if let lang = Language(rawValue: l) {
          c.language = lang
        } else {
          reader.problem("lang", top.raw("lang"), "expected en or ja, found '\(l)'")
        }
      }
      if let keys = reader.object(top.raw("keys"), "keys") {
        for name in keys.keys { c.keys[name] = keys.strings(name) ?? [] }
        keys.finish()
      }
      top.finish()
    }
    if !reader.problems.isEmpty {
      throw CLIError(.badInput, reader.problems.map { "\(path):\($0)" }.joined(separator: "\n"))
    }
    return c
  }
}

let boardOptions: [OptionSpec] = [
  dbOption, asOption, nowOption,
  OptionSpec(
    name: "--theme", value: "NAME|PATH",
    help: "dark (default), light, high-contrast, monochrome, or a .theme file"),
  OptionSpec(name: "--lang", value: "en|ja", help: "UI language (default from LANG)"),
  OptionSpec(name: "--view", value: "VIEW", help: "open on board, queue or alerts"),
  OptionSpec(
    name: "--exit-after-first-frame", value: nil,
    help: "draw one frame and exit (for start-up benchmarks)"),
]

let boardCommand = CommandSpec(
  path: ["board"], arguments: "",
  summary:
    "open the dashboard (board, queue, alerts, lead) on the store; what `leadboard` alone does",
  options: boardOptions,
  run: { args in
    try args.expectPositionals(atMost: 0)
    return try openBoard(args, store: nil, feed: nil)
  })

/// Opens the dashboard on `store` (or the store the arguments name), optionally with a live
/// demo feed, and runs it until the user quits.
func openBoard(_ args: ParsedArguments, store given: (any PipelineStore)?, feed: LiveFeed?) throws
  -> ExitCode
{
  let config = try UserConfig.load()
  var args = args
  if args.value("--db") == nil, Paths.environment["LEADBOARD_DB"] == nil, let db = config.db {
    args.values["--db"] = [db]
  }
  let env = Paths.environment
  let language: Language =
    try args.value("--lang").map { text in
      guard let l = Language(rawValue: text) else {
        throw CLIError(.usage, "--lang: expected en or ja, found '\(text)'")
      }
      return l
    } ?? config.language ?? Language.fromEnvironment(env)
  let noColor = !(env["NO_COLOR"] ?? "").isEmpty
  var theme: Theme
  do {
    theme = try ThemeLoader.load(
      args.value("--theme") ?? config.theme ?? "dark",
      userDirectory: Paths.configDirectory + "/themes")
  } catch {
    throw CLIError(.badInput, "\(error)")
  }
  if noColor { theme = try ThemeLoader.load("monochrome", userDirectory: "") }
  let (keymap, keyProblems) = Keymap.standard.overriding(config.keys)
  if !keyProblems.isEmpty {
    throw CLIError(
      .badInput, keyProblems.map { "\(UserConfig.path): \($0)" }.joined(separator: "\n"))
  }
  let view: ViewID =
    try args.value("--view").map { text in
      switch text {
      case "board": return .board
      case "queue": return .queue
      case "alerts": return .alerts
      default: throw CLIError(.usage, "--view: expected board, queue or alerts, found '\(text)'")
      }
    } ?? .board
  let store = try given ?? openStore(args, create: true)
  let me = args.value("--as") ?? config.me ?? env["LEADBOARD_REP"] ?? loginRep(store)
  if let me, !store.playbook.routing.reps.isEmpty,
    !store.playbook.routing.reps.contains(where: { $0.id == me })
  {
    throw CLIError(
      .badInput,
      "--as: unknown rep '\(me)' (known: \(store.playbook.routing.reps.map(\.id).joined(separator: ", ")))"
    )
  }
  let clock: WallClock =
    try args.value("--now").map { _ in FixedWallClock(try ClockOption.parse(args)) }
    ?? SystemWallClock()
  let backend: CursesBackend
  do {
    backend = try CursesBackend(environment: env, monochrome: noColor)
  } catch {
    throw CLIError(.usage, "\(error)")
  }
  defer { backend.shutdown() }
  var state = AppState(size: backend.size, now: clock.now(), me: me, language: language)
  state.view = view
  let context = RenderContext(
    playbook: store.playbook, theme: theme, glyphs: backend.glyphs, keymap: keymap)
  let runtime = Runtime(
    state: state, store: store, backend: backend, clock: clock, context: context)
  if var feed {
    runtime.onIdle = { now in _ = try? feed.step(into: store, now: now) }
  }
  if args.flag("--exit-after-first-frame") {
    runtime.reload()
    runtime.redraw()
    return .ok
  }
  runtime.run()
  return .ok
}

/// `--now` for the board.
enum ClockOption {
  static func parse(_ args: ParsedArguments) throws -> Date { try clock(args) }
}
