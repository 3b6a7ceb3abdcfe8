"""A test-side adbd: the device end of the adb wire protocol, on 127.0.0.1, over a temp folder.

It speaks what a phone's adbd speaks to a host: 24-byte message headers (command, arg0, arg1,
length, byte-sum checksum, magic = command ^ 0xffffffff), CNXN and RSA AUTH (token → signature
checked against the authorized public keys, or an RSAPUBLICKEY that waits for a tap on the
phone that never comes), OPEN/OKAY/WRTE/CLSE streams with one-WRTE-in-flight flow control, the
`shell:` service, and the `sync:` sub-protocol (SEND/DATA/DONE, RECV, STAT, QUIT) with the
folder standing in for the phone's file system. Shell commands are answered from a small table
(getprop, dumpsys thermalservice/battery/package, mkdir, rm, test, sha256sum, logcat, am…), the
way a phone would print them; `am instrument` calls back into the test to play the app.
"""

from __future__ import annotations

import hashlib
import os
import shlex
import shutil
import socket
import struct
import threading
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
BATTERY = """Current Battery Service state:
  AC powered: false
  USB powered: true
  Wireless powered: false
  Dock powered: false
  Max charging current: 500000
  Charge counter: 3912000
  status: 2
  health: 2
  present: true
  level: {level}
  scale: 100
  voltage: 4212
  temperature: 312
  technology: Li-ion
"""
PACKAGE = """Packages:
  Package [{pkg}] (8f2c1d0):
    userId=10245
    pkg=Package{{5c1e4e2 {pkg}}}
    codePath=/data/app/~~Xb1Q==/{pkg}-2Rk==
    versionCode=3 minSdk=26 targetSdk=35
    versionName=0.1.0
    flags=[ {flags}HAS_CODE ALLOW_CLEAR_USER_DATA ]
    pkgFlags=[ {flags}HAS_CODE ALLOW_CLEAR_USER_DATA ]
"""


class AdbdEmulator:
    def __init__(
        self,
        root: Path,
        *,
        authorized: list[RSAPublicKey] | None = None,
        on_instrument: Callable[[Path], bool] | None = None,
        package: str = "dev.benchctl.android",
    ) -> None:
        self.root = Path(root)
        self.authorized = authorized  # None: no authentication (as a dev phone with adb insecure)
        self.on_instrument = on_instrument
        self.package = package
        self.props = dict(GETPROP)
        self.thermal = {"status": 0, "skin": 30.5, "cpu": 41.0}
        self.battery_level = 88
        self.debuggable = False
        self.installed = True
        self.commands: list[str] = []  # every shell command, as received
        self.public_key_offered = threading.Event()
        self._server = socket.create_server(("127.0.0.1", 0))
        self._server.settimeout(0.2)  # so accept() notices the stop flag
        self.port = self._server.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)

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
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    # --- messages ------------------------------------------------------------------------------

    def _send(self, conn: socket.socket, cmd: int, arg0: int, arg1: int, data: bytes = b"") -> None:
        header = struct.pack(
            "<6I", cmd, arg0, arg1, len(data), sum(data) & 0xFFFFFFFF, cmd ^ 0xFFFFFFFF
        )
        conn.sendall(header + data)

    def _recv_exact(self, conn: socket.socket, n: int) -> bytes:
        buf = b""
        while len(buf) < n:
            chunk = conn.recv(n - len(buf))
            if not chunk:
                raise ConnectionError("host closed the connection")
            buf += chunk
        return buf

    def _recv(self, conn: socket.socket) -> tuple[int, int, int, bytes]:
        cmd, arg0, arg1, length, check, magic = struct.unpack("<6I", self._recv_exact(conn, 24))
        if magic != cmd ^ 0xFFFFFFFF:
            raise ConnectionError("bad magic")
        data = self._recv_exact(conn, length) if length else b""
        if check and (sum(data) & 0xFFFFFFFF) != check:
            raise ConnectionError("bad checksum")
        return cmd, arg0, arg1, data

    def _write(self, conn: socket.socket, local: int, remote: int, data: bytes) -> None:
        """WRTE chunks, each waiting for the host's OKAY (one message in flight)."""
        for i in range(0, len(data), MAXDATA):
            self._send(conn, WRTE, local, remote, data[i : i + MAXDATA])
            cmd, *_ = self._recv(conn)
            if cmd != OKAY:
                raise ConnectionError("expected OKAY after WRTE")

    # --- connection ----------------------------------------------------------------------------

    def _serve(self, conn: socket.socket) -> None:
        try:
            with conn:
                self._handshake(conn)
                next_id = 1
                sync_buffers: dict[int, bytearray] = {}
                pending_send: dict[int, dict] = {}
                while not self._stop.is_set():
                    cmd, arg0, arg1, data = self._recv(conn)
                    if cmd == OPEN:
                        local, remote, next_id = next_id, arg0, next_id + 1
                        service = data.rstrip(b"\0").decode()
                        self._send(conn, OKAY, local, remote)
                        if service.startswith("shell:"):
                            out = self._shell(service[len("shell:") :])
                            self._write(conn, local, remote, out.encode())
                            self._send(conn, CLSE, local, remote)
                        elif service == "sync:":
                            sync_buffers[local] = bytearray()
                        else:
                            self._send(conn, CLSE, local, remote)
                    elif cmd == WRTE:
                        local, remote = arg1, arg0
                        self._send(conn, OKAY, local, remote)
                        if local in sync_buffers:
                            sync_buffers[local] += data
                            self._sync(conn, local, remote, sync_buffers[local], pending_send)
                    elif cmd == CLSE:
                        if arg1 in sync_buffers:  # the host closes a stream: adbd confirms
                            self._send(conn, CLSE, arg1, arg0)
                        sync_buffers.pop(arg1, None)
                        pending_send.pop(arg1, None)
        except (ConnectionError, OSError):
            return

    def _handshake(self, conn: socket.socket) -> None:
        banner = (
            b"device::ro.product.name=shiba;ro.product.model=Pixel 8;ro.product.device=shiba;\0"
        )
        cmd, *_ = self._recv(conn)
        if cmd != CNXN:
            raise ConnectionError("expected CNXN")
        if self.authorized is None:
            self._send(conn, CNXN, VERSION, MAXDATA, banner)
            return
        while True:
            token = os.urandom(20)
            self._send(conn, AUTH, AUTH_TOKEN, 0, token)
            cmd, arg0, _, data = self._recv(conn)
            if cmd != AUTH:
                raise ConnectionError("expected AUTH")
            if arg0 == AUTH_RSAPUBLICKEY:
                self.public_key_offered.set()  # a real phone now shows "Allow USB debugging?"
                while not self._stop.is_set():
                    self._recv(conn)  # nobody taps Allow
                return
            for key in self.authorized:
                try:
                    key.verify(data, token, padding.PKCS1v15(), utils.Prehashed(hashes.SHA1()))
                except InvalidSignature:
                    continue
                self._send(conn, CNXN, VERSION, MAXDATA, banner)
                return

    # --- sync: ---------------------------------------------------------------------------------

    def _path(self, device_path: str) -> Path:
        return self.root / device_path.lstrip("/")

    def _sync(
        self, conn: socket.socket, local: int, remote: int, buf: bytearray, pending: dict
    ) -> None:
        while len(buf) >= 8:
            sid, length = buf[:4], struct.unpack("<I", buf[4:8])[0]
            if sid in (b"SEND", b"RECV", b"STAT", b"LIST", b"DATA"):
                if len(buf) < 8 + length:
                    return
                body = bytes(buf[8 : 8 + length])
                del buf[: 8 + length]
            else:  # DONE (mtime in the length field) and QUIT carry no body
                body = b""
                del buf[:8]
            if sid == b"SEND":
                path, _, _mode = body.decode().rpartition(",")
                pending[local] = {"path": path, "data": bytearray()}
            elif sid == b"DATA":
                pending[local]["data"] += body
            elif sid == b"DONE":
                item = pending.pop(local)
                target = self._path(item["path"])
                if target.parent.is_dir():
                    target.write_bytes(bytes(item["data"]))
                    self._write(conn, local, remote, b"OKAY" + struct.pack("<I", 0))
                else:
                    msg = f"secure_mkdirs failed: No such file or directory: {item['path']}"
                    self._write(
                        conn, local, remote, b"FAIL" + struct.pack("<I", len(msg)) + msg.encode()
                    )
            elif sid == b"RECV":
                target = self._path(body.decode())
                if not target.is_file():
                    msg = b"No such file or directory"
                    self._write(conn, local, remote, b"FAIL" + struct.pack("<I", len(msg)) + msg)
                    continue
                payload = target.read_bytes()
                out = bytearray()
                for i in range(0, len(payload), 64 * 1024):
                    chunk = payload[i : i + 64 * 1024]
                    out += b"DATA" + struct.pack("<I", len(chunk)) + chunk
                out += b"DONE" + struct.pack("<I", 0)
                self._write(conn, local, remote, bytes(out))
            elif sid == b"STAT":
                target = self._path(body.decode())
                if target.exists():
                    st = target.stat()
                    stat = struct.pack("<3I", st.st_mode, st.st_size, int(st.st_mtime))
                else:
                    stat = struct.pack("<3I", 0, 0, 0)
                self._write(conn, local, remote, b"STAT" + stat)
            elif sid == b"QUIT":
                return

    # --- shell: --------------------------------------------------------------------------------

    def _shell(self, command: str) -> str:
        self.commands.append(command)
        marker = command.endswith(EXIT_SUFFIX)
        if marker:
            command = command[: -len(EXIT_SUFFIX)]
        out, code = self._run(shlex.split(command))
        return out + (f"__BENCHCTL_EXIT__{code}\n" if marker else "")

    def _run(self, argv: list[str]) -> tuple[str, int]:
        name, args = argv[0], argv[1:]
        if name == "getprop":
            return "".join(f"[{k}]: [{v}]\n" for k, v in sorted(self.props.items())), 0
        if argv[:2] == ["dumpsys", "thermalservice"]:
            return THERMALSERVICE.format(**self.thermal), 0
        if argv[:2] == ["dumpsys", "battery"]:
            return BATTERY.format(level=self.battery_level), 0
        if argv[:2] == ["dumpsys", "package"]:
            if not self.installed or args[1] != self.package:
                return "", 0
            flags = "DEBUGGABLE " if self.debuggable else ""
            return PACKAGE.format(pkg=self.package, flags=flags), 0
        if argv[:2] == ["mkdir", "-p"]:
            self._path(args[1]).mkdir(parents=True, exist_ok=True)
            return "", 0
        if argv[:2] == ["rm", "-rf"]:
            target = self._path(args[-1])
            if target.is_dir():
                shutil.rmtree(target)
            elif target.exists():
                target.unlink()
            return "", 0
        if argv[:2] == ["test", "-e"]:
            return "", 0 if self._path(args[1]).exists() else 1
        if name == "sha256sum":
            target = self._path(args[0])
            if not target.is_file():
                return f"sha256sum: {args[0]}: No such file or directory\n", 1
            return f"{hashlib.sha256(target.read_bytes()).hexdigest()}  {args[0]}\n", 0
        if name == "logcat":
            if "-c" in args:
                return "", 0
            return "11-21 10:00:00.000  4242  4242 I benchctl: started\n", 0
        if argv[:2] == ["am", "instrument"]:
            spec = args[args.index("spec") + 1]
            ok = self.on_instrument(self._path(spec)) if self.on_instrument else False
            if not ok:
                return (
                    "INSTRUMENTATION_RESULT: shortMsg=Process crashed.\nINSTRUMENTATION_CODE: 0\n",
                    0,
                )
            return (
                "INSTRUMENTATION_STATUS: id=benchctl\nINSTRUMENTATION_STATUS_CODE: 1\n"
                "INSTRUMENTATION_RESULT: result=ok\nINSTRUMENTATION_CODE: -1\n",
                0,
            )
        if argv[:2] == ["am", "force-stop"]:
            return "", 0
        if name == "pidof":
            return "", 1
        if name == "echo":
            return " ".join(args) + "\n", 0
        return f"/system/bin/sh: {name}: inaccessible or not found\n", 127
