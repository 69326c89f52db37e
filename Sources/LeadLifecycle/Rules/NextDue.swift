import Foundation

extension LifecycleEngine {
  /// The earliest instant at which `tick` may have something to do for `lead`, or nil when
  /// time alone will never change it. Stores keep this in an index so a tick visits only the
  /// leads that are due instead of every lead.
  public func nextDue(_ lead: LeadState) -> Date? {
    guard lead.isOpen else { return nil }
    var candidates: [Date] = []
    if let n = lead.nurtureUntil { candidates.append(n) }
    // Only when decay would really move the score then (the floor can hold it where it is).
    if let d = nextDecay(lead), scorer.decayChange(for: lead, now: d) != nil {
      candidates.append(d)
    }
    if lead.isOpen {
      if lead.slaBreachedAt == nil, let status = sla.status(of: lead, at: lead.stageEnteredAt) {
        candidates.append(status.due)
      }
      if lead.stalledAt == nil, let s = stall.alertTime(lead) { candidates.append(s) }
      if lead.stage == .mql, lead.owner == nil, playbook.routing.autoAssign,
        !playbook.routing.reps.isEmpty
      {
        candidates.append(lead.stageEnteredAt)  // retry routing on every tick until someone takes it
      }
    }
    return candidates.min()
  }

  /// When the decayed behaviour score next moves by a whole point.
  func nextDecay(_ lead: LeadState) -> Date? {
    guard let decay = playbook.scoring.decay, let last = lead.lastActivityAt,
      lead.behaviorScore != 0
    else {
      return nil
    }
    let base = Double(lead.behaviorAtLastActivity)
    let current = Double(abs(lead.behaviorScore))
    switch decay {
    case .halfLife(let days):
      guard base != 0, current > 0 else { return nil }
      // round(|base|·2^(−t/h)) drops below `current` once |base|·2^(−t/h) < current − 0.5.
      let edge = current - 0.5
      guard edge > 0 else { return last.addingTimeInterval(days * 86400 * 20) }
      let t = days * 86400 * log2(abs(base) / edge)
      return last.addingTimeInterval(max(0, t) + 1)
    case .pointsPerInactiveWeek(let p):
      guard base > 0, lead.behaviorScore > 0 else { return nil }
      let weeksApplied = Int((base - Double(lead.behaviorScore)) / Double(p))
      return last.addingTimeInterval(Double(weeksApplied + 1) * 604800)
    }
  }
}

extension StallRule {
  /// When `lead` starts counting as stalled, or nil when it never will in this stage: the end
  /// of the stage's window or, for an opportunity, its expected close date, whichever is
  /// first; postponed to the end of a snooze.
  public func stalledSince(_ lead: LeadState) -> Date? {
    guard lead.isOpen, BlackHole.forStage(lead.stage) != nil else { return nil }
    var at: Date?
    if let w = playbook.stage(lead.stage).stallAfter {
      at = lead.stageEnteredAt.addingTimeInterval(w.seconds)
    }
    if lead.stage == .opportunity, let close = lead.opportunity?.closeDate {
      at = at.map { min($0, close) } ?? close
    }
    return at
  }

  /// When the lead counts as stalled on the board: `stalledSince`, or the end of a snooze if
  /// later. Nil when it will not stall in this stage.
  public func boardStalledAt(_ lead: LeadState) -> Date? {
    guard let s = stalledSince(lead) else { return nil }
    return lead.snoozedUntil.map { max($0, s) } ?? s
  }

  /// True when the board counts `lead` as stalled at `now` (a snoozed lead does not count).
  public func isStalled(_ lead: LeadState, at now: Date) -> Bool {
    guard let at = boardStalledAt(lead) else { return false }
    return now >= at
  }

  /// When the stall alert fires: `stalledSince`, or the end of a snooze if later.
  public func alertTime(_ lead: LeadState) -> Date? {
    guard let s = stalledSince(lead) else { return nil }
    // Evaluate strictly after the boundary: "longer than the window".
    let edge = s.addingTimeInterval(1)
    guard let snooze = lead.snoozedUntil else { return edge }
    return max(edge, snooze)
  }
}
