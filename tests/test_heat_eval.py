"""The heat's evaluation: a fixed split of the ranked pairs, built through the real importer, never shown
pair by pair for the held-out part."""

from __future__ import annotations

import json
import random
from datetime import timedelta

import pytest

from devtools.heat_eval import (
    ago,
    load_pairs,
    main,
    pair_document,
    part,
    rank_pairs,
    split_ids,
    summary,
)


def test_the_pairs_split_70_30_by_seed_2026_whatever_the_file_order():
    _, pairs = load_pairs(extra=())
    ids = [p["id"] for p in pairs]
    tune, heldout = split_ids(ids)
    shuffled = ids[:]
    random.Random(7).shuffle(shuffled)
    assert split_ids(shuffled) == (tune, heldout)
    assert len(tune) == round(0.7 * len(ids)) and len(tune) + len(heldout) == len(ids)
    assert not set(tune) & set(heldout)
    assert {p["id"] for p in part(pairs, "tune")} == set(tune)


def test_tune_only_pairs_join_the_tune_part_and_leave_the_held_out_part_unchanged(tmp_path):
    now, alone = load_pairs(extra=())
    first = alone[0]
    extra = tmp_path / "extra.json"
    extra.write_text(json.dumps({"now": now.isoformat(), "pairs": [{**first, "id": "q1"}]}), encoding="utf-8")
    _, with_extra = load_pairs(extra=[extra])
    assert part(with_extra, "heldout") == part(alone, "heldout")
    assert {p["id"] for p in part(with_extra, "tune")} == {p["id"] for p in part(alone, "tune")} | {"q1"}
    extra.write_text(json.dumps({"now": now.isoformat(), "pairs": [first]}), encoding="utf-8")
    with pytest.raises(SystemExit, match="used twice"):
        load_pairs(extra=[extra])


def test_a_tune_file_written_on_another_day_is_ranked_at_its_own_now(tmp_path):
    """A file's bodies speak of its own day ("avant lundi"): its pairs are imported and scored at its `now`,
    so the same pair a week later in the file ranks exactly as it did then."""
    now, alone = load_pairs(extra=())
    first = alone[0]
    later = now + timedelta(days=11)
    extra = tmp_path / "extra.json"
    extra.write_text(json.dumps({"now": later.isoformat(), "pairs": [{**first, "id": "q1"}]}), encoding="utf-8")
    _, with_extra = load_pairs(extra=[extra])
    moved = next(p for p in with_extra if p["id"] == "q1")
    assert moved["now"] == later and "now" not in first
    ranked_then, ranked_later = rank_pairs([first], now)[0], rank_pairs([moved], now)[0]
    assert ranked_later["hotter"] == ranked_then["hotter"] and ranked_later["cooler"] == ranked_then["cooler"]


@pytest.mark.parametrize("text, minutes", [("20m", 20), ("4h30m", 270), ("1d3h", 1620), ("2d", 2880)])
def test_ages_read_like_the_file_writes_them(text, minutes):
    assert ago(text).total_seconds() == minutes * 60


def test_a_bad_age_is_named():
    with pytest.raises(ValueError, match="'soon'"):
        ago("soon")


def test_a_small_part_is_ranked_through_the_store_and_summarised():
    now, pairs = load_pairs()
    chosen = part(pairs, "tune")[:3]
    results = rank_pairs(chosen, now)
    assert [r["id"] for r in results] == [p["id"] for p in chosen]
    for r in results:
        for side in ("hotter", "cooler"):
            assert 0 <= r[side]["heat"] <= 100
            assert all(len(term) == 3 for term in r[side]["terms"])
    s = summary("tune", results)
    assert s["pairs"] == 3 and s["right"] + s["ties"] + s["wrong"] == 3
    assert s["accuracy"] is None or 0 <= s["accuracy"] <= 1


def test_broadcasts_and_earlier_cases_reach_the_document():
    now, pairs = load_pairs()
    pairs = part(pairs, "tune")
    with_broadcast = next(p for p in pairs if any(e.get("broadcast") for e in p["hotter"]["events"]))
    doc = pair_document(with_broadcast, now)
    metas = [e.get("meta", {}) for c in doc["cases"] for e in c["events"]]
    assert any("broadcast" in m for m in metas)
    with_earlier = next(p for p in pairs if p["hotter"].get("earlier_cases"))
    doc = pair_document(with_earlier, now)
    assert len([c for c in doc["cases"] if c["customer"] == "c-hotter"]) == 1 + len(with_earlier["hotter"]["earlier_cases"])


def test_misranked_pairs_are_never_listed_for_the_held_out_part(capsys):
    with pytest.raises(SystemExit):
        main(["--part", "heldout", "--errors"])
    main(["--part", "tune", "--limit", "2", "--json"])
    assert '"part": "tune"' in capsys.readouterr().out
