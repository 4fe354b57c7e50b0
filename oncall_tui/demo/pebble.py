"""A local ACME CA (Pebble) and its mock DNS (pebble-challtestsrv) on loopback.

Used by `oncall demo --acme-local` and by the tests. Pebble validates HTTP-01
challenges by resolving the domain through challtestsrv's DNS (unknown names ->
127.0.0.1, no AAAA) and fetching `http://<name>:<http01_port>/.well-known/...`;
an `Http01Responder` listening on `http01_port` answers. Pebble's own HTTPS uses
a throw-away CA generated here, and clients verify it (`verify=ca_bundle`).

Debian package: pebble (ships /usr/bin/pebble and /usr/bin/pebble-challtestsrv).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import ipaddress
import json
import os
import signal
import socket
import ssl
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import httpx
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

PEBBLE = "/usr/bin/pebble"
CHALLTESTSRV = "/usr/bin/pebble-challtestsrv"
START_TIMEOUT = 15.0
DEFAULT_IPV4 = "127.0.0.1"


def free_port(udp_too: bool = False) -> int:
    """A loopback port free for TCP (and UDP, for a DNS server)."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
            tcp.bind(("127.0.0.1", 0))
            port = tcp.getsockname()[1]
            if not udp_too:
                return port
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
                try:
                    udp.bind(("127.0.0.1", port))
                except OSError:
                    continue
                return port
    raise RuntimeError("no free loopback port")


def _wait_for_port(port: int, proc: subprocess.Popen, name: str, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{name} exited with {proc.returncode}: {log.read_text(errors='replace')}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)  # polling a port for readiness, not waiting for time to pass
    raise RuntimeError(f"{name} did not listen on 127.0.0.1:{port}: {log.read_text(errors='replace')}")


def stop_process(proc: subprocess.Popen) -> None:
    """Stop a server we started, by its PID: TERM, then KILL if it lingers."""
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()


def _host(name: str) -> str:
    # challtestsrv matches hosts exactly, as fully qualified lower-case names.
    return name.lower().rstrip(".") + "."


# --- challtestsrv -----------------------------------------------------------

@dataclass(frozen=True)
class ChallTestSrv:
    """challtestsrv's DNS (`dns_port`, UDP+TCP on 127.0.0.1) and its management API."""

    dns_port: int
    management_url: str
    pid: int
    log: Path

    def _post(self, path: str, body: dict) -> None:
        resp = httpx.post(f"{self.management_url}{path}", json=body, timeout=5.0)
        resp.raise_for_status()

    def add_a(self, host: str, addresses: list[str]) -> None:
        self._post("/add-a", {"host": _host(host), "addresses": addresses})

    def clear_a(self, host: str) -> None:
        self._post("/clear-a", {"host": _host(host)})

    def add_aaaa(self, host: str, addresses: list[str]) -> None:
        self._post("/add-aaaa", {"host": _host(host), "addresses": addresses})

    def clear_aaaa(self, host: str) -> None:
        self._post("/clear-aaaa", {"host": _host(host)})

    def add_caa(self, host: str, policies: list[dict[str, str]]) -> None:
        """policies like [{"tag": "issue", "value": "letsencrypt.org"}]."""
        self._post("/add-caa", {"host": _host(host), "policies": policies})

    def clear_caa(self, host: str) -> None:
        self._post("/clear-caa", {"host": _host(host)})

    def set_default_ipv4(self, ip: str) -> None:
        """Answer for names without an A mock ("" = no A record at all)."""
        self._post("/set-default-ipv4", {"ip": ip})

    @contextlib.contextmanager
    def no_default_a(self) -> Iterator[None]:
        """Within the block, names without an A mock have no A record (a DNS change never made)."""
        self.set_default_ipv4("")
        try:
            yield
        finally:
            self.set_default_ipv4(DEFAULT_IPV4)


def start_challtestsrv(workdir: Path) -> tuple[ChallTestSrv, subprocess.Popen]:
    """Start challtestsrv as a DNS server only (its HTTP/TLS challenge servers off)."""
    workdir.mkdir(parents=True, exist_ok=True)
    dns_port, mgmt_port = free_port(udp_too=True), free_port()
    log = workdir / "challtestsrv.log"
    argv = [CHALLTESTSRV,
            "-defaultIPv4", DEFAULT_IPV4,
            "-defaultIPv6", "",  # its default AAAA (::1) would make Pebble validate over IPv6 only
            "-dns01", f"127.0.0.1:{dns_port}",
            "-http01", "", "-https01", "", "-tlsalpn01", "",
            "-management", f"127.0.0.1:{mgmt_port}"]
    with open(log, "wb") as out:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        _wait_for_port(mgmt_port, proc, "pebble-challtestsrv", log)
        _wait_for_port(dns_port, proc, "pebble-challtestsrv DNS", log)
    except BaseException:
        stop_process(proc)
        raise
    return ChallTestSrv(dns_port, f"http://127.0.0.1:{mgmt_port}", proc.pid, log), proc


# --- pebble -----------------------------------------------------------------

@dataclass(frozen=True)
class PebbleServer:
    """A running Pebble: point an AcmeClient at `directory_url` with `verify=str(ca_bundle)`."""

    directory_url: str
    management_url: str
    ca_bundle: Path  # the CA of Pebble's own HTTPS (not the CA that issues certificates)
    http01_port: int  # where Pebble fetches HTTP-01 tokens (on 127.0.0.1 through the mock DNS)
    dns: ChallTestSrv
    nonce_reject: int
    pid: int
    log: Path

    def issuing_root_pem(self) -> bytes:
        """The root that signs issued chains; it changes on every Pebble start."""
        tls = ssl.create_default_context(cafile=str(self.ca_bundle))
        resp = httpx.get(f"{self.management_url}/roots/0", verify=tls, timeout=5.0)
        resp.raise_for_status()
        return resp.content


def make_https_ca(workdir: Path) -> tuple[Path, Path, Path]:
    """Throw-away CA and a cert for localhost/127.0.0.1: (ca.pem, cert.pem, key.pem)."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "oncall-tui test CA for Pebble")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=2))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                       content_commitment=False, key_encipherment=False,
                                       data_encipherment=False, key_agreement=False,
                                       encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([
                x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                critical=False)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))
    paths = workdir / "https-ca.pem", workdir / "https-cert.pem", workdir / "https-key.pem"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return paths


def start_pebble(workdir: Path, dns: ChallTestSrv, *, http01_port: int,
                 nonce_reject: int = 0) -> tuple[PebbleServer, subprocess.Popen]:
    """Start Pebble on free loopback ports, resolving through *dns*.

    *nonce_reject* is the percentage of good nonces Pebble rejects with badNonce.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    ca_pem, cert_pem, key_pem = make_https_ca(workdir)
    port, mgmt_port = free_port(), free_port()
    config = workdir / "pebble-config.json"
    config.write_text(json.dumps({"pebble": {
        "listenAddress": f"127.0.0.1:{port}",
        "managementListenAddress": f"127.0.0.1:{mgmt_port}",
        "certificate": str(cert_pem),
        "privateKey": str(key_pem),
        "httpPort": http01_port,
        "tlsPort": free_port(),  # TLS-ALPN-01 is not used, but Pebble wants a port
        "ocspResponderURL": "",
        "externalAccountBindingRequired": False,
    }}, indent=2))
    env = {**os.environ,
           "PEBBLE_VA_NOSLEEP": "1",  # validate at once instead of after a random pause
           "PEBBLE_WFE_NONCEREJECT": str(nonce_reject),
           "PEBBLE_AUTHZREUSE": "0"}  # every order gets fresh authorizations: tests are deterministic
    log = workdir / "pebble.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([PEBBLE, "-config", str(config), "-dnsserver", f"127.0.0.1:{dns.dns_port}"],
                                cwd=workdir, env=env, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait_for_port(port, proc, "pebble", log)
        _wait_for_port(mgmt_port, proc, "pebble management", log)
    except BaseException:
        stop_process(proc)
        raise
    server = PebbleServer(directory_url=f"https://127.0.0.1:{port}/dir",
                          management_url=f"https://127.0.0.1:{mgmt_port}", ca_bundle=ca_pem,
                          http01_port=http01_port, dns=dns, nonce_reject=nonce_reject,
                          pid=proc.pid, log=log)
    return server, proc
