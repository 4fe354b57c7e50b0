"""A real OpenSSH server on loopback, for tests of anything that runs over ssh.

The server runs as the current user with its own throw-away host key and an
ed25519 client key generated for the test run; the client side is a temporary
`ssh_config` with `Host testserver`, so code under test runs the system `ssh`
exactly as it would against a customer server (`ssh -F CONFIG testserver ...`).

Its fixtures are available to every test module (`pytest_plugins` in tests/conftest.py).
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from oncall_tui.demo.pebble import stop_process

SSHD = "/usr/sbin/sshd"  # sshd refuses to start unless invoked by absolute path
PRIVSEP_DIR = Path("/run/sshd")  # needed (only) when sshd runs as root
HOST_ALIAS = "testserver"
START_TIMEOUT = 10.0


@dataclass(frozen=True)
class SshServer:
    """What a test needs to reach the server: `ssh -F ssh_config host`."""

    ssh_config: Path
    host: str
    port: int
    user: str
    pid: int
    log: Path  # sshd's own log (-E), handy when a test fails


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _keygen(path: Path, comment: str) -> None:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", str(path)],
                   check=True, stdin=subprocess.DEVNULL)


def _wait_for_banner(port: int, proc: subprocess.Popen, log: Path) -> None:
    """Poll until sshd answers with its SSH-2.0 banner (or died, or took too long)."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"sshd exited with {proc.returncode}: {log.read_text(errors='replace')}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1.0) as sock:
                if sock.recv(64).startswith(b"SSH-2.0"):
                    return
        except OSError:
            pass
        time.sleep(0.05)  # polling a port for readiness, not waiting for time to pass
    raise RuntimeError(f"sshd did not answer on 127.0.0.1:{port}: {log.read_text(errors='replace')}")


def start_sshd(workdir: Path) -> tuple[SshServer, subprocess.Popen]:
    """Start sshd on a free loopback port with all its state under *workdir*."""
    workdir.mkdir(parents=True, exist_ok=True)
    user = pwd.getpwuid(os.getuid()).pw_name  # $USER may lie; sshd checks the uid
    host_key, client_key = workdir / "host_ed25519", workdir / "client_ed25519"
    _keygen(host_key, "oncall-tui test host")
    _keygen(client_key, "oncall-tui test client")
    authorized = workdir / "authorized_keys"
    authorized.write_text((workdir / "client_ed25519.pub").read_text())
    authorized.chmod(0o600)
    if os.geteuid() == 0 and not PRIVSEP_DIR.is_dir():
        PRIVSEP_DIR.mkdir(mode=0o755, parents=True, exist_ok=True)

    port = _free_port()
    pid_file, log = workdir / "sshd.pid", workdir / "sshd.log"
    sshd_config = workdir / "sshd_config"
    sshd_config.write_text("\n".join([
        f"Port {port}",
        "ListenAddress 127.0.0.1",
        f"HostKey {host_key}",
        f"PidFile {pid_file}",
        f"AuthorizedKeysFile {authorized}",
        "StrictModes no",
        "UsePAM no",
        "PubkeyAuthentication yes",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "PermitRootLogin prohibit-password",  # the CI container runs tests as root
        f"AllowUsers {user}",
        "LogLevel VERBOSE",
        "",
    ]))
    ssh_config = workdir / "ssh_config"
    ssh_config.write_text("\n".join([
        f"Host {HOST_ALIAS}",
        "    HostName 127.0.0.1",
        f"    Port {port}",
        f"    User {user}",
        f"    IdentityFile {client_key}",
        "    IdentitiesOnly yes",
        f"    UserKnownHostsFile {workdir / 'known_hosts'}",
        "    GlobalKnownHostsFile /dev/null",
        "    StrictHostKeyChecking accept-new",
        "    BatchMode yes",
        "",
    ]))
    # -D: stay in the foreground so the PID we hold is sshd's; -E: log to a file.
    proc = subprocess.Popen([SSHD, "-D", "-f", str(sshd_config), "-E", str(log)],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait_for_banner(port, proc, log)
    except BaseException:
        stop_sshd(proc)
        raise
    return SshServer(ssh_config, HOST_ALIAS, port, user, proc.pid, log), proc


def stop_sshd(proc: subprocess.Popen) -> None:
    """Stop the sshd we started, by its PID."""
    stop_process(proc)


@pytest.fixture(scope="session")
def sshd_server(tmp_path_factory: pytest.TempPathFactory):
    """A running sshd on loopback, shared by the test session."""
    if not Path(SSHD).exists() or shutil.which("ssh") is None:
        # Not a skip: CI must install openssh-server and openssh-client.
        raise RuntimeError(f"{SSHD} or ssh not found: apt-get install openssh-server openssh-client")
    server, proc = start_sshd(tmp_path_factory.mktemp("sshd"))
    try:
        yield server
    finally:
        stop_sshd(proc)
