"""Files customers sent: listed from the store, fetched from the helpdesk one at a time, on demand.

Nothing here opens a file: `fetch` saves it (mode 0600, never over an
existing file, never bigger than the source's size cap) and says where; what
to do with a customer's file is the engineer's decision.
"""

from __future__ import annotations

import asyncio
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import NotFound, OncallError, Refused
from ..core.text import fold
from ..store import attachments, queries
from .history import human_size
from .session import Session
from .sync import source_named


class FetchFailed(OncallError):
    """The helpdesk could not give the file (down, refused, too big): nothing was saved."""


@dataclass(frozen=True)
class Saved:
    path: Path
    size: int
    content_type: str
    note: str = ""  # e.g. "2 files have that name; the newest was saved"


def case_files(session: Session, case_id: str) -> list[dict]:
    """Every file sent on the case, oldest first: name, type, size, who sent it and when."""
    if queries.get_case(session.store, case_id) is None:
        raise NotFound(f"no case {case_id!r} in {session.store.path}")
    return [dict(r) for r in attachments.of_case(session.store, case_id)]


def safe_name(name: str) -> str:
    """A file name that stays in the folder it is saved to: no path, no control characters, no leading dot."""
    name = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch if ch.isprintable() else "_" for ch in name).strip().lstrip(".")
    name = re.sub(r"\s+", " ", name)[:200]
    return name or "attachment"


def fetch(session: Session, case_id: str, name: str, out_dir: str | Path, *, max_mb: float | None = None) -> Saved:
    """Save the file *name* sent on *case_id* into *out_dir*; refused when too big or already there.

    *name* is the file's name as listed (or enough of it to be unique).
    *max_mb* overrides the source's `attachment_max_mb`.
    """
    files = case_files(session, case_id)
    exact = [f for f in files if f["name"] == name]
    found = exact or [f for f in files if fold(name) in fold(f["name"])]
    if not found:
        listing = ", ".join(sorted({f["name"] for f in files})) or "none"
        raise NotFound(f"no file {name!r} on case {case_id} (its files: {listing})")
    if len({f["name"] for f in found}) > 1:
        listing = "; ".join(sorted({f["name"] for f in found}))
        raise Refused(f"{name!r} names several files on case {case_id}: {listing} — give the whole name")
    chosen = found[-1]
    note = f"{len(found)} files named {chosen['name']!r}; the newest ({chosen['at']}) was saved" if len(found) > 1 \
        else ""
    source_name, _, _ = chosen["ref"].partition(":")[2].partition(":")
    source = source_named(session, source_name)
    if source is None or not hasattr(source, "fetch_attachment"):
        raise Refused(f"{chosen['name']!r} on case {case_id} came from {source_name or 'nowhere known'}, "
                      "which is not a configured helpdesk; nothing was saved")
    limit = int((max_mb if max_mb is not None else source.config.attachment_max_mb) * (1 << 20))
    if chosen["size"] > limit:
        raise Refused(f"{chosen['name']!r} on case {case_id} is {human_size(chosen['size'])}, over the "
                      f"{human_size(limit)} limit (attachment_max_mb in [[sources]], or --max-mb); nothing was saved")
    folder = Path(out_dir).expanduser()
    if not folder.is_dir():
        raise Refused(f"--out {folder}: no such folder; nothing was saved")
    target = folder / safe_name(chosen["name"])
    if target.exists():
        raise Refused(f"{target} exists already; nothing was saved — choose another --out folder or move it")

    async def download():
        try:
            return await source.fetch_attachment(chosen["ref"], limit)
        finally:
            await source.aclose()

    try:
        content, _, content_type = asyncio.run(download())
    except OncallError:
        raise
    except Exception as exc:  # noqa: BLE001 — any failure of the helpdesk: said plainly, nothing saved
        raise FetchFailed(f"{chosen['name']!r} on case {case_id}: {exc}; nothing was saved") from None
    _write_private(target, content)
    return Saved(target, len(content), content_type or chosen["content_type"], note)


def _write_private(target: Path, content: bytes) -> None:
    """Write *content* to *target* (mode 0600) whole or not at all, never over an existing file."""
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=".oncall-", suffix=".part")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(temp, target)  # fails if the name was taken meanwhile: nothing is overwritten
        except FileExistsError:
            raise Refused(f"{target} appeared meanwhile; nothing was saved") from None
    finally:
        try:
            os.unlink(temp)
        except FileNotFoundError:
            pass
