"""One vocabulary across the three runners: the statuses, error codes and warnings of
result.schema.json `$defs` are the only names the host, the lab and the apps use, and the apps'
constants are generated from them (scripts/gen_codes.py)."""

from __future__ import annotations

import ast
import importlib.util
import json
import re
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from benchctl.lab import health
from benchctl.results.keep import HOST_STATUSES
from benchctl.results.regress import validity
from benchctl.runner import contract
from benchctl.runner.contract import codes

REPO = Path(__file__).resolve().parents[2]
GEN = REPO / "scripts" / "gen_codes.py"
UPPER_SNAKE = re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$")
UPPER_KEBAB = re.compile(r"^[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+$")
RUNNERS_AND_HOSTS = {"python", "android", "ios", "host", "lab"}


def _gen_module():
    spec = importlib.util.spec_from_file_location("gen_codes", GEN)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _current_and_former() -> set[str]:
    return set(codes.error_codes()) | {o for c in codes.error_codes().values() for o in c.formerly}


# ---- the list itself ----------------------------------------------------------------------------


def test_the_schema_with_its_vocabulary_is_a_valid_schema():
    Draft202012Validator.check_schema(contract.schema("result"))


def test_the_status_enum_is_the_described_list():
    listed = [s.name for s in codes.statuses()]
    assert contract.schema("result")["properties"]["status"]["enum"] == listed
    assert all(s.description for s in codes.statuses())


def test_every_code_is_described_with_known_statuses_and_writers():
    statuses = {s.name for s in codes.statuses()}
    for c in list(codes.error_codes().values()) + list(codes.warnings().values()):
        assert c.description, c.name
        assert set(c.statuses) <= statuses, c.name
        assert c.written_by and set(c.written_by) <= RUNNERS_AND_HOSTS, c.name
    for c in codes.error_codes().values():
        assert UPPER_SNAKE.match(c.name) or c.name.isupper(), c.name
        assert c.statuses and "ok" not in c.statuses, c.name


def test_a_former_name_is_never_also_a_current_one():
    former = [o for c in codes.error_codes().values() for o in c.formerly]
    assert len(former) == len(set(former))
    assert not set(former) & set(codes.error_codes())


def test_an_older_apps_names_are_read_as_todays():
    assert codes.canonical("THERMAL_GATE") == "THERMAL_LIMIT"  # host before the vocabulary
    assert codes.canonical("RESULT_INVALID") == "INVALID_RESULT"  # Kotlin/Swift before it
    assert codes.canonical("MODEL_NOT_FOUND") == "MODEL_NOT_FOUND"
    assert codes.canonical("SOMETHING_NEWER") == "SOMETHING_NEWER"  # kept as written
    assert codes.canonical(None) is None


def test_the_labs_device_faults_are_the_vocabularys():
    assert health.DEVICE_FAULTS == codes.device_faults()
    assert health.DEVICE_FAULTS <= set(codes.error_codes())
    # the host's own failures of device, transport and runner are all counted
    assert {"TRANSPORT_FAILED", "RUNNER_TIMEOUT", "RUNNER_NO_RESULT", "INVALID_RESULT"} <= (
        health.DEVICE_FAULTS
    )
    # an older app build's name for an invalid result counts too, once read as today's
    assert codes.canonical("RESULT_INVALID") in health.DEVICE_FAULTS
    assert "MODEL_NOT_FOUND" not in health.DEVICE_FAULTS  # a bad request is not the device's


@pytest.mark.parametrize("name", sorted(p.name for p in contract.EXAMPLES.glob("result*.json")))
def test_golden_results_use_the_vocabulary(name):
    doc = json.loads((contract.EXAMPLES / name).read_text())
    if doc["error"]:
        assert doc["error"]["code"] in codes.error_codes()
        assert doc["status"] in codes.error_codes()[doc["error"]["code"]].statuses


# ---- the generated constants --------------------------------------------------------------------


def test_the_generated_app_constants_are_current():
    done = subprocess.run(
        [sys.executable, str(GEN), "--check"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr


def test_the_check_fails_on_a_stale_file(tmp_path, monkeypatch):
    gen = _gen_module()
    stale = tmp_path / "ErrorCodes.kt"
    stale.write_text(gen.kotlin().replace('"MODEL_NOT_FOUND"', '"MODEL_MISSING"'))
    swift = tmp_path / "ErrorCodes.swift"
    swift.write_text(gen.swift())
    monkeypatch.setattr(gen, "KOTLIN", stale)
    monkeypatch.setattr(gen, "SWIFT", swift)
    monkeypatch.setattr(gen, "REPO", tmp_path)
    assert gen.main(["--check"]) == 1
    assert gen.main([]) == 0  # rewrites it
    assert gen.main(["--check"]) == 0
    assert 'const val MODEL_NOT_FOUND = "MODEL_NOT_FOUND"' in stale.read_text()


def test_every_code_and_warning_has_a_constant_in_both_apps():
    gen = _gen_module()
    kotlin, swift = gen.KOTLIN.read_text(), gen.SWIFT.read_text()
    for name in list(codes.error_codes()) + list(codes.warnings()):
        ident = name.replace("-", "_")
        assert f'const val {ident} = "{name}"' in kotlin
        assert f'public static let {ident} = "{name}"' in swift


def _app_sources() -> list[Path]:
    roots = [
        "android_app/core/src/main",
        "android_app/app/src/main",
        "ios_app/Sources",
        "ios_app/App",
    ]
    return sorted(
        p
        for root in roots
        for p in (REPO / root).rglob("*")
        # generated: ErrorCodes (the constants), TfliteOps (op names, scripts/gen_tflite_ops.py)
        if p.suffix in (".kt", ".swift") and p.stem not in ("ErrorCodes", "TfliteOps")
    )


def test_the_apps_spell_no_code_of_their_own():
    """A code or warning in an app is a generated constant, never a string literal."""
    # UPPER_SNAKE or UPPER-KEBAB words ("SHA-256", an algorithm's name, is neither)
    literal = re.compile(r'"([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|[A-Z]+(?:-[A-Z]+)+)"')
    found = [
        f"{p.relative_to(REPO)}: {m.group(1)}"
        for p in _app_sources()
        for m in literal.finditer(p.read_text())
    ]
    assert not found


def test_the_apps_name_only_generated_constants():
    """Swift is not compiled here: every ErrorCodes.X / Warnings.X it names must exist."""
    used = re.compile(r"\b(ErrorCodes|Warnings)\.([A-Z][A-Z0-9_]*)")
    known = {
        "ErrorCodes": set(codes.error_codes()),
        "Warnings": {w.replace("-", "_") for w in codes.warnings()},
    }
    names = [
        (p, m.group(1), m.group(2)) for p in _app_sources() for m in used.finditer(p.read_text())
    ]
    assert len(names) > 30  # the apps do use them
    assert [f"{p.name}: {o}.{n}" for p, o, n in names if n not in known[o]] == []


def test_the_apps_status_enums_are_the_lists():
    listed = [s.name for s in codes.statuses()]
    kotlin = (REPO / "android_app/core/src/main/kotlin/dev/benchctl/core/Result.kt").read_text()
    enum = kotlin[kotlin.index("enum class Status") :].split(";", 1)[0]
    assert re.findall(r'[A-Z_]+\("([a-z_]+)"\)', enum) == listed
    swift = (REPO / "ios_app/Sources/BenchCore/Result.swift").read_text()
    body = swift[swift.index("public enum Status") :].split("}", 1)[0]
    cases = [m[1] or m[0] for m in re.findall(r'case (\w+)(?: = "(\w+)")?', body)]
    assert cases == listed


# ---- the host's sources -------------------------------------------------------------------------


@cache
def _host_trees() -> tuple[tuple[str, ast.Module], ...]:
    return tuple(
        (str(p.relative_to(REPO)), ast.parse(p.read_text()))
        for p in sorted((REPO / "benchctl").rglob("*.py"))
    )


@cache
def _python_code_literals() -> list[tuple[str, int, str, str | None]]:
    """(file, line, code, status or None) for every error code the host's sources write or test:
    RunFailure(status, code), Failure(code, …, status=), code=/fault=/error_code= arguments,
    {"code": …} and `….error_code = …` assignments, comparisons with a `code`, a `code`
    parameter's default."""
    out: list[tuple[str, int, str, str | None]] = []

    def const(node: ast.AST) -> str | None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        return None

    for rel, tree in _host_trees():
        for node in ast.walk(tree):
            found: list[tuple[str | None, str | None]] = []
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", getattr(node.func, "attr", ""))
                status = next((const(k.value) for k in node.keywords if k.arg == "status"), None)
                if name == "RunFailure" and len(node.args) >= 2:
                    found.append((const(node.args[1]), const(node.args[0])))
                if name == "Failure" and node.args:  # collect.Failure(code, message, status=)
                    found.append((const(node.args[0]), status))
                found += [
                    (const(k.value), status)
                    for k in node.keywords
                    if k.arg in ("code", "fault", "error_code")
                ]
            elif isinstance(node, ast.Dict):
                found += [
                    (const(v), None)
                    for k, v in zip(node.keys, node.values, strict=True)
                    if k is not None and const(k) in ("code", "error_code")
                ]
            elif isinstance(node, ast.Assign):
                for target in node.targets:
                    pairs = (
                        zip(target.elts, node.value.elts, strict=False)
                        if isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple)
                        else [(target, node.value)]
                    )
                    found += [
                        (const(v), None)
                        for t, v in pairs
                        if getattr(t, "attr", getattr(t, "id", "")) == "error_code"
                    ]
            elif isinstance(node, ast.Compare):
                left = getattr(node.left, "id", getattr(node.left, "attr", ""))
                if left in ("code", "error_code"):
                    found += [(const(c), None) for c in node.comparators]
            elif isinstance(node, ast.arguments):
                args = node.args[len(node.args) - len(node.defaults) :]
                found += [
                    (const(d), None)
                    for a, d in zip(args, node.defaults, strict=True)
                    if a.arg == "code"
                ]
            out += [
                (rel, getattr(node, "lineno", 0), code, status)
                for code, status in found
                if code and UPPER_SNAKE.match(code)
            ]
    return out


def test_the_scan_finds_the_hosts_codes():
    found = {code for _, _, code, _ in _python_code_literals()}
    # one per kind of place the scan looks: RunFailure, Failure, code=, {"code"}, error_code =,
    # fault=
    assert {
        "INVALID_SPEC",
        "LOW_BATTERY",
        "RUNNER_CRASHED",
        "RUNNER_TIMEOUT",
        "WORKER_EXCEPTION",
    } <= found


def test_the_host_writes_only_listed_codes_with_their_statuses():
    listed = codes.error_codes()
    unknown = [f"{f}:{n} {c}" for f, n, c, _ in _python_code_literals() if c not in listed]
    assert unknown == []
    wrong = [
        f"{f}:{n} {c} with {s} (listed: {listed[c].statuses})"
        for f, n, c, s in _python_code_literals()
        if s is not None
        and s not in listed[c].statuses
        # a row only the host writes may carry the host's own status (keep.HOST_STATUSES)
        and not (s in HOST_STATUSES and "host" in listed[c].written_by)
    ]
    assert wrong == []


def test_the_host_writes_only_listed_warnings():
    warnings = set(codes.warnings())
    assert set(validity.HOST_WARNINGS) <= warnings
    kebab = [
        f"{rel}: {n.value}"
        for rel, tree in _host_trees()
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and UPPER_KEBAB.match(n.value)
    ]
    assert kebab and [k for k in kebab if k.split(": ")[1] not in warnings] == []
    appended = [
        n.args[0].value
        for _, tree in _host_trees()
        for n in ast.walk(tree)
        if isinstance(n, ast.Call)
        and getattr(n.func, "attr", "") == "append"
        and getattr(n.func.value, "id", "") == "warnings"
        and n.args
        and isinstance(n.args[0], ast.Constant)
    ]
    assert "DRIFT" in appended and set(appended) <= warnings


def test_docs_and_tests_name_no_former_code():
    """A retired name appears only where it is defined as former (the schema, the generated
    files' comments, this test) or retired in a doc ("OLD → NEW")."""
    former = {o for c in codes.error_codes().values() for o in c.formerly}
    here = Path(__file__).resolve()
    hits = []
    for root in ("benchctl", "tests", "docs", "android_app", "ios_app"):
        for p in (REPO / root).rglob("*"):
            if p.suffix not in (".py", ".md", ".kt", ".swift") or p.resolve() == here:
                continue
            if p.stem == "ErrorCodes":  # generated: documents the former names
                continue
            if {".tools", "build", ".build"} & set(p.parts):
                continue
            text = p.read_text(errors="replace")
            # allowed only where a doc retires it: "OLD (…) → NEW"
            hits += [
                f"{p.relative_to(REPO)}: {o}"
                for o in former
                if re.search(rf"\b{o}\b(?![^\n]{{0,20}}→)", text)
            ]
    assert hits == []


def test_the_python_runner_names_an_unreadable_spec_as_the_apps_do(tmp_path):
    from benchctl.runner.run import run_spec_file

    spec = tmp_path / "spec.json"
    spec.mkdir()  # there, but not a file anyone can read
    result = run_spec_file(spec)
    assert (result["status"], result["error"]["code"]) == ("error", "SPEC_UNREADABLE")
    contract.validate("result", result)
    assert json.loads((tmp_path / "result.json").read_text())["error"]["code"] == "SPEC_UNREADABLE"
