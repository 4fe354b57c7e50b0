"""How well the jargon decoder reads customers: precision, recall, domains, latency.

    python -m devtools.decoder_eval [--part tune|heldout|all] [--json] [--errors]

The labelled corpus (`tests/data/intents/corpus.jsonl`, written by someone who
never saw the rules) is split once and for all: ids sorted, shuffled with
`random.Random(2026)`, the first 70 % are `tune`, the last 30 % `heldout`.
`tests/data/intents/tune_extra*.jsonl` (written later, the same way, by people
who never saw the rules either) is tune data only: it never enters the split,
so the held-out part stays the same messages.
Rules are tuned on `tune` only. The held-out part is only ever looked at as
aggregate numbers: `--errors` (one line per misread message) refuses it.

What is measured, for the top proposal of each message against its label
("none" = the decoder proposes nothing):

- per intent: precision (of the messages where it is the top proposal, the
  share labelled so) and recall (of the messages labelled so, the share where
  it is the top proposal);
- domains: of the messages whose label has a domain and whose top proposal is
  the labelled intent, the share whose proposed domain is the labelled one
  (case-insensitive); `domains_end_to_end` counts every message whose label
  has a domain (a missed intent is a missed domain);
- no-intent precision: of the messages where nothing is proposed, the share
  labelled none;
- overall accuracy: top proposal (or none) equals the label;
- latency of `propose`: median and p95 ms for a 2 kB message, ms for a
  100 000-letter single word and for a 2 MB message.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Callable, Iterable

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "data" / "intents" / "corpus.jsonl"
TUNE_EXTRA = tuple(sorted((ROOT / "tests" / "data" / "intents").glob("tune_extra*.jsonl")))
SEED = 2026
TUNE_SHARE = 0.7
PARTS = ("tune", "heldout", "all")


def load_corpus(path: Path = CORPUS, extra: Iterable[Path] = TUNE_EXTRA) -> list[dict]:
    """The split corpus's messages, then the tune-only ones of the `extra` files (marked `"part": "tune"`)."""
    rows = _read_jsonl(path)
    seen = {r["id"] for r in rows}
    for more in extra:
        for r in _read_jsonl(more):
            if r["id"] in seen:  # a shared id would put a tune-only message in the held-out part
                raise SystemExit(f"{more}: id {r['id']!r} is used twice")
            seen.add(r["id"])
            rows.append({**r, "part": "tune"})
    return rows


def _read_jsonl(path: Path) -> list[dict]:
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise SystemExit(f"{path}:{n}: not a JSON line: {exc}") from None
    return rows


def split_ids(ids: Iterable[str]) -> tuple[list[str], list[str]]:
    """(tune ids, held-out ids): sorted, shuffled with seed 2026, cut at 70 %."""
    order = sorted(ids)
    random.Random(SEED).shuffle(order)
    cut = round(len(order) * TUNE_SHARE)
    return order[:cut], order[cut:]


def part(rows: list[dict], name: str) -> list[dict]:
    """The rows of one part: the split corpus's share, plus every tune-only row for `tune`."""
    if name == "all":
        return rows
    tune, heldout = split_ids(r["id"] for r in rows if "part" not in r)
    keep = set(tune if name == "tune" else heldout)
    return [r for r in rows if r["id"] in keep or (name == "tune" and r.get("part") == "tune")]


# ---------------------------------------------------------------- quality

def _top(proposals) -> tuple[str, str | None, str | None]:
    """The first proposal's intent, its domain and, for a clone whose copy is named, the copy's host."""
    if not proposals:
        return "none", None, None
    p = proposals[0]
    return p.intent, p.params.get("domain"), p.params.get("target_domain")


def _same_domain(r: dict) -> bool:
    """The labelled domain was found. A clone acts on two hosts, the site and its copy (the runbook's `domain`
    and `target_domain`): the one labelled is right in either."""
    return r["domain"].lower() in {(r["got_domain"] or "").lower(), (r.get("got_copy") or "").lower()}


def score(rows: list[dict], propose: Callable) -> tuple[dict, list[dict]]:
    """Aggregate numbers, and one record per message (for the tune part's --errors only)."""
    records = []
    for r in rows:
        intent, domain, copy = _top(propose(r["text"], known_domains=r.get("known_domains") or ()))
        records.append({"id": r["id"], "label": r["intent"], "got": intent, "domain": r.get("domain"),
                        "got_domain": domain, "got_copy": copy})
    labels = sorted({r["label"] for r in records} | {r["got"] for r in records})
    per_intent = {}
    for name in labels:
        predicted = [r for r in records if r["got"] == name]
        actual = [r for r in records if r["label"] == name]
        hits = sum(1 for r in predicted if r["label"] == name)
        per_intent[name] = {"precision": hits / len(predicted) if predicted else None,
                            "recall": hits / len(actual) if actual else None,
                            "predicted": len(predicted), "labelled": len(actual), "correct": hits}
    with_domain = [r for r in records if r["domain"]]
    right_intent = [r for r in with_domain if r["got"] == r["label"]]

    silent = [r for r in records if r["got"] == "none"]
    out = {
        "messages": len(records),
        "per_intent": per_intent,
        "domains": _share(sum(map(_same_domain, right_intent)), len(right_intent)),
        "domains_n": len(right_intent),
        "domains_end_to_end": _share(sum(map(_same_domain, with_domain)), len(with_domain)),
        "domains_end_to_end_n": len(with_domain),
        "no_intent_precision": _share(sum(1 for r in silent if r["label"] == "none"), len(silent)),
        "no_intent_n": len(silent),
        "accuracy": _share(sum(1 for r in records if r["got"] == r["label"]), len(records)),
    }
    return out, records


def _share(n: int, d: int) -> float | None:
    return n / d if d else None


# ---------------------------------------------------------------- latency

_PARAGRAPH = ("Bonjour, depuis la mise à jour d'hier notre boutique en ligne boutique-martin.fr est très "
              "lente et le cadenas a disparu, les clients nous écrivent à contact@boutique-martin.fr. ")


def latency(propose: Callable, repeats: int = 50) -> dict:
    """Synthetic messages (never corpus text): a 2 kB mail, a 100k-letter word, a 2 MB mail."""
    two_kb = (_PARAGRAPH * 20)[:1800] + "\n\nLe lun. 3 mars, Support a écrit :\n> " + "bla " * 50
    propose(two_kb)  # warm: rules compiled, caches filled
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        propose(two_kb)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    word = "certificat" * 10_000  # 100 000 letters, one word
    two_mb = (_PARAGRAPH + "Pouvez-vous installer un certificat ? ") * (2_000_000 // (len(_PARAGRAPH) + 38) + 1)
    return {"2kb_median_ms": statistics.median(times),
            "2kb_p95_ms": times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))],
            "word_100k_ms": _once(propose, word),
            "message_2mb_ms": _once(propose, two_mb[:2_000_000])}


def _once(propose: Callable, text: str) -> float:
    started = time.perf_counter()
    propose(text)
    return (time.perf_counter() - started) * 1000


# ---------------------------------------------------------------- output

def _pct(x: float | None) -> str:
    return "   —  " if x is None else f"{100 * x:5.1f}%"


def render(name: str, q: dict, lat: dict | None) -> str:
    lines = [f"part: {name} ({q['messages']} messages)", "",
             f"{'intent':<20}{'precision':>10}{'recall':>9}{'predicted':>11}{'labelled':>10}"]
    for intent, s in q["per_intent"].items():
        lines.append(f"{intent:<20}{_pct(s['precision']):>10}{_pct(s['recall']):>9}"
                     f"{s['predicted']:>11}{s['labelled']:>10}")
    lines += ["",
              f"domains (right intent):    {_pct(q['domains'])}  of {q['domains_n']}",
              f"domains (end to end):      {_pct(q['domains_end_to_end'])}  of {q['domains_end_to_end_n']}",
              f"no-intent precision:       {_pct(q['no_intent_precision'])}  of {q['no_intent_n']}",
              f"overall accuracy:          {_pct(q['accuracy'])}"]
    if lat:
        lines += ["",
                  f"latency 2 kB message:      median {lat['2kb_median_ms']:.2f} ms, p95 {lat['2kb_p95_ms']:.2f} ms",
                  f"latency 100k-letter word:  {lat['word_100k_ms']:.2f} ms",
                  f"latency 2 MB message:      {lat['message_2mb_ms']:.2f} ms"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m devtools.decoder_eval", description=__doc__.split("\n")[0])
    ap.add_argument("--part", choices=PARTS, default="tune")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--no-latency", action="store_true", help="skip the latency measures")
    ap.add_argument("--rules-only", action="store_true", help="the rules without the reader")
    ap.add_argument("--errors", action="store_true",
                    help="list every misread message (tune part only: held-out messages stay unseen)")
    args = ap.parse_args(argv)
    if args.errors and args.part != "tune":
        ap.error("--errors shows messages: only for --part tune (the held-out part is judged on aggregates)")
    from functools import partial

    from oncall_tui.core.intents import propose as core_propose
    from oncall_tui.usecases.models import shipped_reader, shipped_rules

    # What the product runs: the rules read the parameters, the reader picks the action (--rules-only: the
    # rules alone, as before the reader). The reader learnt from the tune part: its tune numbers are fitted.
    propose = partial(core_propose, rules=shipped_rules(), reader=None if args.rules_only else shipped_reader())
    q, records = score(part(load_corpus(), args.part), propose)
    lat = None if args.no_latency else latency(propose)
    if args.json:
        print(json.dumps({"part": args.part, **q, "latency": lat}, indent=2))
    else:
        print(render(args.part, q, lat))
    if args.errors:
        texts = {r["id"]: r for r in part(load_corpus(), "tune")}
        print("\nmisread (tune):")
        for r in records:
            wrong_domain = r["got"] == r["label"] and r["domain"] and not _same_domain(r)
            if r["got"] != r["label"] or wrong_domain:
                row = texts[r["id"]]
                print(f"{r['id']} label={r['label']} got={r['got']} domain={r['domain']} got_domain={r['got_domain']}"
                      f" known={row.get('known_domains')}\n    {row['text'][:300]!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
