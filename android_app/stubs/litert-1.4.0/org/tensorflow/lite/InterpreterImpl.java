// Compile-only stub: the API surface of LiteRT 1.4.0 (com.google.ai.edge.litert:litert{,-gpu,-gpu-api}
// 1.4.0; google-ai-edge/LiteRT tag v1.4.0, tflite/java and tflite/delegates/*/java) that
// android_app/app uses, signatures and annotations as declared there. Never run.
package org.tensorflow.lite;

import java.io.File;
import java.util.Map;
import org.checkerframework.checker.nullness.qual.NonNull;

/** Package-private, as in 1.4.0: Interpreter's superclass, which declares getExecutionPlanLength. */
class InterpreterImpl implements InterpreterApi {
    static class Options extends InterpreterApi.Options {
        public Options() {
            throw new RuntimeException("Stub!");
        }
    }

    InterpreterImpl(@NonNull File modelFile, Options options) {
        throw new RuntimeException("Stub!");
    }

    @Override
    public void runForMultipleInputsOutputs(Object @NonNull [] inputs, @NonNull Map<Integer, Object> outputs) {
        throw new RuntimeException("Stub!");
    }

    @Override
    public int getInputTensorCount() {
        throw new RuntimeException("Stub!");
    }

    @Override
    public Tensor getInputTensor(int inputIndex) {
        throw new RuntimeException("Stub!");
    }

    @Override
    public int getOutputTensorCount() {
        throw new RuntimeException("Stub!");
    }

    @Override
    public Tensor getOutputTensor(int outputIndex) {
        throw new RuntimeException("Stub!");
    }

    int getExecutionPlanLength() {
        throw new RuntimeException("Stub!");
    }

    @Override
    public void close() {
        throw new RuntimeException("Stub!");
    }
}
