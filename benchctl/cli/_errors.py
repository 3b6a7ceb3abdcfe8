"""Failures benchctl did not raise on purpose, as one line each (the CLI's last resort).

A full disk, a read-only folder or a database driver's error is said in the operating system's
or the driver's own words, with the path; anything else is a bug, said as one line with the way
to see the traceback (`BENCHCTL_DEBUG=1`).
"""

from __future__ import annotations

import errno

_OS_HINTS = {
    errno.ENOSPC: "free some space (or point BENCHCTL_HOME / --db elsewhere) and run again",
    errno.EROFS: "that file system is read-only; point BENCHCTL_HOME / --db at a writable folder",
    errno.EACCES: "check the permissions of that path, or point BENCHCTL_HOME / --db elsewhere",
    errno.EDQUOT: "the disk quota is used up; free some space and run again",
}


def unexpected(exc: BaseException) -> tuple[str, str, str | None, int]:
    """(code, message, hint, exit code) for an exception no benchctl code turned into a line."""
    if isinstance(exc, OSError):
        where = f": {exc.filename}" if exc.filename else ""
        reason = exc.strerror or str(exc) or type(exc).__name__
        return "os_error", f"{reason}{where}", _OS_HINTS.get(exc.errno or 0), 1
    try:
        from sqlalchemy.exc import SQLAlchemyError
    except ImportError:  # pragma: no cover - sqlalchemy is a dependency
        SQLAlchemyError = ()  # type: ignore[assignment,misc]  # noqa: N806
    if isinstance(exc, SQLAlchemyError):
        orig = getattr(exc, "orig", None) or exc
        first = (str(orig).strip().splitlines() or [type(orig).__name__])[0][:300]
        return "database_error", f"the results database failed: {first}", "check --db", 1
    text = (str(exc).strip().splitlines() or [""])[0][:300]
    return (
        "internal_error",
        f"benchctl failed unexpectedly ({type(exc).__name__}: {text})",
        "run again with BENCHCTL_DEBUG=1 to see the traceback, and report it",
        1,
    )
