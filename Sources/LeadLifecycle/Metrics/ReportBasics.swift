import Foundation

/// A grouping of leads for reports: `--by source|campaign|industry|segment|owner|team|extra:NAME`.
///
/// A lead whose value is absent or blank falls in the group `unknown` (so Olist's blank origins
/// and its literal `unknown` origin are one group).
public enum ReportDimension: Sendable, Equatable, CustomStringConvertible {
  case source, campaign, industry
  /// `extra:segment` when the lead carries one, else a band of `employees`: `smb` (under 50),
  /// `mid_market` (50 to 999), `enterprise` (1,000 and more), else `unknown`.
  case segment
  /// The lead's current owner (a rep id).
  case owner
  /// The lead's current team.
  case team
  /// An `extra` attribute (`extra:NAME`).
  case extra(String)

  /// The group name used for absent or blank values.
  public static let unknown = "unknown"

  /// Every name `parse` accepts, for usage messages.
  public static let names = "source, campaign, industry, segment, owner, team, extra:NAME"

  /// `source`, `extra:region` …; nil when unknown.
  public static func parse(_ text: String) -> ReportDimension? {
    switch text.lowercased() {
    case "source": return .source
    case "campaign": return .campaign
    case "industry": return .industry
    case "segment": return .segment
    case "owner", "rep": return .owner
    case "team": return .team
    default:
      guard text.lowercased().hasPrefix("extra:"), text.count > 6 else { return nil }
      return .extra(String(text.dropFirst(6)))
    }
  }

  public var description: String {
    switch self {
    case .source: return "source"
    case .campaign: return "campaign"
    case .industry: return "industry"
    case .segment: return "segment"
    case .owner: return "owner"
    case .team: return "team"
    case .extra(let n): return "extra:\(n)"
    }
  }

  /// The group `lead` falls in.
  public func value(of lead: LeadState) -> String {
    let p = lead.profile
    let raw: String?
    switch self {
    case .source: raw = p.source
    case .campaign: raw = p.campaign
    case .industry: raw = p.industry
    case .owner: raw = lead.owner
    case .team: raw = lead.team
    case .extra(let n): raw = p.extra[n]
    case .segment:
      if let s = p.extra["segment"], !s.trimmingCharacters(in: .whitespaces).isEmpty {
        raw = s
      } else if let e = p.employees {
        raw = e < 50 ? "smb" : (e < 1000 ? "mid_market" : "enterprise")
      } else {
        raw = nil
      }
    }
    let t = raw?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
    return t.isEmpty ? ReportDimension.unknown : t
  }
}

/// Median, quartiles and mean of a set of durations or amounts.
///
/// Percentiles interpolate linearly between the closest ranks (the `inclusive` method of
/// Python's `statistics.quantiles`, numpy's default); the median of an even count is the mean
/// of the two middle values.
public struct Distribution: Sendable, Equatable {
  public var count: Int
  public var median: Double
  public var p75: Double
  public var p90: Double
  public var mean: Double
  public var min: Double
  public var max: Double

  /// Nil for no values.
  public init?(_ values: [Double]) {
    guard !values.isEmpty else { return nil }
    let s = values.sorted()
    count = s.count
    median = Distribution.percentile(s, 50)
    p75 = Distribution.percentile(s, 75)
    p90 = Distribution.percentile(s, 90)
    mean = s.reduce(0, +) / Double(s.count)
    min = s.first!
    max = s.last!
  }

  /// The `p`th percentile of sorted values, linearly interpolated.
  public static func percentile(_ sorted: [Double], _ p: Double) -> Double {
    guard sorted.count > 1 else { return sorted.first ?? 0 }
    let pos = p / 100 * Double(sorted.count - 1)
    let lo = Int(pos.rounded(.down))
    let hi = Swift.min(lo + 1, sorted.count - 1)
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - Double(lo))
  }

  /// `{count, median, p75, p90, mean, min, max}`.
  public var json: JSON {
    .object([
      ("count", .int(count)), ("median", .number(JSON.round(median))),
      ("p75", .number(JSON.round(p75))), ("p90", .number(JSON.round(p90))),
      ("mean", .number(JSON.round(mean))), ("min", .number(JSON.round(min))),
      ("max", .number(JSON.round(max))),
    ])
  }
}

extension JSON {
  /// A number rounded to `places` decimals, for report output.
  public static func round(_ x: Double, _ places: Int = 3) -> Double {
    let f = pow(10, Double(places))
    return (x * f).rounded() / f
  }

  /// A number rounded for reports, or null.
  public static func number(_ x: Double?, places: Int = 3) -> JSON {
    x.map { .number(round($0, places)) } ?? .null
  }
}

/// What every report reads: the cohort of leads, their events in log order, the playbook and
/// the report's clock.
///
/// **Cohort.** A lead belongs to the report when its *first touch* (`createdAt`: the lead's
/// first event, the capture or the import's creation; anonymous page views stitched onto it
/// are not counted) falls in `[from, to)`. Open, recycled and closed leads of the cohort all
/// count. **As of.** Built from a pipeline replayed up to a time, every report describes the
/// pipeline as it stood then (`now` is that time).
public struct ReportInput: Sendable {
  public var playbook: Playbook
  /// The report's clock: stalls, SLA clocks and open ages are measured at it.
  public var now: Date
  public var from: Date?
  /// Exclusive.
  public var to: Date?
  /// The cohort, sorted by id.
  public var leads: [LeadState]
  /// Each cohort lead's events in log order (page views before the capture are not included).
  public var events: [String: [Event]]

  /// The cohort of `pipeline` at `now` with first touch in `[from, to)`.
  public init(pipeline: Pipeline, now: Date, from: Date? = nil, to: Date? = nil) {
    self.init(
      playbook: pipeline.engine.playbook, leads: Array(pipeline.leads.values), log: pipeline.log,
      now: now, from: from, to: to)
  }

  /// The cohort of `leads` (with their `log`) at `now` with first touch in `[from, to)`.
  public init(
    playbook: Playbook, leads: [LeadState], log: [Event], now: Date, from: Date? = nil,
    to: Date? = nil
  ) {
    self.playbook = playbook
    self.now = now
    self.from = from
    self.to = to
    // A lead state is large: copy the array only when the window or the order asks for it
    // (a store hands its leads over already in id order).
    var cohort =
      from == nil && to == nil
      ? leads
      : leads.filter { l in
        (from.map { l.createdAt >= $0 } ?? true) && (to.map { l.createdAt < $0 } ?? true)
      }
    // By index: iterating the states themselves copies each one (a retain per field).
    if !cohort.indices.dropFirst().allSatisfy({ cohort[$0 - 1].id < cohort[$0].id }) {
      cohort.sort { $0.id < $1.id }
    }
    self.leads = cohort
    var byLead: [String: [Event]] = [:]
    if !log.isEmpty {
      let ids = Set(cohort.map(\.id))
      for e in log {
        if let id = e.lead, ids.contains(id) { byLead[id, default: []].append(e) }
      }
    }
    events = byLead
  }

  /// The cohort split by `dimension`, groups sorted by name.
  public func groups(by dimension: ReportDimension) -> [(String, [LeadState])] {
    Dictionary(grouping: leads, by: { dimension.value(of: $0) }).sorted { $0.key < $1.key }.map {
      ($0.key, $0.value)
    }
  }

  /// The same input restricted to `leads` (a group).
  public func restricted(to subset: [LeadState]) -> ReportInput {
    var r = self
    r.leads = subset
    let ids = Set(subset.map(\.id))
    r.events = events.filter { ids.contains($0.key) }
    return r
  }
}

/// The transitions the funnel measures, each from a stage to the next one.
public enum Transition {
  /// known → mql, mql → sal, sal → sql, sql → opportunity, opportunity → customer.
  public static let stages: [Stage] = [.known, .mql, .sal, .sql, .opportunity]

  /// `mql → sal`.
  public static func name(_ from: Stage) -> String { "\(from) → \(from.next?.rawValue ?? "-")" }
}

extension LeadState {
  /// The furthest stage the lead ever reached (a lead that skipped stages passed them).
  public var furthestStage: Stage? { history.map(\.stage).max() }

  /// True when the lead reached `stage` or a later one at some point.
  public func reached(_ stage: Stage) -> Bool { (furthestStage ?? .visitor) >= stage }

  /// Days spent in each stage entry that moved on to a later stage (skipped stages have no
  /// time of their own). An exit dated before its entry (imported data) counts as 0 days.
  public func conversionDays() -> [(stage: Stage, days: Double)] {
    var out: [(Stage, Double)] = []
    for (i, e) in history.enumerated() where i + 1 < history.count {
      let next = history[i + 1]
      if next.stage > e.stage {
        out.append((e.stage, Swift.max(0, next.at.timeIntervalSince(e.at)) / 86400))
      }
    }
    return out
  }
}

/// Days between two dates (may be negative).
func days(_ from: Date, _ to: Date) -> Double { to.timeIntervalSince(from) / 86400 }
