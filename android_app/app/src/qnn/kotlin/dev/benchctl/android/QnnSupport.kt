package dev.benchctl.android

import android.content.Context
import com.qualcomm.qti.QnnDelegate
import dev.benchctl.core.AcceleratorUnavailable
import java.io.File
import org.tensorflow.lite.Delegate

/**
 * Qualcomm's QNN delegate on the Hexagon HTP (`com.qualcomm.qti:qnn-litert-delegate`). Modern
 * Snapdragons have no Hexagon-delegate support, so "hexagon" requests come here too.
 */
object QnnSupport {
    fun unavailableReason(): String? =
        try {
            val fp16 = QnnDelegate.checkCapability(QnnDelegate.Capability.HTP_RUNTIME_FP16)
            val quantized = QnnDelegate.checkCapability(QnnDelegate.Capability.HTP_RUNTIME_QUANTIZED)
            if (fp16 || quantized) null else "this SoC reports no Hexagon HTP runtime"
        } catch (e: UnsatisfiedLinkError) {
            "the QNN libraries failed to load: ${e.message}"
        }

    fun create(context: Context, precision: String?): Delegate {
        unavailableReason()?.let { throw AcceleratorUnavailable("DELEGATE_UNAVAILABLE", it) }
        val options =
            QnnDelegate.Options().apply {
                setBackendType(QnnDelegate.Options.BackendType.HTP_BACKEND)
                setSkelLibraryDir(context.applicationInfo.nativeLibraryDir)
                setHtpPerformanceMode(QnnDelegate.Options.HtpPerformanceMode.HTP_PERFORMANCE_SUSTAINED_HIGH_PERFORMANCE)
                setHtpPrecision(
                    if (precision == "int8") {
                        QnnDelegate.Options.HtpPrecision.HTP_PRECISION_QUANTIZED
                    } else {
                        QnnDelegate.Options.HtpPrecision.HTP_PRECISION_FP16
                    },
                )
                setCacheDir(File(context.cacheDir, "qnn").apply { mkdirs() }.absolutePath)
            }
        // Qualcomm's own sample (quic/ai-hub-apps TFLiteHelpers) catches Exception here: the
        // delegate reports a missing skel library or an unsupported SoC in several ways (A10).
        return try {
            QnnDelegate(options)
        } catch (e: Exception) {
            throw AcceleratorUnavailable("DELEGATE_UNAVAILABLE", "the QNN delegate could not be created: ${e.message}")
        }
    }
}
