// Compile-only stub: the API surface of Android SDK platform 35 (Android 15) that android_app/app
// uses, with the SDK's signatures and nullability (android.annotation.Nullable/NonNull, as in
// android.jar). Bodies are never run; see android_app/tools/app-compile.sh.
package android.util;

import android.annotation.NonNull;
import android.annotation.Nullable;

public final class Log {
    public static int i(@Nullable String tag, @NonNull String msg) {
        throw new RuntimeException("Stub!");
    }

    public static int e(@Nullable String tag, @NonNull String msg) {
        throw new RuntimeException("Stub!");
    }

    public static int e(@Nullable String tag, @Nullable String msg, @Nullable Throwable tr) {
        throw new RuntimeException("Stub!");
    }
}
