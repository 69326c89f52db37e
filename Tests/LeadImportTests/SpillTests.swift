import Foundation
import Testing

@testable import LeadImport

/// An import killed with `kill -9` leaves its bucket folder (copies of the imported rows)
/// behind; the next import removes the folders of processes that no longer exist.
@Suite("Import temporary folders")
struct SpillTests {
  @Test func orphanedBucketFoldersAreRemovedLiveOnesKept() throws {
    // Given a bucket folder of a process that does not exist, and one of this process
    let tmp = NSTemporaryDirectory()
    let orphan = tmp + "/leadboard-import-99999999-test\(UInt32.random(in: 0...UInt32.max))"
    let mine = tmp + "/leadboard-import-\(getpid())-test\(UInt32.random(in: 0...UInt32.max))"
    for d in [orphan, mine] {
      try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: false)
      FileManager.default.createFile(atPath: d + "/0", contents: Data("row\n".utf8))
    }
    defer { try? FileManager.default.removeItem(atPath: mine) }

    // When an import makes its buckets
    let spill = try Spill(buckets: 4)

    // Then the orphan is gone, the live process's folder stays, and the new folder carries
    // this process's id
    #expect(!FileManager.default.fileExists(atPath: orphan))
    #expect(FileManager.default.fileExists(atPath: mine))
    #expect(spill.dir.contains("leadboard-import-\(getpid())-"))
  }
}
