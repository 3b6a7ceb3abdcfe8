import Foundation

/// The timing loop, with the protocol of the Python runner (benchctl/runner/measure.py) and the
/// Android core: the first call is timed alone, warm-up is counted and timed as one total, each
/// timed call is one raw sample, and progress and `max_total_s` are handled between chunks only.
public struct TimingLoop {
    public struct Measured: Equatable {
        public var firstInferenceNs: Int64
        public var warmupCount: Int
        public var warmupTotalNs: Int64
        public var samples: [Int64]
        public var stoppedBy: String // "iters" or "max_total_s"
    }

    public typealias Progress = (_ phase: String, _ done: Int, _ total: Int) -> Void

    let clock: MonotonicClock

    public init(clock: MonotonicClock) { self.clock = clock }

    public func run(_ predictor: Predictor, policy: RunSpec.Timing, progress: Progress? = nil) throws -> Measured {
        var t0 = clock.nanoseconds()
        try predictor.predict()
        let first = clock.nanoseconds() - t0

        let w0 = clock.nanoseconds()
        for _ in 0..<policy.warmupIters { try predictor.predict() }
        let warmTotal = clock.nanoseconds() - w0
        progress?("warmup", policy.warmupIters, policy.warmupIters)

        let every = policy.progressEvery ?? 0
        let deadline = policy.maxTotalS.map { clock.nanoseconds() + Int64($0 * 1e9) }
        var samples = [Int64](repeating: 0, count: policy.iters)
        let chunk = every > 0 ? every : min(policy.iters, 100)
        var done = 0
        var stoppedBy = "iters"
        while done < policy.iters {
            let stop = min(policy.iters, done + chunk)
            for i in done..<stop {
                t0 = clock.nanoseconds()
                try predictor.predict()
                samples[i] = clock.nanoseconds() - t0
            }
            done = stop
            if every > 0 { progress?("timed", done, policy.iters) }
            if let deadline, done < policy.iters, clock.nanoseconds() > deadline {
                stoppedBy = "max_total_s"
                break
            }
        }
        return Measured(
            firstInferenceNs: first, warmupCount: policy.warmupIters, warmupTotalNs: warmTotal,
            samples: Array(samples[..<done]), stoppedBy: stoppedBy
        )
    }
}
