"""A shipped test kit for contract documents: copy a document with one field changed or removed,
so every test that checks what a reader refuses (ours, the apps', a third party's runner) writes
its broken documents the same way."""

from __future__ import annotations

import copy
from typing import Any

DELETE = object()  # pass as the value to remove the field instead of setting it


def with_field(doc: Any, path: str, value: Any) -> Any:
    """A deep copy of `doc` with the dotted `path` (list indices as numbers) set to `value`."""
    doc = copy.deepcopy(doc)
    *parents, last = path.split(".")
    node = doc
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    if value is DELETE:
        del node[int(last) if isinstance(node, list) else last]
    elif isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    return doc
