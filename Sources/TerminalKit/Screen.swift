import Foundation

// MARK: - Colours and styles

/// A terminal colour, from the most portable to the richest; backends downgrade what they
/// cannot show (truecolor → 256 → 16 → none).
public enum Color: Sendable, Hashable {
  /// The terminal's own default.
  case `default`
  /// One of the 16 ANSI colours (0–7 normal, 8–15 bright).
  case ansi(UInt8)
  /// An xterm 256-colour index.
  case indexed(UInt8)
  case rgb(UInt8, UInt8, UInt8)

  public static let black = Color.ansi(0)
  public static let red = Color.ansi(1)
  public static let green = Color.ansi(2)
  public static let yellow = Color.ansi(3)
  public static let blue = Color.ansi(4)
  public static let magenta = Color.ansi(5)
  public static let cyan = Color.ansi(6)
  public static let white = Color.ansi(7)
  public static let brightBlack = Color.ansi(8)

  /// The nearest xterm 256-colour index.
  public var index256: UInt8? {
    switch self {
    case .default: return nil
    case .ansi(let n): return n
    case .indexed(let n): return n
    case .rgb(let r, let g, let b):
      func level(_ v: UInt8) -> Int { v < 48 ? 0 : v < 115 ? 1 : Int((Int(v) - 35) / 40) }
      if r == g && g == b {
        if r < 8 { return 16 }
        if r > 238 { return 231 }
        return UInt8(232 + (Int(r) - 8) / 10)
      }
      return UInt8(16 + 36 * level(r) + 6 * level(g) + level(b))
    }
  }

  /// The nearest of the 16 ANSI colours.
  public var ansi16: UInt8? {
    switch self {
    case .default: return nil
    case .ansi(let n): return n
    case .indexed(let n) where n < 16: return n
    case .indexed(let n):
      if n >= 232 { return n < 244 ? 8 : 7 }
      let c = Int(n) - 16
      return Color.rgb(UInt8(c / 36 * 51), UInt8(c / 6 % 6 * 51), UInt8(c % 6 * 51)).ansi16
    case .rgb(let r, let g, let b):
      let bright = max(r, g, b) > 170
      let bits = (r > 90 ? 1 : 0) | (g > 90 ? 2 : 0) | (b > 90 ? 4 : 0)
      if bits == 0 { return bright ? 8 : 0 }
      return UInt8(bits + (bright && bits != 7 ? 8 : 0))
    }
  }
}

/// Text attributes.
public struct Attributes: OptionSet, Sendable, Hashable {
  public let rawValue: UInt8
  public init(rawValue: UInt8) { self.rawValue = rawValue }
  public static let bold = Attributes(rawValue: 1)
  public static let dim = Attributes(rawValue: 2)
  public static let underline = Attributes(rawValue: 4)
  public static let reverse = Attributes(rawValue: 8)
  public static let italic = Attributes(rawValue: 16)
}

/// Foreground, background and attributes of a cell.
public struct Style: Sendable, Hashable {
  public var fg: Color
  public var bg: Color
  public var attributes: Attributes

  public init(fg: Color = .default, bg: Color = .default, _ attributes: Attributes = []) {
    self.fg = fg
    self.bg = bg
    self.attributes = attributes
  }

  public static let plain = Style()

  /// This style with extra attributes.
  public func with(_ a: Attributes) -> Style {
    var s = self
    s.attributes.formUnion(a)
    return s
  }

  /// A short description for style dumps (`fg=1 bg=- b`).
  public var code: String {
    func c(_ color: Color) -> String {
      switch color {
      case .default: return "-"
      case .ansi(let n): return "\(n)"
      case .indexed(let n): return "i\(n)"
      case .rgb(let r, let g, let b): return String(format: "#%02x%02x%02x", r, g, b)
      }
    }
    var a = ""
    if attributes.contains(.bold) { a += "b" }
    if attributes.contains(.dim) { a += "d" }
    if attributes.contains(.underline) { a += "u" }
    if attributes.contains(.reverse) { a += "r" }
    if attributes.contains(.italic) { a += "i" }
    return "\(c(fg))/\(c(bg))\(a.isEmpty ? "" : "/" + a)"
  }
}

// MARK: - Geometry

/// A rectangle of cells.
public struct Rect: Sendable, Hashable {
  public var x: Int
  public var y: Int
  public var width: Int
  public var height: Int

  public init(x: Int, y: Int, width: Int, height: Int) {
    self.x = x
    self.y = y
    self.width = max(0, width)
    self.height = max(0, height)
  }

  public var maxX: Int { x + width }
  public var maxY: Int { y + height }
  public var isEmpty: Bool { width == 0 || height == 0 }

  /// The rectangle shrunk by `n` on every side.
  public func inset(_ n: Int) -> Rect {
    Rect(x: x + n, y: y + n, width: width - 2 * n, height: height - 2 * n)
  }

  /// The top `n` rows, and the rest.
  public func splitTop(_ n: Int) -> (Rect, Rect) {
    let h = min(n, height)
    return (
      Rect(x: x, y: y, width: width, height: h),
      Rect(x: x, y: y + h, width: width, height: height - h)
    )
  }

  /// The bottom `n` rows, and the rest above them.
  public func splitBottom(_ n: Int) -> (Rect, Rect) {
    let h = min(n, height)
    return (
      Rect(x: x, y: maxY - h, width: width, height: h),
      Rect(x: x, y: y, width: width, height: height - h)
    )
  }

  /// The left `n` columns, and the rest.
  public func splitLeft(_ n: Int) -> (Rect, Rect) {
    let w = min(n, width)
    return (
      Rect(x: x, y: y, width: w, height: height),
      Rect(x: x + w, y: y, width: width - w, height: height)
    )
  }

  /// A rectangle of `w`×`h` centred in this one.
  public func centered(width w: Int, height h: Int) -> Rect {
    let ww = min(w, width)
    let hh = min(h, height)
    return Rect(x: x + (width - ww) / 2, y: y + (height - hh) / 2, width: ww, height: hh)
  }

  /// Splits the width into `n` columns as evenly as possible.
  public func columns(_ n: Int, gap: Int = 0) -> [Rect] {
    guard n > 0 else { return [] }
    let total = width - gap * (n - 1)
    var out: [Rect] = []
    var cx = x
    for i in 0..<n {
      let w = total / n + (i < total % n ? 1 : 0)
      out.append(Rect(x: cx, y: y, width: w, height: height))
      cx += w + gap
    }
    return out
  }
}

/// Width and height.
public struct Size: Sendable, Hashable {
  public var width: Int
  public var height: Int
  public init(width: Int, height: Int) {
    self.width = width
    self.height = height
  }
}

// MARK: - Cells and the buffer

/// One terminal cell: a grapheme and its style. A wide grapheme occupies its cell and a
/// continuation cell to its right (empty `text`, `isContinuation`).
public struct Cell: Sendable, Hashable {
  public var text: String
  public var style: Style
  public var isContinuation: Bool

  public init(_ text: String = " ", style: Style = .plain, isContinuation: Bool = false) {
    self.text = text
    self.style = style
    self.isContinuation = isContinuation
  }

  public static let blank = Cell()
}

/// An in-memory screen: what views render into, what tests compare, what backends draw.
public struct ScreenBuffer: Sendable, Equatable {
  public let width: Int
  public let height: Int
  public private(set) var cells: [Cell]

  public init(width: Int, height: Int, fill: Cell = .blank) {
    self.width = max(0, width)
    self.height = max(0, height)
    cells = Array(repeating: fill, count: self.width * self.height)
  }

  /// A buffer from lines of text (for tests): each line padded to `width` columns.
  public init(lines: [String], width: Int? = nil) {
    let w = width ?? (lines.map { DisplayWidth.of($0) }.max() ?? 0)
    self.init(width: w, height: lines.count)
    for (y, line) in lines.enumerated() { _ = put(line, x: 0, y: y, style: .plain) }
  }

  public var area: Rect { Rect(x: 0, y: 0, width: width, height: height) }

  public subscript(x: Int, y: Int) -> Cell {
    get { cells[y * width + x] }
    set { cells[y * width + x] = newValue }
  }

  /// Fills a rectangle.
  public mutating func fill(_ rect: Rect, with cell: Cell) {
    for yy in max(0, rect.y)..<min(height, rect.maxY) {
      for xx in max(0, rect.x)..<min(width, rect.maxX) { self[xx, yy] = cell }
    }
  }

  /// Sets the style of every cell in a rectangle, keeping the text.
  public mutating func restyle(_ rect: Rect, _ style: Style) {
    for yy in max(0, rect.y)..<min(height, rect.maxY) {
      for xx in max(0, rect.x)..<min(width, rect.maxX) { self[xx, yy].style = style }
    }
  }

  /// Writes `text` from (x, y), clipped at `maxWidth` columns and at the buffer's edge.
  /// Control characters are shown inert; a wide character that would straddle the limit is
  /// replaced by a space. Returns the columns written.
  @discardableResult
  public mutating func put(_ text: String, x: Int, y: Int, style: Style, maxWidth: Int? = nil)
    -> Int
  {
    guard y >= 0, y < height, x < width else { return 0 }
    let limit = min(width, x + (maxWidth ?? width))
    var cx = x
    for ch in DisplayWidth.inert(text) {
      let w = DisplayWidth.of(ch)
      if w == 0 {
        continue  // combining marks are folded into their base by Character already
      }
      if cx + w > limit {
        if w == 2 && cx < limit && cx >= 0 { self.setCell(cx, y, Cell(" ", style: style)) }
        cx = limit
        break
      }
      if cx >= 0 {
        setCell(cx, y, Cell(String(ch), style: style))
        if w == 2 { setCell(cx + 1, y, Cell("", style: style, isContinuation: true)) }
      }
      cx += w
    }
    return max(0, cx - x)
  }

  /// Writes a cell, repairing wide characters it cuts in half.
  private mutating func setCell(_ x: Int, _ y: Int, _ cell: Cell) {
    guard x >= 0, x < width else { return }
    let old = self[x, y]
    if old.isContinuation, x > 0 {
      self[x - 1, y] = Cell(" ", style: self[x - 1, y].style)
    } else if !old.isContinuation, x + 1 < width, self[x + 1, y].isContinuation,
      !cell.isContinuation
    {
      self[x + 1, y] = Cell(" ", style: self[x + 1, y].style)
    }
    self[x, y] = cell
  }

  /// The text of row `y`, trailing spaces kept (continuation cells contribute nothing).
  public func line(_ y: Int) -> String {
    var s = ""
    for x in 0..<width {
      let c = self[x, y]
      if !c.isContinuation { s += c.text }
    }
    return s
  }

  /// Every row as text, trailing spaces trimmed (for golden files).
  public var lines: [String] {
    (0..<height).map { y in
      var l = line(y)
      while l.hasSuffix(" ") { l.removeLast() }
      return l
    }
  }

  /// Style runs per row: `col-col code` for each run of one style (for golden style files).
  public var styleDump: [String] {
    (0..<height).map { y in
      var runs: [String] = []
      var start = 0
      var current = width > 0 ? self[0, y].style : .plain
      for x in 1...max(1, width) {
        let s = x < width ? self[x, y].style : nil
        if s != current || x == width {
          if current != .plain { runs.append("\(start)-\(x - 1) \(current.code)") }
          if let s { current = s }
          start = x
        }
      }
      return runs.joined(separator: " ")
    }
  }
}

// MARK: - Diff

/// One run of cells to write at a position.
public struct CellRun: Sendable, Equatable {
  public var x: Int
  public var y: Int
  public var cells: [Cell]
}

extension ScreenBuffer {
  /// The runs of cells that differ from `previous` (everything when the sizes differ), so a
  /// backend writes only what changed.
  public func diff(from previous: ScreenBuffer?) -> [CellRun] {
    let full = previous == nil || previous!.width != width || previous!.height != height
    var runs: [CellRun] = []
    for y in 0..<height {
      var x = 0
      while x < width {
        if !full && previous![x, y] == self[x, y] {
          x += 1
          continue
        }
        // Start a run; back up to the head of a wide character.
        var start = x
        if self[start, y].isContinuation && start > 0 { start -= 1 }
        var end = x
        while end < width
          && (full || previous![end, y] != self[end, y] || self[end, y].isContinuation)
        { end += 1 }
        runs.append(CellRun(x: start, y: y, cells: Array((start..<end).map { self[$0, y] })))
        x = end
      }
    }
    return runs
  }
}

// MARK: - Keys

/// A key press or terminal event, as the app sees it.
public enum KeyEvent: Sendable, Hashable {
  case char(Character)
  case enter, escape, tab, backTab, backspace, delete
  case up, down, left, right, home, end, pageUp, pageDown
  case function(Int)
  /// Ctrl + a letter (`ctrl("c")`).
  case ctrl(Character)
  /// A mouse click at a cell.
  case click(x: Int, y: Int)
  case scrollUp, scrollDown
  case resize(Size)

  /// The name used in keymaps and help (`j`, `enter`, `ctrl-c`, `pgdn`).
  public var name: String {
    switch self {
    case .char(" "): return "space"
    case .char(let c): return String(c)
    case .enter: return "enter"
    case .escape: return "esc"
    case .tab: return "tab"
    case .backTab: return "shift-tab"
    case .backspace: return "backspace"
    case .delete: return "delete"
    case .up: return "up"
    case .down: return "down"
    case .left: return "left"
    case .right: return "right"
    case .home: return "home"
    case .end: return "end"
    case .pageUp: return "pgup"
    case .pageDown: return "pgdn"
    case .function(let n): return "f\(n)"
    case .ctrl(let c): return "ctrl-\(c)"
    case .click: return "click"
    case .scrollUp: return "wheel-up"
    case .scrollDown: return "wheel-down"
    case .resize: return "resize"
    }
  }

  /// Parses a keymap name back into a key (`j`, `enter`, `ctrl-r`, `f1`).
  public init?(name: String) {
    switch name {
    case "space": self = .char(" ")
    case "enter": self = .enter
    case "esc", "escape": self = .escape
    case "tab": self = .tab
    case "shift-tab": self = .backTab
    case "backspace": self = .backspace
    case "delete": self = .delete
    case "up": self = .up
    case "down": self = .down
    case "left": self = .left
    case "right": self = .right
    case "home": self = .home
    case "end": self = .end
    case "pgup": self = .pageUp
    case "pgdn": self = .pageDown
    default:
      if name.hasPrefix("ctrl-"), name.count == 6 {
        self = .ctrl(name.last!)
      } else if name.hasPrefix("f"), let n = Int(name.dropFirst()), (1...12).contains(n) {
        self = .function(n)
      } else if name.count == 1 {
        self = .char(name.first!)
      } else {
        return nil
      }
    }
  }
}

/// What the app needs from a terminal: its size, a way to show a frame, and keys.
/// `CursesBackend` is the real one; `InMemoryBackend` serves tests.
public protocol TerminalBackend: AnyObject {
  /// The current size in cells.
  var size: Size { get }
  /// Shows `frame`, writing only what differs from the previous one.
  func present(_ frame: ScreenBuffer)
  /// The next key or event, waiting at most `timeout` seconds; nil when none came.
  func nextEvent(timeout: Double) -> KeyEvent?
}

/// A backend that keeps the last frame in memory and plays keys from a script.
public final class InMemoryBackend: TerminalBackend {
  public var size: Size
  public private(set) var frame: ScreenBuffer
  public private(set) var framesPresented = 0
  /// Cells written by the diffs so far (how much a real terminal would have been sent).
  public private(set) var cellsWritten = 0
  public var pending: [KeyEvent] = []

  public init(width: Int, height: Int) {
    size = Size(width: width, height: height)
    frame = ScreenBuffer(width: width, height: height)
  }

  public func present(_ next: ScreenBuffer) {
    let runs = next.diff(from: framesPresented == 0 ? nil : frame)
    cellsWritten += runs.reduce(0) { $0 + $1.cells.count }
    frame = next
    framesPresented += 1
  }

  public func nextEvent(timeout: Double) -> KeyEvent? {
    pending.isEmpty ? nil : pending.removeFirst()
  }
}
