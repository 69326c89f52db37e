import Foundation
import LeadLifecycle
import LeadboardTestSupport
import Testing

@Suite("Stages and black holes")
struct StageTests {
  @Test func funnelOrderAndNeighbours() {
    #expect(Stage.allCases.map(\.rank) == Array(0...6))
    #expect(Stage.visitor.previous == nil)
    #expect(Stage.known.next == .mql)
    #expect(Stage.customer.next == nil)
    #expect(Stage.sql < Stage.opportunity)
  }
}
