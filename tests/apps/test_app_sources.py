"""The phone apps' sources where no toolchain exists here: every Swift file (ios_app) and every
Kotlin file of the Android app module must parse (tree-sitter grammars from PyPI), and the names
the host launches (package, bundle id, components, the `spec` argument) must be the ones the apps
declare. Parsing is not compiling: type errors would only show in Xcode / Gradle (see READMEs).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import tree_sitter_kotlin
import tree_sitter_swift
import yaml
from tree_sitter import Language, Node, Parser

from benchctl.harness.devices import Device
from benchctl.harness.lifecycle import app_target
from benchctl.harness.transports import ios as ios_transport

REPO = Path(__file__).resolve().parents[2]
IOS = REPO / "ios_app"
ANDROID = REPO / "android_app"
ANDROID_NS = "{http://schemas.android.com/apk/res/android}"

SWIFT = Parser(Language(tree_sitter_swift.language()))
KOTLIN = Parser(Language(tree_sitter_kotlin.language()))


def _sources(root: Path, *suffixes: str) -> list[Path]:
    return sorted(
        p
        for p in root.rglob("*")
        if p.suffix in suffixes and not {".tools", "build", ".build", ".gradle"} & set(p.parts)
    )


def _problems(parser: Parser, source: bytes) -> list[str]:
    """Every ERROR or MISSING node, as `line:col text`."""
    found: list[str] = []

    def walk(node: Node) -> None:
        if node.is_error or node.is_missing:
            row, col = node.start_point
            text = source[node.start_byte : node.end_byte][:60].decode(errors="replace")
            found.append(
                f"{row + 1}:{col + 1} {'missing' if node.is_missing else 'error'} {text!r}"
            )
        for child in node.children:
            walk(child)

    walk(parser.parse(source).root_node)
    return found


SWIFT_FILES = _sources(IOS, ".swift")
KOTLIN_FILES = _sources(ANDROID, ".kt", ".kts")


def test_there_are_sources_to_check():
    assert len(SWIFT_FILES) >= 15 and (IOS / "Package.swift") in SWIFT_FILES
    assert any(p.name == "BenchInstrumentation.kt" for p in KOTLIN_FILES)


@pytest.mark.parametrize("path", SWIFT_FILES, ids=lambda p: str(p.relative_to(IOS)))
def test_swift_source_parses(path: Path):
    assert _problems(SWIFT, path.read_bytes()) == []


@pytest.mark.parametrize("path", KOTLIN_FILES, ids=lambda p: str(p.relative_to(ANDROID)))
def test_kotlin_source_parses(path: Path):
    assert _problems(KOTLIN, path.read_bytes()) == []


@pytest.mark.parametrize(
    ("parser", "broken"),
    [
        (SWIFT, b"func f( -> Int { return 1 }\n"),
        (SWIFT, b"struct S { var x: Int = }\n"),
        (KOTLIN, b"fun f(: Int { return 1 }\n"),
        (KOTLIN, b"class C { val x = }\n"),
    ],
)
def test_the_parse_check_catches_broken_code(parser: Parser, broken: bytes):
    assert _problems(parser, broken)


def test_android_core_uses_no_android_classes():
    for path in _sources(ANDROID / "core", ".kt"):
        assert not re.search(r"^import android", path.read_text(), re.MULTILINE), path


def test_android_manifest_declares_what_the_adb_transport_launches():
    target = app_target(Device("phone", "adb", address="serial"))
    manifest = ET.parse(ANDROID / "app/src/main/AndroidManifest.xml").getroot()
    gradle = (ANDROID / "app/build.gradle.kts").read_text()
    assert f'applicationId = "{target.app_id}"' in gradle
    assert re.search(r"release\s*\{[^}]*isDebuggable = false", gradle)
    instrumentation = manifest.find("instrumentation")
    assert instrumentation is not None
    assert instrumentation.get(f"{ANDROID_NS}name") == ".BenchInstrumentation"
    assert instrumentation.get(f"{ANDROID_NS}targetPackage") == target.app_id
    activity = manifest.find("application/activity")
    assert activity is not None and activity.get(f"{ANDROID_NS}name") == ".BenchActivity"
    assert activity.get(f"{ANDROID_NS}exported") == "true"  # `am start -n` from the shell
    app_dir = ANDROID / "app/src/main/kotlin" / Path(*target.app_id.split("."))
    assert (app_dir / "BenchInstrumentation.kt").is_file()
    # `am instrument -e spec <path>` / `am start --es spec <path>`: the extra is named "spec".
    assert 'const val EXTRA_SPEC = "spec"' in (app_dir / "BenchActivity.kt").read_text()


def test_ios_project_declares_what_the_ios_transport_launches():
    target = app_target(Device("phone", "ios", address="0" * 40))
    assert target.app_id == ios_transport.DEFAULT_BUNDLE
    project = yaml.safe_load((IOS / "project.yml").read_text())
    app = project["targets"]["BenchApp"]
    assert app["settings"]["base"]["PRODUCT_BUNDLE_IDENTIFIER"] == target.app_id
    assert app["info"]["properties"]["UIFileSharingEnabled"] is True
    assert app["dependencies"] == [{"package": "BenchCore"}]
    # The transport passes the spec path (relative to the container) as the one argument.
    assert ios_transport.FILES_ROOT.lstrip("/").startswith("Documents/")


# --- compile errors a parser can still see (found by reading the sources as the compiler would) ---


def _walk(node: Node):
    yield node
    for child in node.children:
        yield from _walk(child)


def _assigned_names(node: Node, source: bytes) -> list[tuple[int, str]]:
    """(line, name) of every `name = …` whose target is a bare identifier, below `node`."""
    out = []
    for n in _walk(node):
        if n.type == "assignment":
            target = n.child_by_field_name("target") or n.children[0]
            if len(target.children) == 1 and target.children[0].type == "simple_identifier":
                name = source[target.start_byte : target.end_byte].decode()
                out.append((n.start_point[0] + 1, name))
    return out


def swift_compile_problems(source: bytes) -> list[str]:
    """Two errors the Swift compiler reports that parse fine:

    - assigning to `error` in a `catch` without a pattern: there `error` is the caught error, an
      implicit `let` that shadows any outer `var error` (I3: "cannot assign to value: 'error' is a
      'let' constant");
    - assigning to a variable captured by a `Task { }` / `Task.detached { }` closure ("mutation of
      captured var in concurrently-executing code", I5); variables declared inside it are fine.
    """
    found: list[str] = []
    tree = SWIFT.parse(source).root_node
    for n in _walk(tree):
        if n.type == "catch_block" and not any(c.type == "pattern" for c in n.children):
            found += [f"{line}: assigns to the caught `error`" for line, name in
                      _assigned_names(n, source) if name == "error"]  # fmt: skip
        if n.type == "call_expression":
            callee = source[n.children[0].start_byte : n.children[0].end_byte].decode()
            if callee not in ("Task", "Task.detached"):
                continue
            for closure in (c for c in _walk(n) if c.type == "lambda_literal"):
                local = {
                    source[p.start_byte : p.end_byte].decode()
                    for d in _walk(closure)
                    if d.type == "property_declaration"
                    for p in d.children
                    if p.type == "pattern"
                }
                found += [f"{line}: {callee} closure mutates captured `{name}`" for line, name in
                          _assigned_names(closure, source) if name not in local]  # fmt: skip
                break
    return found


@pytest.mark.parametrize("path", SWIFT_FILES, ids=lambda p: str(p.relative_to(IOS)))
def test_swift_source_has_none_of_the_compile_errors_found_by_reading(path: Path):
    assert swift_compile_problems(path.read_bytes()) == []


def test_the_compile_error_check_catches_both():
    broken = b"""
func f() {
    var error: Int?
    do { try g() } catch let e as Foo { error = 1 } catch { error = 2 }
    var outcome = 1
    Task.detached { let mine = 0; outcome = 2 }
}
"""
    assert swift_compile_problems(broken) == [
        "4: assigns to the caught `error`",
        "6: Task.detached closure mutates captured `outcome`",
    ]


def test_the_xcode_project_names_a_swift_language_mode():
    """SWIFT_VERSION is a language mode; Xcode refuses "5.9" (I4)."""
    project = yaml.safe_load((IOS / "project.yml").read_text())
    modes = [project["settings"]["base"].get("SWIFT_VERSION")] + [
        t.get("settings", {}).get("base", {}).get("SWIFT_VERSION")
        for t in project["targets"].values()
    ]
    assert {m for m in modes if m is not None} <= {"4.0", "4.2", "5.0", "6.0"}, modes
    assert modes[0] is not None


def test_github_compiles_what_this_machine_cannot():
    """.github/workflows/ios.yml: BenchCore built and tested, the app built for a device."""
    flow = yaml.safe_load((REPO / ".github/workflows/ios.yml").read_text())
    steps = {
        job: " ".join(str(s.get("run", "")) for s in spec["steps"])
        for job, spec in flow["jobs"].items()
    }
    assert all(j["runs-on"].startswith("${{") or "macos" in j["runs-on"] for j in
               flow["jobs"].values())  # fmt: skip
    assert "swift build" in steps["benchcore"] and "swift test" in steps["benchcore"]
    assert "xcodegen generate" in steps["app"] and "xcodebuild build" in steps["app"]
    assert "generic/platform=iOS" in steps["app"] and "CODE_SIGNING_ALLOWED=NO" in steps["app"]
    assert all(d["working-directory"] == "ios_app" for d in
               (j["defaults"]["run"] for j in flow["jobs"].values()))  # fmt: skip
