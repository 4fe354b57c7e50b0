"""Heat weights: the model's knobs, checked from a [heat] table (the shipped heat.toml, a site's config)."""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Mapping

from .model import TIERS


# Term lives here, not in heat.py, because Weights builds the tier terms up front.
@dataclass(frozen=True, slots=True)
class Term:
    """One reason a case is hot: `value` is for humans ("waiting 5 h 12 min")."""

    name: str
    value: str
    points: float


# key -> kind; kinds say what a value must be.
_KINDS = {"points": "a number of points from 0 to 100", "scale": "a positive number",
          "factor": "a number from 0 to 1"}


@dataclass(frozen=True)
class Weights:
    """The heat model's knobs; heat.toml documents each one."""

    waiting_max: float
    waiting_scale_hours: float
    age_max: float
    age_scale_days: float
    exchanges_max: float
    exchanges_scale: float
    pace_max: float
    pace_turns_scale: float
    pace_rate_scale: float
    words_max: float
    words_scale: float
    tone_max: float
    exclamation_weight: float
    shouting_weight: float
    calm_points: float
    calm_waiting_factor: float
    sales_points: float
    promise_window_hours: float
    promise_outage_window_hours: float
    promise_missed_points: float
    deadline_points: float
    deadline_scale_hours: float
    deadline_breaks_points: float
    down_points: float
    down_floor: float
    harm_points: float
    harm_floor: float
    slow_points: float
    chore_cap: float
    live_points: float
    repeat_max: float
    repeat_scale: float
    repeat_window_days: float
    chase_max: float
    chase_scale: float
    bounce_max: float
    bounce_scale: float
    engineers_max: float
    engineers_scale: float
    tier_standard: float
    tier_business: float
    tier_critical: float
    incident_floor: float
    incident_bonus: float
    pending_factor: float
    answered_factor: float
    promised_outage_factor: float
    done_factor: float

    def __post_init__(self) -> None:
        # Terms already built for these weights (see "scoring"); not a field.
        tiers = {t: Term("tier", t, getattr(self, f"tier_{t}")) for t in TIERS}
        memo = {name: {} for name in ("waiting", "age", "exchanges", "words", "repeats", "engineers",
                                      "chased", "bounced", "notes", "slow", "deadline")}
        memo["tier"] = {t: (term if term.points >= 0.05 else False) for t, term in tiers.items()}
        object.__setattr__(self, "memo", memo)
        object.__setattr__(self, "_tables", tuple(memo.values()))


def _kind(key: str) -> str:
    if key.endswith("_factor"):
        return "factor"
    if key.endswith(("_scale", "_scale_hours", "_scale_days", "_window_days", "_window_hours")):
        return "scale"
    return "points"


_WEIGHT_KEYS = tuple(f.name for f in fields(Weights))


def parse_weights(mapping: Mapping, source: str, *, base: Weights | None = None) -> Weights:
    """Weights from a [heat] table over *base* (without a base, every key is required).

    An unknown key or a bad value raises ValueError "source: heat.key: expected ..., got ...".
    """
    if not isinstance(mapping, Mapping):
        raise ValueError(f"{source}: heat: expected a table, got {mapping!r:.60}")
    values = {k: getattr(base, k) for k in _WEIGHT_KEYS} if base is not None else {}
    for key, value in mapping.items():
        if key not in _WEIGHT_KEYS:
            raise ValueError(f"{source}: heat.{key}: expected one of {', '.join(_WEIGHT_KEYS)}, "
                             "got an unknown key")
        kind = _kind(key)
        ok = (isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
              and (0 <= value <= 100 if kind == "points" else
                   value > 0 if kind == "scale" else 0 <= value <= 1))
        if not ok:
            raise ValueError(f"{source}: heat.{key}: expected {_KINDS[kind]}, got {value!r}")
        values[key] = float(value)
    for key in _WEIGHT_KEYS:
        if key not in values:
            raise ValueError(f"{source}: heat.{key}: expected {_KINDS[_kind(key)]}, got nothing")
    return Weights(**values)
