#!/usr/bin/env bash
# Compile android_app/core and its unit tests with kotlinc (no Gradle needed) and run them with
# JUnit 4. CI (.ci/run) calls it with --install; tests/apps/test_kotlin_core.py calls it too.
#
#   android_app/tools/core-tests.sh [--install] [--out DIR]
#
#   --install   fetch what is missing first: the npm package kotlin-compiler (pinned, into the
#               git-ignored android_app/.tools/) and Debian's junit4 + libgoogle-gson-java
#   --out DIR   where the tests write the documents they emit (default core/build/test-output);
#               the Python tests validate those against the JSON Schemas
#
# The compile is cached under core/build/kotlinc/, keyed by the sources and the compiler version.
set -euo pipefail

KOTLIN_VERSION=2.4.20
APP="$(cd "$(dirname "$0")/.." && pwd)"
REPO="$(cd "$APP/.." && pwd)"
TOOLS="$APP/.tools"
KOTLINC="${KOTLINC:-$TOOLS/node_modules/kotlin-compiler/bin/kotlinc}"
JAVA_LIBS="${BENCHCTL_JAVA_LIBS:-/usr/share/java}"
# kotlinc is a short-lived JVM: with C1 only it spends about half the CPU time that C2's compiler
# threads cost (30.6 s → 17.0 s user for the app's standard flavor), and writes identical classes.
export JAVA_OPTS="${JAVA_OPTS:--Xmx512M -Xms128M -XX:TieredStopAtLevel=1}"
JARS=(gson.jar junit4.jar hamcrest.jar)
OUT="$APP/core/build/test-output"
INSTALL=0

while [[ $# -gt 0 ]]; do
  case "$1" in
    --install) INSTALL=1; shift ;;
    --out) OUT="$2"; shift 2 ;;
    *) echo "core-tests.sh: unknown argument $1 (use --install, --out DIR)" >&2; exit 2 ;;
  esac
done

missing_jars() {
  local j
  for j in "${JARS[@]}"; do [[ -f "$JAVA_LIBS/$j" ]] || echo "$j"; done
}

if [[ $INSTALL == 1 ]]; then
  if [[ ! -x "$KOTLINC" ]]; then
    echo "core-tests: installing kotlin-compiler@$KOTLIN_VERSION into $TOOLS" >&2
    npm install --prefix "$TOOLS" --save-exact --no-audit --no-fund --loglevel=error "kotlin-compiler@$KOTLIN_VERSION" >&2
  fi
  if ! command -v java >/dev/null; then
    echo "core-tests: installing a Java 17 runtime (apt)" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2 && apt-get install -y -qq openjdk-17-jre-headless >&2
  fi
  if [[ -n "$(missing_jars)" ]]; then
    echo "core-tests: installing junit4 and libgoogle-gson-java (apt)" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2 && apt-get install -y -qq junit4 libgoogle-gson-java >&2
  fi
fi

if [[ ! -x "$KOTLINC" ]]; then
  echo "core-tests: kotlinc not found at $KOTLINC; run: android_app/tools/core-tests.sh --install" >&2
  exit 3
fi
if [[ -n "$(missing_jars)" ]]; then
  echo "core-tests: missing in $JAVA_LIBS: $(missing_jars | tr '\n' ' '); run: apt-get install junit4 libgoogle-gson-java" >&2
  exit 3
fi

KLIB="$(cd "$(dirname "$KOTLINC")/../lib" && pwd)"
GSON="$JAVA_LIBS/gson.jar"
TEST_CP="$GSON:$JAVA_LIBS/junit4.jar:$JAVA_LIBS/hamcrest.jar:$KLIB/kotlin-test.jar:$KLIB/kotlin-test-junit.jar"
BUILD="$APP/core/build/kotlinc"

key="$( (echo "$KOTLIN_VERSION"; sha256sum "$GSON"; cd "$APP/core" && find src -name '*.kt' -print0 | sort -z | xargs -0 sha256sum) | sha256sum | cut -d' ' -f1)"
# core.jar alone depends on main's sources only: app-compile.sh reuses it when this key matches.
main_key="$( (echo "$KOTLIN_VERSION"; sha256sum "$GSON"; cd "$APP/core" && find src/main -name '*.kt' -print0 | sort -z | xargs -0 sha256sum) | sha256sum | cut -d' ' -f1)"
if [[ "$(cat "$BUILD/key" 2>/dev/null)" != "$key" ]]; then
  echo "core-tests: compiling core with kotlinc-jvm $(cat "$(dirname "$KOTLINC")/../build.txt" 2>/dev/null || echo "$KOTLIN_VERSION?")" >&2
  mkdir -p "$APP/core/build"
  tmp="$(mktemp -d "$APP/core/build/kotlinc.XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  mapfile -d '' main_src < <(find "$APP/core/src/main" -name '*.kt' -print0 | sort -z)
  mapfile -d '' test_src < <(find "$APP/core/src/test" -name '*.kt' -print0 | sort -z)
  "$KOTLINC" -jvm-target 17 -Werror -cp "$GSON" -d "$tmp/core.jar" "${main_src[@]}"
  "$KOTLINC" -jvm-target 17 -Werror -cp "$tmp/core.jar:$TEST_CP" -d "$tmp/test-classes" "${test_src[@]}"
  echo "$key" > "$tmp/key"
  echo "$main_key" > "$tmp/main-key"
  rm -rf "$BUILD"
  mv "$tmp" "$BUILD"
  trap - EXIT
fi

mapfile -t classes < <(cd "$BUILD/test-classes" && find . -name '*Test.class' ! -name '*$*' | sed 's|^\./||; s|\.class$||; s|/|.|g' | sort)
if [[ ${#classes[@]} -eq 0 ]]; then
  echo "core-tests: no test classes found in $BUILD/test-classes" >&2
  exit 4
fi
mkdir -p "$OUT"
exec java -XX:TieredStopAtLevel=1 -cp "$BUILD/core.jar:$BUILD/test-classes:$TEST_CP:$KLIB/kotlin-stdlib.jar" \
  -Dbenchctl.contract.dir="$REPO/benchctl/runner/contract" \
  -Dbenchctl.test.out="$OUT" \
  org.junit.runner.JUnitCore "${classes[@]}"
