package dev.benchctl.android

import dev.benchctl.core.Inputs
import dev.benchctl.core.LiteRtProfile
import dev.benchctl.core.LoadedModel
import dev.benchctl.core.MonotonicClock
import dev.benchctl.core.Placement
import dev.benchctl.core.Predictor
import dev.benchctl.core.Profile
import dev.benchctl.core.ProfiledPass
import dev.benchctl.core.TensorSpec
import dev.benchctl.core.TfliteGraph
import dev.benchctl.core.jsonObjectOf
import java.io.File
import java.nio.ByteBuffer
import java.nio.ByteOrder
import org.tensorflow.lite.Delegate
import org.tensorflow.lite.Interpreter

/** A loaded LiteRT interpreter plus the delegates it owns (closed together). */
class LiteRtModel(
    private val interpreter: Interpreter,
    private val delegates: List<Delegate>,
    private val modelFile: File,
    private val accelerator: String,
    private val xnnpack: Boolean,
) : LoadedModel {
    override fun inputs(): List<TensorSpec> =
        (0 until interpreter.inputTensorCount).map { i ->
            val t = interpreter.getInputTensor(i)
            TensorSpec(t.name(), t.shape().toList(), t.dataType().toString().lowercase())
        }

    /**
     * Where the graph runs, from the interpreter's execution plan: a delegate replaces each graph
     * partition it takes with one node, so a plan as long as the delegate-free graph means
     * nothing was delegated (a CPU fallback), a plan of one node means everything was, and
     * anything between is a partial delegation ("gpu+cpu"), which fails the run unless the spec
     * allows fallback. The exact delegated count is not exposed by LiteRT's Java API: for a
     * partial plan only its lower bound is recorded.
     */
    /*
     * Delegate runs have XNNPACK off (LiteRtBackend), so a plan node is either an original node
     * or one delegate partition. A one-node graph cannot tell "delegated" from "not": unknown.
     */
    override fun placement(): Placement {
        if (accelerator == "cpu") {
            return Placement("cpu", planSummary = jsonObjectOf("xnnpack" to xnnpack))
        }
        val plan = DelegateCounts.executionPlanLength(interpreter)
        val total = DelegateCounts.graphNodes(modelFile)
        val summary = jsonObjectOf("execution_plan_length" to plan.value, "graph_nodes" to total.value)
        plan.problem?.let { summary.addProperty("execution_plan_unreadable", it) }
        total.problem?.let { summary.addProperty("graph_nodes_unreadable", it) }
        val p = plan.value
        val n = total.value
        return when {
            p == null || n == null || n <= 1 -> Placement(null, planSummary = summary) // cannot tell
            p >= n -> Placement("cpu", delegatedNodes = 0, totalNodes = n, planSummary = summary)
            p == 1 -> Placement(accelerator, delegatedNodes = n, totalNodes = n, planSummary = summary)
            else -> {
                summary.addProperty("delegated_nodes_at_least", n - p + 1)
                Placement("$accelerator+cpu", delegatedNodes = null, totalNodes = n, planSummary = summary)
            }
        }
    }

    /**
     * Inputs and outputs are direct native-order buffers allocated here, once. The timed call
     * rewinds them (a few field writes) because the interpreter advances an output buffer's
     * position when it copies into it.
     */
    override fun bind(tensors: List<TensorSpec>, seed: Long): Predictor {
        val inputs: Array<Any> =
            Array(tensors.size) { i ->
                val buf = Inputs.allocate(tensors[i], seed + i)
                val want = interpreter.getInputTensor(i).numBytes()
                require(buf.capacity() == want) { "input $i holds ${buf.capacity()} bytes; the model wants $want" }
                buf
            }
        val outputs: Map<Int, Any> =
            (0 until interpreter.outputTensorCount).associateWith { j ->
                ByteBuffer.allocateDirect(interpreter.getOutputTensor(j).numBytes()).order(ByteOrder.nativeOrder())
            }
        val inputBuffers = inputs.map { it as ByteBuffer }
        val outputBuffers = outputs.values.map { it as ByteBuffer }
        return Predictor {
            for (b in inputBuffers) b.rewind()
            for (b in outputBuffers) b.rewind()
            interpreter.runForMultipleInputsOutputs(inputs, outputs)
        }
    }

    /**
     * Placement only (LiteRtProfile says why): the model file's operators, the loaded
     * interpreter's execution-plan length, and the wall time of [iterations] more calls of the
     * timed [predictor]. Runs after the timed loop, on the same interpreter.
     */
    override fun profile(predictor: Predictor, iterations: Int, clock: MonotonicClock): Profile {
        val ops = TfliteGraph.read(modelFile)
        val plan = DelegateCounts.executionPlanLength(interpreter)
        val wall = ProfiledPass.wallMedianNs(predictor, iterations, clock)
        val delegate = LiteRtProfile.delegateUnit(accelerator, xnnpack)
        return LiteRtProfile.profile(ops, delegate, plan.value, plan.problem, iterations, wall)
    }

    override fun close() {
        interpreter.close()
        delegates.forEach { it.close() }
    }
}
