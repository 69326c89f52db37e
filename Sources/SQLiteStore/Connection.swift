import CSQLite
import Foundation
import LeadLifecycle
import StoreCore

/// One SQLite connection: prepared statements kept and reused, every access in a transaction.
/// Not thread-safe: one connection per process, used from one thread (GRDB's first rule).
public final class Connection: SQLSession {
  let handle: OpaquePointer
  let path: String
  private var cache: [String: Statement] = [:]
  private(set) var inTransaction = false

  /// Opens (creating with mode 0600 when absent) the database at `path`; `:memory:` for tests.
  init(path: String, busyTimeout: Int32 = 5000) throws(StoreError) {
    self.path = path
    if path != ":memory:" && !FileManager.default.fileExists(atPath: path) {
      // Create the file ourselves so it is private from the first byte; SQLite gives its
      // -wal and -shm files the same permissions as the main file.
      let dir = (path as NSString).deletingLastPathComponent
      if !dir.isEmpty {
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
      }
      let fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0o600)
      if fd < 0 && errno != EEXIST {
        throw StoreError(
          .unavailable, "\(path): cannot create the store (\(String(cString: strerror(errno))))")
      }
      if fd >= 0 { close(fd) }
    }
    var db: OpaquePointer?
    let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
    let rc = sqlite3_open_v2(path, &db, flags, nil)
    guard rc == SQLITE_OK, let db else {
      let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
      sqlite3_close_v2(db)
      throw StoreError(.unavailable, "\(path): cannot open the store (\(message))")
    }
    handle = db
    sqlite3_busy_timeout(db, busyTimeout)
    sqlite3_extended_result_codes(db, 1)
  }

  deinit {
    cache.values.forEach { $0.finalize() }
    sqlite3_close_v2(handle)
  }

  // MARK: - Errors

  /// A `StoreError` for result code `rc`, with SQLite's message and what we were doing.
  func error(_ rc: Int32, _ doing: String) -> StoreError {
    var message = String(cString: sqlite3_errmsg(handle))
    let system = sqlite3_system_errno(handle)
    var kind = Connection.kind(rc, systemErrno: system)
    // For a failed write, the system's reason too ("File too large").
    if rc & 0xFF == SQLITE_IOERR, system != 0 {
      message += " (\(String(cString: strerror(system))))"
    }
    // The WAL and shared-memory files cannot be made next to the store: a read-only folder or
    // filesystem (SQLite's errno is then that of its last fallback, not the cause).
    if rc & 0xFF == SQLITE_CANTOPEN, path != ":memory:",
      access(
        (path as NSString).deletingLastPathComponent.isEmpty
          ? "." : (path as NSString).deletingLastPathComponent, W_OK) != 0
    {
      kind = .readOnly
    }
    let hint: String
    switch kind {
    case .busy: hint = " (another process holds the store; try again)"
    case .readOnly:
      hint =
        rc & 0xFF == SQLITE_CANTOPEN
        ? " (the store's folder or filesystem is read-only)" : " (the store is read-only)"
    case .full: hint = " (the disk or the file-size limit is full)"
    case .corrupt: hint = " (not a leadboard store, or damaged)"
    default: hint = ""
    }
    // A write refused for want of space or permission says so, not which statement it was.
    let what = kind == .full || kind == .readOnly ? "cannot write" : doing
    return StoreError(kind, "\(path): \(what): \(message)\(hint)")
  }

  /// The kind of a SQLite result code. A write error whose system cause is a full disk
  /// (ENOSPC) or the file-size limit (EFBIG, `ulimit -f`) is `.full`, like `SQLITE_FULL`; a
  /// file that cannot be opened on a read-only filesystem (EROFS) or folder (EACCES) is
  /// `.readOnly`.
  static func kind(_ rc: Int32, systemErrno: Int32) -> StoreError.Kind {
    switch rc & 0xFF {
    case SQLITE_BUSY, SQLITE_LOCKED: return .busy
    case SQLITE_READONLY: return .readOnly
    case SQLITE_FULL: return .full
    case SQLITE_CANTOPEN, SQLITE_PERM, SQLITE_AUTH:
      return systemErrno == EROFS || systemErrno == EACCES ? .readOnly : .unavailable
    case SQLITE_CORRUPT, SQLITE_NOTADB: return .corrupt
    case SQLITE_IOERR: return systemErrno == ENOSPC || systemErrno == EFBIG ? .full : .io
    default: return .io
    }
  }

  // MARK: - Statements

  /// Runs SQL with no parameters and no rows (schema, pragmas).
  func execute(_ sql: String) throws(StoreError) {
    var err: UnsafeMutablePointer<CChar>?
    let rc = sqlite3_exec(handle, sql, nil, nil, &err)
    if let err { sqlite3_free(err) }
    if rc != SQLITE_OK { throw error(rc, "executing \(sql.prefix(60))") }
  }

  /// A prepared statement for `sql`, prepared once and reused.
  func statement(_ sql: String) throws(StoreError) -> Statement {
    if let s = cache[sql] {
      s.reset()
      return s
    }
    var stmt: OpaquePointer?
    let rc = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &stmt, nil)
    guard rc == SQLITE_OK, let stmt else { throw error(rc, "preparing \(sql.prefix(60))") }
    let s = Statement(stmt, connection: self)
    cache[sql] = s
    return s
  }

  /// Binds, steps through every row with `row`, and resets.
  public func query(
    _ sql: String, _ values: [SQLValue] = [], row: (Statement) throws(StoreError) -> Void
  )
    throws(StoreError)
  {
    let s = try statement(sql)
    try s.bind(values)
    defer { s.reset() }
    while try s.step() { try row(s) }
  }

  /// Binds and runs a statement that returns no rows.
  func run(_ sql: String, _ values: [SQLValue] = []) throws(StoreError) {
    let s = try statement(sql)
    try s.bind(values)
    defer { s.reset() }
    while try s.step() {}
  }

  /// The first column of the first row as an integer, or nil.
  func scalarInt(_ sql: String, _ values: [SQLValue] = []) throws(StoreError) -> Int64? {
    var out: Int64?
    try query(sql, values) { s in if out == nil && !s.isNull(0) { out = s.int(0) } }
    return out
  }

  /// Rows changed by the last statement.
  var changes: Int { Int(sqlite3_changes(handle)) }

  // MARK: - Transactions

  /// Runs `body` in a transaction: `BEGIN IMMEDIATE` for writes (the write lock is taken up
  /// front, so two writers never both read and then both write), `BEGIN` for reads. Commits
  /// when `body` returns, rolls back when it throws.
  public func transaction<T>(write: Bool, _ body: () throws(StoreError) -> T) throws(StoreError)
    -> T
  {
    precondition(!inTransaction, "transactions are not reentrant")
    try execute(write ? "BEGIN IMMEDIATE" : "BEGIN")
    inTransaction = true
    do {
      let result = try body()
      try execute("COMMIT")
      inTransaction = false
      return result
    } catch {
      try? execute("ROLLBACK")
      inTransaction = false
      throw error
    }
  }
}

extension Connection {
  public var label: String { path }
  public var dialect: SQLDialect { .sqlite }
  /// `PRAGMA data_version`: moves when another connection commits.
  public func changeSignal() throws(StoreError) -> Int64 {
    try scalarInt("PRAGMA data_version") ?? 0
  }
  public func didWrite() throws(StoreError) {}
  /// Lead states are `LeadStateCodec`'s bytes in a BLOB.
  public func stateValue(_ state: LeadState) -> SQLValue { .blob(LeadStateCodec.encode(state)) }
  public func state(_ row: Statement, _ column: Int32) throws -> LeadState {
    try row.withBytes(column) { try LeadStateCodec.decode($0) }
  }
}

/// A prepared statement. Column indexes start at 0, parameters at 1.
public final class Statement: SQLRow {
  let raw: OpaquePointer
  unowned let connection: Connection

  init(_ raw: OpaquePointer, connection: Connection) {
    self.raw = raw
    self.connection = connection
  }

  func finalize() { sqlite3_finalize(raw) }

  func reset() {
    sqlite3_reset(raw)
    sqlite3_clear_bindings(raw)
  }

  func bind(_ values: [SQLValue]) throws(StoreError) {
    for (i, v) in values.enumerated() {
      let index = Int32(i + 1)
      let rc: Int32
      switch v {
      case .null: rc = sqlite3_bind_null(raw, index)
      case .int(let x): rc = sqlite3_bind_int64(raw, index, x)
      case .double(let x): rc = sqlite3_bind_double(raw, index, x)
      case .text(let s): rc = sqlite3_bind_text(raw, index, s, -1, csqlite_transient())
      case .blob(let b):
        rc = b.withUnsafeBytes {
          sqlite3_bind_blob(raw, index, $0.baseAddress, Int32(b.count), csqlite_transient())
        }
      }
      if rc != SQLITE_OK { throw connection.error(rc, "binding parameter \(index)") }
    }
  }

  /// Advances to the next row; false when done.
  func step() throws(StoreError) -> Bool {
    let rc = sqlite3_step(raw)
    if rc == SQLITE_ROW { return true }
    if rc == SQLITE_DONE { return false }
    let sql = sqlite3_sql(raw).map { String(cString: $0) } ?? ""
    throw connection.error(rc, "running \(sql.prefix(60))")
  }

  public func isNull(_ i: Int32) -> Bool { sqlite3_column_type(raw, i) == SQLITE_NULL }
  public func int(_ i: Int32) -> Int64 { sqlite3_column_int64(raw, i) }
  public func double(_ i: Int32) -> Double { sqlite3_column_double(raw, i) }
  public func text(_ i: Int32) -> String? {
    guard let p = sqlite3_column_text(raw, i) else { return nil }
    return String(cString: p)
  }
  /// A blob column's bytes, read in place (valid only during `body`).
  func withBytes<T>(_ i: Int32, _ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
    let n = Int(sqlite3_column_bytes(raw, i))
    return try body(UnsafeRawBufferPointer(start: sqlite3_column_blob(raw, i), count: n))
  }
  func bytes(_ i: Int32) -> [UInt8] {
    let n = Int(sqlite3_column_bytes(raw, i))
    guard n > 0, let p = sqlite3_column_blob(raw, i) else { return [] }
    return Array(UnsafeRawBufferPointer(start: p, count: n))
  }
}
