import BenchCore
import CoreML
import Foundation

/// A histogram of where MLComputePlan says each operation prefers to run (cpu, gpu,
/// neural_engine), with the estimated cost share of each device. MLComputePlan is Core ML's plan
/// before running, not a measurement; the result says so.
@available(iOS 17.4, macOS 14.4, *)
struct ComputePlanSummary {
    var operations = 0
    var byDevice: [String: Int] = [:]
    var costByDevice: [String: Double] = [:]
    var structure = "unknown"

    static func deviceName(for accelerator: String) -> String {
        switch accelerator {
        case "gpu": return "gpu"
        case "ane": return "neural_engine"
        default: return "cpu"
        }
    }

    /// MLComputePlan.load is async; the runner is synchronous on its own thread, so wait here.
    static func load(compiledURL: URL, configuration: MLModelConfiguration) throws -> ComputePlanSummary {
        let done = DispatchSemaphore(value: 0)
        var outcome: Result<ComputePlanSummary, Error> = .failure(CancellationError())
        Task.detached {
            do {
                let plan = try await MLComputePlan.load(contentsOf: compiledURL, configuration: configuration)
                outcome = .success(summarize(plan))
            } catch {
                outcome = .failure(error)
            }
            done.signal()
        }
        done.wait()
        return try outcome.get()
    }

    static func summarize(_ plan: MLComputePlan) -> ComputePlanSummary {
        var s = ComputePlanSummary()
        switch plan.modelStructure {
        case let .program(program):
            s.structure = "program"
            for function in program.functions.values {
                s.add(function.block, plan: plan)
            }
        case let .neuralNetwork(network):
            s.structure = "neural_network"
            for layer in network.layers {
                s.count(plan.deviceUsage(for: layer)?.preferred, cost: nil)
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

    private mutating func add(_ block: MLModelStructure.Program.Block, plan: MLComputePlan) {
        for op in block.operations {
            count(plan.deviceUsage(for: op)?.preferred, cost: plan.estimatedCost(of: op)?.weight)
            for inner in op.blocks {
                add(inner, plan: plan)
            }
        }
    }

    private mutating func count(_ device: MLComputeDevice?, cost: Double?) {
        let name: String
        switch device {
        case .cpu?: name = "cpu"
        case .gpu?: name = "gpu"
        case .neuralEngine?: name = "neural_engine"
        case nil: name = "none" // constants and other ops with no device
        @unknown default: name = "unknown"
        }
        if name != "none" { operations += 1 }
        byDevice[name, default: 0] += 1
        if let cost { costByDevice[name, default: 0] += cost }
    }

    var json: JSONValue {
        .object(.facts([
            "source": "MLComputePlan (planned, not measured)",
            "structure": structure,
            "operations": operations,
            "preferred_device": JSONValue.object(byDevice.mapValues { JSONValue.int(Int64($0)) }),
            "estimated_cost": JSONValue.object(costByDevice.mapValues { JSONValue.double($0) }),
        ]))
    }
}
