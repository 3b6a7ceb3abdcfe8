// Compile-only stand-in for the R class aapt2 generates from android_app/app/src/main/res
// (values/strings.xml: app_name). tools/app-compile.sh checks every R.string the app names exists
// in strings.xml.
package dev.benchctl.android;

public final class R {
    public static final class string {
        public static final int app_name = 0x7f010000;
    }
}
