import Foundation
import LeadLifecycle

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Command-line adjustments applied on top of every file's mapping (preset, file or detected).
public struct MappingOverrides: Sendable {
  public var fields: [(field: String, column: String)] = []
  public var stages: [(value: String, target: StageTarget)] = []
  public var dateFormats: [DatePattern]?
  public var timeZone: TimeZone?
  public var encoding: TextEncoding?
  public var delimiter: DelimiterChoice?
  public init() {}

  public func apply(to m: inout ImportMapping) {
    for (f, c) in fields { m.map(f, to: [c]) }
    for (v, t) in stages { m.mapStage(v, to: t) }
    if let d = dateFormats { m.dateFormats = d }
    if let t = timeZone { m.timeZone = t }
    if let e = encoding { m.encoding = e }
    if let d = delimiter { m.delimiter = d }
  }
}

/// One file to import and its mapping (nil: detect a preset from the header, else use the
/// canonical column names).
public struct ImportSource: Sendable {
  public var path: String
  public var mapping: ImportMapping?
  public init(path: String, mapping: ImportMapping?) {
    self.path = path
    self.mapping = mapping
  }
}

/// A refused row: where, why, and its cells (for `--rejects`).
public struct ImportReject: Sendable {
  public var file: String
  public var line: Int
  public var problems: [CellProblem]
  public var fields: [String]
  /// The file's header, for writing the rejects file.
  public var header: [String]
}

/// What happened to one file.
public struct FileSummary: Sendable {
  public var file: String
  public var mapping: String?
  public var detected = false
  public var encoding: String?
  public var delimiter: String?
  public var rows = 0
  public var imported = 0
  public var rejected = 0
  /// Set when the whole file was refused (binary, no id column, unreadable).
  public var error: String?
  public var ignoredColumns: [String] = []
  public var missingFields: [String] = []
  /// CP932 sequences replaced by U+FFFD.
  public var invalidSequences = 0
}

/// The outcome of an import.
public struct ImportReport: Sendable {
  public var files: [FileSummary] = []
  public var rows: Int { files.map(\.rows).reduce(0, +) }
  public var rejected: Int {
    files.map(\.rejected).reduce(0, +) + files.filter { $0.error != nil }.count
  }
  public var leads = 0
  public var newLeads = 0
  public var updatedLeads = 0
  /// Rows merged into a lead with another id because of the same email.
  public var mergedByEmail = 0
  public var eventsBuilt = 0
  /// Events stored (0 in a dry run).
  public var eventsAdded = 0
  public var warnings: [ImportWarning] = []
  public var warningCount = 0
  public var dryRun = false
  /// True when no row was refused and no file failed.
  public var clean: Bool { rejected == 0 }
}

/// Streams CSV files into a store as history.
///
/// Pass 1 reads each file row by row, maps and checks it (refused rows go to `onReject`) and
/// spills the valid ones to temporary bucket files by lead id (and their emails by email), so
/// memory stays flat. Leads sharing a normalized email are merged (an existing lead wins, else
/// the smallest id). Pass 2 takes one bucket at a time, gathers every row of each lead, builds
/// its events in time and funnel order (`LeadBuilder`) and stores them with
/// `PipelineStore.replay`: imported history is a record of facts, so no routing, scoring or SLA
/// rule runs on it.
public final class Importer {
  public let store: (any PipelineStore)?
  public let now: Date
  public var overrides = MappingOverrides()
  public var dryRun = false
  /// Spill buckets; nil: one per 128 KiB of input (16 to 1024), so a bucket stays small.
  public var bucketCount: Int?
  /// Warnings kept in the report (all are counted).
  public var warningLimit = 1000
  public var onReject: (ImportReject) -> Void = { _ in }
  public var onWarning: (ImportWarning) -> Void = { _ in }
  /// Called every few thousand rows: bytes read, total bytes (when known), rows.
  public var onProgress: (Int, Int?, Int) -> Void = { _, _, _ in }
  /// Events handed to the store per call.
  public var batchSize = 5_000

  private var storeEmpty = true
  private var buckets = 16

  public init(store: (any PipelineStore)?, now: Date) {
    self.store = store
    self.now = now
  }

  /// Imports `sources`.
  /// - Throws: `StoreError` when the store fails; nothing later is written then.
  public func run(_ sources: [ImportSource]) throws -> ImportReport {
    var report = ImportReport()
    report.dryRun = dryRun
    let names = sources.map(\.path)
    var bytesBefore = 0
    let totalBytes = sources.reduce(0) { sum, s in
      sum + ((try? FileManager.default.attributesOfItem(atPath: s.path)[.size] as? Int) ?? 0)
    }
    buckets = bucketCount ?? min(1024, max(16, totalBytes / (128 << 10)))
    let spill = try Spill(buckets: buckets)
    let emails = try Spill(buckets: buckets)

    // Pass 1: read, map, check, spill.
    for (index, source) in sources.enumerated() {
      var summary = FileSummary(file: source.path)
      defer { report.files.append(summary) }
      var mapping = source.mapping
      var options = CSVOptions()
      if let m = mapping {
        var adjusted = m
        overrides.apply(to: &adjusted)
        mapping = adjusted
        options.encoding = adjusted.encoding
        options.delimiter = adjusted.delimiter
      } else {
        options.encoding = overrides.encoding ?? .auto
        options.delimiter = overrides.delimiter ?? .auto
      }
      let reader: CSVReader
      do {
        reader = try CSVReader(path: source.path, options: options)
      } catch {
        summary.error = error.message
        continue
      }
      summary.encoding = reader.encoding.rawValue
      summary.delimiter = reader.delimiter.name
      var header: [String]?
      while let item = reader.next() {
        switch item {
        case .record(let r): header = r.fields
        case .problem(let p): summary.error = "header (line \(p.line)): \(p.message)"
        }
        break
      }
      guard summary.error == nil else { continue }
      guard let header else {
        summary.error = "empty file: no header row"
        continue
      }
      if mapping == nil {
        if var detected = Presets.detect(header: header) {
          summary.detected = true
          overrides.apply(to: &detected)
          mapping = detected
        } else {
          var identity = ImportMapping.identity(header: header)
          overrides.apply(to: &identity)
          mapping = identity
        }
      }
      summary.mapping = mapping!.name
      let mapper: RowMapper
      do {
        mapper = try RowMapper(mapping: mapping!, header: header)
      } catch {
        summary.error = error.message
        continue
      }
      summary.ignoredColumns = mapper.ignoredColumns
      summary.missingFields = mapper.missingFields
      while let item = reader.next() {
        summary.rows += 1
        if summary.rows % 4096 == 0 {
          onProgress(bytesBefore + reader.bytesRead, totalBytes, report.rows + summary.rows)
        }
        switch item {
        case .problem(let p):
          summary.rejected += 1
          onReject(
            ImportReject(
              file: source.path, line: p.line,
              problems: [
                CellProblem(
                  column: p.column,
                  columnName: p.column.flatMap { $0 <= header.count ? header[$0 - 1] : nil },
                  message: p.message)
              ],
              fields: p.fields, header: header))
        case .record(let r):
          switch mapper.map(r.fields, line: r.line, file: index) {
          case .rejected(let problems):
            summary.rejected += 1
            onReject(
              ImportReject(
                file: source.path, line: r.line, problems: problems, fields: r.fields,
                header: header))
          case .record(let rec):
            summary.imported += 1
            try spill.write(bucket: bucket(rec.lead), rec.serialized())
            if let e = rec.values["email"].map(Importer.normalizeEmail), !e.isEmpty {
              try emails.write(
                bucket: bucket(e), ImportRecord.escape(e) + "\u{1F}" + ImportRecord.escape(rec.lead)
              )
            }
          }
        }
      }
      summary.invalidSequences = reader.invalidSequences
      bytesBefore += reader.bytesRead
      onProgress(bytesBefore, totalBytes, report.rows + summary.rows)
    }

    // An empty store needs no lookups (each lead is built once, from all its rows).
    storeEmpty = try store?.leads(LeadQuery(includeClosed: true, limit: 1), at: now).isEmpty ?? true
    // Email matching: which lead ids become another lead.
    let aliases = try emailAliases(emails)
    report.mergedByEmail = aliases.count
    var source = spill
    if !aliases.isEmpty {
      let moved = try Spill(buckets: buckets)
      for b in 0..<buckets {
        for line in try spill.lines(b) {
          guard var rec = ImportRecord(serialized: line) else { continue }
          if let to = aliases[rec.lead] { rec.lead = to }
          try moved.write(bucket: bucket(rec.lead), rec.serialized())
        }
      }
      source = moved
    }
    try source.closeWriters()

    // Pass 2: one bucket at a time, every lead's rows together.
    let builder = LeadBuilder(fileNames: names, now: now)
    var batch: [Event] = []
    func flush() throws {
      guard !batch.isEmpty else { return }
      if !dryRun, let store {
        let added = try store.replay(batch)
        report.eventsAdded += added
      }
      batch.removeAll(keepingCapacity: true)
    }
    for b in 0..<buckets {
      var byLead: [String: [ImportRecord]] = [:]
      for line in try source.lines(b) {
        guard let rec = ImportRecord(serialized: line) else { continue }
        byLead[rec.lead, default: []].append(rec)
      }
      for lead in byLead.keys.sorted() {
        let existing = storeEmpty ? nil : try store?.lead(lead)
        let (events, warnings) = builder.build(
          lead: lead, records: byLead[lead]!, existing: existing)
        report.leads += 1
        if existing == nil {
          report.newLeads += 1
        } else if !events.isEmpty {
          report.updatedLeads += 1
        }
        report.eventsBuilt += events.count
        batch += events
        for w in warnings {
          report.warningCount += 1
          if report.warnings.count < warningLimit { report.warnings.append(w) }
          onWarning(w)
        }
      }
      byLead = [:]
      if batch.count >= batchSize { try flush() }
    }
    try flush()
    return report
  }

  /// Lowercased and trimmed.
  public static func normalizeEmail(_ s: String) -> String {
    s.trimmingWhitespace.lowercased()
  }

  private func bucket(_ key: String) -> Int { Int(fnv1a(key) % UInt64(buckets)) }

  /// Lead id → the lead it merges into, for ids sharing a normalized email with another lead
  /// (a lead already stored under that email wins, else the smallest id). A lead whose own id is
  /// already stored is never merged away.
  private func emailAliases(_ emails: Spill) throws -> [String: String] {
    try emails.closeWriters()
    var stored: [String: String]?
    func storedEmails() throws -> [String: String] {
      if let stored { return stored }
      var map: [String: String] = [:]
      if let store, !storeEmpty {
        let all = try store.leads(LeadQuery(includeClosed: true), at: now)
        for l in all.sorted(by: { $0.id < $1.id }) {
          if let e = l.profile.email.map(Importer.normalizeEmail), !e.isEmpty, map[e] == nil {
            map[e] = l.id
          }
        }
      }
      stored = map
      return map
    }
    var aliases: [String: String] = [:]
    for b in 0..<buckets {
      var groups: [String: Set<String>] = [:]
      for line in try emails.lines(b) {
        let parts = line.split(separator: "\u{1F}", omittingEmptySubsequences: false)
        guard parts.count == 2 else { continue }
        groups[ImportRecord.unescape(parts[0]), default: []].insert(ImportRecord.unescape(parts[1]))
      }
      for (email, ids) in groups {
        let target: String
        if let s = try storedEmails()[email] {
          target = s
        } else if ids.count > 1 {
          let storedIDs = storeEmpty ? [] : try ids.filter { try store?.lead($0) != nil }
          target = storedIDs.min() ?? ids.min()!
        } else {
          continue
        }
        for id in ids where id != target && aliases[id] == nil {
          if !storeEmpty, try store?.lead(id) != nil { continue }
          aliases[id] = target
        }
      }
    }
    // Resolve chains (a → b → c) to their end.
    for (k, _) in aliases {
      var seen: Set<String> = [k]
      var t = aliases[k]!
      while let next = aliases[t], !seen.contains(next) {
        seen.insert(t)
        t = next
      }
      aliases[k] = t
    }
    return aliases
  }
}

/// Temporary bucket files, removed when released. Lines are buffered per bucket (16 KiB) and
/// appended with a short-lived file handle, so hundreds of buckets need no open descriptors.
final class Spill {
  let dir: String
  let count: Int
  private var buffers: [String]
  static let bufferLimit = 16 << 10

  init(buckets: Int) throws {
    Spill.removeOrphans()
    var template = Array(
      (NSTemporaryDirectory() + "/leadboard-import-\(getpid())-XXXXXX").utf8CString)
    guard let p = mkdtemp(&template) else {
      throw CSVFileError("cannot create a temporary folder: \(String(cString: strerror(errno)))")
    }
    dir = String(cString: p)
    count = buckets
    buffers = Array(repeating: "", count: buckets)
  }

  deinit { try? FileManager.default.removeItem(atPath: dir) }

  /// Removes the bucket folders of imports that died without cleaning up (`kill -9`, a crash):
  /// `leadboard-import-PID-…` folders of ours whose process no longer exists. They hold copies
  /// of the imported rows.
  static func removeOrphans() {
    let tmp = NSTemporaryDirectory()
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: tmp) else { return }
    for name in names where name.hasPrefix("leadboard-import-") {
      let parts = name.split(separator: "-")
      guard parts.count == 4, let pid = pid_t(parts[2]), pid != getpid() else { continue }
      if kill(pid, 0) != 0 && errno == ESRCH {
        try? FileManager.default.removeItem(atPath: tmp + "/" + name)
      }
    }
  }

  private func path(_ b: Int) -> String { "\(dir)/\(b)" }

  func write(bucket b: Int, _ line: String) throws {
    buffers[b] += line
    buffers[b] += "\n"
    if buffers[b].utf8.count >= Spill.bufferLimit { try flush(b) }
  }

  private func flush(_ b: Int) throws {
    guard !buffers[b].isEmpty else { return }
    guard let f = fopen(path(b), "a") else {
      throw CSVFileError("cannot write a temporary file: \(String(cString: strerror(errno)))")
    }
    defer { fclose(f) }
    if fputs(buffers[b], f) < 0 {
      throw CSVFileError(
        "cannot write a temporary file (disk full?): \(String(cString: strerror(errno)))")
    }
    buffers[b] = ""
  }

  func closeWriters() throws {
    for b in 0..<count { try flush(b) }
  }

  /// The lines of bucket `b` (a bucket is small: one part in `count` of the input).
  func lines(_ b: Int) throws -> [Substring] {
    try flush(b)
    guard FileManager.default.fileExists(atPath: path(b)) else { return [] }
    guard let data = FileManager.default.contents(atPath: path(b)) else {
      throw CSVFileError("cannot read a temporary file")
    }
    return String(decoding: data, as: UTF8.self).split(separator: "\n")
  }
}
