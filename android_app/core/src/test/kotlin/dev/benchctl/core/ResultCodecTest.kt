package dev.benchctl.core

import com.google.gson.JsonObject
import kotlin.test.Test
import kotlin.test.assertContentEquals
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertNull

class ResultCodecTest {
    @Test
    fun goldenResultsRoundTripToTheSameDocument() {
        for (name in listOf("result.json", "result_error.json")) {
            val parsed = ResultCodec.parse(TestFiles.golden(name))
            val written = ResultCodec.write(parsed)
            assertEquals(TestFiles.goldenTree(name), Json.parse(written), name)
            assertEquals(parsed, ResultCodec.parse(written), name)
            TestFiles.emit("roundtrip_$name", written)
        }
    }

    @Test
    fun readsGoldenSamplesAsExactIntegers() {
        val tree = TestFiles.goldenTree("result.json").asJsonObject
        val expected = tree["timing_ns"].asJsonObject["samples"].asJsonArray.map { it.asLong }.toLongArray()
        val parsed = ResultCodec.parse(TestFiles.golden("result.json"))
        assertContentEquals(expected, parsed.timing!!.samples)
        assertEquals(Status.OK, parsed.status)
        assertNull(parsed.error)
    }

    @Test
    fun readsTheGoldenErrorResult() {
        val tree = TestFiles.goldenTree("result_error.json").asJsonObject
        val parsed = ResultCodec.parse(TestFiles.golden("result_error.json"))
        assertEquals(Status.ERROR, parsed.status)
        assertEquals(tree["error"].asJsonObject["code"].asString, parsed.error!!.code)
        assertNull(parsed.timing)
    }

    private fun edited(edit: (JsonObject) -> Unit): String {
        val doc = TestFiles.goldenTree("result.json").asJsonObject.deepCopy()
        edit(doc)
        return Json.write(doc)
    }

    private fun samples(d: JsonObject) = d["timing_ns"].asJsonObject["samples"].asJsonArray

    @Test
    fun refusesBrokenResults() {
        val cases: Map<String, (JsonObject) -> Unit> =
            mapOf(
                "float sample" to { d -> samples(d).set(0, Json.parse("1.5")) },
                "zero sample" to { d -> samples(d).set(0, Json.parse("0")) },
                "negative sample" to { d -> samples(d).set(1, Json.parse("-10")) },
                "over an hour" to { d -> samples(d).set(2, Json.parse("4000000000000")) },
                "string sample" to { d -> samples(d).set(0, Json.parse("\"12\"")) },
                "bad run id" to { d -> d.addProperty("run_id", "../../etc/passwd") },
                "unknown status" to { d -> d.addProperty("status", "great") },
                "ok with an error" to { d -> d.add("error", Json.parse("""{"code":"X","message":"y"}""")) },
                "ok without samples" to { d -> d["timing_ns"].asJsonObject.add("samples", com.google.gson.JsonArray()) },
                "ok without load time" to { d -> d["timing_ns"].asJsonObject.remove("load") },
                "missing runner" to { d -> d.remove("runner") },
                "bad sha" to { d -> d.addProperty("model_sha256", "md5:abc") },
                "wrong schema" to { d -> d.addProperty("schema", "benchctl.spec") },
            )
        for ((case, edit) in cases) {
            assertFailsWith<ContractException>(case) { ResultCodec.parse(edited(edit)) }
        }
    }

    @Test
    fun anErrorResultNeedsAnErrorObject() {
        val doc = TestFiles.goldenTree("result_error.json").asJsonObject
        doc.add("error", com.google.gson.JsonNull.INSTANCE)
        assertFailsWith<ContractException> { ResultCodec.parse(Json.write(doc)) }
    }

    @Test
    fun theWriterRefusesWhatTheReaderRefuses() {
        val ok = ResultCodec.parse(TestFiles.golden("result.json"))
        val zero = ok.copy(timing = ok.timing!!.copy(samples = longArrayOf(5, 0, 7)))
        assertFailsWith<ContractException> { ResultCodec.write(zero) }
        assertFailsWith<ContractException> { ResultCodec.write(ok.copy(status = Status.ERROR, error = null)) }
    }

    @Test
    fun nanCannotBeWritten() {
        val ok = ResultCodec.parse(TestFiles.golden("result.json"))
        val env = JsonObject().also { it.addProperty("temp_c", Double.NaN) }
        assertFailsWith<IllegalArgumentException> { ResultCodec.write(ok.copy(environment = env)) }
    }
}
