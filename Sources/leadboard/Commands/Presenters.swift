import Foundation
import LeadLifecycle
import TerminalKit

/// JSON and text renderings of leads for the CLI.
enum Present {
  static func time(_ d: Date?) -> JSON { d.map { .string(ISO8601.format($0)) } ?? .null }

  /// A lead's row: what `leads --json` prints per lead.
  static func leadRow(_ l: LeadState, engine: LifecycleEngine, now: Date) -> JSON {
    let alert = engine.stall.evaluate(l, at: now)
    return .object([
      ("id", .string(l.id)),
      ("name", .string(l.profile.displayName)),
      ("company", .optional(l.profile.company)),
      ("email", .optional(l.profile.email)),
      ("stage", .string(l.stage.rawValue)),
      ("closed", .optional(l.closed?.closure.rawValue)),
      ("owner", .optional(l.owner)),
      ("team", .optional(l.team)),
      ("score", .int(l.score)),
      ("days_in_stage", .int(l.daysInStage(at: now))),
      ("stalled", .bool(alert != nil && alert?.snoozedUntil == nil)),
      ("black_hole", .optional(alert?.blackHole.rawValue)),
      ("value", l.opportunity?.value.map { .number($0) } ?? .null),
      ("source", .optional(l.profile.source)),
    ])
  }

  /// A lead in full: what `show --json` prints.
  static func leadDetail(_ l: LeadState, events: [Event], engine: LifecycleEngine, now: Date)
    -> JSON
  {
    let sla = engine.sla.status(of: l, at: now)
    let alert = engine.stall.evaluate(l, at: now)
    var profile = l.profile.wireFields
    profile.insert(("display_name", .string(l.profile.displayName)), at: 0)
    return .object([
      ("id", .string(l.id)),
      ("stage", .string(l.stage.rawValue)),
      ("stage_label", .string(engine.playbook.label(l.stage))),
      ("stage_entered_at", time(l.stageEnteredAt)),
      ("days_in_stage", .int(l.daysInStage(at: now))),
      (
        "closed",
        l.closed.map {
          .object([
            ("as", .string($0.closure.rawValue)), ("reason", .string($0.reason)),
            ("at", time($0.at)),
          ])
        }
          ?? .null
      ),
      ("owner", .optional(l.owner)),
      ("team", .optional(l.team)),
      ("previous_owners", .array(l.previousOwners.map { .string($0) })),
      ("profile", .object(profile)),
      ("visitors", .array(l.visitors.map { .string($0) })),
      (
        "score",
        .object([
          ("total", .int(l.score)), ("fit", .int(l.fitScore)), ("behavior", .int(l.behaviorScore)),
        ])
      ),
      (
        "ledger",
        .array(
          l.ledger.map {
            .object([
              ("at", time($0.at)), ("kind", .string($0.change.kind.rawValue)),
              ("rule", .string($0.change.rule)),
              ("delta", .int($0.change.delta)), ("score", .int($0.change.score)),
              ("source", .optional($0.change.source)),
              ("detail", .string($0.change.detail)),
            ])
          })
      ),
      (
        "history",
        .array(
          l.history.map { .object([("stage", .string($0.stage.rawValue)), ("at", time($0.at))]) })
      ),
      (
        "sla",
        sla.map {
          .object([
            ("stage", .string($0.stage.rawValue)), ("state", .string($0.state.rawValue)),
            ("due", time($0.due)),
            ("remaining_seconds", .number($0.remaining.rounded())),
          ])
        } ?? .null
      ),
      (
        "stall",
        alert.map {
          .object([
            ("black_hole", .string($0.blackHole.rawValue)), ("reason", .string($0.reason)),
            ("action", .string($0.action)),
            ("snoozed_until", time($0.snoozedUntil)),
          ])
        } ?? .null
      ),
      (
        "contact",
        .object([
          ("attempts", .int(l.contactAttempts)), ("reached", .bool(l.reached)),
          ("last_attempt", time(l.lastContactAt)),
          ("conversations", .int(l.conversations)),
        ])
      ),
      (
        "qualification",
        .object(l.qualification.keys.sorted().map { ($0, .string(l.qualification[$0]!)) })
      ),
      (
        "opportunity",
        l.opportunity.map {
          .object([
            ("value", $0.value.map { .number($0) } ?? .null), ("currency", .optional($0.currency)),
            ("close_date", time($0.closeDate)),
            ("stakeholders", .array(($0.stakeholders ?? []).map { .string($0) })),
          ])
        } ?? .null
      ),
      (
        "contract",
        l.contract.map {
          .object([
            ("signed_at", time($0.signedAt)), ("payment_terms", .optional($0.paymentTerms)),
            ("onboarding_date", time($0.onboardingDate)),
          ])
        } ?? .null
      ),
      ("recycle_count", .int(l.recycleCount)),
      ("nurture_until", time(l.nurtureUntil)),
      ("snoozed_until", time(l.snoozedUntil)),
      ("routing_note", .optional(l.routingNote)),
      ("timeline", .array(events.map(\.json))),
    ])
  }

  /// One line describing an event for humans.
  static func eventLine(_ e: Event) -> String {
    let when = ISO8601.format(e.at)
    let who = e.actor.map { " by \($0)" } ?? ""
    let what: String
    switch e.payload {
    case .stageChanged(let from, let to, let reason):
      what = "\(from?.rawValue ?? "new") → \(to.rawValue) (\(reason))"
    case .scoreChanged(let c):
      what = "score \(c.delta >= 0 ? "+" : "")\(c.delta) = \(c.score): \(c.detail)"
    case .assigned(let to, _, let why): what = "assigned to \(to)\(why.map { " — \($0)" } ?? "")"
    case .reassigned(let from, let to, _, let why):
      what = "reassigned \(from ?? "-") → \(to) — \(why)"
    case .unrouted(let why): what = "unrouted — \(why)"
    case .slaBreached(let stage, let due, let owner):
      what = "SLA breached in \(stage) (due \(ISO8601.format(due)), owner \(owner ?? "none"))"
    case .stalled(let stage, let hole, let days):
      what = "stalled in \(stage) for \(days) d: \(hole.title)"
    case .recycled(let reason, let until):
      what = "recycled: \(reason)\(until.map { ", nurture until \(ISO8601.formatDate($0))" } ?? "")"
    case .lost(let r): what = "lost: \(r)"
    case .disqualified(let r): what = "disqualified: \(r)"
    case .contactAttempt(let c, let o): what = "contact attempt by \(c.rawValue): \(o.rawValue)"
    case .pageView(let path, _): what = "page view \(path)"
    case .visitorStitched(let v, let views):
      what = "stitched visitor \(v) (\(views.count) page views)"
    case .snoozed(let until, let r): what = "snoozed until \(ISO8601.format(until)): \(r)"
    case .note(let t): what = "note: \(t)"
    default: what = e.type.rawValue
    }
    return "\(when)  \(DisplayWidth.inert(what))\(who)"
  }

  /// A fixed-width text table, aligned by display width (Japanese names line up).
  static func table(_ header: [String], _ rows: [[String]], rightAligned: Set<Int> = []) -> String {
    let cells = ([header] + rows).map { $0.map(DisplayWidth.inert) }
    var widths = Array(repeating: 0, count: header.count)
    for r in cells {
      for (i, c) in r.enumerated() {
        // Every column but the last is capped at 40 columns; the last is never truncated.
        widths[i] = max(
          widths[i], i == header.count - 1 ? DisplayWidth.of(c) : min(40, DisplayWidth.of(c)))
      }
    }
    return cells.map { r in
      r.enumerated().map { i, c in
        DisplayWidth.pad(c, to: widths[i], alignRight: rightAligned.contains(i))
      }
      .joined(separator: "  ").replacingOccurrences(
        of: "\\s+$", with: "", options: .regularExpression)
    }.joined(separator: "\n")
  }

  /// Money without noise: 1,234,500.
  static func money(_ v: Double) -> String {
    let f = NumberFormatter()
    f.numberStyle = .decimal
    f.maximumFractionDigits = 0
    f.locale = Locale(identifier: "en_US_POSIX")
    f.usesGroupingSeparator = true
    f.groupingSeparator = ","
    f.groupingSize = 3
    return f.string(from: NSNumber(value: v)) ?? String(Int(v))
  }
}
