import Foundation

/// Standard output and error, written as UTF-8.
enum Console {
  static func out(_ s: String) {
    FileHandle.standardOutput.write(Data((s.hasSuffix("\n") ? s : s + "\n").utf8))
  }
  static func err(_ s: String) {
    FileHandle.standardError.write(Data((s.hasSuffix("\n") ? s : s + "\n").utf8))
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
