import Foundation

/// Thermal and battery gates: proceed, cool down first, or refuse. The app supplies readings
/// (`ProcessInfo.thermalState`, UIDevice battery); the decisions live here and are unit-tested.
public struct ThermalGate {
    /// iOS `ProcessInfo.ThermalState` names, coolest first.
    public static let iosScale = ["nominal", "fair", "serious", "critical"]
    public static let pollMilliseconds: Int64 = 5_000

    public struct Reading: Equatable {
        public var thermal: String?
        public var batteryPct: Int?
        public var charging: Bool?

        public init(thermal: String?, batteryPct: Int?, charging: Bool?) {
            self.thermal = thermal
            self.batteryPct = batteryPct
            self.charging = charging
        }
    }

    public enum Decision: Equatable {
        case proceed
        case coolDown(waitMilliseconds: Int64, reason: String)
        case refuse(status: Status, code: String, reason: String)
    }

    let scale: [String]
    let gates: RunSpec.Gates

    /// Throws when `max_thermal_status` is not a name on this platform's scale.
    public init(scale: [String] = ThermalGate.iosScale, gates: RunSpec.Gates) throws {
        if let max = gates.maxThermalStatus, !scale.contains(max) {
            throw SpecError(status: .error, code: ErrorCodes.INVALID_SPEC,
                            message: "max_thermal_status \"\(max)\" is not one of \(scale)")
        }
        self.scale = scale
        self.gates = gates
    }

    public func decide(_ r: Reading, waitedMilliseconds: Int64) -> Decision {
        if let minBattery = gates.minBatteryPct, let pct = r.batteryPct, pct < minBattery, r.charging != true {
            return .refuse(status: .error, code: ErrorCodes.LOW_BATTERY,
                           reason: "battery at \(pct) % is below the spec's min_battery_pct \(minBattery); charge the device")
        }
        guard let max = gates.maxThermalStatus, let limit = scale.firstIndex(of: max),
              let thermal = r.thermal, let now = scale.firstIndex(of: thermal), now > limit else { return .proceed }
        let budget = Int64((gates.cooldownS ?? 0) * 1000)
        let reason = "thermal state \(thermal) is above the spec's max \(max)"
        if waitedMilliseconds >= budget {
            return .refuse(status: .thermalAbort, code: ErrorCodes.THERMAL_LIMIT,
                           reason: "\(reason) after waiting \(waitedMilliseconds / 1000) s to cool down")
        }
        return .coolDown(waitMilliseconds: Swift.min(ThermalGate.pollMilliseconds, budget - waitedMilliseconds), reason: reason)
    }

    public func warnings(before: Reading, after: Reading) -> [String] {
        var out: [String] = []
        if let b = before.thermal.flatMap({ scale.firstIndex(of: $0) }),
           let a = after.thermal.flatMap({ scale.firstIndex(of: $0) }), a > b { out.append(Warnings.THERMAL_ROSE) }
        if let b = before.charging, let a = after.charging, a != b { out.append(Warnings.CHARGING_CHANGED) }
        return out
    }
}
