"""One error hierarchy for the whole package.

Every expected failure raises a `BenchError` subclass whose message is one line that says what to
do next; the CLI turns it into that line and an exit code instead of a traceback.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class BenchError(Exception):
    """Root of every error benchctl raises on purpose.

    `code` names the kind of failure in `--json` error documents (`{"error": {"code", "message",
    "hint"}}`); `hint`, when given, is the next step, printed after the message on the same line.
    """

    exit_code = 1
    code = "failed"

    def __init__(self, *args: object, hint: str | None = None) -> None:
        super().__init__(*args)
        self.hint = hint


class ConfigError(BenchError, ValueError):
    """The user asked for something that cannot be done as asked."""

    exit_code = 2
    code = "bad_input"


class UnknownNameError(ConfigError, KeyError):
    """A name (model, device, runtime…) that no registry knows; carries close matches."""

    code = "unknown_name"

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
    code = "dependency_missing"


class ConversionError(BenchError):
    """A converter failed; the run becomes a status row carrying this message."""

    code = "conversion_failed"


class TransportError(BenchError):
    """Moving bytes or starting a process on a device failed."""

    code = "transport_failed"


class RunnerError(BenchError):
    """The runner ended without a usable result document."""

    def __init__(self, message: str, code: str = "RUNNER_FAILED") -> None:
        super().__init__(message)
        self.code = code  # the result contract's error code (RUNNER_BROKEN, UNKNOWN_BACKEND…)


class ContractError(BenchError):
    """A spec/result/capabilities document does not satisfy its JSON Schema or its invariants."""

    code = "contract_violation"


class SchemaVersionError(BenchError):
    """The results database is not at the revision this code expects."""

    exit_code = 2
    code = "schema_version"


class StoreUnavailableError(BenchError):
    """The results database refused a write (deleted or replaced, disk full, locked, gone)."""

    code = "store_unavailable"


class NotStoredError(BenchError):
    """A finished run could not be stored; its record is kept on disk and the message says the
    command that stores it later (`benchctl results import PATH`)."""

    code = "not_stored"

    def __init__(self, message: str, *, run_id: str, kept: str | None, hint: str | None) -> None:
        super().__init__(message, hint=hint)
        self.run_id = run_id
        self.kept = kept


class Interrupted(BenchError):
    """Ctrl-C during a command that says what it stopped and what it kept (exit 130)."""

    exit_code = 130
    code = "interrupted"
