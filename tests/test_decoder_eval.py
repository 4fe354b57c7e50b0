"""The decoder's evaluation split: fixed, reproducible, and the held-out part never shown message by message."""

from __future__ import annotations

import random

import pytest

from devtools.decoder_eval import load_corpus, main, part, split_ids


def test_the_corpus_splits_70_30_by_seed_2026_whatever_the_file_order():
    rows = load_corpus(extra=())
    ids = [r["id"] for r in rows]
    tune, heldout = split_ids(ids)
    shuffled = ids[:]
    random.Random(7).shuffle(shuffled)
    assert split_ids(shuffled) == (tune, heldout)
    assert len(tune) == round(0.7 * len(ids)) and len(tune) + len(heldout) == len(ids)
    assert not set(tune) & set(heldout)
    assert {r["id"] for r in part(rows, "tune")} == set(tune)
    assert len(part(rows, "all")) == len(rows)


def test_tune_only_messages_join_the_tune_part_and_leave_the_held_out_part_unchanged(tmp_path):
    extra = tmp_path / "extra.jsonl"
    extra.write_text('{"id": "x1", "lang": "en", "text": "thanks", "known_domains": [], "intent": "none",'
                     ' "domain": null}\n', encoding="utf-8")
    alone, with_extra = load_corpus(extra=()), load_corpus(extra=[extra])
    assert part(with_extra, "heldout") == part(alone, "heldout")
    assert {r["id"] for r in part(with_extra, "tune")} == {r["id"] for r in part(alone, "tune")} | {"x1"}


def test_every_labelled_message_names_a_known_intent():
    from oncall_tui.core.intents import INTENTS

    labels = {r["intent"] for r in load_corpus()}
    assert labels <= set(INTENTS) | {"none"}


def test_misread_messages_are_never_listed_for_the_held_out_part():
    with pytest.raises(SystemExit):
        main(["--part", "heldout", "--errors", "--no-latency"])


def test_a_clone_labelled_with_its_copy_or_its_site_counts_when_the_proposal_names_it_in_its_role():
    from devtools.decoder_eval import score
    from tests.models import propose

    text = "Merci de dupliquer boucherie.ca vers preprod.boucherie.ca (base + fichiers)."
    rows = [{"id": f"c{n}", "text": text, "known_domains": ["boucherie.ca"], "intent": "clone_environment",
             "domain": domain} for n, domain in enumerate(["preprod.boucherie.ca", "boucherie.ca", "autre.fr"])]
    quality, records = score(rows, propose)
    assert [r["got_domain"] for r in records] == ["boucherie.ca"] * 3
    assert quality["domains"] == pytest.approx(2 / 3)  # the copy and the site, not a host it never named
