"""The artifact cache, keyed by content: model name + build arguments + architecture source hash +
exporter name/version/options. A hit skips building and exporting altogether.

Layout: `<home>/artifacts/<key>/` holding the artifact file and `artifact.json` (its metadata).
An entry is written in a temporary folder and renamed into place, so a killed export never
leaves a half-written entry behind; a file whose sha256 no longer matches is rebuilt.

An entry is trusted only when it is what it claims: `artifact.json` carries a `seal`, an
HMAC-SHA256 over its whole metadata (the file's sha256, its parity result, its provenance) under a
key kept in the user's config folder (`cache.key`, 0600), not in the cache. A tampered pair -- the
model file and its recorded sha256 both changed -- no longer verifies, and neither does an entry
from before seals; both are rebuilt, and `last_rejection` says why (the run prints it).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import shutil
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from benchctl.harness import leftovers
from benchctl.runner import contract
from benchctl.runner.digest import content_sha256

META = "artifact.json"
SEAL = "seal"
KEY_FILE = "cache.key"


def _seal_key() -> bytes:
    """This user's cache key (created 0600 on first use, beside devices.toml)."""
    from benchctl.harness.devices import user_inventory_path

    path = user_inventory_path().parent / KEY_FILE
    try:
        return bytes.fromhex(path.read_text().strip())
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first
            return bytes.fromhex(path.read_text().strip())
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32) + "\n")
        return bytes.fromhex(path.read_text().strip())


def seal(meta: dict[str, Any]) -> str:
    """HMAC-SHA256 of the metadata (all of it but the seal), canonical JSON."""
    body = {k: v for k, v in meta.items() if k != SEAL}
    blob = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str).encode()
    return hmac.new(_seal_key(), blob, hashlib.sha256).hexdigest()


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
    rebuilt_because: str | None = field(default=None, compare=False)  # a refused cache entry

    def to_json(self) -> dict[str, Any]:
        doc = asdict(self)
        doc["path"] = self.path.name
        doc.pop("reused")
        doc.pop("rebuilt_because")
        return doc


def cache_key(parts: dict[str, Any]) -> str:
    """sha256 of the canonical JSON of everything that decides the artifact's bytes."""
    blob = json.dumps(parts, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


class ArtifactCache:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.last_rejection: str | None = None  # why the last lookup refused an entry

    def lookup(self, key: str) -> Artifact | None:
        entry = self.root / key
        meta_path = entry / META
        if not meta_path.is_file():
            return None
        self.last_rejection = None
        try:
            meta = contract.read(meta_path)
            path = entry / meta["path"]
            claimed = meta.pop(SEAL, None)
            if claimed is None or not hmac.compare_digest(str(claimed), seal(meta)):
                self._reject(entry, "its metadata is not sealed by this user's cache key")
                return None
            if not path.exists():
                self._reject(entry, f"{path.name} is missing")
                return None
            if content_sha256(path) != meta["sha256"]:
                self._reject(entry, f"{path.name} no longer has its recorded sha256")
                return None
            meta["path"] = path
            return Artifact(**meta, reused=True)
        except (OSError, KeyError, TypeError, ValueError) as exc:
            self._reject(entry, f"its metadata is unreadable ({type(exc).__name__})")
            return None

    def _reject(self, entry: Path, why: str) -> None:
        """An entry not trusted: rebuilt, and the reason kept for the caller to say."""
        self.last_rejection = f"cached entry {entry.name[:12]} rebuilt: {why}"
        return None

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
        meta = artifact.to_json()
        meta[SEAL] = seal(meta)
        contract.write_atomic(staging / META, meta)
        final = self.root / artifact.cache_key
        leftovers.release(staging)
        if final.exists():
            shutil.rmtree(final)
        os.replace(staging, final)
        artifact.path = final / artifact.path.name
        return artifact
