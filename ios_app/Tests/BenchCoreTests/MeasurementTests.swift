@testable import BenchCore
import XCTest

final class MeasurementTests: XCTestCase {
    func testFirstCallWarmupAndSamplesAreSeparate() throws {
        let clock = FakeClock()
        let predictor = ScriptedPredictor(clock: clock, durations: [900, 10, 10, 10, 100, 200, 300], calls: Counter())
        let m = try TimingLoop(clock: clock).run(predictor, policy: RunSpec.Timing(warmupIters: 3, iters: 3))
        XCTAssertEqual(m.firstInferenceNs, 900)
        XCTAssertEqual(m.warmupTotalNs, 30)
        XCTAssertEqual(m.samples, [100, 200, 300])
        XCTAssertEqual(m.stoppedBy, "iters")
    }

    func testMaxTotalSecondsStopsBetweenChunks() throws {
        let clock = FakeClock()
        let predictor = ScriptedPredictor(clock: clock, durations: [300_000_000], calls: Counter())
        let policy = RunSpec.Timing(warmupIters: 0, iters: 100, maxTotalS: 1.0, progressEvery: 2)
        let m = try TimingLoop(clock: clock).run(predictor, policy: policy)
        XCTAssertEqual(m.stoppedBy, "max_total_s")
        XCTAssertEqual(m.samples.count, 4)
    }

    func testTheContinuousClockMoves() {
        XCTAssertNotNil(observedResolutionNs(ContinuousNanoClock()))
        XCTAssertNil(observedResolutionNs(FakeClock(), tries: 2, maxReads: 10))
    }

    func testStatisticsMatchNumpyDefinitions() throws {
        let s = try XCTUnwrap(Statistics.summarize([5, 1, 4, 2, 3]))
        XCTAssertEqual(s.median, 3)
        XCTAssertEqual(s.std, 2.5.squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(s.mad, 1)
        XCTAssertEqual(s.iqr, 2)
        XCTAssertEqual(Statistics.percentile(sorted: [1, 2, 3, 4], 90), 3.7, accuracy: 1e-12)
        XCTAssertNil(Statistics.summarize([]))
    }

    func testThermalGateWaitsThenAborts() throws {
        let gate = try ThermalGate(gates: RunSpec.Gates(maxThermalStatus: "fair", cooldownS: 20))
        let hot = ThermalGate.Reading(thermal: "serious", batteryPct: 80, charging: false)
        XCTAssertEqual(gate.decide(hot, waitedMilliseconds: 0), .coolDown(waitMilliseconds: 5_000, reason: "thermal state serious is above the spec's max fair"))
        guard case let .refuse(status, code, _) = gate.decide(hot, waitedMilliseconds: 20_000) else {
            return XCTFail("a device still hot after the cool-down budget must be refused")
        }
        XCTAssertEqual(status, .thermalAbort)
        XCTAssertEqual(code, "THERMAL_LIMIT")
        XCTAssertThrowsError(try ThermalGate(gates: RunSpec.Gates(maxThermalStatus: "light"))) // an Android name
    }

    func testLaunchArguments() throws {
        let home = URL(fileURLWithPath: "/var/mobile/Containers/Data/Application/X")
        let relative = "Documents/benchctl/work/abc/spec.json"
        XCTAssertEqual(try LaunchArguments.specPath(["app", "--spec", relative], container: home).path, home.path + "/" + relative)
        XCTAssertEqual(try LaunchArguments.specPath(["app", relative], container: home).path, home.path + "/" + relative)
        XCTAssertEqual(try LaunchArguments.specPath(["app", "--spec=/tmp/s.json"], container: home).path, "/tmp/s.json")
        XCTAssertEqual(try LaunchArguments.specPath(["app", "-NSDoubleLocalizedStrings", "YES", relative], container: home).lastPathComponent, "spec.json")
        XCTAssertEqual(try LaunchArguments.specPath(["app", "--", "--spec", relative], container: home).path, home.path + "/" + relative)
        XCTAssertThrowsError(try LaunchArguments.specPath(["app"], container: home))
        XCTAssertThrowsError(try LaunchArguments.specPath(["app", "a.json", "b.json"], container: home))
    }
}
