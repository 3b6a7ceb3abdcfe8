// Compile-only stub: the API surface of LiteRT 1.4.0 (com.google.ai.edge.litert:litert{,-gpu,-gpu-api}
// 1.4.0; google-ai-edge/LiteRT tag v1.4.0, tflite/java and tflite/delegates/*/java) that
// android_app/app uses, signatures and annotations as declared there. Never run.
package org.tensorflow.lite;

import java.util.Map;
import org.checkerframework.checker.nullness.qual.NonNull;

public interface InterpreterApi extends AutoCloseable {
    class Options {
        public Options() {
            throw new RuntimeException("Stub!");
        }

        public Options setNumThreads(int numThreads) {
            throw new RuntimeException("Stub!");
        }

        public Options addDelegate(Delegate delegate) {
            throw new RuntimeException("Stub!");
        }

        public Options setUseXNNPACK(boolean useXNNPACK) {
            throw new RuntimeException("Stub!");
        }
    }

    void runForMultipleInputsOutputs(Object @NonNull [] inputs, @NonNull Map<Integer, Object> outputs);

    int getInputTensorCount();

    Tensor getInputTensor(int inputIndex);

    int getOutputTensorCount();

    Tensor getOutputTensor(int outputIndex);

    @Override
    void close();
}
