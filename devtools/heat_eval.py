"""How well the staleness heat ranks: pairwise accuracy on cases an on-call engineer ranked.

    python -m devtools.heat_eval [--part tune|heldout|all] [--json] [--errors]

The pairs (`tests/data/heat/pairs.json`, written by someone who never read the
scoring code) each hold two cases and say which one an experienced engineer
would pick up first, and why. They are split once and for all: ids sorted,
shuffled with `random.Random(2026)`, the first 70 % are `tune`, the last 30 %
`heldout`. `tests/data/heat/pairs_tune_extra*.json` (written later, the same way)
is tune data only and never enters the split, so the held-out pairs stay the
same. The model is tuned on `tune` only; the held-out part is only ever
reported as aggregate numbers (`--errors`, one line per misranked pair, refuses
it).

Each pair is built the way real cases reach the queue: an interchange document
(docs/import-format.md) imported into a throwaway store by the real importer,
then the real clock tick (`derived.retick`) at the pairs' `now`, and the heat
read back from the store. A pair counts as right only when the hotter case's
stored heat is strictly greater; a tie counts as wrong (and is reported).

A CASE of the file: tier, language, status, opened_ago, subject, assignee,
incident_open, optional earlier_cases (the same customer's older cases), and
events (ago, kind, direction, author, channel, body, optional broadcast: an
incident update or a mass mailing, stored with `meta.broadcast`).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Iterable, Iterator

ROOT = Path(__file__).resolve().parent.parent
PAIRS = ROOT / "tests" / "data" / "heat" / "pairs.json"
TUNE_EXTRA = tuple(sorted((ROOT / "tests" / "data" / "heat").glob("pairs_tune_extra*.json")))
SEED = 2026
TUNE_SHARE = 0.7
PARTS = ("tune", "heldout", "all")
_AGO = re.compile(r"(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?")


def load_pairs(path: Path = PAIRS, extra: Iterable[Path] = TUNE_EXTRA) -> tuple[datetime, list[dict]]:
    """(now, pairs) of the evaluation file, then the tune-only pairs of the `extra` files (marked `"part": "tune"`).

    A file whose `now` differs from the evaluation file's (its bodies speak of that day) marks its pairs with it.
    """
    now, pairs = _read_pairs(path)
    seen = {p["id"] for p in pairs}
    for more in extra:
        extra_now, extra_pairs = _read_pairs(more)
        for p in extra_pairs:
            if p["id"] in seen:  # a shared id would put a tune-only pair in the held-out part
                raise SystemExit(f"{more}: id {p['id']!r} is used twice")
            seen.add(p["id"])
        own = {"now": extra_now} if extra_now != now else {}
        pairs = pairs + [{**p, "part": "tune", **own} for p in extra_pairs]
    return now, pairs


def _read_pairs(path: Path) -> tuple[datetime, list[dict]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise SystemExit(f"{path}: cannot read the pairs: {exc}") from None
    return datetime.fromisoformat(data["now"].replace("Z", "+00:00")), data["pairs"]


def split_ids(ids: Iterable[str]) -> tuple[list[str], list[str]]:
    """(tune ids, held-out ids): sorted, shuffled with seed 2026, cut at 70 %."""
    order = sorted(ids)
    random.Random(SEED).shuffle(order)
    cut = round(len(order) * TUNE_SHARE)
    return order[:cut], order[cut:]


def part(pairs: list[dict], name: str) -> list[dict]:
    """The pairs of one part: the split file's share, plus every tune-only pair for `tune`."""
    if name == "all":
        return pairs
    tune, heldout = split_ids(p["id"] for p in pairs if "part" not in p)
    keep = set(tune if name == "tune" else heldout)
    return [p for p in pairs if p["id"] in keep or (name == "tune" and p.get("part") == "tune")]


def ago(text: str) -> timedelta:
    """'1d3h', '4h30m', '20m' -> a duration; ValueError for anything else."""
    m = _AGO.fullmatch(text.strip())
    if not text.strip() or m is None:
        raise ValueError(f"expected a duration like 1d3h or 45m, got {text!r}")
    d, h, mins = (int(g or 0) for g in m.groups())
    return timedelta(days=d, hours=h, minutes=mins)


# ---------------------------------------------------------------- one pair as a document

def _stamp(now: datetime, text: str) -> str:
    return (now - ago(text)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _events(now: datetime, events: list[dict], incident: str | None) -> list[dict]:
    out = []
    for n, e in enumerate(events):
        event = {"at": _stamp(now, e["ago"]), "kind": e["kind"], "direction": e["direction"],
                 "author": e["author"], "body": e["body"], "channel": e["channel"]}
        if e.get("broadcast"):
            event["meta"] = {"broadcast": f"update-{n}", **({"incident": incident} if incident else {})}
        out.append(event)
    return out


#: The customers' clock: the writers set French cases in France and English ones in the UK ("it's 10:00" at
#: 09:00 UTC in November; "9am UK time").
ZONES = {"fr": "Europe/Paris", "en": "Europe/London"}


def pair_document(pair: dict, now: datetime, lexicon=None) -> dict:
    """The pair as one interchange document: two customers, their cases (and earlier ones), an incident.

    A case flagged `incident_open` is its customer's case while an incident covers their service. With a
    *lexicon* it is linked to the incident the way `oncall incident` links cases (`about_incident`: it
    reports a site or service down; the pairs name no scope) or when it holds one of the incident's
    updates (sent to the cases it links), so a billing question of an affected customer stays unlinked;
    without a lexicon every flagged case is linked."""
    from oncall_tui.store.incidents import about_incident

    doc: dict = {"customers": [], "cases": [], "incidents": []}
    for side in ("hotter", "cooler"):
        case = pair[side]
        customer = f"c-{side}"
        doc["customers"].append({"id": customer, "name": f"{side} customer", "language": case["language"],
                                 "tier": case["tier"], "timezone": ZONES.get(case["language"], "UTC")})
        incident = None
        mine = [(e["body"], e["author"]) for e in case["events"] if e["direction"] == "in"]
        # The incident's updates go to the cases it links or opens: a case holding one is linked.
        updated = any(e.get("broadcast") for e in case["events"])
        if case["incident_open"] and (lexicon is None or updated
                                      or about_incident(case["subject"], mine, set(), lexicon)):
            incident = f"INC-{side}"
            doc["incidents"].append({"id": incident, "title": "ongoing incident", "status": "investigating",
                                     "opened_at": _stamp(now, case["opened_ago"])})
        for n, earlier in enumerate(case.get("earlier_cases", []), 1):
            doc["cases"].append({"id": f"E-{side}-{n}", "customer": customer, "subject": earlier["subject"],
                                 "status": earlier["status"], "opened_at": _stamp(now, earlier["opened_ago"]),
                                 "events": _events(now, earlier["events"], None)})
        doc["cases"].append({"id": f"T-{side}", "customer": customer, "subject": case["subject"],
                             "status": case["status"], "opened_at": _stamp(now, case["opened_ago"]),
                             "assignee": case["assignee"], "incident": incident,
                             "events": _events(now, case["events"], incident)})
    return doc


# ---------------------------------------------------------------- ranking

def stored_cases(pairs: list[dict], now: datetime, models=None) -> Iterator[tuple[datetime, dict[str, tuple]]]:
    """Per pair: its clock and, for each side, the stored row after an import and a retick at *now* (or the
    pair's own): (heat, rank, stats JSON, status, opened_at, tier, incident open)."""
    from oncall_tui.core.errors import InvalidDocument
    from oncall_tui.store import derived
    from oncall_tui.store.engines import open_store
    from oncall_tui.store.importer import import_document
    from oncall_tui.usecases.models import shipped

    models = models or shipped()
    with tempfile.TemporaryDirectory(prefix="heat-eval-") as tmp:
        for n, pair in enumerate(pairs):
            at = pair.get("now", now)
            store = open_store(Path(tmp) / f"pair-{n}.db", heat=models.heat)
            try:
                try:
                    import_document(store, pair_document(pair, at, models.heat.lexicon), now=at)
                except InvalidDocument as exc:
                    raise SystemExit(f"pair {pair['id']}: the importer refused it: {exc}") from None
                derived.retick(store, at, models.weights)
                rows = {}
                for side in ("hotter", "cooler"):
                    r = store.query_one(
                        f"SELECT c.heat, c.heat_rank, c.stats, c.status, c.opened_at, cu.tier, "
                        f"{derived.INCIDENT_OPEN_SQL} FROM cases c JOIN customers cu ON cu.id = c.customer_id "
                        "WHERE c.id = ?", (f"T-{side}",))
                    rows[side] = (r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6]))
                yield at, rows
            finally:
                store.close()


def rank_pairs(pairs: list[dict], now: datetime, models=None) -> list[dict]:
    """Per pair: the stored heat of both cases after an import and a retick at *now* (or the pair's own), and their
    terms."""
    from oncall_tui.store import derived
    from oncall_tui.usecases.models import shipped

    models = models or shipped()
    results = []
    for pair, (at, rows) in zip(pairs, stored_cases(pairs, now, models)):
        row = {"id": pair["id"]}
        for side, (heat_now, rank, stats, status, opened, tier, incident) in rows.items():
            heat = derived.score_row(stats, status, opened, tier, incident, at, models.weights)
            row[side] = {"heat": heat_now, "rank": rank,
                         "terms": [(t.name, t.value, round(t.points, 1)) for t in heat.terms]}
        results.append(row)
    return results


def summary(name: str, results: list[dict]) -> dict:
    # The queue's order: heat, then the exact sum (`Heat.rank`) between cases shown at the same heat.
    right = sum(_order(r["hotter"]) > _order(r["cooler"]) for r in results)
    ties = sum(_order(r["hotter"]) == _order(r["cooler"]) for r in results)
    margins = sorted(r["hotter"]["heat"] - r["cooler"]["heat"] for r in results)
    return {"part": name, "pairs": len(results), "right": right, "ties": ties,
            "wrong": len(results) - right - ties,
            "accuracy": round(right / len(results), 4) if results else None,
            "median_margin": margins[len(margins) // 2] if margins else None}


def _order(side: dict) -> tuple[int, int]:
    return side["heat"], side["rank"]


def render(s: dict) -> str:
    acc = "-" if s["accuracy"] is None else f"{100 * s['accuracy']:.1f} %"
    return (f"heat pairwise accuracy ({s['part']}): {acc}  — {s['right']} of {s['pairs']} pairs right, "
            f"{s['ties']} tied, {s['wrong']} reversed; median margin {s['median_margin']} points")


def _explain(side: dict) -> str:
    return f"{side['heat']:>3} = " + " + ".join(f"{name} {pts:+.1f} ({value})" for name, value, pts in side["terms"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.heat_eval", description=__doc__.split("\n\n")[0])
    parser.add_argument("--part", choices=PARTS, default="tune")
    parser.add_argument("--json", action="store_true", help="the summary as JSON")
    parser.add_argument("--errors", action="store_true",
                        help="one block per misranked pair (tune only: held-out pairs are never shown)")
    parser.add_argument("--limit", type=int, default=None, help="only the first N pairs of the part")
    args = parser.parse_args(argv)
    if args.errors and args.part != "tune":
        raise SystemExit("--errors shows pairs one by one: only for --part tune (held-out stays aggregate)")
    now, pairs = load_pairs()
    chosen = part(pairs, args.part)[:args.limit]
    results = rank_pairs(chosen, now)
    s = summary(args.part, results)
    if args.json:
        print(json.dumps(s, indent=2))
    else:
        print(render(s))
    if args.errors:
        why = {p["id"]: p["why"] for p in chosen}
        for r in results:
            if _order(r["hotter"]) <= _order(r["cooler"]):
                print(f"\n{r['id']}: {why[r['id']]}\n  hotter {_explain(r['hotter'])}\n  cooler {_explain(r['cooler'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
