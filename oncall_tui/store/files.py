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


def tighten(path: Path) -> str:
    """Make *path* private (customer data): no access for other users; returns a warning when it cannot.

    Group access stays only for a team's own group (a store shared by several engineers on one
    bastion: the file's group is not the owner's personal group); otherwise it goes too. Only
    for the store's own files and the app's own folders, never a parent folder like /tmp.
    """
    try:
        st = path.stat()
    except OSError:
        return ""
    remove = stat.S_IRWXO
    if st.st_gid == os.getgid():  # the owner's personal group: nobody else's business
        remove |= stat.S_IRWXG
    if not st.st_mode & remove:
        return ""
    if st.st_uid == os.getuid():
        try:
            path.chmod(stat.S_IMODE(st.st_mode) & ~remove)
            return ""
        except OSError:
            pass  # a read-only filesystem: say so below
    if st.st_mode & stat.S_IRWXO:
        return (f"{path} can be read by every user of this machine (mode {stat.S_IMODE(st.st_mode):04o}) "
                f"and is not yours to change: ask its owner to run `chmod o-rwx {path}`")
    return ""
