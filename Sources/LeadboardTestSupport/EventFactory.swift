import Foundation
import LeadLifecycle

/// Makes events with deterministic ids (`e1`, `e2` …) at the instant a `ManualClock` shows, so
/// a scenario written twice produces the same log, ids included.
///
/// Not thread-safe: one factory per test.
public final class EventFactory {
  /// The id prefix (`e` gives `e1`, `e2` …).
  public let prefix: String
  /// The clock that dates events made without an explicit `at:`.
  public let clock: ManualClock
  /// How many ids have been handed out.
  public private(set) var count = 0

  public init(prefix: String = "e", clock: ManualClock) {
    self.prefix = prefix
    self.clock = clock
  }

  /// The next id.
  public func nextID() -> String {
    count += 1
    return "\(prefix)\(count)"
  }

  /// An event with the next id, dated `at` or the clock's current instant.
  public func make(
    _ payload: EventPayload, lead: String?, visitor: String? = nil, actor: String? = nil,
    at date: Date? = nil
  ) -> Event {
    Event(
      id: nextID(), at: date ?? clock.now(), lead: lead, visitor: visitor, actor: actor, payload)
  }

  // MARK: - Marketing facts

  /// A form fill that captures `lead`, optionally stitching `visitor`'s anonymous history.
  public func formSubmit(
    _ lead: String, visitor: String? = nil, form: String? = "contact",
    profile: Profile = Profile(email: "lead@example.com")
  ) -> Event {
    make(.formSubmit(form: form, profile: profile), lead: lead, visitor: visitor)
  }

  /// A page view by a known lead, or by an anonymous visitor when `lead` is nil.
  public func pageView(
    _ path: String, lead: String? = nil, visitor: String? = nil, at date: Date? = nil
  ) -> Event {
    make(.pageView(path: path, referrer: nil), lead: lead, visitor: visitor, at: date)
  }

  public func demoRequest(_ lead: String) -> Event { make(.demoRequest, lead: lead) }

  public func download(_ lead: String, asset: String) -> Event {
    make(.contentDownload(asset: asset), lead: lead)
  }

  public func profileUpdate(_ lead: String, _ profile: Profile) -> Event {
    make(.profileUpdated(profile: profile), lead: lead, actor: "import")
  }

  // MARK: - Sales facts

  /// A rep accepting an MQL.
  public func accept(_ lead: String, by rep: String) -> Event {
    make(.accepted, lead: lead, actor: rep)
  }

  /// A contact attempt by `rep`.
  public func contact(
    _ lead: String, by rep: String, _ outcome: ContactOutcome, channel: ContactChannel = .phone
  ) -> Event {
    make(.contactAttempt(channel: channel, outcome: outcome), lead: lead, actor: rep)
  }

  /// Every BANT answer, which qualifies a SAL under the built-in framework.
  public static let bant = [
    "budget": "10M JPY", "authority": "CTO decides", "need": "pipeline visibility",
    "timeline": "Q1",
  ]

  /// Qualification answers (all of BANT unless given).
  public func qualify(
    _ lead: String, by rep: String, _ fields: [String: String] = EventFactory.bant
  ) -> Event {
    make(.qualification(fields: fields), lead: lead, actor: rep)
  }

  /// An opportunity that meets the built-in entry criteria unless fields are given.
  public func createOpportunity(
    _ lead: String, by rep: String,
    _ fields: OpportunityFields = OpportunityFields(
      value: 1_200_000, currency: "JPY", closeDate: at("2027-01-29T00:00:00Z"),
      stakeholders: ["CTO", "CFO"], name: "Annual plan")
  ) -> Event {
    make(.opportunityCreated(fields), lead: lead, actor: rep)
  }

  /// A recycle with a reason code; the nurture end is left for the playbook to fill.
  public func recycle(
    _ lead: String, by rep: String, reason: String, nurtureUntil: Date? = nil
  ) -> Event {
    make(.recycled(reason: reason, nurtureUntil: nurtureUntil), lead: lead, actor: rep)
  }

  public func snooze(_ lead: String, by rep: String, until: Date, reason: String = "on leave")
    -> Event
  {
    make(.snoozed(until: until, reason: reason), lead: lead, actor: rep)
  }
}

// MARK: - Reading outcomes

extension Array where Element == Event {
  /// The events of one type, in order.
  public func of(_ type: EventType) -> [Event] { filter { $0.type == type } }

  /// The wire types, in order.
  public var types: [EventType] { map(\.type) }

  /// The stage changes as `from→to` (`known→mql`), in order.
  public var stageMoves: [String] {
    compactMap {
      guard case .stageChanged(let from, let to, _) = $0.payload else { return nil }
      return "\(from?.rawValue ?? "nil")→\(to.rawValue)"
    }
  }

  /// The score ledger lines the events carry, in order.
  public var scoreChanges: [ScoreChange] {
    compactMap {
      guard case .scoreChanged(let c) = $0.payload else { return nil }
      return c
    }
  }
}
