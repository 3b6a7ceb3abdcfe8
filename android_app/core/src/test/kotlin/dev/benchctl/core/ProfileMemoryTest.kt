package dev.benchctl.core

import com.google.gson.JsonObject
import java.io.File
import java.nio.ByteBuffer
import java.nio.file.Files
import kotlin.test.Test
import kotlin.test.assertContentEquals
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

/**
 * The spec's `profile` request and the result's `profile` and `memory` entries, end to end
 * through [BenchRunner] on the JVM, plus the LiteRT pieces the Android app builds its profile
 * from (TfliteGraph on a model LiteRT's own schema wrote, LiteRtProfile's placement rules).
 * Results are left in the output folder; tests/apps/test_kotlin_core.py validates them.
 */
class ProfileMemoryTest {
    private val runner = RunnerInfo("benchctl-android", "0.1.0", Contract.SUPPORTED_VERSIONS)
    private val input = TensorSpec("input", listOf(1, 3, 8, 8), "float32")
    private val cool = listOf(ThermalGate.Reading("none", 90, false))
    private val fixture = TestFiles.repoFile("tests/apps/assets/ops_fixture.tflite")
    private val mib = 1L shl 20

    private fun stage(edit: (JsonObject) -> Unit = {}): File {
        val dir = Files.createTempDirectory("benchctl-profile").toFile()
        val model = File(dir, "model.tflite").also { fixture.copyTo(it) }
        val spec = TestFiles.goldenTree("spec_profile.json").asJsonObject.deepCopy()
        spec["model"].asJsonObject.apply {
            addProperty("path", model.name)
            addProperty("format", "tflite")
            addProperty("sha256", FileIo.sha256(model))
        }
        spec["backend"].asJsonObject.addProperty("name", "fake")
        spec["inputs"].asJsonObject.add("tensors", Json.parse("""[{"name":"input","shape":[1,3,8,8],"dtype":"float32"}]"""))
        spec["timing"].asJsonObject.addProperty("warmup_iters", 2)
        spec["profile"].asJsonObject.addProperty("iterations", 4)
        edit(spec)
        return File(dir, "spec.json").also { it.writeText(Json.write(spec)) }
    }

    private fun run(spec: File, backend: FakeBackend, clock: MonotonicClock, platform: FakePlatform, emitAs: String?): RunResult {
        val outcome = BenchRunner(runner, platform, listOf(backend), clock).run(spec)
        val text = outcome.resultFile.readText()
        assertEquals(outcome.result, ResultCodec.parse(text))
        emitAs?.let { TestFiles.emit(it, text) }
        return outcome.result
    }

    /** Memory readings in call order: before the load, after it, after the timed loop. */
    private val readings =
        listOf(
            MemoryReading(100 * mib, 10 * mib),
            MemoryReading(180 * mib, 70 * mib),
            MemoryReading(150 * mib, 60 * mib),
            MemoryReading(999 * mib, 999 * mib), // never read: the profiled pass comes after the peak
        )

    @Test
    fun aProfiledRunReportsPlacementAfterTheLoopAndMemoryAtEachStage() {
        val clock = FakeClock(tickNs = 0)
        val loopCalls = 1 + 2 + 5 // first inference, warm-up, timed (the golden spec's 5 iters)
        val durations = LongArray(loopCalls + 4) { i -> if (i < loopCalls) 1_000_000L + i else 7_777_777L }
        var callsWhenProfiled = -1
        lateinit var backend: FakeBackend
        backend =
            FakeBackend(clock, durations, listOf(input)) { predictor, iterations, c ->
                callsWhenProfiled = backend.calls
                val wall = ProfiledPass.wallMedianNs(predictor, iterations, c)
                LiteRtProfile.profile(TfliteGraph.read(fixture), "gpu", 1, null, iterations, wall)
            }
        val platform = FakePlatform(cool, readings)
        val r = run(stage(), backend, clock, platform, "result_profile_ok.json")
        assertEquals(Status.OK, r.status)
        assertEquals(loopCalls, callsWhenProfiled) // after the whole timed loop, never inside it
        assertTrue(r.timing!!.samples.none { it == 7_777_777L })
        val p = assertNotNull(r.profile)
        assertEquals(4, p.iterations)
        assertEquals(7_777_777L, p.wallMedianNs)
        assertEquals(false, p.timed)
        assertEquals(listOf("0:ADD", "1:RELU", "2:GELU"), p.operators.map { it.name })
        assertTrue(p.operators.all { it.unit == "gpu" && it.timeNs == null })
        assertEquals(listOf(Partition("gpu", listOf("0:ADD", "1:RELU", "2:GELU"))), p.partitions)
        val m = assertNotNull(r.memory)
        assertEquals("test:scripted", m.source)
        assertEquals(100 * mib, m.beforeLoadBytes)
        assertEquals(180 * mib, m.afterLoadBytes)
        assertEquals(180 * mib, m.peakBytes) // the largest reading, not the last
        assertEquals(70 * mib, m.nativeHeapAfterLoadBytes)
        assertEquals(70 * mib, m.nativeHeapPeakBytes)
        assertEquals(3, platform.memoryCalls)
    }

    @Test
    fun aFailingProfilerKeepsTheTimedSamples() {
        val backend = FakeBackend(modelInputs = listOf(input)) { _, _, _ -> throw IllegalStateException("profiler buffer full") }
        val r = run(stage(), backend, SystemNanoClock, FakePlatform(cool, readings), "result_profile_failed.json")
        assertEquals(Status.OK, r.status)
        assertEquals(5, r.timing!!.samples.size)
        val p = assertNotNull(r.profile)
        assertEquals("IllegalStateException: profiler buffer full", p.error)
        assertEquals(emptyList<OperatorProfile>(), p.operators)
        assertNotNull(r.memory)
    }

    @Test
    fun aBackendWithoutAProfilerSaysSo() {
        val r = run(stage(), FakeBackend(modelInputs = listOf(input)), SystemNanoClock, FakePlatform(cool), null)
        assertEquals(Status.OK, r.status)
        assertEquals(Profile("none", emptyList(), timed = false, error = "no profiler for backend fake"), r.profile)
        assertNull(r.memory) // this platform does not measure memory: no entry rather than zeros
    }

    @Test
    fun noProfiledPassUnlessTheSpecAsks() {
        var profiled = false
        val backend = FakeBackend(modelInputs = listOf(input)) { _, _, _ -> profiled = true; null }
        val r = run(stage { it.remove("profile") }, backend, SystemNanoClock, FakePlatform(cool), null)
        assertEquals(Status.OK, r.status)
        assertNull(r.profile)
        assertTrue(!profiled)
    }

    @Test
    fun aProfileTheSchemaWouldRefuseIsReplacedByItsErrorNotTheRun() {
        val bad = Profile("fake", listOf(OperatorProfile("0:ADD", "ADD", "cpu", timeNs = -5)), timed = true)
        val backend = FakeBackend(modelInputs = listOf(input)) { _, _, _ -> bad }
        val r = run(stage(), backend, SystemNanoClock, FakePlatform(cool), "result_profile_invalid.json")
        assertEquals(Status.OK, r.status)
        assertEquals(5, r.timing!!.samples.size)
        assertTrue(r.profile!!.error!!.startsWith("invalid profile: profile/operators/0/time_ns"), r.profile!!.error)
        assertEquals(emptyList<OperatorProfile>(), r.profile!!.operators)
    }

    @Test
    fun specProfileIterationsAreReadAndChecked() {
        assertEquals(ProfileRequest(20), SpecReader.parse(TestFiles.golden("spec_profile.json")).profile)
        assertNull(SpecReader.parse(TestFiles.golden("spec.json")).profile)
        fun edited(edit: (JsonObject) -> Unit): String {
            val doc = TestFiles.goldenTree("spec_profile.json").asJsonObject.deepCopy()
            edit(doc)
            return Json.write(doc)
        }
        assertEquals(ProfileRequest(ProfileRequest.DEFAULT_ITERATIONS), SpecReader.parse(edited { it.add("profile", JsonObject()) }).profile)
        for (bad in listOf("0", "10001", "2.5", "\"20\"")) {
            val e = assertFailsWith<SpecException>(bad) {
                SpecReader.parse(edited { it["profile"].asJsonObject.add("iterations", Json.parse(bad)) })
            }
            assertEquals(ErrorCodes.INVALID_SPEC, e.code)
            assertTrue(e.message!!.contains("profile/iterations"), e.message)
        }
    }

    @Test
    fun theGoldenProfiledResultRoundTripsExactly() {
        val text = TestFiles.golden("result_profile.json")
        val parsed = ResultCodec.parse(text)
        assertEquals(9, parsed.profile!!.operators.size)
        assertEquals("linux:/proc/self/status", parsed.memory!!.source)
        val written = ResultCodec.write(parsed)
        assertEquals(TestFiles.goldenTree("result_profile.json"), Json.parse(written))
        TestFiles.emit("roundtrip_result_profile.json", written)
    }

    @Test
    fun tfliteGraphReadsTheOperatorsLiteRtsSchemaWrote() {
        val ops = TfliteGraph.read(fixture)
        assertEquals(listOf(TfliteGraph.Op(0, "ADD"), TfliteGraph.Op(1, "RELU"), TfliteGraph.Op(2, "GELU")), ops)
        TestFiles.emit("tflite_ops_fixture.json", Json.write(toJson(ops.map { it.name })))
    }

    @Test
    fun tfliteGraphRefusesWhatIsNotATfliteModel() {
        val bytes = fixture.readBytes()
        val notTflite = bytes.copyOf().also { it[4] = 'X'.code.toByte() }
        assertTrue(assertFailsWith<TfliteGraph.FormatException> { TfliteGraph.read(ByteBuffer.wrap(notTflite)) }.message!!.contains("TFL3"))
        for (cut in listOf(3, 12, bytes.size / 2)) { // truncated: a clear error, never an index exception
            assertFailsWith<TfliteGraph.FormatException>("cut at $cut") { TfliteGraph.read(ByteBuffer.wrap(bytes.copyOf(cut))) }
        }
    }

    private val ops = List(5) { TfliteGraph.Op(it, "CONV_2D") }

    @Test
    fun liteRtPlacementIsKnownOnlyAtTheEndsOfThePlan() {
        fun units(delegate: String?, plan: Int?, graph: List<TfliteGraph.Op> = ops) =
            LiteRtProfile.profile(graph, delegate, plan, "no method", 3, 10).let { p -> p.operators.map { it.unit }.distinct() to p.partitions }
        assertEquals(listOf("gpu") to listOf(Partition("gpu", ops.map { it.name })), units("gpu", 1))
        assertEquals(listOf("cpu") to emptyList<Partition>(), units("gpu", 5)) // nothing of two or more taken
        assertEquals(listOf(null) to null, units("gpu", 3)) // partial: a count, not which ones
        assertEquals(listOf(null) to null, units("nnapi", null)) // plan unreadable
        assertEquals(listOf(null) to null, units("gpu", 1, ops.take(1))) // one node either way
        assertEquals(listOf("cpu") to null, units(null, 5)) // no delegate at all
        val partial = LiteRtProfile.profile(ops, "qnn", 3, null, 3, 10)
        assertTrue(partial.note!!.contains("at least 3 of them"), partial.note)
        assertTrue(partial.note!!.contains("no per-operator time"))
    }

    @Test
    fun delegateUnitsAreNamedAsTheHostNamesThem() {
        assertEquals("xnnpack", LiteRtProfile.delegateUnit("cpu", xnnpack = true))
        assertNull(LiteRtProfile.delegateUnit("cpu", xnnpack = false))
        assertEquals("gpu", LiteRtProfile.delegateUnit("gpu", xnnpack = false))
        assertEquals("qnn", LiteRtProfile.delegateUnit("hexagon", xnnpack = false))
    }

    @Test
    fun wallMedianIsPythonsRoundedMedian() {
        val clock = FakeClock(tickNs = 0)
        var i = 0
        val walls = longArrayOf(30, 10, 21, 20)
        val predictor = Predictor { clock.now += walls[i++ % walls.size] }
        assertEquals(20, ProfiledPass.wallMedianNs(predictor, 4, clock)) // (20 + 21) / 2 = 20.5 → 20 (half to even)
        i = 0
        assertEquals(21, ProfiledPass.wallMedianNs(predictor, 3, clock))
    }

    @Test
    fun theJvmPlatformReadsItsOwnResidentSetOnLinux() {
        val p = JvmPlatform()
        if (!File("/proc/self/status").isFile) {
            assertNull(p.memory())
            return
        }
        assertEquals("linux:/proc/self/status", p.memorySource)
        val rss = assertNotNull(p.memory()?.residentBytes)
        assertTrue(rss > 16 * mib, "a JVM's resident set is tens of MiB, got $rss") // bytes, not KiB
    }

    @Test
    fun memoryEntriesAreCheckedAndRoundTrip() {
        val m = MemoryUsage("android:pss", 1, 2, 3, nativeHeapAfterLoadBytes = 4, nativeHeapPeakBytes = 5)
        assertEquals(m, ProfileCodec.parseMemory(JsonFields.of(ProfileCodec.toJson(m), "memory")))
        assertFailsWith<ContractException> { ProfileCodec.check(null, m.copy(peakBytes = -1)) }
        assertContentEquals(
            listOf("source", "rss_before_load_bytes", "rss_after_load_bytes", "peak_rss_bytes", "device_peak_bytes", "device_engine_bytes"),
            ProfileCodec.toJson(m.copy(nativeHeapAfterLoadBytes = null, nativeHeapPeakBytes = null)).keySet().toList(),
        )
    }
}
