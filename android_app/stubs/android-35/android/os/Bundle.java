// Compile-only stub: the API surface of Android SDK platform 35 (Android 15) that android_app/app
// uses, with the SDK's signatures and nullability (android.annotation.Nullable/NonNull, as in
// android.jar). Bodies are never run; see android_app/tools/app-compile.sh.
package android.os;

import android.annotation.Nullable;

public final class Bundle {
    public Bundle() {
        throw new RuntimeException("Stub!");
    }

    @Nullable
    public String getString(@Nullable String key) {
        throw new RuntimeException("Stub!");
    }

    public void putString(@Nullable String key, @Nullable String value) {
        throw new RuntimeException("Stub!");
    }
}
