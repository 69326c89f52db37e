import Foundation
import Testing

@testable import CursesBackend
@testable import TerminalKit

/// Headless ncurses (tig's trick: a terminal on /dev/null), reading back what curses holds, so
/// the backend is checked to write the same cells as the in-memory buffer, wide ones included.
@Suite(.serialized) struct CursesBackendTests {
  static var terminfoAvailable: Bool {
    [
      "/usr/share/terminfo/x/xterm-256color", "/lib/terminfo/x/xterm-256color",
      "/usr/lib/terminfo/x/xterm-256color",
    ]
    .contains { FileManager.default.fileExists(atPath: $0) }
  }

  @Test(.enabled(if: terminfoAvailable, "no xterm-256color terminfo entry"))
  func writesWideCharactersLikeTheBuffer() throws {
    // Given a headless terminal in a UTF-8 locale
    setenv("LC_ALL", "C.UTF-8", 1)
    let out = fopen("/dev/null", "w+")!
    let inp = fopen("/dev/null", "r")!
    defer {
      fclose(out)
      fclose(inp)
    }
    let backend = try CursesBackend(
      term: "xterm-256color", output: out, input: inp, environment: ["TERM": "xterm-256color"])
    defer { backend.shutdown() }
    backend.resize(to: Size(width: 40, height: 10))
    #expect(backend.glyphs == .unicode)
    // When a frame with Japanese text is presented
    var frame = ScreenBuffer(width: 40, height: 10)
    frame.put("漢字ab 山田太郎", x: 0, y: 0, style: Style(fg: .red, .bold))
    frame.put("株式会社サンプル", x: 2, y: 3, style: .plain)
    backend.present(frame)
    // Then curses holds the same text at the same columns
    #expect(backend.readLine(0).hasPrefix("漢字ab 山田太郎"))
    #expect(backend.readLine(3).hasPrefix("  株式会社サンプル"))
    // And a later frame that changes one cell is applied as a diff
    var next = frame
    next.put("X", x: 4, y: 0, style: .plain)
    backend.present(next)
    #expect(backend.readLine(0).hasPrefix("漢字X"))
  }

  @Test func dumbTerminalIsRefusedWithAMessage() {
    let out = fopen("/dev/null", "w+")!
    let inp = fopen("/dev/null", "r")!
    defer {
      fclose(out)
      fclose(inp)
    }
    #expect(throws: TerminalError.self) {
      _ = try CursesBackend(term: "dumb", output: out, input: inp, environment: [:])
    }
    #expect(throws: TerminalError.self) {
      _ = try CursesBackend(term: "no-such-terminal-xyz", output: out, input: inp, environment: [:])
    }
  }
}
