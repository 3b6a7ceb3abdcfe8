"""The artifact cache, keyed by content: model name + build arguments + architecture source hash +
exporter name/version/options. A hit skips building and exporting altogether.

Layout: `<home>/artifacts/<key>/` holding the artifact file and `artifact.json` (its metadata).
An entry is written in a temporary folder and renamed into place, so a killed export never
leaves a half-written entry behind; a file whose sha256 no longer matches is rebuilt.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from benchctl.harness import contract, leftovers
from benchctl.harness.digest import content_sha256

META = "artifact.json"


@dataclass
class Artifact:
    """A converted model file plus everything needed to reproduce it."""

    path: Path
    format: str  # onnx, tflite, mlpackage, engine…
    sha256: str
    size_bytes: int
    cache_key: str
    model_name: str
    source_hash: str
    exporter: str
    exporter_version: str
    options: dict[str, Any]
    inputs: list[dict[str, Any]]  # [{name, shape, dtype}] as the runtime will see them
    parity: dict[str, Any] | None = None
    created_at: str = ""
    reused: bool = field(default=False, compare=False)

    def to_json(self) -> dict[str, Any]:
        doc = asdict(self)
        doc["path"] = self.path.name
        doc.pop("reused")
        return doc


def cache_key(parts: dict[str, Any]) -> str:
    """sha256 of the canonical JSON of everything that decides the artifact's bytes."""
    blob = json.dumps(parts, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


class ArtifactCache:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def lookup(self, key: str) -> Artifact | None:
        entry = self.root / key
        meta_path = entry / META
        if not meta_path.is_file():
            return None
        try:
            meta = contract.read(meta_path)
            path = entry / meta["path"]
            if not path.exists() or content_sha256(path) != meta["sha256"]:
                return None
            meta["path"] = path
            return Artifact(**meta, reused=True)
        except (OSError, KeyError, TypeError, ValueError):
            return None  # an unreadable entry is rebuilt, never trusted

    def find(self, sha256: str) -> Artifact | None:
        """The cached artifact with this content hash, whatever key built it (to re-run exactly
        the artifact a stored run used)."""
        if not self.root.is_dir():
            return None
        for meta_path in sorted(self.root.glob(f"*/{META}")):
            try:
                if contract.read(meta_path).get("sha256") != sha256:
                    continue
            except (OSError, ValueError):
                continue  # an unreadable entry is not this artifact
            return self.lookup(meta_path.parent.name)
        return None

    def staging(self) -> Path:
        self.root.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=self.root))
        leftovers.claim(staging)  # in use: the next run's clean-up leaves it alone
        return staging

    def commit(self, staging: Path, artifact: Artifact) -> Artifact:
        """Move a finished staging folder into place under the artifact's key."""
        contract.write_atomic(staging / META, artifact.to_json())
        final = self.root / artifact.cache_key
        leftovers.release(staging)
        if final.exists():
            shutil.rmtree(final)
        os.replace(staging, final)
        artifact.path = final / artifact.path.name
        return artifact
