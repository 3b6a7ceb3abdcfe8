// Compile-only stub: the API surface of Android SDK platform 35 (Android 15) that android_app/app
// uses, with the SDK's signatures and nullability (android.annotation.Nullable/NonNull, as in
// android.jar). Bodies are never run; see android_app/tools/app-compile.sh.
package android.app;

import android.annotation.NonNull;
import android.content.Context;
import android.content.Intent;
import android.os.Bundle;

public class Instrumentation {
    public static final String REPORT_KEY_STREAMRESULT = "stream";

    public void onCreate(Bundle arguments) {
        throw new RuntimeException("Stub!");
    }

    public void start() {
        throw new RuntimeException("Stub!");
    }

    public void onStart() {
        throw new RuntimeException("Stub!");
    }

    public Context getTargetContext() {
        throw new RuntimeException("Stub!");
    }

    @NonNull
    public Activity startActivitySync(@NonNull Intent intent) {
        throw new RuntimeException("Stub!");
    }

    public void sendStatus(int resultCode, Bundle results) {
        throw new RuntimeException("Stub!");
    }

    public void finish(int resultCode, Bundle results) {
        throw new RuntimeException("Stub!");
    }
}
