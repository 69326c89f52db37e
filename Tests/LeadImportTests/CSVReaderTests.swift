import Foundation
import Testing

@testable import LeadImport

/// The project's own fixture files (the Olist data is never copied here).
func fixture(_ name: String) -> String {
  URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
    "Fixtures/\(name)"
  ).path
}

private func records(_ text: String, _ options: CSVOptions = CSVOptions()) throws -> [CSVItem] {
  try records(Array(text.utf8), options)
}

private func records(_ bytes: [UInt8], _ options: CSVOptions = CSVOptions()) throws -> [CSVItem] {
  let r = try CSVReader(bytes: bytes, options: options)
  var out: [CSVItem] = []
  while let i = r.next() { out.append(i) }
  return out
}

private func fields(_ items: [CSVItem]) -> [[String]] {
  items.compactMap { if case .record(let r) = $0 { return r.fields } else { return nil } }
}

@Suite struct CSVReaderTests {
  @Test func bomCRLFQuotesAndNewlines() throws {
    let text =
      "\u{FEFF}id,name,note\r\n1,\"Lee, Ann\",\"say \"\"hi\"\"\r\nsecond line\"\r\n2,Bo,\r\n"
    let items = try records(text)
    #expect(
      fields(items) == [
        ["id", "name", "note"], ["1", "Lee, Ann", "say \"hi\"\r\nsecond line"], ["2", "Bo", ""],
      ])
    guard case .record(let third) = items[2] else { Issue.record("no third record"); return }
    #expect(third.line == 4)  // the quoted newline counts as a physical line
  }

  @Test func lfLoneCRAndBlankLines() throws {
    #expect(fields(try records("a,b\n\n1,2\r3,4")) == [["a", "b"], ["1", "2"], ["3", "4"]])
  }

  @Test func detectsSemicolonAndTab() throws {
    let semi = try CSVReader(bytes: Array("id;name\n1;\"a;b\"\n".utf8))
    #expect(semi.delimiter == .semicolon)
    #expect(semi.next() == .record(CSVRecord(line: 1, fields: ["id", "name"])))
    #expect(semi.next() == .record(CSVRecord(line: 2, fields: ["1", "a;b"])))
    let tab = try CSVReader(bytes: Array("id\tname\n1\tA, B\n".utf8))
    #expect(tab.delimiter == .tab)
    _ = tab.next()
    #expect(tab.next() == .record(CSVRecord(line: 2, fields: ["1", "A, B"])))
    let forced = try CSVReader(bytes: Array("a;b,c\n".utf8), options: CSVOptions(delimiter: .comma))
    #expect(forced.next() == .record(CSVRecord(line: 1, fields: ["a;b", "c"])))
  }

  @Test func raggedRowsKeepTheirCells() throws {
    #expect(
      fields(try records("a,b,c\n1\n1,2,3,4\n")) == [
        ["a", "b", "c"], ["1"], ["1", "2", "3", "4"],
      ])
  }

  @Test func unterminatedQuoteIsAProblemNotACrash() throws {
    let items = try records("id,name\n1,Ann\n2,\"Bo\n3,Cy\n")
    #expect(fields(items) == [["id", "name"], ["1", "Ann"]])
    guard case .problem(let p) = items.last else { Issue.record("no problem"); return }
    #expect(p.line == 3)
    #expect(p.message.contains("unterminated quoted field"))
  }

  @Test func tenThousandColumnsAreRefusedAndReadingGoesOn() throws {
    let wide = (0..<10_000).map { "c\($0)" }.joined(separator: ",")
    let items = try records("id,name\n\(wide)\nx,y\n")
    #expect(items.count == 3)
    guard case .problem(let p) = items[1] else { Issue.record("wide row accepted"); return }
    #expect(p.message.contains("more than 2048 fields"))
    #expect(items[2] == .record(CSVRecord(line: 3, fields: ["x", "y"])))
  }

  @Test func overlongRecordIsRefused() throws {
    let long = String(repeating: "x", count: 3000)
    let items = try records("id\n\(long)\nok\n", CSVOptions(maxRecordBytes: 1000))
    guard case .problem(let p) = items[1] else { Issue.record("long row accepted"); return }
    #expect(p.message.contains("longer than 1000 bytes"))
    #expect(items[2] == .record(CSVRecord(line: 3, fields: ["ok"])))
  }

  @Test func binaryAndUTF16AreRefusedAsFiles() throws {
    #expect(throws: CSVFileError.self) { try CSVReader(bytes: [0x69, 0x64, 0x00, 0x01, 0xFF]) }
    #expect(throws: CSVFileError.self) { try CSVReader(bytes: [0xFF, 0xFE, 0x69, 0x00]) }
    #expect(throws: CSVFileError.self) {
      try CSVReader(bytes: Array("id\n".utf8) + [0xFF, 0xFE, 0xFD, 0x80])
    }
    #expect(throws: CSVFileError.self) {
      try CSVReader(path: fixture("malformed/binary-garbage.bin"))
    }
  }

  @Test func cp932IsDetectedAndDecoded() throws {
    let r = try CSVReader(path: fixture("cp932-names.csv"))
    #expect(r.encoding == .cp932)
    var rows: [[String]] = []
    while let i = r.next() { if case .record(let rec) = i { rows.append(rec.fields) } }
    #expect(rows[1] == ["j1", "①髙﨑 山田太郎", "株式会社サンプル", "taro@example.jp"])
    #expect(rows[2] == ["j2", "佐藤花子", "テスト, 有限会社", "hanako@example.jp"])
  }

  @Test func cp932SequencesSplitAcrossChunks() throws {
    let bytes: [UInt8] = [0x87, 0x40, 0xFB, 0xFC, 0xFA, 0xB1]  // ①髙﨑
    let d = try #require(CP932Decoder())
    var out: [UInt8] = []
    for b in bytes { out += d.decode([b], final: false) }
    out += d.decode([], final: true)
    #expect(String(decoding: out, as: UTF8.self) == "①髙﨑")
    #expect(d.invalidSequences == 0)
  }

  @Test func explicitUTF8ReportsInvalidRows() throws {
    let items = try records(
      Array("id,name\n1,".utf8) + [0x87, 0x40] + Array("\n2,ok\n".utf8), CSVOptions(encoding: .utf8)
    )
    guard case .problem(let p) = items[1] else { Issue.record("invalid UTF-8 accepted"); return }
    #expect(p.column == 2)
    #expect(p.message.contains("cp932"))
    #expect(items[2] == .record(CSVRecord(line: 3, fields: ["2", "ok"])))
  }
}
