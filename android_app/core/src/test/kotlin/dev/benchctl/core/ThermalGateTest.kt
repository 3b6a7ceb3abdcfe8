package dev.benchctl.core

import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertIs

class ThermalGateTest {
    private fun gate(max: String? = "light", battery: Int? = null, cooldown: Double? = 20.0) =
        ThermalGate(ThermalGate.ANDROID, Gates(max, battery, cooldown, null))

    private fun reading(thermal: String?, battery: Int? = 80, charging: Boolean? = false) =
        ThermalGate.Reading(thermal, battery, charging)

    @Test
    fun coolEnoughProceeds() {
        assertEquals(ThermalGate.Decision.Proceed, gate().decide(reading("none"), 0))
        assertEquals(ThermalGate.Decision.Proceed, gate().decide(reading("light"), 0))
    }

    @Test
    fun tooHotWaitsWithinTheBudgetThenAborts() {
        val wait = assertIs<ThermalGate.Decision.CoolDown>(gate().decide(reading("severe"), 0))
        assertEquals(ThermalGate.POLL_MS, wait.waitMs)
        val last = assertIs<ThermalGate.Decision.CoolDown>(gate().decide(reading("severe"), 18_000))
        assertEquals(2_000, last.waitMs)
        val refuse = assertIs<ThermalGate.Decision.Refuse>(gate().decide(reading("severe"), 20_000))
        assertEquals(Status.THERMAL_ABORT, refuse.status)
        assertEquals("THERMAL_LIMIT", refuse.code)
    }

    @Test
    fun noCooldownBudgetAbortsAtOnce() {
        assertIs<ThermalGate.Decision.Refuse>(gate(cooldown = null).decide(reading("moderate"), 0))
    }

    @Test
    fun unknownThermalStateNeverBlocks() {
        assertEquals(ThermalGate.Decision.Proceed, gate().decide(reading(null), 0))
        assertEquals(ThermalGate.Decision.Proceed, gate(max = null).decide(reading("critical"), 0))
    }

    @Test
    fun lowBatteryRefusesUnlessCharging() {
        val refuse = assertIs<ThermalGate.Decision.Refuse>(gate(battery = 25).decide(reading("none", 20), 0))
        assertEquals("LOW_BATTERY", refuse.code)
        assertEquals(ThermalGate.Decision.Proceed, gate(battery = 25).decide(reading("none", 20, charging = true), 0))
    }

    @Test
    fun aNameOutsideTheScaleIsRefused() {
        assertFailsWith<IllegalArgumentException> { gate(max = "nominal") } // an iOS name on Android
        ThermalGate(ThermalGate.IOS, Gates("fair", null, null, null)) // …which iOS accepts
    }

    @Test
    fun warnsWhenTheDeviceGotHotter() {
        assertEquals(listOf("THERMAL-ROSE"), gate().warnings(reading("none"), reading("light")))
        assertEquals(emptyList(), gate().warnings(reading("light"), reading("light")))
    }
}
