import Foundation
import LeadLifecycle
import PostgresStore
import SQLiteStore

let dbOption = OptionSpec(
  name: "--db", value: "PATH",
  help:
    "the store: a file, or a postgres:// URL for team mode (default: $LEADBOARD_DB, else $XDG_DATA_HOME/leadboard/leadboard.db)"
)
let nowOption = OptionSpec(
  name: "--now", value: "ISO-8601", help: "the clock: act as if it were this time")
let asOption = OptionSpec(
  name: "--as", value: "REP", help: "who is acting (a rep id from the playbook)")

/// The store path a command uses.
func storePath(_ args: ParsedArguments) -> String {
  if let p = args.value("--db"), !p.isEmpty { return p }
  if let p = Paths.environment["LEADBOARD_DB"], !p.isEmpty { return p }
  return Paths.dataDirectory + "/leadboard.db"
}

/// What the commands need of a store beyond the contract: both stores have it.
protocol CommandStore: PipelineStore {
  /// The rules engine of the store's playbook.
  var engine: LifecycleEngine { get }
  /// How many events the log holds.
  func eventCount() throws(StoreError) -> Int
  /// How many decoded lead states the store caches (a bulk import lowers it).
  var stateCacheCapacity: Int { get set }
}

/// The decoded-state cache of a bulk writer (`ingest`, `import`): small, to keep the footprint
/// flat; a batch of 2,000 events keeps its own leads.
let bulkStateCacheCapacity = 4096

extension SQLiteStore: CommandStore {}
extension PostgresStore: CommandStore {}

/// The store location as messages show it: a URL without its password.
func storeLabel(_ args: ParsedArguments) -> String {
  let path = storePath(args)
  return isTeamStore(path) || isKeywordValueConninfo(path) ? PostgresStore.redact(path) : path
}

/// True when the store location is a PostgreSQL URL (team mode).
func isTeamStore(_ location: String) -> Bool { PostgresStore.handles(location) }

/// True when `location` reads as a libpq keyword/value string (`host=db user=sato
/// password=…`). Only URLs are taken; such a string would otherwise be a file name, created as
/// a SQLite file and echoed, password and all, in messages.
func isKeywordValueConninfo(_ location: String) -> Bool {
  let keywords: Set = [
    "host", "hostaddr", "port", "dbname", "user", "password", "passfile", "sslmode", "service",
  ]
  // Every word is KEY=VALUE with a plain key, and one key is libpq's: a file path is not.
  let words = location.split(separator: " ")
  let keys = words.map { w in w.firstIndex(of: "=").map { String(w[..<$0]).lowercased() } }
  return !words.isEmpty
    && keys.allSatisfy { k in
      k.map { !$0.isEmpty && $0.allSatisfy { $0 == "_" || ("a"..."z").contains($0) } } ?? false
    }
    && keys.contains { keywords.contains($0 ?? "") }
}

/// Opens the store: a SQLite file, or PostgreSQL for a `postgres://` / `postgresql://` URL
/// (team mode; the database must exist, the tables are created on first use). `create`
/// allows a new file, otherwise a missing one is an error that says how to start.
func openStore(
  _ args: ParsedArguments, create: Bool = false, playbookText: String? = nil,
  replacePlaybook: Bool = false
)
  throws -> any CommandStore
{
  let path = storePath(args)
  if isKeywordValueConninfo(path) {
    throw CLIError(
      .usage,
      "\(PostgresStore.redact(path)): a keyword/value connection string is not taken; give a postgresql:// URL (the password through PGPASSWORD or ~/.pgpass)"
    )
  }
  if isTeamStore(path) {
    do {
      return try PostgresStore(
        url: path, playbookText: playbookText, replacePlaybook: replacePlaybook)
    } catch {
      throw CLIError(.storeUnavailable, error.message)
    }
  }
  if !create && path != ":memory:" && !FileManager.default.fileExists(atPath: path) {
    throw CLIError(
      .storeUnavailable,
      "\(path): no store here; create one with 'leadboard init' or 'leadboard demo'")
  }
  do {
    return try SQLiteStore(path: path, playbookText: playbookText, replacePlaybook: replacePlaybook)
  } catch {
    throw CLIError(.storeUnavailable, error.message)
  }
}

/// Runs a store call, turning a `StoreError` into the documented exit code.
func storeCall<T>(_ body: () throws(StoreError) -> T) throws -> T {
  do {
    return try body()
  } catch {
    throw CLIError(exitCode(for: error), error.message)
  }
}

/// The exit code for a store failure: 8 when the store's access rules refuse the change, 7
/// (unavailable) for everything else.
func exitCode(for error: StoreError) -> ExitCode {
  error.kind == .forbidden ? .forbidden : .storeUnavailable
}

/// The rep of the database login, in team mode when the login is a member (`team add`).
func loginRep(_ store: any PipelineStore) -> String? {
  guard let pg = store as? PostgresStore else { return nil }
  return (try? pg.sessionMember())?.flatMap(\.rep)
}

/// The clock: `--now`, else the system clock.
func clock(_ args: ParsedArguments) throws -> Date {
  guard let text = args.value("--now") else { return SystemWallClock().now() }
  guard let d = ISO8601.parse(text) else {
    throw CLIError(
      .usage, "--now: expected an ISO-8601 time such as 2026-11-02T09:00:00Z, found '\(text)'")
  }
  return d
}

/// A date option (`--until`, `--close-date`).
func dateOption(_ args: ParsedArguments, _ name: String) throws -> Date? {
  guard let text = args.value(name) else { return nil }
  guard let d = ISO8601.parse(text) else {
    throw CLIError(
      .usage, "\(name): expected a date such as 2026-12-24 or 2026-12-24T09:00:00Z, found '\(text)'"
    )
  }
  return d
}

/// A required option's value.
func required(_ args: ParsedArguments, _ name: String) throws -> String {
  guard let v = args.value(name), !v.isEmpty else {
    throw CLIError(
      .usage,
      "missing \(name)\nusage: leadboard \(args.command.path.joined(separator: " ")) \(args.command.arguments)"
    )
  }
  return v
}

/// The exit code for a refusal.
func exitCode(for r: Refusal) -> ExitCode {
  switch r.kind {
  case .unknownLead: return .notFound
  case .conflict: return .conflict
  case .invalid: return .badInput
  case .notAllowed, .missingCriteria: return .refused
  }
}

/// "12 s ago", "3 min ago", "2 h ago", "5 d ago".
func ago(_ then: Date, now: Date) -> String {
  let s = Int(now.timeIntervalSince(then))
  if s < 0 { return "in \(Span.humanize(-Double(s)))" }
  if s < 120 { return "\(s) s ago" }
  if s < 7200 { return "\(s / 60) min ago" }
  if s < 172800 { return "\(s / 3600) h ago" }
  return "\(s / 86400) d ago"
}

/// Reads a file (or stdin for `-`) line by line without holding it all in memory.
/// The lines of an event file or standard input, read 64 KiB at a time. A line longer than
/// `maxLineBytes` is not held: it is read past and reported as `.tooLong` with its length (a
/// 20 MB line was once decoded and stored whole).
struct LineReader: Sequence, IteratorProtocol {
  enum Line: Equatable {
    /// A line's bytes without its line ending.
    case text([UInt8])
    /// A line over the limit, by its length in bytes (without the line ending).
    case tooLong(bytes: Int)
  }

  /// 1 MiB: an event is a few hundred bytes; the hostile corpus's 1 MB name still fits.
  static let maxLineBytes = 1 << 20

  private let handle: FileHandle
  private let limit: Int
  private var buffer: [UInt8] = []
  private var start = 0
  /// `buffer[start..<scanned]` holds no newline (so a long line is not searched again).
  private var scanned = 0
  /// Bytes of an over-long line already read past, while looking for its end.
  private var skipped: Int?
  /// Whether the last byte read past was a CR (the line may end in CRLF across the cut).
  private var skippedCR = false
  private var done = false

  init(handle: FileHandle, limit: Int = LineReader.maxLineBytes) {
    self.handle = handle
    self.limit = limit
  }

  /// Opens `path` (`-` for standard input).
  static func open(_ path: String) throws -> LineReader {
    if path == "-" { return LineReader(handle: .standardInput) }
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
      throw CLIError(.notFound, "\(path): no such file")
    }
    guard !isDir.boolValue, let h = FileHandle(forReadingAtPath: path) else {
      throw CLIError(.badInput, "\(path): cannot read (not a regular file?)")
    }
    return LineReader(handle: h)
  }

  /// The next line, or nil at the end.
  mutating func next() -> Line? {
    while true {
      if let nl = buffer[scanned...].firstIndex(of: 0x0A) {
        // The length without the line ending: a CRLF line is as long as the same line in LF.
        let cr = nl > start ? buffer[nl - 1] == 0x0D : (skipped != nil && skippedCR)
        let length = (skipped ?? 0) + nl - start - (cr ? 1 : 0)
        defer {
          start = nl + 1
          scanned = start
          skipped = nil
        }
        if skipped != nil || length > limit { return .tooLong(bytes: length) }
        return .text(Array(buffer[start..<(cr ? nl - 1 : nl)]))
      }
      scanned = buffer.count
      // One byte over the limit may be the CR of a CRLF line that still fits.
      if skipped != nil || buffer.count - start > limit + 1 {
        if buffer.count > start { skippedCR = buffer[buffer.count - 1] == 0x0D }
        skipped = (skipped ?? 0) + buffer.count - start
        buffer.removeAll(keepingCapacity: true)
        start = 0
        scanned = 0
      }
      if done {
        if let n = skipped {
          skipped = nil
          return .tooLong(bytes: n)
        }
        guard start < buffer.count else { return nil }
        let line = Array(buffer[start...])
        start = buffer.count
        scanned = start
        return .text(line)
      }
      if start > 0 {
        buffer.removeFirst(start)
        scanned -= start
        start = 0
      }
      let chunk = handle.readData(ofLength: 1 << 16)
      if chunk.isEmpty { done = true } else { buffer.append(contentsOf: chunk) }
    }
  }
}
