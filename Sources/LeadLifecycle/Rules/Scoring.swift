import Foundation

/// The scoring rules: pure functions from (lead, event, policy) to ledger lines.
public struct Scorer: Sendable {
  public let policy: ScoringPolicy

  public init(policy: ScoringPolicy) { self.policy = policy }

  /// Fit lines that bring the fit score in line with the profile: one line per rule whose
  /// verdict changed since the points it last gave. Fit points are never clamped by the floor:
  /// a penalty for who the lead is (a competitor's domain) must count whatever the score was
  /// when it was found, or later behaviour points would outweigh it.
  public func fitChanges(for lead: LeadState, source: String?) -> [ScoreChange] {
    var score = lead.score
    var out: [ScoreChange] = []
    for rule in policy.fit {
      let want = rule.condition.matches(lead.profile) ? rule.points : 0
      let have = lead.rulePoints[rule.id] ?? 0
      guard want != have else { continue }
      let delta = want - have
      score += delta
      let verdict = want == 0 ? "no longer \(rule.condition.summary)" : rule.condition.summary
      out.append(
        ScoreChange(
          kind: .fit, rule: rule.id, delta: delta, score: score, source: source,
          detail: "\(verdict): \(signed(delta))"))
    }
    return out
  }

  /// Behaviour lines for one event (page view, download, webinar, email, demo request …),
  /// after each rule's cap and the score floor.
  /// - Parameter subject: the path, asset, webinar or campaign the rule's `match` tests.
  public func behaviorChanges(
    for lead: LeadState, type: EventType, subject: String?, source: String
  ) -> [ScoreChange] {
    var out: [ScoreChange] = []
    var score = lead.score
    for rule in policy.behavior where rule.event == type {
      if let m = rule.match {
        guard let subject, globMatch(m, subject) else { continue }
      }
      var points = rule.points
      var note = ""
      if let cap = rule.cap {
        let given = abs(lead.rulePoints[rule.id] ?? 0)
        let room = max(0, cap - given)
        if abs(points) > room {
          points = points > 0 ? room : -room
          note = " (cap \(cap) reached)"
        }
      }
      let delta = clamp(points, score: score)
      if delta != points { note += " (floor \(policy.floor ?? 0))" }
      guard delta != 0 else { continue }
      score += delta
      let what = subject.map { "\(type.rawValue) \($0)" } ?? type.rawValue
      out.append(
        ScoreChange(
          kind: .behavior, rule: rule.id, delta: delta, score: score, source: source,
          detail: "\(what): \(signed(delta))\(note)"))
    }
    return out
  }

  /// The decay line due at `now`, if the lead's behaviour points have faded since its last
  /// activity. Deterministic whatever the tick frequency: the target is computed from the
  /// behaviour score at the last activity, not from the previous tick.
  public func decayChange(for lead: LeadState, now: Date) -> ScoreChange? {
    guard let decay = policy.decay, let last = lead.lastActivityAt, now > last else { return nil }
    let base = lead.behaviorAtLastActivity
    let elapsed = now.timeIntervalSince(last)
    let target: Int
    let detail: String
    switch decay {
    case .halfLife(let days):
      let factor = pow(0.5, elapsed / (days * 86400))
      target = Int((Double(base) * factor).rounded())
      detail =
        "decay: \(Int(elapsed / 86400)) days inactive, half-life \(JSON.formatNumber(days)) d"
    case .pointsPerInactiveWeek(let p):
      let weeks = Int(elapsed / 604800)
      target = base > 0 ? max(0, base - weeks * p) : base
      detail = "decay: \(weeks) inactive weeks × \(p)"
    }
    let delta = clamp(target - lead.behaviorScore, score: lead.score)
    guard delta != 0 else { return nil }
    return ScoreChange(
      kind: .decay, rule: "decay", delta: delta, score: lead.score + delta, source: nil,
      detail: "\(detail): \(signed(delta))")
  }

  /// Keeps the total at or above the floor.
  func clamp(_ delta: Int, score: Int) -> Int {
    guard delta < 0, let floor = policy.floor else { return delta }
    if score <= floor { return 0 }
    return max(delta, floor - score)
  }

  private func signed(_ d: Int) -> String { d >= 0 ? "+\(d)" : "\(d)" }

  /// The text a behaviour rule's `match` tests for this event.
  public static func subject(of payload: EventPayload) -> String? {
    switch payload {
    case .pageView(let path, _): return path
    case .contentDownload(let asset): return asset
    case .webinarAttended(let w): return w
    case .emailOpen(let c): return c
    case .emailClick(let c, let url): return url ?? c
    case .formSubmit(let form, _): return form
    default: return nil
    }
  }

  /// Why a known lead qualifies as an MQL now, or nil: the threshold, a high-intent event, or
  /// repeated visits within the window.
  public func mqlReason(for lead: LeadState, trigger: EventType?, at now: Date) -> String? {
    if let t = trigger, policy.highIntent.events.contains(t) {
      return "high-intent action: \(t.rawValue)"
    }
    for rule in policy.highIntent.pageViews {
      let since = now.addingTimeInterval(-rule.within.seconds)
      let n = lead.pageViews.filter {
        $0.at >= since && $0.at <= now && globMatch(rule.path, $0.path)
      }.count
      if n >= rule.count {
        return "high-intent: \(n) views of \(rule.path) within \(rule.within)"
      }
    }
    if lead.score >= policy.mqlThreshold {
      return "score \(lead.score) ≥ threshold \(policy.mqlThreshold)"
    }
    return nil
  }
}
