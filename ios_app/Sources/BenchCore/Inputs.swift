import Foundation

/// Deterministic input values. Swift's standard library has no seedable generator, so this is
/// SplitMix64 (Steele, Lea & Flood 2014, the JDK's SplittableRandom): reproducible run to run
/// on one device, not bit-identical to the Python runner's numpy stream (latency does not care).
public struct SeededValues: RandomNumberGenerator {
    private var state: UInt64

    public init(seed: Int64) { state = UInt64(bitPattern: seed) }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Standard normal by the Box–Muller transform.
    public mutating func gaussian() -> Double {
        let u1 = 1 - Double.random(in: 0..<1, using: &self) // (0, 1]: the log is finite
        let u2 = Double.random(in: 0..<1, using: &self)
        return (-2 * Foundation.log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// A small integer in [-128, 127] (clipped by the caller to its type).
    public mutating func smallInt() -> Int {
        Int.random(in: -128...127, using: &self)
    }
}
