import Foundation
import LeadLifecycle
import LeadboardTestSupport
import Testing

@testable import LeadImport

private let now = at("2026-01-01T00:00:00Z")

/// Writes `text` to a temporary file and returns its path.
func tempFile(_ name: String, _ text: String) throws -> String {
  let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
    "leadimport-tests-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
  let url = dir.appendingPathComponent(name)
  try Data(text.utf8).write(to: url)
  return url.path
}

private struct Run {
  var report: ImportReport
  var rejects: [ImportReject]
}

private func run(
  _ store: InMemoryStore?, _ sources: [ImportSource], dryRun: Bool = false, buckets: Int = 4,
  overrides: MappingOverrides = MappingOverrides()
) throws -> Run {
  let importer = Importer(store: store, now: now)
  importer.bucketCount = buckets
  importer.dryRun = dryRun
  importer.overrides = overrides
  var rejects: [ImportReject] = []
  importer.onReject = { rejects.append($0) }
  let report = try importer.run(sources)
  return Run(report: report, rejects: rejects)
}

private func summary(_ store: InMemoryStore) throws -> [String] {
  try store.leads(LeadQuery(includeClosed: true), at: now).sorted { $0.id < $1.id }.map {
    "\($0.id) \($0.stage.rawValue) \($0.owner ?? "-") \($0.closed?.closure.rawValue ?? "open") \($0.history.map { "\($0.stage.rawValue)@\(ISO8601.format($0.at))" })"
  }
}

@Suite struct ImporterTests {
  let mql = ImportSource(path: fixture("olist-mql.csv"), mapping: Presets.olistMQL)
  let deals = ImportSource(path: fixture("olist-deals.csv"), mapping: Presets.olistDeals)

  @Test func olistHistoryOwnersAndTheEarlyWonWarning() throws {
    let store = InMemoryStore(playbook: .builtIn)
    let r = try run(store, [mql, deals])
    #expect(r.report.clean)
    #expect(r.report.newLeads == 4)
    let m1 = try #require(try store.lead("m1"))
    #expect(m1.stage == .customer)
    #expect(m1.owner == "sr1")
    #expect(m1.profile.extra["sdr_id"] == "sdr1")
    #expect(m1.profile.source == "social")
    #expect(m1.history.map(\.stage) == [.known, .mql, .customer])  // sal, sql, opportunity skipped
    #expect(m1.entered(.mql) == at("2018-02-01T02:00:00Z"))
    #expect(m1.entered(.customer) == at("2018-02-26T22:58:00Z"))
    let m2 = try #require(try store.lead("m2"))
    #expect(m2.stage == .mql)
    #expect(m2.owner == nil)
    #expect(try store.lead("m3")?.profile.extra["average_stock"] == "01-May")  // kept as text
    #expect(r.report.warnings.count == 1)
    let w = try #require(r.report.warnings.first)
    #expect(w.lead == "m3")
    #expect(w.file.hasSuffix("olist-deals.csv") && w.line == 3)
    #expect(w.message.contains("deal won at 2018-03-06T22:38:00Z, before the lead's first contact"))
    let types = try store.events(forLead: "m1").map(\.type.rawValue)
    #expect(
      types == [
        "form_submit", "stage_changed", "assigned", "stage_changed", "won", "stage_changed",
      ])
  }

  @Test func fileOrderDoesNotMatter() throws {
    let a = InMemoryStore(playbook: .builtIn)
    let b = InMemoryStore(playbook: .builtIn)
    _ = try run(a, [mql, deals])
    _ = try run(b, [deals, mql], buckets: 7)
    #expect(try summary(a) == summary(b))
    #expect(
      try a.allEvents(asOf: nil).map(\.id).sorted() == b.allEvents(asOf: nil).map(\.id).sorted())
  }

  @Test func reimportAddsNothingAndChangesBecomeUpdates() throws {
    let store = InMemoryStore(playbook: .builtIn)
    let first = try run(store, [mql, deals])
    let count = try store.allEvents(asOf: nil).count
    #expect(first.report.eventsAdded == count)
    let again = try run(store, [mql, deals])
    #expect(again.report.eventsAdded == 0)
    #expect(again.report.newLeads == 0 && again.report.updatedLeads == 0)
    #expect(try store.allEvents(asOf: nil).count == count)
    // The same lead with a changed origin and a new owner.
    let changed = try tempFile(
      "changed.csv", "mql_id,first_contact_date,landing_page_id,origin\nm2,20-10-2017,lp2,email\n")
    let upd = try run(store, [ImportSource(path: changed, mapping: Presets.olistMQL)])
    #expect(upd.report.updatedLeads == 1 && upd.report.eventsAdded == 1)
    let last = try #require(try store.events(forLead: "m2").last)
    #expect(last.payload == .profileUpdated(profile: Profile(source: "email")))
    #expect(
      try run(store, [ImportSource(path: changed, mapping: Presets.olistMQL)]).report.eventsAdded
        == 0)
  }

  @Test func separateRunsInEitherOrderGiveTheSameStagesAndOwners() throws {
    let a = InMemoryStore(playbook: .builtIn)
    _ = try run(a, [mql])
    _ = try run(a, [deals])
    let b = InMemoryStore(playbook: .builtIn)
    _ = try run(b, [deals])
    let late = try run(b, [mql])
    func short(_ s: InMemoryStore) throws -> [String] {
      try s.leads(LeadQuery(includeClosed: true), at: now).sorted { $0.id < $1.id }.map {
        "\($0.id) \($0.stage) \($0.owner ?? "-")"
      }
    }
    #expect(try short(a) == short(b))
    // The earlier history a later run brings is reported, not silently dropped.
    #expect(
      late.report.warnings.contains {
        $0.message.contains("not applied: the lead is already at customer")
      })
  }

  @Test func leadsAreMatchedByIdThenEmail() throws {
    let store = InMemoryStore(playbook: .builtIn)
    let one = try tempFile(
      "a.csv",
      "id,email,name,created_at\nA1,Ann@Example.com ,Ann,2024-01-01\nA2,ann@example.com,Ann L.,2024-01-02\n"
    )
    let r = try run(store, [ImportSource(path: one, mapping: nil)])
    #expect(r.report.leads == 1 && r.report.mergedByEmail == 1)
    #expect(try store.lead("A1")?.profile.name == "Ann L.")
    #expect(try store.lead("A2") == nil)
    // Another system's record with the same email joins the stored lead.
    let two = try tempFile("b.csv", "id,email,title\nB7,ANN@example.com,CEO\n")
    let r2 = try run(store, [ImportSource(path: two, mapping: nil)])
    #expect(r2.report.newLeads == 0 && r2.report.updatedLeads == 1)
    #expect(try store.lead("A1")?.profile.title == "CEO")
  }

  @Test func rejectsAreReportedAndValidRowsKept() throws {
    let store = InMemoryStore(playbook: .builtIn)
    let r = try run(store, [ImportSource(path: fixture("rejects.csv"), mapping: nil)])
    #expect(!r.report.clean)
    #expect(
      r.report.files[0].rows == 6 && r.report.files[0].imported == 2
        && r.report.files[0].rejected == 4)
    let text = r.rejects.flatMap { rej in
      rej.problems.map { "\(rej.line):\($0.column ?? 0): \($0.message)" }
    }
    #expect(text.contains("3:3: created_at: unparseable date '2024-13-45' (expected iso)"))
    #expect(text.contains("4:1: missing id ('id' is empty)"))
    #expect(
      text.contains {
        $0.hasPrefix(
          "5:4: stage: unknown stage value 'hot' (known: known, mql, sal, sql, opportunity, customer)"
        )
      })
    #expect(
      text.contains("7:5: row has 5 fields, the header 4: cells past the header are not empty"))
    #expect(try store.lead("r1")?.stage == .mql)
    #expect(try store.lead("r5")?.stage == .known)  // a short row: missing cells are unknown
    #expect(r.rejects.first?.fields == ["r2", "Bad date", "2024-13-45", "mql"])
  }

  @Test func dryRunWritesNothing() throws {
    let store = InMemoryStore(playbook: .builtIn)
    let r = try run(store, [mql, deals], dryRun: true)
    #expect(r.report.eventsBuilt > 0 && r.report.eventsAdded == 0)
    #expect(try store.allEvents(asOf: nil).isEmpty)
  }

  @Test func presetsOnTheirOwnFixtures() throws {
    let store = InMemoryStore(playbook: .builtIn)
    let r = try run(
      store,
      [
        ImportSource(path: fixture("hubspot-contacts.csv"), mapping: nil),
        ImportSource(path: fixture("salesforce-report.csv"), mapping: Presets.salesforce),
        ImportSource(path: fixture("salesforce-dataloader.tsv"), mapping: nil),
        ImportSource(path: fixture("pipedrive-deals.csv"), mapping: Presets.pipedrive),
      ])
    #expect(r.report.clean, "\(r.rejects.map(\.problems))")
    #expect(r.report.files.map(\.mapping) == ["hubspot", "salesforce", "salesforce", "pipedrive"])
    let taro = try #require(try store.lead("hs-101"))
    #expect(taro.stage == .mql && taro.owner == "sato" && taro.profile.company == "Sample, Inc.")
    #expect(taro.entered(.mql) == at("2024-01-12T10:00:00Z"))
    #expect(try store.lead("hs-102")?.stage == .customer)
    #expect(try store.lead("hs-103")?.profile.company == "Quote \"Co\"")
    #expect(try store.lead("sf-00Q1")?.stage == .sal)
    #expect(try store.lead("sf-00Q2")?.closed?.closure == .disqualified)
    #expect(try store.lead("sf-00Q2")?.createdAt == at("2024-01-20T00:00:00Z"))
    #expect(try store.lead("sf-00Q9")?.stage == .sql)
    let won = try #require(try store.lead("pd-1"))
    #expect(won.stage == .customer && won.opportunity?.value == 12500.5 && won.owner == "Mia")
    let lost = try #require(try store.lead("pd-2"))
    #expect(lost.closed?.closure == .lost && lost.closed?.reason == "Price")
    #expect(try store.lead("pd-3")?.stage == .opportunity)
  }

  @Test func cp932NamesSurviveTheImport() throws {
    let store = InMemoryStore(playbook: .builtIn)
    let r = try run(store, [ImportSource(path: fixture("cp932-names.csv"), mapping: nil)])
    #expect(r.report.files[0].encoding == "cp932")
    #expect(try store.lead("j1")?.profile.name == "①髙﨑 山田太郎")
    #expect(try store.lead("j2")?.profile.company == "テスト, 有限会社")
  }
}
