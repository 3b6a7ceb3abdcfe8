package dev.benchctl.core

import java.nio.ByteBuffer
import java.nio.ByteOrder
import java.util.SplittableRandom

/**
 * Deterministic random input tensors, filled once before timing. The values come from
 * java.util.SplittableRandom seeded with the spec's seed (standard normal for floats, small
 * integers in [-128, 127] clipped to the type for integers): reproducible across runs of this
 * app, not bit-identical to the Python runner's numpy stream — latency does not depend on them.
 */
object Inputs {
    fun bytesPerElement(dtype: String): Int =
        when (dtype) {
            "float32", "int32" -> 4
            "float16" -> 2
            "int8", "uint8" -> 1
            "int64" -> 8
            else -> throw IllegalArgumentException("unknown dtype $dtype")
        }

    fun byteSize(t: TensorSpec): Long = t.elementCount * bytesPerElement(t.dtype)

    /** A direct, native-order buffer holding [t]'s values; tensor i uses seed + i. */
    fun allocate(t: TensorSpec, seed: Long): ByteBuffer {
        val size = byteSize(t)
        require(size <= Int.MAX_VALUE) { "input ${t.name} needs $size bytes, more than one buffer holds" }
        val buf = ByteBuffer.allocateDirect(size.toInt()).order(ByteOrder.nativeOrder())
        fill(buf, t, seed)
        buf.rewind()
        return buf
    }

    fun fill(buf: ByteBuffer, t: TensorSpec, seed: Long) {
        val rng = SplittableRandom(seed)
        val n = t.elementCount
        when (t.dtype) {
            "float32" -> for (i in 0 until n) buf.putFloat(gaussian(rng).toFloat())
            "float16" -> for (i in 0 until n) buf.putShort(Half.fromFloat(gaussian(rng).toFloat()))
            "int8" -> for (i in 0 until n) buf.put(rng.nextInt(-128, 128).toByte())
            "uint8" -> for (i in 0 until n) buf.put(rng.nextInt(0, 128).toByte())
            "int32" -> for (i in 0 until n) buf.putInt(rng.nextInt(-128, 128))
            "int64" -> for (i in 0 until n) buf.putLong(rng.nextInt(-128, 128).toLong())
            else -> throw IllegalArgumentException("unknown dtype ${t.dtype}")
        }
    }

    /** Standard normal by the Box–Muller transform (SplittableRandom has no nextGaussian on API 26). */
    private fun gaussian(rng: SplittableRandom): Double {
        val u1 = 1.0 - rng.nextDouble() // (0, 1]: log is finite
        val u2 = rng.nextDouble()
        return kotlin.math.sqrt(-2.0 * kotlin.math.ln(u1)) * kotlin.math.cos(2.0 * Math.PI * u2)
    }
}

/**
 * IEEE 754 binary16 encoding for float16 inputs (java.lang.Float.floatToFloat16 arrived only in
 * Java 20, and Android's android.util.Half is not on the JVM). Round-to-nearest-even; values
 * beyond the half range become ±Infinity, tiny ones become subnormals or ±0.
 */
object Half {
    fun fromFloat(f: Float): Short {
        val bits = java.lang.Float.floatToRawIntBits(f)
        val sign = (bits ushr 16) and 0x8000
        val exp = (bits ushr 23) and 0xff
        val mant = bits and 0x7fffff
        if (exp == 0xff) return (sign or 0x7c00 or (if (mant != 0) 0x200 else 0)).toShort() // Inf/NaN
        val e = exp - 127 + 15
        if (e >= 0x1f) return (sign or 0x7c00).toShort() // overflow → Infinity
        if (e <= 0) {
            if (e < -10) return sign.toShort() // underflow → ±0
            val m = mant or 0x800000 // restore the implicit bit
            val shift = 14 - e
            var half = m ushr shift
            val rest = m and ((1 shl shift) - 1)
            val halfway = 1 shl (shift - 1)
            if (rest > halfway || (rest == halfway && (half and 1) == 1)) half++
            return (sign or half).toShort()
        }
        var half = (e shl 10) or (mant ushr 13)
        val rest = mant and 0x1fff
        if (rest > 0x1000 || (rest == 0x1000 && (half and 1) == 1)) half++ // may carry into exponent
        return (sign or half).toShort()
    }

    fun toFloat(h: Short): Float {
        val bits = h.toInt() and 0xffff
        val sign = if (bits and 0x8000 != 0) -1f else 1f
        val exp = (bits ushr 10) and 0x1f
        val mant = bits and 0x3ff
        return when (exp) {
            0 -> sign * mant * 2f.pow(-24)
            0x1f -> if (mant == 0) sign * Float.POSITIVE_INFINITY else Float.NaN
            else -> sign * (1f + mant / 1024f) * 2f.pow(exp - 15)
        }
    }

    private fun Float.pow(n: Int): Float = Math.pow(this.toDouble(), n.toDouble()).toFloat()
}
