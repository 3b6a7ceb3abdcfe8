"""A real OpenSSH server on 127.0.0.1 for the ssh transport tests.

Debian's `sshd` runs in the foreground with a throw-away host key, config and authorized key on
an ephemeral port; the tests log in as the current user with a generated client key. `.ci/run`
installs openssh-server, so in CI a missing sshd fails the tests instead of skipping them.
"""

from __future__ import annotations

import getpass
import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

SSHD = "/usr/sbin/sshd"


@dataclass(frozen=True)
class SshServer:
    host: str
    port: int
    user: str
    client_key: Path
    known_hosts: Path
    folder: Path

    @property
    def address(self) -> str:
        return f"{self.user}@{self.host}:{self.port}"

    def device_options(self, root: Path) -> dict[str, object]:
        return {
            "key": str(self.client_key),
            "known_hosts": str(self.known_hosts),
            "python": sys.executable,
            "root": str(root),
        }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _keygen(path: Path) -> None:
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "benchctl-test", "-f", str(path)],
        check=True,
        timeout=30,
    )


@pytest.fixture(scope="session")
def sshd(tmp_path_factory: pytest.TempPathFactory):
    if not os.path.exists(SSHD) or shutil.which("ssh-keygen") is None:
        message = "sshd not found: apt-get install -y openssh-server (.ci/run does this)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    folder = tmp_path_factory.mktemp("sshd")
    folder.chmod(0o755)
    _keygen(folder / "host_key")
    _keygen(folder / "client_key")
    (folder / "authorized_keys").write_text((folder / "client_key.pub").read_text())
    if os.geteuid() == 0:
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # sshd's privilege-separation dir
    last_error = ""
    for _attempt in range(3):  # the ephemeral port may be taken between probe and bind
        port = _free_port()
        config = folder / "sshd_config"
        config.write_text(
            "\n".join(
                [
                    "ListenAddress 127.0.0.1",
                    f"Port {port}",
                    f"HostKey {folder / 'host_key'}",
                    f"PidFile {folder / 'sshd.pid'}",
                    f"AuthorizedKeysFile {folder / 'authorized_keys'}",
                    "PubkeyAuthentication yes",
                    "PasswordAuthentication no",
                    "KbdInteractiveAuthentication no",
                    "PermitRootLogin prohibit-password",
                    "StrictModes no",
                    "UsePAM no",
                    "Subsystem sftp internal-sftp",
                    "LogLevel ERROR",
                    "",
                ]
            )
        )
        proc = subprocess.Popen(
            [SSHD, "-D", "-e", "-f", str(config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        if proc.poll() is None:
            break
        last_error = proc.stderr.read() if proc.stderr else ""
    else:
        pytest.fail(f"sshd did not start: {last_error}")
    key = (folder / "host_key.pub").read_text().split()
    (folder / "known_hosts").write_text(f"[127.0.0.1]:{port} {key[0]} {key[1]}\n")
    try:
        yield SshServer(
            "127.0.0.1",
            port,
            getpass.getuser(),
            folder / "client_key",
            folder / "known_hosts",
            folder,
        )
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture
def inventory_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The user's device inventory in a temporary folder."""
    folder = tmp_path / "config"
    monkeypatch.setenv("BENCHCTL_CONFIG_DIR", str(folder))
    return folder


@pytest.fixture(scope="session")
def pmd3_python() -> Path:
    """pymobiledevice3 (pinned) in its own virtual environment: its interpreter (pmd3_env.py)."""
    from pmd3_env import for_tests

    return for_tests()
