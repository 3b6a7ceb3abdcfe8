import CryptoKit
import Foundation

/// One `benchctl.spec` in, one `benchctl.result` out — the iOS twin of the Python runner and of
/// the Android core. It always writes a result (an error status with a code when something
/// fails) beside the spec; the error codes are the Python runner's.
public final class BenchRunner {
    struct Failure: Error {
        var status: Status
        var code: String
        var message: String
    }

    public struct Outcome {
        public var result: RunResult
        public var resultURL: URL
    }

    let runner: RunnerInfo
    let platform: Platform
    let backends: [String: Backend]
    let clock: MonotonicClock
    let progress: TimingLoop.Progress?

    public init(runner: RunnerInfo, platform: Platform, backends: [Backend],
                clock: MonotonicClock = ContinuousNanoClock(), progress: TimingLoop.Progress? = nil) {
        self.runner = runner
        self.platform = platform
        self.backends = Dictionary(uniqueKeysWithValues: backends.map { ($0.name, $0) })
        self.clock = clock
        self.progress = progress
    }

    /// Run the spec at `specURL`; throws only when the result itself cannot be written.
    public func run(specURL: URL) throws -> Outcome {
        let started = ISO8601.now()
        let specDir = specURL.deletingLastPathComponent()
        var resultURL = specDir.appendingPathComponent("result.json")
        var runId = String(repeating: "0", count: 32)
        var status = Status.error
        // Not `error`: inside a `catch` without a pattern that name is the caught error, a `let`
        // (assigning to it there does not compile).
        var runError: RunError?
        var measured: Measured?
        var environment = platform.buildFacts()
        do {
            let data: Data
            do {
                data = try Data(contentsOf: specURL)
            } catch {
                throw Failure(status: .error, code: ErrorCodes.SPEC_UNREADABLE, message: "cannot read \(specURL.path): \(error)")
            }
            if let id = SpecReader.runId(in: data) { runId = id }
            let spec: RunSpec
            do {
                spec = try SpecReader.parse(data)
            } catch let e as SpecError {
                throw Failure(status: e.status, code: e.code, message: e.message)
            }
            let out = specDir.appendingPathComponent(spec.output.resultPath).standardizedFileURL
            guard out.deletingLastPathComponent().path == specDir.standardizedFileURL.path else {
                throw Failure(status: .error, code: ErrorCodes.INVALID_SPEC, message: "output.result_path must stay in the spec's folder")
            }
            resultURL = out
            let gate: ThermalGate
            do {
                gate = try ThermalGate(gates: spec.environment ?? RunSpec.Gates())
            } catch let e as SpecError {
                throw Failure(status: e.status, code: e.code, message: e.message)
            }
            let before = try awaitGates(gate, environment: &environment)
            let m = try execute(spec, specDir: specDir)
            measured = m
            let after = platform.snapshot()
            environment["after"] = .object(after.details)
            environment["stopped_by"] = .string(m.loop.stoppedBy)
            environment["warnings"] = .array(gate.warnings(before: before, after: after.reading).map { .string($0) })
            if m.loop.stoppedBy == "iters" {
                status = .ok
            } else {
                status = .timeout
                runError = RunError(code: ErrorCodes.MAX_TOTAL_TIME, message: "max_total_s reached before all iterations ran")
            }
        } catch let f as Failure {
            status = f.status
            runError = RunError(code: f.code, message: f.message)
        } catch {
            status = .error
            runError = RunError(code: ErrorCodes.RUNNER_CRASHED, message: "\(error)")
        }
        var result = RunResult(
            runId: runId, status: status, error: runError, runner: runner, modelSha256: measured?.sha256,
            device: platform.deviceFacts(), runtime: measured?.runtime, timing: measured?.timing(clock: clock),
            environment: environment, startedAt: started, finishedAt: ISO8601.now(),
            memory: measured?.memory, profile: measured?.profile
        )
        // A profile the schema would refuse never costs the timed samples (the Python runner's
        // rule): it is replaced by its error and the result checked again.
        if let p = result.profile {
            do {
                try ResultCodec.checkProfile(p, nil)
            } catch {
                result.profile = Profile(profiler: p.profiler, operators: [], timed: false, error: "invalid profile: \(error)")
            }
        }
        do {
            try ResultCodec.check(result)
        } catch {
            // A runner bug: say so instead of writing a document the host would refuse.
            result.status = .error
            result.error = RunError(code: ErrorCodes.INVALID_RESULT, message: "the runner built an invalid result: \(error)")
            result.runtime = nil
            result.timing = nil
            result.modelSha256 = nil
            result.memory = nil
            result.profile = nil
        }
        try ResultCodec.write(result, to: resultURL)
        return Outcome(result: result, resultURL: resultURL)
    }

    private func awaitGates(_ gate: ThermalGate, environment: inout [String: JSONValue]) throws -> ThermalGate.Reading {
        let start = clock.nanoseconds()
        var waited: Int64 = 0
        while true {
            let snap = platform.snapshot()
            switch gate.decide(snap.reading, waitedMilliseconds: waited) {
            case .proceed:
                environment["before"] = .object(snap.details)
                environment["cooldown_waited_ms"] = .int(waited)
                return snap.reading
            case let .refuse(status, code, reason):
                environment["before"] = .object(snap.details)
                throw Failure(status: status, code: code, message: reason)
            case let .coolDown(wait, _):
                clock.sleep(milliseconds: wait)
                waited = (clock.nanoseconds() - start) / 1_000_000
            }
        }
    }

    struct Measured {
        var sha256: String
        var runtime: RuntimeInfo
        var compileNs: Int64?
        var loadNs: Int64
        var loop: TimingLoop.Measured
        var memory: MemoryUsage?
        var profile: Profile?

        func timing(clock: MonotonicClock) -> TimingNs {
            TimingNs(
                clock: clock.name, clockResolution: observedResolutionNs(clock), loopOverhead: loopOverheadNs(clock),
                compile: compileNs, load: loadNs, firstInference: loop.firstInferenceNs,
                warmup: Warmup(count: loop.warmupCount, total: loop.warmupTotalNs), samples: loop.samples,
                summary: Statistics.summarize(loop.samples)?.json
            )
        }
    }

    private func execute(_ spec: RunSpec, specDir: URL) throws -> Measured {
        let modelURL = specDir.appendingPathComponent(spec.model.path).standardizedFileURL
        guard FileManager.default.fileExists(atPath: modelURL.path) else {
            throw Failure(status: .error, code: ErrorCodes.MODEL_NOT_FOUND, message: "model \(modelURL.path) does not exist")
        }
        let digest = try sha256(of: modelURL)
        guard digest == spec.model.sha256 else {
            throw Failure(status: .error, code: ErrorCodes.MODEL_SHA256_MISMATCH,
                          message: "model hash \(digest) differs from the spec's \(spec.model.sha256)")
        }
        guard let backend = backends[spec.backend.name] else {
            throw Failure(status: .unsupportedBackend, code: ErrorCodes.UNKNOWN_BACKEND,
                          message: "backend \"\(spec.backend.name)\" is not in this runner; it has: \(backends.keys.sorted().joined(separator: ", "))")
        }
        guard backend.formats.contains(spec.model.format) else {
            throw Failure(status: .unsupportedBackend, code: ErrorCodes.FORMAT_NOT_SUPPORTED,
                          message: "\(backend.name) cannot run \(spec.model.format) artifacts")
        }
        let version: String
        do {
            version = try backend.version()
        } catch {
            throw Failure(status: .unsupportedBackend, code: ErrorCodes.RUNTIME_MISSING, message: "\(error)")
        }
        var compileNs: Int64?
        var loadFrom = modelURL
        let model: LoadedModel
        let loadNs: Int64
        var memory = platform.memorySource.map { MemoryTrack(source: $0) }
        memory?.recordBeforeLoad(platform.memory())
        do {
            let c0 = clock.nanoseconds()
            if let compiled = try backend.compile(model: modelURL, request: spec.backend) {
                compileNs = clock.nanoseconds() - c0
                loadFrom = compiled
            }
            let t0 = clock.nanoseconds()
            model = try backend.load(model: loadFrom, request: spec.backend)
            loadNs = clock.nanoseconds() - t0
            memory?.recordAfterLoad(platform.memory())
        } catch let e as AcceleratorUnavailable {
            throw Failure(status: .error, code: e.code, message: e.description)
        } catch {
            throw Failure(status: .error, code: ErrorCodes.MODEL_LOAD_FAILED, message: "\(error)")
        }
        let placement = model.placement()
        let requested = spec.backend.accelerator
        let runtime = RuntimeInfo(
            name: backend.name, version: version, backend: backend.name, acceleratorRequested: requested,
            acceleratorActual: placement.acceleratorActual, delegatedNodes: placement.delegatedNodes,
            totalNodes: placement.totalNodes, planSummary: placement.planSummary
        )
        if placement.acceleratorActual != requested, spec.backend.allowFallback != true {
            throw Failure(status: .error, code: ErrorCodes.ACCELERATOR_FALLBACK,
                          message: "requested \(requested) but the runtime used \(placement.acceleratorActual ?? "an unknown unit"); pass allow_fallback to accept it")
        }
        try checkInputs(spec.inputs.tensors, model.inputs)
        let loop: TimingLoop.Measured
        let predictor: Predictor
        do {
            predictor = try model.bind(tensors: spec.inputs.tensors, seed: spec.inputs.seed)
            loop = try TimingLoop(clock: clock).run(predictor, policy: spec.timing, progress: progress)
        } catch {
            throw Failure(status: .error, code: ErrorCodes.INFERENCE_FAILED, message: "\(error)")
        }
        memory?.sample(platform.memory()) // the peak covers load, warm-up and the loop, not the profile
        if loop.samples.contains(where: { $0 < 1 }) {
            throw Failure(status: .error, code: ErrorCodes.CLOCK_TOO_COARSE, message: "a timed call took 0 ns on \(clock.name)")
        }
        var profile: Profile?
        if let request = spec.profile, loop.stoppedBy == "iters" {
            profile = profiled(backend: backend.name, model: model, predictor: predictor, iterations: request.effectiveIterations)
        }
        return Measured(sha256: digest, runtime: runtime, compileNs: compileNs, loadNs: loadNs, loop: loop,
                        memory: memory?.usage, profile: profile)
    }

    /// The profiled pass, after the timed loop and never inside it. A backend without a
    /// profiler, or one that fails, says so in `profile.error`; the timed samples stand.
    private func profiled(backend: String, model: LoadedModel, predictor: Predictor, iterations: Int) -> Profile {
        do {
            return try model.profile(predictor: predictor, iterations: iterations, clock: clock)
                ?? Profile(profiler: "none", operators: [], timed: false, error: "no profiler for backend \(backend)")
        } catch {
            return Profile(profiler: backend, operators: [], timed: false, error: String("\(error)".prefix(2000)))
        }
    }

    /// Core ML names its inputs, so they are matched by name (shape and dtype must agree).
    private func checkInputs(_ declared: [TensorSpec], _ actual: [TensorSpec]) throws {
        let byName = Dictionary(actual.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        guard Set(declared.map(\.name)) == Set(byName.keys) else {
            throw Failure(status: .error, code: ErrorCodes.INPUT_MISMATCH,
                          message: "spec inputs \(declared.map(\.name).sorted()) differ from the model's \(byName.keys.sorted())")
        }
        for d in declared {
            let a = byName[d.name]!
            guard a.shape == d.shape, a.dtype == d.dtype else {
                throw Failure(status: .error, code: ErrorCodes.INPUT_MISMATCH,
                              message: "spec input \(d.name) \(d.shape) \(d.dtype) differs from the model's \(a.shape) \(a.dtype)")
            }
        }
    }

    /// `sha256:<hex>` of a file, or of a folder such as an .mlpackage, exactly as the host's
    /// benchctl/runner/digest.py computes it: files sorted by their path components, each fed as
    /// a 4-byte big-endian path length, the UTF-8 relative path, an 8-byte big-endian size, then
    /// its bytes.
    func sha256(of url: URL) throws -> String {
        var hasher = SHA256()
        var isDir: ObjCBool = false
        _ = FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir)
        if !isDir.boolValue {
            try feed(&hasher, url)
            return hex(hasher)
        }
        let root = url.standardizedFileURL.resolvingSymlinksInPath()
        let all = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey])?
            .compactMap { $0 as? URL } ?? []
        var files: [(parts: [String], url: URL)] = []
        for file in all {
            guard try file.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile == true else { continue }
            let path = file.standardizedFileURL.resolvingSymlinksInPath().path
            let relative = String(path.dropFirst(root.path.count + 1))
            files.append((relative.split(separator: "/").map(String.init), file))
        }
        files.sort { $0.parts.lexicographicallyPrecedes($1.parts) }
        for (parts, file) in files {
            let rel = Data(parts.joined(separator: "/").utf8)
            let size = (try file.resourceValues(forKeys: [.fileSizeKey]).fileSize).map { UInt64($0) } ?? 0
            hasher.update(data: bigEndian(UInt32(rel.count)) + rel + bigEndian(size))
            try feed(&hasher, file)
        }
        return hex(hasher)
    }

    private func feed(_ hasher: inout SHA256, _ file: URL) throws {
        let handle = try FileHandle(forReadingFrom: file)
        defer { try? handle.close() }
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            hasher.update(data: chunk)
        }
    }

    private func bigEndian<T: FixedWidthInteger>(_ value: T) -> Data {
        withUnsafeBytes(of: value.bigEndian) { Data($0) }
    }

    private func hex(_ hasher: SHA256) -> String {
        "sha256:" + hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
