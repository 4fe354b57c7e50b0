"""A real PostgreSQL 15 cluster on loopback, thrown away after the test run.

`initdb` makes a cluster in a temporary folder, the server listens on a free
127.0.0.1 port only (trust authentication: nothing but this machine reaches
it) and runs as the `postgres` user when the tests run as root (PostgreSQL
refuses to run as root). The binaries come from Debian's `postgresql-15`
package, which `devtools/test` installs. Durability is off (fsync, full page
writes): the cluster is scratch.

A template database is migrated once; each test that wants a store gets a
fresh copy (`CREATE DATABASE … TEMPLATE`), dropped after it.

Its fixtures are available to every test module (`pytest_plugins` in tests/conftest.py).
"""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

PG_BIN = Path(os.environ.get("ONCALL_PG_BIN", "/usr/lib/postgresql/15/bin"))
START_TIMEOUT = 30.0
TEMPLATE = "oncall_template"
_names = itertools.count(1)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class PgCluster:
    """A running cluster: where it listens, its folder, and how to stop and start it again."""

    folder: Path
    port: int
    user: str  # the cluster's superuser (the OS user it runs as)
    proc: subprocess.Popen | None = None

    @property
    def data(self) -> Path:
        return self.folder / "data"

    def url(self, database: str = "postgres", user: str | None = None) -> str:
        return f"postgresql://{user or self.user}@127.0.0.1:{self.port}/{database}"

    def admin(self, database: str = "postgres"):
        import psycopg

        return psycopg.connect(self.url(database), autocommit=True)

    def _run_as(self) -> dict:
        if os.getuid() != 0:
            return {}
        entry = pwd.getpwnam("postgres")
        return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}

    def start(self) -> None:
        log = open(self.folder / "server.log", "ab")
        self.proc = subprocess.Popen(
            [str(PG_BIN / "postgres"), "-D", str(self.data), "-p", str(self.port), "-c", "listen_addresses=127.0.0.1",
             "-c", f"unix_socket_directories={self.folder}", "-c", "fsync=off", "-c", "full_page_writes=off",
             "-c", "synchronous_commit=off", "-c", "max_connections=300", "-c", "shared_buffers=256MB",
             "-c", "log_min_messages=warning"],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
            **self._run_as())
        log.close()
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"postgres exited with {self.proc.returncode}: {self.log_tail()}")
            if subprocess.run([str(PG_BIN / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port), "-q"],
                              check=False).returncode == 0:
                return
            time.sleep(0.05)  # polling for readiness, not waiting for time to pass
        raise RuntimeError(f"postgres did not answer on 127.0.0.1:{self.port}: {self.log_tail()}")

    def stop(self, how: int = signal.SIGINT) -> None:
        """Stop the server by its pid (SIGINT: fast shutdown, clients are disconnected; SIGQUIT: crash-like)."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(how)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def restart(self) -> None:
        self.stop()
        self.start()

    def log_tail(self) -> str:
        try:
            return (self.folder / "server.log").read_text(errors="replace")[-2000:]
        except OSError:
            return ""


def start_cluster() -> PgCluster:
    """initdb in a new temporary folder, then start the server on a free loopback port."""
    if not (PG_BIN / "initdb").exists():
        raise RuntimeError(f"no PostgreSQL binaries in {PG_BIN}: install Debian's postgresql-15 "
                           "(devtools/test does)")
    folder = Path(tempfile.mkdtemp(prefix="oncall-pg-"))
    user = "postgres" if os.getuid() == 0 else pwd.getpwuid(os.getuid()).pw_name
    cluster = PgCluster(folder, _free_port(), user)
    if os.getuid() == 0:
        entry = pwd.getpwnam("postgres")
        os.chown(folder, entry.pw_uid, entry.pw_gid)
    folder.chmod(0o700)
    subprocess.run([str(PG_BIN / "initdb"), "-D", str(cluster.data), "-U", user, "--auth=trust", "-E", "UTF8",
                    "--locale=C.UTF-8", "--no-sync"], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                   cwd=folder, **cluster._run_as())
    cluster.start()
    return cluster


def remove_cluster(cluster: PgCluster) -> None:
    cluster.stop()
    shutil.rmtree(cluster.folder, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_cluster():
    cluster = start_cluster()
    yield cluster
    remove_cluster(cluster)


@pytest.fixture(scope="session")
def pg_template(pg_cluster) -> str:
    """A database migrated to the current schema, the template of every test's database."""
    from oncall_tui.store.engines import open_store

    with pg_cluster.admin() as conn:
        conn.execute(f"CREATE DATABASE {TEMPLATE}")
    open_store(pg_cluster.url(TEMPLATE)).close()
    return TEMPLATE


def new_database(cluster: PgCluster, template: str | None = TEMPLATE) -> str:
    name = f"oncall_test_{os.getpid()}_{next(_names)}"
    with cluster.admin() as conn:
        conn.execute(f"CREATE DATABASE {name}" + (f" TEMPLATE {template}" if template else ""))
    return name


def drop_database(cluster: PgCluster, name: str) -> None:
    if cluster.proc is None or cluster.proc.poll() is not None:
        return
    with cluster.admin() as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def pg_url(pg_cluster, pg_template):
    """The URL of a fresh, migrated, empty store database of its own (dropped after the test)."""
    name = new_database(pg_cluster)
    yield pg_cluster.url(name)
    drop_database(pg_cluster, name)
