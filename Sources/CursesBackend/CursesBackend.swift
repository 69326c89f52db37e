import CNcursesw
import Foundation
import TerminalKit

/// Why the terminal cannot host the dashboard.
public struct TerminalError: Error, CustomStringConvertible {
  public var message: String
  public var description: String { message }
}

/// How many colours the terminal shows.
public enum ColorDepth: String, Sendable {
  case none, ansi8, ansi16, c256, direct
}

/// The only code that touches ncurses: draws screen buffers, reads keys (wide characters,
/// function keys, mouse, resize) and restores the terminal on exit and on signals. Every call
/// must come from one thread; ncurses keeps global state.
public final class CursesBackend: TerminalBackend {
  /// Box drawing in a UTF-8 locale, ASCII otherwise.
  public let glyphs: Glyphs
  public let depth: ColorDepth
  private var screen: OpaquePointer?
  private var window: UnsafeMutablePointer<WINDOW>
  private var pairs: [PairKey: Int16] = [:]
  private var shown: ScreenBuffer?
  private var active = true

  private struct PairKey: Hashable {
    var fg: Int32
    var bg: Int32
  }

  /// Starts curses on the controlling terminal.
  /// - Parameters:
  ///   - environment: `TERM`, `COLORTERM` and `NO_COLOR` are read from it.
  ///   - monochrome: no colours at all (attributes only).
  /// - Throws: `TerminalError` for `TERM=dumb`, an unknown `TERM`, or no terminal at all,
  ///   before anything is written to the screen.
  public convenience init(environment: [String: String], monochrome: Bool = false) throws {
    guard isatty(1) != 0, isatty(0) != 0 else {
      throw TerminalError(
        message:
          "standard input and output must be a terminal to open the board (use the CLI: leadboard pipeline, leads, show)"
      )
    }
    let term = environment["TERM"] ?? ""
    try self.init(
      term: term, output: cnc_stdout(), input: cnc_stdin(), environment: environment,
      monochrome: monochrome)
    installSignalHandlers()
  }

  /// Starts curses on the given streams (tests pass `/dev/null` for a headless screen).
  public init(
    term: String, output: UnsafeMutablePointer<FILE>, input: UnsafeMutablePointer<FILE>,
    environment: [String: String],
    monochrome: Bool = false
  ) throws {
    // The locale decides how wide characters are: it must be set before curses starts.
    setlocale(LC_ALL, "")
    glyphs = String(cString: cnc_codeset()) == "UTF-8" ? .unicode : .ascii
    if term.isEmpty || term == "dumb" {
      throw TerminalError(
        message:
          "TERM=\(term.isEmpty ? "(unset)" : term) cannot show the board; set TERM (e.g. xterm-256color) or use the CLI"
      )
    }
    // Probe the terminal type first: newterm on an unknown type may exit the process.
    if cnc_terminal_known(term, fileno(output)) == 0 {
      throw TerminalError(
        message: "TERM=\(term): unknown terminal type (no terminfo entry); try TERM=xterm-256color")
    }
    guard let s = newterm(term, output, input) else {
      throw TerminalError(message: "TERM=\(term): the terminal cannot be initialised")
    }
    screen = s
    set_term(s)
    window = cnc_stdscr()
    cbreak()
    noecho()
    nonl()
    intrflush(window, false)
    keypad(window, true)
    set_escdelay(25)  // Esc closes overlays at once, not after ncurses' default second
    curs_set(0)
    mousemask(cnc_mouse_mask(), nil)
    mouseinterval(0)
    let noColor = !(environment["NO_COLOR"] ?? "").isEmpty
    if monochrome || noColor || !has_colors() {
      depth = .none
    } else {
      start_color()
      use_default_colors()
      let colors = cnc_colors()
      if colors >= 0x100_0000 {
        depth = .direct
      } else if colors >= 256 {
        depth = .c256
      } else if colors >= 16 {
        depth = .ansi16
      } else {
        depth = .ansi8
      }
    }
  }

  deinit { shutdown() }

  /// Restores the terminal (idempotent).
  public func shutdown() {
    guard active else { return }
    active = false
    endwin()
    if let screen { delscreen(screen) }
    screen = nil
  }

  public var size: Size { Size(width: Int(cnc_getmaxx(window)), height: Int(cnc_getmaxy(window))) }

  /// Resizes the virtual screen (headless tests).
  public func resize(to size: Size) {
    resizeterm(Int32(size.height), Int32(size.width))
    shown = nil
  }

  // MARK: - Output

  public func present(_ frame: ScreenBuffer) {
    let sz = size
    if shown?.width != frame.width || shown?.height != frame.height { shown = nil }
    let runs = frame.diff(from: shown)
    for run in runs where run.y < sz.height {
      var x = run.x
      for cell in run.cells {
        defer { x += 1 }
        if cell.isContinuation || x >= sz.width { continue }
        draw(cell, x: x, y: run.y)
      }
    }
    wnoutrefresh(window)
    doupdate()
    shown = frame
  }

  private func draw(_ cell: Cell, x: Int, y: Int) {
    var wide: [wchar_t] = cell.text.unicodeScalars.map { wchar_t(bitPattern: $0.value) }
    if wide.isEmpty { wide = [0x20] }
    // A character the locale cannot show (wcwidth < 0) is drawn as '?', never raw.
    if cnc_wcwidth(wide[0]) < 0 { wide = [0x3F] }
    wide.append(0)
    var cc = cchar_t()
    let (attrs, pair) = attributes(cell.style)
    setcchar(&cc, wide, attrs, pair, nil)
    mvwadd_wch(window, Int32(y), Int32(x), &cc)
  }

  private func attributes(_ style: Style) -> (attr_t, Int16) {
    var a = cnc_a_normal()
    if style.attributes.contains(.bold) { a |= cnc_a_bold() }
    if style.attributes.contains(.dim) { a |= cnc_a_dim() }
    if style.attributes.contains(.underline) { a |= cnc_a_underline() }
    if style.attributes.contains(.reverse) { a |= cnc_a_reverse() }
    if style.attributes.contains(.italic) { a |= cnc_a_italic() }
    guard depth != .none else { return (a, 0) }
    var fg = colorNumber(style.fg)
    let bg = colorNumber(style.bg)
    if depth == .ansi8, fg >= 8 {
      fg -= 8
      a |= cnc_a_bold()  // bright colours on an 8-colour terminal: bold
    }
    let key = PairKey(fg: fg, bg: depth == .ansi8 && bg >= 8 ? bg - 8 : bg)
    if key.fg == -1 && key.bg == -1 { return (a, 0) }
    if let p = pairs[key] { return (a, p) }
    // alloc_pair keeps ncurses' own cache; ours avoids the call on every cell.
    let p = alloc_pair(key.fg, key.bg)
    guard p > 0, p < Int32(Int16.max) else { return (a, 0) }
    pairs[key] = Int16(p)
    return (a, Int16(p))
  }

  private func colorNumber(_ c: Color) -> Int32 {
    switch c {
    case .default: return -1
    case .rgb(let r, let g, let b) where depth == .direct:
      return Int32(r) << 16 | Int32(g) << 8 | Int32(b)
    default: break
    }
    switch depth {
    case .none: return -1
    case .ansi8, .ansi16: return Int32(c.ansi16 ?? 0)
    case .c256, .direct: return Int32(c.index256 ?? 0)
    }
  }

  /// The text of screen row `y` as curses holds it (headless conformance tests).
  public func readLine(_ y: Int) -> String {
    var buf = [wchar_t](repeating: 0, count: size.width + 1)
    let n = cnc_read_line(window, Int32(y), &buf, Int32(size.width))
    guard n > 0 else { return "" }
    return String(
      String.UnicodeScalarView(
        buf.prefix(Int(n)).compactMap { Unicode.Scalar(UInt32(bitPattern: $0)) }))
  }

  // MARK: - Input

  public func nextEvent(timeout: Double) -> KeyEvent? {
    wtimeout(window, Int32(max(0, timeout * 1000)))
    var ch: wint_t = 0
    let rc = wget_wch(window, &ch)
    if rc == ERR { return nil }
    if rc == KEY_CODE_YES { return key(Int32(ch)) }
    switch ch {
    case 27: return .escape
    case 9: return .tab
    case 10, 13: return .enter
    case 127, 8: return .backspace
    case 1...26: return .ctrl(Character(Unicode.Scalar(UInt8(96 + ch))))
    default:
      guard let scalar = Unicode.Scalar(UInt32(ch)) else { return nil }
      return .char(Character(scalar))
    }
  }

  private func key(_ code: Int32) -> KeyEvent? {
    switch code {
    case KEY_UP: return .up
    case KEY_DOWN: return .down
    case KEY_LEFT: return .left
    case KEY_RIGHT: return .right
    case KEY_HOME: return .home
    case KEY_END: return .end
    case KEY_PPAGE: return .pageUp
    case KEY_NPAGE: return .pageDown
    case KEY_ENTER: return .enter
    case KEY_BACKSPACE: return .backspace
    case KEY_DC: return .delete
    case KEY_BTAB: return .backTab
    case KEY_RESIZE:
      shown = nil
      return .resize(size)
    case KEY_MOUSE:
      var event = MEVENT()
      guard getmouse(&event) == OK else { return nil }
      if cnc_is_wheel_up(event.bstate) != 0 { return .scrollUp }
      if cnc_is_wheel_down(event.bstate) != 0 { return .scrollDown }
      if cnc_is_click(event.bstate) != 0 { return .click(x: Int(event.x), y: Int(event.y)) }
      return nil
    case KEY_F0 + 1...KEY_F0 + 12: return .function(Int(code - KEY_F0))
    default: return nil
    }
  }

  // MARK: - Signals

  /// Restores the terminal before the process dies of SIGINT, SIGTERM, SIGHUP or SIGQUIT.
  /// SIGTSTP / SIGCONT are left to ncurses, whose own handler leaves and re-enters curses
  /// mode around a suspend.
  private func installSignalHandlers() {
    for sig in [SIGINT, SIGTERM, SIGHUP, SIGQUIT] {
      // endwin is not async-signal-safe in theory; htop and tig call it from handlers because
      // the alternative, a dead process with the terminal in raw mode, is worse.
      signal(sig) { s in
        endwin()
        signal(s, SIG_DFL)
        raise(s)
      }
    }
  }
}
