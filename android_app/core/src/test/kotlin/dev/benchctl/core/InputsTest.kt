package dev.benchctl.core

import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertNotEquals
import kotlin.test.assertTrue

class InputsTest {
    private val t = TensorSpec("x", listOf(1, 3, 4, 4), "float32")

    @Test
    fun sameSeedSameBytes() {
        val a = Inputs.allocate(t, 3)
        val b = Inputs.allocate(t, 3)
        assertEquals(a, b) // ByteBuffer equality compares remaining content
        assertNotEquals(a, Inputs.allocate(t, 4))
        assertEquals(48 * 4, a.capacity())
        assertTrue(a.isDirect)
    }

    @Test
    fun everyDtypeHasItsSize() {
        for ((dtype, bytes) in mapOf("float32" to 4, "float16" to 2, "int8" to 1, "uint8" to 1, "int32" to 4, "int64" to 8)) {
            assertEquals(48L * bytes, Inputs.allocate(t.copy(dtype = dtype), 0).capacity().toLong(), dtype)
        }
    }

    @Test
    fun halfEncodesExactValuesExactly() {
        for (f in listOf(0f, 1f, -2f, 0.5f, 65504f, 6.1035156e-5f, 5.9604645e-8f)) {
            assertEquals(f, Half.toFloat(Half.fromFloat(f)), "$f")
        }
        assertEquals(0x3c00, Half.fromFloat(1f).toInt() and 0xffff)
        assertEquals(0x7c00, Half.fromFloat(1e6f).toInt() and 0xffff) // overflow → +Infinity
    }

    @Test
    fun halfRoundsToNearest() {
        val samples = listOf(0.1f, -3.14159f, 1234.5678f, 1e-6f)
        for (f in samples) {
            val back = Half.toFloat(Half.fromFloat(f))
            val ulp = Math.ulp(back) * (1 shl 13) // half has 13 fewer mantissa bits than float
            assertTrue(kotlin.math.abs(back - f) <= maxOf(ulp / 2, 3e-8f), "$f → $back")
        }
    }
}
