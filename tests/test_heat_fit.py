"""Fitting the heat weights (devtools.heat_fit): the rescoring is the clock tick's, the fit never loses pairs
and never touches what the fold reads, and the held-out part never enters."""

from __future__ import annotations

from dataclasses import fields, replace

from devtools.heat_eval import load_pairs, part, rank_pairs, summary
from devtools.heat_fit import FOLD_KNOBS, fit, groups, prepared, right, tune_pairs
from oncall_tui.usecases.models import shipped


def _tune(n: int):
    now, pairs = load_pairs()
    return now, part(pairs, "tune")[:n]


def test_rescoring_the_folded_stats_ranks_as_the_stored_tick_does():
    now, pairs = _tune(40)
    weights = shipped().weights
    assert right(weights, prepared(pairs, now)) == summary("tune", rank_pairs(pairs, now))["right"]


def test_a_fit_never_loses_a_pair_and_leaves_the_fold_s_knobs_alone():
    now, pairs = _tune(60)
    cases = prepared(pairs, now)
    # Start from weights that misrank: waiting worth nothing, so only what was said orders the cases.
    start = replace(shipped().weights, waiting_max=0.0, words_max=0.0)
    fitted, n = fit(start, cases, min_gain=1, rounds=2)
    assert n == right(fitted, cases) > right(start, cases)
    assert all(getattr(fitted, k) == getattr(start, k) for k in FOLD_KNOBS)
    assert any(getattr(fitted, f.name) != getattr(start, f.name) for f in fields(start))


def test_only_the_knobs_asked_for_move():
    now, pairs = _tune(60)
    start = replace(shipped().weights, waiting_max=0.0, words_max=0.0)
    fitted, _ = fit(start, prepared(pairs, now), min_gain=1, rounds=1, knobs={"waiting_max"})
    moved = {f.name for f in fields(start) if getattr(fitted, f.name) != getattr(start, f.name)}
    assert moved == {"waiting_max"}


def test_writers_batches_are_grouped_and_the_held_out_part_never_enters():
    _, pairs = load_pairs()
    heldout = {p["id"] for p in part(pairs, "heldout")}
    _, tune = tune_pairs()
    assert {p["id"] for p in tune} == {p["id"] for p in part(pairs, "tune")}
    by_group = groups([(p["id"], p["source"], ()) for p in tune])
    assert not heldout & {c[0] for g in by_group.values() for c in g}
    assert sum(map(len, by_group.values())) == len(tune)
    # One group per later writer's file; the first file's tune share in chunks of at most 60.
    assert {"pairs_tune_extra_49.json", "pairs.json#0"} <= set(by_group)
    assert all(len(g) <= 60 for name, g in by_group.items() if name.startswith("pairs.json#"))
