import CLibPQ
import Foundation
import LeadLifecycle
import StoreCore

extension SQLValue {
  /// The parameter as libpq's text format sends it (PostgreSQL infers the type); blobs as
  /// bytea's hex form.
  var pgText: String? {
    switch self {
    case .null: return nil
    case .int(let x): return String(x)
    case .double(let x):
      if x.isNaN { return "NaN" }
      if x.isInfinite { return x > 0 ? "Infinity" : "-Infinity" }
      return "\(x)"
    case .text(let s): return s
    case .blob(let b):
      let digits = Array("0123456789abcdef".utf8)
      var out: [UInt8] = [UInt8(ascii: "\\"), UInt8(ascii: "x")]
      out.reserveCapacity(2 + b.count * 2)
      for byte in b {
        out.append(digits[Int(byte >> 4)])
        out.append(digits[Int(byte & 0xF)])
      }
      return String(decoding: out, as: UTF8.self)
    }
  }
}

/// One row of a result. Columns start at 0.
public struct PGRow: SQLRow {
  let result: OpaquePointer
  let row: Int32

  public func isNull(_ c: Int32) -> Bool { PQgetisnull(result, row, c) == 1 }
  public func text(_ c: Int32) -> String? {
    guard !isNull(c), let p = PQgetvalue(result, row, c) else { return nil }
    return String(cString: p)
  }
  public func int(_ c: Int32) -> Int64 { text(c).flatMap { Int64($0) } ?? 0 }
  public func double(_ c: Int32) -> Double { text(c).flatMap { Double($0) } ?? 0 }
}

/// One libpq connection: statements prepared once per session, every access in a
/// transaction, notifications on the `leadboard` channel counted without a round trip, and a
/// reconnect (with a fresh session: search path, LISTEN, prepared statements) when the server
/// went away. Not thread-safe: one connection per store, used from one thread.
///
/// The connection string is never shown: messages name `label` (the URL without password),
/// and libpq's messages have the password stripped.
public final class PGConnection: SQLSession {
  public var dialect: SQLDialect { .postgres }
  /// The notifications received (see `poll`).
  public func changeSignal() throws(StoreError) -> Int64 { try poll() }
  /// Every write signals the other sessions (delivered on commit).
  public func didWrite() throws(StoreError) { try notifyChange() }
  /// Lead states are `LeadStateCodec`'s bytes in base64, in a text column (earlier versions
  /// stored JSON there, still read).
  public func stateValue(_ state: LeadState) -> SQLValue {
    .text(LeadStateCodec.encodeText(state))
  }
  public func state(_ row: PGRow, _ column: Int32) throws -> LeadState {
    try LeadStateCodec.decodeText(row.text(column) ?? "")
  }

  /// `sql` with its `?` placeholders numbered `$1`, `$2`, … (the shared statements use `?`;
  /// none of them has a `?` inside a string literal). Statements already numbered pass as
  /// they are.
  static func numbered(_ sql: String) -> String {
    guard sql.contains("?") else { return sql }
    var out = ""
    out.reserveCapacity(sql.utf8.count + 16)
    var n = 0
    for c in sql {
      if c == "?" {
        n += 1
        out += "$\(n)"
      } else {
        out.append(c)
      }
    }
    return out
  }

  /// The notification channel every store commit signals (payload: the schema).
  static let channel = "leadboard"

  private var conn: OpaquePointer?
  private let conninfo: String
  private let secrets: [String]
  /// The URL without its password, for messages.
  public let label: String
  /// The schema to use (created when missing), or nil for the URL's search path.
  let requestedSchema: String?
  /// The schema the session works in (`current_schema()`): the notification payload.
  private(set) var schema = "public"
  private var prepared: [String: String] = [:]
  private(set) var inTransaction = false
  /// Notifications received for this schema, plus reconnects: the change feed's counter.
  private(set) var signals: Int64 = 0
  /// How many times the session was re-established.
  private(set) var reconnects = 0

  init(url: String, schema: String? = nil) throws(StoreError) {
    conninfo = url
    label = PGConnection.redact(url)
    requestedSchema = schema
    var secrets: [String] = []
    if let parsed = PQconninfoParse(url, nil) {
      var p = parsed
      while let keyword = p.pointee.keyword {
        if String(cString: keyword) == "password", let v = p.pointee.val {
          let s = String(cString: v)
          if !s.isEmpty { secrets.append(s) }
        }
        p += 1
      }
      PQconninfoFree(parsed)
    }
    self.secrets = secrets
    if let schema, !PGConnection.isIdentifier(schema) {
      throw StoreError(.unavailable, "\(label): '\(schema)' is not a valid schema name")
    }
    try connect()
  }

  deinit {
    if let conn { PQfinish(conn) }
  }

  // MARK: - Session

  private func connect() throws(StoreError) {
    if let conn { PQfinish(conn) }
    conn = PQconnectdb(conninfo)
    // libpq prints server notices to stderr by default ("FATAL: terminating connection" when
    // the server restarts), which would scroll a board's screen: errors come through
    // PQerrorMessage instead, and warnings are not asked for (client_min_messages).
    if let conn { PQsetNoticeProcessor(conn, { _, _ in }, nil) }
    guard let conn, PQstatus(conn) == CONNECTION_OK else {
      let message = lastMessage()
      throw StoreError(.unavailable, "\(label): cannot connect (\(message))")
    }
    prepared = [:]
    try setUp()
  }

  private func setUp() throws(StoreError) {
    try execute("SET client_min_messages = warning")
    if let s = requestedSchema {
      try execute("CREATE SCHEMA IF NOT EXISTS \"\(s)\"")
      try execute("SET search_path TO \"\(s)\"")
    }
    var current: String?
    try query("SELECT current_schema()") { r in current = r.text(0) }
    schema = current ?? "public"
    try execute("LISTEN \(PGConnection.channel)")
  }

  /// Re-establishes a lost session; true when it had to.
  @discardableResult
  func ensureConnected() throws(StoreError) -> Bool {
    if let conn, PQstatus(conn) == CONNECTION_OK { return false }
    if let conn {
      PQreset(conn)
      if PQstatus(conn) == CONNECTION_OK {
        prepared = [:]
        inTransaction = false
        try setUp()
        reconnects += 1
        signals += 1
        return true
      }
    }
    throw StoreError(.unavailable, "\(label): the server is unreachable (\(lastMessage()))")
  }

  var isConnected: Bool { conn.map { PQstatus($0) == CONNECTION_OK } ?? false }

  /// Reads what the server sent without waiting and counts the notifications for this
  /// schema. Detects a dropped connection (and reconnects when the server is back).
  func poll() throws(StoreError) -> Int64 {
    try ensureConnected()
    guard let conn else { return signals }
    if PQconsumeInput(conn) == 0 {
      try ensureConnected()
      return signals
    }
    drainNotifications()
    return signals
  }

  private func drainNotifications() {
    guard let conn else { return }
    while let n = PQnotifies(conn) {
      let payload = n.pointee.extra.map { String(cString: $0) } ?? ""
      if payload == schema { signals += 1 }
      PQfreemem(n)
    }
  }

  // MARK: - Errors

  private func lastMessage() -> String {
    guard let conn, let p = PQerrorMessage(conn) else { return "out of memory" }
    return scrub(String(cString: p))
  }

  /// `message` without the connection string, passwords or trailing newlines.
  func scrub(_ message: String) -> String {
    var m = message.replacingOccurrences(of: conninfo, with: label)
    for s in secrets { m = m.replacingOccurrences(of: s, with: "***") }
    return m.trimmingCharacters(in: .whitespacesAndNewlines)
      .replacingOccurrences(of: "\n", with: "; ")
  }

  private func error(_ result: OpaquePointer?, _ doing: String) -> StoreError {
    let state =
      result.flatMap { PQresultErrorField($0, 67 /* PG_DIAG_SQLSTATE 'C' */) }
      .map { String(cString: $0) } ?? ""
    let message =
      result.flatMap { PQresultErrorMessage($0) }.map { scrub(String(cString: $0)) } ?? ""
    let text = message.isEmpty ? lastMessage() : message
    let kind: StoreError.Kind
    if !isConnected || state.hasPrefix("08") || state.hasPrefix("57P") {
      kind = .unavailable
    } else if state == "40001" || state == "40P01" || state == "55P03" {
      kind = .busy
    } else if state == "42501" {
      // Insufficient privilege: a grant or a row-level security policy of `team init`.
      kind = .forbidden
    } else if state == "25006" {
      kind = .readOnly
    } else if state.hasPrefix("53") {
      kind = .full
    } else if state.hasPrefix("XX") {
      kind = .corrupt
    } else if state == "42P01" || state == "42703" {
      kind = .schema
    } else {
      kind = .io
    }
    let hint: String
    switch kind {
    case .unavailable: hint = " (the server is unreachable; will retry)"
    case .readOnly: hint = " (the server is read-only)"
    case .forbidden:
      hint =
        " (an SDR login may change only the leads it owns and unowned MQLs; a manager login may change any)"
    case .busy: hint = " (another session holds the lock; try again)"
    default: hint = ""
    }
    // A refusal by the access rules is about the change, not the statement that carried it.
    let what = kind == .forbidden ? "not permitted for this login" : doing
    return StoreError(kind, "\(label): \(what): \(text)\(hint)")
  }

  // MARK: - Statements

  /// Runs SQL without parameters (several statements allowed).
  func execute(_ sql: String) throws(StoreError) {
    guard let conn else { throw StoreError(.unavailable, "\(label): not connected") }
    let res = PQexec(conn, sql)
    defer { PQclear(res) }
    let status = res.map { PQresultStatus($0) } ?? PGRES_FATAL_ERROR
    if status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK {
      throw error(res, "running \(sql.prefix(60))")
    }
    drainNotifications()
  }

  /// Prepares `sql` once per session and runs it with `values`, calling `row` per row.
  public func query(
    _ sql: String, _ values: [SQLValue] = [], row: (PGRow) throws(StoreError) -> Void
  ) throws(StoreError) {
    guard let conn else { throw StoreError(.unavailable, "\(label): not connected") }
    let name: String
    if let n = prepared[sql] {
      name = n
    } else {
      name = "lb\(prepared.count + 1)"
      let res = PQprepare(conn, name, PGConnection.numbered(sql), 0, nil)
      defer { PQclear(res) }
      if res.map({ PQresultStatus($0) }) != PGRES_COMMAND_OK {
        throw error(res, "preparing \(sql.prefix(60))")
      }
      prepared[sql] = name
    }
    let strings: [UnsafeMutablePointer<CChar>?] = values.map { v in v.pgText.map { strdup($0) } }
    defer { strings.forEach { free($0) } }
    let res: OpaquePointer? = strings.withUnsafeBufferPointer { buffer in
      buffer.withMemoryRebound(to: UnsafePointer<CChar>?.self) { p in
        PQexecPrepared(conn, name, Int32(values.count), p.baseAddress, nil, nil, 0)
      }
    }
    defer { PQclear(res) }
    guard let res else { throw error(nil, "running \(sql.prefix(60))") }
    let status = PQresultStatus(res)
    guard status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK else {
      throw error(res, "running \(sql.prefix(60))")
    }
    let n = PQntuples(res)
    var i: Int32 = 0
    while i < n {
      try row(PGRow(result: res, row: i))
      i += 1
    }
  }

  // MARK: - Transactions

  /// Runs `body` in a transaction. Writes take this schema's write lock first (an advisory
  /// transaction lock), so two writers never both read and then both write: an accept is a
  /// compare-and-set. Reads run in one snapshot. Commits when `body` returns, rolls back when
  /// it throws. A session found dead before anything was sent is re-established and the
  /// transaction started again.
  public func transaction<T>(write: Bool, _ body: () throws(StoreError) -> T) throws(StoreError)
    -> T
  {
    precondition(!inTransaction, "transactions are not reentrant")
    try ensureConnected()
    do {
      try execute(write ? "BEGIN" : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
    } catch {
      guard error.kind == .unavailable, try ensureConnected() else { throw error }
      try execute(write ? "BEGIN" : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
    }
    inTransaction = true
    do {
      if write { try lockForWriting() }
      let result = try body()
      try execute("COMMIT")
      inTransaction = false
      return result
    } catch {
      if isConnected { try? execute("ROLLBACK") }
      inTransaction = false
      throw error
    }
  }

  /// Serializes writers of this schema until the transaction ends.
  func lockForWriting() throws(StoreError) {
    try run("SELECT pg_advisory_xact_lock(hashtext('leadboard:' || current_schema()))")
  }

  /// Signals the other sessions (delivered when the transaction commits).
  func notifyChange() throws(StoreError) {
    try run("SELECT pg_notify($1, current_schema())", [.text(PGConnection.channel)])
  }

  // MARK: - Names

  /// True for a plain lower-case identifier usable unquoted and quoted alike.
  static func isIdentifier(_ s: String) -> Bool {
    guard let first = s.unicodeScalars.first, s.utf8.count <= 63 else { return false }
    guard ("a"..."z").contains(first) || first == "_" else { return false }
    return s.unicodeScalars.allSatisfy {
      ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_"
    }
  }

  /// A connection URL without its password (`postgres://user:secret@host/db` →
  /// `postgres://user@host/db`, `password=` query parameters dropped).
  static func redact(_ url: String) -> String {
    var s = url
    if let scheme = s.range(of: "://") {
      let rest = s[scheme.upperBound...]
      let end = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
      if let at = rest[..<end].lastIndex(of: "@") {
        let userinfo = rest[rest.startIndex..<at]
        if let colon = userinfo.firstIndex(of: ":") {
          s.replaceSubrange(colon..<at, with: "")
        }
      }
    }
    if let q = s.firstIndex(of: "?") {
      let base = s[..<q]
      let params = s[s.index(after: q)...].split(separator: "&").filter {
        !$0.lowercased().hasPrefix("password=")
      }
      s = params.isEmpty ? String(base) : base + "?" + params.joined(separator: "&")
    }
    if !s.contains("://") {
      // A keyword/value string: drop password=...
      s = s.split(separator: " ").filter { !$0.lowercased().hasPrefix("password=") }
        .joined(separator: " ")
    }
    return s
  }
}
