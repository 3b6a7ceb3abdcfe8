import Foundation

/// The contract's fixed names (benchctl/runner/contract) and the versions this runner speaks.
public enum Contract {
    public static let spec = "benchctl.spec"
    public static let result = "benchctl.result"
    public static let capabilities = "benchctl.capabilities"
    public static let version = 1
    public static let supportedVersions = [1]
    public static let modelFormats: Set<String> = ["onnx", "tflite", "mlpackage", "engine", "pt2"]
    public static let dtypes: Set<String> = ["float32", "float16", "int8", "uint8", "int32", "int64"]
    /// The longest sample the schema accepts: one hour, in nanoseconds.
    public static let maxSampleNs: Int64 = 3_600_000_000_000

    static func isRunId(_ s: String) -> Bool {
        s.count == 32 && s.allSatisfy { ("0"..."9").contains($0) || ("a"..."f").contains($0) }
    }

    static func isSha256(_ s: String) -> Bool {
        guard s.hasPrefix("sha256:") else { return false }
        let hex = s.dropFirst(7)
        return hex.count == 64 && hex.allSatisfy { ("0"..."9").contains($0) || ("a"..."f").contains($0) }
    }
}

/// One `benchctl.spec` v1 document; property names follow the schema through CodingKeys.
public struct RunSpec: Decodable, Equatable {
    public struct Model: Decodable, Equatable {
        public var path: String
        public var format: String
        public var sha256: String
        public var name: String?
    }

    public struct Options: Decodable, Equatable {
        public var numThreads: Int?
        public var precision: String?
        public var computeUnits: String?

        enum CodingKeys: String, CodingKey {
            case numThreads = "num_threads", precision, computeUnits = "compute_units"
        }
    }

    public struct Backend: Decodable, Equatable {
        public var name: String
        public var accelerator: String // requested; a different actual one fails unless allowed
        public var allowFallback: Bool?
        public var options: Options?

        enum CodingKeys: String, CodingKey {
            case name, accelerator, allowFallback = "allow_fallback", options
        }
    }

    public struct Inputs: Decodable, Equatable {
        public var mode: String?
        public var seed: Int64
        public var tensors: [TensorSpec]
    }

    public struct Timing: Decodable, Equatable {
        public var warmupIters: Int
        public var iters: Int
        public var maxTotalS: Double?
        public var progressEvery: Int?

        enum CodingKeys: String, CodingKey {
            case warmupIters = "warmup_iters", iters, maxTotalS = "max_total_s", progressEvery = "progress_every"
        }
    }

    /// Gates from the spec's free-form `environment` object; absent keys mean "no gate".
    public struct Gates: Decodable, Equatable {
        public var maxThermalStatus: String?
        public var minBatteryPct: Int?
        public var cooldownS: Double?

        enum CodingKeys: String, CodingKey {
            case maxThermalStatus = "max_thermal_status", minBatteryPct = "min_battery_pct", cooldownS = "cooldown_s"
        }
    }

    public struct Output: Decodable, Equatable {
        public var resultPath: String

        enum CodingKeys: String, CodingKey { case resultPath = "result_path" }
    }

    public var schema: String
    public var version: Int
    public var runId: String
    public var createdAt: String
    public var model: Model
    public var backend: Backend
    public var inputs: Inputs
    public var timing: Timing
    public var environment: Gates?
    public var output: Output
    /// A profiled pass after the timed loop; nil: none.
    public var profile: ProfileRequest?

    enum CodingKeys: String, CodingKey {
        case schema, version, runId = "run_id", createdAt = "created_at", model, backend, inputs, timing
        case environment, output, profile
    }
}

public struct TensorSpec: Codable, Equatable {
    public var name: String
    public var shape: [Int]
    public var dtype: String

    public init(name: String, shape: [Int], dtype: String) {
        self.name = name
        self.shape = shape
        self.dtype = dtype
    }

    public var elementCount: Int { shape.reduce(1, *) }
}

/// A spec the runner must refuse; `status` and `code` go into the result document.
public struct SpecError: Error, Equatable {
    public var status: Status
    public var code: String
    public var message: String
}

/// Reads a `benchctl.spec` and checks it the way the JSON Schema does, so the app refuses what
/// the Python runner refuses. Unknown fields are ignored (the contract's rule).
public enum SpecReader {
    private struct Header: Decodable {
        var version: Int?
        var runId: String?

        enum CodingKeys: String, CodingKey { case version, runId = "run_id" }
    }

    /// The run id if the data has a well-formed one, so even a refused spec's result names its run.
    public static func runId(in data: Data) -> String? {
        guard let header = try? JSONDecoder().decode(Header.self, from: data),
              let id = header.runId, Contract.isRunId(id) else { return nil }
        return id
    }

    public static func parse(_ data: Data) throws -> RunSpec {
        let header: Header
        do {
            header = try JSONDecoder().decode(Header.self, from: data)
        } catch {
            throw SpecError(status: .error, code: ErrorCodes.INVALID_SPEC, message: "not a JSON object: \(error)")
        }
        guard let version = header.version, Contract.supportedVersions.contains(version) else {
            throw SpecError(
                status: .unsupportedVersion,
                code: ErrorCodes.UNSUPPORTED_CONTRACT_VERSION,
                message: "spec version \(header.version.map(String.init) ?? "missing"); this runner speaks \(Contract.supportedVersions)"
            )
        }
        let spec: RunSpec
        do {
            spec = try JSONDecoder().decode(RunSpec.self, from: data)
        } catch let DecodingError.keyNotFound(key, context) {
            throw invalid(path(context.codingPath + [key]), "required field is missing")
        } catch let DecodingError.typeMismatch(_, context) {
            throw invalid(path(context.codingPath), "has the wrong type")
        } catch let DecodingError.valueNotFound(_, context) {
            throw invalid(path(context.codingPath), "must not be null")
        } catch {
            throw invalid("(document)", "\(error)")
        }
        try check(spec)
        return spec
    }

    static func check(_ s: RunSpec) throws {
        guard s.schema == Contract.spec else { throw invalid("schema", "must be \(Contract.spec)") }
        guard Contract.isRunId(s.runId) else { throw invalid("run_id", "must be 32 lowercase hex digits") }
        guard ISO8601.parse(s.createdAt) != nil else { throw invalid("created_at", "must be an RFC 3339 date-time") }
        guard !s.model.path.isEmpty else { throw invalid("model/path", "must not be empty") }
        guard Contract.modelFormats.contains(s.model.format) else { throw invalid("model/format", "unknown format") }
        guard Contract.isSha256(s.model.sha256) else { throw invalid("model/sha256", "must be sha256:<64 hex digits>") }
        guard !s.backend.name.isEmpty else { throw invalid("backend/name", "must not be empty") }
        guard !s.backend.accelerator.isEmpty else { throw invalid("backend/accelerator", "must not be empty") }
        if let n = s.backend.options?.numThreads, n < 1 { throw invalid("backend/options/num_threads", "must be ≥ 1") }
        if let mode = s.inputs.mode, mode != "random" { throw invalid("inputs/mode", "must be \"random\"") }
        guard s.inputs.seed >= 0 else { throw invalid("inputs/seed", "must be ≥ 0") }
        guard !s.inputs.tensors.isEmpty else { throw invalid("inputs/tensors", "must list at least one tensor") }
        for (i, t) in s.inputs.tensors.enumerated() {
            guard !t.shape.isEmpty, t.shape.allSatisfy({ $0 >= 1 }) else {
                throw invalid("inputs/tensors/\(i)/shape", "dimensions must be ≥ 1")
            }
            guard Contract.dtypes.contains(t.dtype) else { throw invalid("inputs/tensors/\(i)/dtype", "unknown dtype") }
        }
        guard s.timing.warmupIters >= 0 else { throw invalid("timing/warmup_iters", "must be ≥ 0") }
        guard (1...10_000_000).contains(s.timing.iters) else { throw invalid("timing/iters", "must be in 1…10000000") }
        if let m = s.timing.maxTotalS, !(m > 0) { throw invalid("timing/max_total_s", "must be > 0") }
        if let p = s.timing.progressEvery, p < 0 { throw invalid("timing/progress_every", "must be ≥ 0") }
        guard !s.output.resultPath.isEmpty else { throw invalid("output/result_path", "must not be empty") }
        if let n = s.profile?.iterations, !(1...ProfileRequest.maxIterations).contains(n) {
            throw invalid("profile/iterations", "must be in 1…\(ProfileRequest.maxIterations)")
        }
    }

    private static func invalid(_ where_: String, _ detail: String) -> SpecError {
        SpecError(status: .error, code: ErrorCodes.INVALID_SPEC, message: "benchctl.spec invalid at \(where_): \(detail)")
    }

    private static func path(_ keys: [CodingKey]) -> String {
        keys.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: "/")
    }
}

/// UTC timestamps as the contract writes them (RFC 3339 with a `Z`, microseconds).
public enum ISO8601 {
    public static func now() -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: Date())
    }

    public static func parse(_ text: String) -> Date? {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let d = f.date(from: text) { return d }
        f.formatOptions = [.withInternetDateTime]
        if let d = f.date(from: text) { return d }
        // Some OS versions read at most three fractional digits; the contract writes six.
        guard let dot = text.firstIndex(of: "."),
              let end = text[dot...].firstIndex(where: { !$0.isNumber && $0 != "." }) else { return nil }
        return f.date(from: String(text[..<dot]) + String(text[end...]))
    }
}
