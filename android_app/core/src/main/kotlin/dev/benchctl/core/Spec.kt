package dev.benchctl.core

import com.google.gson.JsonObject

/** The contract's fixed names and the versions this runner speaks (benchctl/runner/contract). */
object Contract {
    const val SPEC = "benchctl.spec"
    const val RESULT = "benchctl.result"
    const val CAPABILITIES = "benchctl.capabilities"
    const val VERSION = 1
    val SUPPORTED_VERSIONS = listOf(1)
    val MODEL_FORMATS = setOf("onnx", "tflite", "mlpackage", "engine", "pt2")
    val DTYPES = setOf("float32", "float16", "int8", "uint8", "int32", "int64")
    val RUN_ID = Regex("^[0-9a-f]{32}$")
    val SHA256 = Regex("^sha256:[0-9a-f]{64}$")
    val ERROR_CODE = Regex("^[A-Z][A-Z0-9_]*$")

    /** The longest sample the schema accepts: one hour, in nanoseconds. */
    const val MAX_SAMPLE_NS = 3_600_000_000_000L
}

/** One `benchctl.spec` v1 document, read by [SpecReader]; field names follow the schema. */
data class RunSpec(
    val runId: String,
    val createdAt: String,
    val model: ModelRef,
    val backend: BackendRequest,
    val inputs: InputSpec,
    val timing: TimingPolicy,
    val gates: Gates,
    val resultPath: String,
    val profile: ProfileRequest? = null, // a profiled pass after the timed loop; null: none
)

data class ModelRef(val path: String, val format: String, val sha256: String, val name: String?)

data class BackendRequest(
    val name: String,
    val accelerator: String, // requested; a different actual one fails the run unless allowed
    val allowFallback: Boolean,
    val numThreads: Int?,
    val precision: String?,
    val computeUnits: String?,
    val options: JsonObject, // every backend option as sent, e.g. {"xnnpack": false}
)

data class TensorSpec(val name: String, val shape: List<Int>, val dtype: String) {
    val elementCount: Long get() = shape.fold(1L) { acc, d -> acc * d }
}

data class InputSpec(val seed: Long, val tensors: List<TensorSpec>)

data class TimingPolicy(
    val warmupIters: Int,
    val iters: Int,
    val maxTotalS: Double?, // stops the loop between chunks; the result is then `timeout`
    val progressEvery: Int, // 0 = never
)

/**
 * Environment gates from the spec's free-form `environment` object (devices.md §7.1): the
 * hottest thermal state allowed at the start, the lowest battery level, and how long to wait for
 * the device to cool before giving up. Absent keys mean "no gate".
 */
data class Gates(
    val maxThermalStatus: String?,
    val minBatteryPct: Int?,
    val cooldownS: Double?,
    val sustainedPerformanceMode: Boolean?,
)

/** A spec the runner must refuse; [status] and [code] go into the result document. */
class SpecException(val status: Status, val code: String, message: String) : RuntimeException(message)

/**
 * Reads and checks a `benchctl.spec` document the way the JSON Schema does, so the app refuses
 * what the Python runner refuses. Unknown fields are ignored (the contract's rule).
 */
object SpecReader {
    fun parse(text: String): RunSpec {
        val tree =
            try {
                Json.parse(text)
            } catch (e: JsonFormatException) {
                throw SpecException(Status.ERROR, ErrorCodes.INVALID_SPEC, e.message ?: "not JSON")
            }
        try {
            val doc = JsonFields.of(tree, "a benchctl.spec")
            val version = doc.optLong("version")
            if (version == null || version !in Contract.SUPPORTED_VERSIONS.map { it.toLong() }) {
                throw SpecException(
                    Status.UNSUPPORTED_VERSION,
                    ErrorCodes.UNSUPPORTED_CONTRACT_VERSION,
                    "spec version $version; this runner speaks ${Contract.SUPPORTED_VERSIONS}",
                )
            }
            return read(doc)
        } catch (e: ContractException) {
            throw SpecException(Status.ERROR, ErrorCodes.INVALID_SPEC, "benchctl.spec invalid at ${e.message}")
        }
    }

    /** The run id if the text has a well-formed one, so even a refused spec's result names its run. */
    fun runIdOrNull(text: String): String? =
        try {
            val tree = Json.parse(text)
            val id = if (tree.isJsonObject) tree.asJsonObject.get("run_id") else null
            id?.takeIf { it.isJsonPrimitive && it.asJsonPrimitive.isString }
                ?.asString
                ?.takeIf { Contract.RUN_ID.matches(it) }
        } catch (_: JsonFormatException) {
            null
        }

    private fun read(doc: JsonFields): RunSpec {
        if (doc.string("schema") != Contract.SPEC) doc.fail("schema", "must be ${Contract.SPEC}")
        val runId = doc.string("run_id")
        if (!Contract.RUN_ID.matches(runId)) doc.fail("run_id", "must be 32 lowercase hex digits")
        val createdAt = doc.string("created_at")
        Timestamps.requireIso(createdAt) { doc.fail("created_at", it) }

        val m = doc.obj("model")
        val model =
            ModelRef(
                path = m.string("path").also { if (it.isEmpty()) m.fail("path", "must not be empty") },
                format = m.string("format").also {
                    if (it !in Contract.MODEL_FORMATS) m.fail("format", "must be one of ${Contract.MODEL_FORMATS}")
                },
                sha256 = m.string("sha256").also {
                    if (!Contract.SHA256.matches(it)) m.fail("sha256", "must be sha256:<64 hex digits>")
                },
                name = m.optString("name"),
            )

        val b = doc.obj("backend")
        val options = b.optObj("options")
        val backend =
            BackendRequest(
                name = b.string("name").also { if (it.isEmpty()) b.fail("name", "must not be empty") },
                accelerator = b.string("accelerator").also {
                    if (it.isEmpty()) b.fail("accelerator", "must not be empty")
                },
                allowFallback = b.optBoolean("allow_fallback") ?: false,
                numThreads = options?.optInt("num_threads")?.also {
                    if (it < 1) options.fail("num_threads", "must be ≥ 1")
                },
                precision = options?.optString("precision"),
                computeUnits = options?.optString("compute_units"),
                options = b.jsonObject("options") ?: JsonObject(),
            )

        val i = doc.obj("inputs")
        i.optString("mode")?.let { if (it != "random") i.fail("mode", "must be \"random\"") }
        val seed = i.long("seed").also { if (it < 0) i.fail("seed", "must be ≥ 0") }
        val tensors =
            i.objects("tensors").map { t ->
                val shape = t.longs("shape")
                if (shape.isEmpty()) t.fail("shape", "must have at least one dimension")
                if (shape.any { it < 1 || it > Int.MAX_VALUE }) t.fail("shape", "dimensions must be ≥ 1")
                val dtype = t.string("dtype")
                if (dtype !in Contract.DTYPES) t.fail("dtype", "must be one of ${Contract.DTYPES}")
                TensorSpec(t.string("name"), shape.map { it.toInt() }, dtype)
            }
        if (tensors.isEmpty()) i.fail("tensors", "must list at least one tensor")

        val tm = doc.obj("timing")
        val timing =
            TimingPolicy(
                warmupIters = tm.int("warmup_iters").also { if (it < 0) tm.fail("warmup_iters", "must be ≥ 0") },
                iters = tm.int("iters").also {
                    if (it < 1 || it > 10_000_000) tm.fail("iters", "must be in 1…10000000")
                },
                maxTotalS = tm.optDouble("max_total_s")?.also {
                    if (!(it > 0.0)) tm.fail("max_total_s", "must be > 0")
                },
                progressEvery = tm.optInt("progress_every")?.also {
                    if (it < 0) tm.fail("progress_every", "must be ≥ 0")
                } ?: 0,
            )

        val env = doc.optObj("environment")
        val gates =
            Gates(
                maxThermalStatus = env?.optString("max_thermal_status"),
                minBatteryPct = env?.optInt("min_battery_pct"),
                cooldownS = env?.optDouble("cooldown_s")?.also {
                    if (it < 0) env.fail("cooldown_s", "must be ≥ 0")
                },
                sustainedPerformanceMode = env?.optBoolean("sustained_performance_mode"),
            )

        val out = doc.obj("output")
        val resultPath = out.string("result_path")
        if (resultPath.isEmpty()) out.fail("result_path", "must not be empty")
        val profile =
            doc.optObj("profile")?.let { p ->
                val n = p.optInt("iterations") ?: ProfileRequest.DEFAULT_ITERATIONS
                if (n < 1 || n > ProfileRequest.MAX_ITERATIONS) {
                    p.fail("iterations", "must be in 1…${ProfileRequest.MAX_ITERATIONS}")
                }
                ProfileRequest(n)
            }
        return RunSpec(runId, createdAt, model, backend, InputSpec(seed, tensors), timing, gates, resultPath, profile)
    }
}
