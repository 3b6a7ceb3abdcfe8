package dev.benchctl.core

import java.io.File
import java.nio.ByteBuffer
import kotlin.system.exitProcess

/**
 * The Kotlin core standing in for the Android app on the JVM, for tests/apps/test_app_over_adb.py:
 * the host's real adb transport pushes a spec and model to an emulated phone, and this main runs
 * the app's BenchRunner on them — spec reading, model hash, gates, timing loop and result writing
 * are the app's own code. Only inference is replaced: there is no LiteRT or ONNX runtime on the
 * JVM, so the "model" is a pass over the input buffers and the result says so (runtime version
 * "jvm-stand-in", plan_summary.stand_in). Not part of the app.
 *
 *     java … dev.benchctl.core.StandInApp <spec.json>
 */
object StandInApp {
    private class StandInBackend(override val name: String, private val declared: List<TensorSpec>) : Backend {
        override val formats = setOf("onnx", "tflite", "mlpackage")

        override fun version() = "jvm-stand-in"

        override fun accelerators() = listOf("cpu")

        override fun load(model: File, request: BackendRequest): LoadedModel =
            object : LoadedModel {
                // The stand-in cannot read the model's signature; it reports the spec's.
                override fun inputs(): List<TensorSpec> = declared

                override fun placement() =
                    Placement("cpu", planSummary = jsonObjectOf("stand_in" to "JVM pass over the inputs; the model is not executed"))

                override fun bind(tensors: List<TensorSpec>, seed: Long): Predictor {
                    val buffers: List<ByteBuffer> = tensors.mapIndexed { i, t -> Inputs.allocate(t, seed + i) }
                    val sink = LongArray(1)
                    return Predictor {
                        for (b in buffers) {
                            for (j in 0 until b.capacity() step 64) sink[0] += b.get(j)
                        }
                    }
                }

                override fun close() = Unit
            }
    }

    @JvmStatic
    fun main(args: Array<String>) {
        require(args.size == 1) { "usage: StandInApp <spec.json>" }
        val specFile = File(args[0])
        // Read once for the stand-in's name and inputs; BenchRunner reads and checks it again.
        val spec = SpecReader.parse(specFile.readText())
        val backend = StandInBackend(spec.backend.name, spec.inputs.tensors)
        val runner = RunnerInfo("benchctl-android", "0.1.0-jvm-stand-in", Contract.SUPPORTED_VERSIONS)
        // Progress as the app sends it to `am instrument` (one line per report, at once).
        val progress =
            TimingLoop.Progress { phase, done, total ->
                println("@@benchctl progress $phase $done $total")
                System.out.flush()
            }
        val outcome = BenchRunner(runner, JvmPlatform(), listOf(backend), progress = progress).run(specFile)
        println("BENCHCTL_RESULT run_id=${outcome.result.runId} status=${outcome.result.status.wire} path=${outcome.resultFile}")
        exitProcess(if (outcome.result.status == Status.OK) 0 else 1)
    }
}
