"""ACME account key and JWS signing: load or create the ES256 key, its JWK and thumbprint, b64url."""

from __future__ import annotations

import base64
import hashlib
import json
import os
from pathlib import Path

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature


# Defined here, the bottom of the ACME modules, because a bad account key raises it too.
class AcmeError(Exception):
    """Issuance failed: what failed, for which domain, and the CA's problem detail."""

    def __init__(self, message: str, *, domain: str | None = None,
                 problem_type: str | None = None, detail: str | None = None):
        super().__init__(message)
        self.domain = domain
        self.problem_type = problem_type
        self.detail = detail


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


# --- account key -----------------------------------------------------------

def load_or_create_account_key(path: Path) -> ec.EllipticCurvePrivateKey:
    """Load the ES256 account key at *path*, creating it (0600, directory 0700) if absent."""
    path = Path(path)
    if not path.exists():
        parent = path.parent
        if not parent.exists():
            parent.mkdir(parents=True)
            os.chmod(parent, 0o700)
        key = ec.generate_private_key(ec.SECP256R1())
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        tmp = parent / f".{path.name}.tmp{os.getpid()}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(pem)
        try:
            # link() fails if another process created the key meanwhile: then use theirs.
            os.link(tmp, path)
            return key
        except FileExistsError:
            pass
        finally:
            tmp.unlink(missing_ok=True)
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        raise AcmeError(f"account key {path} can be read or changed by other users (mode {mode:04o}); "
                        f"run `chmod 600 {path}` and try again")
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (ValueError, TypeError) as exc:
        raise AcmeError(f"account key {path} is not an unencrypted PEM private key ({exc})") from None
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
        raise AcmeError(f"account key {path} is not a P-256 (ES256) key")
    return key


def _jwk(key: ec.EllipticCurvePrivateKey) -> dict[str, str]:
    numbers = key.public_key().public_numbers()
    return {"crv": "P-256", "kty": "EC",
            "x": _b64(numbers.x.to_bytes(32, "big")), "y": _b64(numbers.y.to_bytes(32, "big"))}


def jwk_thumbprint(key: ec.EllipticCurvePrivateKey) -> str:
    """RFC 7638 thumbprint, the second half of every key authorization."""
    canonical = json.dumps(_jwk(key), sort_keys=True, separators=(",", ":")).encode("ascii")
    return _b64(hashlib.sha256(canonical).digest())


def _sign_es256(key: ec.EllipticCurvePrivateKey, data: bytes) -> bytes:
    r, s = decode_dss_signature(key.sign(data, ec.ECDSA(hashes.SHA256())))
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")
