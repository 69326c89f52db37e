import Foundation

extension Playbook {
  /// The effective playbook as JSON, with the same keys a playbook file uses, so the output of
  /// `leadboard playbook show --json` is itself a valid playbook.
  public var json: JSON {
    func range(_ r: NumberRange?) -> JSON {
      r.map { .array([.number($0.low), .number($0.high)]) } ?? .null
    }
    let stageJSON: [(String, JSON)] = Stage.allCases.map { id in
      let s = stage(id)
      var pairs: [(String, JSON)] = [
        ("label", .string(s.label)), ("owner", .string(s.owner)),
        ("definition", .string(s.definition)),
        ("stallAfter", s.stallAfter.map { .string($0.description) } ?? .null),
      ]
      if let b = s.benchmark {
        pairs.append(
          (
            "benchmark",
            .object([
              ("conversion", range(b.conversion)), ("averageDays", range(b.averageDays)),
              ("bestDays", range(b.bestDays)),
            ])
          ))
      } else {
        pairs.append(("benchmark", .null))
      }
      pairs.append(
        (
          "entry",
          .array(
            s.entry.map { c in
              c.min.map { .object([("field", .string(c.field)), ("min", .number($0))]) }
                ?? .string(c.field)
            })
        ))
      pairs.append(("winProbability", s.winProbability.map { .number($0) } ?? .null))
      return (id.rawValue, .object(pairs))
    }
    return .object([
      ("name", .string(name)),
      ("version", .int(1)),
      ("stages", .object(stageJSON)),
      ("scoring", scoring.json),
      ("routing", routing.json),
      ("sla", sla.json),
      ("recycle", recycle.json),
      (
        "qualification",
        .object([
          ("framework", .string(qualification.name)),
          (
            "fields",
            .array(
              qualification.fields.map {
                .object([
                  ("id", .string($0.id)), ("label", .string($0.label)),
                  ("question", .string($0.question)),
                ])
              })
          ),
        ])
      ),
      ("lostReasons", .array(lostReasons.map { .string($0) })),
      ("disqualifyReasons", .array(disqualifyReasons.map { .string($0) })),
    ])
  }
}

extension Condition {
  /// `field` plus the one test key, as in a playbook file.
  var jsonPairs: [(String, JSON)] {
    let test: (String, JSON)
    switch self.test {
    case .equals(let s): test = ("equals", .string(s))
    case .oneOf(let l): test = ("in", .array(l.map { .string($0) }))
    case .range(let r): test = ("range", .array([.number(r.low), .number(r.high)]))
    case .contains(let l): test = ("contains", .array(l.map { .string($0) }))
    case .present: test = ("present", .bool(true))
    }
    return [("field", .string(field)), test]
  }
}

extension ScoringPolicy {
  var json: JSON {
    let decayJSON: JSON
    switch decay {
    case .halfLife(let d): decayJSON = .object([("halfLifeDays", .number(d))])
    case .pointsPerInactiveWeek(let p): decayJSON = .object([("pointsPerInactiveWeek", .int(p))])
    case nil: decayJSON = .null
    }
    return .object([
      ("mqlThreshold", .int(mqlThreshold)),
      ("floor", floor.map { .int($0) } ?? .null),
      (
        "fit",
        .array(
          fit.map {
            .object(
              [("id", .string($0.id))] + $0.condition.jsonPairs + [("points", .int($0.points))])
          })
      ),
      (
        "behavior",
        .array(
          behavior.map { r in
            var p: [(String, JSON)] = [("id", .string(r.id)), ("event", .string(r.event.rawValue))]
            if let m = r.match { p.append(("match", .string(m))) }
            p.append(("points", .int(r.points)))
            if let c = r.cap { p.append(("cap", .int(c))) }
            return .object(p)
          })
      ),
      ("decay", decayJSON),
      (
        "highIntent",
        .object([
          ("events", .array(highIntent.events.map { .string($0.rawValue) })),
          (
            "pageViews",
            .array(
              highIntent.pageViews.map {
                .object([
                  ("path", .string($0.path)), ("count", .int($0.count)),
                  ("within", .string($0.within.description)),
                ])
              })
          ),
        ])
      ),
    ])
  }
}

extension WorkingHours {
  var jsonPairs: [(String, JSON)] {
    func hhmm(_ m: Int) -> String { String(format: "%02d:%02d", m / 60, m % 60) }
    return [
      (
        "days",
        .array(
          days.sorted(by: { ($0 + 5) % 7 < ($1 + 5) % 7 }).map {
            .string(WorkingHours.dayNames[$0 - 1])
          })
      ),
      ("start", .string(hhmm(start))), ("end", .string(hhmm(end))),
    ]
  }
}

extension RoutingPolicy {
  var json: JSON {
    .object([
      ("autoAssign", .bool(autoAssign)),
      ("strategy", .string(strategy.rawValue)),
      (
        "territories",
        .array(
          territories.map {
            .object([("team", .string($0.team)), ("when", .object($0.when.jsonPairs))])
          })
      ),
      ("defaultTeam", .optional(defaultTeam)),
      (
        "teams",
        .object(
          teamStrategies.keys.sorted().map {
            ($0, .object([("strategy", .string(teamStrategies[$0]!.rawValue))]))
          })
      ),
      (
        "reps",
        .array(
          reps.map { r in
            var p: [(String, JSON)] = [("id", .string(r.id)), ("name", .string(r.name))]
            p.append(("team", .optional(r.team)))
            p.append(("weight", .number(r.weight)))
            p.append(("capacity", r.capacity.map { .int($0) } ?? .null))
            p.append(("active", .bool(r.active)))
            p.append(("timeZone", .string(r.timeZone)))
            p.append(("workingHours", r.workingHours.map { .object($0.jsonPairs) } ?? .null))
            p.append(
              (
                "outOfOffice",
                .array(
                  r.outOfOffice.map {
                    .object([("from", .string($0.from)), ("to", .string($0.to))])
                  })
              ))
            return .object(p)
          })
      ),
    ])
  }
}

extension SLAPolicy {
  var json: JSON {
    var pairs: [(String, JSON)] = [
      ("businessHours", .object([("timeZone", .string(timeZone))] + businessHours.jsonPairs))
    ]
    for stage in Stage.allCases {
      // A stage without an SLA is written as null, so reading the output back over the
      // built-in defaults does not bring their SLA back.
      guard let s = stages[stage] else {
        pairs.append((stage.rawValue, .null))
        continue
      }
      pairs.append(
        (
          stage.rawValue,
          .object([
            ("target", .string(s.target.description)), ("workingHours", .bool(s.workingHours)),
            ("reassignOnBreach", .bool(s.reassignOnBreach)), ("until", .string(s.until.rawValue)),
          ])
        ))
    }
    return .object(pairs)
  }
}

extension RecyclePolicy {
  var json: JSON {
    .object([
      (
        "reasons",
        .array(
          reasons.map {
            .object([
              ("code", .string($0.code)), ("label", .string($0.label)),
              ("nurture", $0.nurture.map { .string($0.description) } ?? .null),
            ])
          })
      ),
      (
        "autoRecycle",
        autoRecycle.map {
          .object([
            ("attempts", .int($0.attempts)), ("within", .string($0.within.description)),
            ("reason", .string($0.reason)),
          ])
        } ?? .null
      ),
      ("maxRecycles", .int(maxRecycles)),
      ("resetBehaviorScore", .bool(resetBehaviorScore)),
    ])
  }
}
