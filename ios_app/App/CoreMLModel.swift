import BenchCore
import CoreML
import Foundation

/// A loaded Core ML model, its inputs, and where Core ML plans to run it.
final class CoreMLModel: LoadedModel {
    private let model: MLModel
    private let compiledURL: URL
    private let configuration: MLModelConfiguration
    private let accelerator: String

    init(model: MLModel, compiledURL: URL, configuration: MLModelConfiguration, accelerator: String) {
        self.model = model
        self.compiledURL = compiledURL
        self.configuration = configuration
        self.accelerator = accelerator
    }

    var inputs: [TensorSpec] {
        model.modelDescription.inputDescriptionsByName.values.map { d in
            let array = d.multiArrayConstraint
            return TensorSpec(
                name: d.name,
                shape: array?.shape.map(\.intValue) ?? [],
                dtype: array.map { Self.dtypeName($0.dataType) } ?? "unsupported(\(d.type.rawValue))"
            )
        }
    }

    /// `cpuOnly` is a guarantee; for the other units only MLComputePlan (iOS 17.4+) says where
    /// operations go. A unit that the plan gives any operation counts as used, with the share of
    /// operations each unit got in plan_summary (a share under ComputePlanSummary.shareFloor is
    /// flagged by the host, ACCELERATOR-SHARE-LOW; G13): Core ML keeps a few boundary operations
    /// on the CPU in most models, which is not a fallback. A unit that got no operation → "cpu",
    /// which fails the run unless the spec allows fallback. `all`: whatever Core ML chose. The
    /// plan is Core ML's intent before running, not a measurement — recorded as such.
    func placement() -> Placement {
        if accelerator == "cpu" {
            return Placement(acceleratorActual: "cpu")
        }
        guard #available(iOS 17.4, macOS 14.4, *) else {
            return Placement(acceleratorActual: nil, planSummary: .object(.facts([
                "compute_plan": "unavailable before iOS 17.4",
            ])))
        }
        let plan: ComputePlanSummary
        do {
            plan = try ComputePlanSummary.load(
                compiledURL: compiledURL,
                computeUnits: configuration.computeUnits,
                lowPrecision: configuration.allowLowPrecisionAccumulationOnGPU
            )
        } catch {
            return Placement(acceleratorActual: nil, planSummary: .object(.facts([
                "compute_plan": "unavailable: \(error)",
            ])))
        }
        let total = plan.operations
        let onUnit = plan.byDevice[ComputePlanSummary.deviceName(for: accelerator)] ?? 0
        let actual: String?
        if total == 0 {
            actual = nil // nothing placed: cannot tell
        } else if accelerator == "all" {
            actual = "all"
        } else if onUnit == 0 {
            actual = "cpu"
        } else {
            actual = accelerator
        }
        return Placement(
            acceleratorActual: actual,
            delegatedNodes: accelerator == "all" ? nil : onUnit,
            totalNodes: total,
            planSummary: plan.json(accelerator: accelerator)
        )
    }

    /// The compute plan as the profile (the spec's `profile`): per operation, the device Core ML
    /// prefers (cpu, gpu, ane, as the host's Mac profiler names them) and its estimated relative
    /// cost; Core ML reports no per-operation time, so nothing is timed but the wall time of the
    /// profiled calls. Before iOS 17.4 there is no compute plan: nil, and the result says so.
    func profile(predictor: Predictor, iterations: Int, clock: MonotonicClock) throws -> Profile? {
        guard #available(iOS 17.4, macOS 14.4, *) else {
            return Profile(profiler: "coreml MLComputePlan", operators: [], timed: false,
                           error: "MLComputePlan needs iOS 17.4")
        }
        let plan = try ComputePlanSummary.load(
            compiledURL: compiledURL,
            computeUnits: configuration.computeUnits,
            lowPrecision: configuration.allowLowPrecisionAccumulationOnGPU
        )
        let wall = try ProfiledPass.wallMedianNs(predictor, iterations: iterations, clock: clock)
        return Profile(
            profiler: "coreml MLComputePlan",
            operators: plan.detail.map { op in
                OperatorProfile(name: op.outputs.first ?? op.op, opType: op.op,
                                unit: op.preferred.map(Self.unitName), cost: op.cost)
            },
            timed: false,
            iterations: iterations,
            wallMedianNs: wall,
            note: "placement and estimated relative cost only: Core ML reports no per-operation time " +
                "(\(plan.structure) structure); not yet verified on an iPhone"
        )
    }

    /// ComputePlanSummary's device names → the host's (benchctl/runner/backends/profile_coreml.py).
    private static func unitName(_ device: String) -> String {
        device == "neural_engine" ? "ane" : device
    }

    /// Inputs are MLMultiArrays allocated and filled once; the provider and options are reused.
    func bind(tensors: [TensorSpec], seed: Int64) throws -> Predictor {
        var features: [String: MLFeatureValue] = [:]
        let constraints = model.modelDescription.inputDescriptionsByName
        for (i, t) in tensors.enumerated() {
            guard let constraint = constraints[t.name]?.multiArrayConstraint else {
                throw AcceleratorUnavailable(code: ErrorCodes.INPUT_MISMATCH, "input \(t.name) is not a multi-array input")
            }
            let array = try MLMultiArray(shape: t.shape.map { NSNumber(value: $0) }, dataType: constraint.dataType)
            var values = SeededValues(seed: seed + Int64(i))
            try Self.fill(array, &values)
            features[t.name] = MLFeatureValue(multiArray: array)
        }
        let provider = try MLDictionaryFeatureProvider(dictionary: features)
        return CoreMLPredictor(model: model, inputs: provider, options: MLPredictionOptions())
    }

    static func dtypeName(_ type: MLMultiArrayDataType) -> String {
        switch type {
        case .float32: return "float32"
        case .float16: return "float16"
        case .int32: return "int32"
        case .double: return "float64"
        @unknown default: return "unknown(\(type.rawValue))"
        }
    }

    private static func fill(_ array: MLMultiArray, _ values: inout SeededValues) throws {
        let n = array.count
        switch array.dataType {
        case .float32:
            let p = array.dataPointer.bindMemory(to: Float.self, capacity: n)
            for k in 0..<n { p[k] = Float(values.gaussian()) }
        case .double:
            let p = array.dataPointer.bindMemory(to: Double.self, capacity: n)
            for k in 0..<n { p[k] = values.gaussian() }
        case .int32:
            let p = array.dataPointer.bindMemory(to: Int32.self, capacity: n)
            for k in 0..<n { p[k] = Int32(values.smallInt()) }
        case .float16:
            #if arch(arm64)
                let p = array.dataPointer.bindMemory(to: Float16.self, capacity: n)
                for k in 0..<n { p[k] = Float16(values.gaussian()) }
            #else
                throw AcceleratorUnavailable(code: ErrorCodes.INPUT_MISMATCH, "float16 inputs need an arm64 device")
            #endif
        @unknown default:
            throw AcceleratorUnavailable(code: ErrorCodes.INPUT_MISMATCH, "unsupported input type \(array.dataType.rawValue)")
        }
    }
}

/// The timed call: one prediction on the prepared inputs.
struct CoreMLPredictor: Predictor {
    let model: MLModel
    let inputs: MLFeatureProvider
    let options: MLPredictionOptions

    func predict() throws {
        _ = try model.prediction(from: inputs, options: options)
    }
}
