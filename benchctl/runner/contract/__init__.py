"""The JSON contract between the host and every runner (Python, Kotlin, Swift).

Three versioned documents — `benchctl.spec`, `benchctl.result`, `benchctl.capabilities` — are
defined once as JSON Schema files beside this module; the golden examples in `examples/` are
checked by the Python tests and by the apps' own tests. Readers ignore unknown fields; adding an
optional field keeps the version, renaming or changing a meaning bumps it.

This module needs only the standard library and `jsonschema`, because it runs on devices too.
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any, Literal

from jsonschema import Draft202012Validator, FormatChecker

CONTRACT_VERSION = 1
SUPPORTED_VERSIONS = (1,)
HERE = Path(__file__).resolve().parent
EXAMPLES = HERE / "examples"
# 64 MiB: about six million samples; a larger document is refused unread.
MAX_DOCUMENT_BYTES = 64 * 1024 * 1024

Kind = Literal["spec", "result", "capabilities"]


class ContractViolation(ValueError):
    """A document that does not satisfy its schema; the message names the first bad field."""


@cache
def schema(kind: Kind) -> dict[str, Any]:
    return json.loads((HERE / f"{kind}.schema.json").read_text())


@cache
def _validator(kind: Kind) -> Draft202012Validator:
    return Draft202012Validator(schema(kind), format_checker=FormatChecker())


def validate(kind: Kind, doc: Any) -> None:
    """Raise ContractViolation unless `doc` is a valid `benchctl.<kind>` document."""
    errors = sorted(_validator(kind).iter_errors(doc), key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        where = "/".join(str(p) for p in first.absolute_path) or "(document)"
        more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
        raise ContractViolation(f"benchctl.{kind} invalid at {where}: {first.message[:300]}{more}")


def read(path: Path | str) -> Any:
    """Parse a JSON document, rejecting NaN/Infinity, which JSON itself does not allow, and any
    file over MAX_DOCUMENT_BYTES (never read further: a hostile runner cannot fill memory)."""

    def no_constants(name: str) -> Any:
        raise ContractViolation(f"{path}: {name} is not valid JSON")

    with open(path, "rb") as f:
        data = f.read(MAX_DOCUMENT_BYTES + 1)
    if len(data) > MAX_DOCUMENT_BYTES:
        raise ContractViolation(f"{path}: over {MAX_DOCUMENT_BYTES} bytes; not a benchctl document")
    return json.loads(data.decode("utf-8"), parse_constant=no_constants)


def write_atomic(path: Path | str, doc: Any) -> None:
    """Write JSON so a reader sees the whole document or nothing (tmp + fsync + rename)."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(doc, f, allow_nan=False, separators=(",", ":"))
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
