import Foundation
import LeadLifecycle

/// The version printed by `leadboard --version`.
let leadboardVersion = "0.1.0"

let allCommands: [CommandSpec] =
  [boardCommand] + storeCommands + actionCommands + [demoCommand, watchCommand] + playbookCommands
  + importCommands + [reportCommand] + teamCommands

/// `leadboard --help`: every command and the exit codes.
func mainHelp() -> String {
  var lines = [
    "leadboard \(leadboardVersion): the sales pipeline from the keyboard",
    "",
    "usage: leadboard COMMAND [OPTIONS]",
    "",
    "commands:",
  ]
  let width =
    allCommands.map { ($0.path.joined(separator: " ") + " " + $0.arguments).count }.max() ?? 20
  for c in allCommands {
    let head = (c.path.joined(separator: " ") + " " + c.arguments).padding(
      toLength: width, withPad: " ", startingAt: 0)
    lines.append("  \(head)  \(c.summary)")
  }
  lines += ["", "exit codes:"]
  for code in ExitCode.allCases { lines.append("  \(code.rawValue)  \(code.meaning)") }
  lines += ["", "'leadboard COMMAND --help' shows a command's options."]
  return lines.joined(separator: "\n")
}

/// `leadboard COMMAND --help`.
func commandHelp(_ c: CommandSpec) -> String {
  var lines = [
    "usage: leadboard \(c.path.joined(separator: " ")) \(c.arguments)", "", c.summary, "",
    "options:",
  ]
  let specs = c.options + globalOptions
  let width = specs.map { $0.name.count + ($0.value.map { $0.count + 1 } ?? 0) }.max() ?? 10
  for o in specs {
    let head = (o.name + (o.value.map { " " + $0 } ?? "")).padding(
      toLength: width, withPad: " ", startingAt: 0)
    lines.append("  \(head)  \(o.help)\(o.repeatable ? " (repeatable)" : "")")
  }
  return lines.joined(separator: "\n")
}

func runMain(_ args: [String]) -> ExitCode {
  if args.isEmpty
    || args.first?.hasPrefix("--") == true && !["--help", "-h", "--version"].contains(args.first!)
  {
    // `leadboard` alone (or with only options) opens the board on the default store.
    return runMain(["board"] + args)
  }
  if args == ["--help"] || args == ["-h"] || args == ["help"] {
    Console.out(mainHelp())
    return .ok
  }
  if args == ["--version"] || args == ["version"] {
    Console.out("leadboard \(leadboardVersion)")
    return .ok
  }
  do {
    let parsed = try ArgumentParser(commands: allCommands).parse(args)
    if parsed.flag("--help") {
      Console.out(commandHelp(parsed.command))
      return .ok
    }
    return try parsed.command.run(parsed)
  } catch let e as CLIError {
    Console.err("leadboard: \(e.message)")
    return e.code
  } catch {
    Console.err("leadboard: \(error)")
    return .failure
  }
}

// A file-size limit (`ulimit -f`) must surface as a write error (EFBIG), reported like a full
// disk with exit 7, not kill the process with SIGXFSZ in the middle of a write.
signal(SIGXFSZ, SIG_IGN)
exit(runMain(Array(CommandLine.arguments.dropFirst())).rawValue)
