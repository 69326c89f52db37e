import CSQLite
import Foundation

/// A second, independent connection to a store's file, straight through the SQLite C API:
/// what another process (or a damaged file) would look like to the store under test. Test
/// use only; errors are reported with SQLite's message.
final class RawDatabase {
  struct Failure: Error, CustomStringConvertible {
    var description: String
  }

  private let handle: OpaquePointer

  init(path: String) throws {
    var db: OpaquePointer?
    let rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, nil)
    guard rc == SQLITE_OK, let db else {
      let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
      sqlite3_close_v2(db)
      throw Failure(description: "\(path): \(message)")
    }
    handle = db
    sqlite3_busy_timeout(db, 5000)
  }

  deinit { sqlite3_close_v2(handle) }

  /// Runs statements that return no rows.
  func execute(_ sql: String) throws {
    var err: UnsafeMutablePointer<CChar>?
    let rc = sqlite3_exec(handle, sql, nil, nil, &err)
    let message = err.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
    sqlite3_free(err)
    if rc != SQLITE_OK { throw Failure(description: "\(sql): \(message)") }
  }

  /// The first column of every row, as text.
  func column(_ sql: String) throws -> [String] {
    var stmt: OpaquePointer?
    guard sqlite3_prepare_v2(handle, sql, -1, &stmt, nil) == SQLITE_OK, let stmt else {
      throw Failure(description: "\(sql): \(String(cString: sqlite3_errmsg(handle)))")
    }
    defer { sqlite3_finalize(stmt) }
    var out: [String] = []
    while true {
      let rc = sqlite3_step(stmt)
      if rc == SQLITE_DONE { return out }
      guard rc == SQLITE_ROW else {
        throw Failure(description: "\(sql): \(String(cString: sqlite3_errmsg(handle)))")
      }
      out.append(sqlite3_column_text(stmt, 0).map { String(cString: $0) } ?? "NULL")
    }
  }
}
