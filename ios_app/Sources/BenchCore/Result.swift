import Foundation

/// How a run ended: the schema's `status` enum.
public enum Status: String, Codable {
    case ok
    case error
    case timeout
    case thermalAbort = "thermal_abort"
    case unsupportedVersion = "unsupported_version"
    case unsupportedBackend = "unsupported_backend"
}

public struct RunError: Codable, Equatable {
    public var code: String
    public var message: String
}

public struct RunnerInfo: Codable, Equatable {
    public var name: String
    public var version: String
    public var contractVersions: [Int]

    public init(name: String, version: String, contractVersions: [Int] = Contract.supportedVersions) {
        self.name = name
        self.version = version
        self.contractVersions = contractVersions
    }

    enum CodingKeys: String, CodingKey { case name, version, contractVersions = "contract_versions" }
}

/// What the runtime reports it did; `acceleratorActual == nil` means it cannot tell.
public struct RuntimeInfo: Codable, Equatable {
    public var name: String
    public var version: String
    public var backend: String
    public var acceleratorRequested: String
    public var acceleratorActual: String?
    public var delegatedNodes: Int?
    public var totalNodes: Int?
    public var planSummary: JSONValue?

    enum CodingKeys: String, CodingKey {
        case name, version, backend
        case acceleratorRequested = "accelerator_requested", acceleratorActual = "accelerator_actual"
        case delegatedNodes = "delegated_nodes", totalNodes = "total_nodes", planSummary = "plan_summary"
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(version, forKey: .version)
        try c.encode(backend, forKey: .backend)
        try c.encode(acceleratorRequested, forKey: .acceleratorRequested)
        try c.encode(acceleratorActual, forKey: .acceleratorActual) // null is meaningful: "cannot tell"
        try c.encode(delegatedNodes, forKey: .delegatedNodes)
        try c.encode(totalNodes, forKey: .totalNodes)
        try c.encodeIfPresent(planSummary, forKey: .planSummary)
    }
}

public struct Warmup: Codable, Equatable {
    public var count: Int
    public var total: Int64
}

/// Every time in nanoseconds; `samples` are the timed calls in the order measured.
public struct TimingNs: Codable, Equatable {
    public var clock: String
    public var clockResolution: Int64?
    public var loopOverhead: Int64?
    public var compile: Int64?
    public var load: Int64?
    public var firstInference: Int64?
    public var warmup: Warmup?
    public var samples: [Int64]
    public var summary: [String: JSONValue]?

    enum CodingKeys: String, CodingKey {
        case clock, clockResolution = "clock_resolution", loopOverhead = "loop_overhead", compile, load
        case firstInference = "first_inference", warmup, samples, summary
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(clock, forKey: .clock)
        try c.encode(clockResolution, forKey: .clockResolution)
        try c.encode(loopOverhead, forKey: .loopOverhead)
        try c.encode(compile, forKey: .compile)
        try c.encode(load, forKey: .load)
        try c.encode(firstInference, forKey: .firstInference)
        try c.encodeIfPresent(warmup, forKey: .warmup)
        try c.encode(samples, forKey: .samples)
        try c.encodeIfPresent(summary, forKey: .summary)
    }
}

/// One `benchctl.result` v1 document. `device` and `environment` are open objects.
public struct RunResult: Codable, Equatable {
    public var schema = Contract.result
    public var version = Contract.version
    public var runId: String
    public var status: Status
    public var error: RunError?
    public var runner: RunnerInfo
    public var modelSha256: String?
    public var device: [String: JSONValue]?
    public var runtime: RuntimeInfo?
    public var timing: TimingNs?
    public var environment: [String: JSONValue]?
    public var startedAt: String
    public var finishedAt: String
    public var memory: MemoryUsage?
    public var profile: Profile?

    enum CodingKeys: String, CodingKey {
        case schema, version, runId = "run_id", status, error, runner, modelSha256 = "model_sha256"
        case device, runtime, timing = "timing_ns", environment, startedAt = "started_at", finishedAt = "finished_at"
        case memory, profile
    }

    public init(
        runId: String, status: Status, error: RunError?, runner: RunnerInfo, modelSha256: String? = nil,
        device: [String: JSONValue]? = nil, runtime: RuntimeInfo? = nil, timing: TimingNs? = nil,
        environment: [String: JSONValue]? = nil, startedAt: String, finishedAt: String,
        memory: MemoryUsage? = nil, profile: Profile? = nil
    ) {
        self.runId = runId
        self.status = status
        self.error = error
        self.runner = runner
        self.modelSha256 = modelSha256
        self.device = device
        self.runtime = runtime
        self.timing = timing
        self.environment = environment
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.memory = memory
        self.profile = profile
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(schema, forKey: .schema)
        try c.encode(version, forKey: .version)
        try c.encode(runId, forKey: .runId)
        try c.encode(status, forKey: .status)
        try c.encode(error, forKey: .error) // always present: null when the run is ok
        try c.encode(runner, forKey: .runner)
        try c.encodeIfPresent(modelSha256, forKey: .modelSha256)
        try c.encodeIfPresent(device, forKey: .device)
        try c.encodeIfPresent(runtime, forKey: .runtime)
        try c.encodeIfPresent(timing, forKey: .timing)
        try c.encodeIfPresent(environment, forKey: .environment)
        try c.encode(startedAt, forKey: .startedAt)
        try c.encode(finishedAt, forKey: .finishedAt)
        try c.encodeIfPresent(memory, forKey: .memory)
        try c.encodeIfPresent(profile, forKey: .profile)
    }
}

/// A document that breaks a schema rule the types alone cannot hold.
public struct ContractViolation: Error, Equatable, CustomStringConvertible {
    public var path: String
    public var detail: String
    public var description: String { "\(path): \(detail)" }
}

/// Reads and writes results, refusing what result.schema.json refuses.
public enum ResultCodec {
    public static func decode(_ data: Data) throws -> RunResult {
        let r = try JSONDecoder().decode(RunResult.self, from: data)
        try check(r)
        return r
    }

    public static func encode(_ r: RunResult) throws -> Data {
        try check(r)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(r)
    }

    /// Write so a reader sees the whole document or nothing (a temporary file, then a rename).
    public static func write(_ r: RunResult, to url: URL) throws {
        try encode(r).write(to: url, options: .atomic)
    }

    public static func check(_ r: RunResult) throws {
        func fail(_ path: String, _ detail: String) -> ContractViolation { ContractViolation(path: path, detail: detail) }
        guard r.schema == Contract.result else { throw fail("schema", "must be \(Contract.result)") }
        guard r.version >= 1 else { throw fail("version", "must be ≥ 1") }
        guard Contract.isRunId(r.runId) else { throw fail("run_id", "must be 32 lowercase hex digits") }
        guard !r.runner.contractVersions.isEmpty else { throw fail("runner/contract_versions", "must not be empty") }
        if let code = r.error?.code {
            let ok = code.first.map { ("A"..."Z").contains($0) } == true &&
                code.allSatisfy { ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
            guard ok else { throw fail("error/code", "must be UPPER_SNAKE") }
        }
        if let sha = r.modelSha256, !Contract.isSha256(sha) { throw fail("model_sha256", "must be sha256:<hex>") }
        if let d = r.device, d["platform"]?.stringValue == nil { throw fail("device/platform", "required string") }
        if let t = r.timing {
            for (i, s) in t.samples.enumerated() where s < 1 || s > Contract.maxSampleNs {
                throw fail("timing_ns/samples/\(i)", "sample \(s) ns is outside (0, 1 h]")
            }
            for (name, v) in [("load", t.load), ("first_inference", t.firstInference), ("compile", t.compile)] {
                if let v, v < 0 { throw fail("timing_ns/\(name)", "must be ≥ 0") }
            }
        }
        try checkProfile(r.profile, r.memory)
        guard ISO8601.parse(r.startedAt) != nil else { throw fail("started_at", "must be an RFC 3339 date-time") }
        guard ISO8601.parse(r.finishedAt) != nil else { throw fail("finished_at", "must be an RFC 3339 date-time") }
        if r.status == .ok {
            guard r.error == nil else { throw fail("error", "must be null when status is ok") }
            guard r.runtime != nil, r.device != nil, r.modelSha256 != nil else {
                throw fail("(document)", "an ok result needs runtime, device and model_sha256")
            }
            guard let t = r.timing, t.load != nil, t.firstInference != nil, t.warmup != nil, !t.samples.isEmpty else {
                throw fail("timing_ns", "an ok result needs load, first_inference, warmup and samples")
            }
        } else if r.error == nil {
            throw fail("error", "a \(r.status.rawValue) result needs an error object")
        }
    }
}
