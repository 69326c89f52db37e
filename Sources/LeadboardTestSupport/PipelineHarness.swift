import Foundation
import LeadLifecycle

/// An in-memory pipeline driven by a manual clock and an event factory: append facts, move
/// time, tick, and read leads, with deterministic ids and instants throughout.
///
/// Not thread-safe: one harness per test.
public final class PipelineHarness {
  public var pipeline: Pipeline
  public let clock: ManualClock
  public let events: EventFactory

  /// A harness over `playbook` whose clock starts at `start` (the reference Monday by default).
  public init(
    _ playbook: Playbook = TestPlaybook.standard(), start: Date = Fixed.reference,
    idPrefix: String = "e"
  ) {
    pipeline = Pipeline(playbook: playbook)
    clock = ManualClock(start)
    events = EventFactory(prefix: idPrefix, clock: clock)
  }

  /// The lead with this id (crashes when it does not exist: a scenario bug).
  public func lead(_ id: String) -> LeadState {
    guard let lead = pipeline.leads[id] else { preconditionFailure("no lead '\(id)'") }
    return lead
  }

  /// Appends an event and returns its rule outcomes (none for a duplicate).
  @discardableResult
  public func send(_ event: Event) throws(Refusal) -> [Event] {
    switch try pipeline.append(event) {
    case .added(let outcomes): return outcomes
    case .duplicate: return []
    }
  }

  /// Runs the time-driven rules at the clock's instant.
  @discardableResult
  public func tick() -> [Event] { pipeline.tick(at: clock.now()) }

  /// Moves the clock by `span`, then ticks.
  @discardableResult
  public func advanceAndTick(_ span: Span) -> [Event] {
    clock.advance(by: span)
    return tick()
  }

  // MARK: - Scenario steps

  /// Captures `lead` with a form fill.
  @discardableResult
  public func capture(
    _ lead: String, profile: Profile = Profile(email: "lead@example.com"),
    visitor: String? = nil
  ) throws(Refusal) -> [Event] {
    try send(events.formSubmit(lead, visitor: visitor, profile: profile))
  }

  /// Captures `lead` and makes it an MQL with a demo request (a high-intent action); returns
  /// the demo request's outcomes (stage change, assignment or unrouted).
  @discardableResult
  public func makeMQL(_ lead: String, profile: Profile = Profile(email: "lead@example.com"))
    throws(Refusal) -> [Event]
  {
    try capture(lead, profile: profile)
    return try send(events.demoRequest(lead))
  }

  /// Makes `lead` an MQL and has its owner accept it; returns the owner.
  @discardableResult
  public func makeSAL(_ lead: String, profile: Profile = Profile(email: "lead@example.com"))
    throws(Refusal) -> String
  {
    try makeMQL(lead, profile: profile)
    let owner = self.lead(lead).owner ?? "a"
    try send(events.accept(lead, by: owner))
    return owner
  }

  /// Makes `lead` a SAL and qualifies it with every BANT answer; returns the owner.
  @discardableResult
  public func makeSQL(_ lead: String) throws(Refusal) -> String {
    let owner = try makeSAL(lead)
    try send(events.qualify(lead, by: owner))
    return owner
  }

  /// Makes `lead` an SQL and creates a complete opportunity; returns the owner.
  @discardableResult
  public func makeOpportunity(_ lead: String, closeDate: Date = at("2027-01-29T00:00:00Z"))
    throws(Refusal) -> String
  {
    let owner = try makeSQL(lead)
    try send(
      events.createOpportunity(
        lead, by: owner,
        OpportunityFields(
          value: 1_200_000, currency: "JPY", closeDate: closeDate, stakeholders: ["CTO", "CFO"])))
    return owner
  }
}
