@testable import BenchCore
import XCTest

final class ContractTests: XCTestCase {
    func testReadsTheGoldenSpec() throws {
        let spec = try SpecReader.parse(Golden.data("spec.json"))
        let tree = try Golden.tree(Golden.data("spec.json"))
        XCTAssertEqual(spec.runId, tree["run_id"] as? String)
        XCTAssertEqual(spec.timing.iters, (tree["timing"] as? NSDictionary)?["iters"] as? Int)
        XCTAssertEqual(spec.inputs.tensors.first?.shape, [1, 3, 224, 224])
        XCTAssertNil(spec.backend.options?.numThreads)
    }

    func testGoldenResultsRoundTripToTheSameDocument() throws {
        for name in ["result.json", "result_error.json"] {
            let data = try Golden.data(name)
            let result = try ResultCodec.decode(data)
            let written = try ResultCodec.encode(result)
            XCTAssertEqual(try Golden.tree(written), try Golden.tree(data), name)
            XCTAssertEqual(try ResultCodec.decode(written), result, name)
        }
    }

    func testSamplesAreExactIntegers() throws {
        let result = try ResultCodec.decode(Golden.data("result.json"))
        let tree = try Golden.tree(Golden.data("result.json"))
        let samples = ((tree["timing_ns"] as? NSDictionary)?["samples"] as? [NSNumber])?.map(\.int64Value)
        XCTAssertEqual(result.timing?.samples, samples)
    }

    func testRefusesBrokenSpecs() throws {
        let cases: [String: (NSMutableDictionary) -> Void] = [
            "zero iters": { ($0["timing"] as! NSMutableDictionary)["iters"] = 0 },
            "no tensors": { ($0["inputs"] as! NSMutableDictionary)["tensors"] = [Any]() },
            "bad sha": { ($0["model"] as! NSMutableDictionary)["sha256"] = "sha256:xyz" },
            "bad run id": { $0["run_id"] = "../../etc/passwd" },
            "missing output": { $0.removeObject(forKey: "output") },
            "iters as text": { ($0["timing"] as! NSMutableDictionary)["iters"] = "5" },
        ]
        for (name, edit) in cases {
            XCTAssertThrowsError(try SpecReader.parse(Golden.editedSpec(edit)), name) { error in
                XCTAssertEqual((error as? SpecError)?.code, "INVALID_SPEC", name)
            }
        }
    }

    func testANewerVersionIsUnsupported() throws {
        let data = try Golden.editedSpec { $0["version"] = 2 }
        XCTAssertThrowsError(try SpecReader.parse(data)) { error in
            XCTAssertEqual((error as? SpecError)?.status, .unsupportedVersion)
        }
    }

    func testTheWriterRefusesAZeroSample() throws {
        var result = try ResultCodec.decode(Golden.data("result.json"))
        result.timing?.samples[0] = 0
        XCTAssertThrowsError(try ResultCodec.encode(result))
    }

    /// JSONEncoder writes 1001.0 as 1001, which decodes as an integer: still the same number (I6).
    func testAWholeDoubleRoundTripsAsTheSameValue() throws {
        let value = JSONValue.object(["mean": .double(1001), "n": .int(3), "x": .double(0.5)])
        let decoded = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(value))
        guard case .int(1001)? = decoded["mean"] else { // how it comes back…
            return XCTFail("expected the whole double to decode as an integer: \(String(describing: decoded["mean"]))")
        }
        XCTAssertEqual(decoded, value) // …and it is equal
        XCTAssertNotEqual(JSONValue.double(1001.5), .int(1001))
        XCTAssertNotEqual(JSONValue.bool(true), .int(1))
    }
}
