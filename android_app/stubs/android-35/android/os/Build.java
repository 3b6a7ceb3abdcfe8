// Compile-only stub: the API surface of Android SDK platform 35 (Android 15) that android_app/app
// uses, with the SDK's signatures and nullability (android.annotation.Nullable/NonNull, as in
// android.jar). Bodies are never run; see android_app/tools/app-compile.sh.
package android.os;

import android.annotation.NonNull;

public class Build {
    public static final String MANUFACTURER = null;
    public static final String MODEL = null;
    public static final String DEVICE = null;
    public static final String BOARD = null;
    public static final String HARDWARE = null;
    @NonNull public static final String SOC_MANUFACTURER = null; // API 31
    @NonNull public static final String SOC_MODEL = null; // API 31
    public static final String[] SUPPORTED_ABIS = null;
    public static final String TYPE = null;
    public static final String FINGERPRINT = null;

    public static class VERSION {
        public static final int SDK_INT = 0;
        public static final String RELEASE = null;
    }

    public static class VERSION_CODES {
        public static final int O_MR1 = 27;
        public static final int P = 28;
        public static final int Q = 29;
        public static final int R = 30;
        public static final int S = 31;
    }
}
