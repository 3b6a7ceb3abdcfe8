"""Real servers for the tests, started by the suite itself (never ones left running).

PostgreSQL:
One server per test session, in a fresh folder under /tmp, on a free port on 127.0.0.1, with
durability switched off (fsync, synchronous_commit: the tests check logic, not crash safety of
PostgreSQL itself). Each test that asks for `pg_url` gets its own empty database, dropped after.
Debian's server binaries live in /usr/lib/postgresql/<version>/bin (BENCHCTL_PG_BIN overrides);
as root, the server runs as the `postgres` user, because initdb refuses to run as root.

Redis (`redis_server`, `broker_url`): one `redis-server` per session on a free port, no
persistence; each test that asks for `broker_url` gets an emptied database. `.ci/run` installs
redis-server when it is missing.

`cached_home`: a `.benchctl/` folder for the test's project that already holds the tiny model's
ONNX artifact, so subprocess runs (CLI, lab workers) skip the export.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest


def _pg_bin() -> Path | None:
    env = os.environ.get("BENCHCTL_PG_BIN")
    if env:
        return Path(env)
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), reverse=True)
    if found:
        return found[0].parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def missing(what: str, fix: str) -> None:
    """Fail in CI (the suite must run everything there), skip with the fix elsewhere."""
    if os.environ.get("CI"):
        pytest.fail(f"{what} is missing in CI; {fix}")
    pytest.skip(f"{what} is not installed; {fix}")


@dataclass(frozen=True)
class PgServer:
    port: int
    root: Path

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname="postgres", autocommit=True
        ) as conn:
            conn.execute(sql)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PgServer]:
    bin_dir = _pg_bin()
    if bin_dir is None or not (bin_dir / "pg_ctl").is_file():
        missing("PostgreSQL (initdb, pg_ctl)", "apt-get install postgresql")
    pytest.importorskip("psycopg", reason="pip install 'benchctl[postgres]'")
    assert bin_dir is not None
    root = Path(tempfile.mkdtemp(prefix="benchctl-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    data, port = root / "data", free_port()

    def run(*argv: str) -> None:
        done = subprocess.run([*as_user, *argv], capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            log = (root / "server.log").read_text() if (root / "server.log").exists() else ""
            raise RuntimeError(f"{argv[0]} failed: {done.stderr}{done.stdout}\n{log[-2000:]}")

    started = False
    try:
        run(str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
            "-E", "UTF8", "--no-sync", "--no-instructions")  # fmt: skip
        options = (
            f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=60"
        )
        run(str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(root / "server.log"),
            "-o", options, "-w", "-t", "60", "start")  # fmt: skip
        started = True
        yield PgServer(port, root)
    finally:
        if started:
            run(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def pg_url(postgres_server: PgServer) -> Iterator[str]:
    """An empty database of its own on the session's server; dropped after the test."""
    name = "t_" + uuid.uuid4().hex[:16]
    postgres_server.admin(f'create database "{name}"')
    yield postgres_server.url(name)
    postgres_server.admin(f'drop database "{name}" with (force)')


@dataclass(frozen=True)
class RedisServer:
    port: int

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    exe = shutil.which("redis-server")
    if exe is None:
        missing("redis-server", "apt-get install redis-server (.ci/run does)")
    pytest.importorskip("redis", reason="pip install 'benchctl[lab]'")
    assert exe is not None
    import redis

    root = Path(tempfile.mkdtemp(prefix="benchctl-redis-"))
    port = free_port()
    argv = [exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--dir", str(root), "--logfile", str(root / "redis.log")]  # fmt: skip
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        client = redis.Redis(port=port, socket_connect_timeout=1)
        for _ in range(100):
            if proc.poll() is not None:
                raise RuntimeError(f"redis-server exited: {proc.stderr.read().decode()}")
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        else:
            raise RuntimeError("redis-server did not answer within 5 s")
        yield RedisServer(port)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def broker_url(redis_server: RedisServer) -> str:
    import redis

    redis.Redis(port=redis_server.port).flushdb()
    return redis_server.url()


@pytest.fixture
def cached_home(isolated_project: Path, tiny_artifact, shared_home: Path) -> Path:
    """The project's `.benchctl/` with test_mobileone's ONNX artifact already in its cache."""
    home = isolated_project / ".benchctl"
    shutil.copytree(shared_home / "artifacts", home / "artifacts")
    return home
