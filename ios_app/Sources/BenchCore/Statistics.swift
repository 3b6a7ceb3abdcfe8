import Foundation

/// Summary statistics with the definitions of benchctl/results/stats.py (the host recomputes its
/// own from the samples; this is for the status screen and the informational `summary`):
/// numpy's linear percentiles, std with ddof = 1, unscaled MAD, IQR = q75 − q25, CV = std / mean.
public struct Summary: Equatable {
    public var count: Int
    public var min: Double
    public var max: Double
    public var mean: Double
    public var median: Double
    public var std: Double
    public var p90: Double
    public var p99: Double
    public var mad: Double
    public var iqr: Double
    public var cv: Double

    public var json: [String: JSONValue] {
        .facts([
            "count": count, "min": min, "max": max, "mean": mean, "median": median, "std": std,
            "p90": p90, "p99": p99, "mad": mad, "iqr": iqr, "cv": cv,
        ])
    }
}

public enum Statistics {
    public static func summarize(_ samples: [Int64]) -> Summary? {
        guard !samples.isEmpty else { return nil }
        let x = samples.map(Double.init).sorted()
        let n = Double(x.count)
        let mean = x.reduce(0, +) / n
        let std = x.count > 1 ? (x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)).squareRoot() : 0
        let median = percentile(sorted: x, 50)
        let deviations = x.map { abs($0 - median) }.sorted()
        return Summary(
            count: x.count, min: x[0], max: x[x.count - 1], mean: mean, median: median, std: std,
            p90: percentile(sorted: x, 90), p99: percentile(sorted: x, 99),
            mad: percentile(sorted: deviations, 50),
            iqr: percentile(sorted: x, 75) - percentile(sorted: x, 25),
            cv: mean > 0 ? std / mean : .nan
        )
    }

    /// numpy.percentile(x, q) with the default "linear" method, for ascending `sorted`.
    public static func percentile(sorted: [Double], _ q: Double) -> Double {
        let pos = q / 100 * Double(sorted.count - 1)
        let lo = Int(pos)
        let hi = Swift.min(lo + 1, sorted.count - 1)
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - Double(lo))
    }
}
