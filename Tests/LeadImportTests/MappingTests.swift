import Foundation
import LeadLifecycle
import Testing

@testable import LeadImport

@Suite struct DatePatternTests {
  private func p(_ s: String) throws -> DatePattern { try DatePattern.parse(s).get() }
  private let utc = TimeZone(identifier: "UTC")!

  @Test func patternsInATimeZone() throws {
    let sp = TimeZone(identifier: "America/Sao_Paulo")!
    #expect(
      try p("dd-MM-yyyy").date(from: "01-02-2018", timeZone: sp)
        == ISO8601.parse("2018-02-01T02:00:00Z"))
    #expect(
      try p("dd-MM-yyyy HH:mm").date(from: "26-02-2018 19:58", timeZone: sp)
        == ISO8601.parse("2018-02-26T22:58:00Z"))
    #expect(try p("MM/dd/yyyy").date(from: "1/5/2024", timeZone: utc) == nil)  // MM needs two digits
    #expect(
      try p("M/d/yyyy").date(from: "1/5/2024", timeZone: utc)
        == ISO8601.parse("2024-01-05T00:00:00Z"))
    #expect(
      try p("yyyy年MM月dd日").date(from: "2024年03月09日", timeZone: utc)
        == ISO8601.parse("2024-03-09T00:00:00Z"))
  }

  @Test func isoWithOffsetsAndFractions() throws {
    let iso = try p("iso")
    let tokyo = TimeZone(identifier: "Asia/Tokyo")!
    #expect(iso.date(from: "2024-01-05", timeZone: tokyo) == ISO8601.parse("2024-01-04T15:00:00Z"))
    #expect(
      iso.date(from: "2024-01-05T08:00:00.000Z", timeZone: tokyo)
        == ISO8601.parse("2024-01-05T08:00:00Z"))
    #expect(
      iso.date(from: "2024-01-05 10:00:00+02:00", timeZone: utc)
        == ISO8601.parse("2024-01-05T08:00:00Z"))
    #expect(
      iso.date(from: "2024/01/05 10:00", timeZone: utc) == ISO8601.parse("2024-01-05T10:00:00Z"))
  }

  @Test func impossibleDatesAndBadPatterns() throws {
    #expect(try p("dd-MM-yyyy").date(from: "31-02-2018", timeZone: utc) == nil)
    #expect(try p("dd-MM-yyyy").date(from: "2018-02-01", timeZone: utc) == nil)
    #expect(try p("dd-MM-yyyy").date(from: "01-May", timeZone: utc) == nil)
    guard case .failure(let e) = DatePattern.parse("dd-MM-yyyy hh:mm") else {
      Issue.record("hh accepted"); return
    }
    #expect(e.message.contains("unknown pattern letters 'hh'"))
    guard case .failure = DatePattern.parse("HH:mm") else {
      Issue.record("no date accepted"); return
    }
  }
}

@Suite struct MappingTests {
  @Test func everyPresetPrintsAsAMappingFileThatReadsBack() throws {
    for name in Presets.names {
      let preset = try #require(Presets.named(name))
      var back = try ImportMapping.parse(preset.json5, name: name)
      back.name = preset.name
      #expect(back == preset, "\(name)")
    }
  }

  @Test func mappingFileProblemsHaveLocations() throws {
    let text = """
      {
        fields: {
          id: "Customer No",
          emial: "Mail",
          "entered:won": "Won on",
          company: 3,
        },
        stages: { "Hot": "mqll" },
        dateFormat: "dd/MM/yyyy hh",
        timeZone: "Mars/Olympus",
        encoding: "latin9",
        delimter: ";",
      }
      """
    do {
      _ = try ImportMapping.parse(text, name: "m.json5")
      Issue.record("a broken mapping was accepted")
    } catch {
      let lines = error.problems.map(\.description)
      #expect(
        lines.contains {
          $0.hasPrefix("4:5: fields.emial: unknown field 'emial' (did you mean 'email'?)")
        })
      #expect(lines.contains { $0.hasPrefix("5:5: fields.entered:won: unknown stage 'won'") })
      #expect(lines.contains { $0.hasPrefix("6:14: fields.company: expected a column name") })
      #expect(lines.contains { $0.hasPrefix("8:20: stages.Hot: unknown stage 'mqll'") })
      #expect(lines.contains { $0.hasPrefix("9:15: dateFormat: unknown pattern letters 'hh'") })
      #expect(lines.contains { $0.hasPrefix("10:13: timeZone: unknown time zone 'Mars/Olympus'") })
      #expect(lines.contains { $0.hasPrefix("11:13: encoding: unknown encoding 'latin9'") })
      #expect(
        lines.contains { $0.hasPrefix("12:3: delimter: unknown key (did you mean 'delimiter'?)") })
      #expect(lines.count == 8)
    }
  }

  @Test func aMappingFileForAnyShape() throws {
    let text = """
      // A shop's own spreadsheet.
      {
        preset: "hubspot",       // start from a preset, then override
        idPrefix: "shop-",
        fields: { id: "Kunden-Nr", email: ["E-Mail", "Mail"], "extra:region": "Region", created_at: "Seit" },
        stages: { "Heiß": "mql", "Gewonnen": "customer", "Verloren": "lost" },
        dateFormat: ["dd.MM.yyyy", "dd.MM.yyyy HH:mm"],
        timeZone: "Europe/Berlin",
        delimiter: ";",
      }
      """
    let m = try ImportMapping.parse(text, name: "shop.json5")
    #expect(m.idPrefix == "shop-")
    #expect(m.delimiter == .semicolon)
    let mapper = try RowMapper(
      mapping: m, header: ["KUNDEN-NR", " e-mail ", "Region", "Seit", "Status"])
    #expect(mapper.ignoredColumns == ["Status"])
    guard
      case .record(let r) = mapper.map(["42", "a@b.de", "Nord", "01.02.2024"], line: 2, file: 0)
    else {
      Issue.record("row refused")
      return
    }
    #expect(r.lead == "shop-42")
    #expect(r.values["email"] == "a@b.de")
    #expect(r.values["extra:region"] == "Nord")
    #expect(r.dates["created_at"] == ISO8601.parse("2024-01-31T23:00:00Z")!.timeIntervalSince1970)
    #expect(m.stageTarget("heiß") == .stage(.mql))
    #expect(m.stageTarget("VERLOREN") == .lost)
    #expect(m.stageTarget("marketing qualified lead") == .stage(.mql))  // from the preset
  }

  @Test func rowProblemsNameColumnAndReason() throws {
    var m = Presets.olistMQL
    m.mapStage("Hot", to: .stage(.mql))
    m.map("stage", to: ["status"])
    let mapper = try RowMapper(
      mapping: m, header: ["mql_id", "first_contact_date", "origin", "status"])
    guard case .rejected(let ps) = mapper.map(["", "2018-02-01", "x", "warm"], line: 7, file: 0)
    else {
      Issue.record("bad row accepted")
      return
    }
    let text = ps.map { "\($0.column ?? 0) \($0.columnName ?? ""): \($0.message)" }
    #expect(
      text.contains(
        "2 first_contact_date: created_at: unparseable date '2018-02-01' (expected dd-MM-yyyy)"))
    #expect(
      text.contains {
        $0.hasPrefix("4 status: stage: unknown stage value 'warm' (known: Hot, known, mql")
      })
    #expect(text.contains("1 mql_id: missing id ('mql_id' is empty)"))
    #expect(throws: CSVFileError.self) { try RowMapper(mapping: m, header: ["id", "name"]) }
  }

  @Test func presetsAreDetectedFromHeaders() throws {
    #expect(
      Presets.detect(header: ["mql_id", "first_contact_date", "landing_page_id", "origin"])?.name
        == "olist-mql")
    #expect(
      Presets.detect(header: ["mql_id", "seller_id", "sdr_id", "sr_id", "won_date"])?.name
        == "olist-deals")
    #expect(Presets.detect(header: ["Record ID", "Email", "Lifecycle Stage"])?.name == "hubspot")
    #expect(Presets.detect(header: ["Deal - ID", "Deal - Status"])?.name == "pipedrive")
    #expect(
      Presets.detect(header: ["Id", "FirstName", "LastName", "Status"])?.name == "salesforce")
    #expect(Presets.detect(header: ["foo", "bar"]) == nil)
  }

  @Test func numbersAsRealFilesWriteThem() {
    #expect(RowMapper.employees("1,000") == 1000)
    #expect(RowMapper.employees("51-200") == 51)
    #expect(RowMapper.employees("many") == nil)
    #expect(RowMapper.amount("12,500.50") == 12500.5)
    #expect(RowMapper.amount("1.234,5") == 1234.5)
    #expect(RowMapper.amount("€ 1 200") == 1200)
    #expect(RowMapper.amount("n/a") == nil)
  }
}
