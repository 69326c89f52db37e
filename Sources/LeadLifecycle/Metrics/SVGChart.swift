import Foundation

/// A standalone SVG horizontal bar chart a manager can paste into a slide: a title, one bar
/// per row with its value, and an optional benchmark band behind each bar.
public struct SVGChart: Sendable {
  public struct Row: Sendable {
    public var label: String
    public var value: Double
    /// Shown at the end of the bar (`42.0 %`).
    public var text: String
    /// The benchmark range, drawn as a band.
    public var band: NumberRange?
    public init(label: String, value: Double, text: String, band: NumberRange? = nil) {
      self.label = label
      self.value = value
      self.text = text
      self.band = band
    }
  }

  public var title: String
  public var subtitle: String
  public var rows: [Row]

  public init(title: String, subtitle: String, rows: [Row]) {
    self.title = title
    self.subtitle = subtitle
    self.rows = rows
  }

  /// `&`, `<`, `>`, quotes escaped; control characters dropped (not allowed in XML 1.0).
  public static func escape(_ s: String) -> String {
    var out = ""
    for u in s.unicodeScalars {
      switch u {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "'": out += "&apos;"
      default:
        if u.value < 0x20 && u != "\t" && u != "\n" || (0x7F...0x9F).contains(u.value) {
          continue
        }
        out.unicodeScalars.append(u)
      }
    }
    return out
  }

  /// The SVG document.
  public var svg: String {
    let width = 800.0
    let labelWidth = 220.0
    let barArea = width - labelWidth - 120
    let rowHeight = 34.0
    let top = 80.0
    let height = top + rowHeight * Double(max(rows.count, 1)) + 30
    let scaleMax = max(
      rows.map(\.value).max() ?? 0, rows.compactMap { $0.band?.high }.max() ?? 0, 1e-9)
    func x(_ v: Double) -> Double { labelWidth + barArea * max(0, v) / scaleMax }
    func n(_ v: Double) -> String { String(format: "%.1f", v) }
    var s = """
      <?xml version="1.0" encoding="UTF-8"?>
      <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" font-family="Helvetica, Arial, sans-serif">
      <rect x="0" y="0" width="\(Int(width))" height="\(Int(height))" fill="#ffffff"/>
      <text x="20" y="32" font-size="20" font-weight="bold" fill="#1f2937">\(SVGChart.escape(title))</text>
      <text x="20" y="56" font-size="13" fill="#6b7280">\(SVGChart.escape(subtitle))</text>

      """
    for (i, r) in rows.enumerated() {
      let y = top + Double(i) * rowHeight
      s += "<g>\n"
      s +=
        "<text x=\"\(n(labelWidth - 10))\" y=\"\(n(y + 20))\" font-size=\"13\" text-anchor=\"end\" fill=\"#111827\">\(SVGChart.escape(r.label))</text>\n"
      if let b = r.band {
        s +=
          "<rect x=\"\(n(x(b.low)))\" y=\"\(n(y + 2))\" width=\"\(n(max(1, x(b.high) - x(b.low))))\" height=\"\(n(rowHeight - 8))\" fill=\"#d1fae5\"/>\n"
      }
      let inside = r.band.map { $0.contains(r.value) } ?? true
      s +=
        "<rect x=\"\(n(labelWidth))\" y=\"\(n(y + 8))\" width=\"\(n(max(0, x(r.value) - labelWidth)))\" height=\"\(n(rowHeight - 20))\" fill=\"\(inside ? "#2563eb" : "#dc2626")\"/>\n"
      s +=
        "<text x=\"\(n(x(r.value) + 6))\" y=\"\(n(y + 20))\" font-size=\"12\" fill=\"#374151\">\(SVGChart.escape(r.text))</text>\n"
      s += "</g>\n"
    }
    if rows.contains(where: { $0.band != nil }) {
      s +=
        "<text x=\"20\" y=\"\(n(height - 10))\" font-size=\"11\" fill=\"#6b7280\">green band: benchmark range; red bar: outside it</text>\n"
    }
    s += "</svg>\n"
    return s
  }
}

extension FunnelReport {
  /// Decided conversion per transition against the benchmark range.
  public func chart(title: String) -> SVGChart {
    SVGChart(
      title: title, subtitle: "decided conversion per transition, \(leads) leads",
      rows: steps.compactMap { s in
        guard let r = s.rate else { return nil }
        return SVGChart.Row(
          label: Transition.name(s.stage), value: r,
          text: "\(fmt(r)) % (\(s.counts.converted)/\(s.counts.converted + s.counts.dropped))",
          band: s.benchmark?.conversion)
      })
  }
}

extension VelocityReport {
  /// Median days per stage against the benchmark's average range.
  public func chart(title: String) -> SVGChart {
    SVGChart(
      title: title, subtitle: "median days in stage before moving on",
      rows: stages.compactMap { v in
        guard let t = v.time else { return nil }
        return SVGChart.Row(
          label: Transition.name(v.stage), value: t.median,
          text: "\(fmt(t.median)) d (n=\(t.count))",
          band: v.benchmark?.averageDays)
      })
  }
}

extension SourcesReport {
  /// Share of each group's leads that became customers.
  public func chart(title: String) -> SVGChart {
    SVGChart(
      title: title, subtitle: "leads that became customers, by \(dimension)",
      rows: groups.map { g in
        let r = g.rate(.customer) ?? 0
        return SVGChart.Row(
          label: g.name, value: r, text: "\(fmt(r)) % (\(g.customers)/\(g.leads))")
      })
  }
}
