import Foundation

/// What happened to the leads that entered one stage: how many moved on, dropped out or are
/// still there, and the conversion among those whose fate is decided.
public struct StageConversion: Sendable, Equatable {
  public var stage: Stage
  /// Stage entries (a recycled lead that comes back counts again).
  public var entered = 0
  /// Entries that moved on to a later stage.
  public var converted = 0
  /// Entries that left without moving on: recycled, lost or disqualified.
  public var dropped = 0
  /// Entries still in the stage.
  public var open = 0

  public init(stage: Stage) { self.stage = stage }

  /// converted / (converted + dropped), as a percentage; nil when nothing is decided yet.
  public var decidedRate: Double? {
    let decided = converted + dropped
    return decided == 0 ? nil : 100 * Double(converted) / Double(decided)
  }
}

/// Stage-to-stage conversion over a set of leads, from their stage histories.
///
/// Definitions: every entry into a stage is counted once; an entry converts when the next
/// stage the lead entered is later in the funnel (a lead that skipped stages passed through the
/// skipped ones); it drops when the lead next went back to `known` (recycled) or was closed
/// (lost, disqualified) in that stage; otherwise it is open.
public enum Funnel {
  public static func conversions(_ leads: some Sequence<LeadState>) -> [Stage: StageConversion] {
    var out = Dictionary(
      uniqueKeysWithValues: Stage.allCases.map { ($0, StageConversion(stage: $0)) })
    for lead in leads {
      let h = lead.history
      for (i, entry) in h.enumerated() {
        let next = i + 1 < h.count ? h[i + 1] : nil
        // Stages skipped on the way to a later one count as entered and converted.
        if let next, next.stage.rank > entry.stage.rank + 1 {
          for r in (entry.stage.rank + 1)..<next.stage.rank {
            out[Stage.allCases[r]]!.entered += 1
            out[Stage.allCases[r]]!.converted += 1
          }
        }
        out[entry.stage]!.entered += 1
        if let next {
          if next.stage > entry.stage {
            out[entry.stage]!.converted += 1
          } else {
            out[entry.stage]!.dropped += 1
          }
        } else if entry.stage == .customer {
          out[entry.stage]!.converted += 1
        } else if lead.closed != nil {
          out[entry.stage]!.dropped += 1
        } else {
          out[entry.stage]!.open += 1
        }
      }
    }
    return out
  }
}
