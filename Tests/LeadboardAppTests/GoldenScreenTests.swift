import Foundation
import LeadLifecycle
import LeadboardApp
import LeadboardTestSupport
import TerminalKit
import Testing

/// Every view at 80×24 and 120×40, in English and Japanese, against golden files: locale-free
/// (the buffer measures widths itself), clock, size and time zone pinned by the fixture.
@Suite struct GoldenScreenTests {
  static let sizes = [Size(width: 80, height: 24), Size(width: 120, height: 40)]

  static let cases: [(ViewID, Language, Size)] = {
    var out: [(ViewID, Language, Size)] = []
    for view in ViewID.allCases {
      for lang in Language.allCases {
        for size in sizes { out.append((view, lang, size)) }
      }
    }
    return out
  }()

  @Test(arguments: cases)
  func view(_ view: ViewID, _ language: Language, _ size: Size) {
    let (state, ctx, _) = Fixture.state(
      size, language: language, view: view, open: view == .lead ? "L1" : nil)
    expectSnapshot(render(state, ctx), "\(view).\(language.rawValue).\(size.width)x\(size.height)")
  }

  @Test(arguments: Language.allCases)
  func helpOverlay(_ language: Language) {
    var (state, ctx, _) = Fixture.state(Size(width: 80, height: 24), language: language)
    state.overlay = .help
    expectSnapshot(render(state, ctx), "help.\(language.rawValue).80x24")
  }

  @Test func recyclePicker() {
    var (state, ctx, _) = Fixture.state(Size(width: 80, height: 24), view: .queue)
    _ = Updater(playbook: ctx.playbook).update(&state, .key(.char("r")))
    expectSnapshot(render(state, ctx), "queue.recycle-picker.en.80x24")
  }

  /// The server went away: the warning takes the title bar's right side at any width, the
  /// last data stays on screen.
  @Test(arguments: [Size(width: 80, height: 24), Size(width: 120, height: 40)])
  func offline(_ size: Size) {
    var (state, ctx, _) = Fixture.state(size)
    _ = Updater(playbook: ctx.playbook).update(
      &state, .storeFailed("db: the server is unreachable"))
    let screen = render(state, ctx)
    #expect(screen.lines[0].contains("⚠ store unavailable, retrying"), "\(screen.lines[0])")
    expectSnapshot(screen, "board.offline.en.\(size.width)x\(size.height)")
  }

  @Test func moveForm() {
    var (state, ctx, _) = Fixture.state(Size(width: 80, height: 24), open: "L4")
    let u = Updater(playbook: ctx.playbook)
    state.view = .lead
    _ = u.update(&state, .key(.char("m")))
    _ = u.update(&state, .key(.enter))  // opportunity: the first later stage
    expectSnapshot(render(state, ctx), "lead.move-form.en.80x24")
  }

  @Test(arguments: [
    Size(width: 30, height: 10), Size(width: 1, height: 1), Size(width: 59, height: 24),
  ])
  func tooSmall(_ size: Size) {
    let (state, ctx, _) = Fixture.state(size)
    let screen = render(state, ctx)
    #expect(screen.width == size.width && screen.height == size.height)
    if size.width >= 30 {
      #expect(screen.lines.joined(separator: " ").contains("60×16"), "\(screen.lines)")
    }
  }
}

extension Size: CustomTestStringConvertible {
  public var testDescription: String { "\(width)x\(height)" }
}
