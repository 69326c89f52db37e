import Foundation

/// One fact in the append-only log: something that happened to a lead or an anonymous visitor,
/// or the outcome of a rule. Events are never updated or deleted.
public struct Event: Sendable, Equatable {
  /// Unique id; appending an id that is already in the log changes nothing.
  public var id: String
  /// When it happened.
  public var at: Date
  /// The lead it belongs to; nil only for an anonymous visitor's page view.
  public var lead: String?
  /// The anonymous visitor (cookie) id, on page views and on the form that stitches them.
  public var visitor: String?
  /// Who did it: a rep id, `rules` for rule outcomes, `import`, a system name.
  public var actor: String?
  /// For rule outcomes: the id of the event (or tick) that caused it.
  public var cause: String?
  /// What happened.
  public var payload: EventPayload

  public init(
    id: String, at: Date, lead: String? = nil, visitor: String? = nil, actor: String? = nil,
    cause: String? = nil, _ payload: EventPayload
  ) {
    self.id = id
    self.at = at
    self.lead = lead
    self.visitor = visitor
    self.actor = actor
    self.cause = cause
    self.payload = payload
  }

  /// The type name on the wire (`form_submit`, `stage_changed` …).
  public var type: EventType { payload.type }

  /// The actor that rule outcomes carry.
  public static let rulesActor = "rules"
}

/// A contact channel for attempts.
public enum ContactChannel: String, Sendable, CaseIterable, Codable {
  case phone, email, linkedin, sms, chat, meeting, other
}

/// What a contact attempt achieved. Only `connected` and `replied` count as reaching the person.
public enum ContactOutcome: String, Sendable, CaseIterable, Codable {
  case connected, replied
  case noAnswer = "no_answer"
  case voicemail
  case bounced
  case wrongNumber = "wrong_number"
  case busy

  /// True when the attempt reached the prospect.
  public var reached: Bool { self == .connected || self == .replied }
}

/// Opportunity fields; every field optional so an update can carry only what changed.
public struct OpportunityFields: Sendable, Equatable, Codable {
  public var value: Double?
  public var currency: String?
  public var closeDate: Date?
  public var stakeholders: [String]?
  public var name: String?

  public init(
    value: Double? = nil, currency: String? = nil, closeDate: Date? = nil,
    stakeholders: [String]? = nil, name: String? = nil
  ) {
    self.value = value
    self.currency = currency
    self.closeDate = closeDate
    self.stakeholders = stakeholders
    self.name = name
  }

  /// Overlays the fields `other` carries.
  public mutating func merge(_ other: OpportunityFields) {
    if let v = other.value { value = v }
    if let c = other.currency { currency = c }
    if let d = other.closeDate { closeDate = d }
    if let s = other.stakeholders { stakeholders = s }
    if let n = other.name { name = n }
  }
}

/// A score movement recorded by the scoring rules: one line of a lead's score ledger.
public struct ScoreChange: Sendable, Equatable, Codable {
  /// Which list the rule belongs to.
  public enum Kind: String, Sendable, Codable, CaseIterable {
    case fit, behavior, decay
    /// Behaviour points cleared when a lead is recycled.
    case reset
  }
  public var kind: Kind
  /// The rule's id (`fit.employees`, `behavior.pricing_page`, `decay`).
  public var rule: String
  /// The points actually applied (after caps and the floor).
  public var delta: Int
  /// The total score after this line.
  public var score: Int
  /// The event the points came from, if any.
  public var source: String?
  /// Why, in words (`pricing page /pricing: +5 (cap 20)`).
  public var detail: String

  public init(kind: Kind, rule: String, delta: Int, score: Int, source: String?, detail: String) {
    self.kind = kind
    self.rule = rule
    self.delta = delta
    self.score = score
    self.source = source
    self.detail = detail
  }
}

/// A page view, as stitched from an anonymous visitor onto a lead.
public struct PageVisit: Sendable, Equatable, Codable {
  public var event: String
  public var path: String
  public var at: Date

  public init(event: String, path: String, at: Date) {
    self.event = event
    self.path = path
    self.at = at
  }
}

/// What an event says. The closed set of facts and rule outcomes the engine knows.
public enum EventPayload: Sendable, Equatable {
  // MARK: Marketing facts
  /// A page view, by an anonymous visitor or a known lead.
  case pageView(path: String, referrer: String?)
  /// A form fill: makes a visitor a known lead; may name the visitor id to stitch.
  case formSubmit(form: String?, profile: Profile)
  /// A live chat conversation started by the visitor.
  case chat(profile: Profile)
  /// A newsletter or list subscription.
  case emailSubscribe(profile: Profile)
  /// A product account was created.
  case accountCreated(profile: Profile)
  /// Profile fields changed (an import, an enrichment).
  case profileUpdated(profile: Profile)
  case emailOpen(campaign: String?)
  case emailClick(campaign: String?, url: String?)
  case contentDownload(asset: String)
  case webinarAttended(webinar: String)
  case demoRequest
  case unsubscribe
  case emailBounce

  // MARK: Sales facts
  case contactAttempt(channel: ContactChannel, outcome: ContactOutcome)
  case conversation(summary: String?)
  /// Qualification answers, keyed by the playbook framework's field names (BANT by default).
  case qualification(fields: [String: String])
  case opportunityCreated(OpportunityFields)
  case opportunityUpdated(OpportunityFields)
  case contractSigned(paymentTerms: String?, onboardingDate: Date?)
  case won
  case lost(reason: String)
  case disqualified(reason: String)
  /// A rep accepted the MQL: it becomes that rep's SAL.
  case accepted
  /// Back to nurture with a reason code from the playbook.
  case recycled(reason: String, nurtureUntil: Date?)
  /// The lead was given to a rep (by routing or by hand).
  case assigned(to: String, team: String?, explanation: String?)
  case snoozed(until: Date, reason: String)
  case note(text: String)
  /// A manual move to another stage (a manager dragging a card), checked against the criteria.
  case moved(to: Stage, reason: String?)

  // MARK: Rule outcomes
  case scoreChanged(ScoreChange)
  case stageChanged(from: Stage?, to: Stage, reason: String)
  case slaBreached(stage: Stage, due: Date, owner: String?)
  case reassigned(from: String?, to: String, team: String?, explanation: String)
  /// Routing found nobody eligible; the lead stays unassigned with this reason.
  case unrouted(reason: String)
  case visitorStitched(visitor: String, views: [PageVisit])
  case stalled(stage: Stage, blackHole: BlackHole, days: Int)
  case nurtureEnded

  /// The wire type name of this payload.
  public var type: EventType {
    switch self {
    case .pageView: return .pageView
    case .formSubmit: return .formSubmit
    case .chat: return .chat
    case .emailSubscribe: return .emailSubscribe
    case .accountCreated: return .accountCreated
    case .profileUpdated: return .profileUpdated
    case .emailOpen: return .emailOpen
    case .emailClick: return .emailClick
    case .contentDownload: return .contentDownload
    case .webinarAttended: return .webinarAttended
    case .demoRequest: return .demoRequest
    case .unsubscribe: return .unsubscribe
    case .emailBounce: return .emailBounce
    case .contactAttempt: return .contactAttempt
    case .conversation: return .conversation
    case .qualification: return .qualification
    case .opportunityCreated: return .opportunityCreated
    case .opportunityUpdated: return .opportunityUpdated
    case .contractSigned: return .contractSigned
    case .won: return .won
    case .lost: return .lost
    case .disqualified: return .disqualified
    case .accepted: return .accepted
    case .recycled: return .recycled
    case .assigned: return .assigned
    case .snoozed: return .snoozed
    case .note: return .note
    case .moved: return .moved
    case .scoreChanged: return .scoreChanged
    case .stageChanged: return .stageChanged
    case .slaBreached: return .slaBreached
    case .reassigned: return .reassigned
    case .unrouted: return .unrouted
    case .visitorStitched: return .visitorStitched
    case .stalled: return .stalled
    case .nurtureEnded: return .nurtureEnded
    }
  }

  /// The profile a capture or update event carries.
  public var profile: Profile? {
    switch self {
    case .formSubmit(_, let p), .chat(let p), .emailSubscribe(let p), .accountCreated(let p),
      .profileUpdated(let p):
      return p
    default: return nil
    }
  }
}

/// Every event type name on the wire.
public enum EventType: String, Sendable, CaseIterable, Codable {
  case pageView = "page_view"
  case formSubmit = "form_submit"
  case chat
  case emailSubscribe = "email_subscribe"
  case accountCreated = "account_created"
  case profileUpdated = "profile_updated"
  case emailOpen = "email_open"
  case emailClick = "email_click"
  case contentDownload = "content_download"
  case webinarAttended = "webinar_attended"
  case demoRequest = "demo_request"
  case unsubscribe
  case emailBounce = "email_bounce"
  case contactAttempt = "contact_attempt"
  case conversation
  case qualification
  case opportunityCreated = "opportunity_created"
  case opportunityUpdated = "opportunity_updated"
  case contractSigned = "contract_signed"
  case won, lost, disqualified, accepted, recycled, assigned, snoozed, note, moved
  case scoreChanged = "score_changed"
  case stageChanged = "stage_changed"
  case slaBreached = "sla_breached"
  case reassigned
  case unrouted
  case visitorStitched = "visitor_stitched"
  case stalled
  case nurtureEnded = "nurture_ended"

  /// Types that capture a visitor as a known lead (visitor → known).
  public static let captures: Set<EventType> = [
    .formSubmit, .chat, .emailSubscribe, .accountCreated,
  ]

  /// Types written only by the rules; external input may carry them only when replaying a log.
  public static let ruleOutcomes: Set<EventType> = [
    .scoreChanged, .stageChanged, .slaBreached, .reassigned, .unrouted, .visitorStitched,
    .stalled, .nurtureEnded,
  ]

  /// Every type name, comma-separated, for "known types are …" messages.
  public static let nameList = EventType.allCases.map(\.rawValue).joined(separator: ", ")
}
