"""Fit the heat weights to the tune pairs, and measure whether fitting generalises.

    python -m devtools.heat_fit [--folds 5] [--min-gain 2] [--write FILE] [--check FILE ...]

The shipped weights (`oncall_tui/data/heat.toml`) were set by hand, then refit with this tool (its notes say
which knobs and what it measured). This asks whether a search over them does better on pairs it has not seen:

- every tune pair (`devtools.heat_eval`'s tune part, never the held-out one) is imported and ticked once,
  and each case's folded stats kept; a candidate set of weights then rescores those stats (`score`), which
  is what the clock tick does, so trying one costs a fraction of a second;
- the search is coordinate descent: each knob in turn is multiplied by a few steps and kept where it puts
  at least `--min-gain` more pairs right (one pair more is as likely luck as signal);
- `--folds K` cross-validates by writer: the tune pairs are grouped by the file they came from (each file
  is one writer's batch; the original file's tune share is cut into chunks of the same size), the groups
  dealt into K folds; each fold is scored with the weights fitted on the others, beside the shipped
  weights;
- `--check FILE` scores pair files (a new writer's batch nobody has studied) with the shipped weights and
  with the weights fitted on all the tune pairs.

The knobs read while folding (the promise windows, the repeat window) stay as shipped: changing them means
folding again. The held-out part is never read.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import fields
from datetime import datetime
from pathlib import Path

from devtools.heat_eval import PAIRS, TUNE_EXTRA, load_pairs, part, stored_cases

#: Knobs the fold reads (see `derived.refresh_cases`): fitting them would need a new fold per try.
FOLD_KNOBS = frozenset({"promise_window_hours", "promise_outage_window_hours", "repeat_window_days"})
STEPS = (0.5, 0.75, 0.9, 1.1, 1.33, 2.0)


def tune_pairs() -> tuple[datetime, list[dict]]:
    """(now, the tune part), each pair marked with its `source`: the file it came from (one writer's batch)."""
    now, pairs = load_pairs(PAIRS, extra=())
    tune = [{**p, "source": PAIRS.name} for p in part(pairs, "tune")]
    for path in TUNE_EXTRA:
        _, extra = load_pairs(PAIRS, extra=(path,))
        tune += [{**p, "source": path.name} for p in extra if p.get("part") == "tune"]
    return now, tune


def prepared(pairs: list[dict], now: datetime) -> list[tuple]:
    """Per pair: (id, source, (stats, status, opened, tier, incident, at) for hotter, then cooler)."""
    from oncall_tui.core.heat_stats import CaseStats
    from oncall_tui.core.timeutil import parse_ts

    out = []
    for pair, (at, rows) in zip(pairs, stored_cases(pairs, now)):
        sides = tuple((CaseStats.from_json(r[2]), r[3], parse_ts(r[4]), r[5], r[6], at)
                      for r in (rows["hotter"], rows["cooler"]))
        out.append((pair["id"], pair.get("source", PAIRS.name), sides))
    return out


def right(weights, cases: list[tuple]) -> int:
    """How many pairs the queue orders right under *weights* (heat, then the exact sum; a tie is wrong)."""
    from oncall_tui.core.heat_score import score

    n = 0
    for _, _, sides in cases:
        a, b = (score(st, status=status, opened_at=opened, tier=tier, now=at, incident_open=inc, weights=weights)
                for st, status, opened, tier, inc, at in sides)
        n += (a.score, a.rank) > (b.score, b.rank)
    return n


def fit(weights, cases: list[tuple], *, min_gain: int = 2, rounds: int = 4, steps=STEPS, knobs=None, log=None):
    """Coordinate descent from *weights*: each knob (of *knobs*, or all but FOLD_KNOBS) times each of *steps*,
    kept when it gains *min_gain* pairs."""
    from oncall_tui.core.heat_weights import parse_weights

    best = right(weights, cases)
    for _ in range(rounds):
        moved = False
        for f in fields(weights):
            key = f.name
            if key in FOLD_KNOBS or knobs and key not in knobs:
                continue
            value = getattr(weights, key)
            gain_at = None
            for t in sorted({round(value * s, 4) for s in steps} if value else {1.0, 3.0, 5.0}):
                try:  # the [heat] table's own bounds: a factor stays within 0..1, points within 0..100
                    trial = parse_weights({key: t}, "fit", base=weights)
                except ValueError:
                    continue
                n = right(trial, cases)
                if n >= best + min_gain and (gain_at is None or n > gain_at[0]):
                    gain_at = (n, trial)
            if gain_at is not None:
                if log:
                    log(f"  {key}: {value:g} -> {getattr(gain_at[1], key):g} ({best} -> {gain_at[0]})")
                best, weights = gain_at
                moved = True
        if not moved:
            break
    return weights, best


def groups(cases: list[tuple]) -> dict[str, list[tuple]]:
    """The tune pairs by writer's batch: one group per extra file, the original file's share in chunks of 60."""
    out: dict[str, list[tuple]] = {}
    base = [c for c in cases if c[1] == PAIRS.name]
    for n, c in enumerate(base):
        out.setdefault(f"{PAIRS.name}#{n // 60}", []).append(c)
    for c in cases:
        if c[1] != PAIRS.name:
            out.setdefault(c[1], []).append(c)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.heat_fit", description=__doc__.split("\n\n")[0])
    parser.add_argument("--folds", type=int, default=0, help="cross-validate by writer over K folds")
    parser.add_argument("--min-gain", type=int, default=2)
    parser.add_argument("--knobs", nargs="*", default=None, help="fit only these knobs (default: all but the fold's)")
    parser.add_argument("--steps", type=float, nargs="*", default=list(STEPS), help="factors tried on each knob")
    parser.add_argument("--write", type=Path, help="write the weights fitted on all tune pairs as a [heat] table")
    parser.add_argument("--check", type=Path, nargs="*", default=[], help="pair files nobody studied")
    args = parser.parse_args(argv)
    from oncall_tui.usecases.models import shipped

    shipped_weights = shipped().weights
    now, tune = tune_pairs()
    started = time.monotonic()
    cases = prepared(tune, now)
    print(f"{len(cases)} tune pairs prepared in {time.monotonic() - started:.0f} s; shipped weights: "
          f"{right(shipped_weights, cases)} right")
    if args.folds:
        by_group = sorted(groups(cases).items())
        folds = [[c for n, (_, g) in enumerate(by_group) if n % args.folds == k for c in g] for k in range(args.folds)]
        totals = [0, 0, 0]
        for k, held in enumerate(folds):
            rest = [c for j, f in enumerate(folds) if j != k for c in f]
            fitted, _ = fit(shipped_weights, rest, min_gain=args.min_gain, steps=args.steps, knobs=args.knobs)
            a, b = right(shipped_weights, held), right(fitted, held)
            totals = [totals[0] + len(held), totals[1] + a, totals[2] + b]
            print(f"fold {k}: {len(held)} pairs: shipped {a}, fitted on the others {b}")
        print(f"cross-validated: {totals[0]} pairs: shipped {totals[1]}, fitted {totals[2]}")
    if args.write or args.check:
        fitted, n = fit(shipped_weights, cases, min_gain=args.min_gain, steps=args.steps, knobs=args.knobs, log=print)
        print(f"fitted on all tune pairs: {n} right")
        for path in args.check:
            check_now, check_pairs = load_pairs(path, extra=())
            checked = prepared(check_pairs, check_now)
            print(f"{path.name}: {len(checked)} pairs: shipped {right(shipped_weights, checked)}, "
                  f"fitted {right(fitted, checked)}")
        if args.write:
            changed = {f.name: getattr(fitted, f.name) for f in fields(fitted)
                       if getattr(fitted, f.name) != getattr(shipped_weights, f.name)}
            args.write.write_text("[heat]\n" + "".join(f"{k} = {v:g}\n" for k, v in changed.items()),
                                  encoding="utf-8")
            print(json.dumps(changed, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
