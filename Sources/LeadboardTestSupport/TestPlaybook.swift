import Foundation
import LeadLifecycle

/// Small, predictable playbooks for tests.
public enum TestPlaybook {
  /// Three reps in UTC with no working hours, capacity or out-of-office: always available.
  public static let abc = [Rep(id: "a"), Rep(id: "b"), Rep(id: "c")]

  /// The built-in playbook (scoring, stages, SLAs, recycle rules) with routing made simple:
  /// `reps` (a, b, c by default) routed over all reps with `strategy`, no territories, no
  /// default team, and scoring decay turned off so scores only move when a test moves them.
  /// `change` adjusts anything else.
  public static func standard(
    reps: [Rep] = abc, strategy: RoutingPolicy.Strategy = .roundRobin,
    _ change: (inout Playbook) -> Void = { _ in }
  ) -> Playbook {
    var p = Playbook.builtIn
    p.name = "test"
    p.routing = RoutingPolicy(autoAssign: true, strategy: strategy, reps: reps)
    p.scoring.decay = nil
    change(&p)
    return p
  }

  /// A playbook from JSON5 text over the built-in defaults. Crashes with every problem listed
  /// when the text is invalid: fixture texts are constants.
  public static func parse(_ json5: String) -> Playbook {
    do {
      return try Playbook.parse(json5)
    } catch {
      preconditionFailure("test playbook is invalid:\n\(error)")
    }
  }
}

extension Playbook {
  /// A copy changed by `change`.
  public func with(_ change: (inout Playbook) -> Void) -> Playbook {
    var p = self
    change(&p)
    return p
  }

  /// The problems `Playbook.parse` finds in `text`, none when it reads (for tests).
  public static func problems(_ text: String) -> [ConfigProblem] {
    do {
      _ = try Playbook.parse(text)
      return []
    } catch {
      return error.problems
    }
  }
}
