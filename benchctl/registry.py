"""A small typed name → object registry shared by models, runtimes, converters and transports.

Lookups of unknown names raise `UnknownNameError` with close matches; nothing is ever silently
substituted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

from benchctl.errors import DuplicateRegistrationError, UnknownNameError

T = TypeVar("T")


class Registry(Generic[T]):
    """Objects of one kind, keyed by a unique lowercase name."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._items: dict[str, T] = {}

    def add(self, name: str, obj: T, *, replace: bool = False) -> T:
        if name in self._items and not replace:
            raise DuplicateRegistrationError(f"{self.kind} {name!r} is already registered")
        self._items[name] = obj
        return obj

    def register(self, name: str, *, replace: bool = False) -> Callable[[T], T]:
        """Decorator form of `add`."""

        def deco(obj: T) -> T:
            return self.add(name, obj, replace=replace)

        return deco

    def remove(self, name: str) -> None:
        self._items.pop(name, None)

    def get(self, name: str) -> T:
        try:
            return self._items[name]
        except KeyError:
            raise UnknownNameError(self.kind, name, self._items) from None

    def get_or_none(self, name: str) -> T | None:
        return self._items.get(name)

    def names(self) -> list[str]:
        return sorted(self._items)

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def __len__(self) -> int:
        return len(self._items)
