import Foundation
import LeadLifecycle
import LeadboardTestSupport
import SQLiteStore
import Testing

/// The form of the `leads.state` column: the binary `LeadStateCodec`, with the JSON of earlier
/// versions still read.
@Suite("SQLiteStore stored state format")
struct StoredStateFormatTests {
  func hex(_ bytes: some Sequence<UInt8>) -> String {
    bytes.map { String(format: "%02X", $0) }.joined()
  }

  @Test func statesAreWrittenInTheBinaryForm() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let path = dir.path("leadboard.sqlite")
    let desk = Desk(
      try SQLiteStore(path: path, playbookText: ContractPlaybook.standard.json.serialized()))
    try desk.makeMQL("L1", profile: Profile(email: "taro@example.jp", name: "山田太郎"))
    try desk.makeOpportunity("L2")
    #expect(
      try RawDatabase(path: path).column(
        "SELECT DISTINCT typeof(state) || ' ' || hex(substr(state, 1, 1)) FROM leads") == [
          "blob 01"
        ])
  }

  @Test func aStoreWrittenByAnEarlierVersionStillReadsAndMovesOn() throws {
    // Given a store whose lead states are all in the JSON of earlier versions
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let path = dir.path("leadboard.sqlite")
    let playbook = ContractPlaybook.standard.json.serialized()
    let desk = Desk(try SQLiteStore(path: path, playbookText: playbook))
    try desk.makeMQL("L1", profile: Profile(email: "taro@example.jp", name: "山田太郎"))
    try desk.makeSAL("L2")
    try desk.makeOpportunity("L3")
    let ids = ["L1", "L2", "L3"]
    let before = try ids.map { try desk.lead($0) }
    let raw = try RawDatabase(path: path)
    for lead in before {
      let json = try LeadStateCodec.encodeLegacyJSON(lead.withoutLedger)
      try raw.execute("UPDATE leads SET state = X'\(hex(json))' WHERE id = '\(lead.id)'")
    }
    #expect(try raw.column("SELECT DISTINCT substr(state, 1, 1) FROM leads") == ["{"])

    // When another process opens it
    let reopened = Desk(try SQLiteStore(path: path), start: desk.now, idPrefix: "r")

    // Then every lead reads as before, ledger included
    #expect(try ids.map { try reopened.lead($0) } == before)
    #expect(
      try reopened.store.leads(LeadQuery(includeClosed: true), at: desk.now).map(\.id).sorted()
        == ids)
    // and a lead that changes is written back in the binary form; the others stay as they were.
    try reopened.send(reopened.events.download("L1", asset: "guide.pdf"))
    #expect(
      try raw.column("SELECT id || ' ' || hex(substr(state, 1, 1)) FROM leads ORDER BY id") == [
        "L1 01", "L2 7B", "L3 7B",
      ])
    #expect(try reopened.lead("L1").eventCount > before[0].eventCount)
  }

  @Test func anUnreadableStateIsReportedAsCorrupt() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let path = dir.path("leadboard.sqlite")
    let desk = Desk(
      try SQLiteStore(path: path, playbookText: ContractPlaybook.standard.json.serialized()))
    try desk.makeMQL("L1")
    try RawDatabase(path: path).execute("UPDATE leads SET state = X'01FF' WHERE id = 'L1'")
    let store = try SQLiteStore(path: path)
    let error = #expect(throws: StoreError.self) { try store.lead("L1") }
    #expect(error?.kind == .corrupt)
    #expect(error?.message.contains("lead state, byte") == true)
  }
}
