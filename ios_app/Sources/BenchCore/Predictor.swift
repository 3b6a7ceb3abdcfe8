import Foundation

/// The one call the timing loop times; inputs and outputs are prepared before the loop.
public protocol Predictor {
    func predict() throws
}

/// Where a loaded model runs, as the runtime reports it (`acceleratorActual == nil`: cannot tell).
public struct Placement: Equatable {
    public var acceleratorActual: String?
    public var delegatedNodes: Int?
    public var totalNodes: Int?
    public var planSummary: JSONValue?

    public init(acceleratorActual: String?, delegatedNodes: Int? = nil, totalNodes: Int? = nil, planSummary: JSONValue? = nil) {
        self.acceleratorActual = acceleratorActual
        self.delegatedNodes = delegatedNodes
        self.totalNodes = totalNodes
        self.planSummary = planSummary
    }
}

public protocol LoadedModel {
    /// The model's own input signature, checked against the spec before timing.
    var inputs: [TensorSpec] { get }
    func placement() -> Placement
    /// Allocate and fill inputs (deterministically from `seed`) and outputs; return the call.
    func bind(tensors: [TensorSpec], seed: Int64) throws -> Predictor
    /// The profiled pass after the timed loop (the spec's `profile`): run `predictor`, the call
    /// the loop timed, `iterations` times with the runtime's own profiler and report per
    /// operator. nil: this runtime has no profiler here.
    func profile(predictor: Predictor, iterations: Int, clock: MonotonicClock) throws -> Profile?
}

public extension LoadedModel {
    func profile(predictor: Predictor, iterations: Int, clock: MonotonicClock) throws -> Profile? { nil }
}

/// A runtime inside the app runner (Core ML on iOS; a fake in tests).
public protocol Backend {
    var name: String { get }
    var formats: Set<String> { get }
    /// The runtime's version, or throws `BackendUnavailable`.
    func version() throws -> String
    func accelerators() -> [String]
    /// A separate, timed preparation step (Core ML: .mlpackage → .mlmodelc); nil when none.
    func compile(model: URL, request: RunSpec.Backend) throws -> URL?
    func load(model: URL, request: RunSpec.Backend) throws -> LoadedModel
}

public extension Backend {
    func compile(model: URL, request: RunSpec.Backend) throws -> URL? { nil }
}

public struct BackendUnavailable: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// A requested accelerator cannot be used here; `code` goes into the result.
public struct AcceleratorUnavailable: Error, CustomStringConvertible {
    public var code: String
    public var description: String
    public init(code: String, _ description: String) {
        self.code = code
        self.description = description
    }
}
