import DemoPipeline
import Foundation
import LeadLifecycle
import LeadboardTestSupport
import Testing

/// The demo must look like a real team's pipeline: the seed's conversion ranges and stage
/// durations, every stage populated, every black hole represented, and the same seed giving
/// the same log.
@Suite struct DemoPipelineTests {
  static let end = at("2026-12-01T09:00:00Z")

  /// One shared demo of 4,000 leads (built once: it is the expensive part).
  static let demo: Pipeline = {
    var p = DemoParameters()
    p.leads = 4000
    p.seed = 7
    let store = InMemoryStore(playbook: .builtIn)
    _ = try! DemoGenerator(parameters: p, end: end).run(into: store)
    return store.pipeline
  }()

  @Test func everyStageIsPopulated() throws {
    // Given the demo, When the board's totals are read, Then every column has leads.
    let totals = Self.demo.stageTotals(at: Self.end)
    for t in totals { #expect(t.count > 0, "stage \(t.stage) is empty") }
  }

  @Test func demoIsNotRefusedByItsOwnRules() throws {
    var p = DemoParameters()
    p.leads = 300
    let report = try DemoGenerator(parameters: p, end: Self.end).run(
      into: InMemoryStore(playbook: .builtIn))
    #expect(report.refused.isEmpty, "refused: \(report.refused)")
    #expect(report.duplicates == 0, "every demo action must be a new event")
    #expect(report.appended > 300 * 4)
  }

  @Test(arguments: [Stage.mql, .sal, .sql, .opportunity])
  func conversionIsInsideTheSeedRange(_ stage: Stage) throws {
    // Given the seed's benchmark for the move out of `stage`
    let range = try #require(Playbook.builtIn.stage(stage).benchmark?.conversion)
    // When conversion is measured among decided entries
    let conversions = Funnel.conversions(Self.demo.leads.values)
    let c = try #require(conversions[stage])
    let rate = try #require(c.decidedRate)
    // Then it falls inside the range, on enough decided leads to mean something
    #expect(c.converted + c.dropped >= 40, "\(stage): only \(c.converted + c.dropped) decided")
    #expect(range.contains(rate), "\(stage) → next: \(rate)% not in \(range.low)…\(range.high)%")
  }

  @Test(arguments: [Stage.known, .sal, .sql, .opportunity])
  func medianTimeInStageIsInsideTheSeedRange(_ stage: Stage) throws {
    // Given the benchmark's span from best-in-class low to average high
    let b = try #require(Playbook.builtIn.stage(stage).benchmark)
    let low = b.bestDays?.low ?? b.averageDays!.low
    let high = b.averageDays!.high
    // When the days from entering `stage` to entering the next stage are collected
    var days: [Double] = []
    for lead in Self.demo.leads.values {
      for (i, e) in lead.history.enumerated() where e.stage == stage && i + 1 < lead.history.count {
        let next = lead.history[i + 1]
        if next.stage > stage { days.append(next.at.timeIntervalSince(e.at) / 86400) }
      }
    }
    #expect(days.count >= 12, "\(stage): only \(days.count) conversions")
    let median = days.sorted()[days.count / 2]
    // Then their median sits inside it
    #expect(median >= low && median <= high, "\(stage): median \(median) d not in \(low)…\(high) d")
  }

  @Test func everyBlackHoleHasLeads() throws {
    let holes = Set(Self.demo.stalls(at: Self.end).map(\.blackHole))
    for hole in [BlackHole.noFollowUp, .noContact, .opportunityGap, .agingOpportunity] {
      #expect(holes.contains(hole), "no lead stuck in \(hole.rawValue)")
    }
  }

  @Test func japaneseAndEnglishNamesAndSeveralSources() {
    let leads = Self.demo.leads.values
    let japanese = leads.filter {
      ($0.profile.name ?? "").unicodeScalars.contains { $0.value >= 0x3040 }
    }.count
    #expect(japanese > leads.count / 4 && japanese < leads.count * 3 / 4)
    #expect(Set(leads.compactMap(\.profile.source)).count >= 5)
    #expect(Set(leads.compactMap(\.owner)).count >= 6, "leads should be spread over the reps")
  }

  @Test func sameSeedSameLogDifferentSeedDifferentLog() throws {
    func log(seed: UInt64) throws -> [Event] {
      var p = DemoParameters()
      p.leads = 150
      p.seed = seed
      let store = InMemoryStore(playbook: .builtIn)
      _ = try DemoGenerator(parameters: p, end: Self.end).run(into: store)
      return try store.allEvents(asOf: nil)
    }
    let a = try log(seed: 11)
    #expect(a == (try log(seed: 11)))
    #expect(a != (try log(seed: 12)))
  }

  @Test func timestampsEndAtTheClock() throws {
    let events = Self.demo.log
    #expect(events.allSatisfy { $0.at <= Self.end })
    let last = try #require(events.map(\.at).max())
    #expect(Self.end.timeIntervalSince(last) < 86400, "the demo should run up to the clock")
  }
}
