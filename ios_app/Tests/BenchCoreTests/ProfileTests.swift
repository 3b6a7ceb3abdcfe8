@testable import BenchCore
import XCTest

/// The spec's `profile`, the result's `profile` and `memory`, and the profiled pass coming after
/// the timed loop. Written against the documented APIs; compiled and run only by
/// .github/workflows/ios.yml (no Swift toolchain on benchctl's own machines): not yet verified.
final class ProfileTests: XCTestCase {
    private let input = TensorSpec(name: "input", shape: [1, 3, 224, 224], dtype: "float32")

    func testTheGoldenProfiledResultRoundTrips() throws {
        let data = try Golden.data("result_profile.json")
        let result = try ResultCodec.decode(data)
        XCTAssertEqual(result.profile?.operators.count, 9)
        XCTAssertEqual(result.memory?.source, "linux:/proc/self/status")
        let written = try ResultCodec.encode(result)
        XCTAssertEqual(try Golden.tree(written), try Golden.tree(data))
    }

    func testTheSpecsProfileIsReadAndChecked() throws {
        let spec = try SpecReader.parse(Golden.data("spec_profile.json"))
        XCTAssertEqual(spec.profile?.effectiveIterations, 20)
        XCTAssertNil(try SpecReader.parse(Golden.data("spec.json")).profile)
        for bad in [0, 10001] {
            let data = try Golden.editedSpec { $0["profile"] = ["iterations": bad] }
            XCTAssertThrowsError(try SpecReader.parse(data), "\(bad)") { error in
                XCTAssertEqual((error as? SpecError)?.code, "INVALID_SPEC")
            }
        }
    }

    func testMemoryPeakIsTheKernelsHighWaterMarkWhereGiven() {
        var track = MemoryTrack(source: "ios:phys_footprint")
        track.recordBeforeLoad(MemoryReading(residentBytes: 100, peakBytes: 100))
        track.recordAfterLoad(MemoryReading(residentBytes: 180, peakBytes: 250))
        track.sample(MemoryReading(residentBytes: 150, peakBytes: 260))
        XCTAssertEqual(track.usage, MemoryUsage(source: "ios:phys_footprint", rssBeforeLoadBytes: 100,
                                                rssAfterLoadBytes: 180, peakRssBytes: 260))
    }

    func testWallMedianIsPythonsRoundedMedian() throws {
        let clock = FakeClock()
        let predictor = ScriptedPredictor(clock: clock, durations: [30, 10, 21, 20], calls: Counter())
        XCTAssertEqual(try ProfiledPass.wallMedianNs(predictor, iterations: 4, clock: clock), 20) // 20.5 → 20
    }

    func testTheProfiledPassComesAfterTheTimedLoop() throws {
        let clock = FakeClock()
        let backend = ProfilingBackend(clock: clock, modelInputs: [input])
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let model = dir.appendingPathComponent("model.mlpackage")
        try Data([1, 2, 3]).write(to: model)
        let runner = BenchRunner(runner: RunnerInfo(name: "benchctl-ios", version: "0.1.0"), platform: FakePlatform(),
                                 backends: [backend], clock: clock)
        let sha = try runner.sha256(of: model)
        let spec = dir.appendingPathComponent("spec.json")
        try Golden.editedSpec { doc in
            let m = doc["model"] as! NSMutableDictionary
            m["path"] = "model.mlpackage"
            m["format"] = "mlpackage"
            m["sha256"] = sha
            (doc["backend"] as! NSMutableDictionary)["name"] = "profiling"
            (doc["timing"] as! NSMutableDictionary)["warmup_iters"] = 2
            doc["profile"] = ["iterations": 3]
        }.write(to: spec)
        let r = try runner.run(specURL: spec).result
        XCTAssertEqual(r.status, .ok)
        XCTAssertEqual(backend.callsWhenProfiled.value, 1 + 2 + 5) // first, warm-up, the golden 5 iters
        XCTAssertEqual(r.profile?.iterations, 3)
        XCTAssertEqual(r.profile?.operators.map(\.unit), ["ane", "cpu"])
        XCTAssertNil(r.memory) // FakePlatform measures no memory: no entry rather than zeros
    }
}

/// A backend whose model has a profiler: it records when it was called and returns a plan.
struct ProfilingBackend: Backend {
    let name = "profiling"
    let formats: Set<String> = ["mlpackage"]
    let clock: FakeClock
    var modelInputs: [TensorSpec]
    let calls = Counter()
    let callsWhenProfiled = Counter()

    func version() throws -> String { "1.0-test" }
    func accelerators() -> [String] { ["cpu"] }
    func load(model: URL, request: RunSpec.Backend) throws -> LoadedModel { Model(backend: self) }

    struct Model: LoadedModel {
        let backend: ProfilingBackend
        var inputs: [TensorSpec] { backend.modelInputs }
        func placement() -> Placement { Placement(acceleratorActual: "cpu") }
        func bind(tensors: [TensorSpec], seed: Int64) throws -> Predictor {
            ScriptedPredictor(clock: backend.clock, durations: [1000], calls: backend.calls)
        }

        func profile(predictor: Predictor, iterations: Int, clock: MonotonicClock) throws -> Profile? {
            backend.callsWhenProfiled.value = backend.calls.value
            let wall = try ProfiledPass.wallMedianNs(predictor, iterations: iterations, clock: clock)
            return Profile(profiler: "test plan", operators: [
                OperatorProfile(name: "conv_out", opType: "conv", unit: "ane", cost: 0.9),
                OperatorProfile(name: "softmax_out", opType: "softmax", unit: "cpu", cost: 0.1),
            ], timed: false, iterations: iterations, wallMedianNs: wall)
        }
    }
}
