// Compile-only stub: the API surface of Android SDK platform 35 (Android 15) that android_app/app
// uses, with the SDK's signatures and nullability (android.annotation.Nullable/NonNull, as in
// android.jar). Bodies are never run; see android_app/tools/app-compile.sh.
package android.content;

import android.annotation.NonNull;
import android.annotation.Nullable;

public class Intent {
    public static final String ACTION_BATTERY_CHANGED = "android.intent.action.BATTERY_CHANGED";
    public static final int FLAG_ACTIVITY_NEW_TASK = 0x10000000;

    public Intent(Context packageContext, Class<?> cls) {
        throw new RuntimeException("Stub!");
    }

    @NonNull
    public Intent putExtra(String name, @Nullable String value) {
        throw new RuntimeException("Stub!");
    }

    @NonNull
    public Intent putExtra(String name, boolean value) {
        throw new RuntimeException("Stub!");
    }

    @NonNull
    public Intent addFlags(int flags) {
        throw new RuntimeException("Stub!");
    }

    @Nullable
    public String getStringExtra(String name) {
        throw new RuntimeException("Stub!");
    }

    public boolean getBooleanExtra(String name, boolean defaultValue) {
        throw new RuntimeException("Stub!");
    }

    public int getIntExtra(String name, int defaultValue) {
        throw new RuntimeException("Stub!");
    }
}
