import Testing

@testable import TerminalKit

@Suite struct DisplayWidthTests {
  @Test(arguments: [
    ("abc", 3), ("山田太郎", 8), ("株式会社サンプル", 16), ("①", 1), ("髙﨑", 4), ("👍", 2), ("é", 1),
    ("ｱｲｳ", 3), ("ＡＢ", 4), ("\u{1B}[31m", 4),
  ])
  func widths(_ text: String, _ width: Int) {
    // Control characters count 0: ESC is dropped, "[31m" remains.
    #expect(DisplayWidth.of(text) == width, "\(text)")
  }

  @Test func truncationNeverSplitsAWideCharacter() {
    #expect(DisplayWidth.truncate("山田太郎", to: 5) == "山田…")
    #expect(DisplayWidth.of(DisplayWidth.truncate("山田太郎", to: 5)) == 5)
    #expect(DisplayWidth.truncate("山田太郎", to: 4) == "山…")
    #expect(DisplayWidth.truncate("abc", to: 3) == "abc")
    #expect(DisplayWidth.pad("山田", to: 6) == "山田  ")
    #expect(DisplayWidth.pad("12", to: 5, alignRight: true) == "   12")
  }

  @Test func theFastPathsAgreeWithTheGeneralRule() {
    // Kana, ideographs and Hangul are answered before the general-category lookup: letters all.
    for range in [0x3041...0x3096, 0x30A1...0x30FA, 0x4E00...0x9FFF, 0xAC00...0xD7A3] {
      for v in range {
        let u = Unicode.Scalar(UInt32(v))!
        #expect(u.properties.generalCategory == .otherLetter, "U+\(v)")
        #expect(DisplayWidth.isWide(UInt32(v)) && DisplayWidth.of(u) == 2, "U+\(v)")
      }
    }
    // A printable ASCII string is its length, and inert as it is; one control byte is not.
    #expect(DisplayWidth.of("Acme Corp ~ 100%") == 16)
    #expect(DisplayWidth.inert("a b") == "a b" && DisplayWidth.inert("a\u{7F}b") == "a\u{FFFD}b")
    #expect(!DisplayWidth.isPrintableASCII("a\tb") && !DisplayWidth.isPrintableASCII("é"))
  }

  @Test func inertTextShowsEscapes() {
    #expect(DisplayWidth.inert("a\u{1B}[2Jb") == "a␛[2Jb")
    #expect(DisplayWidth.inert("x\ny") == "x␊y")
    #expect(!DisplayWidth.inert("\u{202E}evil").contains("\u{202E}"))
  }
}

@Suite struct ScreenBufferTests {
  @Test func wideCharactersTakeTwoCells() {
    var b = ScreenBuffer(width: 10, height: 1)
    let n = b.put("山田ab", x: 0, y: 0, style: .plain)
    #expect(n == 6)
    #expect(b[1, 0].isContinuation && b[3, 0].isContinuation)
    #expect(b.lines == ["山田ab"])
  }

  @Test func aWideCharacterAtTheEdgeBecomesASpace() {
    var b = ScreenBuffer(width: 5, height: 1)
    b.put("ab山田", x: 0, y: 0, style: .plain)
    #expect(b.lines == ["ab山"])
    var c = ScreenBuffer(width: 10, height: 1)
    c.put("xyz山田", x: 0, y: 0, style: .plain, maxWidth: 4)
    #expect(c.lines == ["xyz"])
  }

  @Test func overwritingHalfAWideCharacterClearsTheOtherHalf() {
    var b = ScreenBuffer(width: 6, height: 1)
    b.put("山田", x: 0, y: 0, style: .plain)
    b.put("x", x: 1, y: 0, style: .plain)
    #expect(b.lines == [" x田"])
    #expect(!b[1, 0].isContinuation)
  }

  @Test func matchesLines() {
    let b = ScreenBuffer(lines: ["山田 太郎", "ab"])
    #expect(b.width == 9)
    #expect(b.lines == ["山田 太郎", "ab"])
  }

  @Test func diffWritesOnlyWhatChanged() {
    var a = ScreenBuffer(width: 20, height: 5)
    a.put("hello", x: 0, y: 0, style: .plain)
    var b = a
    b.put("J", x: 0, y: 0, style: .plain)
    let runs = b.diff(from: a)
    #expect(runs.count == 1)
    #expect(runs[0].cells.count == 1 && runs[0].x == 0 && runs[0].y == 0)
    #expect(b.diff(from: b).isEmpty)
    #expect(b.diff(from: nil).reduce(0) { $0 + $1.cells.count } == 100)
  }

  @Test func diffOfAWideCharacterStartsAtItsHead() {
    var a = ScreenBuffer(width: 10, height: 1)
    a.put("ab", x: 0, y: 0, style: .plain)
    var b = a
    b.put("山", x: 0, y: 0, style: .plain)
    let runs = b.diff(from: a)
    #expect(runs.first?.x == 0)
  }

  @Test func styleDumpListsRuns() {
    var b = ScreenBuffer(width: 6, height: 1)
    b.put("ab", x: 1, y: 0, style: Style(fg: .red, .bold))
    #expect(b.styleDump == ["1-2 1/-/b"])
  }

  @Test func colourDowngrade() {
    #expect(Color.rgb(255, 0, 0).index256 == 196)
    #expect(Color.rgb(255, 0, 0).ansi16 == 9)
    #expect(Color.indexed(196).ansi16 == 9)
    #expect(Color.rgb(128, 128, 128).index256 == 244)
  }
}

@Suite struct WidgetTests {
  @Test func boxWithTitle() {
    var b = ScreenBuffer(width: 12, height: 3)
    b.box(b.area, title: "山田", border: .plain, titleStyle: .plain, glyphs: .unicode)
    #expect(b.lines == ["┌ 山田 ────┐", "│          │", "└──────────┘"])
  }

  @Test func asciiBox() {
    var b = ScreenBuffer(width: 4, height: 2)
    b.box(b.area, border: .plain, titleStyle: .plain, glyphs: .ascii)
    #expect(b.lines == ["+--+", "+--+"])
  }

  @Test func barsInEighths() {
    var b = ScreenBuffer(width: 10, height: 1)
    b.bar(value: 50, maximum: 100, x: 0, y: 0, width: 10, style: .plain, glyphs: .unicode)
    #expect(b.lines == ["█████"])
    var c = ScreenBuffer(width: 10, height: 1)
    c.bar(value: 55, maximum: 100, x: 0, y: 0, width: 10, style: .plain, glyphs: .unicode)
    #expect(c.lines == ["█████▌"])
  }

  @Test func sparklines() {
    #expect(sparkline([0, 1, 2, 4], glyphs: .unicode) == "▁▃▅█")
    #expect(sparkline([0, 0], glyphs: .ascii) == "__")
  }

  @Test func textInputEditing() {
    var t = TextInput("山田")
    let typed = t.handle(.char("x"))
    #expect(typed)
    #expect(t.text == "山田x")
    _ = t.handle(.left)
    _ = t.handle(.backspace)
    #expect(t.text == "山x" && t.cursor == 1)
    _ = t.handle(.ctrl("u"))
    #expect(t.text.isEmpty)
    let enter = t.handle(.enter)
    #expect(!enter, "enter is not an editing key")
  }

  @Test func keyNamesRoundTrip() {
    for key in [
      KeyEvent.char("a"), .enter, .ctrl("r"), .function(5), .pageDown, .char(" "), .backTab,
    ] {
      #expect(KeyEvent(name: key.name) == key, "\(key.name)")
    }
  }
}
