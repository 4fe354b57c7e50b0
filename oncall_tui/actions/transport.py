"""Where an action's steps run: this machine, or a customer server over ssh.

Both transports share one small protocol so a step (a runbook command, placing
an ACME HTTP-01 token in a webroot) does not care where it runs. The ssh one
lives in `ssh.py`.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Protocol

OutputCallback = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class RunResult:
    returncode: int
    output: str  # stdout and stderr interleaved, as the engineer would have seen it
    timed_out: bool = False

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out


class Transport(Protocol):
    """What an action step can do on its target."""

    description: str  # "local" or "ssh web-01 (203.0.113.10)"

    async def run(self, argv: list[str], *, timeout: float = 60.0,
                  on_output: OutputCallback | None = None) -> RunResult: ...

    async def write_file(self, path: str, data: bytes, *, mode: int = 0o644) -> None: ...

    async def remove_file(self, path: str) -> None: ...


async def run_process(argv: list[str], *, timeout: float, on_output: OutputCallback | None,
                      stdin: bytes | None = None) -> RunResult:
    """Run *argv* (no shell), stream its output line by line, kill it on timeout."""
    proc = await asyncio.create_subprocess_exec(
        *argv,
        stdin=asyncio.subprocess.PIPE if stdin is not None else asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        start_new_session=True,
    )
    lines: list[str] = []

    async def pump() -> None:
        if stdin is not None:
            # The peer may exit before reading (ssh refused): keep its error output, not ours.
            try:
                proc.stdin.write(stdin)
                await proc.stdin.drain()
            except (BrokenPipeError, ConnectionResetError):
                pass
            finally:
                proc.stdin.close()
        assert proc.stdout is not None
        async for raw in proc.stdout:
            line = raw.decode("utf-8", "replace")
            lines.append(line)
            if on_output:
                on_output(line.rstrip("\n"))
        await proc.wait()

    try:
        await asyncio.wait_for(pump(), timeout)
    except asyncio.TimeoutError:
        proc.kill()
        await proc.wait()
        return RunResult(proc.returncode if proc.returncode is not None else -9, "".join(lines), True)
    except asyncio.CancelledError:
        proc.kill()
        await proc.wait()
        raise
    return RunResult(proc.returncode or 0, "".join(lines))


class LocalTransport:
    """Steps run on this machine, as the engineer's own user."""

    description = "local"

    async def run(self, argv: list[str], *, timeout: float = 60.0,
                  on_output: OutputCallback | None = None) -> RunResult:
        return await run_process(argv, timeout=timeout, on_output=on_output)

    async def write_file(self, path: str, data: bytes, *, mode: int = 0o644) -> None:
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        # Write then rename, so a reader (a web server, an ACME validator) never sees half a file.
        tmp = target.with_name(f".{target.name}.tmp{os.getpid()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, mode)
        os.replace(tmp, target)

    async def remove_file(self, path: str) -> None:
        Path(path).unlink(missing_ok=True)


class RootedLocalTransport(LocalTransport):
    """Files go under *root* instead of `/` — for the demo and tests, where "servers" are folders.

    Commands are not run: on this machine `df` would show this machine's disk as the
    customer's. A step that needs a command fails, saying so.
    """

    def __init__(self, root: str | os.PathLike[str], server: str = "") -> None:
        self.root = Path(root)
        self.description = f"local folder {self.root}" + (f" standing in for {server}" if server else "")

    def _map(self, path: str) -> str:
        return str(self.root / path.lstrip("/"))

    async def run(self, argv: list[str], *, timeout: float,
                  on_output: OutputCallback | None = None) -> RunResult:
        message = (f"not run: {self.description} is a folder, not a server — "
                   f"`{' '.join(argv)}` here would read this machine, not the customer's")
        if on_output:
            on_output(message)
        return RunResult(126, message)

    async def write_file(self, path: str, data: bytes, *, mode: int = 0o644) -> None:
        await super().write_file(self._map(path), data, mode=mode)

    async def remove_file(self, path: str) -> None:
        await super().remove_file(self._map(path))
