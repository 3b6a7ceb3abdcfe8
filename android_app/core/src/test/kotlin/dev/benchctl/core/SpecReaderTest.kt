package dev.benchctl.core

import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertNull

class SpecReaderTest {
    private val golden = TestFiles.golden("spec.json")
    private val tree = TestFiles.goldenTree("spec.json").asJsonObject

    @Test
    fun readsTheGoldenSpecAsWritten() {
        val spec = SpecReader.parse(golden)
        assertEquals(tree["run_id"].asString, spec.runId)
        val model = tree["model"].asJsonObject
        assertEquals(ModelRef(model["path"].asString, model["format"].asString, model["sha256"].asString, model["name"].asString), spec.model)
        val backend = tree["backend"].asJsonObject
        assertEquals(backend["name"].asString, spec.backend.name)
        assertEquals(backend["accelerator"].asString, spec.backend.accelerator)
        assertEquals(backend["allow_fallback"].asBoolean, spec.backend.allowFallback)
        assertNull(spec.backend.numThreads) // the golden file says null: the runtime's default
        assertEquals(backend["options"].asJsonObject["precision"].asString, spec.backend.precision)
        val t = tree["inputs"].asJsonObject["tensors"].asJsonArray[0].asJsonObject
        assertEquals(listOf(TensorSpec(t["name"].asString, t["shape"].asJsonArray.map { it.asInt }, t["dtype"].asString)), spec.inputs.tensors)
        val timing = tree["timing"].asJsonObject
        assertEquals(
            TimingPolicy(timing["warmup_iters"].asInt, timing["iters"].asInt, timing["max_total_s"].asDouble, timing["progress_every"].asInt),
            spec.timing,
        )
        assertEquals(tree["output"].asJsonObject["result_path"].asString, spec.resultPath)
        assertEquals(Gates(null, null, null, null), spec.gates) // golden spec has no gates
    }

    @Test
    fun readsGatesFromTheEnvironmentObject() {
        val doc = tree.deepCopy()
        doc.add("environment", Json.parse("""{"max_thermal_status":"light","min_battery_pct":25,"cooldown_s":30}"""))
        val spec = SpecReader.parse(Json.write(doc))
        assertEquals(Gates("light", 25, 30.0, null), spec.gates)
    }

    @Test
    fun ignoresUnknownFields() {
        val doc = tree.deepCopy()
        doc.addProperty("added_in_a_later_minor", "x")
        doc["timing"].asJsonObject.addProperty("inter_run_delay_ms", 5)
        assertEquals(SpecReader.parse(golden), SpecReader.parse(Json.write(doc)))
    }

    private fun refused(edit: (com.google.gson.JsonObject) -> Unit): SpecException {
        val doc = tree.deepCopy()
        edit(doc)
        return assertFailsWith<SpecException> { SpecReader.parse(Json.write(doc)) }
    }

    @Test
    fun refusesWhatTheSchemaRefuses() {
        val cases: Map<String, (com.google.gson.JsonObject) -> Unit> =
            mapOf(
                "zero iters" to { d -> d["timing"].asJsonObject.addProperty("iters", 0) },
                "fractional iters" to { d -> d["timing"].asJsonObject.addProperty("iters", 1.5) },
                "iters as a string" to { d -> d["timing"].asJsonObject.addProperty("iters", "5") },
                "no tensors" to { d -> d["inputs"].asJsonObject.add("tensors", com.google.gson.JsonArray()) },
                "bad sha" to { d -> d["model"].asJsonObject.addProperty("sha256", "sha256:xyz") },
                "zero threads" to { d -> d["backend"].asJsonObject["options"].asJsonObject.addProperty("num_threads", 0) },
                "bad run id" to { d -> d.addProperty("run_id", "../../etc/passwd") },
                "wrong schema" to { d -> d.addProperty("schema", "benchctl.result") },
                "unknown dtype" to { d ->
                    d["inputs"].asJsonObject["tensors"].asJsonArray[0].asJsonObject.addProperty("dtype", "float64")
                },
                "zero dimension" to { d ->
                    d["inputs"].asJsonObject["tensors"].asJsonArray[0].asJsonObject.add("shape", Json.parse("[1,0]"))
                },
                "unknown format" to { d -> d["model"].asJsonObject.addProperty("format", "pb") },
                "missing output" to { d -> d.remove("output") },
                "bad created_at" to { d -> d.addProperty("created_at", "yesterday") },
                "negative max seconds" to { d -> d["timing"].asJsonObject.addProperty("max_total_s", -1) },
            )
        for ((case, edit) in cases) {
            val e = refused(edit)
            assertEquals("INVALID_SPEC", e.code, case)
            assertEquals(Status.ERROR, e.status, case)
        }
    }

    @Test
    fun aNewerVersionIsUnsupportedNotInvalid() {
        val e = refused { it.addProperty("version", 2) }
        assertEquals(Status.UNSUPPORTED_VERSION, e.status)
        assertEquals("UNSUPPORTED_CONTRACT_VERSION", e.code)
    }

    @Test
    fun refusesTextThatIsNotStrictJson() {
        for (text in listOf(
            golden.replace("\"iters\": 5", "\"iters\": NaN"),
            golden + " {}",
            golden.replace("\"seed\": 0", "\"seed\": 0,"),
            "{'schema': 'benchctl.spec'}",
            "",
        )) {
            kotlin.test.assertNotEquals(golden, text) // the edit must have changed the document
            assertEquals("INVALID_SPEC", assertFailsWith<SpecException> { SpecReader.parse(text) }.code, text.take(40))
        }
    }

    @Test
    fun namesTheBadField() {
        val e = refused { it["timing"].asJsonObject.addProperty("iters", 0) }
        kotlin.test.assertContains(e.message!!, "timing/iters")
    }
}
