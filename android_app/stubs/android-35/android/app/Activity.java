// Compile-only stub: the API surface of Android SDK platform 35 (Android 15) that android_app/app
// uses, with the SDK's signatures and nullability (android.annotation.Nullable/NonNull, as in
// android.jar). Bodies are never run; see android_app/tools/app-compile.sh.
package android.app;

import android.content.ContextWrapper;
import android.content.Intent;
import android.os.Bundle;
import android.view.View;
import android.view.Window;

public class Activity extends ContextWrapper {
    public static final int RESULT_CANCELED = 0;
    public static final int RESULT_OK = -1;

    protected void onCreate(@android.annotation.Nullable Bundle savedInstanceState) {
        throw new RuntimeException("Stub!");
    }

    public void onWindowFocusChanged(boolean hasFocus) {
        throw new RuntimeException("Stub!");
    }

    public Intent getIntent() {
        throw new RuntimeException("Stub!");
    }

    public Window getWindow() {
        throw new RuntimeException("Stub!");
    }

    public void setContentView(View view) {
        throw new RuntimeException("Stub!");
    }

    public void setShowWhenLocked(boolean showWhenLocked) { // API 27
        throw new RuntimeException("Stub!");
    }

    public void setTurnScreenOn(boolean turnScreenOn) { // API 27
        throw new RuntimeException("Stub!");
    }

    public final void runOnUiThread(Runnable action) {
        throw new RuntimeException("Stub!");
    }

    public void finish() {
        throw new RuntimeException("Stub!");
    }

    public void finishAndRemoveTask() {
        throw new RuntimeException("Stub!");
    }
}
