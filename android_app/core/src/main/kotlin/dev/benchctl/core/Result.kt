package dev.benchctl.core

import com.google.gson.JsonElement
import com.google.gson.JsonObject
import java.time.Instant
import java.time.OffsetDateTime
import java.time.ZoneOffset
import java.time.format.DateTimeFormatter
import java.time.format.DateTimeParseException
import java.time.temporal.ChronoUnit

/** How a run ended, spelled as the schema's `status` enum. */
enum class Status(val wire: String) {
    OK("ok"),
    ERROR("error"),
    TIMEOUT("timeout"),
    THERMAL_ABORT("thermal_abort"),
    UNSUPPORTED_VERSION("unsupported_version"),
    UNSUPPORTED_BACKEND("unsupported_backend");

    companion object {
        fun of(wire: String): Status? = entries.firstOrNull { it.wire == wire }
    }
}

data class RunError(val code: String, val message: String)

data class RunnerInfo(val name: String, val version: String, val contractVersions: List<Int>)

/** What the runtime reports it did; `acceleratorActual == null` means it cannot tell. */
data class RuntimeInfo(
    val name: String,
    val version: String,
    val backend: String,
    val acceleratorRequested: String,
    val acceleratorActual: String?,
    val delegatedNodes: Int?,
    val totalNodes: Int?,
    val planSummary: JsonElement?,
)

data class Warmup(val count: Int, val totalNs: Long)

/** Every time in nanoseconds; [samples] are the timed iterations in the order measured. */
data class TimingNs(
    val clock: String,
    val clockResolution: Long?,
    val loopOverhead: Long?,
    val compile: Long?,
    val load: Long?,
    val firstInference: Long?,
    val warmup: Warmup?,
    val samples: LongArray,
    val summary: JsonObject?,
) {
    override fun equals(other: Any?): Boolean =
        other is TimingNs &&
            clock == other.clock &&
            clockResolution == other.clockResolution &&
            loopOverhead == other.loopOverhead &&
            compile == other.compile &&
            load == other.load &&
            firstInference == other.firstInference &&
            warmup == other.warmup &&
            samples.contentEquals(other.samples) &&
            summary == other.summary

    override fun hashCode(): Int = samples.contentHashCode() * 31 + clock.hashCode()
}

/** One `benchctl.result` v1 document. `device` and `environment` are open objects. */
data class RunResult(
    val runId: String,
    val status: Status,
    val error: RunError?,
    val runner: RunnerInfo,
    val modelSha256: String?,
    val device: JsonObject?,
    val runtime: RuntimeInfo?,
    val timing: TimingNs?,
    val environment: JsonObject?,
    val startedAt: String,
    val finishedAt: String,
    val memory: MemoryUsage? = null,
    val profile: Profile? = null,
)

/**
 * Reads and writes `benchctl.result` documents. [write] refuses a document the schema would
 * refuse (an `ok` without samples, a non-`ok` without an error, a zero or hour-long sample), so
 * a bug in a runner shows up on the device, not as a rejected result on the host.
 */
object ResultCodec {
    fun toJson(r: RunResult): JsonObject {
        check(r)
        val doc =
            jsonObjectOf(
                "schema" to Contract.RESULT,
                "version" to Contract.VERSION,
                "run_id" to r.runId,
                "status" to r.status.wire,
                "error" to r.error?.let { jsonObjectOf("code" to it.code, "message" to it.message) },
                "runner" to
                    jsonObjectOf(
                        "name" to r.runner.name,
                        "version" to r.runner.version,
                        "contract_versions" to r.runner.contractVersions,
                    ),
            )
        r.device?.let { doc.add("device", it) }
        r.environment?.let { doc.add("environment", it) }
        r.runtime?.let { rt ->
            val o =
                jsonObjectOf(
                    "name" to rt.name,
                    "version" to rt.version,
                    "backend" to rt.backend,
                    "accelerator_requested" to rt.acceleratorRequested,
                    "accelerator_actual" to rt.acceleratorActual,
                    "delegated_nodes" to rt.delegatedNodes,
                    "total_nodes" to rt.totalNodes,
                )
            rt.planSummary?.let { o.add("plan_summary", it) }
            doc.add("runtime", o)
        }
        r.modelSha256?.let { doc.addProperty("model_sha256", it) }
        r.timing?.let { t ->
            val o =
                jsonObjectOf(
                    "clock" to t.clock,
                    "clock_resolution" to t.clockResolution,
                    "loop_overhead" to t.loopOverhead,
                    "compile" to t.compile,
                    "load" to t.load,
                    "first_inference" to t.firstInference,
                )
            t.warmup?.let { o.add("warmup", jsonObjectOf("count" to it.count, "total" to it.totalNs)) }
            o.add("samples", toJson(t.samples))
            t.summary?.let { o.add("summary", it) }
            doc.add("timing_ns", o)
        }
        doc.addProperty("started_at", r.startedAt)
        doc.addProperty("finished_at", r.finishedAt)
        r.memory?.let { doc.add("memory", ProfileCodec.toJson(it)) }
        r.profile?.let { doc.add("profile", ProfileCodec.toJson(it)) }
        return doc
    }

    fun write(r: RunResult): String = Json.write(toJson(r))

    fun parse(text: String): RunResult {
        val doc = JsonFields.of(Json.parse(text), "a benchctl.result")
        if (doc.string("schema") != Contract.RESULT) doc.fail("schema", "must be ${Contract.RESULT}")
        val version = doc.long("version")
        if (version < 1) doc.fail("version", "must be ≥ 1")
        val status = doc.string("status").let { Status.of(it) ?: doc.fail("status", "unknown status $it") }
        val error =
            doc.optObj("error")?.let { e ->
                RunError(e.string("code"), e.string("message"))
            }
        val runner =
            doc.obj("runner").let { rn ->
                RunnerInfo(
                    rn.string("name"),
                    rn.string("version"),
                    rn.longs("contract_versions").map { it.toInt() },
                )
            }
        val runtime =
            doc.optObj("runtime")?.let { rt ->
                RuntimeInfo(
                    name = rt.string("name"),
                    version = rt.string("version"),
                    backend = rt.string("backend"),
                    acceleratorRequested = rt.string("accelerator_requested"),
                    acceleratorActual = rt.optString("accelerator_actual"),
                    delegatedNodes = rt.optInt("delegated_nodes"),
                    totalNodes = rt.optInt("total_nodes"),
                    planSummary = rt.raw("plan_summary"),
                )
            }
        val timing =
            doc.optObj("timing_ns")?.let { t ->
                TimingNs(
                    clock = t.string("clock"),
                    clockResolution = t.optLong("clock_resolution"),
                    loopOverhead = t.optLong("loop_overhead"),
                    compile = t.optLong("compile"),
                    load = t.optLong("load"),
                    firstInference = t.optLong("first_inference"),
                    warmup = t.optObj("warmup")?.let { w -> Warmup(w.int("count"), w.long("total")) },
                    samples = t.longs("samples"),
                    summary = t.jsonObject("summary"),
                )
            }
        val result =
            RunResult(
                runId = doc.string("run_id"),
                status = status,
                error = error,
                runner = runner,
                modelSha256 = doc.optString("model_sha256"),
                device = doc.jsonObject("device"),
                runtime = runtime,
                timing = timing,
                environment = doc.jsonObject("environment"),
                startedAt = doc.string("started_at"),
                finishedAt = doc.string("finished_at"),
                memory = doc.optObj("memory")?.let { ProfileCodec.parseMemory(it) },
                profile = doc.optObj("profile")?.let { ProfileCodec.parseProfile(it) },
            )
        check(result)
        return result
    }

    /** The schema's rules that a typed value can still break; throws [ContractException]. */
    fun check(r: RunResult) {
        fun fail(path: String, detail: String): Nothing = throw ContractException(path, detail)
        if (!Contract.RUN_ID.matches(r.runId)) fail("run_id", "must be 32 lowercase hex digits")
        if (r.runner.contractVersions.isEmpty()) fail("runner/contract_versions", "must not be empty")
        r.error?.let { if (!Contract.ERROR_CODE.matches(it.code)) fail("error/code", "must be UPPER_SNAKE") }
        r.modelSha256?.let { if (!Contract.SHA256.matches(it)) fail("model_sha256", "must be sha256:<hex>") }
        r.device?.let { d ->
            val p = d.get("platform")
            if (p == null || !p.isJsonPrimitive || !p.asJsonPrimitive.isString) {
                fail("device/platform", "required string is missing")
            }
        }
        r.runtime?.let { rt ->
            if ((rt.delegatedNodes ?: 0) < 0) fail("runtime/delegated_nodes", "must be ≥ 0")
            if ((rt.totalNodes ?: 0) < 0) fail("runtime/total_nodes", "must be ≥ 0")
        }
        r.timing?.let { t ->
            for ((name, v) in listOf(
                "clock_resolution" to t.clockResolution,
                "loop_overhead" to t.loopOverhead,
                "compile" to t.compile,
                "load" to t.load,
                "first_inference" to t.firstInference,
            )) {
                if (v != null && v < 0) fail("timing_ns/$name", "must be ≥ 0")
            }
            t.warmup?.let { w ->
                if (w.count < 0 || w.totalNs < 0) fail("timing_ns/warmup", "must be ≥ 0")
            }
            t.samples.forEachIndexed { i, s ->
                if (s < 1 || s > Contract.MAX_SAMPLE_NS) {
                    fail("timing_ns/samples/$i", "sample $s ns is outside (0, 1 h]")
                }
            }
        }
        ProfileCodec.check(r.profile, r.memory)
        Timestamps.requireIso(r.startedAt) { fail("started_at", it) }
        Timestamps.requireIso(r.finishedAt) { fail("finished_at", it) }
        if (r.status == Status.OK) {
            if (r.error != null) fail("error", "must be null when status is ok")
            if (r.runtime == null) fail("runtime", "required when status is ok")
            if (r.device == null) fail("device", "required when status is ok")
            if (r.modelSha256 == null) fail("model_sha256", "required when status is ok")
            val t = r.timing ?: fail("timing_ns", "required when status is ok")
            if (t.load == null) fail("timing_ns/load", "required when status is ok")
            if (t.firstInference == null) fail("timing_ns/first_inference", "required when status is ok")
            if (t.warmup == null) fail("timing_ns/warmup", "required when status is ok")
            if (t.samples.isEmpty()) fail("timing_ns/samples", "an ok result needs at least one sample")
        } else if (r.error == null) {
            fail("error", "a ${r.status.wire} result needs an error object")
        }
    }
}

/** UTC timestamps as the contract writes them: RFC 3339 with a `Z`, microseconds. */
object Timestamps {
    private val format = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'")

    fun now(): String = format(Instant.now())

    fun format(t: Instant): String = format.format(t.truncatedTo(ChronoUnit.MICROS).atOffset(ZoneOffset.UTC))

    /** Calls [onBad] with a reason unless [text] is an RFC 3339 date-time with an offset. */
    inline fun requireIso(text: String, onBad: (String) -> Nothing) {
        try {
            OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME)
        } catch (_: DateTimeParseException) {
            onBad("must be an RFC 3339 date-time with an offset, got \"$text\"")
        }
    }
}
