// Compile-only stub: the API surface of LiteRT 1.4.0 (com.google.ai.edge.litert:litert{,-gpu,-gpu-api}
// 1.4.0; google-ai-edge/LiteRT tag v1.4.0, tflite/java and tflite/delegates/*/java) that
// android_app/app uses, signatures and annotations as declared there. Never run.
package org.tensorflow.lite.nnapi;

import org.tensorflow.lite.Delegate;

public class NnApiDelegate implements Delegate, AutoCloseable {
    public static final class Options {
        public static final int EXECUTION_PREFERENCE_SUSTAINED_SPEED = 2;

        public Options() {
            throw new RuntimeException("Stub!");
        }

        public Options setExecutionPreference(int preference) {
            throw new RuntimeException("Stub!");
        }

        public Options setUseNnapiCpu(boolean enable) {
            throw new RuntimeException("Stub!");
        }

        public Options setAllowFp16(boolean enable) {
            throw new RuntimeException("Stub!");
        }
    }

    public NnApiDelegate(Options options) {
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
