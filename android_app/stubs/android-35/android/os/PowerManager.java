// Compile-only stub: the API surface of Android SDK platform 35 (Android 15) that android_app/app
// uses, with the SDK's signatures and nullability (android.annotation.Nullable/NonNull, as in
// android.jar). Bodies are never run; see android_app/tools/app-compile.sh.
package android.os;

public final class PowerManager {
    public int getCurrentThermalStatus() { // API 29
        throw new RuntimeException("Stub!");
    }

    public float getThermalHeadroom(int forecastSeconds) { // API 30
        throw new RuntimeException("Stub!");
    }

    public boolean isPowerSaveMode() {
        throw new RuntimeException("Stub!");
    }

    public boolean isSustainedPerformanceModeSupported() {
        throw new RuntimeException("Stub!");
    }
}
