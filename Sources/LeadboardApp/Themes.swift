import Foundation
import LeadLifecycle
import TerminalKit

/// Theme files: JSON5 with one entry per semantic key (`{fg, bg, bold, dim, underline,
/// reverse, italic}`); colours by name (`red`, `brightBlack`, `default`), xterm index
/// (0–255) or `#rrggbb`. Unknown keys are reported; missing keys fall back to the dark theme.
public enum ThemeLoader {
  /// The built-in themes, by name; `Themes/*.theme` in the repository are the same texts.
  public static let builtIn: [String: String] = [
    "dark": darkText, "light": lightText, "high-contrast": highContrastText,
    "monochrome": monochromeText,
  ]

  /// The default theme, and the fallback for every key another theme leaves out.
  public static let dark: Theme = {
    do {
      return try parse(darkText, name: "dark", over: Theme(name: "dark", styles: [:]))
    } catch {
      fatalError("built-in dark theme is invalid: \(error)")  // a constant checked by the tests
    }
  }()

  /// Parses a theme file over `base` (the dark theme unless given).
  /// - Throws: `ConfigProblems` with every problem's key path, line and column.
  public static func parse(_ text: String, name fallbackName: String, over base: Theme? = nil)
    throws(ConfigProblems) -> Theme
  {
    let root = try ConfigReader.document(text)
    let reader = ConfigReader()
    var theme = base ?? dark
    theme.name = fallbackName
    if let top = reader.object(root, "") {
      theme.name = top.string("name", fallbackName)
      for (key, _) in Theme.keys {
        guard let o = reader.object(top.raw(key), key) else { continue }
        var style = Style()
        if let fg = o.string("fg") {
          style.fg = color(fg, o.child("fg"), o.raw("fg"), reader) ?? .default
        }
        if let bg = o.string("bg") {
          style.bg = color(bg, o.child("bg"), o.raw("bg"), reader) ?? .default
        }
        if o.bool("bold", false) { style.attributes.insert(.bold) }
        if o.bool("dim", false) { style.attributes.insert(.dim) }
        if o.bool("underline", false) { style.attributes.insert(.underline) }
        if o.bool("reverse", false) { style.attributes.insert(.reverse) }
        if o.bool("italic", false) { style.attributes.insert(.italic) }
        o.finish()
        theme.styles[key] = style
      }
      top.finish()
    }
    if !reader.problems.isEmpty { throw ConfigProblems(reader.problems) }
    return theme
  }

  static let colorNames = [
    "black", "red", "green", "yellow", "blue", "magenta", "cyan", "white", "brightBlack",
    "brightRed", "brightGreen",
    "brightYellow", "brightBlue", "brightMagenta", "brightCyan", "brightWhite",
  ]

  private static func color(_ text: String, _ path: String, _ node: JSON?, _ reader: ConfigReader)
    -> Color?
  {
    if text == "default" { return .default }
    if let i = colorNames.firstIndex(of: text) { return .ansi(UInt8(i)) }
    if let n = Int(text), (0...255).contains(n) { return .indexed(UInt8(n)) }
    if text.hasPrefix("#"), text.count == 7, let v = UInt32(text.dropFirst(), radix: 16) {
      return .rgb(UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF))
    }
    reader.problem(
      path, node,
      "unknown colour '\(text)' (a name such as red or brightBlack, 0–255, #rrggbb, or default)")
    return nil
  }

  /// Finds a theme by name (built-in, or `<dir>/<name>.theme` in the user's theme folder) or by
  /// path.
  public static func load(_ nameOrPath: String, userDirectory: String) throws -> Theme {
    if nameOrPath.contains("/") || nameOrPath.hasSuffix(".theme") || nameOrPath.hasSuffix(".json5")
    {
      return try loadFile(nameOrPath)
    }
    let user = "\(userDirectory)/\(nameOrPath).theme"
    if FileManager.default.fileExists(atPath: user) { return try loadFile(user) }
    guard let text = builtIn[nameOrPath] else {
      let known = (builtIn.keys.sorted() + userThemes(userDirectory)).joined(separator: ", ")
      throw ThemeError(message: "unknown theme '\(nameOrPath)' (known: \(known))")
    }
    return try parse(text, name: nameOrPath)
  }

  private static func loadFile(_ path: String) throws -> Theme {
    guard let data = FileManager.default.contents(atPath: path),
      let text = String(data: data, encoding: .utf8)
    else {
      throw ThemeError(message: "\(path): cannot read the theme file")
    }
    do {
      return try parse(
        text, name: ((path as NSString).lastPathComponent as NSString).deletingPathExtension)
    } catch {
      throw ThemeError(message: error.problems.map { "\(path):\($0)" }.joined(separator: "\n"))
    }
  }

  private static func userThemes(_ dir: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter {
      $0.hasSuffix(".theme")
    }
    .map { String($0.dropLast(6)) }.sorted()
  }

  // MARK: - The built-in theme files

  public static let darkText = """
    // leadboard theme: dark (the default). Every key is a semantic role; each takes
    // fg and bg (a colour name such as red or brightBlack, 0-255, #rrggbb, or default)
    // and the flags bold, dim, underline, reverse, italic. Missing keys fall back to this theme.
    {
      name: "dark",
      // ordinary text
      text: { fg: "default" },
      // secondary text: ids, days, hints
      muted: { fg: "brightBlack" },
      // the top bar with the view names
      title: { fg: "white", bg: "blue", bold: true },
      // the current view's name in the top bar
      "tab.active": { fg: "black", bg: "cyan", bold: true },
      // column and section headers
      header: { fg: "cyan", bold: true },
      // box and column borders
      border: { fg: "brightBlack" },
      // the selected card or row
      selected: { fg: "black", bg: "yellow" },
      // the status line
      status: { fg: "white", bg: "brightBlack" },
      // a status message about something refused or failed
      "status.error": { fg: "white", bg: "red", bold: true },
      // a status message about something done
      "status.ok": { fg: "black", bg: "green" },
      // key names in hints and help
      key: { fg: "yellow", bold: true },
      // an SLA with time left
      "sla.ok": { fg: "green" },
      // an SLA due soon
      "sla.warn": { fg: "yellow", bold: true },
      // an SLA breached
      "sla.breach": { fg: "red", bold: true },
      // stalled counts and markers
      stalled: { fg: "magenta", bold: true },
      // scores
      score: { fg: "cyan" },
      // money
      value: { fg: "green" },
      // bars in charts
      bar: { fg: "cyan" },
      // benchmark ranges in charts
      "bar.benchmark": { fg: "brightBlack" },
      // sparklines
      spark: { fg: "magenta" },
      // modal windows: help, pickers, forms
      overlay: { fg: "white", bg: "black" },
      // text being typed
      input: { fg: "white", bg: "blue" },
    }

    """

  public static let lightText = """
    // leadboard theme: light, for terminals with a light background.
    {
      name: "light",
      text: { fg: "default" },
      muted: { fg: "#6c6c6c" },
      title: { fg: "white", bg: "#005f87", bold: true },
      "tab.active": { fg: "black", bg: "#ffd75f", bold: true },
      header: { fg: "#005f87", bold: true },
      border: { fg: "#a8a8a8" },
      selected: { fg: "black", bg: "#afd7ff" },
      status: { fg: "black", bg: "#d0d0d0" },
      "status.error": { fg: "white", bg: "#af0000", bold: true },
      "status.ok": { fg: "white", bg: "#008700" },
      key: { fg: "#af5f00", bold: true },
      "sla.ok": { fg: "#008700" },
      "sla.warn": { fg: "#af5f00", bold: true },
      "sla.breach": { fg: "#af0000", bold: true },
      stalled: { fg: "#870087", bold: true },
      score: { fg: "#005f87" },
      value: { fg: "#008700" },
      bar: { fg: "#0087af" },
      "bar.benchmark": { fg: "#a8a8a8" },
      spark: { fg: "#870087" },
      overlay: { fg: "black", bg: "#eeeeee" },
      input: { fg: "black", bg: "#ffffaf" },
    }

    """

  public static let highContrastText = """
    // leadboard theme: high contrast: bright colours on black, bold where it matters.
    {
      name: "high-contrast",
      text: { fg: "brightWhite", bg: "black" },
      muted: { fg: "white", bg: "black" },
      title: { fg: "black", bg: "brightWhite", bold: true },
      "tab.active": { fg: "black", bg: "brightYellow", bold: true },
      header: { fg: "brightYellow", bg: "black", bold: true, underline: true },
      border: { fg: "brightWhite", bg: "black" },
      selected: { fg: "black", bg: "brightCyan", bold: true },
      status: { fg: "black", bg: "brightWhite" },
      "status.error": { fg: "brightWhite", bg: "red", bold: true },
      "status.ok": { fg: "black", bg: "brightGreen", bold: true },
      key: { fg: "brightYellow", bg: "black", bold: true },
      "sla.ok": { fg: "brightGreen", bg: "black", bold: true },
      "sla.warn": { fg: "brightYellow", bg: "black", bold: true, underline: true },
      "sla.breach": { fg: "brightRed", bg: "black", bold: true, reverse: true },
      stalled: { fg: "brightMagenta", bg: "black", bold: true },
      score: { fg: "brightCyan", bg: "black" },
      value: { fg: "brightGreen", bg: "black" },
      bar: { fg: "brightCyan", bg: "black" },
      "bar.benchmark": { fg: "white", bg: "black" },
      spark: { fg: "brightMagenta", bg: "black" },
      overlay: { fg: "brightWhite", bg: "blue" },
      input: { fg: "black", bg: "brightYellow" },
    }

    """

  public static let monochromeText = """
    // leadboard theme: monochrome: no colour, attributes only (used for NO_COLOR too).
    {
      name: "monochrome",
      text: {},
      muted: { dim: true },
      title: { reverse: true },
      "tab.active": { reverse: true, bold: true, underline: true },
      header: { bold: true },
      border: { dim: true },
      selected: { reverse: true },
      status: { reverse: true },
      "status.error": { reverse: true, bold: true },
      "status.ok": { reverse: true },
      key: { bold: true },
      "sla.ok": {},
      "sla.warn": { underline: true },
      "sla.breach": { bold: true, reverse: true },
      stalled: { bold: true },
      score: {},
      value: {},
      bar: {},
      "bar.benchmark": { dim: true },
      spark: {},
      overlay: { reverse: true },
      input: { underline: true },
    }

    """
}

/// A theme that cannot be found or read.
public struct ThemeError: Error, CustomStringConvertible {
  public var message: String
  public var description: String { message }
}
