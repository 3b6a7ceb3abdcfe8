"""Content hashes of artifacts: a file, or a folder such as a Core ML `.mlpackage`.

A folder's hash covers every file's relative path and bytes in sorted order, so the same package
copied anywhere hashes the same. Standard library only: runners on devices use it too.
"""

from __future__ import annotations

import hashlib
from pathlib import Path


def content_sha256(path: Path | str) -> str:
    """`sha256:<hex>` of a file's bytes, or of a folder's files (paths and bytes)."""
    path = Path(path)
    h = hashlib.sha256()
    if path.is_dir():
        for f in sorted(p for p in path.rglob("*") if p.is_file()):
            rel = f.relative_to(path).as_posix().encode()
            h.update(len(rel).to_bytes(4, "big") + rel)
            h.update(f.stat().st_size.to_bytes(8, "big"))
            _feed(h, f)
    else:
        _feed(h, path)
    return "sha256:" + h.hexdigest()


def content_size(path: Path | str) -> int:
    path = Path(path)
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return path.stat().st_size


def _feed(h: hashlib._Hash, path: Path) -> None:
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
