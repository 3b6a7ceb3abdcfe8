// Compile-only stub: the API surface of Android SDK platform 35 (Android 15) that android_app/app
// uses, with the SDK's signatures and nullability (android.annotation.Nullable/NonNull, as in
// android.jar). Bodies are never run; see android_app/tools/app-compile.sh.
package android.content.pm;

import android.annotation.NonNull;

public abstract class PackageManager {
    public static class NameNotFoundException extends Exception {}

    public abstract PackageInfo getPackageInfo(@NonNull String packageName, int flags)
            throws NameNotFoundException;
}
