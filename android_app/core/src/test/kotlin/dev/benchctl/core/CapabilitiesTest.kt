package dev.benchctl.core

import java.io.File
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertTrue

class CapabilitiesTest {
    @Test
    fun goldenCapabilitiesRoundTrip() {
        val parsed = CapabilitiesCodec.parse(TestFiles.golden("capabilities.json"))
        assertEquals(TestFiles.goldenTree("capabilities.json"), CapabilitiesCodec.toJson(parsed))
        val unavailable = parsed.runtimes.single { !it.available }
        assertTrue(unavailable.reasonIfUnavailable!!.isNotEmpty())
    }

    @Test
    fun anUnavailableBackendSaysWhy() {
        val missing =
            object : Backend {
                override val name = "litert"
                override val formats = setOf("tflite")

                override fun version(): String = throw BackendUnavailable("LiteRT native library failed to load")

                override fun accelerators(): List<String> = emptyList()

                override fun load(model: File, request: BackendRequest): LoadedModel = error("unreachable")
            }
        val runner = RunnerInfo("benchctl-android", "0.1.0", Contract.SUPPORTED_VERSIONS)
        val doc = CapabilitiesCodec.of(runner, listOf(FakeBackend(), missing), JvmPlatform().deviceFacts())
        val litert = doc.runtimes.single { it.backend == "litert" }
        assertFalse(litert.available)
        assertEquals("LiteRT native library failed to load", litert.reasonIfUnavailable)
        TestFiles.emit("capabilities_jvm.json", Json.write(CapabilitiesCodec.toJson(doc)))
    }
}
