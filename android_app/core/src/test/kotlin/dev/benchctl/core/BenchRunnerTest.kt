package dev.benchctl.core

import com.google.gson.JsonObject
import java.io.File
import java.nio.file.Files
import kotlin.test.Test
import kotlin.test.assertContentEquals
import kotlin.test.assertEquals
import kotlin.test.assertNull
import kotlin.test.assertTrue

/**
 * The runner end to end on the JVM: the golden spec, adapted to a model file written here, runs
 * through a [FakeBackend]. Every result is also left in the output folder, where the Python
 * tests validate it against result.schema.json.
 */
class BenchRunnerTest {
    private val runner = RunnerInfo("benchctl-android", "0.1.0", Contract.SUPPORTED_VERSIONS)
    private val input = TensorSpec("input", listOf(1, 3, 8, 8), "float32")
    private val cool = listOf(ThermalGate.Reading("none", 90, false))

    private fun stage(edit: (JsonObject) -> Unit = {}): File {
        val dir = Files.createTempDirectory("benchctl-run").toFile()
        val model = File(dir, "model.tflite").also { it.writeBytes(ByteArray(4096) { i -> (i * 31).toByte() }) }
        val spec = TestFiles.goldenTree("spec.json").asJsonObject.deepCopy()
        spec["model"].asJsonObject.apply {
            addProperty("path", model.name)
            addProperty("format", "tflite")
            addProperty("sha256", FileIo.sha256(model))
        }
        spec["backend"].asJsonObject.addProperty("name", "fake")
        spec["inputs"].asJsonObject.add("tensors", Json.parse("""[{"name":"input","shape":[1,3,8,8],"dtype":"float32"}]"""))
        edit(spec)
        return File(dir, "spec.json").also { it.writeText(Json.write(spec)) }
    }

    private fun run(
        specFile: File,
        backend: FakeBackend,
        clock: MonotonicClock,
        readings: List<ThermalGate.Reading> = cool,
        emitAs: String,
    ): BenchRunner.Outcome {
        val outcome = BenchRunner(runner, FakePlatform(readings), listOf(backend), clock).run(specFile)
        val text = outcome.resultFile.readText()
        assertEquals(outcome.result, ResultCodec.parse(text)) // what is on disk is what was returned
        assertEquals(listOf(outcome.resultFile.name), specFile.parentFile.list()!!.filter { it.startsWith("result") })
        TestFiles.emit(emitAs, text)
        return outcome
    }

    @Test
    fun anOkRunRecordsEveryPhaseAndSample() {
        val clock = FakeClock(tickNs = 0)
        val durations = longArrayOf(5_000_000, 1_000_000, 1_100_000, 1_200_000, 1_300_000, 1_400_000)
        val backend = FakeBackend(clock, durations, listOf(input))
        val spec = stage { it["timing"].asJsonObject.addProperty("warmup_iters", 0) }
        val r = run(spec, backend, clock, emitAs = "result_ok_fakeclock.json").result
        assertEquals(Status.OK, r.status)
        assertNull(r.error)
        assertEquals(TestFiles.goldenTree("spec.json").asJsonObject["run_id"].asString, r.runId)
        val t = r.timing!!
        assertEquals(5_000_000, t.firstInference)
        assertContentEquals(longArrayOf(1_000_000, 1_100_000, 1_200_000, 1_300_000, 1_400_000), t.samples)
        assertEquals(Warmup(0, 0), t.warmup)
        assertEquals("fake", t.clock)
        assertEquals(1_200_000.0, t.summary!!["median"].asDouble)
        assertEquals("cpu", r.runtime!!.acceleratorActual)
        assertEquals(12, r.runtime!!.totalNodes)
        assertEquals(FileIo.sha256(File(spec.parentFile, "model.tflite")), r.modelSha256)
        assertEquals("iters", r.environment!!["stopped_by"].asString)
        assertTrue(backend.closed)
    }

    @Test
    fun anOkRunOnTheRealClock() {
        val backend = FakeBackend(modelInputs = listOf(input))
        val r = run(stage(), backend, SystemNanoClock, emitAs = "result_ok.json").result
        assertEquals(Status.OK, r.status)
        assertEquals("System.nanoTime", r.timing!!.clock)
        assertEquals(5, r.timing!!.samples.size)
        assertEquals(1 + 50 + 5, backend.calls)
        assertTrue(r.timing!!.load!! > 0)
    }

    @Test
    fun aHashMismatchIsAnError() {
        val spec = stage { it["model"].asJsonObject.addProperty("sha256", "sha256:" + "0".repeat(64)) }
        val r = run(spec, FakeBackend(modelInputs = listOf(input)), SystemNanoClock, emitAs = "result_sha_mismatch.json").result
        assertEquals(Status.ERROR, r.status)
        assertEquals("MODEL_SHA256_MISMATCH", r.error!!.code)
        assertNull(r.timing)
    }

    @Test
    fun anUnknownBackendIsUnsupported() {
        val spec = stage { it["backend"].asJsonObject.addProperty("name", "tensorrt") }
        val r = run(spec, FakeBackend(modelInputs = listOf(input)), SystemNanoClock, emitAs = "result_unknown_backend.json").result
        assertEquals(Status.UNSUPPORTED_BACKEND, r.status)
        assertEquals("UNKNOWN_BACKEND", r.error!!.code)
    }

    @Test
    fun aNewerSpecVersionIsUnsupported() {
        val r = run(stage { it.addProperty("version", 2) }, FakeBackend(), SystemNanoClock, emitAs = "result_unsupported_version.json").result
        assertEquals(Status.UNSUPPORTED_VERSION, r.status)
        assertEquals(TestFiles.goldenTree("spec.json").asJsonObject["run_id"].asString, r.runId)
    }

    @Test
    fun aSilentFallbackFailsTheRun() {
        val spec = stage { it["backend"].asJsonObject.addProperty("accelerator", "gpu") }
        val backend = FakeBackend(modelInputs = listOf(input), placement = Placement("cpu", 0, 12))
        val r = run(spec, backend, SystemNanoClock, emitAs = "result_fallback.json").result
        assertEquals("ACCELERATOR_FALLBACK", r.error!!.code)
        assertEquals("gpu", r.runtime?.acceleratorRequested ?: "gpu") // no runtime block on failure
        assertEquals(0, backend.calls) // nothing was timed
    }

    @Test
    fun aPlacementThatCannotBeToldIsUnknownNotAFallback() {
        val spec = stage { it["backend"].asJsonObject.addProperty("accelerator", "gpu") }
        val unknown = Placement(null, planSummary = jsonObjectOf("execution_plan_unreadable" to "NoSuchMethodException"))
        val backend = FakeBackend(modelInputs = listOf(input), placement = unknown)
        val r = run(spec, backend, SystemNanoClock, emitAs = "result_placement_unknown.json").result
        assertEquals(Status.OK, r.status, r.error?.message)
        assertEquals(null, r.runtime?.acceleratorActual)
        assertEquals("gpu", r.runtime?.acceleratorRequested)
    }

    @Test
    fun anInputMismatchIsCaughtBeforeTiming() {
        val backend = FakeBackend(modelInputs = listOf(input.copy(shape = listOf(1, 3, 16, 16))))
        val r = run(stage(), backend, SystemNanoClock, emitAs = "result_input_mismatch.json").result
        assertEquals("INPUT_MISMATCH", r.error!!.code)
        assertEquals(0, backend.calls)
    }

    @Test
    fun anInferenceErrorMidLoopIsAStatus() {
        val backend = FakeBackend(modelInputs = listOf(input), failOnCall = 10)
        val r = run(stage(), backend, SystemNanoClock, emitAs = "result_inference_failed.json").result
        assertEquals("INFERENCE_FAILED", r.error!!.code)
        assertTrue(backend.closed)
    }

    @Test
    fun maxTotalSecondsGivesATimeout() {
        val clock = FakeClock(tickNs = 0)
        val backend = FakeBackend(clock, longArrayOf(400_000_000), listOf(input))
        val spec = stage {
            it["timing"].asJsonObject.apply {
                addProperty("warmup_iters", 0)
                addProperty("iters", 100)
                addProperty("max_total_s", 1.0)
                addProperty("progress_every", 2)
            }
        }
        val r = run(spec, backend, clock, emitAs = "result_timeout.json").result
        assertEquals(Status.TIMEOUT, r.status)
        assertEquals("MAX_TOTAL_TIME", r.error!!.code)
        assertEquals(4, r.timing!!.samples.size)
    }

    @Test
    fun aHotDeviceCoolsDownThenRuns() {
        val clock = FakeClock(tickNs = 0)
        val readings = listOf(ThermalGate.Reading("moderate", 90, false), ThermalGate.Reading("light", 90, false))
        val spec = stage {
            it.add("environment", Json.parse("""{"max_thermal_status":"light","cooldown_s":60}"""))
            it["timing"].asJsonObject.addProperty("warmup_iters", 0)
        }
        val r = run(spec, FakeBackend(clock, longArrayOf(1000), listOf(input)), clock, readings, "result_after_cooldown.json").result
        assertEquals(Status.OK, r.status)
        assertEquals(ThermalGate.POLL_MS, r.environment!!["cooldown_waited_ms"].asLong)
    }

    @Test
    fun aDeviceThatStaysHotIsAThermalAbort() {
        val clock = FakeClock(tickNs = 0)
        val spec = stage { it.add("environment", Json.parse("""{"max_thermal_status":"none","cooldown_s":12}""")) }
        val backend = FakeBackend(clock, longArrayOf(1000), listOf(input))
        val r = run(spec, backend, clock, listOf(ThermalGate.Reading("severe", 90, false)), "result_thermal_abort.json").result
        assertEquals(Status.THERMAL_ABORT, r.status)
        assertEquals("THERMAL_LIMIT", r.error!!.code)
        assertEquals(0, backend.calls)
        assertEquals("severe", r.environment!!["before"].asJsonObject["thermal"].asString)
    }

    @Test
    fun aResultPathOutsideTheSpecFolderIsRefused() {
        val spec = stage { it["output"].asJsonObject.addProperty("result_path", "../escaped.json") }
        val r = run(spec, FakeBackend(modelInputs = listOf(input)), SystemNanoClock, emitAs = "result_bad_output.json")
        assertEquals("INVALID_SPEC", r.result.error!!.code)
        assertEquals("result.json", r.resultFile.name)
        assertTrue(!File(spec.parentFile.parentFile, "escaped.json").exists())
    }

    @Test
    fun garbageInIsAnInvalidSpecResult() {
        val dir = Files.createTempDirectory("benchctl-run").toFile()
        val spec = File(dir, "spec.json").also { it.writeText("{\"schema\": \"benchctl.spec\", ") }
        val r = run(spec, FakeBackend(), SystemNanoClock, emitAs = "result_garbage_spec.json").result
        assertEquals("INVALID_SPEC", r.error!!.code)
        assertEquals("0".repeat(32), r.runId)
    }
}
