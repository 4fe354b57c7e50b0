"""The layers of DESIGN.md hold: checked on the code itself, not taken on trust.

- import-linter contracts (pyproject.toml): the core is pure; store, actions and
  connectors know no face; screens and commands go through the use cases; no circles;
- no re-export shims;
- no private Textual names used, and no attribute of ours clobbering one of Textual's.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import textual.app
import textual.dom
import textual.message_pump
import textual.screen
import textual.scroll_view
import textual.widget
from importlinter.application.use_cases import lint_imports
from importlinter.configuration import configure

ROOT = Path(__file__).resolve().parents[1]
PRODUCT = ROOT / "oncall_tui"


def _sources(*folders: Path) -> dict[Path, str]:
    return {f: f.read_text(encoding="utf-8") for folder in folders for f in sorted(folder.rglob("*.py"))}


def test_every_import_linter_contract_is_kept(monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    configure()
    kept = lint_imports(str(ROOT / "pyproject.toml"), cache_dir=None, no_logo=True)
    report = capsys.readouterr().out
    assert kept, report
    assert "7 kept, 0 broken" in report


def test_no_module_re_exports_names_it_does_not_use():
    shims = [f"{path.relative_to(ROOT)}:{n}" for path, text in _sources(PRODUCT).items()
             for n, line in enumerate(text.splitlines(), 1) if re.search(r"noqa: F401", line)]
    assert shims == []


def _textual_private_names() -> set[str]:
    names: set[str] = set()
    for module in (textual.app, textual.screen, textual.widget, textual.message_pump, textual.dom,
                   textual.scroll_view):
        names |= set(re.findall(r"\bself\.(_[a-z][a-z0-9_]*)\b", inspect.getsource(module)))
    return names


def test_no_private_textual_name_is_used_or_clobbered():
    private = _textual_private_names()
    assert "_bindings" in private and "_compositor" in private  # the scan sees Textual's own names
    used = []
    for path, text in _sources(PRODUCT, ROOT / "tests").items():
        for n, line in enumerate(text.splitlines(), 1):
            for name in re.findall(r"\.(_[a-z][a-z0-9_]*)\b", line):
                # Our own objects may have private attributes; Textual's may not be touched,
                # and ours must not take a name Textual uses on the same object.
                if name in private:
                    used.append(f"{path.relative_to(ROOT)}:{n}: {name}")
    assert used == []


def test_commands_print_only_through_say_and_print_json():
    """One output path, where control and invisible characters are made visible (customer text, server replies)."""
    offenders = []
    for path in sorted((PRODUCT / "commands").glob("*.py")) + [PRODUCT / "cli.py"]:
        if path.name == "common.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"(?<![\w.])print\(|sys\.std(out|err)\.write\(", line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offenders, "\n".join(offenders)
