"""Plugins: how models, conversion targets, runtimes, runner backends and device transports get
into their registries — benchctl's own exactly as a third-party package's.

Five entry-point groups (`importlib.metadata`), one per registry and entry type:

    benchctl.models      ModelSpec        benchctl.models.MODELS
    benchctl.targets     Target           benchctl.harness.convert.targets.TARGETS
    benchctl.runtimes    Runtime          benchctl.harness.runtimes.RUNTIMES
    benchctl.backends    BackendEntry     benchctl.runner.backends.BACKENDS
    benchctl.transports  TransportKind    benchctl.harness.transports.KINDS

The one hook: an entry point names either one entry (an instance of the group's type, added under
its `name`) or a function `register(registry)` that adds several. A package declares them in its
pyproject.toml, e.g. `[project.entry-points."benchctl.runtimes"] mine = "mypkg.bench:register"`.

benchctl's own entries are the entry points in `BUILTIN`, loaded first, through the same function
(they live here rather than in benchctl's pyproject so an editable install sees a new one without
reinstalling). A group is loaded the first time its registry is read, never at import, so
`benchctl --help` stays instant and registering imports no torch. A built-in that fails is a bug
of benchctl and raises; a plugin that fails (import error, wrong type, duplicate or invalid entry)
is skipped with one line on stderr naming it, its distribution and its group, and whatever it had
added is taken out again. Commands that do not read that group never notice. `BENCHCTL_DEBUG=1`
raises instead.
"""

from __future__ import annotations

import importlib.metadata
import os
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from benchctl.registry import Registry

GROUPS = (
    "benchctl.models",
    "benchctl.targets",
    "benchctl.runtimes",
    "benchctl.backends",
    "benchctl.transports",
)

# benchctl's own entry points, in the syntax of an entry_points.txt line: name = module:attr.
BUILTIN: dict[str, tuple[str, ...]] = {
    "benchctl.models": ("zoo = benchctl.models:register_zoo",),
    "benchctl.targets": ("benchctl = benchctl.harness.convert.targets:register_builtin",),
    "benchctl.runtimes": ("benchctl = benchctl.harness.runtimes:register_builtin",),
    "benchctl.backends": ("benchctl = benchctl.runner.backends:register_builtin",),
    "benchctl.transports": (
        "local = benchctl.harness.transports.local:KIND",
        "ssh = benchctl.harness.transports.ssh:KIND",
        "adb = benchctl.harness.transports.adb:KIND",
        "ios = benchctl.harness.transports.ios:KIND",
    ),
}


@dataclass(frozen=True)
class PluginProblem:
    """A plugin that could not be loaded: which one, from where, and why (one line)."""

    group: str
    name: str
    source: str  # "distribution version", or the entry point's value when it has none
    error: str

    def line(self) -> str:
        return (
            f"plugin {self.name!r} from {self.source} (entry point group {self.group}) "
            f"failed to load and is skipped: {self.error}"
        )


_problems: list[PluginProblem] = []


def problems() -> list[PluginProblem]:
    """Every plugin skipped so far in this process (of the groups loaded so far)."""
    return list(_problems)


def builtin_entry_points(group: str) -> list[importlib.metadata.EntryPoint]:
    out = []
    for line in BUILTIN.get(group, ()):
        name, _, value = (part.strip() for part in line.partition("="))
        out.append(importlib.metadata.EntryPoint(name=name, value=value, group=group))
    return out


def installed_entry_points(group: str) -> list[importlib.metadata.EntryPoint]:
    """The group's entry points of every installed distribution, in a stable order."""
    found = importlib.metadata.entry_points(group=group)
    return sorted(found, key=lambda ep: (_source(ep), ep.name))


def load_group(registry: Registry[Any]) -> None:
    """Fill `registry` from its group: built-ins first (a failure raises), then plugins."""
    group = registry.group
    assert group is not None
    for ep in builtin_entry_points(group):
        apply(registry, ep.load())
    for ep in installed_entry_points(group):
        before = set(registry.names())
        try:
            apply(registry, ep.load())
        except Exception as exc:
            if os.environ.get("BENCHCTL_DEBUG"):
                raise
            for name in set(registry.names()) - before:  # nothing half-registered stays
                registry.remove(name)
            message = " ".join(str(exc).split()) or "(no message)"
            problem = PluginProblem(group, ep.name, _source(ep), f"{type(exc).__name__}: {message}")
            registry.problems.append(problem)
            _problems.append(problem)
            sys.stderr.write(f"warning: {problem.line()}\n")


def apply(registry: Registry[Any], obj: Any) -> None:
    """The hook: `obj` is one entry of the registry's type, or `register(registry)`."""
    if registry.entry_type is not None and isinstance(obj, registry.entry_type):
        registry.add(cast(Any, obj).name, obj)  # every entry type has a name
    elif callable(obj) and not isinstance(obj, type):
        obj(registry)
    else:
        wanted = registry.entry_type.__name__ if registry.entry_type else "an entry"
        raise TypeError(
            f"names a {type(obj).__name__}; a {registry.group} entry point names a {wanted} "
            "or a function register(registry)"
        )


def _source(ep: importlib.metadata.EntryPoint) -> str:
    dist = getattr(ep, "dist", None)
    if dist is None:
        return ep.value
    return f"{dist.name} {dist.version}"
