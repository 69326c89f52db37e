import Foundation

/// Where a lead stands against its stage's SLA.
public struct SLAStatus: Sendable, Equatable {
  public enum State: String, Sendable, Codable {
    /// More than a fifth of the window left.
    case onTrack = "on_track"
    /// Less than a fifth of the window left.
    case dueSoon = "due_soon"
    case breached
  }
  public var stage: Stage
  public var started: Date
  public var due: Date
  public var state: State
  /// Seconds left (negative once breached).
  public var remaining: TimeInterval
  public var sla: StageSLA
}

/// The SLA clocks: when each started, when it is due, and whether it is running.
public struct SLAClock: Sendable {
  public let policy: SLAPolicy

  public init(policy: SLAPolicy) { self.policy = policy }

  /// The running SLA of `lead` at `now`, or nil when its stage has none or the clock stopped
  /// (the first contact attempt was logged, or the lead is closed). A snooze silences stall
  /// alerts only: the response SLA keeps running, since a snoozed MQL still waits for a rep.
  public func status(of lead: LeadState, at now: Date) -> SLAStatus? {
    guard lead.isOpen, let sla = policy.stages[lead.stage] else { return nil }
    if sla.until == .contactAttempt, let c = lead.lastContactAt, c >= lead.stageEnteredAt {
      return nil
    }
    // A reassignment restarts the response clock for the new rep.
    var start = lead.stageEnteredAt
    if sla.reassignOnBreach, let a = lead.assignedAt, a > start { start = a }
    let due = dueDate(from: start, sla: sla)
    let remaining = due.timeIntervalSince(now)
    let window = due.timeIntervalSince(start)
    let state: SLAStatus.State =
      remaining <= 0 ? .breached : (remaining < window / 5 ? .dueSoon : .onTrack)
    return SLAStatus(
      stage: lead.stage, started: start, due: due, state: state, remaining: remaining, sla: sla)
  }

  /// `start` plus the target, counted in business hours when the SLA says so.
  public func dueDate(from start: Date, sla: StageSLA) -> Date {
    guard sla.workingHours else { return start.addingTimeInterval(sla.target.seconds) }
    let cal = WorkingCalendar(
      hours: policy.businessHours, timeZone: TimeZone(identifier: policy.timeZone) ?? .gmt)
    return cal.add(sla.target, to: start)
  }
}

/// A stalled lead, classed into the black hole it fell into, with the action it needs.
public struct StallAlert: Sendable, Equatable {
  public var lead: String
  public var stage: Stage
  public var blackHole: BlackHole
  /// Days in the stage.
  public var days: Int
  /// Why it counts as stalled (`5 d in mql, window 3 d`; `close date 2026-10-01 passed 63 d ago`).
  public var reason: String
  public var action: String
  /// Set when a snooze suppresses the alert until then.
  public var snoozedUntil: Date?
}

/// Stall detection: a lead is stalled when it has been in its stage longer than the playbook's
/// window, or is an opportunity past its expected close date.
public struct StallRule: Sendable {
  public let playbook: Playbook

  public init(playbook: Playbook) { self.playbook = playbook }

  /// The alert for `lead` at `now`, or nil. A snoozed lead still gets its alert, marked with
  /// `snoozedUntil`, so reports can list it separately.
  public func evaluate(_ lead: LeadState, at now: Date) -> StallAlert? {
    guard lead.isOpen, let hole = BlackHole.forStage(lead.stage) else { return nil }
    let days = lead.daysInStage(at: now)
    var reasons: [String] = []
    if pastWindow(lead, at: now), let window = playbook.stage(lead.stage).stallAfter {
      reasons.append("\(days) d in \(lead.stage), window \(Int(window.days)) d")
    }
    if pastClose(lead, at: now), let close = lead.opportunity?.closeDate {
      let late = Int(now.timeIntervalSince(close) / 86400)
      reasons.append("close date \(ISO8601.formatDate(close)) passed \(late) d ago")
    }
    guard !reasons.isEmpty else { return nil }
    return StallAlert(
      lead: lead.id, stage: lead.stage, blackHole: hole, days: days,
      reason: reasons.joined(separator: "; "), action: hole.suggestedAction,
      snoozedUntil: lead.isSnoozed(at: now) ? lead.snoozedUntil : nil)
  }

  /// Whether `lead` is stalled at `now`, its black hole, and whether a snooze suppresses it:
  /// `evaluate` without the words, for counting (the stalls report over a million leads).
  public func classify(_ lead: LeadState, at now: Date) -> (hole: BlackHole, snoozed: Bool)? {
    guard lead.isOpen, let hole = BlackHole.forStage(lead.stage),
      pastWindow(lead, at: now) || pastClose(lead, at: now)
    else { return nil }
    return (hole, lead.isSnoozed(at: now))
  }

  private func pastWindow(_ lead: LeadState, at now: Date) -> Bool {
    guard let window = playbook.stage(lead.stage).stallAfter else { return false }
    return now.timeIntervalSince(lead.stageEnteredAt) > window.seconds
  }

  private func pastClose(_ lead: LeadState, at now: Date) -> Bool {
    guard lead.stage == .opportunity, let close = lead.opportunity?.closeDate else { return false }
    return now > close
  }
}
