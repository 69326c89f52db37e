import Foundation
import LeadLifecycle

/// Exit codes, documented in `leadboard --help` and the README.
enum ExitCode: Int32, CaseIterable, Sendable {
  case ok = 0
  /// An unexpected internal failure.
  case failure = 1
  /// The command line itself is wrong: unknown command or option, missing value.
  case usage = 2
  /// A file or value is malformed (bad CSV row, broken playbook, bad date).
  case badInput = 3
  /// A lead, rep or file named on the command line does not exist.
  case notFound = 4
  /// Someone else won: the lead was already accepted by another rep.
  case conflict = 5
  /// The playbook's rules refuse the action (missing entry criteria, wrong stage).
  case refused = 6
  /// The store cannot be opened, is locked, read-only or out of space.
  case storeUnavailable = 7
  /// The store's access rules refuse this role the change (team mode: an SDR changing a lead
  /// that is neither theirs nor in the open queue).
  case forbidden = 8

  var meaning: String {
    switch self {
    case .ok: return "success"
    case .failure: return "unexpected internal failure"
    case .usage: return "usage error: unknown command or option, missing or malformed argument"
    case .badInput:
      return "bad input: a malformed file, line, row or value (every problem is listed)"
    case .notFound: return "not found: unknown lead, rep or file"
    case .conflict: return "conflict: someone else already did it (the winner is named)"
    case .refused:
      return "refused by the playbook: wrong stage or missing entry criteria (each is named)"
    case .storeUnavailable: return "store unavailable: cannot open, locked, read-only or full"
    case .forbidden:
      return "not permitted: the team store's roles refuse this change to your role"
    }
  }
}

/// An error that ends a command with a message on stderr and an exit code.
struct CLIError: Error {
  var code: ExitCode
  var message: String
  init(_ code: ExitCode, _ message: String) {
    self.code = code
    self.message = message
  }
}

/// One option a command accepts.
struct OptionSpec: Sendable {
  /// `--db`.
  var name: String
  /// The value's placeholder (`PATH`); nil for a flag.
  var value: String?
  var help: String
  var repeatable = false
}

/// A command: its name path (`playbook check`), usage, options and what it runs.
struct CommandSpec: Sendable {
  var path: [String]
  var arguments: String
  var summary: String
  var options: [OptionSpec]
  var run: @Sendable (ParsedArguments) throws -> ExitCode
}

/// Options every command accepts.
let globalOptions: [OptionSpec] = [
  OptionSpec(name: "--help", value: nil, help: "show this help")
]

/// What the parser found on the command line.
struct ParsedArguments: Sendable {
  var command: CommandSpec
  var values: [String: [String]] = [:]
  var flags = Set<String>()
  var positionals: [String] = []

  func value(_ name: String) -> String? { values[name]?.last }
  func all(_ name: String) -> [String] { values[name] ?? [] }
  func flag(_ name: String) -> Bool { flags.contains(name) }

  /// The positional at `index`, or a usage error naming it.
  func positional(_ index: Int, _ name: String) throws -> String {
    guard index < positionals.count else {
      throw CLIError(
        .usage,
        "missing \(name)\nusage: leadboard \(command.path.joined(separator: " ")) \(command.arguments)"
      )
    }
    return positionals[index]
  }

  /// Fails when more positionals were given than the command takes.
  func expectPositionals(atMost n: Int) throws {
    if positionals.count > n {
      throw CLIError(
        .usage,
        "unexpected argument '\(positionals[n])'\nusage: leadboard \(command.path.joined(separator: " ")) \(command.arguments)"
      )
    }
  }
}

/// A small command-line parser: subcommand paths, `--name value`, `--name=value`, flags, `--`.
struct ArgumentParser {
  var commands: [CommandSpec]

  /// Finds the command and splits its arguments.
  func parse(_ args: [String]) throws -> ParsedArguments {
    // The longest command path that prefixes the arguments.
    var best: CommandSpec?
    for c in commands where args.starts(with: c.path) {
      if best == nil || c.path.count > best!.path.count { best = c }
    }
    guard let command = best else {
      let word = args.first ?? ""
      let groups = Set(commands.map { $0.path[0] })
      if groups.contains(word) {
        let subs = commands.filter { $0.path[0] == word }.map {
          $0.path.dropFirst().joined(separator: " ")
        }
        throw CLIError(.usage, "'\(word)' needs a subcommand: \(subs.joined(separator: ", "))")
      }
      let hint = suggestion(word, among: Array(groups))
      throw CLIError(
        .usage, "unknown command '\(word)'\(hint)\nrun 'leadboard --help' for the list")
    }
    var parsed = ParsedArguments(command: command)
    let specs = command.options + globalOptions
    var rest = Array(args.dropFirst(command.path.count))[...]
    while let arg = rest.popFirst() {
      if arg == "--" {
        parsed.positionals += rest
        break
      }
      guard arg.hasPrefix("-"), arg != "-" else {
        parsed.positionals.append(arg)
        continue
      }
      var name = arg
      var inline: String?
      if let eq = arg.firstIndex(of: "=") {
        name = String(arg[..<eq])
        inline = String(arg[arg.index(after: eq)...])
      }
      if name == "-h" { name = "--help" }
      guard let spec = specs.first(where: { $0.name == name }) else {
        let hint = suggestion(name, among: specs.map(\.name))
        throw CLIError(
          .usage,
          "unknown option '\(name)' for '\(command.path.joined(separator: " "))'\(hint)\nrun 'leadboard \(command.path.joined(separator: " ")) --help'"
        )
      }
      if spec.value == nil {
        if inline != nil { throw CLIError(.usage, "option \(name) takes no value") }
        parsed.flags.insert(name)
        continue
      }
      guard let value = inline ?? rest.popFirst() else {
        throw CLIError(.usage, "option \(name) needs a value (\(spec.value!))")
      }
      if !spec.repeatable, parsed.values[name] != nil {
        throw CLIError(.usage, "option \(name) given twice")
      }
      parsed.values[name, default: []].append(value)
    }
    return parsed
  }

  private func suggestion(_ word: String, among candidates: [String]) -> String {
    let close = candidates.filter { editDistance($0, word) <= 2 }.sorted()
    return close.isEmpty
      ? "" : " (did you mean \(close.map { "'\($0)'" }.joined(separator: " or "))?)"
  }
}
