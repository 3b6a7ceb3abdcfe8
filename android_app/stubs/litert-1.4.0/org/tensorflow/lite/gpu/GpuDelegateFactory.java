// Compile-only stub: the API surface of LiteRT 1.4.0 (com.google.ai.edge.litert:litert{,-gpu,-gpu-api}
// 1.4.0; google-ai-edge/LiteRT tag v1.4.0, tflite/java and tflite/delegates/*/java) that
// android_app/app uses, signatures and annotations as declared there. Never run.
package org.tensorflow.lite.gpu;

public class GpuDelegateFactory {
    public static class Options {
        public static final int INFERENCE_PREFERENCE_FAST_SINGLE_ANSWER = 0;
        public static final int INFERENCE_PREFERENCE_SUSTAINED_SPEED = 1;

        public Options() {
            throw new RuntimeException("Stub!");
        }

        public Options setPrecisionLossAllowed(boolean precisionLossAllowed) {
            throw new RuntimeException("Stub!");
        }

        public Options setInferencePreference(int preference) {
            throw new RuntimeException("Stub!");
        }
    }
}
