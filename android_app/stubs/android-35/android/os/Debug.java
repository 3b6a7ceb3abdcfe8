// Compile-only stub: the API surface of Android SDK platform 35 (Android 15) that android_app/app
// uses, with the SDK's signatures and nullability (android.annotation.Nullable/NonNull, as in
// android.jar). Bodies are never run; see android_app/tools/app-compile.sh.
// developer.android.com/reference/android/os/Debug and .../Debug.MemoryInfo (API level 1); the
// real MemoryInfo also implements Parcelable, which the app does not use.
package android.os;

public final class Debug {
    public static class MemoryInfo {
        public MemoryInfo() {
            throw new RuntimeException("Stub!");
        }

        /** Total PSS memory usage in kB. */
        public int getTotalPss() {
            throw new RuntimeException("Stub!");
        }
    }

    public static void getMemoryInfo(MemoryInfo memoryInfo) {
        throw new RuntimeException("Stub!");
    }

    /** The amount of allocated memory in the native heap, bytes. */
    public static native long getNativeHeapAllocatedSize();
}
