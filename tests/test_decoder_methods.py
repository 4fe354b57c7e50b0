"""The decoder method comparison (issue 16) runs on the tune part and gives sane aggregate numbers.

Only the rules path and the pure-Python threshold choice are exercised here, so
the suite needs no scikit-learn (a development dependency of the experiment,
not of the product): the classifier methods are run by hand,
`python -m devtools.decoder_methods`.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from devtools.decoder_eval import part
from devtools.decoder_methods import (
    choose_threshold,
    internal_cv,
    main,
    summary,
    tune_and_heldout,
)

NUMBERS = ("precision_min", "precision_mean", "recall_min", "recall_mean", "domains", "domains_end_to_end",
           "no_intent_precision", "accuracy")


def test_the_runner_learns_from_the_tune_part_and_never_mixes_in_held_out_messages():
    tune, heldout = tune_and_heldout()
    from devtools.decoder_eval import load_corpus

    assert {r["id"] for r in tune} == {r["id"] for r in part(load_corpus(), "tune")}
    assert not {r["id"] for r in tune} & {r["id"] for r in heldout}


def test_a_tiny_internal_cross_validation_of_the_tune_part_gives_numbers_between_0_and_1_for_every_intent():
    tune, _ = tune_and_heldout()
    runs = internal_cv(tune, ["rules"], splits=2)
    assert list(runs) == ["rules"] and len(runs["rules"]) == 2
    for seed, s in enumerate(runs["rules"]):
        assert s["messages"] == len(tune) - round(0.7 * len(tune))
        for key in NUMBERS:
            assert s[key] is not None and 0.0 <= s[key] <= 1.0, (seed, key, s[key])
        assert s["precision_min"] <= s["precision_mean"] and s["recall_min"] <= s["recall_mean"]
        labelled = sum(v["labelled"] for v in s["per_intent"].values())
        assert labelled == s["messages"]  # every message's intent (and "none") is reported
        assert "none" in s["per_intent"]
        for name, v in s["per_intent"].items():
            for key in ("precision", "recall"):
                assert v[key] is None or 0.0 <= v[key] <= 1.0, (name, key)
    reported = {i for s in runs["rules"] for i in s["per_intent"]}
    assert {r["intent"] for r in tune} <= reported


def test_an_intent_never_proposed_counts_as_zero_precision_not_as_missing():
    q = {"messages": 2, "domains": None, "domains_end_to_end": None, "no_intent_precision": 0.5,
         "accuracy": 0.5,
         "per_intent": {"mailbox": {"precision": None, "recall": 0.0, "predicted": 0, "labelled": 1, "correct": 0},
                        "none": {"precision": 0.5, "recall": 1.0, "predicted": 2, "labelled": 1, "correct": 1}}}
    s = summary(q)
    assert s["precision_min"] == 0.0 and s["recall_min"] == 0.0


def test_the_threshold_is_the_lowest_one_whose_proposals_are_precise_enough():
    classes = ["mailbox", "none"]
    # out-of-fold probabilities of "mailbox": right at 0.9 and 0.8, wrong at 0.6, right at 0.55
    probs = [[0.9, 0.1], [0.8, 0.2], [0.6, 0.4], [0.55, 0.45], [0.1, 0.9]]
    labels = ["mailbox", "mailbox", "none", "mailbox", "none"]
    tau, precision, accuracy = choose_threshold(probs, labels, classes)
    assert tau == pytest.approx(0.8) and precision == 1.0 and accuracy == pytest.approx(0.8)
    # no proposal is ever right: propose nothing
    tau, precision, accuracy = choose_threshold([[0.9, 0.1], [0.7, 0.3]], ["none", "none"], classes)
    assert tau > 1.0 and precision == 1.0 and accuracy == 1.0


def test_the_command_reports_the_internal_splits_as_such(capsys):
    assert main(["--methods", "rules", "--no-heldout", "--cv-splits", "2", "--no-latency"]) == 0
    out = capsys.readouterr().out
    assert "INTERNAL CV: 2 random 70/30 splits of the TUNE part only" in out and "rules" in out
    assert "HELD-OUT" not in out
    with pytest.raises(SystemExit):
        main(["--methods", "rules,oracle", "--no-heldout"])


def test_the_rules_path_does_not_import_scikit_learn():
    code = ("import sys; from devtools.decoder_methods import evaluate, tune_and_heldout; t, _ = tune_and_heldout(); "
            "evaluate(t[:200], t[200:], ['rules']); print('sklearn' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
