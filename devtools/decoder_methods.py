"""Which method should read customers (issue 16): the rules, a classifier, or both — held-out numbers of each.

    python -m devtools.decoder_methods [--methods rules,clf_lr,...] [--cv-splits 5] [--no-latency] [--json]

Every method learns from the TUNE part of `devtools.decoder_eval`'s split only
(seed 2026, 70/30) and is judged on the held-out part as AGGREGATE numbers,
computed by `decoder_eval.score` (the same per-intent precision and recall,
domains, no-intent precision and accuracy as the benchmark). No message of the
held-out part is ever printed, and nothing is chosen by looking at it.

Methods:

- ``rules``: the shipped rules (`oncall_tui/data/intents.toml`) alone, as the product ran them before the reader.
- ``reader``: what the product runs now: `devtools.train_reader`'s model (TF-IDF char_wb 2-5 and words 1-2 + one-vs-rest
  logistic regression, C=100, balanced; threshold out of fold, a wrong suggestion costing a right one)
  trained on the training rows picks the intent or none; the rules give its parameters and words.
- ``clf_lr``: a linear classifier over character n-grams (TfidfVectorizer
  char_wb 2-5, sublinear tf, min_df 2) + one-vs-rest LogisticRegression, predicting the
  intent or "none". It reads the customer's own text as the rules do (quoted
  history and signature set aside, domains and e-mail addresses replaced by a
  placeholder word, at most MAX_BODY_CHARS characters: bounded, linear).
  Precision first: it proposes its best intent only from a probability
  threshold chosen by cross-validation on the training rows (out-of-fold
  probabilities; the lowest threshold whose proposals are >= 95 % precise,
  maximising accuracy). The domain is always the rules' extraction.
- ``clf_svm``: the same with a LinearSVC calibrated by CalibratedClassifierCV (sigmoid).
- ``clf_svm_top``: ``clf_svm``'s best guess whatever its probability (no
  threshold): what precision first costs in recall.
- ``clf_raw``: ``clf_svm`` on the raw first MAX_BODY_CHARS characters (no
  quote/signature split, no domain masking): is the rules' reading worth it?
- ``hybrid_agree``: (the hybrids consult ``clf_svm``, the best classifier out
  of fold on the tune part) the rules' top proposal is kept only if the classifier's
  best guess is the same intent; otherwise nothing.
- ``hybrid_veto``: the rules' top proposal is kept unless the classifier gives
  that intent a probability below the 5th percentile of the probability it
  gave, out of fold, to the right intent on the training rows (a recall
  budget fixed beforehand: the rules' own numbers on the tune part are too good
  to choose a veto from — they were tuned there); when the rules propose
  nothing, the classifier may propose from its own threshold (as ``clf_lr``).

`--cv-splits N` also runs N internal splits of the TUNE part only (70/30 by
seeds 0..N-1): train on the inner 70 %, judge on the inner 30 %, to show the
variance of each method. The rules were tuned on the whole tune part, so their
internal-CV numbers are optimistic by construction.

scikit-learn is a development dependency of this experiment only; it is
imported when a classifier method is built, never by the rules path.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

from devtools.decoder_eval import latency, load_corpus, part, score

METHODS = ("rules", "reader", "clf_lr", "clf_svm", "clf_svm_top", "clf_raw", "hybrid_agree", "hybrid_veto")
CLASSIFIERS = {"clf_lr": ("lr", True), "clf_svm": ("svm", True), "clf_svm_top": ("svm", True),
               "clf_raw": ("svm", False)}
#: The classifier the hybrids consult (the best one out of fold on the tune part).
HYBRID_CLASSIFIER = ("svm", True)
#: Precision the classifier's threshold aims at, out of fold on the training rows.
PRECISION_TARGET = 0.95
#: Share of right intents, out of fold, the hybrid's veto may cost.
VETO_RECALL_BUDGET = 0.05
#: A threshold no probability reaches: propose nothing.
NEVER = 1.01
TARGETS = {"precision_min": 0.95, "recall_min": 0.90, "domains_end_to_end": 0.95, "no_intent_precision": 0.95}


# ---------------------------------------------------------------- reading like the rules

def _rules():
    from oncall_tui.usecases.models import shipped_rules

    return shipped_rules()


def customer_text(text: str, rules) -> str:
    """A message as the product's reader learns it (`intents.read_as`)."""
    from oncall_tui.core.intents import read_as

    return read_as(text, rules)


def raw_text(text: str, rules) -> str:
    from oncall_tui.core.intents import MAX_BODY_CHARS

    return text[:MAX_BODY_CHARS].lower()


def rules_domain(text: str, intent: str, known_domains: Sequence[str], rules) -> str | None:
    """The domain the rules extract for *intent*: from their own proposal or guess for it, else any of theirs,
    else the first site written in the customer's text (a known one first), else the only known domain."""
    from oncall_tui.core.domains import scan
    from oncall_tui.core.intents import (
        MAX_BODY_CHARS,
        MAX_MESSAGE_CHARS,
        _split,
        decode,
    )

    if "domain" not in rules.intents[intent].params:
        return None
    d = decode(text, rules=rules, known_domains=known_domains)
    guesses = [*d.proposals, *([d.unsure] if d.unsure else [])]
    for p in [p for p in guesses if p.intent == intent] + guesses:
        if p.params.get("domain"):
            return p.params["domain"]
    body, _ = _split(text[:MAX_MESSAGE_CHARS], rules.closings)
    found, _ = scan(body[:MAX_BODY_CHARS], rules)
    known = [k.lower() for k in known_domains if k]
    sites = [f.domain for f in found if not f.email]
    for pool in ([s for s in sites if s in known], sites, [f.domain for f in found if f.domain in known]):
        if pool:
            return pool[0]
    return known[0] if len(known) == 1 else None


# ---------------------------------------------------------------- the classifier

@dataclass
class Classifier:
    """A fitted char n-gram model, with its thresholds chosen out of fold on the training rows."""

    model: object
    classes: list[str]
    threshold: float          # propose the best intent from this probability
    veto: dict[str, float]    # per intent: below this probability the hybrid vetoes the rules
    reader: Callable[[str, object], str]
    rules: object
    cv_precision: float
    cv_accuracy: float

    def probabilities(self, text: str) -> dict[str, float]:
        x = self.reader(text, self.rules)
        if not x.strip():
            return {"none": 1.0}
        return dict(zip(self.classes, self.model.predict_proba([x])[0]))


def _pipeline(kind: str, seed: int):
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.svm import LinearSVC

    # Settings chosen by 5-fold cross-validation on the tune part only (argmax accuracy out of fold and fit
    # time): min_df=2 keeps the fit ~1 s; a multinomial lbfgs model took 11 s and read worse (0.72 vs 0.84).
    vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2)
    if kind == "svm":
        clf = CalibratedClassifierCV(LinearSVC(C=0.5, random_state=seed), cv=3, method="sigmoid")
    else:
        clf = OneVsRestClassifier(LogisticRegression(C=100.0, solver="liblinear", class_weight="balanced",
                                                     random_state=seed))
    return make_pipeline(vec, clf)


def _folds(labels: list[str], wanted: int) -> int:
    smallest = min(labels.count(c) for c in set(labels))
    return max(2, min(wanted, smallest))


def choose_threshold(probs, labels: list[str], classes: list[str], target: float = PRECISION_TARGET):
    """(threshold, precision, accuracy) on out-of-fold probabilities: the threshold maximising accuracy among
    those whose proposals are at least *target* precise (NEVER, proposing nothing, always is)."""
    best_i = [max(range(len(classes)), key=lambda j: row[j]) for row in probs]
    cands = sorted({0.0, *(float(row[i]) for row, i in zip(probs, best_i)), NEVER})
    results = []
    for tau in cands:
        got = [classes[i] if classes[i] != "none" and row[i] >= tau else "none" for row, i in zip(probs, best_i)]
        proposed = [(g, y) for g, y in zip(got, labels) if g != "none"]
        precision = sum(g == y for g, y in proposed) / len(proposed) if proposed else 1.0
        accuracy = sum(g == y for g, y in zip(got, labels)) / len(labels)
        results.append((tau, precision, accuracy))
    return max((r for r in results if r[1] >= target), key=lambda r: (r[2], -r[0]))


def fit_classifier(rows: list[dict], kind: str = "lr", body: bool = True, folds: int = 5, seed: int = 0,
                   rules=None) -> Classifier:
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    rules = rules or _rules()
    reader = customer_text if body else raw_text
    X = [reader(r["text"], rules) for r in rows]
    y = [r["intent"] for r in rows]
    k = _folds(y, folds)
    oof = cross_val_predict(_pipeline(kind, seed), X, y, method="predict_proba",
                            cv=StratifiedKFold(k, shuffle=True, random_state=seed))
    model = _pipeline(kind, seed).fit(X, y)
    classes = list(model.classes_)
    tau, precision, accuracy = choose_threshold(oof, y, classes)
    right = {}
    for row, label in zip(oof, y):
        right.setdefault(label, []).append(float(row[classes.index(label)]))
    all_right = sorted(p for ps in right.values() for p in ps)
    floor = all_right[int(VETO_RECALL_BUDGET * (len(all_right) - 1))]
    veto = {c: floor for c in classes}
    return Classifier(model, classes, tau, veto, reader, rules, precision, accuracy)


# ---------------------------------------------------------------- the methods as `propose`

def _proposal(intent: str, text: str, known_domains, rules, confidence: float):
    from oncall_tui.core.intents import Proposal

    domain = rules_domain(text, intent, known_domains, rules)
    return Proposal(intent, {"domain": domain} if domain else {}, round(confidence, 2), ())


def propose_classifier(text: str, known_domains: Sequence[str] = (), *, clf: Classifier, top: bool = False) -> list:
    """The classifier's best intent from its threshold (*top*: its best intent whatever its probability)."""
    probs = clf.probabilities(text)
    intent = max(probs, key=probs.get)
    if intent == "none" or (probs[intent] < clf.threshold and not top):
        return []
    return [_proposal(intent, text, known_domains, clf.rules, probs[intent])]


def propose_hybrid(text: str, known_domains: Sequence[str] = (), *, clf: Classifier, mode: str) -> list:
    from oncall_tui.core.intents import propose

    found = propose(text, rules=clf.rules, known_domains=known_domains)
    probs = clf.probabilities(text)
    best = max(probs, key=probs.get)
    if found:
        top = found[0].intent
        keep = best == top if mode == "agree" else probs.get(top, 0.0) >= clf.veto.get(top, 0.0)
        return found if keep else []
    if mode == "veto" and best != "none" and probs[best] >= clf.threshold:
        return [_proposal(best, text, known_domains, clf.rules, probs[best])]
    return []


def build(names: Sequence[str], train: list[dict], folds: int = 5, seed: int = 0) -> dict[str, Callable]:
    """`propose`-like callables, one per method, learnt from *train* only."""
    from oncall_tui.core.intents import propose

    rules = _rules()
    out: dict[str, Callable] = {}
    fitted: dict[tuple[str, bool], Classifier] = {}

    def clf(kind: str, body: bool) -> Classifier:
        if (kind, body) not in fitted:
            fitted[kind, body] = fit_classifier(train, kind, body, folds, seed, rules)
        return fitted[kind, body]

    for name in names:
        if name == "rules":
            out[name] = partial(propose, rules=rules)
        elif name == "reader":
            from devtools.train_reader import encode
            from devtools.train_reader import train as train_reader
            from oncall_tui.core.intent_reader import load_reader

            content, _ = train_reader(train, rules)
            out[name] = partial(propose, rules=rules, reader=load_reader(encode(content), "trained"))
        elif name in CLASSIFIERS:
            out[name] = partial(propose_classifier, clf=clf(*CLASSIFIERS[name]), top=name.endswith("_top"))
        elif name in ("hybrid_agree", "hybrid_veto"):
            out[name] = partial(propose_hybrid, clf=clf(*HYBRID_CLASSIFIER), mode=name.split("_")[1])
        else:
            raise ValueError(f"unknown method {name!r} (expected one of: {', '.join(METHODS)})")
    return out


# ---------------------------------------------------------------- numbers

def summary(q: dict) -> dict:
    """The aggregate numbers of `decoder_eval.score` in one line: per-intent precision and recall (min, mean;
    an intent never proposed counts as 0 % precise), domains, no-intent precision, accuracy."""
    intents = {k: v for k, v in q["per_intent"].items() if k != "none" and v["labelled"]}
    prec = [v["precision"] or 0.0 for v in intents.values()]
    rec = [v["recall"] or 0.0 for v in intents.values()]
    return {"messages": q["messages"],
            "precision_min": min(prec, default=None), "precision_mean": statistics.fmean(prec) if prec else None,
            "recall_min": min(rec, default=None), "recall_mean": statistics.fmean(rec) if rec else None,
            "domains": q["domains"], "domains_end_to_end": q["domains_end_to_end"],
            "no_intent_precision": q["no_intent_precision"], "accuracy": q["accuracy"],
            "per_intent": {k: {"precision": v["precision"], "recall": v["recall"], "predicted": v["predicted"],
                               "labelled": v["labelled"]} for k, v in q["per_intent"].items()}}


def evaluate(train: list[dict], test: list[dict], names: Sequence[str] = METHODS, folds: int = 5,
             seed: int = 0) -> dict[str, dict]:
    """Learn each method from *train*, score it on *test*: aggregate numbers only."""
    proposers = build(names, train, folds, seed)
    return {name: summary(score(test, p)[0]) for name, p in proposers.items()}


def internal_cv(tune: list[dict], names: Sequence[str] = METHODS, splits: int = 5, folds: int = 5,
                share: float = 0.7) -> dict[str, list[dict]]:
    """Random 70/30 splits of the TUNE rows only (seeds 0..splits-1): each method's numbers on each inner test."""
    out: dict[str, list[dict]] = {n: [] for n in names}
    for seed in range(splits):
        ids = sorted(r["id"] for r in tune)
        random.Random(seed).shuffle(ids)
        inner = set(ids[:round(len(ids) * share)])
        train = [r for r in tune if r["id"] in inner]
        test = [r for r in tune if r["id"] not in inner]
        for name, s in evaluate(train, test, names, folds, seed).items():
            out[name].append(s)
    return out


def tune_and_heldout() -> tuple[list[dict], list[dict]]:
    rows = load_corpus()
    return part(rows, "tune"), part(rows, "heldout")


# ---------------------------------------------------------------- output

COLUMNS = (("precision_min", "P min"), ("precision_mean", "P mean"), ("recall_min", "R min"),
           ("recall_mean", "R mean"), ("domains", "dom"), ("domains_end_to_end", "dom e2e"),
           ("no_intent_precision", "none P"), ("accuracy", "acc"))


def _pct(x) -> str:
    return "  —  " if x is None else f"{100 * x:5.1f}"


def render(title: str, results: dict[str, dict], lat: dict[str, dict] | None = None) -> str:
    head = f"{'method':<14}" + "".join(f"{c:>9}" for _, c in COLUMNS)
    if lat:
        head += f"{'2kB med':>9}{'2kB p95':>9}{'2MB':>9}"
    lines = [title, head]
    for name, s in results.items():
        line = f"{name:<14}" + "".join(f"{_pct(s[k]):>9}" for k, _ in COLUMNS)
        if lat and name in lat:
            lt = lat[name]
            line += f"{lt['2kb_median_ms']:>7.2f}ms{lt['2kb_p95_ms']:>7.2f}ms{lt['message_2mb_ms']:>7.1f}ms"
        lines.append(line)
    return "\n".join(lines)


def render_cv(runs: dict[str, list[dict]]) -> str:
    lines = [f"{'method':<14}" + "".join(f"{c:>15}" for _, c in COLUMNS)]
    for name, ss in runs.items():
        cells = []
        for k, _ in COLUMNS:
            xs = [s[k] for s in ss if s[k] is not None]
            cells.append(f"{100 * statistics.fmean(xs):5.1f}±{100 * statistics.pstdev(xs):4.1f}" if xs else "—")
        lines.append(f"{name:<14}" + "".join(f"{c:>15}" for c in cells))
    return "\n".join(lines)


def render_per_intent(results: dict[str, dict]) -> str:
    intents = sorted({i for s in results.values() for i in s["per_intent"]})
    lines = [f"{'intent':<20}" + "".join(f"{n:>16}" for n in results),
             f"{'':<20}" + "".join(f"{'P / R':>16}" for _ in results)]
    for i in intents:
        cells = []
        for s in results.values():
            v = s["per_intent"].get(i)
            cells.append(f"{_pct(v and v['precision'])}/{_pct(v and v['recall'])}".strip())
        lines.append(f"{i:<20}" + "".join(f"{c:>16}" for c in cells))
    return "\n".join(lines)


def model_latency(proposers: dict[str, Callable]) -> dict[str, dict]:
    """`decoder_eval.latency` of each distinct classifier alone (what a lazily loaded model would add)."""
    out, seen = {}, set()
    for name, p in proposers.items():
        clf = getattr(p, "keywords", {}).get("clf")
        if clf is not None and id(clf) not in seen:
            seen.add(id(clf))
            out[name] = latency(lambda text, known_domains=(), c=clf: c.probabilities(text))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m devtools.decoder_methods", description=__doc__.split("\n")[0])
    ap.add_argument("--methods", default=",".join(METHODS), help=f"comma-separated, among {', '.join(METHODS)}")
    ap.add_argument("--cv-splits", type=int, default=5, help="internal splits of the TUNE part (0: none)")
    ap.add_argument("--folds", type=int, default=5, help="cross-validation folds choosing the thresholds")
    ap.add_argument("--no-heldout", action="store_true", help="only the internal splits of the tune part")
    ap.add_argument("--no-latency", action="store_true")
    ap.add_argument("--per-intent", action="store_true", help="also per-intent precision/recall (aggregates)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    names = [n.strip() for n in args.methods.split(",") if n.strip()]
    unknown = [n for n in names if n not in METHODS]
    if unknown:
        ap.error(f"unknown method(s) {', '.join(unknown)} (expected: {', '.join(METHODS)})")
    tune, heldout = tune_and_heldout()
    report: dict = {"methods": names, "tune_messages": len(tune), "heldout_messages": len(heldout)}
    text = []
    if not args.no_heldout:
        started = time.perf_counter()
        proposers = build(names, tune, args.folds)
        report["fit_seconds"] = time.perf_counter() - started
        results = {n: summary(score(heldout, p)[0]) for n, p in proposers.items()}
        lat = None if args.no_latency else {n: latency(p) for n, p in proposers.items()}
        report["heldout"], report["latency"] = results, lat
        text += [render(f"HELD-OUT part ({len(heldout)} messages; every method learnt from the tune part only),"
                        " percentages:", results, lat)]
        if lat:
            model_lat = model_latency(proposers)
            report["latency_model_only"] = model_lat
            text += ["", "latency of the classifier alone (reading + n-grams + probabilities, no domain):"]
            text += [f"  {n:<14} 2 kB median {v['2kb_median_ms']:.2f} ms, p95 {v['2kb_p95_ms']:.2f} ms, "
                     f"2 MB {v['message_2mb_ms']:.1f} ms" for n, v in model_lat.items()]
        text += ["", f"fit time of all methods on the tune part: {report['fit_seconds']:.1f} s"]
        if args.per_intent:
            text += ["", "HELD-OUT per intent, precision / recall %:", render_per_intent(results)]
    if args.cv_splits:
        runs = internal_cv(tune, names, args.cv_splits, args.folds)
        report["internal_cv"] = runs
        text += ["", (f"INTERNAL CV: {args.cv_splits} random 70/30 splits of the TUNE part only (mean ± sd, %; "
                      "the rules were tuned on all of it: optimistic):"), render_cv(runs)]
    text += ["", "targets: " + ", ".join(f"{k} >= {100 * v:.0f}%" for k, v in TARGETS.items())]
    print(json.dumps(report, indent=2, default=str) if args.json else "\n".join(text))
    return 0


if __name__ == "__main__":
    sys.exit(main())
