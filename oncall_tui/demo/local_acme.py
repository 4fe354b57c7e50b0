"""`oncall demo --acme-local`: a local Let's Encrypt stand-in so the demo's certificate really issues.

Starts Pebble (ACME) and challtestsrv (DNS) on loopback, makes each demo server
a folder under a throwaway directory, serves those folders' webroots to Pebble
with an HTTP-01 responder, and points the demo's config at all of it. Every
address involved is 127.0.0.1: nothing leaves the machine.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import shutil
import subprocess
import threading
from pathlib import Path

from ..actions.http01 import Http01Responder
from ..config import Config
from .pebble import (
    CHALLTESTSRV,
    PEBBLE,
    free_port,
    start_challtestsrv,
    start_pebble,
    stop_process,
)


class LocalAcmeError(RuntimeError):
    pass


def localise(doc: dict) -> dict:
    """Demo servers become local folders: their IPv4 is 127.0.0.1 and they have no IPv6."""
    for customer in doc.get("customers", []):
        for asset in customer.get("assets", []):
            if asset.get("kind") == "server":
                asset["ipv4"] = "127.0.0.1"
                asset["ipv6"] = ""
    return doc


def stale_aaaa_records(doc: dict) -> dict[str, list[str]]:
    """The demo's trap: IPv6 addresses quoted in a case (a certbot log) that none of the customer's
    servers has, for the customer's domains named in the same case -> published as stale AAAA records."""
    stale: dict[str, list[str]] = {}
    customers = {c["id"]: c for c in doc.get("customers", [])}
    for case in doc.get("cases", []):
        text = " ".join(e.get("body", "") for e in case.get("events", []))
        assets = customers.get(case["customer"], {}).get("assets", [])
        ours = {a.strip() for s in assets if s.get("kind") == "server" for a in s.get("ipv6", "").split(",")}
        foreign = []
        for token in _IPV6.findall(text):
            try:
                address = str(ipaddress.IPv6Address(token.rstrip(":")))
            except ValueError:
                continue
            if address not in ours:
                foreign.append(address)
        if not foreign:
            continue
        for asset in assets:
            if asset.get("kind") == "domain" and asset["name"] in text:
                stale.setdefault(asset["name"], [])
                stale[asset["name"]] += [a for a in foreign if a not in stale[asset["name"]]]
    return stale


_IPV6 = re.compile(r"(?<![\w:])(?:[0-9a-fA-F]{1,4}:){2,7}(?::|[0-9a-fA-F]{1,4})(?:[0-9a-fA-F:]*)")


def webroots(doc: dict, root: Path) -> dict[str, str]:
    """domain -> the local folder standing in for its webroot on its server."""
    sites = {}
    for customer in doc.get("customers", []):
        servers = {a["name"]: a for a in customer.get("assets", []) if a.get("kind") == "server"}
        for asset in customer.get("assets", []):
            if asset.get("kind") != "domain":
                continue
            server = asset.get("server") or next(iter(servers), "")
            webroot = asset.get("webroot") or servers.get(server, {}).get("webroot") or f"/var/www/{asset['name']}"
            path = root / server / webroot.lstrip("/")
            path.mkdir(parents=True, exist_ok=True)
            sites[asset["name"]] = str(path)
    return sites


class LocalAcme:
    """Pebble + challtestsrv + an HTTP-01 responder, started together and stopped by PID."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.procs: list[subprocess.Popen] = []
        self.loop: asyncio.AbstractEventLoop | None = None
        self.thread: threading.Thread | None = None
        self.pebble = None
        self.dns = None

    def start(self, sites: dict[str, str], stale: dict[str, list[str]]) -> None:
        missing = [b for b in (PEBBLE, CHALLTESTSRV) if not shutil.which(b)]
        if missing:
            raise LocalAcmeError(f"{', '.join(missing)} not found — install the Debian package: apt-get install pebble")
        self.dns, proc = start_challtestsrv(self.workdir / "dns")
        self.procs.append(proc)
        http_port = free_port()
        for domain, addresses in stale.items():
            self.dns.add_aaaa(domain, addresses)
        self._serve(sites, http_port)
        self.pebble, proc = start_pebble(self.workdir / "pebble", self.dns, http01_port=http_port)
        self.procs.append(proc)

    def _serve(self, sites: dict[str, str], port: int) -> None:
        ready = threading.Event()
        errors: list[BaseException] = []

        def main() -> None:
            self.loop = asyncio.new_event_loop()
            responder = Http01Responder(sites, port=port)
            try:
                self.loop.run_until_complete(responder.start())
            except BaseException as exc:  # reported to the caller below
                errors.append(exc)
                ready.set()
                return
            ready.set()
            self.loop.run_forever()
            self.loop.run_until_complete(responder.stop())
            self.loop.close()

        self.thread = threading.Thread(target=main, name="http01-responder", daemon=True)
        self.thread.start()
        ready.wait(10)
        if errors:
            raise LocalAcmeError(f"the HTTP-01 responder could not start: {errors[0]}")

    def configure(self, cfg: Config, local_root: Path) -> Config:
        cfg.acme_directory = self.pebble.directory_url
        cfg.acme_ca_bundle = str(self.pebble.ca_bundle)
        cfg.acme_account_key = str(self.workdir / "acme" / "account.key")
        cfg.dns_nameserver = "127.0.0.1"
        cfg.dns_port = self.dns.dns_port
        cfg.acme_check_tls = False  # the demo servers are folders: nothing serves HTTPS yet
        cfg.acme_reload = []
        cfg.transport = "local"
        cfg.local_root = str(local_root)
        return cfg

    def stop(self) -> None:
        if self.loop is not None and self.loop.is_running():
            self.loop.call_soon_threadsafe(self.loop.stop)
        if self.thread is not None:
            self.thread.join(5)
        for proc in reversed(self.procs):
            stop_process(proc)
        self.procs.clear()
