"""A real ACME CA (Pebble) and its mock DNS (pebble-challtestsrv) on loopback.

Pebble validates HTTP-01 challenges by resolving the domain through
challtestsrv's DNS (unknown names -> 127.0.0.1, no AAAA) and fetching
`http://<name>:<http01_port>/.well-known/acme-challenge/<token>`; an
`Http01Responder` listening on `http01_port` answers. Pebble's own HTTPS uses a
throw-away CA generated here, and clients verify it (`verify=pebble.ca_bundle`).

Its fixtures are available to every test module (`pytest_plugins` in tests/conftest.py).
        challtestsrv, http01_port, http01_responder, pebble)

Debian packages: pebble (ships /usr/bin/pebble and /usr/bin/pebble-challtestsrv).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from oncall_tui.actions.http01 import Http01Responder
from oncall_tui.demo.pebble import (
    CHALLTESTSRV,
    PEBBLE,
    ChallTestSrv,
    free_port,
    start_challtestsrv,
    start_pebble,
    stop_process,
)


def _require(*binaries: str) -> None:
    missing = [b for b in binaries if shutil.which(b) is None]
    if missing:
        # Not a skip: CI must install the Debian package.
        raise RuntimeError(f"{', '.join(missing)} not found: apt-get install pebble")


# --- fixtures ---------------------------------------------------------------

@pytest.fixture(scope="session")
def challtestsrv(tmp_path_factory: pytest.TempPathFactory):
    """challtestsrv's mock DNS, shared by the session (unknown names -> 127.0.0.1, no AAAA)."""
    _require(CHALLTESTSRV)
    server, proc = start_challtestsrv(tmp_path_factory.mktemp("challtestsrv"))
    try:
        yield server
    finally:
        stop_process(proc)


@pytest.fixture(scope="session")
def http01_port() -> int:
    """The port every Pebble of the session fetches HTTP-01 tokens from."""
    return free_port()


@pytest.fixture(scope="session")
def pebble(tmp_path_factory: pytest.TempPathFactory, challtestsrv: ChallTestSrv, http01_port: int):
    """A Pebble that never rejects nonces."""
    _require(PEBBLE)
    server, proc = start_pebble(tmp_path_factory.mktemp("pebble"), challtestsrv,
                                http01_port=http01_port, nonce_reject=0)
    try:
        yield server
    finally:
        stop_process(proc)


@pytest.fixture(scope="session")
def pebble_nonce_reject(tmp_path_factory: pytest.TempPathFactory, challtestsrv: ChallTestSrv,
                        http01_port: int):
    """A Pebble that rejects 60 % of good nonces with badNonce."""
    _require(PEBBLE)
    server, proc = start_pebble(tmp_path_factory.mktemp("pebble-nonce"), challtestsrv,
                                http01_port=http01_port, nonce_reject=60)
    try:
        yield server
    finally:
        stop_process(proc)


@pytest.fixture
async def http01_responder(tmp_path: Path, http01_port: int):
    """An `Http01Responder` on `http01_port` serving every host from `tmp_path/"webroot"`."""
    webroot = tmp_path / "webroot"
    webroot.mkdir()
    async with Http01Responder(default_webroot=webroot, port=http01_port) as responder:
        yield responder
