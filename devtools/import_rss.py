"""Peak memory and time of `oncall import` on a large synthetic interchange file.

    python -m devtools.import_rss [--mb 200] [--keep DIR] [--python PYTHON] [--cwd DIR]

Writes a deterministic interchange file of about *--mb* megabytes (customers
with assets, cases with events whose bodies are a few hundred characters of
French and English), then runs `oncall import` on it into a fresh store, in a
child process, twice: the first import and the re-import (a no-op). For each
it prints the wall time and the child's peak RSS (getrusage of the child,
as `/usr/bin/time -v` would report it).

`--python` and `--cwd` run another checkout of oncall-tui (its own venv's
python, its own folder), to compare before and after a change.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

WORDS = ("bonjour merci le site ne marche plus depuis ce matin certificat SSL expiré charger un ssl "
         "mémoire pleine sur le serveur ftp pour le nouveau domaine hello our checkout page returns "
         "a 502 after the deploy could you please look urgently the database is slow since yesterday "
         "we still have no padlock on the shop encore une fois je répète toujours pas de réponse "
         "DNS propagated AAAA record points to the old server café déjà vu 東京 straße").split()
ANCHOR = datetime(2026, 1, 5, 8, 0, tzinfo=timezone.utc)
ENGINEERS = ("alice", "bob", "kenji", "priya", "hugo", "maya")


def ts(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def records(rng: random.Random, target_bytes: int):
    """(section, record) pairs in the export's order until about *target_bytes* of JSON are made."""
    made = 0
    n = 0
    while made < target_bytes:
        cid = f"c-{n:07d}"
        customer = {"id": cid, "name": f"Customer {n}", "language": rng.choice(("fr", "en")),
                    "timezone": rng.choice(("Europe/Paris", "America/New_York", "Asia/Tokyo")),
                    "tier": rng.choice(("standard", "business", "critical")), "owner": rng.choice(ENGINEERS),
                    "emails": [f"contact@customer{n}.example"],
                    "assets": [{"kind": "server", "name": f"web-{n:05d}", "ipv4": f"203.0.{n % 250}.{n % 200 + 1}",
                                "ipv6": "2001:db8::10", "datacenter": "SBG"},
                               {"kind": "domain", "name": f"customer{n}.example", "server": f"web-{n:05d}"}]}
        yield "customers", customer
        for k in range(3):
            opened = ANCHOR + timedelta(minutes=rng.randrange(0, 60 * 24 * 300))
            events = []
            at = opened
            for e in range(rng.randrange(3, 9)):
                direction = "in" if e % 2 == 0 else "out"
                events.append({"id": f"{cid}-{k}-{e}", "at": ts(at), "kind": "message", "direction": direction,
                               "author": "jean" if direction == "in" else rng.choice(ENGINEERS),
                               "author_region": "", "channel": "email",
                               "body": " ".join(rng.choice(WORDS) for _ in range(rng.randrange(20, 80))),
                               "meta": {}})
                at += timedelta(minutes=rng.randrange(5, 600))
            case = {"id": f"T-{n:07d}-{k}", "customer": cid, "subject": " ".join(rng.choice(WORDS) for _ in range(6)),
                    "status": rng.choice(("new", "open", "pending", "resolved")), "opened_at": ts(opened),
                    "assignee": rng.choice(ENGINEERS), "summary": "", "external_ref": "", "incident": None,
                    "events": events}
            yield "cases", case
            made += len(json.dumps(case, ensure_ascii=False).encode())
        n += 1


def write_file(path: Path, mb: float, seed: int = 7) -> int:
    """Write the synthetic document to *path* section by section (never whole in memory); its size."""
    rng = random.Random(seed)
    sections: dict[str, Path] = {}
    handles = {}
    tmpdir = Path(tempfile.mkdtemp(prefix="import-rss-"))
    try:
        for section, rec in records(rng, int(mb * 1024 * 1024)):
            if section not in handles:
                sections[section] = tmpdir / section
                handles[section] = open(sections[section], "w", encoding="utf-8")
            else:
                handles[section].write(",\n")
            handles[section].write(json.dumps(rec, ensure_ascii=False))
        for h in handles.values():
            h.close()
        with open(path, "w", encoding="utf-8") as out:
            out.write('{"format": "oncall-tui/1",\n "engineers": [')
            out.write(",\n".join(json.dumps({"name": e, "region": "EMEA", "city": "Paris",
                                             "timezone": "Europe/Paris"}) for e in ENGINEERS))
            for name in ("customers", "cases"):
                out.write(f'],\n "{name}": [\n')
                with open(sections[name], encoding="utf-8") as part:
                    while chunk := part.read(1 << 20):
                        out.write(chunk)
            out.write("]}\n")
    finally:
        for p in sections.values():
            p.unlink(missing_ok=True)
        tmpdir.rmdir()
    return path.stat().st_size


def run_import(python: str, cwd: str, db: Path, file: Path, extra: list[str]) -> tuple[int, float, float, float, str]:
    """(exit code, wall seconds, CPU seconds, peak RSS in MiB, last line) of one `oncall import`, in a child."""
    start = time.perf_counter()
    proc = subprocess.run([python, "-m", "oncall_tui", "--db", str(db), "import", str(file), *extra],
                          cwd=cwd, capture_output=True, text=True)
    took = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak = usage.ru_maxrss  # KiB on Linux: the largest child's (this measuring process has only this one)
    lines = (proc.stdout + proc.stderr).strip().splitlines()
    return proc.returncode, took, usage.ru_utime + usage.ru_stime, peak / 1024, lines[-1] if lines else ""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=float, default=200.0, help="size of the synthetic file (default 200)")
    ap.add_argument("--keep", metavar="DIR", help="keep the file and stores in DIR (reused if the file exists)")
    ap.add_argument("--python", default=sys.executable, help="the python of the oncall-tui to measure")
    ap.add_argument("--cwd", default=str(Path(__file__).resolve().parents[1]), help="its checkout")
    ap.add_argument("extra", nargs="*", help="more arguments for `oncall import` (after --)")
    args = ap.parse_args(argv)
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="import-rss-"))
    work.mkdir(parents=True, exist_ok=True)
    file = work / f"synthetic-{args.mb:g}mb.json"
    if not file.exists():
        start = time.perf_counter()
        size = write_file(file, args.mb)
        print(f"wrote {file} ({size / 1e6:.0f} MB) in {time.perf_counter() - start:.0f} s", flush=True)
    db = work / f"store-{os.getpid()}.db"
    os.environ["XDG_CONFIG_HOME"] = str(work)  # no personal config file in the measure
    try:
        for label in ("first import", "re-import"):
            # Each run in its own child: ru_maxrss of RUSAGE_CHILDREN is the max over children,
            # so the re-import runs in a fresh measuring process too.
            code, took, cpu, peak, last = _measured(args.python, args.cwd, db, file, args.extra)
            print(f"{label}: exit {code}, {took:.1f} s ({cpu:.1f} s CPU), peak RSS {peak:.0f} MiB — {last}",
                  flush=True)
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(str(db) + suffix).unlink(missing_ok=True)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


def _measured(python: str, cwd: str, db: Path, file: Path, extra: list[str]) -> tuple[int, float, float, float, str]:
    """run_import in a fresh process of our own, so each measure's peak is its own."""
    code = ("import json, sys; from devtools.import_rss import run_import; from pathlib import Path; "
            "print(json.dumps(run_import(sys.argv[1], sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4]), "
            "sys.argv[5:])))")
    here = str(Path(__file__).resolve().parents[1])
    out = subprocess.run([sys.executable, "-c", code, python, cwd, str(db), str(file), *extra],
                         cwd=here, capture_output=True, text=True, check=True)
    return tuple(json.loads(out.stdout))


if __name__ == "__main__":
    sys.exit(main())
