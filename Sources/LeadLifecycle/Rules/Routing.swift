import Foundation

/// Fairness counters for routing, derived from `assigned` and `reassigned` events. Keyed by rep
/// id, never by position, so they survive reps joining, leaving or being reordered.
public struct RoutingState: Sendable, Equatable {
  /// Leads given to each rep so far.
  public var assignedCount: [String: Int] = [:]
  /// The last rep picked, per team (`*` when routing over every rep).
  public var lastAssigned: [String: String] = [:]

  public init() {}

  /// Folds an event into the counters (only assignment events count).
  public mutating func apply(_ event: Event) {
    switch event.payload {
    case .assigned(let to, let team, _), .reassigned(_, let to, let team, _):
      assignedCount[to, default: 0] += 1
      lastAssigned[team ?? "*"] = to
    default: break
    }
  }
}

/// The outcome of routing one lead, with its explanation
/// (`alice: next in weighted rotation for team apac; bob skipped: out of office until 2026-12-05`).
public struct RoutingDecision: Sendable, Equatable {
  public var rep: String?
  public var team: String?
  public var explanation: String
}

/// Picks a rep for a lead: territory → team → strategy, skipping reps who are inactive, off
/// hours, out of office, at capacity or excluded (previous owners on an SLA reassignment).
public struct Router: Sendable {
  public let policy: RoutingPolicy
  /// A Gregorian calendar in each rep's time zone, built once (building one costs more than
  /// the whole routing decision).
  private let calendars: [String: Calendar]

  public init(policy: RoutingPolicy) {
    self.policy = policy
    var c: [String: Calendar] = [:]
    for rep in policy.reps where c[rep.timeZone] == nil {
      var cal = Calendar(identifier: .gregorian)
      cal.timeZone = TimeZone(identifier: rep.timeZone) ?? .gmt
      c[rep.timeZone] = cal
    }
    calendars = c
  }

  /// The team for a profile: the first matching territory, else the default team.
  public func team(for profile: Profile) -> String? {
    policy.territories.first { $0.when.matches(profile) }?.team ?? policy.defaultTeam
  }

  /// Why `rep` cannot take a lead at `now`, or nil when available.
  /// `YYYY-MM-DD`, zero-padded (as `String(format: "%04d-%02d-%02d")`, without its cost).
  static func day(_ y: Int, _ m: Int, _ d: Int) -> String {
    func pad(_ v: Int, _ width: Int) -> String {
      let s = String(v)
      return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
    return pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2)
  }

  public func unavailability(of rep: Rep, at now: Date, load: Int) -> String? {
    if !rep.active { return "inactive" }
    let cal =
      calendars[rep.timeZone]
      ?? {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = TimeZone(identifier: rep.timeZone) ?? .gmt
        return c
      }()
    let tz = cal.timeZone
    let parts = cal.dateComponents([.year, .month, .day, .weekday, .hour, .minute], from: now)
    if !rep.outOfOffice.isEmpty {
      let today = Router.day(parts.year!, parts.month!, parts.day!)
      if let ooo = rep.outOfOffice.first(where: { $0.from <= today && today <= $0.to }) {
        return "out of office until \(ooo.to)"
      }
    }
    if let wh = rep.workingHours {
      let minute = parts.hour! * 60 + parts.minute!
      if !WorkingCalendar(hours: wh, timeZone: tz).isOpen(
        weekday: parts.weekday!, minute: minute, calendar: cal)
      {
        return "outside working hours (\(WorkingCalendar.describe(wh)) \(rep.timeZone))"
      }
    }
    if let cap = rep.capacity, load >= cap { return "at capacity (\(load)/\(cap))" }
    return nil
  }

  /// Routes one lead.
  /// - Parameters:
  ///   - profile: decides the territory.
  ///   - state: the fairness counters.
  ///   - load: open leads (assigned MQLs and SALs) per rep.
  ///   - excluding: reps who may not get it (they had it before).
  public func route(
    _ profile: Profile, at now: Date, state: RoutingState, load: [String: Int],
    excluding: Set<String> = []
  ) -> RoutingDecision {
    let team = team(for: profile)
    let members = policy.reps.filter { team == nil || $0.team == team }
    let teamName = team.map { "team \($0)" } ?? "all reps"
    if members.isEmpty {
      return RoutingDecision(rep: nil, team: team, explanation: "no reps in \(teamName)")
    }
    var skipped: [String] = []
    var eligible: [Rep] = []
    for rep in members {
      if excluding.contains(rep.id) {
        skipped.append("\(rep.id) skipped: had this lead before")
      } else if let why = unavailability(of: rep, at: now, load: load[rep.id] ?? 0) {
        skipped.append("\(rep.id) skipped: \(why)")
      } else {
        eligible.append(rep)
      }
    }
    guard !eligible.isEmpty else {
      return RoutingDecision(
        rep: nil, team: team,
        explanation: "nobody eligible in \(teamName): " + skipped.joined(separator: "; "))
    }
    let strategy = team.flatMap { policy.teamStrategies[$0] } ?? policy.strategy
    let (pick, how) = choose(
      strategy, eligible: eligible, members: members, team: team ?? "*", state: state, load: load)
    var explanation = "\(pick.id): \(how) for \(teamName)"
    if !skipped.isEmpty { explanation += "; " + skipped.joined(separator: "; ") }
    return RoutingDecision(rep: pick.id, team: team, explanation: explanation)
  }

  private func choose(
    _ strategy: RoutingPolicy.Strategy, eligible: [Rep], members: [Rep], team: String,
    state: RoutingState,
    load: [String: Int]
  ) -> (Rep, String) {
    switch strategy {
    case .roundRobin:
      // The next eligible rep after the last one picked, in the current list order. If that
      // rep has left the list, fall back to the fewest assignments so far (ties: list order).
      if let last = state.lastAssigned[team], let i = members.firstIndex(where: { $0.id == last }) {
        for k in 1...members.count {
          let candidate = members[(i + k) % members.count]
          if eligible.contains(where: { $0.id == candidate.id }) {
            return (candidate, "next in round robin")
          }
        }
      }
      let pick = eligible.min {
        (state.assignedCount[$0.id] ?? 0) < (state.assignedCount[$1.id] ?? 0)
      }!
      return (
        pick,
        state.lastAssigned[team] == nil ? "first in round robin" : "fewest assigned in round robin"
      )
    case .weighted:
      // Smooth weighted rotation: the rep furthest below their share of assignments, counting
      // the lead about to be given (ties: list order). A rep new to the counters starts at zero:
      // placing them "at par" instead starved them for good, because a rep who never receives
      // a lead never leaves par (with weights 2:1 the second rep got nothing).
      func ratio(_ r: Rep) -> Double { Double((state.assignedCount[r.id] ?? 0) + 1) / r.weight }
      var best = eligible[0]
      for r in eligible.dropFirst() where ratio(r) < ratio(best) { best = r }
      return (best, "next in weighted rotation")
    case .loadBalanced:
      var best = eligible[0]
      for r in eligible.dropFirst() {
        let a = load[r.id] ?? 0
        let b = load[best.id] ?? 0
        if a < b
          || (a == b && (state.assignedCount[r.id] ?? 0) < (state.assignedCount[best.id] ?? 0))
        {
          best = r
        }
      }
      return (best, "fewest open leads (\(load[best.id] ?? 0))")
    }
  }
}

/// A weekly business calendar in one time zone: is it open now, and when is a span of
/// working time used up.
public struct WorkingCalendar: Sendable {
  public let hours: WorkingHours
  public let timeZone: TimeZone

  public init(hours: WorkingHours, timeZone: TimeZone) {
    self.hours = hours
    self.timeZone = timeZone
  }

  /// `mon–fri 09:00–18:00`.
  public static func describe(_ h: WorkingHours) -> String {
    let days = h.days.sorted { ($0 + 5) % 7 < ($1 + 5) % 7 }.map { WorkingHours.dayNames[$0 - 1] }
    let d = days.count == 5 && h.days == [2, 3, 4, 5, 6] ? "mon–fri" : days.joined(separator: ",")
    return
      "\(d) \(String(format: "%02d:%02d", h.start / 60, h.start % 60))–\(String(format: "%02d:%02d", h.end / 60, h.end % 60))"
  }

  /// True when `minute` of a day with `weekday` lies in the window. A window that crosses
  /// midnight (end before start) belongs to the day it starts on.
  public func isOpen(weekday: Int, minute: Int, calendar: Calendar) -> Bool {
    if hours.start < hours.end {
      return hours.days.contains(weekday) && minute >= hours.start && minute < hours.end
    }
    if minute >= hours.start { return hours.days.contains(weekday) }
    let yesterday = weekday == 1 ? 7 : weekday - 1
    return minute < hours.end && hours.days.contains(yesterday)
  }

  /// The instant when `span` of working time, counted from `start`, is used up.
  public func add(_ span: Span, to start: Date) -> Date {
    var cal = Calendar(identifier: .gregorian)
    cal.timeZone = timeZone
    var remaining = span.seconds
    var dayStart = cal.startOfDay(for: start)
    let windowLength = Double(((hours.end - hours.start) + 1440) % 1440) * 60
    // Start with the previous day, for a window that crosses midnight.
    dayStart = cal.date(byAdding: .day, value: -1, to: dayStart)!
    for _ in 0..<(366 * 3) {
      let weekday = cal.component(.weekday, from: dayStart)
      if hours.days.contains(weekday) {
        let open = cal.date(byAdding: .minute, value: hours.start, to: dayStart)!
        let close = open.addingTimeInterval(windowLength)
        let from = max(open, start)
        if close > from {
          let available = close.timeIntervalSince(from)
          if remaining <= available { return from.addingTimeInterval(remaining) }
          remaining -= available
        }
      }
      dayStart = cal.date(byAdding: .day, value: 1, to: dayStart)!
    }
    return start.addingTimeInterval(span.seconds)  // an empty calendar: count plain time
  }
}
