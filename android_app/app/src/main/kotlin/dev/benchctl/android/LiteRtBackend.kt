package dev.benchctl.android

import android.content.Context
import android.os.Build
import dev.benchctl.core.AcceleratorUnavailable
import dev.benchctl.core.Backend
import dev.benchctl.core.BackendRequest
import dev.benchctl.core.BackendUnavailable
import dev.benchctl.core.ErrorCodes
import dev.benchctl.core.LoadedModel
import java.io.File
import org.tensorflow.lite.Delegate
import org.tensorflow.lite.Interpreter
import org.tensorflow.lite.TensorFlowLite
import org.tensorflow.lite.gpu.CompatibilityList
import org.tensorflow.lite.gpu.GpuDelegate
import org.tensorflow.lite.gpu.GpuDelegateFactory
import org.tensorflow.lite.nnapi.NnApiDelegate

/**
 * LiteRT (the TensorFlow Lite interpreter, `com.google.ai.edge.litert`) with one delegate per
 * requested accelerator:
 *
 * | spec accelerator        | what runs                                                    |
 * |-------------------------|--------------------------------------------------------------|
 * | cpu                     | built-in kernels, XNNPACK unless options.xnnpack is false     |
 * | gpu                     | GPU delegate (OpenCL/OpenGL), sustained-speed preference     |
 * | nnapi                   | NNAPI delegate, NNAPI's CPU fallback off (legacy: Android 15 deprecates NNAPI) |
 * | npu, qnn, hexagon       | Qualcomm QNN delegate on the Hexagon HTP (`qnn` flavor only) |
 *
 * A delegate that cannot be created is DELEGATE_UNAVAILABLE; one that takes no or only some of
 * the graph shows up in [LiteRtModel.placement] and fails the run unless fallback is allowed.
 */
class LiteRtBackend(private val context: Context) : Backend {
    override val name = "litert"
    override val formats = setOf("tflite")

    override fun version(): String =
        try {
            TensorFlowLite.runtimeVersion()
        } catch (e: UnsatisfiedLinkError) {
            throw BackendUnavailable("the LiteRT native library failed to load: ${e.message}")
        }

    override fun accelerators(): List<String> =
        buildList {
            add("cpu")
            if (gpuSupported()) add("gpu")
            if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.O_MR1) add("nnapi")
            if (QnnSupport.unavailableReason() == null) addAll(listOf("npu", "qnn", "hexagon"))
        }

    override fun load(model: File, request: BackendRequest): LoadedModel {
        val options = Interpreter.Options()
        request.numThreads?.let { options.setNumThreads(it) }
        val delegates = mutableListOf<Delegate>()
        // XNNPACK is on by default and LiteRT applies it after the user's delegates, to whatever
        // they left (tflite/core/interpreter.cc): a GPU delegate that took nothing would still
        // leave a one-node plan and read as fully delegated. So it is off for delegate runs (A2).
        val xnnpack =
            request.accelerator == "cpu" &&
                (request.options.get("xnnpack")?.takeIf { it.isJsonPrimitive }?.asBoolean ?: true)
        options.setUseXNNPACK(xnnpack)
        when (request.accelerator) {
            "cpu" -> Unit
            "gpu" -> delegates += gpuDelegate(request.precision)
            "nnapi" -> delegates += nnapiDelegate(request.precision)
            "npu", "qnn", "hexagon" -> delegates += QnnSupport.create(context, request.precision)
            else -> throw AcceleratorUnavailable(
                ErrorCodes.UNKNOWN_ACCELERATOR,
                "accelerator \"${request.accelerator}\" is not one of cpu, gpu, nnapi, npu, qnn, hexagon",
            )
        }
        delegates.forEach { options.addDelegate(it) }
        val interpreter =
            try {
                Interpreter(model, options)
            } catch (e: Exception) {
                delegates.forEach { it.close() }
                throw e
            }
        try {
            checkTensorTypes(interpreter)
        } catch (e: IllegalArgumentException) {
            interpreter.close()
            delegates.forEach { it.close() }
            throw e
        }
        return LiteRtModel(interpreter, delegates, model, request.accelerator, xnnpack)
    }

    /**
     * LiteRT 1.4's Java `DataType` has no FLOAT16: building the Tensor of an fp16 input or output
     * throws (A11). Asked here, at load, so such a model is a MODEL_LOAD_FAILED that says why,
     * not a crash in the middle of the run.
     */
    private fun checkTensorTypes(interpreter: Interpreter) {
        val tensors =
            (0 until interpreter.inputTensorCount).map { "input $it" to { interpreter.getInputTensor(it) } } +
                (0 until interpreter.outputTensorCount).map { "output $it" to { interpreter.getOutputTensor(it) } }
        for ((what, tensor) in tensors) {
            try {
                tensor()
            } catch (e: IllegalArgumentException) {
                throw IllegalArgumentException(
                    "$what has a type LiteRT's Java API cannot bind (${e.message}); float16 inputs and " +
                        "outputs are not supported by LiteRT 1.4 on Java — export the model with float32 ones",
                    e,
                )
            }
        }
    }

    private fun gpuSupported(): Boolean {
        val compat = CompatibilityList()
        try {
            return compat.isDelegateSupportedOnThisDevice
        } finally {
            compat.close()
        }
    }

    private fun gpuDelegate(precision: String?): Delegate {
        val compat = CompatibilityList()
        try {
            if (!compat.isDelegateSupportedOnThisDevice) {
                throw AcceleratorUnavailable(ErrorCodes.DELEGATE_UNAVAILABLE, "the LiteRT GPU delegate does not support this device's GPU")
            }
            val gpu = compat.bestOptionsForThisDevice
            gpu.setInferencePreference(GpuDelegateFactory.Options.INFERENCE_PREFERENCE_SUSTAINED_SPEED)
            gpu.setPrecisionLossAllowed(precision == "fp16")
            return GpuDelegate(gpu)
        } finally {
            compat.close()
        }
    }

    private fun nnapiDelegate(precision: String?): Delegate {
        if (Build.VERSION.SDK_INT < Build.VERSION_CODES.O_MR1) {
            throw AcceleratorUnavailable(ErrorCodes.DELEGATE_UNAVAILABLE, "NNAPI needs Android 8.1 (API 27)")
        }
        val nnapi =
            NnApiDelegate.Options()
                .setExecutionPreference(NnApiDelegate.Options.EXECUTION_PREFERENCE_SUSTAINED_SPEED)
                .setUseNnapiCpu(false) // NNAPI's own CPU path would be a silent fallback
                .setAllowFp16(precision == "fp16")
        return NnApiDelegate(nnapi)
    }
}
