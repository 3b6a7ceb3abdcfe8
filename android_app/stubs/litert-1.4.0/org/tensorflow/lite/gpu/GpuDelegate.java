// Compile-only stub: the API surface of LiteRT 1.4.0 (com.google.ai.edge.litert:litert{,-gpu,-gpu-api}
// 1.4.0; google-ai-edge/LiteRT tag v1.4.0, tflite/java and tflite/delegates/*/java) that
// android_app/app uses, signatures and annotations as declared there. Never run.
package org.tensorflow.lite.gpu;

import org.tensorflow.lite.Delegate;

public class GpuDelegate implements Delegate {
    public static class Options extends GpuDelegateFactory.Options {}

    public GpuDelegate(GpuDelegateFactory.Options options) {
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
