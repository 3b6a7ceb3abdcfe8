// Compile-only stub: the API surface of LiteRT 1.4.0 (com.google.ai.edge.litert:litert{,-gpu,-gpu-api}
// 1.4.0; google-ai-edge/LiteRT tag v1.4.0, tflite/java and tflite/delegates/*/java) that
// android_app/app uses, signatures and annotations as declared there. Never run.
package org.tensorflow.lite;

import java.io.File;
import org.checkerframework.checker.nullness.qual.NonNull;

public final class Interpreter extends InterpreterImpl implements InterpreterApi {
    public static class Options extends InterpreterImpl.Options {
        public Options() {
            throw new RuntimeException("Stub!");
        }

        @Override
        public Options setUseXNNPACK(boolean useXNNPACK) {
            throw new RuntimeException("Stub!");
        }

        @Override
        public Options setNumThreads(int numThreads) {
            throw new RuntimeException("Stub!");
        }

        @Override
        public Options addDelegate(Delegate delegate) {
            throw new RuntimeException("Stub!");
        }
    }

    public Interpreter(@NonNull File modelFile, Options options) {
        super(modelFile, options);
        throw new RuntimeException("Stub!");
    }
}
