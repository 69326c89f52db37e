import Foundation

/// A `PipelineStore` in memory, over `Pipeline`: for tests, previews and what-if runs.
public final class InMemoryStore: PipelineStore {
  public private(set) var pipeline: Pipeline
  private var version: Int64 = 0

  public var playbook: Playbook { pipeline.engine.playbook }

  public init(playbook: Playbook) {
    pipeline = Pipeline(playbook: playbook)
  }

  public func append(_ events: [Event]) throws(StoreError) -> [AppendStatus] {
    var out: [AppendStatus] = []
    for e in events {
      do {
        switch try pipeline.append(e) {
        case .added(let outcomes): out.append(.added(outcomes: outcomes))
        case .duplicate: out.append(.duplicate)
        }
      } catch {
        out.append(.refused(error))
      }
    }
    version += 1
    return out
  }

  @discardableResult
  public func replay(_ events: [Event]) throws(StoreError) -> Int {
    let before = pipeline.log.count
    pipeline.replay(events)
    version += 1
    return pipeline.log.count - before
  }

  public func tick(at now: Date) throws(StoreError) -> [Event] {
    version += 1
    return pipeline.tick(at: now)
  }

  public func stageTotals(at now: Date) throws(StoreError) -> [StageTotals] {
    pipeline.stageTotals(at: now)
  }

  public func leads(_ query: LeadQuery, at now: Date) throws(StoreError) -> [LeadState] {
    var list = pipeline.leads.values.filter { lead in
      guard query.matches(lead) else { return false }
      if query.stalledOnly {
        guard pipeline.engine.stall.isStalled(lead, at: now) else { return false }
      }
      return true
    }
    if query.stalledOnly {
      // Longest stalled first, as the SQL stores read them off their stall index.
      let stall = pipeline.engine.stall
      list.sort { (stall.boardStalledAt($0) ?? .distantFuture, $0.id) < (stall.boardStalledAt($1) ?? .distantFuture, $1.id) }
    } else {
      list.sort { ($0.stage.rank, -$0.score, $0.id) < ($1.stage.rank, -$1.score, $1.id) }
    }
    if let limit = query.limit { list = Array(list.prefix(max(0, limit))) }
    return list
  }

  public func lead(_ id: String) throws(StoreError) -> LeadState? { pipeline.leads[id] }

  public func events(forLead id: String) throws(StoreError) -> [Event] {
    pipeline.log.filter { $0.lead == id }
  }

  public func allEvents(asOf: Date?) throws(StoreError) -> [Event] {
    guard let asOf else { return pipeline.log }
    return pipeline.log.filter { $0.at <= asOf }
  }

  public func routingSnapshot() throws(StoreError) -> (state: RoutingState, load: [String: Int]) {
    (pipeline.routing, pipeline.load)
  }

  public func changeToken() throws(StoreError) -> Int64 { version }
}
