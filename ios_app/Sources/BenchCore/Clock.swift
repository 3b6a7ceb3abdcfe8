import Foundation

/// A monotonic nanosecond clock. The loop only subtracts two readings, so any origin works;
/// `Date()` is never used for timing because the wall clock jumps.
public protocol MonotonicClock {
    /// Stored as `timing_ns.clock`, so a result says which clock produced it.
    var name: String { get }
    func nanoseconds() -> Int64
    /// Sleeps between phases (cool-down), never while timing.
    func sleep(milliseconds: Int64)
}

/// Swift's `ContinuousClock`: monotonic, keeps counting while the device sleeps (mach_continuous_time).
public struct ContinuousNanoClock: MonotonicClock {
    public let name = "ContinuousClock"
    private let clock = ContinuousClock()
    private let origin: ContinuousClock.Instant

    public init() { origin = clock.now }

    public func nanoseconds() -> Int64 {
        let (seconds, attoseconds) = origin.duration(to: clock.now).components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    public func sleep(milliseconds: Int64) {
        Thread.sleep(forTimeInterval: Double(milliseconds) / 1000)
    }
}

/// The smallest non-zero step between two readings, or nil if the clock did not move.
public func observedResolutionNs(_ clock: MonotonicClock, tries: Int = 1000, maxReads: Int = 100_000) -> Int64? {
    var best = Int64.max
    for _ in 0..<tries {
        let t0 = clock.nanoseconds()
        var t1 = clock.nanoseconds()
        var reads = 1
        while t1 == t0 {
            if reads >= maxReads { return nil }
            reads += 1
            t1 = clock.nanoseconds()
        }
        best = min(best, t1 - t0)
    }
    return best
}

/// Median cost of an empty timed region (two clock reads): the floor under any sample.
public func loopOverheadNs(_ clock: MonotonicClock, repeats: Int = 1000) -> Int64 {
    var diffs = [Int64](repeating: 0, count: repeats)
    for i in 0..<repeats {
        let t0 = clock.nanoseconds()
        diffs[i] = clock.nanoseconds() - t0
    }
    diffs.sort()
    return diffs[repeats / 2]
}
