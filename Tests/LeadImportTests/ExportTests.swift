import Foundation
import LeadLifecycle
import LeadboardTestSupport
import Testing

@testable import LeadImport

@Suite struct ExportTests {
  @Test func formulaCellsAreNeutralised() {
    #expect(CSVWriter.neutralise("=HYPERLINK(\"http://x\")") == "'=HYPERLINK(\"http://x\")")
    #expect(CSVWriter.neutralise("+1+1") == "'+1+1")
    #expect(CSVWriter.neutralise("-2+3") == "'-2+3")
    #expect(CSVWriter.neutralise("@SUM(A1)") == "'@SUM(A1)")
    #expect(CSVWriter.neutralise("\tx") == "'\tx")
    #expect(CSVWriter.neutralise("\rx") == "'\rx")
    #expect(CSVWriter.neutralise("-12.5") == "-12.5")
    #expect(CSVWriter.neutralise("plain") == "plain")
    #expect(CSVWriter.line(["a,b", "=1+2", "say \"x\""]) == "\"a,b\",'=1+2,\"say \"\"x\"\"\"")
  }

  @Test func exportedLogReplaysToTheSamePipeline() throws {
    let store = InMemoryStore(playbook: .builtIn)
    let importer = Importer(store: store, now: at("2026-01-01T00:00:00Z"))
    _ = try importer.run([
      ImportSource(path: fixture("olist-mql.csv"), mapping: Presets.olistMQL),
      ImportSource(path: fixture("olist-deals.csv"), mapping: Presets.olistDeals),
      ImportSource(path: fixture("pipedrive-deals.csv"), mapping: Presets.pipedrive),
    ])
    let lines = try store.allEvents(asOf: nil).map(\.jsonLine)
    let copy = InMemoryStore(playbook: .builtIn)
    try copy.replay(lines.map { try Event(jsonLine: $0) })
    let q = LeadQuery(includeClosed: true)
    let now = at("2026-01-01T00:00:00Z")
    #expect(
      try copy.leads(q, at: now).sorted { $0.id < $1.id }
        == store.leads(q, at: now).sorted { $0.id < $1.id })
    #expect(try copy.stageTotals(at: now) == store.stageTotals(at: now))
  }

  @Test func leadsCSVReimportsWithNoMapping() throws {
    let store = InMemoryStore(playbook: .builtIn)
    let now = at("2026-01-01T00:00:00Z")
    _ = try Importer(store: store, now: now).run([
      ImportSource(path: fixture("olist-mql.csv"), mapping: Presets.olistMQL),
      ImportSource(path: fixture("olist-deals.csv"), mapping: Presets.olistDeals),
    ])
    let leads = try store.leads(LeadQuery(includeClosed: true), at: now)
    let extras = Exporter.extraKeys(leads)
    var text = CSVWriter.line(Exporter.leadColumns(extras: extras)) + "\n"
    for l in leads { text += CSVWriter.line(Exporter.leadRow(l, extras: extras)) + "\n" }
    let path = try tempFile("leads.csv", text)
    let copy = InMemoryStore(playbook: .builtIn)
    let r = try Importer(store: copy, now: now).run([ImportSource(path: path, mapping: nil)])
    #expect(r.clean)
    for l in leads {
      let c = try #require(try copy.lead(l.id))
      #expect(c.stage == l.stage && c.owner == l.owner && c.profile.extra == l.profile.extra)
      #expect(c.entered(.customer) == l.entered(.customer))
    }
  }
}
