"""Full-integer LiteRT → Edge TPU with Coral's `edgetpu_compiler`, and its report parsed.

The compiler maps what it can to the Edge TPU and leaves the rest on the CPU; how many operations
landed where is the most important fact about an Edge TPU artifact, so it is kept with it.
The compiler is an x86-64 Linux binary from Coral's apt repository; when it is missing the
conversion fails with the install steps (a status row in a sweep, never a crash).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

from benchctl.errors import ConversionError
from benchctl.harness.build import BuiltModel
from benchctl.harness.convert import tflite
from benchctl.harness.convert.base import Converted
from benchctl.harness.convert.targets import Target

EXPORTER = "edgetpu_compiler"
# Other modules whose code shapes the artifact: it compiles tflite's full-integer output.
CODE_DEPENDS = ("benchctl.harness.convert.tflite",)
COMPILER = "edgetpu_compiler"
TIMEOUT_S = 600
INSTALL_HINT = (
    "edgetpu_compiler is not installed; on x86-64 Debian/Ubuntu add Coral's apt repository "
    "(https://coral.ai/software/#debian-packages) and run: apt-get install edgetpu-compiler"
)


def compiler_version() -> str | None:
    exe = shutil.which(COMPILER)
    if exe is None:
        return None
    try:
        proc = subprocess.run(
            [exe, "--version"], capture_output=True, text=True, timeout=60, check=False
        )
    except (subprocess.TimeoutExpired, OSError) as exc:
        return f"unknown ({type(exc).__name__})"
    match = re.search(r"version\s+([\w.\-]+)", proc.stdout + proc.stderr)
    return match.group(1) if match else (proc.stdout.strip() or "unknown")


def exporter_version() -> str:
    return f"edgetpu_compiler=={compiler_version() or 'missing'};{tflite.exporter_version()}"


def options(target: Target) -> dict[str, Any]:
    return {**tflite.options(target), "compiler_flags": ["-s"]}


_FIELDS = {
    "ops_total": r"Total number of operations:\s*(\d+)",
    "ops_on_edgetpu": r"Number of operations that will run on Edge TPU:\s*(\d+)",
    "ops_on_cpu": r"Number of operations that will run on CPU:\s*(\d+)",
    "edgetpu_subgraphs": r"Number of Edge TPU subgraphs:\s*(\d+)",
}
_OP_ROW = re.compile(r"^(?P<op>[A-Z][A-Z0-9_]+)\s+(?P<count>\d+)\s+(?P<status>\S.*?)\s*$")


def parse_report(text: str) -> dict[str, Any]:
    """The numbers and per-operator table of an `edgetpu_compiler -s` log."""
    report: dict[str, Any] = {}
    for key, pattern in _FIELDS.items():
        match = re.search(pattern, text)
        report[key] = int(match.group(1)) if match else None
    if report["ops_on_edgetpu"] is None and report["ops_total"] is not None:
        # A fully mapped model omits the split lines: everything runs on the Edge TPU.
        if "not all operations are supported" not in text:
            report["ops_on_edgetpu"], report["ops_on_cpu"] = report["ops_total"], 0
    operators = []
    in_table = False
    for line in text.splitlines():
        if line.startswith("Operator") and "Status" in line:
            in_table = True
            continue
        if in_table:
            match = _OP_ROW.match(line.strip())
            if match:
                status = match.group("status")
                operators.append(
                    {
                        "op": match.group("op"),
                        "count": int(match.group("count")),
                        "status": status,
                        "mapped": status.startswith("Mapped to Edge TPU"),
                    }
                )
    report["operators"] = operators
    report["compiled"] = "Model compiled successfully" in text
    return report


PROFILER = "edgetpu_compiler -s (placement at compile time)"


def model_ops(path: Path) -> list[str]:
    """The op types of a `.tflite` model's primary subgraph, in graph order, read with the
    flatbuffer schema ai-edge-litert ships (no interpreter: an int8 model with custom ops need
    not load here). A custom op's type is its custom code, as LiteRT's interpreter names it."""
    from ai_edge_litert import schema_py_generated as schema

    names = {v: k for k, v in vars(schema.BuiltinOperator).items() if k.isupper()}
    model = schema.Model.GetRootAs(path.read_bytes(), 0)
    codes = []
    for i in range(model.OperatorCodesLength()):
        code = model.OperatorCodes(i)
        builtin = max(code.BuiltinCode(), code.DeprecatedBuiltinCode())  # schema_utils.cc's rule
        if builtin == schema.BuiltinOperator.CUSTOM:
            codes.append((code.CustomCode() or b"CUSTOM").decode())
        else:
            codes.append(names.get(builtin, f"BUILTIN_{builtin}"))
    graph = model.Subgraphs(0)
    return [codes[graph.Operators(i).OpcodeIndex()] for i in range(graph.OperatorsLength())]


def placement_profile(report: dict[str, Any], ops: list[str] | None) -> dict[str, Any]:
    """The compiler's mapped/unmapped operations as a result `profile` entry (placement only).

    The `-s` table counts operations per type and status, it names none, so an operator of the
    input model ([ops], its op types in graph order; named `<index>:<type>` as the host's LiteRT
    profiler names them) gets a unit only when every row of its type agrees: all mapped →
    `edgetpu`, none → `cpu`. A type split across statuses (e.g. ops left on the CPU after the
    first unsupported one) gets `None`, with the counts in the note: which ones were mapped the
    summary does not say. The compiler reports no time."""
    rows = report.get("operators") or []
    by_type: dict[str, set[bool]] = {}
    counted: dict[str, int] = {}
    for row in rows:
        by_type.setdefault(row["op"], set()).add(bool(row["mapped"]))
        counted[row["op"]] = counted.get(row["op"], 0) + int(row["count"])
    notes = [
        "placement only, from the compiler's summary: the Edge TPU compiler reports no "
        "per-operator time and counts operations per type without naming them"
    ]
    if ops is None:
        notes.append("the input model's operators could not be read: none listed")
        return {
            "profiler": PROFILER,
            "timed": False,
            "iterations": 0,
            "note": "; ".join(notes),
            "operators": [],
        }
    present: dict[str, int] = {}
    for op in ops:
        present[op] = present.get(op, 0) + 1
    mismatched = sorted(t for t in set(present) | set(counted) if present.get(t) != counted.get(t))
    if mismatched:
        notes.append(
            "the summary's counts differ from the model's for "
            + ", ".join(f"{t} ({counted.get(t, 0)} vs {present.get(t, 0)})" for t in mismatched)
        )
    split = []
    for t, statuses in sorted(by_type.items()):
        if len(statuses) > 1:
            mapped = sum(r["count"] for r in rows if r["op"] == t and r["mapped"])
            split.append(f"{t} ({mapped} of {counted[t]} mapped)")
    if split:
        notes.append("split across Edge TPU and CPU, unit unknown: " + ", ".join(split))
    operators = []
    for index, op in enumerate(ops):
        kinds = by_type.get(op)
        unit = None
        if kinds is not None and len(kinds) == 1 and op not in mismatched:
            unit = "edgetpu" if True in kinds else "cpu"
        operators.append(
            {"name": f"{index}:{op}", "op_type": op, "unit": unit, "time_ns": None, "calls": None}
        )
    result: dict[str, Any] = {
        "profiler": PROFILER,
        "timed": False,
        "iterations": 0,
        "note": "; ".join(notes),
        "operators": operators,
    }
    if report.get("edgetpu_subgraphs") == 1 and all(o["unit"] is not None for o in operators):
        # one Edge TPU subgraph and every operator placed: the partition is exactly the mapped ones
        mapped_names = [o["name"] for o in operators if o["unit"] == "edgetpu"]
        result["partitions"] = (
            [{"unit": "edgetpu", "operators": mapped_names}] if mapped_names else []
        )
    return result


def convert(
    built: BuiltModel, target: Target, out_dir: Path, calibration: list[Any] | None = None
) -> Converted:
    exe = shutil.which(COMPILER)
    if exe is None:
        raise ConversionError(INSTALL_HINT)
    quantized = tflite.convert(built, target, out_dir, calibration)
    try:
        proc = subprocess.run(
            [exe, "-s", "-o", str(out_dir), str(quantized.path)],
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise ConversionError(f"edgetpu_compiler did not finish within {TIMEOUT_S} s") from None
    report = parse_report(proc.stdout + proc.stderr)
    try:
        ops: list[str] | None = model_ops(quantized.path)
    except Exception:  # an unreadable input model costs the placement, never the conversion
        ops = None
    report["placement"] = placement_profile(report, ops)
    compiled = out_dir / "model_edgetpu.tflite"
    if proc.returncode != 0 or not compiled.is_file():
        raise ConversionError(
            f"edgetpu_compiler failed ({proc.returncode}): "
            f"{(proc.stdout + proc.stderr).strip()[-500:]}"
        )
    quantized.path.unlink()
    final = out_dir / "model.tflite"
    compiled.rename(final)
    parity = {
        "passed": None,
        "precision": target.precision,
        "reason": "an Edge TPU model runs only on an Edge TPU; the int8 CPU model's parity "
        f"was {quantized.parity}",
    }
    return Converted(final, parity, quantized.inputs, {"edgetpu": report})
