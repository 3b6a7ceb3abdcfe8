package dev.benchctl.android

import android.content.Context
import dev.benchctl.core.AcceleratorUnavailable
import org.tensorflow.lite.Delegate

/** The `standard` flavor has no QNN delegate: NPU requests say which build to install. */
object QnnSupport {
    private const val REASON =
        "this build has no QNN delegate; install the qnn flavor (./gradlew :app:assembleQnnRelease)"

    fun unavailableReason(): String? = REASON

    @Suppress("UNUSED_PARAMETER")
    fun create(context: Context, precision: String?): Delegate = throw AcceleratorUnavailable("DELEGATE_UNAVAILABLE", REASON)
}
