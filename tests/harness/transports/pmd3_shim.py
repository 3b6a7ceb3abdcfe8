"""pymobiledevice3's real CLI, with its device connection pointed at a test peer.

Run by pymobiledevice3's own interpreter (its virtual environment; never benchctl's):

    <venv>/bin/python pmd3_shim.py cli  apps push --udid U dev.benchctl.ios local remote
    <venv>/bin/python pmd3_shim.py argv '[["apps", "push", ...], ...]'

`cli`: everything is pymobiledevice3's own code (Typer parsing, the `--udid` dependency,
`HouseArrestService`, `AfcService` push/pull/rm, `ServiceConnection`) except the one function that
finds a device: `create_using_usbmux(serial=UDID)` returns a provider whose lockdown services
are TCP connections to the peer on 127.0.0.1:$BENCHCTL_TEST_AFC_PORT (afc_device.py). Only
house_arrest is served; any other service is refused as lockdownd refuses an unknown one. Without
`--udid` the CLI would go to usbmuxd, which does not exist here, so a missing `--udid` fails.

`argv`: parse each argv with the real CLI's parser (down the command groups to the leaf, each
level's `make_context`) without running it, and print per argv `{"ok", "error", "params",
"help"}` as JSON: `help` is the leaf's `--help` text, `params` the parameters it bound.

`serve`: the two modes above, once per JSON line on stdin (`{"argv": [mode, ...], "env": {...},
"timeout": s}`), each in a child forked from this interpreter after it imported pymobiledevice3
once: the child is what `python pmd3_shim.py <mode> ...` would be (same code, a fresh copy of the
process, its own environment, stdout and stderr), less the second or two of imports a new
interpreter pays on every call. One JSON line back per call: `{"returncode", "stdout", "stderr",
"timed_out"}`; a child past its timeout is killed, as `subprocess.run` kills one.

This file must not import benchctl: it runs in another environment.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys


def _patch_device() -> None:
    from pymobiledevice3.cli import cli_common
    from pymobiledevice3.exceptions import DeviceNotFoundError, InvalidServiceError
    from pymobiledevice3.lockdown_service_provider import LockdownServiceProvider
    from pymobiledevice3.service_connection import ServiceConnection

    port = int(os.environ["BENCHCTL_TEST_AFC_PORT"])
    udid = os.environ["BENCHCTL_TEST_UDID"]

    class PeerDevice(LockdownServiceProvider):
        def __init__(self) -> None:
            super().__init__()
            self.udid, self.product_type = udid, "iPhone13,2"

        @property
        def product_version(self) -> str:
            return "18.1"

        @property
        def product_build_version(self) -> str:
            return "22B83"

        @property
        def ecid(self) -> int:
            return 0x1A2B3C4D5E

        async def start_lockdown_service(self, name: str, include_escrow_bag: bool = False):
            if name not in (
                "com.apple.mobile.house_arrest",
                "com.apple.mobile.house_arrest.shim.remote",
            ):
                raise InvalidServiceError(name)
            return await ServiceConnection.create_using_tcp("127.0.0.1", port)

        async def close(self) -> None:
            return None

    async def create_using_usbmux(serial=None, **_kwargs):
        if serial != udid:
            raise DeviceNotFoundError(serial)
        return PeerDevice()

    cli_common.create_using_usbmux = create_using_usbmux


def _leaf(root, argv: list[str]):
    """Parse `argv` down the groups with the real parser; (leaf command, its context)."""
    ctx = root.make_context("pymobiledevice3", list(argv))
    cmd = root
    while hasattr(cmd, "resolve_command"):
        rest = [*getattr(ctx, "_protected_args", getattr(ctx, "protected_args", [])), *ctx.args]
        name, sub, args = cmd.resolve_command(ctx, rest)
        ctx = sub.make_context(name, args, parent=ctx)
        cmd = sub
    return cmd, ctx


def _check_argvs(argvs: list[list[str]]) -> list[dict]:
    import typer.main
    from pymobiledevice3.__main__ import app

    root = typer.main.get_command(app)
    out = []
    for argv in argvs:
        try:
            cmd, ctx = _leaf(root, argv)
        except Exception as exc:  # the parser's own UsageError, NoSuchOption, MissingParameter…
            out.append({"argv": argv, "ok": False, "error": f"{type(exc).__name__}: {exc}"})
            continue
        params = {k: v for k, v in ctx.params.items() if v not in (None, False, ())}
        shown = io.StringIO()  # Typer's rich help prints (to stdout) rather than returning text
        with contextlib.redirect_stdout(shown):
            returned = cmd.get_help(ctx)
        out.append(
            {
                "argv": argv,
                "ok": True,
                "error": None,
                "params": json.loads(json.dumps(params, default=str)),
                "help": (returned or "") + shown.getvalue(),
            }
        )
    return out


def _child(request: dict, out_fd: int, err_fd: int) -> int:
    """In the forked child: become `pmd3_shim.py <mode> ...` with the request's environment."""
    import atexit

    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(out_fd, 1)
    os.dup2(err_fd, 2)
    os.environ.clear()
    os.environ.update(request["env"])
    sys.argv = [__file__, *request["argv"]]
    try:
        code = main()
    except SystemExit as exc:
        code = exc.code
    except BaseException:  # what an uncaught exception does to an interpreter: traceback, 1
        import traceback

        traceback.print_exc()
        code = 1
    if code is not None and not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    return code or 0


def _wait(pid: int, timeout: float) -> tuple[int, bool]:
    """(exit status as subprocess reports it, whether the timeout killed it)"""
    import select
    import signal

    fd = os.pidfd_open(pid)
    try:
        timed_out = not select.select([fd], [], [], timeout)[0]
        if timed_out:
            os.kill(pid, signal.SIGKILL)
    finally:
        os.close(fd)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), timed_out


def _serve() -> int:
    import tempfile

    from pymobiledevice3 import __main__  # noqa: F401  (the imports every call would pay)
    from pymobiledevice3.cli import apps  # noqa: F401
    from pymobiledevice3.services import afc, house_arrest  # noqa: F401

    requests = os.fdopen(os.dup(0), "r")
    answers = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)  # nothing but answers on the answer channel
    for line in requests:
        request = json.loads(line)
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            sys.stdout.flush()
            sys.stderr.flush()
            pid = os.fork()
            if pid == 0:
                requests.close()
                answers.close()
                os._exit(_child(request, out.fileno(), err.fileno()))
            returncode, timed_out = _wait(pid, request["timeout"])
            texts = []
            for f in (out, err):
                f.seek(0)
                texts.append(f.read().decode("utf-8", errors="replace"))
        answer = {"returncode": returncode, "stdout": texts[0], "stderr": texts[1]}
        answers.write(json.dumps({**answer, "timed_out": timed_out}) + "\n")
        answers.flush()
    return 0


def main() -> int:
    mode, rest = sys.argv[1], sys.argv[2:]
    if mode == "serve":
        return _serve()
    if mode == "argv":
        print(json.dumps(_check_argvs(json.loads(rest[0]))))
        return 0
    _patch_device()
    from pymobiledevice3.__main__ import main as pmd3_main

    sys.argv = ["pymobiledevice3", *rest]
    return pmd3_main() or 0


if __name__ == "__main__":
    sys.exit(main())
