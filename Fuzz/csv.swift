// libFuzzer target: the streaming CSV reader (UTF-8 and CP932 via iconv), see .ci/fuzz.sh.
//
// An input is two option bytes, then the file:
//   byte 0, bits 0-1: encoding (auto, utf-8, cp932, auto); bits 2-3: delimiter (auto, comma,
//     semicolon, tab); bit 4: tiny limits (4 fields, 64 bytes a row); bits 5 and 6 both: put the file
//     after a plain row of 64 KiB, so that it is read past the detection sample, chunk by chunk
//     (50 times slower a run: a quarter of the inputs).
//   byte 1: the chunk size of the second read (1 to 64 bytes, a power of two so that both
//     reads detect from the same 64 KiB sample).
// Oracle beyond "no crash": reading the file in one go and in small chunks yields the same
// records and problems (chunk boundaries must not matter: CRLF, quotes, CP932 pairs).
@testable import LeadImport

/// One long row, cheap to read (thousands of short rows made each run 50 times slower).
let filler = [UInt8](repeating: UInt8(ascii: "x"), count: (1 << 16) - 5) + Array("\r\n".utf8)

func readAll(_ reader: CSVReader) -> [CSVItem] {
  var items: [CSVItem] = []
  while let item = reader.next() { items.append(item) }
  return items
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSV(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  guard size >= 2 else { return 0 }
  let flags = data[0]
  let chunk = 1 << Int(data[1] % 7)
  var bytes = Array(UnsafeBufferPointer(start: data + 2, count: size - 2))
  let padded = flags & 0x60 == 0x60
  if padded { bytes = filler + bytes }
  var options = CSVOptions()
  options.encoding = [.auto, .utf8, .cp932, .auto][Int(flags & 3)]
  options.delimiter = [.auto, .comma, .semicolon, .tab][Int(flags >> 2 & 3)]
  if flags & 0x10 != 0 {
    options.maxFields = 4
    options.maxRecordBytes = 64
  }

  let whole: CSVReader
  do {
    whole = try CSVReader(bytes: bytes, options: options)
  } catch {
    _ = error.description
    return 0
  }
  let expected = readAll(whole)

  var offset = 0
  let chunked: CSVReader
  do {
    chunked = try CSVReader(totalBytes: bytes.count, options: options) {
      guard offset < bytes.count else { return nil }
      // The filler comes in one piece with the file's first bytes (an exact 64 KiB sample).
      let size = offset == 0 && padded ? 1 << 16 : chunk
      let end = min(bytes.count, offset + size)
      defer { offset = end }
      return Array(bytes[offset..<end])
    }
  } catch {
    fatalError("the chunked read refused a file the whole read took: \(error)")
  }
  guard chunked.encoding == whole.encoding, chunked.delimiter == whole.delimiter else {
    fatalError(
      "detection differs: \(whole.encoding) \(whole.delimiter), chunked \(chunked.encoding) \(chunked.delimiter)"
    )
  }
  let got = readAll(chunked)
  if got != expected {
    let at =
      zip(got, expected).enumerated().first { $0.element.0 != $0.element.1 }?.offset
      ?? min(got.count, expected.count)
    fatalError(
      "chunks of \(chunk) bytes read differently at item \(at) of \(expected.count)/\(got.count):\n"
        + "whole:   \(at < expected.count ? "\(expected[at])" : "-")\n"
        + "chunked: \(at < got.count ? "\(got[at])" : "-")")
  }
  if chunked.invalidSequences != whole.invalidSequences {
    fatalError(
      "invalid CP932 sequences: \(whole.invalidSequences) whole, \(chunked.invalidSequences) chunked"
    )
  }
  return 0
}
