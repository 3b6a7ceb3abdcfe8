package dev.benchctl.core

import java.io.File
import java.io.IOException
import java.io.RandomAccessFile
import java.nio.ByteBuffer
import java.nio.ByteOrder
import java.nio.channels.FileChannel

/**
 * The operators of a `.tflite` model's primary subgraph, read from the file: LiteRT 1.4's Java
 * API names no node (it gives only the execution plan's length), and the app ships no Java
 * build of the TFLite flatbuffer schema, so the few fields a profile needs are read here by the
 * FlatBuffers binary format (flatbuffers.dev, "Internals"), with the field slots of LiteRT's
 * schema.fbs (the same slots ai_edge_litert's generated schema_py_generated.py reads):
 * Model.operator_codes (slot 1) and .subgraphs (2); OperatorCode.deprecated_builtin_code (0),
 * .custom_code (1), .builtin_code (3); SubGraph.operators (3); Operator.opcode_index (0).
 *
 * Operators are named `<index>:<op type>` as the host's LiteRT profiler names them
 * (benchctl/runner/backends/profile_litert.py), so an Android profile lines up with a
 * host one in `compare --ops`; a custom operator's type is its custom code, as LiteRT's
 * interpreter names it.
 */
object TfliteGraph {
    data class Op(val index: Int, val opType: String) {
        val name: String get() = "$index:$opType"
    }

    /** The file is not a TFLite flatbuffer (or is truncated); the message says where. */
    class FormatException(message: String) : IOException(message)

    fun read(file: File): List<Op> {
        val buffer =
            RandomAccessFile(file, "r").use { raf ->
                raf.channel.map(FileChannel.MapMode.READ_ONLY, 0, raf.length())
            }
        return read(buffer)
    }

    fun read(data: ByteBuffer): List<Op> {
        val b = data.duplicate().order(ByteOrder.LITTLE_ENDIAN)
        val r = Reader(b)
        if (b.limit() < 8) throw FormatException("${b.limit()} bytes is too short for a TFLite model")
        val ident = String(ByteArray(4) { b.get(4 + it) }, Charsets.US_ASCII)
        if (ident != "TFL3") throw FormatException("file identifier is \"$ident\", not TFL3: not a TFLite model")
        val model = r.root()
        val codes =
            r.tables(model, MODEL_OPERATOR_CODES).map { code ->
                val deprecated = r.byteField(code, CODE_DEPRECATED_BUILTIN).toInt()
                val builtin = maxOf(r.intField(code, CODE_BUILTIN), deprecated) // schema_utils.cc's rule
                if (builtin == CUSTOM) {
                    r.string(code, CODE_CUSTOM) ?: "CUSTOM"
                } else {
                    TfliteOps.BUILTIN.getOrNull(builtin) ?: "BUILTIN_$builtin"
                }
            }
        val subgraphs = r.tables(model, MODEL_SUBGRAPHS)
        if (subgraphs.isEmpty()) throw FormatException("the model has no subgraph")
        return r.tables(subgraphs[0], SUBGRAPH_OPERATORS).mapIndexed { i, op ->
            val opcode = r.intField(op, OPERATOR_OPCODE_INDEX)
            val type = codes.getOrNull(opcode) ?: throw FormatException("operator $i names opcode $opcode of ${codes.size}")
            Op(i, type)
        }
    }

    private const val CUSTOM = 32 // BuiltinOperator.CUSTOM
    private const val MODEL_OPERATOR_CODES = 1
    private const val MODEL_SUBGRAPHS = 2
    private const val CODE_DEPRECATED_BUILTIN = 0
    private const val CODE_CUSTOM = 1
    private const val CODE_BUILTIN = 3
    private const val SUBGRAPH_OPERATORS = 3
    private const val OPERATOR_OPCODE_INDEX = 0

    /** Tables, vectors and strings of a little-endian flatbuffer, every offset bounds-checked. */
    private class Reader(private val b: ByteBuffer) {
        private fun u32(at: Int): Int {
            if (at < 0 || at + 4 > b.limit()) throw FormatException("offset $at is outside the ${b.limit()}-byte file")
            return b.getInt(at)
        }

        private fun u16(at: Int): Int {
            if (at < 0 || at + 2 > b.limit()) throw FormatException("offset $at is outside the ${b.limit()}-byte file")
            return b.getShort(at).toInt() and 0xffff
        }

        fun root(): Int = u32(0)

        /** Where field [slot] of the table at [table] is stored, or null when it is absent (default). */
        private fun field(table: Int, slot: Int): Int? {
            val vtable = table - u32(table)
            val vtableSize = u16(vtable)
            val entry = 4 + 2 * slot
            if (entry + 2 > vtableSize) return null
            val offset = u16(vtable + entry)
            return if (offset == 0) null else table + offset
        }

        private fun indirect(at: Int): Int = at + u32(at)

        fun intField(table: Int, slot: Int): Int = field(table, slot)?.let { u32(it) } ?: 0

        fun byteField(table: Int, slot: Int): Byte =
            field(table, slot)?.let {
                if (it >= b.limit()) throw FormatException("offset $it is outside the file")
                b.get(it)
            } ?: 0

        fun string(table: Int, slot: Int): String? {
            val at = field(table, slot) ?: return null
            val start = indirect(at)
            val length = u32(start)
            if (length < 0 || start + 4 + length > b.limit()) throw FormatException("string at $start overruns the file")
            return String(ByteArray(length) { b.get(start + 4 + it) }, Charsets.UTF_8)
        }

        /** The tables of the vector field [slot]; empty when the field is absent. */
        fun tables(table: Int, slot: Int): List<Int> {
            val at = field(table, slot) ?: return emptyList()
            val vector = indirect(at)
            val length = u32(vector)
            if (length < 0 || vector + 4L + 4L * length > b.limit()) throw FormatException("vector at $vector overruns the file")
            return (0 until length).map { indirect(vector + 4 + 4 * it) }
        }
    }
}
