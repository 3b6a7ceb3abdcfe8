package dev.benchctl.core

import com.google.gson.Gson
import com.google.gson.JsonArray
import com.google.gson.JsonElement
import com.google.gson.JsonIOException
import com.google.gson.JsonNull
import com.google.gson.JsonObject
import com.google.gson.JsonParseException
import com.google.gson.JsonPrimitive
import com.google.gson.stream.JsonReader
import com.google.gson.stream.JsonToken
import com.google.gson.stream.JsonWriter
import java.io.IOException
import java.io.StringReader
import java.io.StringWriter
import java.math.BigDecimal

/**
 * Strict JSON in and out, over Gson's tree model (the same library on the JVM and on Android).
 *
 * Gson's convenience entry points (`JsonParser.parseString`, `Gson.toJson`) switch the reader or
 * writer to lenient mode, which accepts NaN, unquoted strings and trailing garbage; the contract
 * forbids all three, so this file drives Gson's `JsonElement` adapter on a strict reader/writer.
 */
object Json {
    private val elementAdapter = Gson().getAdapter(JsonElement::class.java)

    /** Parse one complete JSON document; anything that is not strict JSON is a [JsonFormatException]. */
    fun parse(text: String): JsonElement {
        val reader = JsonReader(StringReader(text))
        reader.isLenient = false
        try {
            val tree = elementAdapter.read(reader)
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                throw JsonFormatException("unexpected data after the JSON document at ${reader.path}")
            }
            return tree
        } catch (e: IOException) {
            throw JsonFormatException("not valid JSON: ${e.message}")
        } catch (e: JsonParseException) {
            throw JsonFormatException("not valid JSON: ${e.message}")
        } catch (e: IllegalStateException) {
            throw JsonFormatException("not valid JSON: ${e.message}")
        } catch (e: NumberFormatException) {
            throw JsonFormatException("not valid JSON: ${e.message}")
        }
    }

    /** Serialize compactly; nulls are kept (the contract distinguishes null from absent). */
    fun write(tree: JsonElement): String {
        val out = StringWriter()
        val writer = JsonWriter(out)
        writer.isLenient = false // refuses NaN and Infinity
        writer.serializeNulls = true
        try {
            elementAdapter.write(writer, tree)
        } catch (e: IOException) {
            throw JsonIOException(e)
        }
        writer.flush()
        return out.toString()
    }
}

/** The text is not strict JSON (syntax, NaN/Infinity, trailing data). */
class JsonFormatException(message: String) : RuntimeException(message)

/** A JSON document is well-formed but breaks its schema; [path] names the bad field. */
class ContractException(val path: String, detail: String) : RuntimeException("$path: $detail")

/**
 * Typed, path-aware reads from a JSON object: every failure names the field (`timing/iters`).
 *
 * Integers must be written as integers: `1.5` or `1e3` for an integer field is refused rather
 * than truncated, because the contract's samples are exact nanosecond counts.
 */
class JsonFields(private val obj: JsonObject, private val path: String) {
    private fun at(name: String) = if (path.isEmpty()) name else "$path/$name"

    fun has(name: String): Boolean = obj.has(name) && !obj.get(name).isJsonNull

    fun raw(name: String): JsonElement? = obj.get(name)?.takeUnless { it.isJsonNull }

    fun string(name: String): String =
        optString(name) ?: throw ContractException(at(name), "required string is missing")

    fun optString(name: String): String? {
        val e = raw(name) ?: return null
        if (!e.isJsonPrimitive || !e.asJsonPrimitive.isString) {
            throw ContractException(at(name), "must be a string, got $e")
        }
        return e.asString
    }

    fun long(name: String): Long =
        optLong(name) ?: throw ContractException(at(name), "required integer is missing")

    fun optLong(name: String): Long? = raw(name)?.let { exactLong(it, at(name)) }

    fun int(name: String): Int = intOf(long(name), at(name))

    fun optInt(name: String): Int? = optLong(name)?.let { intOf(it, at(name)) }

    fun double(name: String): Double =
        optDouble(name) ?: throw ContractException(at(name), "required number is missing")

    fun optDouble(name: String): Double? {
        val e = raw(name) ?: return null
        if (!e.isJsonPrimitive || !e.asJsonPrimitive.isNumber) {
            throw ContractException(at(name), "must be a number, got $e")
        }
        return e.asDouble
    }

    fun optBoolean(name: String): Boolean? {
        val e = raw(name) ?: return null
        if (!e.isJsonPrimitive || !e.asJsonPrimitive.isBoolean) {
            throw ContractException(at(name), "must be true or false, got $e")
        }
        return e.asBoolean
    }

    fun obj(name: String): JsonFields =
        optObj(name) ?: throw ContractException(at(name), "required object is missing")

    fun optObj(name: String): JsonFields? {
        val e = raw(name) ?: return null
        if (!e.isJsonObject) throw ContractException(at(name), "must be an object")
        return JsonFields(e.asJsonObject, at(name))
    }

    fun jsonObject(name: String): JsonObject? {
        val e = raw(name) ?: return null
        if (!e.isJsonObject) throw ContractException(at(name), "must be an object")
        return e.asJsonObject
    }

    fun array(name: String): JsonArray =
        optArray(name) ?: throw ContractException(at(name), "required array is missing")

    fun optArray(name: String): JsonArray? {
        val e = raw(name) ?: return null
        if (!e.isJsonArray) throw ContractException(at(name), "must be an array")
        return e.asJsonArray
    }

    fun objects(name: String): List<JsonFields> =
        array(name).mapIndexed { i, e ->
            if (!e.isJsonObject) throw ContractException("${at(name)}/$i", "must be an object")
            JsonFields(e.asJsonObject, "${at(name)}/$i")
        }

    fun longs(name: String): LongArray {
        val items = array(name)
        return LongArray(items.size()) { i -> exactLong(items[i], "${at(name)}/$i") }
    }

    fun fail(name: String, detail: String): Nothing = throw ContractException(at(name), detail)

    companion object {
        fun of(tree: JsonElement, what: String): JsonFields {
            if (!tree.isJsonObject) throw ContractException("(document)", "$what must be a JSON object")
            return JsonFields(tree.asJsonObject, "")
        }

        fun exactLong(e: JsonElement, where: String): Long {
            if (!e.isJsonPrimitive || !e.asJsonPrimitive.isNumber) {
                throw ContractException(where, "must be an integer, got $e")
            }
            val text = e.asJsonPrimitive.asString
            if (text.any { it == '.' || it == 'e' || it == 'E' }) {
                throw ContractException(where, "must be an integer, got $text")
            }
            return try {
                BigDecimal(text).longValueExact()
            } catch (_: ArithmeticException) {
                throw ContractException(where, "integer $text does not fit in 64 bits")
            } catch (_: NumberFormatException) {
                throw ContractException(where, "must be an integer, got $text")
            }
        }

        private fun intOf(value: Long, where: String): Int {
            if (value < Int.MIN_VALUE || value > Int.MAX_VALUE) {
                throw ContractException(where, "integer $value is out of range")
            }
            return value.toInt()
        }
    }
}

/** Small builders so writers read like the document they produce. */
fun jsonObjectOf(vararg pairs: Pair<String, Any?>): JsonObject {
    val obj = JsonObject()
    for ((k, v) in pairs) obj.add(k, toJson(v))
    return obj
}

fun toJson(v: Any?): JsonElement =
    when (v) {
        null -> JsonNull.INSTANCE
        is JsonElement -> v
        is String -> JsonPrimitive(v)
        is Boolean -> JsonPrimitive(v)
        is Number -> JsonPrimitive(v)
        is LongArray -> JsonArray(v.size).also { a -> v.forEach { a.add(it) } }
        is IntArray -> JsonArray(v.size).also { a -> v.forEach { a.add(it) } }
        is List<*> -> JsonArray(v.size).also { a -> v.forEach { a.add(toJson(it)) } }
        else -> throw IllegalArgumentException("no JSON form for ${v::class.java.name}")
    }
