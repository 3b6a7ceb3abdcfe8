@testable import BenchCore
import XCTest

final class BenchRunnerTests: XCTestCase {
    private let input = TensorSpec(name: "input", shape: [1, 3, 224, 224], dtype: "float32")

    /// The golden spec in a temporary folder, pointing at a model file written there.
    private func stage(_ edit: (NSMutableDictionary) -> Void = { _ in }) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let model = dir.appendingPathComponent("model.mlpackage")
        try Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 * 31) }).write(to: model)
        let runner = BenchRunner(runner: RunnerInfo(name: "t", version: "0"), platform: FakePlatform(), backends: [])
        let sha = try runner.sha256(of: model)
        let data = try Golden.editedSpec { doc in
            let m = doc["model"] as! NSMutableDictionary
            m["path"] = "model.mlpackage"
            m["format"] = "mlpackage"
            m["sha256"] = sha
            (doc["backend"] as! NSMutableDictionary)["name"] = "fake"
            edit(doc)
        }
        let spec = dir.appendingPathComponent("spec.json")
        try data.write(to: spec)
        return spec
    }

    private func run(_ spec: URL, _ backend: FakeBackend, _ platform: FakePlatform = FakePlatform()) throws -> RunResult {
        let outcome = try BenchRunner(
            runner: RunnerInfo(name: "benchctl-ios", version: "0.1.0"), platform: platform,
            backends: [backend], clock: backend.clock
        ).run(specURL: spec)
        XCTAssertEqual(try ResultCodec.decode(Data(contentsOf: outcome.resultURL)), outcome.result)
        return outcome.result
    }

    func testAnOkRun() throws {
        let clock = FakeClock(tick: 1)
        let spec = try stage { ($0["timing"] as! NSMutableDictionary)["warmup_iters"] = 0 }
        let r = try run(spec, FakeBackend(clock: clock, durations: [5000, 1000, 1100, 1200, 1300, 1400], modelInputs: [input]))
        XCTAssertEqual(r.status, .ok)
        XCTAssertEqual(r.timing?.firstInference, 5001)
        XCTAssertEqual(r.timing?.samples, [1001, 1101, 1201, 1301, 1401])
        XCTAssertEqual(r.runtime?.acceleratorActual, "cpu")
    }

    func testFallbackMismatchAndUnknownBackend() throws {
        let clock = FakeClock(tick: 1)
        var gpuOnly = FakeBackend(clock: clock, modelInputs: [input])
        gpuOnly.actual = "cpu"
        let fallback = try run(try stage { ($0["backend"] as! NSMutableDictionary)["accelerator"] = "ane" }, gpuOnly)
        XCTAssertEqual(fallback.error?.code, "ACCELERATOR_FALLBACK")
        let mismatch = try run(try stage(), FakeBackend(clock: clock, modelInputs: [TensorSpec(name: "x", shape: [1], dtype: "float32")]))
        XCTAssertEqual(mismatch.error?.code, "INPUT_MISMATCH")
        let unknown = try run(try stage { ($0["backend"] as! NSMutableDictionary)["name"] = "tensorrt" }, gpuOnly)
        XCTAssertEqual(unknown.status, .unsupportedBackend)
    }

    func testAHotDeviceIsAThermalAbort() throws {
        let clock = FakeClock(tick: 1)
        let spec = try stage { $0["environment"] = ["max_thermal_status": "nominal", "cooldown_s": 10] as [String: Any] }
        let hot = FakePlatform(readings: [ThermalGate.Reading(thermal: "serious", batteryPct: 80, charging: false)])
        let r = try run(spec, FakeBackend(clock: clock, modelInputs: [input]), hot)
        XCTAssertEqual(r.status, .thermalAbort)
    }

    /// The expected digest was computed by the host's benchctl/runner/digest.py for this tree:
    /// the order of a/b.bin before a-c.txt is path-component order, not string order.
    func testFolderDigestMatchesTheHost() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
            .appendingPathComponent("pkg.mlpackage")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("a"), withIntermediateDirectories: true)
        try Data("xyz".utf8).write(to: root.appendingPathComponent("a/b.bin"))
        try Data("hello".utf8).write(to: root.appendingPathComponent("a-c.txt"))
        try Data("{}".utf8).write(to: root.appendingPathComponent("Manifest.json"))
        let runner = BenchRunner(runner: RunnerInfo(name: "t", version: "0"), platform: FakePlatform(), backends: [])
        XCTAssertEqual(try runner.sha256(of: root), "sha256:847f6716f227e760abe195f98e8f75b0af19c74b1de623f59272e3f131cecd0e")
    }
}
