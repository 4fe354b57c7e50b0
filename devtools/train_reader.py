"""Train the decoder's reader (`oncall_tui/core/intent_reader.py`) on the TUNE part of the labelled messages.

    python -m devtools.train_reader            # writes oncall_tui/data/intent_reader.json.gz
    python -m devtools.train_reader --check    # exit 1 if the shipped model is not what training gives now

Needs scikit-learn (the `test` extra); the product only reads the weights.

The training rows are `devtools.decoder_eval`'s tune part (the seed-2026 70 % of
`tests/data/intents/corpus.jsonl` plus every `tune_extra*.jsonl`): the held-out
part never enters, and the model file records the ids it learnt from so a test
can check that. Each message is learnt as `decode` reads it at its last pass (`intents.read_as`): a
forward's pointer ("Kev's latest, forwarded:") with what it forwards, not alone. Settings, chosen by 5-fold cross-validation on the tune part
only (`devtools.decoder_methods`; the note of issue 16 has the numbers): TF-IDF
over char_wb 2-5-grams beside a TF-IDF over words and pairs of words (each
sublinear tf, min_df 2, l2-normed; the word part chosen by leaving out one
writer's batch at a time, the closest the tune part comes to a new writer) and
one-vs-rest logistic regression (liblinear, C=100, balanced classes). The threshold under which the
best guess is only "not sure" is chosen on the out-of-fold probabilities of the tune rows, precision
first on both sides (see `choose_threshold`): the least precise of each intent's suggestions and of
the messages left without one as precise as it can be, up to issue 16's 95 %; then right answers minus
wrong suggestions. Maximising the second alone let the threshold jump (0.52 -> 0.62 with one more
batch) onto a point where, out of fold, 9 % of "nothing to do" were requests.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import sys
from pathlib import Path

import numpy as np

from devtools.decoder_eval import load_corpus, part
from oncall_tui.core.intent_reader import FORMAT, NONE, ReaderError, load_reader
from oncall_tui.core.intents import read_as

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "oncall_tui" / "data" / "intent_reader.json.gz"
NGRAMS = (2, 5)
WORD_NGRAMS = (1, 2)
#: The reader's own tokens (`intent_reader.WORD_TOKEN`): one-letter words too ("a", "y").
TOKEN_PATTERN = r"(?u)\b\w+\b"
SEED = 0
FOLDS = 5
#: Decimals kept of each weight: the file stays ~1 MB and no decision moves (checked by `--check`).
DECIMALS = 5


def ids_digest(ids) -> str:
    return hashlib.sha256("\n".join(sorted(ids)).encode()).hexdigest()


def _pipeline():
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.pipeline import make_pipeline, make_union

    return make_pipeline(
        make_union(TfidfVectorizer(analyzer="char_wb", ngram_range=NGRAMS, sublinear_tf=True, min_df=2),
                   TfidfVectorizer(analyzer="word", ngram_range=WORD_NGRAMS, token_pattern=TOKEN_PATTERN,
                                   sublinear_tf=True, min_df=2)),
        OneVsRestClassifier(LogisticRegression(C=100.0, solver="liblinear", class_weight="balanced",
                                               random_state=SEED)))


#: The precision issue 16 asks of every suggestion and of "nothing to do" (no-intent precision).
PRECISION_TARGET = 0.95


def choose_threshold(probabilities, labels: list[str], classes: list[str]) -> tuple[float, float]:
    """(threshold, accuracy) on out-of-fold probabilities, a best guess under the threshold proposing nothing.

    Precision first, on both sides: a wrong suggestion is worse than none, and so is "nothing to do" said of a
    request. The threshold kept makes the least precise of them (each intent's suggestions, and the messages
    left without one) as precise as it can, up to PRECISION_TARGET; among those, it maximises right answers
    minus wrong suggestions, and the highest such threshold is kept (the most cautious)."""
    probs = np.asarray(probabilities, dtype=float)
    best = probs.argmax(axis=1)
    confidence = probs[np.arange(len(probs)), best]
    label_index = {c: i for i, c in enumerate(classes)}
    truth = np.array([label_index[y] for y in labels])
    none = label_index[NONE]
    order = np.argsort(-confidence, kind="stable")
    conf, guess, true = confidence[order], best[order], truth[order]
    n = len(conf)
    # Above the threshold: the first k rows (by confidence). For each k: per class, suggestions and right ones.
    suggested = np.zeros((n + 1, len(classes)))
    right_of = np.zeros((n + 1, len(classes)))
    suggested[1:] = np.cumsum(np.eye(len(classes))[guess], axis=0)
    right_of[1:] = np.cumsum(np.eye(len(classes))[guess] * (guess == true)[:, None], axis=0)
    true_none_total = float((true == none).sum())
    true_none_above = np.concatenate([[0.0], np.cumsum(true == none)])
    scored = []
    # A threshold at each distinct confidence (rows with the same confidence go together), and 0.
    ends = [k for k in range(1, n + 1) if k == n or conf[k] != conf[k - 1]]
    for k in ends:
        tau = float(conf[k - 1])
        # Left without a suggestion: the rows below, and the rows above whose best guess is "none".
        left = (n - k) + suggested[k, none]
        left_right = (true_none_total - true_none_above[k]) + right_of[k, none]
        precisions = [left_right / left if left else 1.0]
        for c in range(len(classes)):
            if c != none and suggested[k, c]:
                precisions.append(right_of[k, c] / suggested[k, c])
        right = float(right_of[k].sum()) + (true_none_total - true_none_above[k])
        wrong = float(suggested[k].sum() - suggested[k, none] - (right_of[k].sum() - right_of[k, none]))
        scored.append((round(min(min(precisions), PRECISION_TARGET), 4), right - wrong, tau, right / n))
    _, _, tau, accuracy = max(scored)
    return tau, accuracy


def train(rows: list[dict], rules) -> tuple[dict, dict]:
    """(model file content, training report) learnt from *rows*."""
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    texts = [read_as(r["text"], rules) for r in rows]
    labels = [r["intent"] for r in rows]
    out_of_fold = cross_val_predict(_pipeline(), texts, labels, method="predict_proba",
                                    cv=StratifiedKFold(FOLDS, shuffle=True, random_state=SEED))
    model = _pipeline().fit(texts, labels)
    union, ovr = model.steps[0][1], model.steps[1][1]
    (_, chars), (_, words) = union.transformer_list
    classes = [str(c) for c in ovr.classes_]
    threshold, oof_accuracy = choose_threshold(out_of_fold, labels, classes)
    grams = sorted(chars.vocabulary_, key=chars.vocabulary_.get)
    word_grams = sorted(words.vocabulary_, key=words.vocabulary_.get)
    content = {
        "format": FORMAT,
        "kind": "char_wb tf-idf + word tf-idf (each sublinear, l2) + one-vs-rest logistic regression",
        "ngram_range": list(NGRAMS),
        "word_ngram_range": list(WORD_NGRAMS),
        "classes": classes,
        "threshold": round(threshold, 4),
        "trained_on": {"messages": len(rows), "ids_sha256": ids_digest(r["id"] for r in rows),
                       "out_of_fold_accuracy": round(oof_accuracy, 4)},
        "grams": grams,
        "idf": [round(float(x), DECIMALS) for x in chars.idf_],
        "word_grams": word_grams,
        "word_idf": [round(float(x), DECIMALS) for x in words.idf_],
        "weights": [[round(float(x), DECIMALS) for x in est.coef_[0]] for est in ovr.estimators_],
        "intercepts": [round(float(est.intercept_[0]), DECIMALS) for est in ovr.estimators_],
    }
    return content, {"model": model, "texts": texts, "labels": labels}


def encode(content: dict) -> bytes:
    # mtime=0: the same training gives the same bytes.
    return gzip.compress(json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode(), mtime=0)


def compare(shipped, fresh, texts: list[str]) -> list[str]:
    """What differs between two Readers that should be the same training (floating noise aside)."""
    problems = []
    if shipped.classes != fresh.classes or shipped.index != fresh.index or shipped.word_index != fresh.word_index:
        return ["other classes or n-grams"]
    if shipped.trained_on.get("ids_sha256") != fresh.trained_on.get("ids_sha256"):
        problems.append("trained on other messages")
    if abs(shipped.threshold - fresh.threshold) > 0.01:
        problems.append(f"threshold {shipped.threshold} vs {fresh.threshold}")
    drift = float(abs(shipped.weights - fresh.weights).max())
    # liblinear's floats differ between machines (0.0026 between the training machine and an AVX-512 one, with
    # the same scikit-learn, numpy and scipy), and no reading moves at that size; a real change of training
    # (another setting, other messages) moves weights by tenths and is caught here and by the readings below.
    if drift > 1e-2:
        problems.append(f"weights differ by up to {drift:.4f}")
    moved = sum(shipped.read(t).best != fresh.read(t).best for t in texts)
    if moved:
        problems.append(f"{moved} of {len(texts)} messages read otherwise")
    return problems


def tune_rows() -> list[dict]:
    return part(load_corpus(), "tune")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m devtools.train_reader", description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true", help="compare with the shipped model instead of writing it")
    ap.add_argument("--out", type=Path, default=MODEL)
    args = ap.parse_args(argv)
    from oncall_tui.usecases.models import shipped_rules

    rows = tune_rows()
    content, _ = train(rows, shipped_rules())
    data = encode(content)
    if args.check:
        try:
            shipped = load_reader(args.out.read_bytes(), str(args.out))
        except (OSError, ReaderError) as exc:
            print(f"{args.out}: {exc}", file=sys.stderr)
            return 1
        problems = compare(shipped, load_reader(data, "training"), [read_as(r["text"], shipped_rules())
                                                                    for r in rows])
        if problems:
            print(f"{args.out} is not what training on the {len(rows)} tune messages gives now "
                  f"({'; '.join(problems)}): run `python -m devtools.train_reader`", file=sys.stderr)
            return 1
        print(f"{args.out}: up to date ({len(rows)} messages)")
        return 0
    args.out.write_bytes(data)
    print(f"{args.out}: {len(content['grams'])} character and {len(content['word_grams'])} word n-grams x {len(content['classes'])} classes, "
          f"{len(data) / 1e6:.2f} MB; threshold {content['threshold']}, out-of-fold accuracy "
          f"{content['trained_on']['out_of_fold_accuracy']:.3f} on {len(rows)} tune messages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
