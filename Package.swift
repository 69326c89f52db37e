// swift-tools-version:6.0
import PackageDescription

let package = Package(
  name: "leadboard",
  platforms: [.macOS(.v15)],
  products: [
    .executable(name: "leadboard", targets: ["leadboard"])
  ],
  targets: [
    // The domain: stages, events, playbook, scoring, routing, SLA, stall and recycle rules.
    // Imports Foundation only.
    .target(name: "LeadLifecycle"),
    // The event log and projections both stores write, over any SQL session (no database
    // library of its own: the engines plug in below it).
    .target(name: "StoreCore", dependencies: ["LeadLifecycle"]),
    // SQLite through Debian's libsqlite3-dev (the toolchain has no SQLite3 module on Linux).
    .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
    // The PipelineStore on SQLite: migrations, event log, projections, claims, change feed.
    .target(name: "SQLiteStore", dependencies: ["LeadLifecycle", "StoreCore", "CSQLite"]),
    // libpq through Debian's libpq-dev.
    .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
    // The PipelineStore on PostgreSQL (team mode): the same contract, LISTEN/NOTIFY change feed.
    .target(name: "PostgresStore", dependencies: ["LeadLifecycle", "StoreCore", "CLibPQ"]),
    // The deterministic demo pipeline generator (feeds any PipelineStore).
    .target(name: "DemoPipeline", dependencies: ["LeadLifecycle"]),
    // CSV readers, encodings, column presets and mappings, rejects, export.
    .target(name: "LeadImport", dependencies: ["LeadLifecycle"]),
    // Cells, screen buffer, display width, widgets: knows neither ncurses nor leads.
    .target(name: "TerminalKit"),
    // ncursesw through Debian's libncurses-dev; the shim restores what SwiftPM's dropped -D
    // flags and Swift's strict concurrency take away.
    .systemLibrary(name: "CNcursesw", pkgConfig: "ncursesw", providers: [.apt(["libncurses-dev"])]),
    // The only module that touches ncurses: draws screen buffers, reads keys, restores the terminal.
    .target(name: "CursesBackend", dependencies: ["TerminalKit", "CNcursesw"]),
    // The dashboard: state, actions, update, views, keymap, run loop.
    .target(name: "LeadboardApp", dependencies: ["LeadLifecycle", "TerminalKit"]),
    // The executable: argument parsing, commands, wiring.
    .executableTarget(
      name: "leadboard",
      dependencies: [
        "LeadLifecycle", "SQLiteStore", "TerminalKit", "DemoPipeline", "LeadImport", "LeadboardApp",
        "CursesBackend",
        "PostgresStore",
      ]),
    // The benchmarks: every figure beside a baseline measured in the same run.
    .executableTarget(
      name: "leadboard-bench",
      dependencies: [
        "LeadLifecycle", "SQLiteStore", "LeadboardApp", "TerminalKit", "CursesBackend",
      ],
      path: "Sources/LeadboardBench"),
    // Shared by every test target: a manual clock, fixtures, event builders.
    .target(name: "LeadboardTestSupport", dependencies: ["LeadLifecycle"]),
    .testTarget(
      name: "LeadLifecycleTests",
      dependencies: ["LeadLifecycle", "LeadboardTestSupport"]
    ),
    .testTarget(
      name: "TerminalKitTests",
      dependencies: ["TerminalKit"]
    ),
    .testTarget(
      name: "LeadboardAppTests",
      dependencies: ["LeadboardApp", "LeadLifecycle", "TerminalKit", "LeadboardTestSupport"],
      exclude: ["Snapshots"]
    ),
    .testTarget(
      name: "CursesBackendTests",
      dependencies: ["CursesBackend", "TerminalKit"]
    ),
    .testTarget(
      name: "LeadImportTests",
      dependencies: ["LeadImport", "LeadLifecycle", "LeadboardTestSupport"],
      exclude: ["Fixtures"]
    ),
    .testTarget(
      name: "DemoPipelineTests",
      dependencies: ["DemoPipeline", "LeadLifecycle", "LeadboardTestSupport"]
    ),
    .testTarget(
      name: "SQLiteStoreTests",
      dependencies: [
        "SQLiteStore", "StoreCore", "CSQLite", "LeadLifecycle", "LeadboardTestSupport",
        "PostgresStore",
      ]
    ),
  ],
  swiftLanguageModes: [.v6]
)
