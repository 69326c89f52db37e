// libFuzzer target: the theme loader (JSON5 theme files), see .ci/fuzz.sh.
import LeadLifecycle
import LeadboardApp
import TerminalKit

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTheme(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
  do {
    let theme = try ThemeLoader.parse(text, name: "fuzz")
    _ = theme.name
  } catch {
    _ = error.description
  }
  return 0
}
