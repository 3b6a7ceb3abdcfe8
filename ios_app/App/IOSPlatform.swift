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

    /// phys_footprint, the figure jetsam's memory limit and Xcode's memory gauge use, from
    /// task_info(TASK_VM_INFO); the kernel also keeps its high-water mark
    /// (ledger_phys_footprint_peak, in the structure's later revisions: read only when the
    /// kernel filled that far). Cheap (one Mach call), but still read only between stages.
    var memorySource: String? { "ios:phys_footprint" }

    func memory() -> MemoryReading? {
        var info = task_vm_info_data_t()
        let words = MemoryLayout<task_vm_info_data_t>.size / MemoryLayout<integer_t>.size
        var count = mach_msg_type_number_t(words)
        let kr = withUnsafeMutablePointer(to: &info) { pointer in
            pointer.withMemoryRebound(to: integer_t.self, capacity: words) {
                task_info(mach_task_self_, task_flavor_t(TASK_VM_INFO), $0, &count)
            }
        }
        guard kr == KERN_SUCCESS else { return nil }
        let peakEnd = (MemoryLayout<task_vm_info_data_t>.offset(of: \.ledger_phys_footprint_peak) ?? Int.max) +
            MemoryLayout<Int64>.size
        let peak: Int64? = Int(count) * MemoryLayout<integer_t>.size >= peakEnd ? Int64(info.ledger_phys_footprint_peak) : nil
        return MemoryReading(residentBytes: Int64(info.phys_footprint), peakBytes: peak)
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
