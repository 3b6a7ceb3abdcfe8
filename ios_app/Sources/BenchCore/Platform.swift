import Foundation

/// What the runner needs from the device: facts, and thermal/battery readings. The app
/// implements it with UIDevice and ProcessInfo; tests with fixed values.
public protocol Platform {
    /// The result's `device` object; must contain `platform` ("ios").
    func deviceFacts() -> [String: JSONValue]
    /// One reading for the gates plus the snapshot recorded as environment before/after.
    func snapshot() -> (reading: ThermalGate.Reading, details: [String: JSONValue])
    /// Facts about this build recorded in the environment (e.g. low power mode at start).
    func buildFacts() -> [String: JSONValue]
    /// Where `memory()`'s figures come from (the result's `memory.source`); nil: not measured.
    var memorySource: String? { get }
    /// This process's memory now. Read only between stages (before and after the load, after
    /// the timed loop), never inside the timed loop.
    func memory() -> MemoryReading?
}

public extension Platform {
    func buildFacts() -> [String: JSONValue] { [:] }
    var memorySource: String? { nil }
    func memory() -> MemoryReading? { nil }
}
