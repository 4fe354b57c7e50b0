"""The shipped models, for tests of the pure core: it receives them as parameters, these pass them."""

from __future__ import annotations

from oncall_tui.core import domains, heat_score, heat_stats, intents
from oncall_tui.usecases.models import shipped, site_rules, site_weights

WEIGHTS = shipped().weights
LEXICON = shipped().heat.lexicon
READS_OUTAGE = shipped().heat.reads_outage
RULES = shipped().rules


def load_weights(table, source):
    """A site's [heat] table over the shipped weights (ValueError naming *source* and the key)."""
    return site_weights(table, source)


def fold_events(events, reads_outage=READS_OUTAGE):
    return heat_stats.fold_events(events, lexicon=LEXICON, promise_window_hours=WEIGHTS.promise_window_hours,
                                  reads_outage=reads_outage, outage_window_hours=WEIGHTS.promise_outage_window_hours)


def add_event(stats, event):
    return heat_stats.add_event(stats, event, lexicon=LEXICON, promise_window_hours=WEIGHTS.promise_window_hours,
                                reads_outage=READS_OUTAGE, outage_window_hours=WEIGHTS.promise_outage_window_hours)


def score(stats, **kw):
    kw.setdefault("weights", WEIGHTS)
    return heat_score.score(stats, **kw)


def heat_value(steady, **kw):
    kw.setdefault("weights", WEIGHTS)
    return heat_score.heat_value(steady, **kw)


def heat_holds_until(**kw):
    kw.setdefault("weights", WEIGHTS)
    return heat_score.heat_holds_until(**kw)


def steady_points(stats, weights=None):
    return heat_score.steady_points(stats, weights or WEIGHTS)


mode_of = heat_score.mode_of


def propose(text, *, known_domains=(), rules=None):
    return intents.propose(text, rules=rules or RULES, known_domains=known_domains)


def decode(text, *, known_domains=(), rules=None):
    return intents.decode(text, rules=rules or RULES, known_domains=known_domains)


def by_hand(intent, language="en", *, rules=None):
    return intents.by_hand(intent, language, rules=rules or RULES)


def extract_domains(text, *, rules=None):
    return domains.extract_domains(text, rules=rules or RULES)


def load_rules(path=None):
    """The shipped rules, or a site file layered on them (RulesError naming the file and the key)."""
    return RULES if path is None else site_rules(path)
