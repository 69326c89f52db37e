import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The text encoding of an input file.
public enum TextEncoding: String, Sendable, CaseIterable {
  /// Detect: a UTF-8 BOM or valid UTF-8 is UTF-8; otherwise valid CP932 is CP932.
  case auto
  case utf8 = "utf-8"
  /// Japanese Excel's default (Shift_JIS with the Microsoft extensions: ①, 髙, 﨑 …).
  case cp932

  /// Parses `utf-8`, `utf8`, `cp932`, `shift_jis`, `sjis`, `auto` (any case).
  public init?(name: String) {
    switch name.lowercased().replacingOccurrences(of: "_", with: "-") {
    case "auto": self = .auto
    case "utf-8", "utf8": self = .utf8
    case "cp932", "shift-jis", "sjis", "windows-31j", "ms932": self = .cp932
    default: return nil
    }
  }
}

/// A streaming CP932 → UTF-8 converter on glibc's iconv.
///
/// Foundation's `String(data:encoding: .shiftJIS)` decodes only whole buffers, so a file is
/// converted chunk by chunk here instead; an incomplete multi-byte sequence at the end of a
/// chunk is kept for the next one.
final class CP932Decoder {
  private let cd: iconv_t
  private var pending: [UInt8] = []
  /// Byte sequences that are not CP932, each replaced by U+FFFD.
  private(set) var invalidSequences = 0

  init?() {
    let cd = iconv_open("UTF-8", "CP932")
    // iconv_open reports failure as (iconv_t)-1.
    if Int(bitPattern: cd) == -1 { return nil }
    self.cd = cd!
  }

  deinit { iconv_close(cd) }

  /// Converts `input` (appended to what an earlier chunk left over); `final` flushes the rest.
  func decode(_ input: [UInt8], final: Bool) -> [UInt8] {
    var source = pending + input
    pending = []
    var out: [UInt8] = []
    out.reserveCapacity(source.count * 3 / 2 + 16)
    var outBuf = [UInt8](repeating: 0, count: max(64, source.count * 2 + 16))
    var offset = 0
    while offset < source.count {
      let (consumed, produced, err) = source.withUnsafeMutableBufferPointer { src in
        outBuf.withUnsafeMutableBufferPointer { dst in
          var inPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(
            src.baseAddress! + offset
          )
          .assumingMemoryBound(to: CChar.self)
          var inLeft = src.count - offset
          var outPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(dst.baseAddress!)
            .assumingMemoryBound(
              to: CChar.self)
          var outLeft = dst.count
          let r = iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft)
          let e: Int32 = r == -1 ? errno : 0
          return ((src.count - offset) - inLeft, dst.count - outLeft, e)
        }
      }
      out.append(contentsOf: outBuf[0..<produced])
      offset += consumed
      if err == 0 { continue }
      if err == E2BIG { continue }
      if err == EINVAL {
        // An incomplete sequence at the end: wait for the next chunk (or give up at the end).
        if final {
          invalidSequences += 1
          out += [0xEF, 0xBF, 0xBD]
          offset = source.count
        } else {
          pending = Array(source[offset...])
          offset = source.count
        }
        continue
      }
      // EILSEQ: not CP932; replace one byte and go on.
      invalidSequences += 1
      out += [0xEF, 0xBF, 0xBD]
      offset += 1
    }
    source = []
    return out
  }

  /// True when `sample` is CP932 text (an incomplete sequence at its very end is allowed).
  static func isValid(_ sample: [UInt8]) -> Bool {
    guard let d = CP932Decoder() else { return false }
    _ = d.decode(sample, final: false)
    return d.invalidSequences == 0
  }
}

/// UTF-8 checks on byte buffers.
enum UTF8Check {
  /// The offset of the first invalid byte, or nil when `bytes` is valid UTF-8 (a sequence cut
  /// at the very end counts as valid when `allowTruncatedEnd`).
  static func firstInvalid(_ bytes: [UInt8], allowTruncatedEnd: Bool) -> Int? {
    var i = 0
    let n = bytes.count
    while i < n {
      let b = bytes[i]
      if b < 0x80 {
        i += 1
        continue
      }
      let len: Int
      if b & 0xE0 == 0xC0, b >= 0xC2 {
        len = 2
      } else if b & 0xF0 == 0xE0 {
        len = 3
      } else if b & 0xF8 == 0xF0, b <= 0xF4 {
        len = 4
      } else {
        return i
      }
      if i + len > n {
        if allowTruncatedEnd && bytes[(i + 1)...].allSatisfy({ $0 & 0xC0 == 0x80 }) { return nil }
        return i
      }
      for k in 1..<len where bytes[i + k] & 0xC0 != 0x80 { return i }
      i += len
    }
    return nil
  }
}

extension StringProtocol {
  /// `trimmingCharacters(in: .whitespaces)` (tab, Unicode's space separators and, as
  /// Foundation has it, the zero-width space; not line breaks) without Foundation's bridging,
  /// which was 6 % of an import; a cell with nothing to trim is returned as it is.
  public var trimmingWhitespace: String {
    func isSpace(_ u: Unicode.Scalar) -> Bool {
      u == "\t" || u == "\u{200B}" || u.properties.generalCategory == .spaceSeparator
    }
    let scalars = unicodeScalars
    guard let first = scalars.first, let last = scalars.last else { return "" }
    if !isSpace(first) && !isSpace(last) { return String(self) }
    guard let start = scalars.firstIndex(where: { !isSpace($0) }),
      let end = scalars.lastIndex(where: { !isSpace($0) })
    else { return "" }
    // By scalars, as Foundation trims (a String slice would round to whole characters).
    var out = String.UnicodeScalarView()
    out.append(contentsOf: scalars[start...end])
    return String(out)
  }
}
