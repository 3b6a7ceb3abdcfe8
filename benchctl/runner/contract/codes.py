"""The run vocabulary — statuses, error codes and warnings — read from the contract schema.

One list, `$defs` of result.schema.json, is the only place a code is defined: this module reads
it for the host and the lab, and scripts/gen_codes.py writes the Kotlin and Swift constants from
it (tests/harness/test_codes.py fails when those are stale or a source uses a name not listed).
A code renamed keeps its old name in `x-formerly`, so a result from an older app build is read
as the current name (`canonical`); a name not listed at all is kept as written and read as a plain
error of its status, because readers ignore what they do not know.

Standard library only: this runs on devices too.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from benchctl.runner.contract import schema


@dataclass(frozen=True)
class Code:
    """One entry of the vocabulary."""

    name: str
    description: str
    statuses: tuple[str, ...] = ()  # the run statuses it comes with (error codes only)
    written_by: tuple[str, ...] = ()  # python, android, ios (runners), host, lab
    device_fault: bool = False  # the lab counts it against the device (error codes only)
    formerly: tuple[str, ...] = ()  # older names, read as this one


def _entries(kind: str) -> tuple[Code, ...]:
    return tuple(
        Code(
            name=e["const"],
            description=e["description"],
            statuses=tuple(e.get("x-status", ())),
            written_by=tuple(e.get("x-from", ())),
            device_fault=bool(e.get("x-device-fault", False)),
            formerly=tuple(e.get("x-formerly", ())),
        )
        for e in schema("result")["$defs"][kind]["oneOf"]
    )


@cache
def statuses() -> tuple[Code, ...]:
    return _entries("status")


@cache
def error_codes() -> dict[str, Code]:
    return {c.name: c for c in _entries("error_code")}


@cache
def warnings() -> dict[str, Code]:
    return {c.name: c for c in _entries("warning")}


@cache
def _aliases() -> dict[str, str]:
    return {old: c.name for c in error_codes().values() for old in c.formerly}


def canonical(code: str | None) -> str | None:
    """The current name of `code`: an old name (an older app build's) becomes the one listed
    now; any other code, known or not, is returned unchanged."""
    if code is None:
        return None
    return _aliases().get(code, code)


@cache
def device_faults() -> frozenset[str]:
    """The codes the lab counts against a device (its transport, its runner, its worker)."""
    return frozenset(c.name for c in error_codes().values() if c.device_fault)
