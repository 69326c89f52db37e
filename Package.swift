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
    // The executable: argument parsing, commands, wiring.
    .executableTarget(name: "leadboard", dependencies: ["LeadLifecycle"]),
    // Shared by every test target: a manual clock, fixtures, event builders.
    .target(name: "LeadboardTestSupport", dependencies: ["LeadLifecycle"]),
    .testTarget(
      name: "LeadLifecycleTests",
      dependencies: ["LeadLifecycle", "LeadboardTestSupport"]
    ),
  ],
  swiftLanguageModes: [.v6]
)
