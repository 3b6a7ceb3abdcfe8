import Foundation

/// The spec's `profile` object: a separate profiled pass after the timed loop.
public struct ProfileRequest: Decodable, Equatable {
    /// The Python runner's default (benchctl/runner/backends/profile.py).
    public static let defaultIterations = 20
    public static let maxIterations = 10_000

    public var iterations: Int?

    public init(iterations: Int? = nil) { self.iterations = iterations }

    public var effectiveIterations: Int { iterations ?? Self.defaultIterations }
}

/// One operator of a profile (result.schema.json `profile.operators`); `unit` nil: unknown.
public struct OperatorProfile: Codable, Equatable {
    public var name: String
    public var opType: String
    public var unit: String?
    public var timeNs: Int64?
    public var calls: Int?
    public var cost: Double? // an estimated relative cost (Core ML's compute plan), not a time

    public init(name: String, opType: String, unit: String?, timeNs: Int64? = nil, calls: Int? = nil, cost: Double? = nil) {
        self.name = name
        self.opType = opType
        self.unit = unit
        self.timeNs = timeNs
        self.calls = calls
        self.cost = cost
    }

    enum CodingKeys: String, CodingKey { case name, opType = "op_type", unit, timeNs = "time_ns", calls, cost }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(opType, forKey: .opType)
        try c.encode(unit, forKey: .unit) // null is meaningful: "unknown"
        try c.encode(timeNs, forKey: .timeNs)
        try c.encode(calls, forKey: .calls)
        try c.encodeIfPresent(cost, forKey: .cost)
    }
}

/// A delegate partition: which unit took which operators (by name).
public struct Partition: Codable, Equatable {
    public var unit: String
    public var operators: [String]

    public init(unit: String, operators: [String]) {
        self.unit = unit
        self.operators = operators
    }
}

/// The result's `profile` entry: what the pass after the timed loop found. `timed` false means
/// placement only; `error` says why the pass failed (the timed samples stand either way).
public struct Profile: Codable, Equatable {
    public var profiler: String
    public var operators: [OperatorProfile]
    public var timed: Bool?
    public var iterations: Int?
    public var wallMedianNs: Int64?
    public var note: String?
    public var error: String?
    public var partitions: [Partition]?

    public init(profiler: String, operators: [OperatorProfile], timed: Bool? = nil, iterations: Int? = nil,
                wallMedianNs: Int64? = nil, note: String? = nil, error: String? = nil, partitions: [Partition]? = nil) {
        self.profiler = profiler
        self.operators = operators
        self.timed = timed
        self.iterations = iterations
        self.wallMedianNs = wallMedianNs
        self.note = note
        self.error = error
        self.partitions = partitions
    }

    enum CodingKeys: String, CodingKey {
        case profiler, operators, timed, iterations, wallMedianNs = "wall_median_ns", note, error, partitions
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(profiler, forKey: .profiler)
        try c.encode(operators, forKey: .operators)
        try c.encodeIfPresent(timed, forKey: .timed)
        try c.encodeIfPresent(iterations, forKey: .iterations)
        try c.encodeIfPresent(wallMedianNs, forKey: .wallMedianNs)
        try c.encodeIfPresent(note, forKey: .note)
        try c.encodeIfPresent(error, forKey: .error)
        try c.encodeIfPresent(partitions, forKey: .partitions)
    }
}

/// The result's `memory` entry, bytes; nil where the platform cannot tell. On iOS the rss_*
/// keys hold phys_footprint (the figure jetsam limits and Xcode's memory gauge use), as the
/// Python runner's hold VmRSS/VmHWM; `source` says which.
public struct MemoryUsage: Codable, Equatable {
    public var source: String
    public var rssBeforeLoadBytes: Int64?
    public var rssAfterLoadBytes: Int64?
    public var peakRssBytes: Int64?
    public var devicePeakBytes: Int64?
    public var deviceEngineBytes: Int64?

    public init(source: String, rssBeforeLoadBytes: Int64?, rssAfterLoadBytes: Int64?, peakRssBytes: Int64?,
                devicePeakBytes: Int64? = nil, deviceEngineBytes: Int64? = nil) {
        self.source = source
        self.rssBeforeLoadBytes = rssBeforeLoadBytes
        self.rssAfterLoadBytes = rssAfterLoadBytes
        self.peakRssBytes = peakRssBytes
        self.devicePeakBytes = devicePeakBytes
        self.deviceEngineBytes = deviceEngineBytes
    }

    enum CodingKeys: String, CodingKey {
        case source, rssBeforeLoadBytes = "rss_before_load_bytes", rssAfterLoadBytes = "rss_after_load_bytes"
        case peakRssBytes = "peak_rss_bytes", devicePeakBytes = "device_peak_bytes", deviceEngineBytes = "device_engine_bytes"
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(source, forKey: .source)
        try c.encode(rssBeforeLoadBytes, forKey: .rssBeforeLoadBytes)
        try c.encode(rssAfterLoadBytes, forKey: .rssAfterLoadBytes)
        try c.encode(peakRssBytes, forKey: .peakRssBytes)
        try c.encode(devicePeakBytes, forKey: .devicePeakBytes)
        try c.encode(deviceEngineBytes, forKey: .deviceEngineBytes)
    }
}

/// One reading of this process's memory: the figure now and, where the kernel keeps one, its
/// high-water mark so far (iOS: TASK_VM_INFO's ledger_phys_footprint_peak).
public struct MemoryReading: Equatable {
    public var residentBytes: Int64?
    public var peakBytes: Int64?

    public init(residentBytes: Int64?, peakBytes: Int64? = nil) {
        self.residentBytes = residentBytes
        self.peakBytes = peakBytes
    }
}

/// The readings of one run, taken between its stages (never inside the timed loop), as the
/// `memory` entry: the peak is the kernel's high-water mark where a reading carries one, else
/// the largest figure read.
public struct MemoryTrack {
    let source: String
    private(set) var beforeLoad: MemoryReading?
    private(set) var afterLoad: MemoryReading?
    private var readings: [MemoryReading] = []

    public init(source: String) { self.source = source }

    public mutating func recordBeforeLoad(_ r: MemoryReading?) {
        beforeLoad = r
        if let r { readings.append(r) }
    }

    public mutating func recordAfterLoad(_ r: MemoryReading?) {
        afterLoad = r
        if let r { readings.append(r) }
    }

    public mutating func sample(_ r: MemoryReading?) {
        if let r { readings.append(r) }
    }

    public var usage: MemoryUsage {
        let figures = readings.flatMap { [$0.residentBytes, $0.peakBytes].compactMap { $0 } }
        return MemoryUsage(source: source, rssBeforeLoadBytes: beforeLoad?.residentBytes,
                           rssAfterLoadBytes: afterLoad?.residentBytes, peakRssBytes: figures.max())
    }
}

/// The wall time of the profiled iterations, for a profile's `wall_median_ns`.
public enum ProfiledPass {
    /// Run `predictor` `iterations` times; the median call in ns (the middle two averaged and
    /// rounded half to even for an even count, as Python's `round(statistics.median())`).
    public static func wallMedianNs(_ predictor: Predictor, iterations: Int, clock: MonotonicClock) throws -> Int64 {
        precondition(iterations >= 1, "iterations must be ≥ 1")
        var walls: [Int64] = []
        walls.reserveCapacity(iterations)
        for _ in 0..<iterations {
            let t0 = clock.nanoseconds()
            try predictor.predict()
            walls.append(clock.nanoseconds() - t0)
        }
        walls.sort()
        let mid = iterations / 2
        if iterations % 2 == 1 { return walls[mid] }
        let sum = walls[mid - 1] + walls[mid]
        let low = sum >= 0 ? sum / 2 : (sum - 1) / 2
        return sum % 2 == 0 || low % 2 == 0 ? low : low + 1
    }
}

extension ResultCodec {
    /// The schema's rules a typed `profile` or `memory` entry can still break.
    static func checkProfile(_ p: Profile?, _ m: MemoryUsage?) throws {
        func fail(_ path: String, _ detail: String) -> ContractViolation { ContractViolation(path: path, detail: detail) }
        if let p {
            guard p.operators.count <= 100_000 else { throw fail("profile/operators", "at most 100000 operators") }
            if let n = p.iterations, n < 0 { throw fail("profile/iterations", "must be ≥ 0") }
            if let w = p.wallMedianNs, w < 0 { throw fail("profile/wall_median_ns", "must be ≥ 0") }
            for (i, op) in p.operators.enumerated() {
                if let t = op.timeNs, t < 0 || t > Contract.maxSampleNs { throw fail("profile/operators/\(i)/time_ns", "outside [0, 1 h]") }
                if let c = op.calls, c < 0 { throw fail("profile/operators/\(i)/calls", "must be ≥ 0") }
                if let c = op.cost, !(c >= 0) || c.isInfinite { throw fail("profile/operators/\(i)/cost", "must be a finite number ≥ 0") }
            }
        }
        if let m {
            let fields: [(String, Int64?)] = [
                ("rss_before_load_bytes", m.rssBeforeLoadBytes), ("rss_after_load_bytes", m.rssAfterLoadBytes),
                ("peak_rss_bytes", m.peakRssBytes), ("device_peak_bytes", m.devicePeakBytes),
                ("device_engine_bytes", m.deviceEngineBytes),
            ]
            for (name, v) in fields {
                if let v, v < 0 { throw fail("memory/\(name)", "must be ≥ 0") }
            }
        }
    }
}
