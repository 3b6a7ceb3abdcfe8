package dev.benchctl.core

import com.google.gson.JsonElement
import java.io.File

/**
 * The one call the timing loop times. Everything it needs (inputs, outputs, buffers) is
 * allocated before the loop; `predict` must do nothing but run the model once.
 */
fun interface Predictor {
    fun predict()
}

/** What the runtime reports it did after loading; `acceleratorActual == null`: it cannot tell. */
data class Placement(
    val acceleratorActual: String?,
    val delegatedNodes: Int? = null,
    val totalNodes: Int? = null,
    val planSummary: JsonElement? = null,
)

/** A model loaded by a [Backend]: its inputs, where it runs, and the bound call to time. */
interface LoadedModel : AutoCloseable {
    /** The model's own input signature, checked against the spec before timing. */
    fun inputs(): List<TensorSpec>

    fun placement(): Placement

    /** Allocate and fill inputs (deterministically from [seed]) and outputs; return the call. */
    fun bind(tensors: List<TensorSpec>, seed: Long): Predictor

    /** Compile time (e.g. Core ML's .mlpackage → .mlmodelc) if the runtime has a separate step. */
    fun compileNs(): Long? = null

    /**
     * The profiled pass after the timed loop (the spec's `profile`): run [predictor], the call
     * the loop timed, [iterations] times under the runtime's own profiler and report per
     * operator; [clock] times the profiled iterations. Null: this runtime has no profiler here.
     */
    fun profile(predictor: Predictor, iterations: Int, clock: MonotonicClock): Profile? = null
}

/** A runtime inside an app runner (LiteRT on Android; a fake in tests). */
interface Backend {
    val name: String
    val formats: Set<String>

    /** The runtime's version, or throws [BackendUnavailable] with the reason it cannot run here. */
    fun version(): String

    /** Accelerators this device can be asked for (empty when the runtime is unavailable). */
    fun accelerators(): List<String>

    /** Load [model] for [request]; throws on any runtime error (the runner records it). */
    fun load(model: File, request: BackendRequest): LoadedModel
}

/** The runtime cannot run on this device; the message says why (shown in capabilities). */
class BackendUnavailable(message: String) : RuntimeException(message)

/** A requested accelerator or delegate cannot be created here ([code] goes into the result). */
class AcceleratorUnavailable(val code: String, message: String) : RuntimeException(message)
