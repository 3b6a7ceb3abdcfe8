// Compile-only stub: the API surface of Android SDK platform 35 (Android 15) that android_app/app
// uses, with the SDK's signatures and nullability (android.annotation.Nullable/NonNull, as in
// android.jar). Bodies are never run; see android_app/tools/app-compile.sh.
package android.content;

import android.annotation.NonNull;
import android.annotation.Nullable;
import android.content.pm.ApplicationInfo;
import android.content.pm.PackageManager;
import java.io.File;

public abstract class Context {
    public abstract Context getApplicationContext();

    public abstract ApplicationInfo getApplicationInfo();

    public abstract PackageManager getPackageManager();

    public abstract String getPackageName();

    public abstract File getFilesDir();

    public abstract File getCacheDir();

    @Nullable
    public abstract File getExternalFilesDir(@Nullable String type);

    @Nullable
    public abstract Intent registerReceiver(@Nullable BroadcastReceiver receiver, IntentFilter filter);

    @NonNull
    public final String getString(int resId) {
        throw new RuntimeException("Stub!");
    }

    @Nullable
    public final <T> T getSystemService(@NonNull Class<T> serviceClass) {
        throw new RuntimeException("Stub!");
    }
}
