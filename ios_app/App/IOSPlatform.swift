import BenchCore
import Foundation
import UIKit

/// This iPhone or iPad as BenchCore sees it: model identifier, OS, thermal state, Low Power
/// Mode and battery. UIDevice is read on the main thread, as UIKit requires.
struct IOSPlatform: Platform {
    func deviceFacts() -> [String: JSONValue] {
        let device = onMain { (UIDevice.current.systemName, UIDevice.current.systemVersion, UIDevice.current.model) }
        return .facts([
            "platform": "ios",
            "machine": machineIdentifier(), // e.g. iPhone13,3 (the hardware class)
            "model": device.2,
            "os_name": device.0,
            "os_version": device.1,
            "os_build": ProcessInfo.processInfo.operatingSystemVersionString,
            "cpu_count": ProcessInfo.processInfo.processorCount,
            "memory_bytes": Int64(ProcessInfo.processInfo.physicalMemory),
        ])
    }

    func buildFacts() -> [String: JSONValue] {
        #if DEBUG
            let debug = true
        #else
            let debug = false
        #endif
        return .facts(["is_debug_build": debug])
    }

    func snapshot() -> (reading: ThermalGate.Reading, details: [String: JSONValue]) {
        let thermal = ThermalGate.iosScale[thermalIndex(ProcessInfo.processInfo.thermalState)]
        let battery: (level: Float, state: UIDevice.BatteryState) = onMain {
            UIDevice.current.isBatteryMonitoringEnabled = true
            return (UIDevice.current.batteryLevel, UIDevice.current.batteryState)
        }
        let pct: Int? = battery.level >= 0 ? Int((battery.level * 100).rounded()) : nil
        let charging: Bool? = battery.state == .unknown ? nil : (battery.state == .charging || battery.state == .full)
        let details: [String: JSONValue] = .facts([
            "thermal": thermal,
            "low_power_mode": ProcessInfo.processInfo.isLowPowerModeEnabled,
            "battery_pct": pct,
            "charging": charging,
            "uptime_s": ProcessInfo.processInfo.systemUptime,
        ])
        return (ThermalGate.Reading(thermal: thermal, batteryPct: pct, charging: charging), details)
    }

    private func thermalIndex(_ state: ProcessInfo.ThermalState) -> Int {
        switch state {
        case .nominal: return 0
        case .fair: return 1
        case .serious: return 2
        case .critical: return 3
        @unknown default: return 3 // a new, hotter state: treat as the hottest known
        }
    }

    private func machineIdentifier() -> String {
        var info = utsname()
        uname(&info)
        return withUnsafeBytes(of: &info.machine) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
    }

    private func onMain<T>(_ body: () -> T) -> T {
        Thread.isMainThread ? body() : DispatchQueue.main.sync(execute: body)
    }
}
