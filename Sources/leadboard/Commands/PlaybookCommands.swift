import Foundation
import LeadLifecycle

/// The option naming a playbook file, shared by every command that applies rules.
let playbookOption = OptionSpec(
  name: "--playbook", value: "FILE",
  help:
    "playbook file (default: $LEADBOARD_PLAYBOOK, else $XDG_CONFIG_HOME/leadboard/playbook.json5, else built-in)"
)
let jsonOption = OptionSpec(name: "--json", value: nil, help: "print JSON for scripts")

/// Loads the playbook a command should use, or explains what is wrong with it.
func loadPlaybook(_ args: ParsedArguments) throws -> Playbook {
  guard let path = args.value("--playbook") ?? Paths.defaultPlaybookFile else { return .builtIn }
  return try loadPlaybook(file: path)
}

func loadPlaybook(file path: String) throws -> Playbook {
  let text = try AtomicFile.read(path)
  do {
    return try Playbook.parse(text)
  } catch {
    throw CLIError(.badInput, error.problems.map { "\(path):\($0)" }.joined(separator: "\n"))
  }
}

let playbookCommands: [CommandSpec] = [
  CommandSpec(
    path: ["playbook", "init"], arguments: "[PATH]",
    summary:
      "write the default playbook, with a comment on every key (default: $XDG_CONFIG_HOME/leadboard/playbook.json5)",
    options: [OptionSpec(name: "--force", value: nil, help: "overwrite an existing file")],
    run: { args in
      try args.expectPositionals(atMost: 1)
      let path = args.positionals.first ?? Paths.configDirectory + "/playbook.json5"
      if FileManager.default.fileExists(atPath: path), !args.flag("--force") {
        throw CLIError(.badInput, "\(path): already exists; use --force to overwrite it")
      }
      try AtomicFile.write(Playbook.defaultText, to: path)
      Console.out("wrote \(path)")
      return .ok
    }),
  CommandSpec(
    path: ["playbook", "show"], arguments: "",
    summary: "print the effective playbook",
    options: [playbookOption, jsonOption],
    run: { args in
      try args.expectPositionals(atMost: 0)
      let playbook = try loadPlaybook(args)
      Console.out(args.flag("--json") ? playbook.json.serialized(pretty: true) : describe(playbook))
      return .ok
    }),
  CommandSpec(
    path: ["playbook", "check"], arguments: "FILE",
    summary: "validate a playbook and report every problem with its line, column and key path",
    options: [jsonOption],
    run: { args in
      try args.expectPositionals(atMost: 1)
      let path = try args.positional(0, "FILE")
      let text = try AtomicFile.read(path)
      do {
        let p = try Playbook.parse(text)
        if args.flag("--json") {
          Console.out(
            JSON.object([("file", .string(path)), ("ok", .bool(true)), ("problems", .array([]))])
              .serialized())
        } else {
          Console.out(
            "\(path): ok — \(p.scoring.fit.count) fit and \(p.scoring.behavior.count) behaviour rules, "
              + "threshold \(p.scoring.mqlThreshold), \(p.routing.reps.count) reps, \(p.sla.stages.count) SLAs"
          )
        }
        return .ok
      } catch let error as ConfigProblems {
        if args.flag("--json") {
          let list = error.problems.map { p in
            JSON.object([
              ("path", .string(p.path)), ("line", .int(p.position.line)),
              ("column", .int(p.position.column)),
              ("message", .string(p.message)),
            ])
          }
          Console.out(
            JSON.object([("file", .string(path)), ("ok", .bool(false)), ("problems", .array(list))])
              .serialized())
        } else {
          for p in error.problems { Console.err("\(path):\(p)") }
          Console.err(
            "\(path): \(error.problems.count) problem\(error.problems.count == 1 ? "" : "s")")
        }
        return .badInput
      }
    }),
]

/// The playbook in words, for `playbook show`.
func describe(_ p: Playbook) -> String {
  var lines: [String] = ["Playbook: \(p.name)", "", "Stages"]
  for stage in Stage.allCases {
    let s = p.stage(stage)
    var parts = [
      "  \(stage.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0)) \(s.label) (\(s.owner))"
    ]
    if let w = s.stallAfter { parts.append("stalls after \(w)") }
    if let b = s.benchmark {
      if let c = b.conversion { parts.append("conversion \(fmt(c))%") }
      if let a = b.averageDays { parts.append("avg \(fmt(a)) d") }
      if let x = b.bestDays { parts.append("best \(fmt(x)) d") }
    }
    if !s.entry.isEmpty {
      parts.append("entry: " + s.entry.map { $0.label(p.qualification) }.joined(separator: ", "))
    }
    lines.append(parts.joined(separator: "; "))
  }
  lines += [
    "",
    "Scoring: MQL at \(p.scoring.mqlThreshold), floor \(p.scoring.floor.map(String.init) ?? "none")",
  ]
  for r in p.scoring.fit { lines.append("  fit \(r.id): \(r.condition.summary) → \(r.points)") }
  for r in p.scoring.behavior {
    lines.append(
      "  behaviour \(r.id): \(r.event.rawValue)\(r.match.map { " \($0)" } ?? "") → \(r.points)\(r.cap.map { " (cap \($0))" } ?? "")"
    )
  }
  switch p.scoring.decay {
  case .halfLife(let d): lines.append("  decay: half-life \(JSON.formatNumber(d)) d")
  case .pointsPerInactiveWeek(let w): lines.append("  decay: \(w) points per inactive week")
  case nil: lines.append("  decay: none")
  }
  let hi = p.scoring.highIntent
  lines.append(
    "  instant MQL: "
      + (hi.events.map(\.rawValue)
      + hi.pageViews.map { "\($0.count)× \($0.path) within \($0.within)" }).joined(separator: ", "))
  lines += [
    "", "Routing: \(p.routing.autoAssign ? "automatic" : "manual"), \(p.routing.strategy.rawValue)",
  ]
  for t in p.routing.territories { lines.append("  \(t.when.summary) → team \(t.team)") }
  if let d = p.routing.defaultTeam { lines.append("  otherwise → team \(d)") }
  for r in p.routing.reps {
    var s = "  \(r.id) \(r.name) team \(r.team ?? "-") weight \(JSON.formatNumber(r.weight))"
    if let c = r.capacity { s += " capacity \(c)" }
    if let w = r.workingHours { s += " \(WorkingCalendar.describe(w)) \(r.timeZone)" }
    if !r.active { s += " (inactive)" }
    lines.append(s)
  }
  lines += ["", "SLAs"]
  for stage in Stage.allCases {
    guard let s = p.sla.stages[stage] else { continue }
    lines.append(
      "  \(stage.rawValue): \(s.target)\(s.workingHours ? " working time" : "") until \(s.until.rawValue)\(s.reassignOnBreach ? ", reassign on breach" : "")"
    )
  }
  lines += ["", "Recycle: at most \(p.recycle.maxRecycles) times"]
  for r in p.recycle.reasons {
    lines.append("  \(r.code): \(r.label)\(r.nurture.map { ", nurture \($0)" } ?? "")")
  }
  if let a = p.recycle.autoRecycle {
    lines.append(
      "  automatic: \(a.attempts) attempts without contact within \(a.within) → \(a.reason)")
  }
  lines += [
    "",
    "Qualification: \(p.qualification.name) (\(p.qualification.fields.map(\.id).joined(separator: ", ")))",
  ]
  return lines.joined(separator: "\n")
}

private func fmt(_ r: NumberRange) -> String {
  "\(JSON.formatNumber(r.low))–\(JSON.formatNumber(r.high))"
}
