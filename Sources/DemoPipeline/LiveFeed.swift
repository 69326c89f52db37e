import Foundation
import LeadLifecycle

/// Keeps a demo store moving while the board is open: new visitors browse, some fill a form,
/// some ask for a demo and become MQLs that routing hands to reps, and the SLA clocks run
/// (a tick every few seconds). Deterministic for a seed and a sequence of clock readings.
public struct LiveFeed {
  private var rng: SeededRandom
  private var nextAction: Date
  private var nextTick: Date
  private var count = 0
  private var known: [String] = []
  private let prefix: String

  /// - Parameters:
  ///   - seed: the random seed.
  ///   - start: the clock when the board opens (also makes ids unique per session).
  public init(seed: UInt64, start: Date) {
    rng = SeededRandom(seed: seed ^ UInt64(start.timeIntervalSince1970))
    nextAction = start.addingTimeInterval(2)
    nextTick = start.addingTimeInterval(5)
    prefix = "live-\(Int(start.timeIntervalSince1970))"
  }

  /// Appends what happened since the last step; true when the store changed.
  @discardableResult
  public mutating func step(into store: PipelineStore, now: Date) throws(StoreError) -> Bool {
    var changed = false
    if now >= nextTick {
      changed = !(try store.tick(at: now)).isEmpty || changed
      nextTick = now.addingTimeInterval(5)
    }
    guard now >= nextAction else { return changed }
    nextAction = now.addingTimeInterval(rng.range(2, 5))
    count += 1
    let n = count
    var events: [Event] = []
    let roll = rng.unit()
    if roll < 0.35 || known.isEmpty && roll < 0.5 {
      let path = rng.pick(DemoGenerator.pages + ["/pricing"])
      events.append(
        Event(
          id: "\(prefix)-pv\(n)", at: now, visitor: "\(prefix)-v\(n)",
          .pageView(path: path, referrer: nil)))
    } else if roll < 0.75 || known.isEmpty {
      let japanese = rng.chance(0.5)
      var p = Profile()
      if japanese {
        p.name = rng.pick(DemoGenerator.jaFamily) + " " + rng.pick(DemoGenerator.jaGiven)
        p.company = "株式会社" + rng.pick(DemoGenerator.jaCompanyWords)
        p.title = rng.pick(DemoGenerator.jaTitles)
        p.country = "JP"
      } else {
        p.name = rng.pick(DemoGenerator.enFirst) + " " + rng.pick(DemoGenerator.enLast)
        p.company = rng.pick(DemoGenerator.enCompanyWords) + " Inc."
        p.title = rng.pick(DemoGenerator.enTitles)
        p.country = rng.pick(["US", "GB", "DE", "SG"])
      }
      p.email = "\(prefix)-\(n)@example.com"
      p.industry = rng.pick(DemoGenerator.industries)
      p.employees = Int(rng.logNormal(median: 150, spread: 1).rounded())
      p.source = rng.pick(DemoGenerator.sources).name
      let id = "\(prefix)-L\(n)"
      known.append(id)
      events.append(
        Event(id: "\(prefix)-f\(n)", at: now, lead: id, .formSubmit(form: "contact", profile: p)))
    } else {
      let id = known.removeFirst()
      events.append(Event(id: "\(prefix)-d\(n)", at: now, lead: id, .demoRequest))
    }
    for status in try store.append(events) {
      if case .added = status { changed = true }
    }
    return changed
  }
}
