"""The `ssh` transport: Linux boards (Raspberry Pi, Jetson, a box with a Coral or a GPU).

Built on asyncssh (the `[ssh]` extra). One connection per transport, driven from a private event
loop thread so the rest of benchctl stays synchronous. Files move over SFTP; programs run as argv
lists quoted with `shlex.join`, wrapped in the board's `timeout` so a lost connection never
leaves a runner behind, and stdout and stderr are drained concurrently (no window deadlock).

The runner on the board is `python -m benchctl.runner SPEC`, either

- `runner = "push"` (default): the `benchctl.runner` package's import closure, and nothing else
  of benchctl (`harness/runner_bundle.py`), is copied once per content hash to
  `<root>/runner/<version>-<hash>/` and put on `PYTHONPATH`; the board needs only Python 3.11,
  numpy, jsonschema and the runtime (e.g. onnxruntime), not torch; an edit to the host's CLI
  leaves the bundle as it is; or
- `runner = "installed"`: benchctl is pip-installed in the board's `python`.

`devices doctor` reads the runner's version from its capabilities document either way.
"""

from __future__ import annotations

import asyncio
import collections
import posixpath
import re
import shlex
import threading
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from benchctl.errors import ConfigError, DependencyMissingError, TransportError
from benchctl.harness.runner_bundle import runner_bundle
from benchctl.harness.transports.base import (
    AppTarget,
    Completed,
    LineFn,
    TransportCapabilities,
    TransportKind,
)

if TYPE_CHECKING:
    from benchctl.harness.check import Stage
    from benchctl.harness.devices import Device

T = TypeVar("T")
_TAIL_LINES = 200
_PID_PREFIX = "@@benchctl pid "
FACTS_SH = r"""
echo "hostname=$(hostname 2>/dev/null || cat /etc/hostname)"
echo "kernel=$(uname -sr)"
echo "machine=$(uname -m)"
[ -r /proc/device-tree/model ] && echo "board=$(tr -d '\0' </proc/device-tree/model)"
dt=/proc/device-tree
[ -r $dt/serial-number ] && echo "serial=$(tr -d '\0' <$dt/serial-number)"
[ -r /etc/machine-id ] && echo "machine_id=$(cat /etc/machine-id)"
grep -m1 -iE '^(model name|hardware|cpu model)' /proc/cpuinfo | sed 's/^[^:]*: */cpu=/'
echo "cpu_count=$(getconf _NPROCESSORS_ONLN 2>/dev/null || nproc)"
for d in /sys/bus/usb/devices/*; do
  [ -r "$d/idVendor" ] || continue
  echo "usb=$(basename $d) $(cat $d/idVendor):$(cat $d/idProduct) $(cat $d/speed 2>/dev/null)"
done
if command -v nvidia-smi >/dev/null; then
  # not piped: a broken driver's exit status (9) and message must reach the host
  smi=$(NVIDIA_SMI 2>&1); rc=$?
  if [ $rc -eq 0 ]; then printf '%s\n' "$smi" | sed 's/^/gpu=/'
  else echo "gpu_error=nvidia-smi exit $rc: $(printf '%s' "$smi" | head -c 300 | tr '\n' ' ')"; fi
fi
true
"""


class _Deadline(TransportError):
    """A call on the connection did not finish in time."""


def parse_address(address: str) -> tuple[str | None, str, int | None]:
    """`user@host:port` → (user, host, port); user and port may be absent."""
    user, _, hostport = address.rpartition("@")
    host, port = hostport, None
    if hostport.startswith("["):  # [ipv6]:port
        host, _, rest = hostport[1:].partition("]")
        port = int(rest[1:]) if rest.startswith(":") else None
    elif hostport.count(":") == 1:
        host, port_text = hostport.split(":")
        port = int(port_text)
    return (user or None), host, port


class SshTransport:
    name = "ssh"

    def __init__(
        self,
        address: str,
        *,
        port: int | None = None,
        key: str | None = None,
        known_hosts: str | None = None,
        python: str = "python3",
        runner: str = "push",
        root: str | None = None,
        connect_timeout: float = 15.0,
        accelerator: str | None = None,
    ) -> None:
        try:
            import asyncssh  # noqa: F401
        except ImportError:
            raise DependencyMissingError(
                "the ssh transport needs asyncssh; run: pip install 'benchctl[ssh]'"
            ) from None
        user, host, addr_port = parse_address(address)
        self.address = address
        self.user, self.host = user, host
        self.port = port or addr_port or 22
        self.key = str(Path(key).expanduser()) if key else None
        self.known_hosts = str(Path(known_hosts).expanduser()) if known_hosts else None
        self.python = python
        self.runner_mode = runner
        self.connect_timeout = connect_timeout
        self.accelerator = accelerator
        self._root = root
        self._conn: Any = None
        self._sftp: Any = None
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._runner_dir: str | None = None
        self.capabilities = TransportCapabilities(
            shell=True, python_runner=True, app_launch=False, files_root=root or "~/.cache/benchctl"
        )

    # --- plumbing ------------------------------------------------------------------------------

    def _call(self, make: Callable[[], Awaitable[T]], timeout: float) -> T:
        """Run a coroutine on the transport's loop; TransportError on timeout."""

        async def guarded() -> T:
            return await asyncio.wait_for(make(), timeout)

        future = asyncio.run_coroutine_threadsafe(guarded(), self._loop)
        try:
            return future.result()
        except TimeoutError:
            raise _Deadline(
                f"ssh {self.host}:{self.port}: no answer within {timeout:.0f} s"
            ) from None
        except BaseException:
            future.cancel()
            raise

    async def _connection(self) -> Any:
        import asyncssh

        if self._conn is not None:
            return self._conn
        options: dict[str, Any] = {
            "port": self.port,
            "connect_timeout": self.connect_timeout,
        }
        if self.user:
            options["username"] = self.user
        if self.key:
            options["client_keys"] = [self.key]
        if self.known_hosts:
            options["known_hosts"] = self.known_hosts  # else asyncssh reads ~/.ssh/known_hosts
        where = f"{self.user + '@' if self.user else ''}{self.host}:{self.port}"
        try:
            self._conn = await asyncssh.connect(self.host, **options)
        except asyncssh.PermissionDenied:
            raise TransportError(
                f"ssh {where}: permission denied; install your key there "
                f"(ssh-copy-id -p {self.port} {self.address.split(':')[0]}) or set the device's key"
            ) from None
        except asyncssh.HostKeyNotVerifiable as exc:
            raise TransportError(
                f"ssh {where}: host key not trusted ({exc.reason}); connect once with "
                f"`ssh -p {self.port} {self.address.split(':')[0]}` to check and accept it, "
                "or set the device's known_hosts file"
            ) from None
        except TimeoutError:  # before OSError, its base class: a peer that never speaks
            raise TransportError(
                f"ssh {where}: no SSH answer within {self.connect_timeout:.0f} s; is the board "
                f"on, and is port {self.port} its SSH server?"
            ) from None
        except (OSError, asyncssh.Error) as exc:
            reason = str(exc) or type(exc).__name__
            raise TransportError(f"ssh {where}: cannot connect ({reason})") from None
        self._sftp = await self._conn.start_sftp_client()
        if self._root is None:
            home = await self._sftp.realpath(".")
            self._root = posixpath.join(home, ".cache", "benchctl")
        self.capabilities = TransportCapabilities(
            shell=True, python_runner=True, app_launch=False, files_root=self._root
        )
        return self._conn

    @property
    def root(self) -> str:
        self._call(self._connection, self.connect_timeout + 5)
        assert self._root is not None  # set by _connection
        return self._root

    def host_key(self) -> tuple[str | None, str]:
        """(SHA256 fingerprint of the key the server proved, the known_hosts it was checked in)."""

        async def read() -> Any:
            conn = await self._connection()
            return conn.get_server_host_key()

        key = self._call(read, self.connect_timeout + 5)
        source = self.known_hosts or "~/.ssh/known_hosts"
        return (key.get_fingerprint("sha256") if key is not None else None), source

    def _inside_root(self, remote: str) -> None:
        norm = posixpath.normpath(remote)
        if not norm.startswith(self.root.rstrip("/") + "/"):
            raise TransportError(f"refusing to touch {remote}: it is outside {self.root}")

    # --- files ---------------------------------------------------------------------------------

    def workdir(self, run_id: str) -> str:
        path = posixpath.join(self.root, "work", run_id)

        async def make() -> None:
            await self._connection()
            await self._sftp.makedirs(path, exist_ok=False)

        self._call(make, 60)
        return path

    def push(self, local: Path, remote: str, *, timeout: float) -> None:
        async def put() -> None:
            await self._connection()
            await self._sftp.makedirs(posixpath.dirname(remote), exist_ok=True)
            # a folder artifact (.mlpackage) goes over whole
            await self._sftp.put(str(local), remote, recurse=local.is_dir())

        self._sftp_call(put, timeout, f"push {local} → {remote}")

    def pull(self, remote: str, local: Path, *, timeout: float) -> None:
        async def get() -> None:
            await self._connection()
            await self._sftp.get(remote, str(local))

        self._sftp_call(get, timeout, f"pull {remote}")

    def _sftp_call(self, make: Callable[[], Awaitable[None]], timeout: float, what: str) -> None:
        import asyncssh

        try:
            self._call(make, timeout)
        except (asyncssh.SFTPError, OSError) as exc:
            raise TransportError(f"ssh {self.host}: {what} failed: {exc}") from None

    def exists(self, remote: str) -> bool:
        async def check() -> bool:
            await self._connection()
            return bool(await self._sftp.exists(remote))

        return self._call(check, 60)

    def sha256(self, remote: str, *, timeout: float) -> str | None:
        done = self.run(
            ["sh", "-c", 'sha256sum -- "$1" 2>/dev/null', "sh", remote], timeout=timeout
        )
        fields = done.stdout_tail.split()
        if done.returncode != 0 or not fields or len(fields[0]) != 64:
            return None
        return "sha256:" + fields[0]

    def cleanup(self, remote: str) -> None:
        self._inside_root(remote)
        done = self.run(["rm", "-rf", "--", remote], timeout=60)
        if done.returncode != 0:
            raise TransportError(f"ssh {self.host}: rm -rf {remote} failed: {done.stderr_tail}")

    # --- programs ------------------------------------------------------------------------------

    def run(
        self, argv: Sequence[str], *, timeout: float, on_line: LineFn | None = None
    ) -> Completed:
        remote_limit = max(1, int(timeout))
        # The shell prints its pid and execs `timeout`, so the pid is the one to signal; the
        # board's `timeout` ends the program even when this host is gone.
        command = shlex.join(
            [
                "sh",
                "-c",
                f'echo "{_PID_PREFIX}$$"; exec "$@"',
                "sh",
                "timeout",
                "-k",
                "5",
                str(remote_limit),
                *argv,
            ]
        )
        pid: list[int] = []
        out: collections.deque[str] = collections.deque(maxlen=_TAIL_LINES)
        err: collections.deque[str] = collections.deque(maxlen=_TAIL_LINES)

        async def execute() -> int:
            conn = await self._connection()
            async with conn.create_process(command, encoding="utf-8", errors="replace") as proc:

                async def pump_err() -> None:
                    async for line in proc.stderr:
                        err.append(line)

                err_task = asyncio.create_task(pump_err())
                async for line in proc.stdout:
                    if not line:  # asyncssh may yield "" at end of stream; not a line
                        continue
                    if line.startswith(_PID_PREFIX) and not pid:
                        pid.append(int(line[len(_PID_PREFIX) :].strip()))
                        continue
                    out.append(line)
                    if on_line is not None:
                        on_line(line.rstrip("\n"))
                await err_task
                result = await proc.wait(check=False)
                return result.exit_status if result.exit_status is not None else 255

        try:
            code = self._call(execute, timeout + 15)
        except _Deadline:
            self._kill(pid)
            return Completed(124, "".join(out), "".join(err), timed_out=True)
        except BaseException:
            self._kill(pid)  # Ctrl-C on the host must not leave a runner on the board
            raise
        return Completed(code, "".join(out), "".join(err), timed_out=code in (124, 137))

    def _kill(self, pid: list[int]) -> None:
        if not pid:
            return

        async def kill() -> None:
            conn = await self._connection()
            await conn.run(f"kill -TERM {pid[0]} 2>/dev/null; true", check=False)

        try:
            self._call(kill, 15)
        except (TransportError, OSError):
            return  # the board's own `timeout` still ends the program

    def runner_argv(self) -> list[str]:
        if self.runner_mode == "installed":
            return [self.python, "-m", "benchctl.runner"]
        return [
            "env",
            f"PYTHONPATH={self.ensure_runner()}",
            self.python,
            "-m",
            "benchctl.runner",
        ]

    def ensure_runner(self, timeout: float = 300) -> str:
        """Copy the runner sources to the board unless this exact bundle is already there."""
        if self._runner_dir is not None:
            return self._runner_dir
        bundle_id, files = runner_bundle()
        target = posixpath.join(self.root, "runner", bundle_id)
        marker = posixpath.join(target, ".complete")
        if not self.exists(marker):
            staging = target + ".partial"
            self.run(["rm", "-rf", "--", staging], timeout=60)

            async def upload() -> None:
                await self._connection()
                for local, rel in files:
                    dst = posixpath.join(staging, rel)
                    await self._sftp.makedirs(posixpath.dirname(dst), exist_ok=True)
                    await self._sftp.put(str(local), dst)
                async with self._sftp.open(posixpath.join(staging, ".complete"), "w") as f:
                    await f.write(bundle_id + "\n")

            self._sftp_call(upload, timeout, "runner upload")
            # Older bundles are removed: one runner per board, the one this host speaks to.
            done = self.run(
                [
                    "sh",
                    "-c",
                    'rm -rf -- "$2" && mv -- "$1" "$2" && cd "$3" && '
                    'for d in *; do [ "$d" = "$4" ] || rm -rf -- "$d"; done',
                    "sh",
                    staging,
                    target,
                    posixpath.dirname(target),
                    bundle_id,
                ],
                timeout=60,
            )
            if done.returncode != 0:
                raise TransportError(
                    f"ssh {self.host}: installing the runner failed: {done.stderr_tail.strip()}"
                )
        self._runner_dir = target
        return target

    def launch_app(self, app: AppTarget, spec_remote: str, *, timeout: float) -> Completed:
        raise TransportError("ssh boards run the Python runner, not a companion app")

    # --- facts ---------------------------------------------------------------------------------

    def facts(self, *, timeout: float) -> dict[str, Any]:
        done = self.run(["sh", "-c", facts_script()], timeout=timeout)
        if done.returncode != 0:
            raise TransportError(f"ssh {self.host}: reading facts failed: {done.stderr_tail}")
        return parse_facts(done.stdout_tail)

    def snapshot(self, *, timeout: float) -> dict[str, Any]:
        from benchctl.harness.gating import LINUX_SNAPSHOT_SH, parse_linux_snapshot

        done = self.run(["sh", "-c", LINUX_SNAPSHOT_SH], timeout=timeout)
        return parse_linux_snapshot(done.stdout_tail)

    def logs(self, *, timeout: float) -> str:
        done = self.run(
            ["sh", "-c", "journalctl -n 200 --no-pager 2>/dev/null || dmesg 2>&1 | tail -n 200"],
            timeout=timeout,
        )
        return done.stdout_tail

    def close(self) -> None:
        async def shut() -> None:
            if self._conn is not None:
                self._conn.close()
                await self._conn.wait_closed()

        try:
            if self._thread.is_alive():
                self._call(shut, 10)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)
            if not self._thread.is_alive():
                self._loop.close()


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None


def facts_script() -> str:
    from benchctl.harness.discovery import NVIDIA_SMI_ARGV

    return FACTS_SH.replace("NVIDIA_SMI", shlex.join(NVIDIA_SMI_ARGV))


def parse_facts(stdout: str) -> dict[str, Any]:
    """`FACTS_SH` output → facts; a GPU whose driver is broken gives `gpu_error`, no crash."""
    from benchctl.harness.discovery import coral_from_lsusb, parse_nvidia_smi

    facts: dict[str, Any] = {"platform": "linux"}
    usb_lines, gpu_lines = [], []
    for line in stdout.splitlines():
        key, _, value = line.partition("=")
        if key == "usb":
            name, ids, *speed = value.split()
            usb_lines.append((name, ids, speed[0] if speed else ""))
        elif key == "gpu":
            gpu_lines.append(value)
        elif key:
            facts[key] = value.strip()
    if "cpu_count" in facts and str(facts["cpu_count"]).isdigit():
        facts["cpu_count"] = int(facts["cpu_count"])
    lsusb = "\n".join(f"Bus 000 Device 000: ID {ids}" for _, ids, _ in usb_lines)
    corals = coral_from_lsusb(lsusb)
    speeds = {ids: s for _, ids, s in usb_lines}
    facts["corals"] = [
        {**c.to_json(), "speed_mbps": _float(speeds.get(f"{c.vendor_id}:{c.product_id}"))}
        for c in corals
    ]
    try:
        facts["gpus"] = [g.to_json() for g in parse_nvidia_smi("\n".join(gpu_lines))]
    except ValueError as exc:  # nvidia-smi answered, but not in the format asked for
        facts["gpus"] = []
        facts.setdefault("gpu_error", str(exc))
    return facts


# --- the kind ----------------------------------------------------------------------------------

_ADDRESS = re.compile(r"^(?:[A-Za-z0-9._-]+@)?(?:[A-Za-z0-9._-]+|\[[0-9a-fA-F:]+\])(?::\d+)?$")


def _check_address(address: str | None) -> None:
    if not (address and _ADDRESS.match(address)):
        raise ConfigError(f"--ssh {address!r}: write it as user@host or user@host:port")


def _connect(device: Device) -> SshTransport:
    return SshTransport(
        str(device.address), accelerator=device.accelerator, **KIND.connect_options(device)
    )


def ssh_command(device: Device) -> str:
    """The `ssh` command line that reaches `device` as benchctl does (port and key as options:
    `ssh user@host:2222` is not a port to ssh)."""
    user, host, addr_port = parse_address(str(device.address))
    port = device.options.get("port") or addr_port
    parts = ["ssh"]
    if port and int(port) != 22:
        parts += ["-p", str(port)]
    if device.options.get("key"):
        parts += ["-i", str(device.options["key"])]
    parts.append(f"{user}@{host}" if user else host)
    return " ".join(parts)


def _connect_hint(device: Device) -> str:
    return f"check `{ssh_command(device)}` works with the same key, then run doctor again"


def _lock_key(device: Device) -> str:
    address = (device.address or "").rsplit("@", 1)[-1]
    host, _, port = address.rpartition(":") if address.count(":") == 1 else (address, "", "")
    return f"ssh-{host or address}-{port or device.options.get('port', 22)}"


def _check_stages(device: Device) -> list[Stage]:
    from benchctl.harness.check import ssh

    return ssh.stages(device)


KIND = TransportKind(
    name="ssh",
    connect=_connect,
    description="a Linux board or machine over SSH (asyncssh); the runner is pushed or installed",
    options=("port", "key", "known_hosts", "python", "runner", "root", "connect_timeout"),
    choices={"runner": ("push", "installed")},
    check_address=_check_address,
    accelerators=True,
    install_hint="pip install 'benchctl[ssh]'",
    connect_hint=_connect_hint,
    check_stages=_check_stages,
    # A pushed runner's cached capabilities hold only for the bundle they were read from.
    capabilities_key=lambda: {"bundle": runner_bundle()[0]},
    lock_key=_lock_key,
)
