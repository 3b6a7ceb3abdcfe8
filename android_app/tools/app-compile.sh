#!/usr/bin/env bash
# Compile android_app/app's Kotlin with kotlinc, warnings as errors, against STUBS of the Android
# SDK (platform 35), LiteRT 1.4.0 and the QNN delegate 2.34.0 (android_app/stubs/): no Android
# SDK, Gradle or Google Maven can be had on this machine. The stubs copy the signatures and the
# nullability those libraries declare, for exactly the API surface the app uses, so a type or
# null-safety error the real SDK would report is reported here too (finding A3). It proves the
# sources compile against those declarations, not that the app builds with Gradle or runs: that
# is .github/workflows/android.yml's job.
#
#   android_app/tools/app-compile.sh [--install]
#
#   --install   fetch kotlinc and gson first if missing (delegates to core-tests.sh --install)
#
# Both product flavors are compiled: main + standard, and main + qnn (with the QNN stub). The
# result is cached under app/build/kotlinc/, keyed by the sources, the stubs and the compiler.
# CI (.ci/run) calls it; tests/apps/test_app_sources.py calls it too.
set -euo pipefail

KOTLIN_VERSION=2.4.20
APP="$(cd "$(dirname "$0")/.." && pwd)"
TOOLS="$APP/.tools"
KOTLINC="${KOTLINC:-$TOOLS/node_modules/kotlin-compiler/bin/kotlinc}"
JAVA_LIBS="${BENCHCTL_JAVA_LIBS:-/usr/share/java}"
# kotlinc is a short-lived JVM: with C1 only it spends about half the CPU time that C2's compiler
# threads cost (30.6 s → 17.0 s user for the app's standard flavor), and writes identical classes.
export JAVA_OPTS="${JAVA_OPTS:--Xmx512M -Xms128M -XX:TieredStopAtLevel=1}"
GSON="$JAVA_LIBS/gson.jar"
STUBS="$APP/stubs"
BUILD="$APP/app/build/kotlinc"

if [[ "${1:-}" == "--install" ]]; then
  bash "$APP/tools/core-tests.sh" --install >/dev/null
elif [[ $# -gt 0 ]]; then
  echo "app-compile.sh: unknown argument $1 (use --install)" >&2
  exit 2
fi
if [[ ! -x "$KOTLINC" ]]; then
  echo "app-compile: kotlinc not found at $KOTLINC; run: android_app/tools/app-compile.sh --install" >&2
  exit 3
fi
if [[ ! -f "$GSON" ]]; then
  echo "app-compile: missing $GSON; run: apt-get install libgoogle-gson-java" >&2
  exit 3
fi

# Every R.string the app names must exist in its strings.xml (R.java in the stubs is aapt's stand-in).
missing=0
while read -r name; do
  if ! grep -q "<string name=\"$name\"" "$APP/app/src/main/res/values/strings.xml"; then
    echo "app-compile: R.string.$name is used but not defined in res/values/strings.xml" >&2
    missing=1
  fi
done < <(grep -rhoE 'R\.string\.[A-Za-z_][A-Za-z0-9_]*' "$APP/app/src" | sed 's/R\.string\.//' | sort -u)
[[ $missing == 0 ]] || exit 1

key="$( (echo "$KOTLIN_VERSION"; sha256sum "$GSON"
         cd "$APP" && find core/src/main app/src stubs -type f \( -name '*.kt' -o -name '*.java' -o -name '*.xml' \) -print0 \
           | sort -z | xargs -0 sha256sum) | sha256sum | cut -d' ' -f1)"
if [[ "$(cat "$BUILD/key" 2>/dev/null)" == "$key" ]]; then
  echo "app-compile: up to date ($BUILD)" >&2
  exit 0
fi

mkdir -p "$APP/app/build"
tmp="$(mktemp -d "$APP/app/build/kotlinc.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
# core-tests.sh compiles the same core.jar (same sources, flags and compiler): reuse it when its
# key says it was built from these sources, rather than run kotlinc on them a second time.
CORE_BUILD="$APP/core/build/kotlinc"
core_key="$( (echo "$KOTLIN_VERSION"; sha256sum "$GSON"; cd "$APP/core" && find src/main -name '*.kt' -print0 | sort -z | xargs -0 sha256sum) | sha256sum | cut -d' ' -f1)"
if [[ "$(cat "$CORE_BUILD/main-key" 2>/dev/null)" == "$core_key" && -f "$CORE_BUILD/core.jar" ]]; then
  echo "app-compile: core, reusing $CORE_BUILD/core.jar (same sources)" >&2
  cp "$CORE_BUILD/core.jar" "$tmp/core.jar"
else
  echo "app-compile: core, with kotlinc-jvm $(cat "$(dirname "$KOTLINC")/../build.txt" 2>/dev/null || echo "$KOTLIN_VERSION?")" >&2
  mapfile -d '' core_src < <(find "$APP/core/src/main" -name '*.kt' -print0 | sort -z)
  "$KOTLINC" -jvm-target 17 -Werror -cp "$GSON" -d "$tmp/core.jar" "${core_src[@]}"
fi
for flavor in standard qnn; do
  stubs=("$STUBS/android-35" "$STUBS/litert-1.4.0" "$STUBS/generated")
  [[ $flavor == qnn ]] && stubs+=("$STUBS/qnn-2.34.0")
  mapfile -d '' app_src < <(find "$APP/app/src/main/kotlin" "$APP/app/src/$flavor/kotlin" -name '*.kt' -print0 | sort -z)
  mapfile -d '' stub_src < <(find "${stubs[@]}" -name '*.java' -print0 | sort -z)
  echo "app-compile: app ($flavor flavor: ${#app_src[@]} Kotlin files against ${#stub_src[@]} stub files)" >&2
  # Java stubs are read for their declarations only (kotlinc compiles no Java).
  "$KOTLINC" -jvm-target 17 -Werror -cp "$tmp/core.jar:$GSON" -d "$tmp/app-$flavor.jar" \
    "${app_src[@]}" "${stub_src[@]}"
done
echo "$key" > "$tmp/key"
rm -rf "$BUILD"
mv "$tmp" "$BUILD"
trap - EXIT
echo "app-compile: ok (standard and qnn flavors)" >&2
