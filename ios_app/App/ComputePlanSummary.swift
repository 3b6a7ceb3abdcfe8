import BenchCore
import CoreML
import Foundation

/// Where MLComputePlan says each operation prefers to run (cpu, gpu, neural_engine): one entry
/// per operation (its preferred and supported devices and estimated cost), the count and the
/// share of operations per device, and the estimated cost per device. The keys are those
/// benchctl's Mac backend writes (benchctl/runner/backends/coreml.py), so iPhone and Mac plans
/// read alike. MLComputePlan is Core ML's plan before running, not a measurement; the result
/// says so.
@available(iOS 17.4, macOS 14.4, *)
struct ComputePlanSummary: Sendable {
    /// Below this share of planned operations on the requested unit a run is flagged by the host
    /// (ACCELERATOR-SHARE-LOW; the same floor as the Mac backend's SHARE_FLOOR). Core ML often
    /// keeps a few boundary operations on the CPU, which is normal, so a share is not a failure.
    static let shareFloor = 0.9

    struct PlannedOperation: Sendable {
        var function: String
        var op: String
        var outputs: [String]
        var preferred: String? // nil: no device (constants)
        var supported: [String]
        var cost: Double?
    }

    var structure = "unknown"
    var detail: [PlannedOperation] = []

    /// Operations that have a device (constants have none and are not counted).
    var operations: Int { detail.filter { $0.preferred != nil }.count }

    var byDevice: [String: Int] {
        var out: [String: Int] = [:]
        for op in detail {
            if let device = op.preferred { out[device, default: 0] += 1 }
        }
        return out
    }

    var costByDevice: [String: Double] {
        var out: [String: Double] = [:]
        for op in detail {
            if let device = op.preferred, let cost = op.cost { out[device, default: 0] += cost }
        }
        return out
    }

    static func deviceName(for accelerator: String) -> String {
        switch accelerator {
        case "gpu": return "gpu"
        case "ane": return "neural_engine"
        default: return "cpu"
        }
    }

    /// MLComputePlan.load is async; the runner is synchronous on its own thread (never the
    /// main thread, never a Swift concurrency thread), so it waits here. The task captures only
    /// Sendable values (the URL, the compute units, a flag) and hands its outcome back through a
    /// locked box, not a captured `var` (a mutation of a captured var in concurrently-executing
    /// code does not compile, I5).
    static func load(compiledURL: URL, computeUnits: MLComputeUnits, lowPrecision: Bool) throws -> ComputePlanSummary {
        let done = DispatchSemaphore(value: 0)
        let box = OutcomeBox()
        Task.detached {
            let configuration = MLModelConfiguration()
            configuration.computeUnits = computeUnits
            configuration.allowLowPrecisionAccumulationOnGPU = lowPrecision
            do {
                let plan = try await MLComputePlan.load(contentsOf: compiledURL, configuration: configuration)
                box.set(.success(ComputePlanSummary.summarize(plan)))
            } catch {
                box.set(.failure(error))
            }
            done.signal()
        }
        done.wait()
        return try box.get()
    }

    /// The outcome of the detached task; the semaphore orders the write before the read, the
    /// lock makes that explicit.
    private final class OutcomeBox: @unchecked Sendable {
        private let lock = NSLock()
        private var outcome: Result<ComputePlanSummary, Error> = .failure(CancellationError())

        func set(_ value: Result<ComputePlanSummary, Error>) {
            lock.lock()
            outcome = value
            lock.unlock()
        }

        func get() throws -> ComputePlanSummary {
            lock.lock()
            let value = outcome
            lock.unlock()
            return try value.get()
        }
    }

    static func summarize(_ plan: MLComputePlan) -> ComputePlanSummary {
        var s = ComputePlanSummary()
        switch plan.modelStructure {
        case let .program(program):
            s.structure = "program"
            for (functionName, function) in program.functions.sorted(by: { $0.key < $1.key }) {
                s.add(function.block, function: functionName, plan: plan)
            }
        case let .neuralNetwork(network):
            s.structure = "neural_network"
            for layer in network.layers {
                let usage = plan.deviceUsage(for: layer)
                s.detail.append(PlannedOperation(
                    function: "", op: layer.type, outputs: layer.outputNames,
                    preferred: usage.map { Self.name($0.preferred) },
                    supported: usage.map { $0.supported.map(Self.name) } ?? [],
                    cost: nil
                ))
            }
        case .pipeline:
            s.structure = "pipeline" // sub-models are not broken down here
        case .unsupported:
            s.structure = "unsupported"
        @unknown default:
            s.structure = "unknown"
        }
        return s
    }

    private mutating func add(_ block: MLModelStructure.Program.Block, function: String, plan: MLComputePlan) {
        for op in block.operations {
            let usage = plan.deviceUsage(for: op)
            detail.append(PlannedOperation(
                function: function, op: op.operatorName, outputs: op.outputs.map(\.name),
                preferred: usage.map { Self.name($0.preferred) },
                supported: usage.map { $0.supported.map(Self.name) } ?? [],
                cost: plan.estimatedCost(of: op)?.weight
            ))
            for inner in op.blocks {
                add(inner, function: function, plan: plan)
            }
        }
    }

    static func name(_ device: MLComputeDevice) -> String {
        switch device {
        case .cpu: return "cpu"
        case .gpu: return "gpu"
        case .neuralEngine: return "neural_engine"
        @unknown default: return "unknown"
        }
    }

    /// The share of operations (with a device) that Core ML plans on `accelerator`'s unit.
    func share(of accelerator: String) -> Double? {
        let total = operations
        guard total > 0 else { return nil }
        return Double(byDevice[Self.deviceName(for: accelerator)] ?? 0) / Double(total)
    }

    func json(accelerator: String) -> JSONValue {
        let total = operations
        var doc: [String: JSONValue] = .facts([
            "source": "MLComputePlan (planned, not measured)",
            "structure": structure,
            "operations": total,
            "preferred_device": JSONValue.object(byDevice.mapValues { JSONValue.int(Int64($0)) }),
            "share": JSONValue.object(total == 0 ? [:] : byDevice.mapValues {
                JSONValue.double((Double($0) / Double(total) * 10_000).rounded() / 10_000)
            }),
            "estimated_cost": JSONValue.object(costByDevice.mapValues { JSONValue.double($0) }),
            "operations_detail": JSONValue.array(detail.map { op in
                .object(.facts([
                    "function": op.function, "op": op.op, "outputs": op.outputs,
                    "preferred": op.preferred, "supported": op.supported, "cost": op.cost,
                ]))
            }),
        ])
        if accelerator == "ane" || accelerator == "gpu", let requested = share(of: accelerator) {
            doc["requested_share"] = .double((requested * 10_000).rounded() / 10_000)
            doc["share_floor"] = .double(Self.shareFloor)
            doc["below_floor"] = .bool(requested < Self.shareFloor)
        }
        return .object(doc)
    }
}
