"""A small typed name → object registry shared by models, conversion targets, runtimes, runner
backends and device transports.

Lookups of unknown names raise `UnknownNameError` with close matches; nothing is ever silently
substituted. A registry that belongs to a plugin group (`benchctl/plugins.py`) fills itself the
first time it is used: benchctl's own entries and every installed package's entry points of the
group, through the same hook. Importing a registry therefore costs nothing, and a plugin that
fails to load is reported once and skipped (`problems`), never a crash of an unrelated command.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from benchctl.errors import DuplicateRegistrationError, UnknownNameError

if TYPE_CHECKING:
    from benchctl.plugins import PluginProblem

T = TypeVar("T")


class Registry(Generic[T]):
    """Objects of one kind, keyed by a unique lowercase name.

    `group`: the entry-point group that fills it on first use. `entry_type`: what every entry must
    be (a plugin registering anything else is refused with its name). `check`: a further test of
    each entry (e.g. that a runtime's conversion target exists), run when it is added.
    """

    def __init__(
        self,
        kind: str,
        *,
        group: str | None = None,
        entry_type: type[Any] | None = None,
        check: Callable[[T], None] | None = None,
    ) -> None:
        self.kind = kind
        self.group = group
        self.entry_type = entry_type
        self.check = check
        self.problems: list[PluginProblem] = []
        self._items: dict[str, T] = {}
        self._lock = threading.RLock()
        self._loaded = group is None
        self._loading = False

    def _load(self) -> None:
        """Fill the registry from its group, once. Other threads wait for the first load; a
        re-entrant call (an entry module registering while it is imported) goes straight on."""
        if self._loaded:
            return
        with self._lock:
            if self._loaded or self._loading:
                return
            self._loading = True
            try:
                from benchctl import plugins

                plugins.load_group(self)
            finally:
                self._loading = False
                self._loaded = True

    def add(self, name: str, obj: T, *, replace: bool = False) -> T:
        self._load()
        if self.entry_type is not None and not isinstance(obj, self.entry_type):
            raise TypeError(
                f"{self.kind} {name!r} is a {type(obj).__name__}, not a {self.entry_type.__name__}"
            )
        if name in self._items and not replace:
            raise DuplicateRegistrationError(f"{self.kind} {name!r} is already registered")
        if self.check is not None:
            self.check(obj)
        self._items[name] = obj
        return obj

    def register(self, name: str, *, replace: bool = False) -> Callable[[T], T]:
        """Decorator form of `add`."""

        def deco(obj: T) -> T:
            return self.add(name, obj, replace=replace)

        return deco

    def remove(self, name: str) -> None:
        self._load()
        self._items.pop(name, None)

    def get(self, name: str) -> T:
        self._load()
        try:
            return self._items[name]
        except KeyError:
            exc = UnknownNameError(self.kind, name, self._items)
            if self.problems:  # the name may be what a broken plugin would have added
                exc.hint = "; ".join(p.line() for p in self.problems)
            raise exc from None

    def get_or_none(self, name: str) -> T | None:
        self._load()
        return self._items.get(name)

    def names(self) -> list[str]:
        self._load()
        return sorted(self._items)

    def __contains__(self, name: object) -> bool:
        self._load()
        return name in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def __len__(self) -> int:
        self._load()
        return len(self._items)
