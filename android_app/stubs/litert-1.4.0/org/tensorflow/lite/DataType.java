// Compile-only stub: the API surface of LiteRT 1.4.0 (com.google.ai.edge.litert:litert{,-gpu,-gpu-api}
// 1.4.0; google-ai-edge/LiteRT tag v1.4.0, tflite/java and tflite/delegates/*/java) that
// android_app/app uses, signatures and annotations as declared there. Never run.
package org.tensorflow.lite;

/** No FLOAT16 in 1.4.0: a tensor of C type 10 cannot be represented (finding A11). */
public enum DataType {
    FLOAT32,
    INT32,
    UINT8,
    INT64,
    STRING,
    BOOL,
    INT16,
    INT8;

    public int byteSize() {
        throw new RuntimeException("Stub!");
    }
}
