"""An iPhone's app container as pymobiledevice3 reaches it: house_arrest, then AFC, over TCP.

This is the *device* side of the two protocols, written from pymobiledevice3 11.45's client
(`services/house_arrest.py`, `services/afc.py`) and the AFC wire format it speaks, so that the
tests can drive pymobiledevice3's own `AfcService` push/pull/rm — the real client code, through
its real `ServiceConnection` — against a container kept in memory. `pmd3_shim.py` (run inside
pymobiledevice3's own virtual environment) points the CLI's device connection here.

Strict where the tests rely on it, as the device is (and stricter where unsure):
- no implicit parents: opening a file for writing, or MAKE_DIR, in a folder that does not exist
  answers OBJECT_NOT_FOUND (pymobiledevice3 documents MAKE_DIR as creating parents; this peer
  does not, so nothing here depends on that);
- MAKE_DIR of an existing path answers OBJECT_EXISTS; REMOVE_PATH of a non-empty folder answers
  DIR_NOT_EMPTY; opening a folder as a file answers OBJECT_IS_DIR;
- paths are resolved against the container root and may not leave it (PERM_DENIED);
- a vend for another bundle id answers `ApplicationLookupFailed`, as lockdownd does.

Wire format: every packet is a 40-byte little-endian header (`CFA6LPAA`, entire length, this
length, packet number, opcode) and a payload; answers echo the packet number and carry STATUS
(a u64 AfcError), DATA, or FILE_OPEN_RES (a u64 handle).
"""

from __future__ import annotations

import plistlib
import posixpath
import socket
import socketserver
import struct
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

MAGIC = b"CFA6LPAA"
HEADER = struct.Struct("<8sQQQQ")

# Opcodes (AfcOpcode) and errors (AfcError) as pymobiledevice3 numbers them.
STATUS, DATA, READ_DIR, REMOVE_PATH, MAKE_DIR, GET_FILE_INFO, GET_DEVINFO = 1, 2, 3, 8, 9, 10, 11
FILE_OPEN, FILE_OPEN_RES, READ, WRITE, FILE_CLOSE, RENAME_PATH = 13, 14, 15, 16, 20, 24
SUCCESS, INVALID_ARG, OBJECT_NOT_FOUND, OBJECT_IS_DIR, PERM_DENIED = 0, 7, 8, 9, 10
OP_NOT_SUPPORTED, OBJECT_EXISTS, DIR_NOT_EMPTY = 15, 16, 33
RDONLY, RW, WRONLY, WR, APPEND, RDAPPEND = 1, 2, 3, 4, 5, 6

CONTAINER_FOLDERS = ("Documents", "Library", "Library/Caches", "SystemData", "tmp")


class AfcFailure(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


@dataclass
class Node:
    is_dir: bool
    data: bytearray = field(default_factory=bytearray)
    mtime_ns: int = field(default_factory=time.time_ns)


class Container:
    """One app's data container: a folder tree in memory, shared by every connection."""

    def __init__(self) -> None:
        self.nodes: dict[str, Node] = {"": Node(True)}
        self.lock = threading.RLock()
        for folder in CONTAINER_FOLDERS:
            self.nodes[folder] = Node(True)

    # --- paths ---------------------------------------------------------------------------------

    @staticmethod
    def norm(path: str) -> str:
        """A device path (absolute or relative to the container) as a key; refuses `..` out."""
        parts: list[str] = []
        for part in path.split("/"):
            if part in ("", "."):
                continue
            if part == "..":
                if not parts:
                    raise AfcFailure(PERM_DENIED)
                parts.pop()
                continue
            parts.append(part)
        return "/".join(parts)

    def _parent_dir(self, key: str) -> None:
        parent = self.nodes.get(posixpath.dirname(key))
        if parent is None:
            raise AfcFailure(OBJECT_NOT_FOUND)
        if not parent.is_dir:
            raise AfcFailure(OBJECT_NOT_FOUND)  # ENOTDIR: a file is not a folder to write into

    def children(self, key: str) -> list[str]:
        prefix = key + "/" if key else ""
        return sorted(
            k[len(prefix) :]
            for k in self.nodes
            if k and k.startswith(prefix) and "/" not in k[len(prefix) :]
        )

    # --- operations (what afcd does with each request) -----------------------------------------

    def stat(self, path: str) -> dict[str, str]:
        with self.lock:
            node = self.nodes.get(self.norm(path))
            if node is None:
                raise AfcFailure(OBJECT_NOT_FOUND)
            size = len(node.data) if not node.is_dir else 64
            return {
                "st_size": str(size),
                "st_blocks": str((size + 511) // 512),
                "st_nlink": str(2 + len(self.children(self.norm(path))) if node.is_dir else 1),
                "st_ifmt": "S_IFDIR" if node.is_dir else "S_IFREG",
                "st_mtime": str(node.mtime_ns),
                "st_birthtime": str(node.mtime_ns),
            }

    def listdir(self, path: str) -> list[str]:
        with self.lock:
            key = self.norm(path)
            node = self.nodes.get(key)
            if node is None:
                raise AfcFailure(OBJECT_NOT_FOUND)
            if not node.is_dir:
                raise AfcFailure(INVALID_ARG)
            return [".", "..", *self.children(key)]

    def mkdir(self, path: str) -> None:
        with self.lock:
            key = self.norm(path)
            if key in self.nodes:
                raise AfcFailure(OBJECT_EXISTS)
            self._parent_dir(key)
            self.nodes[key] = Node(True)

    def remove(self, path: str) -> None:
        with self.lock:
            key = self.norm(path)
            node = self.nodes.get(key)
            if node is None or key == "":
                raise AfcFailure(OBJECT_NOT_FOUND if node is None else PERM_DENIED)
            if node.is_dir and self.children(key):
                raise AfcFailure(DIR_NOT_EMPTY)
            del self.nodes[key]

    def rename(self, source: str, target: str) -> None:
        with self.lock:
            src, dst = self.norm(source), self.norm(target)
            if src not in self.nodes:
                raise AfcFailure(OBJECT_NOT_FOUND)
            self._parent_dir(dst)
            moved = {k: v for k, v in self.nodes.items() if k == src or k.startswith(src + "/")}
            for k in moved:
                del self.nodes[k]
            for k, v in moved.items():
                self.nodes[dst + k[len(src) :]] = v

    def open(self, path: str, mode: int) -> str:
        with self.lock:
            key = self.norm(path)
            node = self.nodes.get(key)
            if node is not None and node.is_dir:
                raise AfcFailure(OBJECT_IS_DIR)
            if mode == RDONLY:
                if node is None:
                    raise AfcFailure(OBJECT_NOT_FOUND)
                return key
            if mode not in (RW, WRONLY, WR, APPEND, RDAPPEND):
                raise AfcFailure(INVALID_ARG)
            if node is None:
                self._parent_dir(key)
                self.nodes[key] = Node(False)
            elif mode in (WRONLY, WR):
                node.data.clear()
                node.mtime_ns = time.time_ns()
            return key

    # --- what the tests (and the stand-in app) use ---------------------------------------------

    def exists(self, path: str) -> bool:
        with self.lock:
            return self.norm(path) in self.nodes

    def read(self, path: str) -> bytes:
        with self.lock:
            node = self.nodes[self.norm(path)]
            assert not node.is_dir, path
            return bytes(node.data)

    def write(self, path: str, data: bytes) -> None:
        """A write by the app itself (FileManager in its own container; the folder must exist)."""
        with self.lock:
            key = self.open(path, WRONLY)
            self.nodes[key].data[:] = data

    def files(self, under: str = "") -> list[str]:
        """Every file below `under`, as container paths (sorted)."""
        with self.lock:
            root = self.norm(under)
            prefix = root + "/" if root else ""
            return sorted(k for k, v in self.nodes.items() if not v.is_dir and k.startswith(prefix))

    def export(self, path: str, local: Path) -> Path:
        """Copy a file or folder out of the container (how the stand-in app reads its inputs)."""
        with self.lock:
            key = self.norm(path)
            node = self.nodes[key]
            if not node.is_dir:
                local.parent.mkdir(parents=True, exist_ok=True)
                local.write_bytes(bytes(node.data))
                return local
            local.mkdir(parents=True, exist_ok=True)
            for name in self.children(key):
                self.export(f"{key}/{name}", local / name)
            return local


class _Session:
    """One AFC connection: its open files and the packet loop."""

    def __init__(self, container: Container, sock: socket.socket) -> None:
        self.container, self.sock = container, sock
        self.handles: dict[int, list] = {}  # handle → [key, position]
        self.next_handle = 1

    def recvall(self, n: int) -> bytes | None:
        chunks, got = [], 0
        while got < n:
            chunk = self.sock.recv(n - got)
            if not chunk:
                return None
            chunks.append(chunk)
            got += len(chunk)
        return b"".join(chunks)

    def answer(self, packet_num: int, opcode: int, payload: bytes) -> None:
        length = HEADER.size + len(payload)
        self.sock.sendall(HEADER.pack(MAGIC, length, length, packet_num, opcode) + payload)

    def serve(self) -> None:
        while True:
            header = self.recvall(HEADER.size)
            if header is None:
                return
            magic, entire, _this, packet_num, opcode = HEADER.unpack(header)
            if magic != MAGIC or entire < HEADER.size:
                return  # afcd drops a connection that does not speak AFC
            payload = self.recvall(entire - HEADER.size) if entire > HEADER.size else b""
            if payload is None:
                return
            try:
                kind, data = self.handle(opcode, payload)
            except AfcFailure as exc:
                kind, data = STATUS, struct.pack("<Q", exc.status)
            self.answer(packet_num, kind, data)

    @staticmethod
    def _cstrings(payload: bytes) -> list[str]:
        return [p.decode() for p in payload.split(b"\0")[:-1]]

    def _handle_of(self, payload: bytes) -> list:
        (handle,) = struct.unpack_from("<Q", payload)
        if handle not in self.handles:
            raise AfcFailure(INVALID_ARG)
        return self.handles[handle]

    def handle(self, opcode: int, payload: bytes) -> tuple[int, bytes]:
        c = self.container
        ok = (STATUS, struct.pack("<Q", SUCCESS))
        if opcode == GET_FILE_INFO:
            info = c.stat(self._cstrings(payload)[0])
            return DATA, b"".join(k.encode() + b"\0" + v.encode() + b"\0" for k, v in info.items())
        if opcode == READ_DIR:
            return DATA, b"".join(n.encode() + b"\0" for n in c.listdir(self._cstrings(payload)[0]))
        if opcode == MAKE_DIR:
            c.mkdir(self._cstrings(payload)[0])
            return ok
        if opcode == REMOVE_PATH:
            c.remove(self._cstrings(payload)[0])
            return ok
        if opcode == RENAME_PATH:
            source, target = self._cstrings(payload)[:2]
            c.rename(source, target)
            return ok
        if opcode == GET_DEVINFO:
            info = {"Model": "iPhone13,2", "FSTotalBytes": "68719476736", "FSBlockSize": "4096"}
            return DATA, b"".join(k.encode() + b"\0" + v.encode() + b"\0" for k, v in info.items())
        if opcode == FILE_OPEN:
            (mode,) = struct.unpack_from("<Q", payload)
            key = c.open(payload[8:].split(b"\0")[0].decode(), mode)
            handle, self.next_handle = self.next_handle, self.next_handle + 1
            self.handles[handle] = [key, 0]
            return FILE_OPEN_RES, struct.pack("<Q", handle)
        if opcode == READ:
            entry = self._handle_of(payload)
            (size,) = struct.unpack_from("<Q", payload, 8)
            with c.lock:
                node = c.nodes.get(entry[0])
                if node is None:
                    raise AfcFailure(OBJECT_NOT_FOUND)
                chunk = bytes(node.data[entry[1] : entry[1] + size])
            entry[1] += len(chunk)
            return DATA, chunk
        if opcode == WRITE:
            entry = self._handle_of(payload)
            data = payload[8:]
            with c.lock:
                node = c.nodes.get(entry[0])
                if node is None:
                    raise AfcFailure(OBJECT_NOT_FOUND)
                node.data[entry[1] : entry[1] + len(data)] = data
                node.mtime_ns = time.time_ns()
            entry[1] += len(data)
            return ok
        if opcode == FILE_CLOSE:
            (handle,) = struct.unpack_from("<Q", payload)
            if self.handles.pop(handle, None) is None:
                raise AfcFailure(INVALID_ARG)
            return ok
        raise AfcFailure(OP_NOT_SUPPORTED)


class _Handler(socketserver.BaseRequestHandler):
    server: AfcDevice

    def handle(self) -> None:
        device, sock = self.server, self.request
        session = _Session(device.container, sock)
        size = session.recvall(4)
        if size is None:
            return
        request = plistlib.loads(session.recvall(struct.unpack(">L", size)[0]) or b"")
        device.vends.append(dict(request))
        if request.get("Command") not in ("VendContainer", "VendDocuments"):
            reply = {"Error": "UnknownCommand"}
        elif request.get("Identifier") != device.bundle:
            reply = {"Error": "ApplicationLookupFailed"}
        else:
            reply = {"Status": "Complete"}
        body = plistlib.dumps(reply)
        sock.sendall(struct.pack(">L", len(body)) + body)
        if "Error" in reply:
            return
        if request["Command"] == "VendDocuments":
            raise AssertionError("this peer vends whole containers (benchctl: VendContainer)")
        session.serve()


class AfcDevice(socketserver.ThreadingTCPServer):
    """house_arrest + AFC on 127.0.0.1:<port> for one app (`bundle`), over one Container."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, bundle: str = "dev.benchctl.ios") -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.bundle = bundle
        self.container = Container()
        self.vends: list[dict] = []
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self.server_address[1]

    def __enter__(self) -> AfcDevice:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()
