"""Files the tool keeps private: customer data is readable by its owner only, whatever the umask."""

from __future__ import annotations

import os
import stat
from pathlib import Path


def make_private_folder(folder: Path) -> None:
    """Create *folder* (and missing parents) readable by its owner only; an existing one is left as it is."""
    missing = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for new in reversed(missing):
        new.mkdir(mode=0o700)
        new.chmod(0o700)  # mkdir's mode is filtered by the umask


def private_folder(folder: Path) -> None:
    """Create *folder* private to its owner, or take group/other permissions off it (the app's own folders)."""
    make_private_folder(folder)
    tighten(folder)


def tighten(path: Path) -> None:
    """Take group and other permissions off *path* if we own it (customer data is private).

    Only for the store's own files and the app's own folders: never a parent folder like /tmp.
    """
    try:
        st = path.stat()
    except OSError:
        return
    if st.st_uid != os.getuid() or not st.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        return
    try:
        path.chmod(stat.S_IMODE(st.st_mode) & ~(stat.S_IRWXG | stat.S_IRWXO))
    except OSError:
        pass  # not ours to change (a read-only filesystem): reading still works

