import DemoPipeline
import Foundation
import LeadLifecycle
import LeadboardTestSupport
import Testing

/// What-if on a generated pipeline: the same playbook reproduces the plain report; another MQL
/// threshold changes the MQL count.
@Suite struct WhatIfTests {
  static let end = at("2026-12-01T09:00:00Z")

  /// The demo's log and the pipeline the store replays from it (built once).
  static let demo: (log: [Event], pipeline: Pipeline) = {
    var p = DemoParameters()
    p.leads = 250
    p.seed = 3
    let store = InMemoryStore(playbook: .builtIn)
    _ = try! DemoGenerator(parameters: p, end: end).run(into: store)
    return (try! store.allEvents(asOf: nil), try! store.pipeline(asOf: end))
  }()

  static func plain() -> ReportInput { ReportInput(pipeline: demo.pipeline, now: end) }

  @Test func samePlaybookGivesThePlainReport() throws {
    let log = Self.demo.log
    let (p, refused) = WhatIf.rerun(log, playbook: .builtIn, until: Self.end)
    let alt = ReportInput(pipeline: p, now: Self.end)
    #expect(refused.isEmpty, "refused: \(refused)")
    #expect(WhatIfSummary(alt) == WhatIfSummary(Self.plain()))
    #expect(FunnelReport(alt) == FunnelReport(Self.plain()))
    #expect(StallsReport(alt) == StallsReport(Self.plain()))
    // The same leads stall, not only as many.
    let rule = StallRule(playbook: .builtIn)
    let stalled = { (i: ReportInput) in i.leads.compactMap { rule.evaluate($0, at: Self.end) } }
    #expect(stalled(alt) == stalled(Self.plain()))
    #expect(!stalled(alt).isEmpty)
  }

  @Test func higherThresholdGivesFewerMQLs() throws {
    var strict = Playbook.builtIn
    strict.scoring.mqlThreshold = 90
    let log = Self.demo.log
    let (p, _) = WhatIf.rerun(log, playbook: strict, until: Self.end)
    let a = WhatIfSummary(Self.plain())
    let b = WhatIfSummary(ReportInput(pipeline: p, now: Self.end))
    #expect(b.mqls < a.mqls, "\(b.mqls) vs \(a.mqls)")
  }
}
