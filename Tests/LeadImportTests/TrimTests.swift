import Foundation
import LeadImport
import Testing

@Suite("Trimming cells")
struct TrimTests {
  static let samples: [String] = [
    "", " ", "\t", "  a  ", "\ta b\t", "山田　太郎", "　山田太郎　", "\u{00A0}x\u{00A0}",
    "\u{2003}em\u{2009}", "a\n", "\nа", " \u{301}", "\u{301} ", " e\u{301} ", "\r x \r",
    "🏯 ", " 🏯", "x", "\u{200B}z\u{200B}", "\u{3000}\u{3000}", "a\u{85}",
  ]

  @Test func trimsWhatFoundationTrims() {
    for s in Self.samples {
      #expect(
        s.trimmingWhitespace == s.trimmingCharacters(in: .whitespaces), "\(s.debugDescription)")
      let sub = s[...]
      #expect(sub.trimmingWhitespace == sub.trimmingCharacters(in: .whitespaces))
    }
  }

  @Test func everyScalarAloneAndAroundAWord() {
    // Every scalar of the Basic Multilingual Plane, alone and on both sides of a word.
    var checked = 0
    for v in UInt32(0)...0xFFFF {
      guard let u = Unicode.Scalar(v) else { continue }
      let c = String(Character(u))
      for s in [c, c + "w" + c] {
        #expect(s.trimmingWhitespace == s.trimmingCharacters(in: .whitespaces), "U+\(v)")
      }
      checked += 1
    }
    #expect(checked == 0x10000 - 0x800)
  }
}
