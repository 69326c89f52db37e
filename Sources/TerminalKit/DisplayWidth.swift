import Foundation

/// Terminal display width of text: East Asian wide and fullwidth characters and emoji count 2
/// columns, combining marks and zero-width characters 0, everything else 1.
///
/// Ambiguous-width characters (such as `①`, `○`, Greek and Cyrillic letters) count 1, as
/// they do in most terminals under a non-CJK locale and in ncurses' `wcwidth` under
/// `C.UTF-8`; a board that used 2 for them would misalign everywhere else.
public enum DisplayWidth {
  /// Columns taken by one scalar (control characters: 0, they are never drawn raw).
  public static func of(_ s: Unicode.Scalar) -> Int {
    let v = s.value
    if v < 0x20 || (v >= 0x7F && v < 0xA0) { return 0 }
    if v < 0x300 { return 1 }
    // Kana, CJK ideographs and Hangul syllables (letters all: no mark among them) are wide;
    // answered before the general-category lookup, the costliest step of a Japanese board's frame.
    if (0x3041...0x3096).contains(v) || (0x30A1...0x30FA).contains(v)
      || (0x4E00...0x9FFF).contains(v) || (0xAC00...0xD7A3).contains(v)
    {
      return 2
    }
    let p = s.properties
    switch p.generalCategory {
    case .nonspacingMark, .enclosingMark, .format: return 0
    default: break
    }
    if v == 0x200B || (v >= 0x1160 && v <= 0x11FF) || (v >= 0xFE00 && v <= 0xFE0F) { return 0 }
    if isWide(v) { return 2 }
    if p.isEmojiPresentation { return 2 }
    return 1
  }

  /// Columns taken by a string (grapheme by grapheme: an emoji sequence counts once).
  public static func of(_ text: String) -> Int {
    if isPrintableASCII(text) { return text.utf8.count }
    var total = 0
    for ch in text { total += of(ch) }
    return total
  }

  /// Columns taken by one grapheme cluster.
  public static func of(_ ch: Character) -> Int {
    let scalars = ch.unicodeScalars
    guard let first = scalars.first else { return 0 }
    if scalars.count > 1 {
      // A variation selector 16 asks for emoji presentation: two columns.
      if scalars.contains(where: { $0.value == 0xFE0F }) { return 2 }
      if first.properties.isEmojiPresentation || scalars.contains(where: { $0.value == 0x200D }) {
        return 2
      }
    }
    return of(first)
  }

  /// Only bytes 0x20–0x7E: one column each, nothing to neutralise (most of a board's text).
  static func isPrintableASCII(_ text: String) -> Bool {
    var text = text
    return text.withUTF8 { bytes in bytes.allSatisfy { $0 >= 0x20 && $0 < 0x7F } }
  }

  static func isWide(_ v: UInt32) -> Bool {
    switch v {
    case 0x1100...0x115F, 0x231A...0x231B, 0x2329...0x232A, 0x23E9...0x23EC, 0x23F0, 0x23F3,
      0x25FD...0x25FE, 0x2614...0x2615, 0x2648...0x2653, 0x267F, 0x2693, 0x26A1, 0x26AA...0x26AB,
      0x26BD...0x26BE, 0x26C4...0x26C5, 0x26CE, 0x26D4, 0x26EA, 0x26F2...0x26F3, 0x26F5, 0x26FA,
      0x26FD, 0x2705, 0x270A...0x270B, 0x2728, 0x274C, 0x274E, 0x2753...0x2755, 0x2757,
      0x2795...0x2797, 0x27B0, 0x27BF, 0x2B1B...0x2B1C, 0x2B50, 0x2B55,
      0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
      0xA960...0xA97F, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE10...0xFE19, 0xFE30...0xFE6F,
      0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x16FE0...0x16FE4, 0x17000...0x18CFF, 0x1B000...0x1B2FF,
      0x1F004, 0x1F0CF, 0x1F18E, 0x1F191...0x1F19A, 0x1F200...0x1F251, 0x1F300...0x1F64F,
      0x1F680...0x1F6FF, 0x1F900...0x1F9FF, 0x1FA70...0x1FAFF, 0x20000...0x2FFFD, 0x30000...0x3FFFD:
      return true
    default:
      return false
    }
  }

  /// `text` cut to at most `width` columns; when cut, the last column is `…`. A wide character
  /// that would straddle the edge is dropped rather than split.
  public static func truncate(_ text: String, to width: Int, ellipsis: String = "…") -> String {
    guard width > 0 else { return "" }
    if of(text) <= width { return text }
    let room = width - of(ellipsis)
    var out = ""
    var used = 0
    for ch in text {
      let w = of(ch)
      if used + w > room { break }
      out.append(ch)
      used += w
    }
    return out + (room >= 0 ? ellipsis : "")
  }

  /// `text` truncated or padded with spaces to exactly `width` columns.
  public static func pad(_ text: String, to width: Int, alignRight: Bool = false) -> String {
    let t = truncate(text, to: width)
    let gap = String(repeating: " ", count: max(0, width - of(t)))
    return alignRight ? gap + t : t + gap
  }

  /// `text` with control characters (escape sequences included) replaced by visible
  /// placeholders, so data can never drive the terminal.
  public static func inert(_ text: String) -> String {
    if isPrintableASCII(text) { return text }
    var out = ""
    out.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
    for s in text.unicodeScalars {
      let v = s.value
      if v < 0x20 || v == 0x7F || (v >= 0x80 && v < 0xA0) {
        if v == 0x1B {
          out += "␛"
        } else if v < 0x20 {
          out.unicodeScalars.append(Unicode.Scalar(0x2400 + v)!)
        } else {
          out += "\u{FFFD}"
        }
      } else if v == 0x2028 || v == 0x2029 || (v >= 0x202A && v <= 0x202E)
        || (v >= 0x2066 && v <= 0x2069)
      {
        out += "\u{FFFD}"  // line separators and bidi overrides reorder or break the screen
      } else {
        out.unicodeScalars.append(s)
      }
    }
    return out
  }
}
