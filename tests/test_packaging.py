"""A plain `pip install .` ships everything the tool reads at run time."""

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

NEEDED = [
    "oncall_tui/keymaps/default.toml", "oncall_tui/fixtures/demo.json", "oncall_tui/ui/oncall.tcss",
    "oncall_tui/data/heat.toml", "oncall_tui/data/intents.toml", "oncall_tui/data/lexicon_fr.txt",
    "oncall_tui/data/lexicon_en.txt", "oncall_tui/data/runbooks/add_vhost.toml",
]


def test_wheel_carries_keymaps_fixtures_and_data(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    [wheel] = tmp_path.glob("oncall_tui-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = [n for n in NEEDED if n not in names]
    assert not missing, f"not in the wheel: {missing}"
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "oncall = oncall_tui.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()
