import Foundation
import LeadLifecycle
import Synchronization

/// A clock that only moves when a test moves it: the domain never reads `Date()`, so every rule
/// that depends on "now" can be driven to an exact instant.
///
/// Thread-safe (the instant sits behind a `Mutex`), so it may be shared with code under test
/// that runs on another task.
public final class ManualClock: WallClock {
  private let instant: Mutex<Date>

  /// A clock standing at `start`.
  public init(_ start: Date) {
    instant = Mutex(start)
  }

  /// A clock standing at an ISO-8601 instant such as `2026-11-02T09:00:00Z`.
  public convenience init(_ iso: String) {
    self.init(at(iso))
  }

  public func now() -> Date { instant.withLock { $0 } }

  /// Moves the clock forward (or back, for a negative span) and returns the new instant.
  @discardableResult
  public func advance(by span: Span) -> Date {
    instant.withLock {
      $0 = $0.addingTimeInterval(span.seconds)
      return $0
    }
  }

  /// Moves the clock forward by a number of seconds and returns the new instant.
  @discardableResult
  public func advance(seconds: TimeInterval) -> Date {
    advance(by: Span(seconds: seconds))
  }

  /// Puts the clock at `date` (forward or back).
  public func set(_ date: Date) {
    instant.withLock { $0 = date }
  }

  /// Puts the clock at an ISO-8601 instant.
  public func set(_ iso: String) {
    set(at(iso))
  }
}
