import Foundation

/// The field separator of a CSV file.
public enum DelimiterChoice: Sendable, Equatable {
  /// Detected from the header line: the most frequent of `,`, `;` and tab outside quotes.
  case auto
  case comma, semicolon, tab

  /// Parses `auto`, `,`, `comma`, `;`, `semicolon`, `tab`, `\t`.
  public init?(name: String) {
    switch name.lowercased() {
    case "auto": self = .auto
    case ",", "comma": self = .comma
    case ";", "semicolon": self = .semicolon
    case "tab", "\t", "\\t": self = .tab
    default: return nil
    }
  }

  /// The name used in mapping files and messages.
  public var name: String {
    switch self {
    case .auto: return "auto"
    case .comma: return ","
    case .semicolon: return ";"
    case .tab: return "tab"
    }
  }

  var byte: UInt8? {
    switch self {
    case .auto: return nil
    case .comma: return 0x2C
    case .semicolon: return 0x3B
    case .tab: return 0x09
    }
  }

  static func from(byte: UInt8) -> DelimiterChoice {
    byte == 0x3B ? .semicolon : byte == 0x09 ? .tab : .comma
  }
}

/// How to read a CSV file, and the guards against absurd input.
public struct CSVOptions: Sendable {
  public var encoding: TextEncoding
  public var delimiter: DelimiterChoice
  /// A record with more fields than this is refused (its cells are not kept).
  public var maxFields: Int
  /// A record whose cells add up to more bytes than this is refused (an unbalanced quote
  /// otherwise swallows the rest of the file).
  public var maxRecordBytes: Int

  public init(
    encoding: TextEncoding = .auto, delimiter: DelimiterChoice = .auto, maxFields: Int = 2048,
    maxRecordBytes: Int = 1 << 20
  ) {
    self.encoding = encoding
    self.delimiter = delimiter
    self.maxFields = maxFields
    self.maxRecordBytes = maxRecordBytes
  }
}

/// One record: its cells and the line it starts on (1-based, counting physical lines).
public struct CSVRecord: Sendable, Equatable {
  public var line: Int
  public var fields: [String]
  public init(line: Int, fields: [String]) {
    self.line = line
    self.fields = fields
  }
}

/// A record the reader could not turn into cells: too many fields, too long, an unterminated
/// quote, invalid UTF-8. `fields` holds what could be salvaged (for the rejects file).
public struct CSVProblem: Sendable, Equatable {
  public var line: Int
  /// The 1-based field number the problem is in, when it is in one.
  public var column: Int?
  public var message: String
  public var fields: [String]
}

/// What the reader yields.
public enum CSVItem: Sendable, Equatable {
  case record(CSVRecord)
  case problem(CSVProblem)
}

/// A whole file that cannot be read as CSV (binary data, UTF-16, unreadable).
public struct CSVFileError: Error, Sendable, CustomStringConvertible {
  public var message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}

/// A streaming RFC 4180 reader with what real exports do: a UTF-8 BOM, CRLF, LF or lone CR line
/// ends, quoted delimiters, quotes (`""`) and newlines, ragged rows, `;` and tab delimiters,
/// CP932. Memory is bounded by one chunk plus one record (`CSVOptions.maxRecordBytes`).
public final class CSVReader {
  /// The encoding in use (after detection).
  public private(set) var encoding: TextEncoding = .utf8
  /// The delimiter in use (after detection).
  public private(set) var delimiter: DelimiterChoice = .comma
  /// Bytes of the input consumed so far (for progress).
  public private(set) var bytesRead = 0
  /// The input's size when known.
  public let totalBytes: Int?
  /// CP932 byte sequences that could not be decoded (replaced by U+FFFD).
  public var invalidSequences: Int { decoder?.invalidSequences ?? 0 }

  private let options: CSVOptions
  private var readChunk: () -> [UInt8]?
  private var decoder: CP932Decoder?
  private var buf: [UInt8] = []
  private var pos = 0
  private var eof = false
  private var line = 1
  private var delim: UInt8 = 0x2C
  private var field: [UInt8] = []

  static let chunkSize = 1 << 16

  /// Reads the file at `path`.
  public convenience init(path: String, options: CSVOptions = CSVOptions()) throws(CSVFileError) {
    guard let handle = FileHandle(forReadingAtPath: path) else {
      throw CSVFileError("cannot open for reading")
    }
    let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
    try self.init(totalBytes: size, options: options) {
      let d = handle.readData(ofLength: CSVReader.chunkSize)
      return d.isEmpty ? nil : [UInt8](d)
    }
  }

  /// Reads `bytes` (tests, small inputs).
  public convenience init(bytes: [UInt8], options: CSVOptions = CSVOptions()) throws(CSVFileError) {
    var offset = 0
    try self.init(totalBytes: bytes.count, options: options) {
      guard offset < bytes.count else { return nil }
      let end = min(bytes.count, offset + CSVReader.chunkSize)
      defer { offset = end }
      return Array(bytes[offset..<end])
    }
  }

  init(totalBytes: Int?, options: CSVOptions, readChunk: @escaping () -> [UInt8]?)
    throws(CSVFileError)
  {
    self.totalBytes = totalBytes
    self.options = options
    self.readChunk = readChunk
    // Detection looks at the first 64 KiB.
    var sample: [UInt8] = []
    while sample.count < CSVReader.chunkSize, let c = readChunk() { sample += c }
    if sample.count < CSVReader.chunkSize { eof = true }
    bytesRead = sample.count
    try start(sample)
  }

  private func start(_ sampleIn: [UInt8]) throws(CSVFileError) {
    var sample = sampleIn
    if sample.starts(with: [0xFF, 0xFE]) || sample.starts(with: [0xFE, 0xFF]) {
      throw CSVFileError("UTF-16 text is not supported: save the file as UTF-8 (or CP932) CSV")
    }
    if let nul = sample.firstIndex(of: 0) {
      throw CSVFileError("binary data (a NUL byte at offset \(nul)): not a CSV text file")
    }
    var hadBOM = false
    if sample.starts(with: [0xEF, 0xBB, 0xBF]) {
      sample.removeFirst(3)
      hadBOM = true
    }
    switch options.encoding {
    case .utf8:
      encoding = .utf8
    case .cp932:
      encoding = .cp932
    case .auto:
      if hadBOM {
        encoding = .utf8
      } else if let bad = UTF8Check.firstInvalid(sample, allowTruncatedEnd: !eof) {
        if CP932Decoder.isValid(sample) {
          encoding = .cp932
        } else {
          throw CSVFileError(
            "not text: neither UTF-8 nor CP932 (first invalid byte at offset \(bad)); name the encoding with --encoding"
          )
        }
      } else {
        encoding = .utf8
      }
    }
    if encoding == .cp932 {
      guard let d = CP932Decoder() else {
        throw CSVFileError("CP932 decoding is not available on this system")
      }
      decoder = d
      buf = d.decode(sample, final: eof)
    } else {
      buf = sample
    }
    if let b = options.delimiter.byte {
      delim = b
    } else {
      delim = detectDelimiter()
    }
    delimiter = .from(byte: delim)
  }

  /// Counts `,`, `;` and tab outside quotes on the first line of the buffer.
  private func detectDelimiter() -> UInt8 {
    var counts: [UInt8: Int] = [0x2C: 0, 0x3B: 0, 0x09: 0]
    var quoted = false
    for b in buf {
      if b == 0x22 {
        quoted.toggle()
      } else if !quoted && (b == 0x0A || b == 0x0D) {
        break
      } else if !quoted, counts[b] != nil {
        counts[b]! += 1
      }
    }
    let best = [UInt8(0x2C), 0x3B, 0x09].max { counts[$0]! < counts[$1]! }!
    return counts[best]! > 0 ? best : 0x2C
  }

  /// Makes a byte available at `pos`; false at the end of input.
  @inline(__always)
  private func fill() -> Bool {
    if pos < buf.count { return true }
    while !eof {
      guard let raw = readChunk() else {
        eof = true
        if let d = decoder {
          buf = d.decode([], final: true)
          pos = 0
          return !buf.isEmpty
        }
        return false
      }
      bytesRead += raw.count
      buf = decoder.map { $0.decode(raw, final: false) } ?? raw
      pos = 0
      if !buf.isEmpty { return true }
    }
    return false
  }

  /// The next record or problem, or nil at the end.
  public func next() -> CSVItem? {
    while true {
      guard let item = readRecord() else { return nil }
      if case .record(let r) = item, r.fields.count == 1, r.fields[0].isEmpty { continue }  // a blank line
      return item
    }
  }

  private enum End { case lineEnd, eof }

  private func readRecord() -> CSVItem? {
    guard fill() else { return nil }
    let startLine = line
    var fields: [String] = []
    var invalidColumn: Int?
    var overflow: String?
    var recordBytes = 0
    var inQuotes = false
    var wasQuoted = false
    var quoteLine = line
    field.removeAll(keepingCapacity: true)

    func endField() {
      if overflow != nil {
        field.removeAll(keepingCapacity: true)
        return
      }
      recordBytes += field.count
      if fields.count >= options.maxFields {
        overflow = "more than \(options.maxFields) fields in one row (the limit)"
        fields = []
      } else if recordBytes > options.maxRecordBytes {
        overflow = "row longer than \(options.maxRecordBytes) bytes (the limit)"
        fields = []
      } else if let s = String(validating: field, as: UTF8.self) {
        fields.append(s)
      } else {
        if invalidColumn == nil { invalidColumn = fields.count + 1 }
        fields.append(String(decoding: field, as: UTF8.self))
      }
      field.removeAll(keepingCapacity: true)
      wasQuoted = false
    }

    var end = End.eof
    scan: while fill() {
      let b = buf[pos]
      pos += 1
      if inQuotes {
        if b == 0x22 {
          if fill(), buf[pos] == 0x22 {
            pos += 1
            field.append(0x22)
          } else {
            inQuotes = false
          }
        } else {
          if b == 0x0A { line += 1 }
          if field.count <= options.maxRecordBytes { field.append(b) }
        }
        continue
      }
      switch b {
      case delim:
        endField()
      case 0x0A:
        line += 1
        end = .lineEnd
        break scan
      case 0x0D:
        if fill(), buf[pos] == 0x0A { pos += 1 }
        line += 1
        end = .lineEnd
        break scan
      case 0x22 where field.isEmpty && !wasQuoted:
        inQuotes = true
        wasQuoted = true
        quoteLine = line
      default:
        if field.count <= options.maxRecordBytes { field.append(b) }
      }
    }
    if inQuotes {
      return .problem(
        CSVProblem(
          line: startLine, column: fields.count + 1,
          message:
            "unterminated quoted field (opened on line \(quoteLine)) runs to the end of the file",
          fields: fields))
    }
    _ = end
    endField()
    if let overflow {
      return .problem(CSVProblem(line: startLine, column: nil, message: overflow, fields: []))
    }
    if let c = invalidColumn {
      let hint = encoding == .utf8 ? " (is the file CP932? try --encoding cp932)" : ""
      return .problem(
        CSVProblem(line: startLine, column: c, message: "invalid UTF-8\(hint)", fields: fields))
    }
    return .record(CSVRecord(line: startLine, fields: fields))
  }
}
