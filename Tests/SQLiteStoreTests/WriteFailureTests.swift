import CSQLite
import Foundation
import LeadLifecycle
import Testing

@testable import SQLiteStore

/// How a write the system refuses is classified: a full disk and a file-size limit (`ulimit -f`)
/// are both "full" (exit 7 with "the disk or the file-size limit is full"), whichever code
/// SQLite reports them with.
@Suite("SQLite write failures")
struct WriteFailureTests {
  // Extended result codes (the C macros are not imported): IOERR_WRITE, IOERR_FSYNC,
  // READONLY_DBMOVED.
  static let ioerrWrite = SQLITE_IOERR | (3 << 8)
  static let ioerrFsync = SQLITE_IOERR | (4 << 8)
  static let readonlyMoved = SQLITE_READONLY | (4 << 8)

  @Test(arguments: [
    (SQLITE_FULL, Int32(0), StoreError.Kind.full),
    (Self.ioerrWrite, ENOSPC, .full),
    (Self.ioerrWrite, EFBIG, .full),
    (Self.ioerrFsync, ENOSPC, .full),
    (Self.ioerrWrite, EIO, .io),
    (SQLITE_READONLY, 0, .readOnly),
    (Self.readonlyMoved, 0, .readOnly),
    (SQLITE_BUSY, 0, .busy),
    (SQLITE_CANTOPEN, EROFS, .readOnly),
    (SQLITE_CANTOPEN, EACCES, .readOnly),
    (SQLITE_CANTOPEN, ENOENT, .unavailable),
    (SQLITE_NOTADB, 0, .corrupt),
  ])
  func aRefusedWriteIsClassifiedByItsCause(rc: Int32, errno: Int32, kind: StoreError.Kind) {
    #expect(Connection.kind(rc, systemErrno: errno) == kind)
  }

  @Test func aFullOrReadOnlyErrorSaysSoWithoutTheStatement() throws {
    // Given a connection to a new store file whose pages may not grow past what it holds
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let db = try Connection(path: dir.path("full.sqlite"))
    try db.execute("CREATE TABLE t(x TEXT)")
    let pages = try db.scalarInt("PRAGMA page_count") ?? 1
    try db.execute("PRAGMA max_page_count = \(pages)")

    // When a write needs more room
    let error = #expect(throws: StoreError.self) {
      try db.transaction(write: true) { () throws(StoreError) in
        for _ in 0..<100 {
          try db.run("INSERT INTO t VALUES (?)", [.text(String(repeating: "x", count: 4000))])
        }
      }
    }

    // Then it is a "full" error naming the file and the cause, not the SQL, and nothing stayed
    #expect(error?.kind == .full)
    #expect(error?.message.contains("cannot write") == true)
    #expect(error?.message.contains("file-size limit is full") == true)
    #expect(error?.message.contains("INSERT") == false)
    #expect(try db.scalarInt("SELECT count(*) FROM t") == 0)
  }
}
