"""A test-side adbd: the device end of the adb wire protocol, on 127.0.0.1, over a temp folder.

It speaks what a phone's adbd speaks to a host, and is at least as strict as a real one on every
property the tests rely on (first_contact_review.md lists where an older version was kinder):

- messages: 24-byte headers (command, arg0, arg1, length, byte-sum checksum, magic), CNXN with a
  real phone's banner (`features=shell_v2,cmd,stat_v2,ls_v2,fixed_push_mkdir,…`, an Android 10
  adbd's list: everything in it is implemented here), RSA AUTH (token → signature checked against
  the authorized keys, or an RSAPUBLICKEY that waits for a tap on the phone that never comes);
- streams: OPEN/OKAY/WRTE/CLSE, several at once on one connection (one thread per stream, so a
  long `am instrument` blocks nothing else), one WRTE in flight per stream, a CLSE answered by a
  CLSE, an unknown service refused with CLSE;
- services: legacy `shell:` (output streamed as the command prints it, no exit status), shell v2
  (`shell,v2,raw:`: stdout/stderr/exit packets), `exec:`, and `sync:` (STAT with lstat semantics,
  STA2/LST2, LIST, SEND creating missing parents, RECV, QUIT answered by CLSE);
- commands, printed the way a phone prints them: getprop (several hundred properties, or one by
  NAME), dumpsys thermalservice/battery/package/power/window policy, mkdir, rm, test, stat -c,
  sha256sum, logcat, pidof, input keyevent, settings, svc power stayon, wm dismiss-keyguard,
  am instrument (its flags honoured: -w, -r, -e) and am start / force-stop;
- the app: `am instrument`/`am start` run it asynchronously in real time through a callback the
  test gives (the Kotlin core on the JVM, or benchctl's own runner), after a silence the test can
  set (`instrument_silence_s`), its progress printed as `INSTRUMENTATION_STATUS: stream=…` lines
  the moment it reports them; a callback that raises is the app's process dying, which `am
  instrument` reports (`shortMsg=Process crashed.`) before it returns;
- storage ownership: `/sdcard/Android/data/<pkg>` belongs to the app only when the app made it
  (its first start); made first by the shell (`mkdir -p`, or a push creating parents) it belongs
  to the shell, and the app can then write nothing under it (finding A6), as on Android 11+.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import os
import posixpath
import queue
import shlex
import shutil
import socket
import struct
import threading
import time
from collections.abc import Callable
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, utils
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey


def _cmd(name: bytes) -> int:
    return struct.unpack("<I", name)[0]


CNXN, AUTH, OPEN, OKAY, CLSE, WRTE = (_cmd(c) for c in (b"CNXN", b"AUTH", b"OPEN", b"OKAY",
                                                          b"CLSE", b"WRTE"))  # fmt: skip
AUTH_TOKEN, AUTH_SIGNATURE, AUTH_RSAPUBLICKEY = 1, 2, 3
VERSION, MAXDATA = 0x01000000, 256 * 1024
EXIT_SUFFIX = "; echo __BENCHCTL_EXIT__$?"
SHELL_UID, APP_UID = 2000, 10245
# An Android 10 adbd's features (a Pixel 3 on QP1A): shell v2, stat/ls v2, fixed_push_mkdir…
FEATURES = (
    "shell_v2,cmd,stat_v2,ls_v2,fixed_push_mkdir,apex,abb,fixed_push_symlink_timestamp,"
    "abb_exec,remount_shell"
)
ENOENT = 2
# sync_stat_v2 after its id: error, dev, ino, mode, nlink, uid, gid, size, atime, mtime, ctime
STAT_V2 = "<I2Q4IQ3q"

GETPROP = {
    "ro.product.manufacturer": "Google",
    "ro.product.model": "Pixel 8",
    "ro.product.board": "shiba",
    "ro.soc.manufacturer": "Google",
    "ro.soc.model": "Tensor G3",
    "ro.product.cpu.abi": "arm64-v8a",
    "ro.build.version.release": "15",
    "ro.build.version.sdk": "35",
    "ro.build.type": "user",
    "ro.build.fingerprint": "google/shiba/shiba:15/AP4A.250205.002/12821496:user/release-keys",
    "ro.serialno": "38121FDJH000X1",
}
# A phone has several hundred properties; `getprop` prints them sorted, so the ro.* block is
# followed by hundreds of sys.*/vendor.* lines (a reader that keeps only a tail loses ro.*).
FILLER_PROPS = {
    **{f"persist.vendor.radio.slot{i}": str(i) for i in range(60)},
    **{f"sys.usb.ffs.instance{i}": "ready" for i in range(120)},
    **{f"vendor.gpu.freq.level{i}": str(100 + i) for i in range(220)},
}
CPUINFO = """Load: 3.1 / 2.9 / 2.7
CPU usage from 5012ms to 12ms ago (2026-12-01 10:00:00.000 to 2026-12-01 10:00:05.000):
  25% 4321/{pkg}: 23% user + 2% kernel / faults: 120 minor
  30% 1234/com.google.android.gms.persistent: 27% user + 3% kernel
  2% 987/system_server: 1% user + 1% kernel
57% TOTAL: 51% user + 6% kernel + 0% iowait
"""
THERMALSERVICE = """IsStatusOverride: false
ThermalEventListeners:
\tcallbacks: 1
ThermalStatusListeners:
\tcallbacks: 1
Thermal Status: {status}
Cached temperatures:
\tTemperature{{mValue={skin}, mType=3, mName=VIRTUAL-SKIN, mStatus={status}}}
\tTemperature{{mValue=31.2, mType=2, mName=battery, mStatus=0}}
HAL Ready: true
HAL connection:
\tThermalHAL AIDL 1  connected: yes
Current temperatures from HAL:
\tTemperature{{mValue={cpu}, mType=0, mName=cpu0, mStatus={status}}}
\tTemperature{{mValue=-273.1, mType=0, mName=cpu_unused, mStatus=0}}
\tTemperature{{mValue=31.2, mType=2, mName=battery, mStatus=0}}
"""
# A Pixel's `dumpsys battery` (Android 14/15 adds the Charging/Capacity lines at the end).
BATTERY = """Current Battery Service state:
  AC powered: {ac}
  USB powered: {usb}
  Wireless powered: false
  Dock powered: false
  Max charging current: 3000000
  Max charging voltage: 5000000
  Charge counter: 3912000
  status: {status}
  health: 2
  present: true
  level: {level}
  scale: 100
  voltage: 4212
  temperature: 312
  technology: Li-ion
  Charging state: 1
  Charging policy: 1
  Capacity level: -1
"""
PACKAGE = """Activity Resolver Table:
  Non-Data Actions:
      android.intent.action.MAIN:
        5d1c0e2 {pkg}/.BenchActivity filter 1c9b9a3
Packages:
  Package [{pkg}] (8f2c1d0):
    userId={uid}
    pkg=Package{{5c1e4e2 {pkg}}}
    codePath=/data/app/~~Xb1Q==/{pkg}-2Rk==
    resourcePath=/data/app/~~Xb1Q==/{pkg}-2Rk==
    versionCode=3 minSdk=26 targetSdk=35
    versionName=0.1.0
    flags=[ {flags}HAS_CODE ALLOW_CLEAR_USER_DATA ]
    privateFlags=[ PRIVATE_FLAG_ACTIVITIES_RESIZEABLE_VIA_SDK_VERSION ]
    pkgFlags=[ {flags}HAS_CODE ALLOW_CLEAR_USER_DATA ]
    requested permissions:
{permissions}    install permissions:
{permissions}    User 0: ceDataInode=2316 installed=true hidden=false suspended=false stopped=false
"""
PERMISSIONS = "".join(f"      dev.benchctl.android.permission.P{i}\n" for i in range(140))
POWER = """POWER MANAGER (dumpsys power)

Power Manager State:
  Settings power_manager_constants:
    no_cached_wake_locks=true
  mDirty=0x0
  mWakefulness={wakefulness}
  mWakefulnessChanging=false
  mIsPowered=true
  mPlugType=2
  mStayOn={stay_on}
{filler}"""
POWER_FILLER = "".join(f"  mLastUserActivityTime{i}=+{i}s0ms\n" for i in range(250))
WINDOW_POLICY = """WINDOW MANAGER POLICY STATE (dumpsys window policy)
    mSafeMode=false mSystemReady=true mSystemBooted=true
    mLidState=LID_ABSENT mLidOpenRotation=-1
    mScreenOnEarly={awake} mScreenOnFully={awake}
    KeyguardServiceDelegate
      showing={showing}
      inputRestricted={showing}
      occluded=false
      secure={secure}
      dreaming=false
      systemIsReady=true
      deviceHasKeyguard=true
      enabled=true
"""


def _norm(path: str) -> str:
    """An absolute, normalized device path (normpath keeps a leading "//")."""
    return "/" + posixpath.normpath("/" + path).lstrip("/")


class _Stream:
    """One OPEN'ed stream: its ids, the OKAY it waits for, and the host's WRTE payloads."""

    def __init__(self, local: int, remote: int) -> None:
        self.local, self.remote = local, remote
        self.okay = threading.Event()
        self.inbox: queue.Queue[bytes | None] = queue.Queue()
        self.closed = threading.Event()
        self._buf = bytearray()

    def read(self, n: int) -> bytes:
        """Exactly n bytes of what the host wrote (sync requests span WRTEs freely)."""
        while len(self._buf) < n:
            chunk = self.inbox.get()
            if chunk is None:
                raise ConnectionError("stream closed by the host")
            self._buf += chunk
        out = bytes(self._buf[:n])
        del self._buf[:n]
        return out


class _Connection:
    """One host connection: a reader dispatching messages, a thread per stream."""

    def __init__(self, emu: AdbdEmulator, sock: socket.socket) -> None:
        self.emu, self.sock = emu, sock
        self.lock = threading.Lock()
        self.streams: dict[int, _Stream] = {}
        self.maxdata = MAXDATA

    def send(self, cmd: int, arg0: int, arg1: int, data: bytes = b"") -> None:
        header = struct.pack(
            "<6I", cmd, arg0, arg1, len(data), sum(data) & 0xFFFFFFFF, cmd ^ 0xFFFFFFFF
        )
        with self.lock:
            self.sock.sendall(header + data)

    def recv_exact(self, n: int) -> bytes:
        buf = b""
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise ConnectionError("host closed the connection")
            buf += chunk
        return buf

    def recv(self) -> tuple[int, int, int, bytes]:
        cmd, arg0, arg1, length, check, magic = struct.unpack("<6I", self.recv_exact(24))
        if magic != cmd ^ 0xFFFFFFFF:
            raise ConnectionError("bad magic")
        data = self.recv_exact(length) if length else b""
        if check and (sum(data) & 0xFFFFFFFF) != check:
            raise ConnectionError("bad checksum")
        return cmd, arg0, arg1, data

    def write(self, stream: _Stream, data: bytes) -> None:
        """WRTE chunks, each waiting for the host's OKAY for this stream (one in flight)."""
        for i in range(0, len(data), self.maxdata):
            if stream.closed.is_set():
                raise ConnectionError("stream closed by the host")
            stream.okay.clear()
            self.send(WRTE, stream.local, stream.remote, data[i : i + self.maxdata])
            while not stream.okay.wait(0.2):
                if stream.closed.is_set() or self.emu._stop.is_set():
                    raise ConnectionError("stream closed while writing")

    def close_stream(self, stream: _Stream) -> None:
        if not stream.closed.is_set():
            stream.closed.set()
            stream.inbox.put(None)
            self.send(CLSE, stream.local, stream.remote)

    def serve(self) -> None:
        next_id = 1
        try:
            with self.sock:
                self.emu._handshake(self)
                while not self.emu._stop.is_set():
                    cmd, arg0, arg1, data = self.recv()
                    if cmd == OPEN:
                        service = data.rstrip(b"\0").decode()
                        handler = self.emu._service(service)
                        if handler is None:  # adbd refuses an unknown service with CLSE
                            self.send(CLSE, 0, arg0)
                            continue
                        stream = _Stream(next_id, arg0)
                        next_id += 1
                        self.streams[stream.local] = stream
                        self.send(OKAY, stream.local, stream.remote)
                        threading.Thread(
                            target=self._run_stream, args=(handler, stream), daemon=True
                        ).start()
                    elif cmd == OKAY:
                        if arg1 in self.streams:
                            self.streams[arg1].okay.set()
                    elif cmd == WRTE:
                        stream = self.streams.get(arg1)
                        if stream is not None and not stream.closed.is_set():
                            self.send(OKAY, stream.local, stream.remote)
                            stream.inbox.put(data)
                    elif cmd == CLSE:
                        stream = self.streams.pop(arg1, None)
                        if stream is not None:
                            self.close_stream(stream)  # answered with a CLSE, as adbd does
        except (ConnectionError, OSError):
            for stream in self.streams.values():
                stream.closed.set()
                stream.inbox.put(None)

    def _run_stream(self, handler: Callable[[_Connection, _Stream], None], stream: _Stream):
        try:
            handler(self, stream)
            self.close_stream(stream)
        except (ConnectionError, OSError):
            stream.closed.set()


class AdbdEmulator:
    def __init__(
        self,
        root: Path,
        *,
        authorized: list[RSAPublicKey] | None = None,
        on_instrument: Callable[..., bool] | None = None,
        package: str = "dev.benchctl.android",
    ) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.authorized = authorized  # None: no authentication (as a dev phone with adb insecure)
        # The app: f(spec_path) or f(spec_path, status) → whether it wrote a result; `status(text)`
        # sends one progress line to `am instrument`'s output at once. Runs in real time.
        self.on_instrument = on_instrument
        self.package = package
        self.props = dict(GETPROP)
        self.thermal = {"status": 0, "skin": 30.5, "cpu": 41.0}
        self.battery_level = 88
        self.power = {"ac": False, "usb": True}
        self.debuggable = False
        self.installed = True
        self.app_uid = APP_UID
        self.accelerators = ["cpu"]  # what the app's LiteRT backend offers (-e capabilities)
        self.instrument_silence_s = 0.0  # the app prints nothing this long first (model copy…)
        self.delays: dict[str, float] = {}  # a command's name → seconds before it answers
        self.wakefulness = "Awake"
        self.keyguard = {"showing": False, "secure": False}
        self.stay_on = "0"
        self.commands: list[str] = []  # every shell command, as received
        self.instrument_outputs: list[str] = []
        self.owners: dict[str, int] = {}  # device path → uid, for Android/data/<pkg> folders
        self.running: dict[str, int] = {}  # package → pid while the app runs
        self.public_key_offered = threading.Event()
        self._server = socket.create_server(("127.0.0.1", 0))
        self._server.settimeout(0.2)  # so accept() notices the stop flag
        self.port = self._server.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._lock = threading.Lock()

    # --- lifecycle -----------------------------------------------------------------------------

    def __enter__(self) -> AdbdEmulator:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
        self._server.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.settimeout(None)
            threading.Thread(target=_Connection(self, conn).serve, daemon=True).start()

    @property
    def banner(self) -> bytes:
        return (
            b"device::ro.product.name=shiba;ro.product.model=Pixel 8;ro.product.device=shiba;"
            b"features=" + FEATURES.encode() + b"\0"
        )

    def _handshake(self, conn: _Connection) -> None:
        cmd, _version, maxdata, _ = conn.recv()
        if cmd != CNXN:
            raise ConnectionError("expected CNXN")
        conn.maxdata = min(MAXDATA, maxdata or MAXDATA)
        if self.authorized is None:
            conn.send(CNXN, VERSION, MAXDATA, self.banner)
            return
        while True:
            token = os.urandom(20)
            conn.send(AUTH, AUTH_TOKEN, 0, token)
            cmd, arg0, _, data = conn.recv()
            if cmd != AUTH:
                raise ConnectionError("expected AUTH")
            if arg0 == AUTH_RSAPUBLICKEY:
                self.public_key_offered.set()  # a real phone now shows "Allow USB debugging?"
                while not self._stop.is_set():
                    conn.recv()  # nobody taps Allow
                return
            for key in self.authorized:
                try:
                    key.verify(data, token, padding.PKCS1v15(), utils.Prehashed(hashes.SHA1()))
                except InvalidSignature:
                    continue
                conn.send(CNXN, VERSION, MAXDATA, self.banner)
                return

    # --- services ------------------------------------------------------------------------------

    def _service(self, name: str) -> Callable[[_Connection, _Stream], None] | None:
        if name.startswith("shell:") or name.startswith("exec:"):
            command = name.split(":", 1)[1]
            return lambda conn, s: self._shell_raw(conn, s, command)
        if name.startswith("shell,"):  # shell v2: "shell,v2,raw:CMD", "shell,v2,TERM=…,raw:CMD"
            args, _, command = name.partition(":")
            if "v2" not in args.split(","):
                return None
            return lambda conn, s: self._shell_v2(conn, s, command)
        if name == "sync:":
            return self._sync
        return None

    def _shell_raw(self, conn: _Connection, stream: _Stream, command: str) -> None:
        """Legacy shell: output as the command prints it, stdout and stderr together."""
        self._shell(command, lambda text: conn.write(stream, text.encode()))

    def _shell_v2(self, conn: _Connection, stream: _Stream, command: str) -> None:
        """Shell protocol v2: [id:1][length:4][data] packets; id 1 stdout, 3 the exit status."""

        def packet(kind: int, data: bytes) -> bytes:
            return struct.pack("<BI", kind, len(data)) + data

        code = self._shell(command, lambda text: conn.write(stream, packet(1, text.encode())))
        conn.write(stream, packet(3, bytes([code & 0xFF])))

    # --- sync: ---------------------------------------------------------------------------------

    def _path(self, device_path: str) -> Path:
        return self.root / _norm(device_path).lstrip("/")

    def _sync(self, conn: _Connection, stream: _Stream) -> None:
        while True:
            sid, length = stream.read(4), struct.unpack("<I", stream.read(4))[0]
            if sid == b"QUIT":
                return  # the stream is closed with a CLSE (the caller)
            path = stream.read(length).decode()
            if sid == b"SEND":
                self._sync_send(conn, stream, path)
            elif sid == b"RECV":
                self._sync_recv(conn, stream, path)
            elif sid == b"STAT":
                conn.write(stream, b"STAT" + self._stat_v1(path))
            elif sid in (b"STA2", b"LST2"):
                conn.write(stream, sid + self._stat_v2(path, follow=sid == b"STA2"))
            elif sid == b"LIST":
                self._sync_list(conn, stream, path)
            else:
                raise ConnectionError(f"unknown sync request {sid!r}")

    def _stat_v1(self, path: str) -> bytes:
        """STAT v1 is lstat; a missing path is all zeros."""
        try:
            st = self._path(path).lstat()
        except OSError:
            return struct.pack("<3I", 0, 0, 0)
        return struct.pack("<3I", st.st_mode, st.st_size & 0xFFFFFFFF, int(st.st_mtime))

    def _stat_v2(self, path: str, *, follow: bool) -> bytes:
        try:
            target = self._path(path)
            st = target.stat() if follow else target.lstat()
        except OSError:
            return struct.pack(STAT_V2, ENOENT, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        return struct.pack(
            STAT_V2, 0, st.st_dev, st.st_ino, st.st_mode, st.st_nlink,
            self.owner_of(path), st.st_gid, st.st_size,
            int(st.st_atime), int(st.st_mtime), int(st.st_ctime),
        )  # fmt: skip

    def _sync_list(self, conn: _Connection, stream: _Stream, path: str) -> None:
        folder = self._path(path)
        out = bytearray()
        if folder.is_dir():
            for entry in sorted(folder.iterdir()):
                st = entry.lstat()
                name = entry.name.encode()
                out += b"DENT" + struct.pack(
                    "<4I", st.st_mode, st.st_size & 0xFFFFFFFF, int(st.st_mtime), len(name)
                )
                out += name
        out += b"DONE" + struct.pack("<4I", 0, 0, 0, 0)
        conn.write(stream, bytes(out))

    def _sync_send(self, conn: _Connection, stream: _Stream, spec: str) -> None:
        path, _, _mode = spec.rpartition(",")
        data = bytearray()
        while True:
            sid, length = stream.read(4), struct.unpack("<I", stream.read(4))[0]
            if sid == b"DATA":
                data += stream.read(length)
            elif sid == b"DONE":  # the length field is the mtime
                break
            else:
                raise ConnectionError(f"expected DATA or DONE, got {sid!r}")
        target = self._path(path)
        self._mkdirs(posixpath.dirname(path), SHELL_UID)  # fixed_push_mkdir: adbd makes parents
        if target.is_dir():
            msg = f"couldn't create file: Is a directory: {path}".encode()
            conn.write(stream, b"FAIL" + struct.pack("<I", len(msg)) + msg)
            return
        target.write_bytes(bytes(data))
        conn.write(stream, b"OKAY" + struct.pack("<I", 0))

    def _sync_recv(self, conn: _Connection, stream: _Stream, path: str) -> None:
        target = self._path(path)
        if not target.is_file():
            msg = b"open failed: No such file or directory"
            conn.write(stream, b"FAIL" + struct.pack("<I", len(msg)) + msg)
            return
        payload = target.read_bytes()
        for i in range(0, len(payload), 64 * 1024):
            chunk = payload[i : i + 64 * 1024]
            conn.write(stream, b"DATA" + struct.pack("<I", len(chunk)) + chunk)
        conn.write(stream, b"DONE" + struct.pack("<I", 0))

    # --- storage ownership ---------------------------------------------------------------------

    def _app_data_dir(self, path: str) -> str | None:
        """`/sdcard/Android/data/<pkg>` when `path` is that folder itself."""
        parts = posixpath.normpath(path).split("/")
        if len(parts) == 5 and parts[:4] == ["", "sdcard", "Android", "data"]:
            return "/".join(parts)
        return None

    def _mkdirs(self, path: str, uid: int) -> None:
        """mkdir -p as `uid`; an Android/data/<pkg> folder made here keeps that owner."""
        parts = _norm(path).split("/")
        for i in range(2, len(parts) + 1):
            sub = "/".join(parts[:i])
            target = self._path(sub)
            if not target.exists():
                target.mkdir()
                if self._app_data_dir(sub):
                    self.owners[sub] = uid

    def owner_of(self, path: str) -> int:
        path = _norm(path)
        if path in self.owners:
            return self.owners[path]
        parts = path.split("/")
        if len(parts) > 5 and parts[:4] == ["", "sdcard", "Android", "data"]:
            return self.owners.get("/".join(parts[:5]), 0)
        return 0

    def app_folder(self) -> str:
        return f"/sdcard/Android/data/{self.package}"

    def _app_starts(self) -> None:
        """The app's first getExternalFilesDir(): vold makes its folder with the app's uid."""
        if not self._path(self.app_folder()).exists():
            self._mkdirs(self.app_folder() + "/files", self.app_uid)
            self.owners[self.app_folder()] = self.app_uid

    def _app_can_write(self) -> bool:
        return self.owners.get(self.app_folder()) == self.app_uid

    # --- shell: --------------------------------------------------------------------------------

    stat_reads = 0  # `cat /proc/stat` calls: each read shows more busy time

    def _shell(self, command: str, out: Callable[[str], None]) -> int:
        with self._lock:
            self.commands.append(command)
        marker = command.endswith(EXIT_SUFFIX)
        if marker:
            command = command[: -len(EXIT_SUFFIX)]
        argv = shlex.split(command)
        delay = self.delays.get(argv[0] if argv else "", 0.0)
        if delay:
            time.sleep(delay)
        code = self._run(argv, out) if argv else 0
        if marker:
            out(f"__BENCHCTL_EXIT__{code}\n")
        return code

    def _run(self, argv: list[str], out: Callable[[str], None]) -> int:
        name, args = argv[0], argv[1:]
        if name == "getprop":
            props = {**FILLER_PROPS, **self.props}
            if args:
                out(props.get(args[0], "") + "\n")
                return 0
            out("".join(f"[{k}]: [{v}]\n" for k, v in sorted(props.items())))
            return 0
        if argv[:2] == ["dumpsys", "thermalservice"]:
            out(THERMALSERVICE.format(**self.thermal))
            return 0
        if argv[:2] == ["dumpsys", "battery"]:
            ac, usb = (str(self.power[k]).lower() for k in ("ac", "usb"))
            status = 2 if (self.power["ac"] or self.power["usb"]) else 3
            out(BATTERY.format(ac=ac, usb=usb, status=status, level=self.battery_level))
            return 0
        if argv[:2] == ["dumpsys", "package"]:
            if not self.installed or args[1] != self.package:
                out(f"Unable to find package: {args[1]}\n")
                return 0
            flags = "DEBUGGABLE " if self.debuggable else ""
            out(PACKAGE.format(pkg=self.package, flags=flags, uid=self.app_uid,
                               permissions=PERMISSIONS))  # fmt: skip
            return 0
        if argv == ["cat", "/proc/stat"]:  # as shell reads it (apps may not since Android 8)
            self.stat_reads += 1
            busy, idle = 1000 + 600 * self.stat_reads, 9000 + 400 * self.stat_reads
            cpus = "".join(f"cpu{i} {busy} 0 0 {idle} 0 0 0 0 0 0\n" for i in range(4))
            out(f"cpu  {4 * busy} 0 0 {4 * idle} 0 0 0 0 0 0\n{cpus}procs_running 2\n")
            return 0
        if argv[:2] == ["dumpsys", "cpuinfo"]:
            out(CPUINFO.format(pkg=self.package))
            return 0
        if argv[:2] == ["dumpsys", "power"]:
            out(POWER.format(wakefulness=self.wakefulness, stay_on=self.stay_on != "0",
                             filler=POWER_FILLER))  # fmt: skip
            return 0
        if argv[:3] == ["dumpsys", "window", "policy"]:
            kg = {k: str(v).lower() for k, v in self.keyguard.items()}
            out(WINDOW_POLICY.format(awake=str(self.wakefulness == "Awake").lower(), **kg))
            return 0
        if argv[:2] == ["input", "keyevent"] and args[1] in ("KEYCODE_WAKEUP", "224"):
            self.wakefulness = "Awake"
            return 0
        if argv[:4] == ["svc", "power", "stayon", "true"]:
            self.stay_on = "7"
            return 0
        if argv[:4] == ["settings", "get", "global", "stay_on_while_plugged_in"]:
            out(self.stay_on + "\n")
            return 0
        if argv[:4] == ["settings", "put", "global", "stay_on_while_plugged_in"]:
            self.stay_on = args[3]
            return 0
        if argv[:2] == ["wm", "dismiss-keyguard"]:
            if self.keyguard["showing"] and not self.keyguard["secure"]:
                self.keyguard["showing"] = False  # a swipe lock goes; a PIN stays
            return 0
        if argv[:2] == ["mkdir", "-p"]:
            self._mkdirs(args[1], SHELL_UID)
            return 0
        if argv[:2] == ["rm", "-rf"]:
            target = self._path(args[-1])
            if target.is_dir() and not target.is_symlink():
                shutil.rmtree(target)
            elif target.exists() or target.is_symlink():
                target.unlink()
            norm = _norm(args[-1])
            for path in [p for p in self.owners if p == norm or p.startswith(norm + "/")]:
                del self.owners[path]
            return 0
        if argv[:2] == ["test", "-e"]:
            return 0 if self._path(args[1]).exists() else 1
        if argv[:2] == ["stat", "-c"]:
            if not self._path(args[2]).exists():
                out(f"stat: '{args[2]}': No such file or directory\n")
                return 1
            out(args[1].replace("%u", str(self.owner_of(args[2]))) + "\n")
            return 0
        if name == "sha256sum":
            target = self._path(args[0])
            if not target.is_file():
                out(f"sha256sum: {args[0]}: No such file or directory\n")
                return 1
            out(f"{hashlib.sha256(target.read_bytes()).hexdigest()}  {args[0]}\n")
            return 0
        if name == "logcat":
            if "-c" not in args:
                out("11-21 10:00:00.000  4242  4242 I benchctl: started\n")
            return 0
        if argv[:2] == ["am", "instrument"]:
            return self._am_instrument(args[1:], out)
        if argv[:2] == ["am", "start"]:
            return self._am_start(args[1:], out)
        if argv[:2] == ["am", "force-stop"]:
            self.running.pop(args[1], None)
            return 0
        if name == "pidof":
            pid = self.running.get(args[0])
            if pid is None:
                return 1
            out(f"{pid}\n")
            return 0
        if name == "echo":
            out(" ".join(args) + "\n")
            return 0
        out(f"/system/bin/sh: {name}: inaccessible or not found\n")
        return 127

    # --- the app -------------------------------------------------------------------------------

    def _play(self, spec: Path, status: Callable[[str], None]) -> bool:
        if self.on_instrument is None:
            return False
        if len(inspect.signature(self.on_instrument).parameters) >= 2:
            return self.on_instrument(spec, status)
        return self.on_instrument(spec)

    def _am_instrument(self, args: list[str], out: Callable[[str], None]) -> int:
        wait = raw = False
        extras: dict[str, str] = {}
        i = 0
        while i < len(args) - 1:
            if args[i] == "-w":
                wait = True
            elif args[i] == "-r":
                raw = True
            elif args[i] == "-e":
                extras[args[i + 1]] = args[i + 2]
                i += 2
            i += 1
        component = args[-1] if args else ""
        if not self.installed or not component.startswith(self.package + "/"):
            out(f"INSTRUMENTATION_FAILED: {component}\n")
            return 1
        lines: list[str] = []

        def emit(text: str) -> None:
            lines.append(text)
            if wait:
                out(text)

        def status(text: str) -> None:  # what Instrumentation.sendStatus prints with(out) -r
            text += "\n"
            emit(f"INSTRUMENTATION_STATUS: stream={text}\nINSTRUMENTATION_STATUS_CODE: 1\n"
                 if raw else text)  # fmt: skip

        def finish(ok: bool, stream: str | None, **results: str) -> None:
            """`stream`: the app's closing text; None when its process died without one."""
            if raw:
                body = "" if stream is None else f"INSTRUMENTATION_RESULT: stream={stream}\n\n"
                body += "".join(f"INSTRUMENTATION_RESULT: {k}={v}\n" for k, v in results.items())
                emit(body + f"INSTRUMENTATION_CODE: {-1 if ok else 0}\n")
            else:
                emit((stream if stream is not None else results.get("shortMsg", "")) + "\n")

        def app() -> None:
            self._app_starts()
            if extras.get("prepare") == "true":
                finish(True, f"prepared {self.app_folder()}/files")
            elif "capabilities" in extras:
                self._write_capabilities(extras["capabilities"], finish)
            elif "spec" not in extras:
                finish(False, "no spec: pass -e spec <path to spec.json>")
            else:
                self._run_app(extras["spec"], status, finish)
            self.instrument_outputs.append("".join(lines))

        if not wait:
            threading.Thread(target=app, daemon=True).start()
            return 0
        app()
        return 0

    def capabilities_doc(self) -> dict:
        """What the app's `-e capabilities` writes: LiteRT with `self.accelerators`."""
        return {
            "schema": "benchctl.capabilities",
            "version": 1,
            "runner": {"name": "benchctl-android", "version": "0.1.0", "contract_versions": [1]},
            "runtimes": [{
                "backend": "litert", "formats": ["tflite"], "version": "1.4.0", "available": True,
                "accelerators": list(self.accelerators), "reason_if_unavailable": None,
            }],
            "device": {"platform": "android", "model": self.props["ro.product.model"]},
        }  # fmt: skip

    def _write_capabilities(self, path: str, finish: Callable) -> None:
        if not self._app_can_write():
            finish(False, f"could not write {path}: open failed: EACCES (Permission denied)")
            return
        target = self._path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(self.capabilities_doc()))
        finish(True, f"capabilities {path}")

    def _run_app(self, spec: str, status: Callable[[str], None], finish: Callable) -> None:
        pid = 4242 + len(self.commands)
        self.running[self.package] = pid
        try:
            if self.instrument_silence_s:
                time.sleep(self.instrument_silence_s)  # copying the model, compiling… silently
            if not self._app_can_write():
                result = posixpath.join(posixpath.dirname(spec), "result.json.tmp")
                finish(
                    False,
                    "BENCHCTL_RESULT status=none error=FileNotFoundException: "
                    f"{result}: open failed: EACCES (Permission denied)",
                )
                return
            try:
                ok = self._play(self._path(spec), status)
            except Exception:  # the app's process died: am instrument says so and returns
                finish(False, None, shortMsg="Process crashed.")
                return
            result = posixpath.join(posixpath.dirname(spec), "result.json")
            if ok or self._path(result).is_file():
                finish(True, f"BENCHCTL_RESULT status=ok path={result}", result_path=result)
            else:
                finish(False, "BENCHCTL_RESULT status=none")
        finally:
            if self.running.get(self.package) == pid:
                del self.running[self.package]

    def _am_start(self, args: list[str], out: Callable[[str], None]) -> int:
        extras: dict[str, str] = {}
        component, stop, i = "", False, 0
        while i < len(args):
            if args[i] == "-n":
                component, i = args[i + 1], i + 1
            elif args[i] == "-S":
                stop = True
            elif args[i] == "--es":
                extras[args[i + 1]], i = args[i + 2], i + 2
            i += 1
        if not self.installed or not component.startswith(self.package + "/"):
            out(f"Error: Activity class {{{component}}} does not exist.\n")
            return 1
        if stop:
            out(f"Stopping: {self.package}\n")
            self.running.pop(self.package, None)
        out(f"Starting: Intent {{ cmp={component} (has extras) }}\n")
        self._app_starts()
        started = threading.Event()

        def app() -> None:
            self.running[self.package] = 4242
            started.set()
            if "spec" in extras:
                self._run_app(extras["spec"], lambda text: None, lambda *a, **k: None)
            self.running.pop(self.package, None)

        threading.Thread(target=app, daemon=True).start()
        started.wait(5)
        out(f"Status: ok\nLaunchState: COLD\nActivity: {component}\nTotalTime: 412\n"
            "WaitTime: 415\nComplete\n")  # fmt: skip
        return 0


# --- Debian's real adb server, reaching the emulated phone with `adb connect` --------------------

ADB = shutil.which("adb") or "/usr/bin/adb"
ADB_MISSING = "Debian's adb is not installed: apt-get install -y adb (.ci/run does this)"


class RealAdbServer:
    """`adb start-server` on a private port with its own key (HOME in a temp folder), so the
    server-mode tests go through the real adb 29 server, host protocol and all."""

    def __init__(self, folder: Path) -> None:
        from adb_shell.auth.keygen import keygen
        from cryptography.hazmat.primitives.serialization import load_pem_private_key

        self.home = Path(folder)
        (self.home / ".android").mkdir(parents=True, exist_ok=True)
        key = self.home / ".android" / "adbkey"
        keygen(str(key))
        self.public_key = load_pem_private_key(key.read_bytes(), password=None).public_key()
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.env = {**os.environ, "HOME": str(self.home), "ANDROID_ADB_SERVER_PORT": str(self.port)}
        self.env.pop("ADB_VENDOR_KEYS", None)

    def adb(self, *args: str, timeout: float = 30) -> str:
        import subprocess

        done = subprocess.run(
            [ADB, "-P", str(self.port), *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        return done.stdout + done.stderr

    def __enter__(self) -> RealAdbServer:
        self.adb("start-server")
        return self

    def __exit__(self, *exc: object) -> None:
        self.adb("kill-server")

    def connect(self, phone: AdbdEmulator) -> str:
        serial = f"127.0.0.1:{phone.port}"
        out = self.adb("connect", serial)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if f"{serial}\tdevice" in self.adb("devices"):
                return serial
            time.sleep(0.2)
        raise RuntimeError(f"adb connect {serial} did not come up: {out} {self.adb('devices')}")
