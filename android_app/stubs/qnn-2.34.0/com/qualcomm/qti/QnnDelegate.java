// Compile-only stub: the API surface of Qualcomm's QNN LiteRT delegate 2.34.0
// (com.qualcomm.qti:qnn-litert-delegate) that android_app/app's qnn flavor uses. No public source
// exists: the signatures follow Qualcomm's AI Hub sample apps (quic/ai-hub-apps TFLiteHelpers).
// Never run.
package com.qualcomm.qti;

import org.tensorflow.lite.Delegate;

public class QnnDelegate implements Delegate {
    public enum Capability {
        HTP_RUNTIME_FP16,
        HTP_RUNTIME_QUANTIZED,
    }

    public static class Options {
        public enum BackendType {
            UNDEFINED,
            GPU_BACKEND,
            HTP_BACKEND,
            DSP_BACKEND,
        }

        public enum HtpPerformanceMode {
            HTP_PERFORMANCE_DEFAULT,
            HTP_PERFORMANCE_SUSTAINED_HIGH_PERFORMANCE,
            HTP_PERFORMANCE_BURST,
            HTP_PERFORMANCE_HIGH_PERFORMANCE,
            HTP_PERFORMANCE_BALANCE,
        }

        public enum HtpPrecision {
            HTP_PRECISION_QUANTIZED,
            HTP_PRECISION_FP16,
        }

        public Options() {
            throw new RuntimeException("Stub!");
        }

        public void setBackendType(BackendType type) {
            throw new RuntimeException("Stub!");
        }

        public void setSkelLibraryDir(String dir) {
            throw new RuntimeException("Stub!");
        }

        public void setCacheDir(String dir) {
            throw new RuntimeException("Stub!");
        }

        public void setHtpPerformanceMode(HtpPerformanceMode mode) {
            throw new RuntimeException("Stub!");
        }

        public void setHtpPrecision(HtpPrecision precision) {
            throw new RuntimeException("Stub!");
        }
    }

    public QnnDelegate(Options options) {
        throw new RuntimeException("Stub!");
    }

    public static boolean checkCapability(Capability capability) {
        throw new RuntimeException("Stub!");
    }

    @Override
    public long getNativeHandle() {
        throw new RuntimeException("Stub!");
    }

    @Override
    public void close() {
        throw new RuntimeException("Stub!");
    }
}
