// Compile-only stub: the API surface of LiteRT 1.4.0 (com.google.ai.edge.litert:litert{,-gpu,-gpu-api}
// 1.4.0; google-ai-edge/LiteRT tag v1.4.0, tflite/java and tflite/delegates/*/java) that
// android_app/app uses, signatures and annotations as declared there. Never run.
package org.tensorflow.lite;

import java.io.Closeable;

public interface Delegate extends Closeable {
    long getNativeHandle();

    @Override
    default void close() {}
}
