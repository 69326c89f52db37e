import Foundation

/// Line-drawing and chart characters: Unicode box drawing in a UTF-8 locale, ASCII otherwise
/// (htop's fallback).
public struct Glyphs: Sendable, Equatable {
  public var horizontal: String
  public var vertical: String
  public var topLeft: String
  public var topRight: String
  public var bottomLeft: String
  public var bottomRight: String
  public var ellipsis: String
  public var barFull: String
  /// Eighths for partial bar cells, from 1/8 to 7/8.
  public var barParts: [String]
  public var sparks: [String]
  public var marker: String
  public var selectedMark: String

  public static let unicode = Glyphs(
    horizontal: "─", vertical: "│", topLeft: "┌", topRight: "┐", bottomLeft: "└", bottomRight: "┘",
    ellipsis: "…",
    barFull: "█", barParts: ["▏", "▎", "▍", "▌", "▋", "▊", "▉"],
    sparks: ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"],
    marker: "│", selectedMark: "▶")

  public static let ascii = Glyphs(
    horizontal: "-", vertical: "|", topLeft: "+", topRight: "+", bottomLeft: "+", bottomRight: "+",
    ellipsis: "~",
    barFull: "#", barParts: [], sparks: ["_", ".", "-", "~", "=", "+", "*", "#"], marker: "|",
    selectedMark: ">")
}

/// Semantic styles by name. A theme loader fills every key (a theme file may set any subset;
/// missing keys fall back to the default theme); an unset key draws plain.
public struct Theme: Sendable, Equatable {
  public var name: String
  public var styles: [String: Style]

  public init(name: String, styles: [String: Style]) {
    self.name = name
    self.styles = styles
  }

  /// The style for `key`, plain when unset.
  public subscript(_ key: String) -> Style { styles[key] ?? .plain }

  /// Every key a theme can set, with what it colours (the theme files document the same).
  public static let keys: [(String, String)] = [
    ("text", "ordinary text"),
    ("muted", "secondary text: ids, days, hints"),
    ("title", "the top bar with the view names"),
    ("tab.active", "the current view's name in the top bar"),
    ("header", "column and section headers"),
    ("border", "box and column borders"),
    ("selected", "the selected card or row"),
    ("status", "the status line"),
    ("status.error", "a status message about something refused or failed"),
    ("status.ok", "a status message about something done"),
    ("key", "key names in hints and help"),
    ("sla.ok", "an SLA with time left"),
    ("sla.warn", "an SLA due soon"),
    ("sla.breach", "an SLA breached"),
    ("stalled", "stalled counts and markers"),
    ("score", "scores"),
    ("value", "money"),
    ("bar", "bars in charts"),
    ("bar.benchmark", "benchmark ranges in charts"),
    ("spark", "sparklines"),
    ("overlay", "modal windows: help, pickers, forms"),
    ("input", "text being typed"),
  ]
}

// MARK: - Drawing helpers

extension ScreenBuffer {
  /// A box with an optional title on its top border.
  public mutating func box(
    _ r: Rect, title: String? = nil, border: Style, titleStyle: Style, glyphs: Glyphs
  ) {
    guard r.width >= 2, r.height >= 2 else { return }
    for x in (r.x + 1)..<(r.maxX - 1) {
      put(glyphs.horizontal, x: x, y: r.y, style: border)
      put(glyphs.horizontal, x: x, y: r.maxY - 1, style: border)
    }
    for y in (r.y + 1)..<(r.maxY - 1) {
      put(glyphs.vertical, x: r.x, y: y, style: border)
      put(glyphs.vertical, x: r.maxX - 1, y: y, style: border)
    }
    put(glyphs.topLeft, x: r.x, y: r.y, style: border)
    put(glyphs.topRight, x: r.maxX - 1, y: r.y, style: border)
    put(glyphs.bottomLeft, x: r.x, y: r.maxY - 1, style: border)
    put(glyphs.bottomRight, x: r.maxX - 1, y: r.maxY - 1, style: border)
    if let title, r.width > 4 {
      put(
        " " + DisplayWidth.truncate(title, to: r.width - 4) + " ", x: r.x + 1, y: r.y,
        style: titleStyle, maxWidth: r.width - 2)
    }
  }

  /// Text padded or truncated to exactly `width` columns, right-aligned if asked.
  public mutating func field(
    _ text: String, x: Int, y: Int, width: Int, style: Style, alignRight: Bool = false
  ) {
    guard width > 0 else { return }
    put(
      DisplayWidth.pad(text, to: width, alignRight: alignRight), x: x, y: y, style: style,
      maxWidth: width)
  }

  /// A horizontal bar of `value / maximum` over `width` columns, in eighths where the glyphs
  /// allow. Returns the columns drawn.
  @discardableResult
  public mutating func bar(
    value: Double, maximum: Double, x: Int, y: Int, width: Int, style: Style, glyphs: Glyphs
  ) -> Int {
    guard width > 0, maximum > 0, value > 0 else { return 0 }
    let eighths = Int((min(1, value / maximum) * Double(width * 8)).rounded())
    var s = String(repeating: glyphs.barFull, count: eighths / 8)
    if eighths % 8 > 0 {
      s +=
        glyphs.barParts.isEmpty
        ? (eighths % 8 >= 4 ? glyphs.barFull : "") : glyphs.barParts[eighths % 8 - 1]
    }
    if s.isEmpty { s = glyphs.barParts.first ?? glyphs.barFull }
    return put(s, x: x, y: y, style: style, maxWidth: width)
  }
}

/// A sparkline of `values`, one character each, scaled to their maximum.
public func sparkline(_ values: [Double], glyphs: Glyphs) -> String {
  guard let top = values.max(), top > 0 else {
    return String(repeating: glyphs.sparks[0], count: values.count)
  }
  return values.map { v in
    let i = Int((max(0, v) / top * Double(glyphs.sparks.count - 1)).rounded())
    return glyphs.sparks[min(glyphs.sparks.count - 1, i)]
  }.joined()
}

/// A single-line text field's contents and cursor.
public struct TextInput: Sendable, Equatable {
  public var text: String = ""
  /// Cursor position in characters.
  public var cursor: Int = 0

  public init(_ text: String = "") {
    self.text = text
    cursor = text.count
  }

  /// Applies an editing key; returns false when the key is not an editing key.
  public mutating func handle(_ key: KeyEvent) -> Bool {
    switch key {
    case .char(let c):
      let i = text.index(text.startIndex, offsetBy: cursor)
      text.insert(c, at: i)
      cursor += 1
    case .backspace:
      guard cursor > 0 else { return true }
      let i = text.index(text.startIndex, offsetBy: cursor - 1)
      text.remove(at: i)
      cursor -= 1
    case .delete:
      guard cursor < text.count else { return true }
      text.remove(at: text.index(text.startIndex, offsetBy: cursor))
    case .left: cursor = max(0, cursor - 1)
    case .right: cursor = min(text.count, cursor + 1)
    case .home, .ctrl("a"): cursor = 0
    case .end, .ctrl("e"): cursor = text.count
    case .ctrl("u"):
      text = ""
      cursor = 0
    default: return false
    }
    return true
  }

  /// Draws the field with a visible cursor (the character under it reversed).
  public func draw(into buffer: inout ScreenBuffer, x: Int, y: Int, width: Int, style: Style) {
    buffer.field("", x: x, y: y, width: width, style: style)
    let chars = Array(text)
    // Scroll so the cursor stays visible.
    var start = 0
    while DisplayWidth.of(String(chars[start..<cursor])) >= width - 1 && start < cursor {
      start += 1
    }
    var cx = x
    for i in start...chars.count {
      let ch = i < chars.count ? String(chars[i]) : " "
      let w = max(1, DisplayWidth.of(ch))
      if cx + w > x + width { break }
      buffer.put(ch, x: cx, y: y, style: i == cursor ? style.with(.reverse) : style)
      cx += w
    }
  }
}
