import Foundation
import TerminalKit

/// Standard output and error, written as UTF-8.
enum Console {
  /// Writes a line to standard output. When that fails (a full disk, a file-size limit) the
  /// process says so on standard error and exits 7 instead of crashing.
  static func out(_ s: String) {
    write(Data((s.hasSuffix("\n") ? s : s + "\n").utf8), to: .standardOutput)
  }
  /// Writes a message to standard error with every control character but the line break
  /// shown inert (`␛`): messages quote input (an unknown lead id, a theme's colour, a playbook
  /// value), and quoted input must not drive the terminal.
  static func err(_ s: String) {
    let text = s.split(separator: "\n", omittingEmptySubsequences: false)
      .map { DisplayWidth.inert(String($0)) }.joined(separator: "\n")
    try? FileHandle.standardError.write(
      contentsOf: Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
  }
  /// Writes `data` to `handle` (standard output or an output file); on failure reports
  /// `cannot write the output` with the reason and exits 7.
  static func write(_ data: Data, to handle: FileHandle, name: String = "standard output") {
    do {
      try handle.write(contentsOf: data)
    } catch {
      err("leadboard: \(name): cannot write the output (\(outputFailure(error)))")
      exit(ExitCode.storeUnavailable.rawValue)
    }
  }
  /// The system's reason for a failed write ("No space left on device", "File too large").
  static func outputFailure(_ error: Error) -> String {
    let ns = error as NSError
    if let posix = ns.userInfo[NSUnderlyingErrorKey] as? NSError, posix.domain == NSPOSIXErrorDomain
    {
      return String(cString: strerror(Int32(posix.code)))
    }
    if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
    return ns.localizedDescription
  }
}

/// Where leadboard keeps its files: `$XDG_CONFIG_HOME/leadboard` and `$XDG_DATA_HOME/leadboard`.
enum Paths {
  static var environment: [String: String] { ProcessInfo.processInfo.environment }

  static var home: String { environment["HOME"] ?? NSHomeDirectory() }

  static var configDirectory: String {
    let base = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.config"
    return base + "/leadboard"
  }

  static var dataDirectory: String {
    let base =
      environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.local/share"
    return base + "/leadboard"
  }

  /// The playbook file the commands use when none is named: `$LEADBOARD_PLAYBOOK`, else
  /// `playbook.json5` in the config folder when it exists.
  static var defaultPlaybookFile: String? {
    if let p = environment["LEADBOARD_PLAYBOOK"], !p.isEmpty { return p }
    let candidate = configDirectory + "/playbook.json5"
    return FileManager.default.fileExists(atPath: candidate) ? candidate : nil
  }
}

/// Files written whole or not at all: a temporary file in the same folder, then a rename.
enum AtomicFile {
  static func write(_ text: String, to path: String, mode: Int = 0o644) throws {
    let url = URL(fileURLWithPath: path)
    let folder = url.deletingLastPathComponent().path
    do {
      try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    } catch {
      throw CLIError(
        .badInput, "\(path): cannot create folder \(folder): \(error.localizedDescription)")
    }
    let temp = folder + "/.\(url.lastPathComponent).\(getpid()).tmp"
    guard
      FileManager.default.createFile(
        atPath: temp, contents: Data(text.utf8), attributes: [.posixPermissions: mode])
    else {
      throw CLIError(.badInput, "\(path): cannot write (\(String(cString: strerror(errno))))")
    }
    if rename(temp, path) != 0 {
      let why = String(cString: strerror(errno))
      unlink(temp)
      throw CLIError(.badInput, "\(path): cannot write (\(why))")
    }
  }

  /// The whole file as UTF-8 text, or a not-found / bad-input error naming it.
  static func read(_ path: String) throws -> String {
    guard FileManager.default.fileExists(atPath: path) else {
      throw CLIError(.notFound, "\(path): no such file")
    }
    guard let data = FileManager.default.contents(atPath: path) else {
      throw CLIError(.badInput, "\(path): cannot read")
    }
    guard let text = String(data: data, encoding: .utf8) else {
      throw CLIError(.badInput, "\(path): not UTF-8 text")
    }
    return text
  }
}
