"""Steps that run on a customer server through the engineer's own `ssh`.

We run the system `ssh` client rather than a Python SSH library on purpose:
the engineer's `~/.ssh/config`, agent, jump hosts, certificates and known
hosts then just work, and what we do is exactly what they would type.

ssh hands the remote side one *string* that the remote login shell parses, so
every remote command is built from an argument list with `shlex.join`: each
argument reaches the remote program as one word, whatever it contains.
"""

from __future__ import annotations

import asyncio
import re
import shlex
from dataclasses import dataclass
from pathlib import Path

from .transport import OutputCallback, RunResult, run_process

#: ssh's own exit status when it could not connect or authenticate.
SSH_FAILED = 255

# Host aliases and user names go on ssh's command line: refuse anything that
# ssh could read as an option, or that no real host/user name contains.
_HOST = re.compile(r"^[A-Za-z0-9_.:%\[\]-]+$")
_USER = re.compile(r"^[A-Za-z0-9_.][A-Za-z0-9_.-]*$")

# Write to a temporary file next to the target and rename it into place, so a
# reader (a web server, an ACME validator) never sees half a file.
_WRITE_SCRIPT = (
    'set -e; d=$(dirname -- "$1"); mkdir -p -- "$d"; '
    't="$d/.$(basename -- "$1").tmp$$"; trap \'rm -f -- "$t"\' EXIT; '
    'umask 077; cat > "$t"; chmod "$2" "$t"; mv -f -- "$t" "$1"'
)


class SshError(OSError):
    """A file operation over ssh failed; the message names host, path and ssh's output."""


@dataclass(frozen=True)
class SshTarget:
    """Where `ssh HOST` really goes once the engineer's config is applied (`ssh -G`)."""

    user: str
    hostname: str
    port: int
    proxyjump: str | None


class SshTransport:
    """Run steps on *host* (an alias from the engineer's ssh config, or an address).

    `hostname` overrides the address the alias resolves to (e.g. the address
    recorded for the customer's server) while keeping the alias's other
    settings; `user` and `port` override the config likewise.
    """

    def __init__(self, host: str, *, user: str | None = None, hostname: str | None = None,
                 port: int | None = None, ssh_config: Path | str | None = None,
                 connect_timeout: float = 10.0, ssh_binary: str = "ssh") -> None:
        if not _HOST.match(host) or host.startswith("-"):
            raise ValueError(f"ssh host {host!r}: not a host name or alias")
        if hostname is not None and (not _HOST.match(hostname) or hostname.startswith("-")):
            raise ValueError(f"ssh host {host!r}: hostname {hostname!r} is not a host name or address")
        if user is not None and not _USER.match(user):
            raise ValueError(f"ssh host {host!r}: user {user!r} is not a user name")
        if port is not None and not 0 < port < 65536:
            raise ValueError(f"ssh host {host!r}: port {port} is out of range 1-65535")
        if connect_timeout <= 0:
            raise ValueError(f"ssh host {host!r}: connect_timeout must be positive")
        self.host, self.user, self.hostname, self.port = host, user, hostname, port
        self.ssh_config = Path(ssh_config) if ssh_config is not None else None
        self.connect_timeout = connect_timeout
        self.ssh_binary = ssh_binary
        self.description = self._describe(user, hostname)

    def _describe(self, user: str | None, hostname: str | None) -> str:
        where = hostname or self.host
        if self.port is not None:
            where = f"{where}:{self.port}"
        who = f"{user}@{where}" if user else where
        return f"ssh {self.host} ({who})"

    def ssh_argv(self, remote_argv: list[str] | None = None) -> list[str]:
        """The local `ssh ...` argument list; *remote_argv* becomes one quoted command string."""
        argv = [self.ssh_binary]
        if self.ssh_config is not None:
            argv += ["-F", str(self.ssh_config)]
        # -T: no terminal; a step is a batch job and a pty would mangle its output.
        argv += ["-T", "-o", "BatchMode=yes",
                 "-o", f"ConnectTimeout={max(1, round(self.connect_timeout))}"]
        if self.hostname is not None:
            argv += ["-o", f"HostName={self.hostname}"]
        if self.user is not None:
            argv += ["-l", self.user]
        if self.port is not None:
            argv += ["-p", str(self.port)]
        argv += ["--", self.host]
        if remote_argv is not None:
            if not remote_argv:
                raise ValueError("empty remote command")
            argv.append(shlex.join(remote_argv))
        return argv

    async def run(self, argv: list[str], *, timeout: float = 60.0,
                  on_output: OutputCallback | None = None) -> RunResult:
        """Run *argv* on the server; exit status 255 means ssh itself failed.

        On timeout the local ssh is killed; like an interrupted ssh session, a
        remote command that ignores its closed connection may finish on its own.
        """
        return await run_process(self.ssh_argv(argv), timeout=timeout, on_output=on_output)

    async def write_file(self, path: str, data: bytes, *, mode: int = 0o644,
                         timeout: float = 60.0) -> None:
        """Atomically write *data* to *path* on the server, creating parent directories."""
        self._check_path(path)
        result = await _run_feeding(
            self.ssh_argv(["sh", "-c", _WRITE_SCRIPT, "sh", path, f"{mode:o}"]), data, timeout=timeout)
        self._raise_unless_ok(result, "write", path)

    async def remove_file(self, path: str, *, timeout: float = 60.0) -> None:
        """Remove *path* on the server; a missing file is not an error."""
        self._check_path(path)
        result = await run_process(self.ssh_argv(["rm", "-f", "--", path]),
                                   timeout=timeout, on_output=None)
        self._raise_unless_ok(result, "remove", path)

    async def resolve(self, *, timeout: float = 10.0) -> SshTarget:
        """Ask `ssh -G` where this host really goes (user, address, port, jump host).

        Nothing is contacted; the description is updated to show who we log in as.
        """
        argv = self.ssh_argv()
        argv.insert(1, "-G")
        result = await run_process(argv, timeout=timeout, on_output=None)
        if not result.ok:
            raise SshError(f"{self.description}: ssh -G failed: {result.output.strip()}")
        settings: dict[str, str] = {}
        for line in result.output.splitlines():
            key, _, value = line.partition(" ")
            settings.setdefault(key.lower(), value.strip())
        target = SshTarget(
            user=settings.get("user", ""),
            hostname=settings.get("hostname", self.host),
            port=int(settings.get("port", "22")),
            proxyjump=settings.get("proxyjump") if settings.get("proxyjump") not in (None, "none") else None,
        )
        where = target.hostname if target.port == 22 else f"{target.hostname}:{target.port}"
        via = f" via {target.proxyjump}" if target.proxyjump else ""
        self.description = f"ssh {self.host} ({target.user}@{where}{via})"
        return target

    def _check_path(self, path: str) -> None:
        if not path.startswith("/"):
            raise ValueError(f"{self.description}: remote path {path!r} must be absolute")
        if "\0" in path or "\n" in path:
            raise ValueError(f"{self.description}: remote path {path!r} contains a control character")

    def _raise_unless_ok(self, result: RunResult, verb: str, path: str) -> None:
        if result.ok:
            return
        reason = "timed out" if result.timed_out else f"exit status {result.returncode}"
        if result.returncode == SSH_FAILED:
            reason = "ssh could not connect"
        detail = result.output.strip() or "(no output)"
        raise SshError(f"{self.description}: could not {verb} {path!r} ({reason}): {detail}")


async def _run_feeding(argv: list[str], data: bytes, *, timeout: float) -> RunResult:
    """Run *argv* with *data* on its stdin.

    Unlike `run_process(stdin=...)`, an ssh that exits before reading its input
    (it could not connect, the remote command failed) is not a broken-pipe
    exception: `communicate` ignores that, so we still get ssh's own message.
    """
    proc = await asyncio.create_subprocess_exec(
        *argv, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT, start_new_session=True)
    try:
        output, _ = await asyncio.wait_for(proc.communicate(data), timeout)
    except (asyncio.TimeoutError, asyncio.CancelledError) as exc:
        proc.kill()
        await proc.wait()
        if isinstance(exc, asyncio.CancelledError):
            raise
        return RunResult(proc.returncode, "", timed_out=True)
    return RunResult(proc.returncode, output.decode("utf-8", "replace"))
