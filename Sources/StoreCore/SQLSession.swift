import Foundation
import LeadLifecycle

/// A value bound to a statement parameter. Only bound values carry data into SQL: statement
/// text is fixed, or built from fixed fragments and validated identifiers.
public enum SQLValue: Sendable {
  case null
  case int(Int64)
  case double(Double)
  case text(String)
  case blob([UInt8])

  public static func optional(_ s: String?) -> SQLValue { s.map { .text($0) } ?? .null }
  public static func optional(_ d: Double?) -> SQLValue { d.map { .double($0) } ?? .null }
  /// Times are seconds since 1970 in both stores, as in the event wire format.
  public static func time(_ d: Date?) -> SQLValue {
    d.map { .double($0.timeIntervalSince1970) } ?? .null
  }
}

/// One row of a result. Columns start at 0.
public protocol SQLRow {
  func isNull(_ column: Int32) -> Bool
  func int(_ column: Int32) -> Int64
  func double(_ column: Int32) -> Double
  func text(_ column: Int32) -> String?
}

extension SQLRow {
  public func date(_ column: Int32) -> Date? {
    isNull(column) ? nil : Date(timeIntervalSince1970: double(column))
  }
}

/// Where the SQL of the two engines differs, for the statements both stores share. Statements
/// are written with `?` placeholders; a PostgreSQL session numbers them.
public struct SQLDialect: Sendable {
  /// Appended to `ORDER BY` text columns so both engines sort ids byte-wise alike.
  public var binaryOrder: String
  /// The larger of two values: `max` in SQLite, `GREATEST` in PostgreSQL.
  public var greatest: String
  /// Case-insensitive pattern match (SQLite's `LIKE` already is, for ASCII).
  public var like: String

  public static let sqlite = SQLDialect(binaryOrder: "", greatest: "max", like: "LIKE")
  public static let postgres = SQLDialect(
    binaryOrder: " COLLATE \"C\"", greatest: "GREATEST", like: "ILIKE")
}

/// One connection to a database holding leadboard's tables: what `ProjectionStore` needs of
/// an engine.
public protocol SQLSession: AnyObject {
  associatedtype Row: SQLRow
  /// The location for messages (a path, or a URL without its password).
  var label: String { get }
  var dialect: SQLDialect { get }
  /// Runs `sql` with `values` bound, calling `row` per result row. Statements are prepared
  /// once per session.
  func query(_ sql: String, _ values: [SQLValue], row: (Row) throws(StoreError) -> Void)
    throws(StoreError)
  /// Runs `body` in a transaction: a write transaction holds the store's write lock from the
  /// start (so a claim is a compare-and-set); commits when `body` returns, rolls back when it
  /// throws.
  func transaction<T>(write: Bool, _ body: () throws(StoreError) -> T) throws(StoreError) -> T
  /// A number that moves when another session commits (read without a round trip where the
  /// engine allows).
  func changeSignal() throws(StoreError) -> Int64
  /// Called inside a write transaction that changed something, before it commits.
  func didWrite() throws(StoreError)
  /// A lead state as this engine stores it (`LeadStateCodec`'s bytes, as a blob or as text).
  func stateValue(_ state: LeadState) -> SQLValue
  /// The lead state stored in `column` of `row` (states of earlier versions, JSON, included).
  func state(_ row: Row, _ column: Int32) throws -> LeadState
}

extension SQLSession {
  /// Runs a statement, ignoring rows.
  public func run(_ sql: String, _ values: [SQLValue] = []) throws(StoreError) {
    try query(sql, values) { _ in }
  }

  /// The first column of the first row as an integer, or nil.
  public func scalarInt(_ sql: String, _ values: [SQLValue] = []) throws(StoreError) -> Int64? {
    var out: Int64?
    try query(sql, values) { r in if out == nil && !r.isNull(0) { out = r.int(0) } }
    return out
  }
}

/// One schema change. A migration is never edited once shipped: add a new one instead.
public struct Migration: Sendable {
  public var version: Int
  public var name: String
  public var sql: String
  public init(version: Int, name: String, sql: String) {
    self.version = version
    self.name = name
    self.sql = sql
  }
}

extension SQLSession {
  /// The schema versions recorded as applied (`schema_migrations`), in order.
  public func appliedMigrations() throws(StoreError) -> [Int] {
    var out: [Int] = []
    try query("SELECT version FROM schema_migrations ORDER BY version", []) { r in
      out.append(Int(r.int(0)))
    }
    return out
  }
}
