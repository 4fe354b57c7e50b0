"""Shipped data files (keymaps, fixtures, data), found installed or in a source checkout.

`keymaps/` and `fixtures/` sit at the top of the repository and are mapped into
the package as `oncall_tui/keymaps` / `oncall_tui/fixtures` when installed; a
source checkout run without installing finds them next to the package. Plain
paths rather than importlib.resources: the package is never zipped, and the
import costs the full screen's first frame a few milliseconds.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _dir(folder: str) -> Path:
    inside = _PACKAGE / folder
    return inside if inside.is_dir() else _PACKAGE.parent / folder


def keymap_file(name: str = "default.toml") -> Path:
    return _dir("keymaps") / name


def fixture_file(name: str = "demo.json") -> Path:
    return _dir("fixtures") / name


def data_file(name: str) -> Path:
    return _PACKAGE / "data" / name
