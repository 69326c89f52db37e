import Foundation
import LeadImport
import LeadLifecycle
import SQLiteStore
import TerminalKit

let importCommands: [CommandSpec] = [
  CommandSpec(
    path: ["import"], arguments: "FILE...",
    summary:
      "import CRM exports (CSV) as lead history: presets, mappings, rejects with file:line, warnings; exit 3 when a row was refused",
    options: [
      dbOption, nowOption, jsonOption,
      OptionSpec(
        name: "--preset", value: "NAME",
        help:
          "hubspot, salesforce, pipedrive, olist-mql, olist-deals; one for all files or one per file in order (default: detected from the header)",
        repeatable: true),
      OptionSpec(
        name: "--mapping", value: "FILE", help: "a JSON5 mapping file (see --print-mapping)"),
      OptionSpec(
        name: "--map", value: "FIELD=COLUMN", help: "map a column to a canonical field",
        repeatable: true),
      OptionSpec(
        name: "--stage-map", value: "VALUE=STAGE",
        help: "what a stage value means (a stage, lost, disqualified, ignore)",
        repeatable: true),
      OptionSpec(
        name: "--date-format", value: "PATTERN",
        help: "dd-MM-yyyy, MM/dd/yyyy HH:mm, iso … (tried in order)",
        repeatable: true),
      OptionSpec(
        name: "--timezone", value: "TZ",
        help: "the time zone of dates without an offset (IANA name)"),
      OptionSpec(
        name: "--encoding", value: "auto|utf-8|cp932", help: "the file encoding (default: detected)"
      ),
      OptionSpec(
        name: "--delimiter", value: "auto|,|;|tab", help: "the field separator (default: detected)"),
      OptionSpec(name: "--dry-run", value: nil, help: "check everything, write nothing"),
      OptionSpec(
        name: "--rejects", value: "FILE", help: "write the refused rows there, with an error column"
      ),
      OptionSpec(
        name: "--print-mapping", value: "PRESET", help: "print a preset as a mapping file and exit"),
      OptionSpec(name: "--quiet", value: nil, help: "do not list rejects and warnings"),
    ],
    run: { args in try runImport(args) }),
  CommandSpec(
    path: ["export"], arguments: "",
    summary: "export leads (CSV or JSON Lines) or the whole event log (--events, JSON Lines)",
    options: [
      dbOption, nowOption,
      OptionSpec(
        name: "--format", value: "csv|jsonl", help: "leads as CSV (default) or JSON Lines"),
      OptionSpec(name: "--stage", value: "STAGE", help: "only leads in this stage"),
      OptionSpec(
        name: "--events", value: nil,
        help: "the whole event log as JSON Lines (re-ingest with 'ingest --replay')"),
      OptionSpec(
        name: "--excel", value: nil, help: "CSV for Excel: UTF-8 with a BOM and CRLF line ends"),
      OptionSpec(name: "--output", value: "FILE", help: "write there instead of standard output"),
    ],
    run: { args in try runExport(args) }),
]

// MARK: - import

/// Splits `A=B` (the first `=`), or fails naming the option.
private func pair(_ s: String, _ option: String) throws -> (String, String) {
  guard let eq = s.firstIndex(of: "="), eq != s.startIndex else {
    throw CLIError(.usage, "\(option): expected NAME=VALUE, found '\(s)'")
  }
  return (String(s[..<eq]), String(s[s.index(after: eq)...]))
}

private func mappingOverrides(_ args: ParsedArguments) throws -> MappingOverrides {
  var o = MappingOverrides()
  for m in args.all("--map") {
    let (field, column) = try pair(m, "--map")
    if let problem = CanonicalField.problem(field) { throw CLIError(.usage, "--map: \(problem)") }
    o.fields.append((field, column))
  }
  for m in args.all("--stage-map") {
    let (value, stage) = try pair(m, "--stage-map")
    guard let t = StageTarget(name: stage) else {
      throw CLIError(
        .usage,
        "--stage-map: unknown stage '\(stage)' (known: known, mql, sal, sql, opportunity, customer, lost, disqualified, ignore)"
      )
    }
    o.stages.append((value, t))
  }
  let formats = args.all("--date-format")
  if !formats.isEmpty {
    o.dateFormats = try formats.map { f in
      switch DatePattern.parse(f) {
      case .success(let p): return p
      case .failure(let e): throw CLIError(.usage, "--date-format: \(e.message)")
      }
    }
  }
  if let tz = args.value("--timezone") {
    guard let zone = TimeZone(identifier: tz) else {
      throw CLIError(
        .usage, "--timezone: unknown time zone '\(tz)' (an IANA name such as Asia/Tokyo)")
    }
    o.timeZone = zone
  }
  if let e = args.value("--encoding") {
    guard let enc = TextEncoding(name: e) else {
      throw CLIError(.usage, "--encoding: unknown encoding '\(e)' (known: auto, utf-8, cp932)")
    }
    o.encoding = enc
  }
  if let d = args.value("--delimiter") {
    guard let del = DelimiterChoice(name: d) else {
      throw CLIError(.usage, "--delimiter: unknown delimiter '\(d)' (known: auto, ',', ';', tab)")
    }
    o.delimiter = del
  }
  return o
}

/// A progress bar on stderr, drawn only when stderr is a terminal.
private final class ProgressBar {
  let enabled = isatty(2) != 0
  let start = Date()
  var last = Date.distantPast
  var drawn = false

  func update(_ bytes: Int, _ total: Int?, _ rows: Int) {
    guard enabled else { return }
    let now = Date()
    guard now.timeIntervalSince(last) > 0.2 else { return }
    last = now
    let elapsed = max(0.001, now.timeIntervalSince(start))
    let rate = Double(rows) / elapsed
    var line = ""
    if let total, total > 0 {
      let f = min(1, Double(bytes) / Double(total))
      let filled = Int(f * 24)
      let eta = f > 0 ? elapsed * (1 - f) / f : 0
      line =
        "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: 24 - filled)
        + "] "
        + "\(Int(f * 100))%  \(rows) rows  \(Int(rate)) rows/s  ETA \(Int(eta.rounded())) s"
    } else {
      line = "\(rows) rows  \(Int(rate)) rows/s"
    }
    FileHandle.standardError.write(Data(("\r" + line + "\u{1B}[K").utf8))
    drawn = true
  }

  func clear() {
    if drawn { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
  }
}

/// Writes refused rows as CSV: the file's header plus `error`, `file` and `line` columns (a new
/// header line starts each file with a different header).
private final class RejectsWriter {
  let handle: FileHandle
  var lastHeader: [String]?

  init(path: String) throws {
    // Refused rows are lead data: private to the user, as the store is.
    guard
      FileManager.default.createFile(
        atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]),
      let h = FileHandle(forWritingAtPath: path)
    else { throw CLIError(.badInput, "\(path): cannot write the rejects file") }
    handle = h
  }

  static func line(_ cells: [String]) -> String {
    cells.map { c in
      c.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
        ? "\"" + c.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : c
    }.joined(separator: ",") + "\r\n"
  }

  func write(_ r: ImportReject) {
    if lastHeader != r.header {
      handle.write(Data(RejectsWriter.line(r.header + ["error", "file", "line"]).utf8))
      lastHeader = r.header
    }
    var cells = r.fields
    if cells.count < r.header.count {
      cells += Array(repeating: "", count: r.header.count - cells.count)
    }
    cells = Array(cells.prefix(r.header.count))
    let error = r.problems.map(\.message).joined(separator: "; ")
    handle.write(Data(RejectsWriter.line(cells + [error, r.file, String(r.line)]).utf8))
  }
}

private func rejectText(_ r: ImportReject, _ p: CellProblem) -> String {
  var where_ = "\(r.file):\(r.line)"
  if let c = p.column { where_ += ": column \(c)" + (p.columnName.map { " (\($0))" } ?? "") }
  return "\(where_): \(p.message)"
}

func runImport(_ args: ParsedArguments) throws -> ExitCode {
  if let name = args.value("--print-mapping") {
    guard let preset = Presets.named(name) else {
      throw CLIError(
        .usage, "unknown preset '\(name)' (known: \(Presets.names.joined(separator: ", ")))")
    }
    Console.out(preset.json5)
    return .ok
  }
  let files = args.positionals
  guard !files.isEmpty else {
    throw CLIError(.usage, "missing FILE\nusage: leadboard import \(args.command.arguments)")
  }
  // Everything that can be checked before reading a row is checked before touching the store.
  for f in files {
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: f, isDirectory: &isDir) else {
      throw CLIError(.notFound, "\(f): no such file")
    }
    if isDir.boolValue { throw CLIError(.badInput, "\(f): is a folder, not a CSV file") }
  }
  let presets = args.all("--preset")
  var base: [ImportMapping?] = Array(repeating: nil, count: files.count)
  if let path = args.value("--mapping") {
    guard presets.isEmpty else {
      throw CLIError(
        .usage,
        "--mapping and --preset together: put `preset: \"NAME\"` in the mapping file instead")
    }
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
      throw CLIError(.notFound, "\(path): cannot read the mapping file")
    }
    do {
      let m = try ImportMapping.parse(text, name: (path as NSString).lastPathComponent)
      base = Array(repeating: m, count: files.count)
    } catch {
      for p in error.problems { Console.err("\(path):\(p.description)") }
      throw CLIError(
        .badInput,
        "\(path): \(error.problems.count) problem\(error.problems.count == 1 ? "" : "s") in the mapping file"
      )
    }
  } else if !presets.isEmpty {
    guard presets.count == 1 || presets.count == files.count else {
      throw CLIError(
        .usage,
        "--preset given \(presets.count) times for \(files.count) files: give one for all, or one per file"
      )
    }
    for (i, _) in files.enumerated() {
      let name = presets.count == 1 ? presets[0] : presets[i]
      guard let m = Presets.named(name) else {
        throw CLIError(
          .usage, "unknown preset '\(name)' (known: \(Presets.names.joined(separator: ", ")))")
      }
      base[i] = m
    }
  }
  let overrides = try mappingOverrides(args)
  let dryRun = args.flag("--dry-run")
  let now = try clock(args)
  let store: (any CommandStore)?
  if dryRun {
    let path = storePath(args)
    store =
      FileManager.default.fileExists(atPath: path) || path == ":memory:" ? try openStore(args) : nil
  } else {
    store = try openStore(args, create: true)
  }
  // Imports touch each lead once: a large state cache would only grow the footprint.
  store?.stateCacheCapacity = bulkStateCacheCapacity
  let json = args.flag("--json")
  let quiet = args.flag("--quiet") || json
  let rejectsWriter = try args.value("--rejects").map { try RejectsWriter(path: $0) }
  let progress = ProgressBar()
  var jsonRejects: [JSON] = []
  var rejectCount = 0
  let importer = Importer(store: store, now: now)
  importer.overrides = overrides
  importer.dryRun = dryRun
  importer.onProgress = { progress.update($0, $1, $2) }
  importer.onReject = { r in
    rejectCount += 1
    rejectsWriter?.write(r)
    if json {
      if jsonRejects.count < 1000 {
        jsonRejects.append(
          .object([
            ("file", .string(r.file)), ("line", .int(r.line)),
            (
              "problems",
              .array(
                r.problems.map { p in
                  .object([
                    ("column", p.column.map { .int($0) } ?? .null),
                    ("column_name", .optional(p.columnName)),
                    ("reason", .string(p.message)),
                  ])
                })
            ),
          ]))
      }
    } else if !quiet {
      progress.clear()
      for p in r.problems { Console.err(DisplayWidth.inert(rejectText(r, p))) }
    }
  }
  let report: ImportReport
  do {
    report = try importer.run(
      files.enumerated().map { ImportSource(path: $0.element, mapping: base[$0.offset]) })
  } catch let e as StoreError {
    progress.clear()
    throw CLIError(exitCode(for: e), e.message)
  } catch let e as CSVFileError {
    progress.clear()
    throw CLIError(.failure, e.message)
  }
  progress.clear()
  let ok = report.clean
  if json {
    Console.out(
      JSON.object([
        ("dry_run", .bool(dryRun)),
        (
          "files",
          .array(
            report.files.map { f in
              .object([
                ("file", .string(f.file)), ("mapping", .optional(f.mapping)),
                ("detected", .bool(f.detected)),
                ("encoding", .optional(f.encoding)), ("delimiter", .optional(f.delimiter)),
                ("rows", .int(f.rows)),
                ("imported", .int(f.imported)), ("rejected", .int(f.rejected)),
                ("error", .optional(f.error)),
                ("ignored_columns", .array(f.ignoredColumns.map { .string($0) })),
                ("invalid_sequences", .int(f.invalidSequences)),
              ])
            })
        ),
        ("rows", .int(report.rows)), ("rejected", .int(report.rejected)),
        ("leads", .int(report.leads)),
        ("new_leads", .int(report.newLeads)), ("updated_leads", .int(report.updatedLeads)),
        ("merged_by_email", .int(report.mergedByEmail)), ("events_built", .int(report.eventsBuilt)),
        ("events_added", .int(report.eventsAdded)), ("rejects", .array(jsonRejects)),
        ("warning_count", .int(report.warningCount)),
        (
          "warnings",
          .array(
            report.warnings.map { w in
              .object([
                ("file", .string(w.file)), ("line", .int(w.line)), ("lead", .string(w.lead)),
                ("message", .string(w.message)),
              ])
            })
        ),
      ]).serialized())
    return ok ? .ok : .badInput
  }
  for f in report.files {
    if let e = f.error {
      Console.err(DisplayWidth.inert("\(f.file): refused: \(e)"))
      continue
    }
    var line =
      "\(f.file): \(f.mapping ?? "-")\(f.detected ? " (detected)" : ""), \(f.encoding ?? "-"), delimiter \(f.delimiter ?? "-"): \(f.rows) rows, \(f.imported) imported, \(f.rejected) rejected"
    if f.invalidSequences > 0 {
      line += ", \(f.invalidSequences) undecodable byte sequences replaced by U+FFFD"
    }
    Console.out(DisplayWidth.inert(line))
  }
  if !quiet {
    let shown = report.warnings.prefix(50)
    for w in shown {
      Console.err(DisplayWidth.inert("warning: \(w.file):\(w.line): \(w.lead): \(w.message)"))
    }
    if report.warningCount > shown.count {
      Console.err(
        "warning: … and \(report.warningCount - shown.count) more (--json lists up to 1000)")
    }
  }
  var summary =
    "leads: \(report.leads) (\(report.newLeads) new, \(report.updatedLeads) updated, \(report.mergedByEmail) merged by email); warnings: \(report.warningCount); rejected rows: \(rejectCount)"
  if dryRun {
    summary +=
      "\ndry run: \(report.eventsBuilt) events would be offered to the store, nothing written"
  } else if report.eventsAdded == 0 && report.rows > 0 && ok {
    summary += "\nadded 0 events: nothing new (everything in these files was already imported)"
  } else {
    summary +=
      "\nadded \(report.eventsAdded) events (\(report.eventsBuilt - report.eventsAdded) already present)"
  }
  Console.out(summary)
  return ok ? .ok : .badInput
}

// MARK: - export

/// Buffered output to a file or standard output. A file is written under a temporary name in
/// its folder and renamed into place by `finish`, so a failed export (a full disk) leaves no
/// half-written file; the failure is reported with exit 7.
private final class Output {
  let handle: FileHandle
  let path: String?
  let temp: String?
  var buffer = ""

  init(path: String?) throws {
    self.path = path
    if let path {
      let url = URL(fileURLWithPath: path)
      let temp = url.deletingLastPathComponent().path + "/.\(url.lastPathComponent).\(getpid()).tmp"
      // Lead data: private to the user, as the store is.
      guard
        FileManager.default.createFile(
          atPath: temp, contents: nil, attributes: [.posixPermissions: 0o600]),
        let h = FileHandle(forWritingAtPath: temp)
      else { throw CLIError(.badInput, "\(path): cannot write") }
      handle = h
      self.temp = temp
    } else {
      handle = .standardOutput
      temp = nil
    }
  }

  func write(_ s: String) {
    buffer += s
    if buffer.utf8.count > 1 << 16 { flush() }
  }

  func flush() {
    let data = Data(buffer.utf8)
    buffer = ""
    guard let temp, let path else {
      Console.write(data, to: handle)
      return
    }
    do {
      try handle.write(contentsOf: data)
    } catch {
      unlink(temp)
      Console.err(
        "leadboard: \(path): cannot write the output (\(Console.outputFailure(error))); nothing written"
      )
      exit(ExitCode.storeUnavailable.rawValue)
    }
  }

  deinit { if let temp { unlink(temp) } }

  /// Writes what is buffered and, for a file, puts it in place.
  func finish() throws {
    flush()
    guard let temp, let path else { return }
    try? handle.close()
    if rename(temp, path) != 0 {
      let why = String(cString: strerror(errno))
      unlink(temp)
      throw CLIError(.badInput, "\(path): cannot write (\(why))")
    }
  }
}

func runExport(_ args: ParsedArguments) throws -> ExitCode {
  try args.expectPositionals(atMost: 0)
  let format = args.value("--format") ?? (args.flag("--events") ? "jsonl" : "csv")
  guard format == "csv" || format == "jsonl" else {
    throw CLIError(.usage, "--format: expected csv or jsonl, found '\(format)'")
  }
  if args.flag("--events") && format != "jsonl" {
    throw CLIError(.usage, "--events writes JSON Lines only (the event format ingest reads)")
  }
  if args.flag("--excel") && format != "csv" {
    throw CLIError(.usage, "--excel applies to CSV only")
  }
  var stage: Stage?
  if let s = args.value("--stage") {
    guard let st = Stage(rawValue: s) else {
      throw CLIError(.usage, "--stage: unknown stage '\(s)' (known: \(Stage.idList))")
    }
    stage = st
  }
  let store = try openStore(args)
  let now = try clock(args)
  let out = try Output(path: args.value("--output"))
  if args.flag("--events") {
    let events = try storeCall { () throws(StoreError) in try store.allEvents(asOf: nil) }
    for e in events { out.write(e.jsonLine + "\n") }
    try out.finish()
    return .ok
  }
  let leads = try storeCall { () throws(StoreError) in
    try store.leads(LeadQuery(stage: stage, includeClosed: true), at: now)
  }.sorted { $0.id < $1.id }
  if format == "jsonl" {
    for l in leads { out.write(Exporter.leadJSON(l).serialized() + "\n") }
  } else {
    let excel = args.flag("--excel")
    let eol = excel ? "\r\n" : "\n"
    if excel { out.write("\u{FEFF}") }
    let extras = Exporter.extraKeys(leads)
    out.write(CSVWriter.line(Exporter.leadColumns(extras: extras)) + eol)
    for l in leads { out.write(CSVWriter.line(Exporter.leadRow(l, extras: extras)) + eol) }
  }
  try out.finish()
  return .ok
}
