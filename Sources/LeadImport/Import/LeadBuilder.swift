import Foundation
import LeadLifecycle

/// Suspicious but valid data: imported, and listed.
public struct ImportWarning: Sendable, Equatable {
  public var file: String
  public var line: Int
  public var lead: String
  public var message: String
  public init(file: String, line: Int, lead: String, message: String) {
    self.file = file
    self.line = line
    self.lead = lead
    self.message = message
  }
}

/// FNV-1a 64: a stable hash for bucketing and event ids (Swift's `Hasher` is seeded per process).
func fnv1a(_ s: String) -> UInt64 {
  var h: UInt64 = 0xcbf2_9ce4_8422_2325
  for b in s.utf8 {
    h ^= UInt64(b)
    h &*= 0x100_0000_01b3
  }
  return h
}

/// Turns every row known about one lead into its history: events with deterministic ids
/// (`import:LEAD:WHAT`), so importing again adds nothing.
///
/// - A new lead gets a capture (`form_submit`, form `import`) and `stage_changed` to `known` at
///   its creation time (`created_at`, else `entered:known`, else its earliest date, else the
///   import clock), then its owner (`assigned`), its opportunity, one `stage_changed` per stage
///   it is known to have entered (`entered:STAGE`, the `stage` column, `won_at` → `won` and
///   customer), and `lost` / `disqualified`.
/// - Stage entries are applied in funnel order and only forwards. A stage the source skipped
///   is not invented: the lead moves straight on (funnel metrics count skipped stages as passed).
/// - A lead already in the store gets only what changed: a `profile_updated` with the changed
///   fields, a new owner, later stages. An entry into a stage at or below the lead's stored
///   stage that is not in its history is not applied and is reported as a warning.
struct LeadBuilder {
  let fileNames: [String]
  let now: Date

  struct Dated {
    var at: Date
    var record: ImportRecord
  }

  func build(lead: String, records input: [ImportRecord], existing: LeadState?) -> (
    events: [Event], warnings: [ImportWarning]
  ) {
    let records = input.sorted {
      ($0.earliest ?? .infinity, fileNames[$0.file], $0.line) < (
        $1.earliest ?? .infinity, fileNames[$1.file], $1.line
      )
    }
    var warnings: [ImportWarning] = []
    func warn(_ r: ImportRecord, _ message: String) {
      warnings.append(
        ImportWarning(file: fileNames[r.file], line: r.line, lead: lead, message: message))
    }
    func earliest(_ field: String) -> Dated? {
      var best: Dated?
      for r in records {
        if let d = r.dates[field], best == nil || d < best!.at.timeIntervalSince1970 {
          best = Dated(at: Date(timeIntervalSince1970: d), record: r)
        }
      }
      return best
    }
    func last(_ field: String) -> (String, ImportRecord)? {
      for r in records.reversed() { if let v = r.values[field] { return (v, r) } }
      return nil
    }
    let latestDate = records.compactMap { $0.dates.values.max() }.max().map {
      Date(timeIntervalSince1970: $0)
    }
    let earliestDate = records.compactMap(\.earliest).min().map { Date(timeIntervalSince1970: $0) }

    // The merged profile: later rows (by their dates) overlay earlier ones.
    var profile = Profile()
    for r in records { profile.merge(LeadBuilder.profile(r)) }

    let createdDated = earliest("created_at") ?? earliest("entered:known")
    let created = createdDated?.at ?? earliestDate ?? now

    // Stage entries.
    var entries: [(stage: Stage, at: Date, record: ImportRecord, why: String)] = []
    for s in Stage.allCases where s > .known {
      if let d = earliest("entered:\(s.rawValue)") {
        entries.append((s, d.at, d.record, "entered:\(s.rawValue)"))
      }
    }
    var won = earliest("won_at")
    var lostAt = earliest("lost_at")
    let closedAt = earliest("closed_at")
    let stageValue = last("stage")
    var closure: (Closure, Dated)?
    if let (v, r) = stageValue {
      let at = Date(timeIntervalSince1970: r.dates.values.max() ?? created.timeIntervalSince1970)
      switch v {
      case "lost":
        lostAt = lostAt ?? closedAt ?? Dated(at: at, record: r)
      case "disqualified":
        closure = (.disqualified, closedAt ?? Dated(at: at, record: r))
      default:
        if let s = Stage(rawValue: v) {
          if s == .customer {
            won = won ?? earliest("entered:customer") ?? closedAt ?? Dated(at: at, record: r)
          } else if s > .known, !entries.contains(where: { $0.stage == s }) {
            entries.append((s, at, r, "stage"))
          }
        }
      }
    }
    if let l = lostAt { closure = (.lost, l) }
    if let w = won {
      entries.removeAll { $0.stage == .customer }
      entries.append((.customer, w.at, w.record, "won_at"))
    }
    entries.sort { ($0.stage.rank, $0.at) < ($1.stage.rank, $1.at) }

    // Emit, tracking the state the events lead to.
    var events: [Event] = []
    var state = existing
    func emit(_ what: String, _ at: Date, _ payload: EventPayload) {
      let e = Event(id: "import:\(lead):\(what)", at: at, lead: lead, actor: "import", payload)
      events.append(e)
      state = (state ?? LeadState(id: lead, at: at)).applying(e)
    }
    let updateAt = latestDate ?? now
    if existing == nil {
      emit("created", created, .formSubmit(form: "import", profile: profile))
      emit(
        "stage:known", created,
        .stageChanged(from: .visitor, to: .known, reason: "imported: created"))
    } else if let old = existing {
      let changed = LeadBuilder.changes(from: old.profile, to: profile)
      if !changed.isEmpty {
        emit(
          "profile:\(String(fnv1a(LeadBuilder.canonical(changed)), radix: 16))", updateAt,
          .profileUpdated(profile: changed))
      }
    }
    if let (owner, _) = last("owner"), owner != state?.owner {
      let what = existing == nil ? "owner:\(owner)" : "owner:\(owner):\(existing!.eventCount)"
      emit(
        what, existing == nil ? created : updateAt,
        .assigned(to: owner, team: nil, explanation: "imported owner"))
    }
    let value = last("value").flatMap { Double($0.0) }
    let closeDate = earliest("close_date")?.at
    if value != nil || closeDate != nil {
      let fields = OpportunityFields(value: value, closeDate: closeDate)
      if let current = state?.opportunity {
        var merged = current
        merged.merge(fields)
        if merged != current {
          let key = "\(value ?? -1)|\(closeDate?.timeIntervalSince1970 ?? -1)"
          emit(
            "opportunity:\(String(fnv1a(key), radix: 16))", updateAt, .opportunityUpdated(fields))
        }
      } else {
        let at = entries.first { $0.stage == .opportunity }?.at ?? created
        emit("opportunity", at, .opportunityCreated(fields))
      }
    }
    var previous = (what: "the first contact (created_at)", at: created)
    if let old = existing {
      previous = ("the stored stage \(old.stage.rawValue)", old.stageEnteredAt)
    }
    for entry in entries {
      let current = state?.stage ?? .visitor
      guard entry.stage > current else {
        if let old = existing,
          !old.history.contains(where: { $0.stage == entry.stage && $0.at == entry.at })
        {
          warn(
            entry.record,
            "\(entry.why) \(ISO8601.format(entry.at)) not applied: the lead is already at \(old.stage.rawValue) (import every file of a system in one run to keep the whole history)"
          )
        }
        continue
      }
      let firstContact = existing?.createdAt ?? created
      if entry.stage == .customer, entry.at < firstContact {
        warn(
          entry.record,
          "deal won at \(ISO8601.format(entry.at)), before the lead's first contact at \(ISO8601.format(firstContact))"
        )
      } else if entry.at < previous.at {
        do {
          warn(
            entry.record,
            "entered \(entry.stage.rawValue) at \(ISO8601.format(entry.at)), before \(previous.what) at \(ISO8601.format(previous.at))"
          )
        }
      }
      if entry.stage == .customer { emit("won", entry.at, .won) }
      emit(
        "stage:\(entry.stage.rawValue)", entry.at,
        .stageChanged(from: current, to: entry.stage, reason: "imported: \(entry.why)"))
      previous = ("entering \(entry.stage.rawValue)", entry.at)
    }
    if let (kind, d) = closure, state?.closed == nil {
      if state?.stage == .customer {
        warn(d.record, "marked \(kind.rawValue) but also won: the lead stays a customer")
      } else {
        let reason = last("lost_reason")?.0 ?? "imported"
        emit(
          kind.rawValue, d.at, kind == .lost ? .lost(reason: reason) : .disqualified(reason: reason)
        )
      }
    }
    return (events, warnings)
  }

  /// The profile fields of one row.
  static func profile(_ r: ImportRecord) -> Profile {
    var p = Profile()
    for (name, path) in Profile.stringFields { if let v = r.values[name] { p[keyPath: path] = v } }
    if let e = r.values["employees"].flatMap({ Int($0) }) { p.employees = e }
    for (k, v) in r.values where k.hasPrefix("extra:") { p.extra[String(k.dropFirst(6))] = v }
    return p
  }

  /// The fields of `new` that differ from `old` (unknowns never erase what is known).
  static func changes(from old: Profile, to new: Profile) -> Profile {
    var p = Profile()
    for (_, path) in Profile.stringFields {
      if let v = new[keyPath: path], !v.isEmpty, v != old[keyPath: path] { p[keyPath: path] = v }
    }
    if let e = new.employees, e != old.employees { p.employees = e }
    for (k, v) in new.extra where old.extra[k] != v { p.extra[k] = v }
    return p
  }

  static func canonical(_ p: Profile) -> String {
    var parts: [String] = []
    for (name, path) in Profile.stringFields {
      if let v = p[keyPath: path] { parts.append("\(name)=\(v)") }
    }
    if let e = p.employees { parts.append("employees=\(e)") }
    for (k, v) in p.extra.sorted(by: { $0.key < $1.key }) { parts.append("extra:\(k)=\(v)") }
    return parts.joined(separator: "\u{1F}")
  }
}
