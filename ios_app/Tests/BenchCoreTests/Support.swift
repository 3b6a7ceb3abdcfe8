@testable import BenchCore
import Foundation
import XCTest

/// The repository's own contract files (never copies), found from this source file's path.
enum Golden {
    static let repo = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent() // BenchCoreTests
        .deletingLastPathComponent() // Tests
        .deletingLastPathComponent() // ios_app
        .deletingLastPathComponent() // repository root
    static let examples = repo.appendingPathComponent("benchctl/runner/contract/examples")

    static func data(_ name: String) throws -> Data {
        try Data(contentsOf: examples.appendingPathComponent(name))
    }

    /// The document as a JSON object tree, for order-insensitive comparison.
    static func tree(_ data: Data) throws -> NSDictionary {
        try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? NSDictionary)
    }

    static func editedSpec(_ edit: (NSMutableDictionary) -> Void) throws -> Data {
        let doc = try XCTUnwrap(
            JSONSerialization.jsonObject(with: data("spec.json"), options: .mutableContainers) as? NSMutableDictionary
        )
        edit(doc)
        return try JSONSerialization.data(withJSONObject: doc)
    }
}

/// A clock the test drives: each reading advances `tick`; predictors advance it further.
final class FakeClock: MonotonicClock {
    let name = "fake"
    var now: Int64 = 1_000_000
    let tick: Int64

    init(tick: Int64 = 0) { self.tick = tick }

    func nanoseconds() -> Int64 {
        now += tick
        return now
    }

    func sleep(milliseconds: Int64) { now += milliseconds * 1_000_000 }
}

struct ScriptedPredictor: Predictor {
    let clock: FakeClock
    let durations: [Int64]
    let calls: Counter

    func predict() throws {
        clock.now += durations[calls.value % durations.count]
        calls.value += 1
    }
}

final class Counter {
    var value = 0
}

/// A backend whose model "runs" by advancing a FakeClock.
struct FakeBackend: Backend {
    let name = "fake"
    let formats: Set<String> = ["mlpackage", "tflite"]
    let clock: FakeClock
    var durations: [Int64] = [1000]
    var modelInputs: [TensorSpec]
    var actual: String? = "cpu"
    let calls = Counter()

    func version() throws -> String { "1.0-test" }
    func accelerators() -> [String] { ["cpu"] }

    func load(model: URL, request: RunSpec.Backend) throws -> LoadedModel {
        FakeModel(backend: self)
    }

    struct FakeModel: LoadedModel {
        let backend: FakeBackend
        var inputs: [TensorSpec] { backend.modelInputs }
        func placement() -> Placement { Placement(acceleratorActual: backend.actual, totalNodes: 12) }
        func bind(tensors: [TensorSpec], seed: Int64) throws -> Predictor {
            ScriptedPredictor(clock: backend.clock, durations: backend.durations, calls: backend.calls)
        }
    }
}

struct FakePlatform: Platform {
    var readings: [ThermalGate.Reading] = [ThermalGate.Reading(thermal: "nominal", batteryPct: 90, charging: false)]
    let taken = Counter()

    func deviceFacts() -> [String: JSONValue] { .facts(["platform": "ios-test"]) }

    func snapshot() -> (reading: ThermalGate.Reading, details: [String: JSONValue]) {
        let r = readings[min(taken.value, readings.count - 1)]
        taken.value += 1
        return (r, .facts(["thermal": r.thermal, "battery_pct": r.batteryPct]))
    }
}
