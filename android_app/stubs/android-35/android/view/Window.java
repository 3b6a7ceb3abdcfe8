// Compile-only stub: the API surface of Android SDK platform 35 (Android 15) that android_app/app
// uses, with the SDK's signatures and nullability (android.annotation.Nullable/NonNull, as in
// android.jar). Bodies are never run; see android_app/tools/app-compile.sh.
package android.view;

public abstract class Window {
    public void addFlags(int flags) {
        throw new RuntimeException("Stub!");
    }

    public void setSustainedPerformanceMode(boolean enable) { // API 24
        throw new RuntimeException("Stub!");
    }
}
