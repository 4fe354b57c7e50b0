"""Words of an incident: scope, case subjects, update templates (FR/EN), the queue banner.

Pure functions of their arguments and `now`; the store decides what to write,
this module only decides how it reads to a customer or an engineer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Mapping

from .errors import Refused
from .timeutil import human_duration

INCIDENT_STATUSES = ("investigating", "identified", "monitoring", "resolved")
SCOPE_KEYS = ("datacenter", "servers", "customers")

_STATUS_EN = {
    "investigating": "We are investigating the cause and will restore service as quickly as possible.",
    "identified": "The cause has been identified and our teams are working on the fix.",
    "monitoring": "A fix is in place and services are coming back; we are monitoring closely.",
    "resolved": "The incident is resolved and services are back to normal. Thank you for your patience.",
}
_STATUS_FR = {
    "investigating": "Nous recherchons la cause et rétablissons le service au plus vite.",
    "identified": "La cause est identifiée et nos équipes travaillent à la correction.",
    "monitoring": "Un correctif est en place et les services redémarrent ; nous surveillons de près.",
    "resolved": "L'incident est résolu et les services fonctionnent normalement. Merci de votre patience.",
}


class ScopeError(Refused):
    """An incident scope is malformed; the message names the key and the reason."""


def is_french(language: str) -> bool:
    """French speakers get the `fr` text; everyone else the `en` one ("fr", "fr-CA", "FR_be")."""
    return language.strip().lower().replace("_", "-").split("-")[0] == "fr"


def normalize_scope(scope: Any) -> dict[str, list[str]]:
    """Validate *scope* and return it as {key: sorted unique names}, keys among SCOPE_KEYS.

    Accepts a string or a list of strings per key ("datacenter": "SBG"); datacenter
    codes are upper-cased. Raises ScopeError naming the bad key.
    """
    if not isinstance(scope, Mapping) or not scope:
        raise ScopeError("scope: expected at least one of datacenter, servers, customers "
                         "(e.g. {'datacenter': ['SBG']})")
    out: dict[str, list[str]] = {}
    for key, value in scope.items():
        if key not in SCOPE_KEYS:
            raise ScopeError(f"scope.{key}: unknown key (expected one of {', '.join(SCOPE_KEYS)})")
        values = [value] if isinstance(value, str) else value
        if not isinstance(values, (list, tuple)) or not all(isinstance(v, str) for v in values):
            raise ScopeError(f"scope.{key}: expected a name or a list of names, got {value!r:.60}")
        names = [v.strip().upper() if key == "datacenter" else v.strip() for v in values]
        if not names or not all(names):
            raise ScopeError(f"scope.{key}: empty name")
        out[key] = sorted(set(names))
    return out


_SCOPE_WORDS = {"datacenter": "datacenter", "dc": "datacenter", "server": "servers", "servers": "servers",
                "customer": "customers", "customers": "customers"}


def parse_scope(words: list[str] | str) -> dict[str, list[str]]:
    """"datacenter=SBG server=web-01,web-02 customer=c-1" (or one word each) -> {"datacenter": ["SBG"], ...}.

    Raises ScopeError naming the word that is not KIND=NAME.
    """
    parts = words.replace(";", " ").split() if isinstance(words, str) else [w for x in words for w in x.split()]
    scope: dict[str, list[str]] = {}
    for part in parts:
        key, sep, values = part.partition("=")
        if not sep or key.lower() not in _SCOPE_WORDS or not values.strip(","):
            raise ScopeError(f"scope: {part!r} is not like datacenter=SBG, server=web-01 or customer=c-42")
        scope.setdefault(_SCOPE_WORDS[key.lower()], []).extend(v for v in values.split(",") if v)
    if not scope:
        raise ScopeError("scope: say which datacenter, servers or customers are hit (e.g. datacenter=SBG)")
    return scope


def scope_text(scope: Mapping[str, list[str]]) -> str:
    """One line for engineers: "datacenter SBG; servers web-01, web-02"."""
    labels = {"datacenter": "datacenter", "servers": "servers", "customers": "customers"}
    return "; ".join(f"{labels[k]} {', '.join(scope[k])}" for k in SCOPE_KEYS if scope.get(k))


def case_subject(language: str, title: str, title_fr: str = "") -> str:
    """Subject of a case opened for an incident, in the customer's language.

    French typography puts a space before the colon ("Incident : coupure électrique à SBG");
    without a French title the (English) title is kept rather than guessed.
    """
    if is_french(language):
        return f"Incident : {title_fr or title}"
    return f"Incident: {title}"


def draft_update(language: str, *, title: str, status: str, title_fr: str = "",
                 next_update_minutes: int | None = None) -> str:
    """A customer update drafted from the incident title and status, in FR or EN."""
    if status not in INCIDENT_STATUSES:
        raise ValueError(f"status: expected one of {'|'.join(INCIDENT_STATUSES)}, got {status!r}")
    if is_french(language):
        text = f"Incident en cours : {title_fr or title}. {_STATUS_FR[status]}"
        if status == "resolved":
            text = f"Incident : {title_fr or title}. {_STATUS_FR[status]}"
        elif next_update_minutes:
            text += f" Prochain point d'information d'ici {next_update_minutes} minutes."
        return text
    text = f"Ongoing incident: {title}. {_STATUS_EN[status]}"
    if status == "resolved":
        text = f"Incident: {title}. {_STATUS_EN[status]}"
    elif next_update_minutes:
        text += f" Next update within {next_update_minutes} minutes."
    return text


@dataclass(frozen=True)
class Banner:
    """What the queue banner shows for one open incident."""

    incident_id: str
    title: str
    status: str
    elapsed_seconds: int
    since_update_seconds: int | None  # None: no update sent yet
    overdue: bool  # customers have waited longer than the update interval
    customers: int

    @property
    def elapsed(self) -> str:
        return human_duration(self.elapsed_seconds)

    @property
    def last_update(self) -> str:
        """ "last update 47 min ago" or "no update sent yet"."""
        if self.since_update_seconds is None:
            return "no update sent yet"
        return f"last update {human_duration(self.since_update_seconds)} ago"

    def text(self) -> str:
        """The whole banner line (plain text; the screen colours `last_update` when overdue)."""
        who = f"{self.customers} customer{'s' if self.customers != 1 else ''}"
        return (f"{self.incident_id} {self.title} · {self.status} · open {self.elapsed} · {who} · "
                f"{self.last_update}" + (" — update overdue" if self.overdue else ""))


def banner(*, incident_id: str, title: str, status: str, opened_at: datetime,
           last_update_at: datetime | None, customers: int, now: datetime, interval_minutes: int) -> Banner:
    """Banner data at *now*: overdue when the last update (or the opening, if none) is older than the interval."""
    if interval_minutes <= 0:
        raise ValueError(f"interval_minutes: expected a positive number of minutes, got {interval_minutes!r}")
    elapsed = int((now - opened_at).total_seconds())
    since = None if last_update_at is None else int((now - last_update_at).total_seconds())
    silent = elapsed if since is None else since
    return Banner(incident_id, title, status, max(0, elapsed), None if since is None else max(0, since),
                  silent > interval_minutes * 60, customers)
