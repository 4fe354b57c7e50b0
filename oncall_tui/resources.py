"""Shipped data files (keymaps, fixtures), found installed or in a source checkout.

`keymaps/` and `fixtures/` sit at the top of the repository and are mapped into
the package as `oncall_tui.keymaps` / `oncall_tui.fixtures` when installed; a
source checkout run without installing finds them next to the package.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def _dir(package: str, folder: str):
    try:
        return resources.files(package)
    except ModuleNotFoundError:
        return Path(__file__).resolve().parent.parent / folder


def keymap_file(name: str = "default.toml"):
    return _dir("oncall_tui.keymaps", "keymaps").joinpath(name)


def fixture_file(name: str = "demo.json"):
    return _dir("oncall_tui.fixtures", "fixtures").joinpath(name)


def data_file(name: str):
    return resources.files("oncall_tui.data").joinpath(name)
