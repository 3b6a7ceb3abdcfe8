import BenchCore
import CoreML
import Foundation

/// Core ML in the iOS runner. The spec's compute units (`options.compute_units`, else the
/// accelerator name) pick `MLModelConfiguration.computeUnits`:
///
/// | accelerator | compute_units        | MLComputeUnits        |
/// |-------------|----------------------|-----------------------|
/// | all         | all                  | .all                  |
/// | cpu         | cpuOnly              | .cpuOnly              |
/// | gpu         | cpuAndGPU            | .cpuAndGPU            |
/// | ane         | cpuAndNeuralEngine   | .cpuAndNeuralEngine   |
///
/// A pushed .mlpackage is compiled on the device (timed as `compile`) and then loaded (timed as
/// `load`); where the OS has MLComputePlan (iOS 17.4+) the planned device of every operation is
/// summarized in the result (see CoreMLModel.placement).
struct CoreMLBackend: Backend {
    let name = "coreml"
    let formats: Set<String> = ["mlpackage"]

    func version() throws -> String {
        // Core ML has no version of its own; it ships with the OS.
        "iOS " + ProcessInfo.processInfo.operatingSystemVersionString
    }

    func accelerators() -> [String] { ["all", "cpu", "gpu", "ane"] }

    func compile(model: URL, request: RunSpec.Backend) throws -> URL? {
        try MLModel.compileModel(at: model)
    }

    func load(model: URL, request: RunSpec.Backend) throws -> LoadedModel {
        let config = MLModelConfiguration()
        config.computeUnits = try Self.computeUnits(request)
        if request.options?.precision == "fp16" {
            config.allowLowPrecisionAccumulationOnGPU = true
        }
        let loaded = try MLModel(contentsOf: model, configuration: config)
        return CoreMLModel(model: loaded, compiledURL: model, configuration: config, accelerator: request.accelerator)
    }

    static func computeUnits(_ request: RunSpec.Backend) throws -> MLComputeUnits {
        switch request.options?.computeUnits ?? request.accelerator {
        case "all": return .all
        case "cpuOnly", "cpu": return .cpuOnly
        case "cpuAndGPU", "gpu": return .cpuAndGPU
        case "cpuAndNeuralEngine", "ane": return .cpuAndNeuralEngine
        case let other:
            throw AcceleratorUnavailable(
                code: ErrorCodes.UNKNOWN_ACCELERATOR,
                "compute units \"\(other)\" are not one of all, cpuOnly, cpuAndGPU, cpuAndNeuralEngine"
            )
        }
    }
}
