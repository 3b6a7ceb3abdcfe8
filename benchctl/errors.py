"""One error hierarchy for the whole package.

Every expected failure raises a `BenchError` subclass whose message is one line that says what to
do next; the CLI turns it into that line and an exit code instead of a traceback.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class BenchError(Exception):
    """Root of every error benchctl raises on purpose."""

    exit_code = 1


class ConfigError(BenchError, ValueError):
    """The user asked for something that cannot be done as asked."""

    exit_code = 2


class UnknownNameError(ConfigError, KeyError):
    """A name (model, device, runtime…) that no registry knows; carries close matches."""

    def __init__(self, kind: str, name: str, known: Iterable[str]) -> None:
        self.kind = kind
        self.name = name
        self.known = sorted(known)
        self.suggestions = difflib.get_close_matches(name, self.known, n=5, cutoff=0.5)
        if self.suggestions:
            hint = "did you mean: " + ", ".join(self.suggestions) + "?"
        else:
            shown = ", ".join(self.known[:12]) + (" …" if len(self.known) > 12 else "")
            hint = f"known: {shown}"
        super().__init__(f"unknown {kind} {name!r}; {hint}")

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return str(self.args[0])


class DuplicateRegistrationError(BenchError):
    """Two things registered under one name."""


class DependencyMissingError(BenchError):
    """An optional library is not installed; the message names the package or extra to add."""

    exit_code = 2


class ConversionError(BenchError):
    """A converter failed; the run becomes a status row carrying this message."""


class TransportError(BenchError):
    """Moving bytes or starting a process on a device failed."""


class RunnerError(BenchError):
    """The runner ended without a usable result document."""

    def __init__(self, message: str, code: str = "RUNNER_FAILED") -> None:
        super().__init__(message)
        self.code = code


class ContractError(BenchError):
    """A spec/result/capabilities document does not satisfy its JSON Schema or its invariants."""


class SchemaVersionError(BenchError):
    """The results database is not at the revision this code expects."""

    exit_code = 2
