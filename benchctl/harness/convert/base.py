"""What every converter module provides, and what it returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from benchctl.harness.build import BuiltModel
from benchctl.harness.convert.targets import Target


@dataclass
class Converted:
    path: Path  # the artifact: a file, or a folder (.mlpackage)
    parity: dict[str, Any] | None  # compare() output, or {"passed": None, "reason": …}
    inputs: list[dict[str, Any]]  # [{name, shape, dtype}] as the runtime will see them
    notes: dict[str, Any] = field(default_factory=dict)  # converter report (e.g. EdgeTPU mapping)


class Converter(Protocol):
    EXPORTER: str

    def exporter_version(self) -> str: ...

    def options(self, target: Target) -> dict[str, Any]: ...

    def convert(
        self, built: BuiltModel, target: Target, out_dir: Path, calibration: list[Any] | None = None
    ) -> Converted: ...
