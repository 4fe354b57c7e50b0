"""What heat needs to know about a case's conversation, folded once per event.

    stats = fold_events(events, lexicon=lex, promise_window_hours=4)  # CaseStats, JSON-serialisable, stored
    stats = add_event(stats, event, lexicon=lex, promise_window_hours=4)  # incremental, same as folding again

Folding reads the words once (lexicon hits, tone, a fingerprint for
repetition, what was set aside) and keeps epoch seconds, so scoring
(`heat_score`) is plain arithmetic on numbers: the queue rescores every open
case each minute.

Whose turn it is, event by event:

- a customer message starts the wait, unless they confirm it works or ask us
  to close ("probably done": nobody waits any more), or only acknowledge after
  our answer ("I'll test tonight": their move);
- a reply of ours stops the wait, unless it only points to the documentation or
  is a canned acknowledgement, short and with no action run on the case (a
  *bounce*: the clock keeps running, and the customer coming back adds to
  `bounced`);
- an engineers' note changes nobody's wait; one saying what we owe the customer
  by when ("rappel promis avant 17h", "confirmation AVANT 03:00") counts like
  their own deadline until we write to them; one saying nothing is for us to do
  on their latest message ("duplicate of #58840", "rien de technique, le
  commercial rappelle lundi") parks the case, cooled like one waiting on them,
  until anyone writes;
- a broadcast (an incident update, a mass mailing) is history, never an answer:
  it changes nobody's wait, exchanges or engineers; an update saying the
  customers' sites are not affected (`spared`) keeps its incident from lifting the case;
- the customer's mood (frustration words, "!!!", SHOUTING) adds up while they
  wait; each real answer of ours counts the earlier mood at 60 %. A message
  that opens a round (their first, or their first since our last answer) saying
  it is not pressing ("no rush") is `calm` until they write again;
- a reply of ours that only promises to come back ("je reviens vers vous dans
  la journée") stops the wait for a while (`promise_window_hours`); past it,
  the customer waits on us again until we write or they do;
- a customer saying something is down or broken ("site inaccessible", "mail
  bounces") is `down` until we answer: an outage outranks a chore. So is one
  saying their data or security is at risk (`harm`: "piraté", "customers see
  other people's orders"), however calmly; one saying it is slow or nearly full
  (`slow`: "le site rame", "takes 18 seconds to load") counts for less.

Only what the customer wrote is read (`reading.read`): quoted replies,
signatures and pasted logs are set aside and counted for the explanation.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, fields, replace
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Callable, Iterable, Sequence
from weakref import WeakKeyDictionary

from .deadline import (
    committed_by,
    customer_due,
    expires_by,
    fills_at_pace,
    fills_by,
    owed_by,
    promised_by,
    storage_used,
)
from .lexicon import (
    MAX_CHARS,
    Lexicon,
    Phrase,
    exclamation_level,
    fast_fold,
    fingerprint,
    pack_print,
    shouting_level,
    similarity,
    tokens,
    topic_print,
    topic_words,
    unpack_print,
)
from .model import CONVERSATION_KINDS, Event

#: A customer's own words -> the words that make them read as an outage, or () (see HeatModel.reads_outage).
OutageReader = Callable[[str], Sequence[str]]
from .timeutil import format_ts, parse_ts

#: Each real answer of ours counts the customer's earlier words and tone at 60 %.
DECAY = 0.6
MAX_HITS = 4  # phrases kept for the explanation, most recent first
MAX_PRINTS = 4  # fingerprints of the customer's latest messages kept for repetition
REPEAT_THRESHOLD = 0.5  # shared content (Jaccard-like) from which a message is a repeat
CHASE_GAP = 600  # seconds: a customer message this long after their unanswered last one chases us
ACK_MAX_WORDS = 40  # an acknowledgement is short
#: Frustration phrases this mild ("depuis hier", "encore") do not stop a closing phrase from closing.
CLOSING_OUTWEIGHS = 1.0
# "... mais merci !" thanks; it does not turn the confirmation into a new problem.
_THANKS_AFTER_BUT = re.compile(r"(?<![a-z0-9])(?:mais|but)[\s,]+(?=merci|thanks|thank you)")
BOUNCE_MAX_WORDS = 60  # a reply that only points elsewhere is short
SAID_MAX = 60  # characters of a closing or acknowledging phrase kept for the explanation
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
#: A link to documentation rather than to the customer's own site.
_DOCS_URL = re.compile(r"doc|kb|faq|help|guide|wiki|support|tuto|knowledge|learn|manual|article", re.IGNORECASE)


@dataclass
class CaseStats:
    """What heat needs to know about a case's events, folded once and stored as JSON."""

    waiting_since: str | None = None  # first customer message we have not answered yet
    last_in_at: str | None = None
    last_out_at: str | None = None
    exchanges: int = 0  # messages to or from the customer (broadcasts and automatic replies left out)
    engineers: list[str] = field(default_factory=list)  # distinct engineers who answered
    wait_t: int | None = None  # epoch seconds of waiting_since
    in_t: int | None = None  # epoch seconds of last_in_at
    out_t: int | None = None  # epoch seconds of last_out_at
    first_t: int | None = None  # first message to or from the customer
    turns: int = 0  # back-and-forths: the speaker changed (customer <-> us)
    words: float = 0.0  # lexicon weight of customer messages, decayed by our answers
    hits: str = ""  # phrases behind `words`, most recent first, "|"-separated
    bang: float = 0.0  # repeated "!", decayed like words
    shout: float = 0.0  # SHOUTING, decayed like words
    repeats: int = 0  # customer messages that repeat an earlier one of theirs
    repeat_sim: float = 0.0  # the most similar repeat (0..1), for the explanation
    prints: str = ""  # fingerprints of the customer's latest messages, space-separated
    turn_t: int | None = None  # epoch seconds of the last change of speaker
    pace: float = 0.0  # the fastest back-and-forths per hour seen at a change of speaker
    last_dir: str = ""  # who spoke last: "in" (the customer) or "out" (us)
    chases: int = 0  # customer messages chasing an unanswered one of theirs
    bounces: int = 0  # replies of ours that only pointed to the docs or were canned
    bounce_open: bool = False  # our last reply was such a bounce and the customer has not written since
    bounced: int = 0  # times the customer came back after a bounce
    acted: bool = False  # an action was run on the case: a link after it is not a bounce
    done: str = ""  # their latest message says it works / asks to close (what they said)
    ack: str = ""  # their latest message only acknowledges, they will come back (what they said)
    broadcasts: int = 0  # incident updates and mass mailings on the case (not answers)
    # The latest broadcast says the customers' services are not affected ("Hosted services are not affected"):
    # the incident it belongs to does not lift the case.
    spared: bool = False
    # The latest broadcast says the services are back ("fonctionne de nouveau normalement") and the customer
    # has never written on the case: the incident no longer lifts it.
    restored: bool = False
    # Our reply during the incident, or the case's own check, says their services are back ("your VMs were affected
    # by the DC2 incident; they've been healthy since"): no lift until they write. Broadcasts leave it as it is.
    told_back: bool = False
    autoreplies: int = 0  # out-of-office and autoresponder messages from their side (not read)
    quoted: int = 0  # lines of quoted replies set aside in the customer's messages
    sig: int = 0  # signature lines set aside
    log: int = 0  # lines of pasted logs, code and traces set aside
    calm: str = ""  # the message opening this round said it is not pressing ("no rush"), and nothing since
    promised: bool = False  # our last real reply only promised to come back ("je reviens vers vous")
    promise_t: int | None = None  # the moment that promise named ("avant 14h"), epoch seconds; None: no moment
    # (without `promised`: the moment we missed, kept from the customer's next message until we write again)
    due: str = ""  # the customer's own deadline ("demain à 8h"), on their clock: "Fri 4 Dec 08:00"
    due_t: int | None = None  # that moment, epoch seconds; kept until it passes and we answer after it
    # The nearest one was written in an engineers' note: what we owe them by then ("rappel promis avant 17h",
    # "le client doit avoir le tout ce soir"), kept until we write to them.
    due_note: bool = False
    # The nearest one is when a disk fills at the rate a monitor's alert gives ("97% used (growth 0.8%/h)"),
    # quoted by the customer or in a note; kept, like a note's, until we write to them.
    due_fill: bool = False
    # The last share of a disk a monitor's alert said was used, and when (epoch seconds): the next alert gives the
    # pace it fills at ("less than 5%" free, then "less than 3%" three hours later).
    used_pct: float | None = None
    used_t: int | None = None
    # The nearest one is when something breaks by itself: a disk fills, a certificate or a domain expires (as an
    # alert or a notice they forward says).
    due_breaks: bool = False
    down: str = ""  # what they said is down or broken ("inaccessible"), until we answer or they say it works
    down_read: bool = False  # `down` holds the words the decoder's reader took for an outage, none of the lexicon's
    harm: str = ""  # what they said puts data or security at risk ("piraté"), likewise
    slow: str = ""  # what they said is slow or nearly full ("rame"), likewise
    # `slow` holds what they said is down on a copy that is not the production ("staging", "preprod"):
    # it stops their developers, not their customers.
    copy_down: str = ""
    # What they had said was down when we last answered: "ça n'a rien changé" says it again.
    answered_down: str = ""
    # Our last real reply asked them something and did not say it works again ("Pouvons-nous intervenir nous-mêmes ?",
    # "I've placed the order; meanwhile shall I install a free certificate?"): their yes to it is no news that it works.
    offered: bool = False
    # Which of down, harm and slow ("d", "h", "s") the monitoring's note said after the customer wrote, not they:
    # the explanation says who said it.
    noted: str = ""
    # A machine's note since our last word says it is down or at risk ("Sonde HTTP : KO depuis 16:20 (HTTP 500)"
    # on a case left pending after a migration): nobody has answered it, whatever the status says.
    alert: bool = False
    back: str = ""  # what they said tells the problem came back after an earlier fix ("comme il y a deux semaines")
    live: bool = False  # they wrote on the chat since our last answer, and not to close: they wait on the line
    # An engineers' note since their latest message says nothing is for us to do on it now ("duplicate of
    # #58840, merging", "rien de technique, le commercial rappelle lundi"): what it said, until anyone writes.
    parked: str = ""
    # Their first message asked about a billing or commercial matter ("devis", "refund") and none of theirs
    # says anything is broken, slow or at risk: what it said, until one does.
    sales: str = ""
    topic: str = ""  # content words of their first message (packed), for repeats across cases
    before: str = ""  # set by the store: their latest earlier case on a similar request
    earlier: int = 0  # set by the store: how many earlier cases of theirs were on it (in the window)

    @property
    def incident_spared(self) -> bool:
        """Whether the case's incident lifts it no more: its latest update spares their services, or says they
        are back and the customer never wrote, or our last reply told them so and they have not written since."""
        return self.spared or self.restored or self.told_back

    def to_json(self) -> str:
        """Compact JSON; fields at their default value are left out."""
        state = self.__dict__  # stats loaded by from_json only hold non-default fields
        data = {k: state[k] for k, default in _DEFAULTS.items() if k in state and state[k] != default}
        return json.dumps(data, separators=(",", ":"), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> "CaseStats":
        """Load stored stats; raises ValueError naming a bad or unknown field."""
        try:
            # The decoder's C scanner without json.loads' whitespace handling:
            # stored stats are compact, and this runs for every open case each minute.
            data, end = _scan_json(text, 0)
            if end != len(text):
                raise ValueError("extra data")
        except (TypeError, ValueError, StopIteration):
            try:
                data = json.loads(text)  # the slow path, for its precise error message
            except (TypeError, json.JSONDecodeError) as exc:
                raise ValueError(f"case stats: expected a JSON object, got {text!r:.60} ({exc})") from None
        if type(data) is not dict:
            raise ValueError(f"case stats: expected a JSON object, got {text!r:.60}")
        if not data.keys() <= _DEFAULTS.keys():
            unknown = sorted(data.keys() - _DEFAULTS.keys())
            raise ValueError(f"case stats: {unknown[0]}: unknown field (expected one of "
                             f"{', '.join(_DEFAULTS)})")
        # Bypass __init__, this runs for every open case every minute: missing
        # scalar fields read the class-level defaults, the list must be fresh.
        stats = cls.__new__(cls)
        stats.__dict__.update(data)
        if "engineers" not in data:
            stats.engineers = []
        if "first_t" not in data and (data.get("last_in_at") or data.get("last_out_at")):
            _fill_epochs(stats)  # stored by the first version, before epoch fields
        return stats


_scan_json = json.JSONDecoder().scan_once
_DEFAULTS = {f.name: (f.default_factory() if callable(f.default_factory) else f.default)
             for f in fields(CaseStats)}


def _fill_epochs(stats: CaseStats) -> None:
    for iso, epoch in (("waiting_since", "wait_t"), ("last_in_at", "in_t"), ("last_out_at", "out_t")):
        value = getattr(stats, iso)
        if value and getattr(stats, epoch) is None:
            setattr(stats, epoch, int(parse_ts(value).timestamp()))
    stats.first_t = min(t for t in (stats.in_t, stats.out_t, stats.wait_t) if t is not None)


# --- folding events ------------------------------------------------------------

def add_event(stats: CaseStats, event: Event, *, lexicon: Lexicon, promise_window_hours: float,
              tz: tzinfo | None = None, reads_outage: OutageReader | None = None,
              outage_window_hours: float | None = None, subject: str = "") -> CaseStats:
    """Fold one more *event* into *stats* (updated in place and returned).

    *tz* is the customer's time zone: a promise of ours naming an hour ("avant 14h") means theirs.
    *promise_window_hours*: how long a vague promise of ours ("je regarde") holds (the heat model's
    weight): a customer who writes after it ran out has waited on us since it did. *outage_window_hours*: the same
    while what they said is down or at risk stays so (None: *promise_window_hours*).
    *reads_outage*: for a customer message none of whose words the lexicon knows as broken, slow or at
    risk, the words that make it read as an outage ("la page commande tourne dans le vide"), or none.
    *subject*: the case's subject, read with the message that opens the conversation for what it says is at risk.

    Events must come in time order (to the second); an older message than the
    last one folded raises ValueError: refold the case with `fold_events`.
    """
    machine = bool(_MACHINE.search(event.author)) if event.kind in ("action", "note") else (
        event.kind == "message" and event.direction == "in" and bool(_MONITOR_MAIL.search(event.author)))
    if event.kind == "action" and not machine:
        stats.acted = True
        return stats
    if event.kind == "note" or machine:
        # (What a machine records as an "action", "Auto-renewal failed for ballymorepharmacy.ie", "Outbound spam
        # threshold exceeded", is no engineer acting on the case: it is read like the monitoring's note.)
        # A note changes nobody's wait; one saying what we owe the customer by when (the leaving shift's
        # "callback promised within the hour") counts like their own deadline.
        if event.body and event.at.tzinfo is not None:
            local_at = event.at.astimezone(tz) if tz else event.at
            if machine:
                # "Domain expires 2027-03-09 23:59 UTC": due then, like a date the customer gave, whatever we
                # write before it (reminders to update a card renew nothing).
                _deadline(stats, expires_by(event.body, local_at), local_at, breaks=True)
            _deadline(stats, owed_by(event.body, local_at), local_at, in_note=True)
            if machine and (used := storage_used(event.body)) is not None:
                if stats.used_pct is not None and stats.used_t is not None:
                    earlier_at = datetime.fromtimestamp(stats.used_t, timezone.utc)
                    _deadline(stats, fills_at_pace(used, event.at, stats.used_pct, earlier_at), local_at, fill=True)
                stats.used_pct, stats.used_t = used, int(event.at.timestamp())
            _deadline(stats, fills_by(event.body, local_at), local_at, fill=True)
        if event.body and stats.in_t is not None and stats.last_dir == "in":
            parked = _PARKED.search(fast_fold(event.body))
            if parked:
                stats.parked = parked.group(0)
        if event.body and stats.in_t is not None and not machine and event.kind == "note" and not stats.harm:
            # An engineer's note after the customer wrote is read for what it finds at risk only ("3306 exposed to
            # the internet since 00:49, ~4,000 failed root logins"): the customer asked calmly, what is at stake
            # is what we found. Not for what is down: a diagnosis says "not an outage" or names a report job's
            # timeout as often as it finds the site down.
            folded = fast_fold(event.body)
            probe = replace(stats, harm="")
            if not _RECOVERED.search(folded) and _troubles(probe, event.body, event.body, folded, tokens(folded), "",
                                                           lexicon, None)[1]:
                stats.harm, stats.sales, stats.done = probe.harm, "", ""
                stats.noted += "" if "h" in stats.noted else "h"
            return stats
        if event.body and (stats.in_t is None or machine):
            # A case only the monitoring and the engineers have written on yet ("[CRIT] md0: array degraded",
            # "smtp-out-1 listed on Spamhaus, all relayed mail rejected"): their notes say what is at stake.
            # A machine's word is news whenever it comes: the surviving disk failing after we agreed a swap
            # with the customer is at risk again, though our reply answered the first alert...
            folded = fast_fold(event.body)
            if _RECOVERED.search(folded):
                # ...until one says it came back ("[RECOVERY] HTTP check OK", "stable since 01:41"); what is at
                # risk stays at risk. On a case the incident bot opened, nobody else writing: the incident no
                # longer lifts it ("Volumes des VMs br-web-01 et br-web-02 de nouveau en lecture-écriture"), whatever
                # the next general update says.
                stats.down = stats.slow = stats.copy_down = ""
                stats.down_read = False
                stats.told_back = stats.told_back or stats.in_t is None and says_restored(event.body, lexicon)
                if stats.harm and machine and _JOB_DONE.search(folded) and _BACKUP.search(fast_fold(stats.harm)):
                    stats.harm = ""  # ...and the backup that failed ran well since: nothing is at risk any more
            else:
                before = (stats.down, stats.harm, stats.slow)
                _troubles(stats, event.body, event.body, folded, tokens(folded), "", lexicon, None)
                if machine:
                    new = "".join(kind for kind, old, now in zip("dhs", before, (stats.down, stats.harm, stats.slow))
                                  if now and now != old)
                    if new:
                        stats.sales = ""  # the disk they asked a quote for is filling now: no sales matter
                    stats.noted += "".join(kind for kind in new if kind not in stats.noted)
                    stats.alert = stats.alert or "d" in new or "h" in new
                    if "d" in new or "h" in new:
                        stats.told_back = False  # ...and down again since its check said it was back
                    if stats.done and ("d" in new or "h" in new):
                        # "All good, thanks!" then the monitoring: "still DOWN (503), 6 consecutive failures":
                        # the trouble is back, whatever they last told us.
                        stats.done = ""
        return stats
    if event.kind not in CONVERSATION_KINDS or event.direction not in ("in", "out"):
        return stats  # status changes: no effect on heat
    if event.broadcast:
        stats.broadcasts += 1  # shown in the history, never an answer
        stats.spared = says_spared(event.body, lexicon)
        # (The update closing the incident says so too: if the incident is open, it was reopened since.)
        stats.restored = stats.in_t is None and not event.closing and says_restored(event.body, lexicon)
        return stats
    if event.direction == "in" and _auto_reply(event.body):
        # An out-of-office answering our mail: nobody wrote, nobody waits more or less.
        stats.autoreplies += 1
        return stats
    if event.at.tzinfo is None:
        raise ValueError(f"event {event.kind} by {event.author!r}: at: expected a timezone-aware "
                         f"time, got {event.at.isoformat()}")
    t = int(event.at.timestamp())
    last = max(stats.in_t or 0, stats.out_t or 0)
    if t < last:
        raise ValueError(f"event {event.kind} by {event.author!r} at {format_ts(event.at)} is older "
                         "than the case's last message; refold the case with fold_events")
    at = format_ts(event.at)
    if stats.first_t is None:
        stats.first_t = t
    inbound = event.direction == "in"
    if stats.last_dir and stats.last_dir != event.direction:
        stats.turns += 1
        stats.turn_t = t
        stats.pace = max(stats.pace, round(stats.turns * 3600 / max(t - stats.first_t, 3600), 3))
    stats.exchanges += 1
    stats.parked = ""  # whoever writes, the note's word on the last round no longer holds
    if inbound:
        broken = stats.down or stats.harm
        window = promise_window_hours if outage_window_hours is None or not broken else outage_window_hours
        _from_customer(stats, event, t, at, lexicon, int(3600 * window), tz, reads_outage, subject)
    else:
        _from_us(stats, event, t, at, lexicon, tz)
    stats.last_dir = event.direction
    return stats


def fold_events(events: Iterable[Event], *, lexicon: Lexicon, promise_window_hours: float,
                tz: tzinfo | None = None, reads_outage: OutageReader | None = None,
                outage_window_hours: float | None = None, subject: str = "") -> CaseStats:
    """Fold a case's events (any order; sorted by time here) into fresh stats (see `add_event`)."""
    stats = CaseStats()
    for event in sorted(events, key=lambda e: e.at):
        add_event(stats, event, lexicon=lexicon, promise_window_hours=promise_window_hours, tz=tz,
                  reads_outage=reads_outage, outage_window_hours=outage_window_hours, subject=subject)
    return stats


def _read(body: str, author: str):
    # Loaded at the first message read: ranking the queue from stored stats never needs it.
    from .reading import read

    return read(body, author)


def _auto_reply(body: str) -> bool:
    from .reading import is_auto_reply

    return is_auto_reply(body)


# "Down" in a verb or a phrase that says nothing is down: "will that slow validation down?", "calm down",
# "I wrote it down", "the layout is upside down". Not when what comes between says it is ("turned out to be down").
_PHRASAL_DOWN = re.compile(
    r"\b(?:(?:slow|calm|scale|narrow|turn|write|note|jot|track|hunt|pin|boil|settle|wind|step|water|cool|count|drop)"
    r"(?:s|es|d|ed|ing|ted|ned|ped|ten)?|scaling|writing|noting|settling|wrote|wound|upside|thumbs)"
    r"(?:\s+(?!(?:out|is|was|are|were|be|been|went|goes|go|and|but|now|still|again)\b)[a-z0-9'-]+){0,3}?"
    r"[\s-]+(down)\b")  # ...hyphenated too: "scale-down delay", "a drop-down menu"


# ...nor does "not a single" when what follows is a trouble they did not have: "record sales and not a single
# hiccup", "pas un seul souci de tout le week-end" ("not a single order since 7" is down).
_NOT_ONE_TROUBLE = re.compile(r"\b(?:not a single|not one|pas un seul|pas une seule) (?:hiccup|problem|issue|glitch|"
                              r"complaint|bug|error|blip|incident|souci|probleme|pepin|erreur|plainte)s?\b")


def _not_an_outage(folded: str) -> str:
    """*folded* with the "down" of `_PHRASAL_DOWN` and the "not a single" of `_NOT_ONE_TROUBLE` blanked out,
    so neither the words nor what is down read them."""
    if "single" in folded or "seul" in folded or "not one" in folded:
        folded = _NOT_ONE_TROUBLE.sub(lambda m: "no" + " " * (len(m.group(0)) - 2), folded)
    if "down" not in folded:
        return folded
    return _PHRASAL_DOWN.sub(lambda m: m.group(0)[:m.start(1) - m.start()] + "dwn", folded)


# A closing that may as well say the trouble is back ("c'est revenu": it works again, or the errors came back), or
# says only that the site is back, when beside it they say what is broken since ("Thank you so much, the site is
# back and looks perfect! One thing though: since the restore, customers aren't getting their order emails").
_BACK_EITHER_WAY = frozenset({"c'est revenu", "tout est revenu", "site's back", "site is back", "website is back",
                              "website's back", "shop is back", "store is back", "sites are back"})


# An acknowledgement that waits on us: "on attend votre retour", "we'll wait for your update".
_AWAITS_US = re.compile(r"\b(?:nous attendons|on attend|j'attends|we'll wait for|waiting for)\b")


def _from_customer(stats: CaseStats, event: Event, t: int, at: str, lexicon: Lexicon, promise_window: int,
                   tz: tzinfo | None, reads_outage: OutageReader | None, subject: str = "") -> None:
    reading = _read(event.body, event.author)
    offered, stats.offered = stats.offered, False
    stats.restored = stats.told_back = False  # they wrote: whatever the update said, the case is theirs now
    # The message opening the conversation (nothing of ours before it; a broadcast is no conversation): what
    # it asks is what the case is about.
    first = stats.exchanges == 1
    stats.quoted += reading.quoted
    stats.sig += reading.signature
    stats.log += reading.log
    text = reading.text
    folded = _not_an_outage(fast_fold(text))
    words = tokens(folded)
    found = frustration(lexicon, folded, words)
    # A thank-you names who it thanks and is signed: "Merci beaucoup ! Nathalie", "Thank you so much, Sven."
    names = frozenset(tokens(fast_fold(" ".join([event.author, *stats.engineers]))))
    closing, ack = _closing_or_ack(lexicon, text, folded, words, found, names)
    if closing and all(said in _BACK_EITHER_WAY for said in closing.split("|")) and _troubles(
            replace(stats), event.body, text, folded, words, reading.pasted, lexicon, None, latest=reading.latest)[0]:
        # "C'est revenu ce matin dès 7h, maintenant c'est 1 requête sur 3 en 502": the trouble is back, not the
        # site. "C'est revenu" said beside something down is the trouble's return.
        closing = ""
    waiting = stats.wait_t is not None
    if waiting and stats.last_dir == "in" and t - stats.in_t >= CHASE_GAP and not (closing or ack):
        stats.chases += 1
    if stats.bounce_open and not (closing or ack):
        stats.bounced += 1
    stats.bounce_open = False
    stats.last_in_at, stats.in_t = at, t
    # Once on the chat, they wait on the line until we answer, whatever they send next (a mail does not make
    # the wait lighter); a closing ends it.
    stats.live = (stats.live or event.channel == "chat") and not closing
    if closing:
        stats.done, stats.ack, stats.down, stats.harm, stats.slow, stats.promised = closing, "", "", "", "", False
        stats.copy_down = stats.noted = stats.answered_down = ""
        stats.alert = False
        stats.down_read = False
        stats.promise_t = stats.due_t = None
        stats.due, stats.due_note, stats.due_fill, stats.due_breaks = "", False, False, False
        stats.waiting_since = stats.wait_t = None  # they told us it is done: nobody waits
        return
    if ack and any(_troubles(replace(stats), event.body, text, folded, words, reading.pasted, lexicon, None,
                             latest=reading.latest)):
        # "Our website shows 'Error establishing a database connection'. Thank you for your help.": a report
        # ended politely, in words no phrase of the lexicon holds (the page's own error, a pasted log).
        ack = ""
    if ack and not stats.promised and all(_AWAITS_US.search(said) for said in ack.split("|")):
        # "Bon, on a mis la boutique en pause, on attend votre retour": with no promise of ours standing, they
        # wait on us; it is no acknowledgement.
        ack = ""
    if ack and (due := customer_due(text, event.at.astimezone(tz) if tz else event.at)) is not None \
            and due - event.at <= _REMINDER_REACH:
        # "D'accord. On compte sur vous demain matin : nos 40 agences ouvrent à 8h30. Merci de me tenir informé.": an
        # ok that names their own deadline, a day or two off, reminds us of it; it is no acknowledgement. ("Noted. I
        # will escalate if the credit is not confirmed by Monday" four days ahead still is one.)
        ack = ""
    if ack and stats.promise_t is not None and stats.due_t is not None and t < stats.promise_t <= stats.due_t \
            and not stats.due_breaks:
        # They agree to the time we set, still to come, before their deadline ("Je lance la réplication finale à
        # 20h, bascule vers 20h30" for a cut-over they want tonight; "Ok merci, on attend votre appel vers 20h30"):
        # their deadline is our promise now, and past it they wait on us.
        stats.due_t, stats.due, stats.due_note, stats.due_fill = None, "", False, False
    if ack:
        stats.ack, stats.done = ack, ""  # their move; an unanswered question stays unanswered
        return  # "ok, thanks": a promise of ours still stands ("nous attendons votre intervention de ce soir")
    stats.done = stats.ack = ""
    # Our promise ran out before they wrote (the moment it named, or the window of a vague one):
    # they have waited on us since it did.
    due = None
    if stats.promised and stats.out_t is not None:
        due = stats.promise_t if stats.promise_t is not None else stats.out_t + promise_window
    lapsed_t = due if due is not None and due < t else None
    awaited = stats.promised  # our last word promised to come back (by a time, or it would have kept the outage)
    # A moment we named and missed stays (promise_t without `promised`) until we write again: asking where
    # we are does not make the broken promise matter less.
    stats.promised, stats.promise_t = False, stats.promise_t if lapsed_t is not None else None
    down, harm, slow = _troubles(stats, event.body, text, folded, words, reading.pasted, lexicon, reads_outage,
                                 latest=reading.latest)
    if first and subject and not harm:
        # The subject is their own line too ("I think I fell for a phishing email" over a message telling how
        # they typed their password on the page): what it names at risk is. Not what it names down: "Mailbox
        # DOWN" over "the newsletter box gets nothing, nobody reads it" is for the message to say how bad.
        s_folded = fast_fold(subject)
        found_harm = lexicon.section("harm").scan(s_folded, tokens(s_folded))
        if found_harm and not _heads_up(folded, found_harm):
            harm = stats.harm = _said(found_harm)
    if not (down or harm or slow) and stats.answered_down and (
            _SAME_AGAIN.search(folded) or awaited and _NEWS.search(folded)
            or offered and lexicon.section("yes").scan(folded, words)):
        # ...or they ask where our promise is ("Any news on the secondary NS? Stuck payments now 520"): a promise
        # fixed nothing, what was down still is. So does their yes to what we asked leave to do ("Oui vous pouvez
        # intervenir, faites ce qu'il faut").
        down = stats.down = stats.answered_down
    # A mail quoted in the message opening the case is not ours either: "We received the email below from a
    # 'security researcher'. Is this real? > your file …/backup.sql.gz is publicly downloadable".
    others = reading.forwarded or (reading.quoted_text if first else "")
    if not harm and others and (harm := _forwarded_harm(others, lexicon)):
        stats.harm = harm
    if stats.noted:
        stats.noted = "".join(kind for kind, said in zip("dhs", (down, harm, slow)) if kind in stats.noted and not said)
    if not (down or slow) and (stats.down or stats.slow) and _says_back(lexicon, folded, words):
        # "C'est revenu, merci ! Juste une question pour plus tard : …": no closing (a question is asked),
        # but what they said was down is up again.
        stats.down = stats.slow = stats.copy_down = ""
        stats.down_read = False
    # A case is a commercial one by what its opening message asks ("je voudrais un devis"); a later "I want
    # a discount" on an outage does not make it one (and a new message never cools a case).
    if down or harm or slow or stats.down or stats.harm or stats.slow:
        stats.sales = ""
    elif first and (sales := _sales(lexicon, folded, words)):
        stats.sales = _said(sales)
    # "No rush" counts while it is all they said since our last answer; writing again before
    # we answer, or anything frustrated, ends it.
    # What is at stake beats how it is said: "rien d'urgent" about a compromised site is not calm.
    pressing = found or down or harm
    calm = lexicon.section("calm").scan(folded, words) if not waiting and lapsed_t is None and not pressing else ()
    stats.calm = _said(calm) if calm else ""
    if not waiting:
        stats.waiting_since, stats.wait_t = (at, t) if lapsed_t is None else (
            format_ts(datetime.fromtimestamp(lapsed_t, timezone.utc)), lapsed_t)
    if pressing and not stats.back and (back := _came_back(folded)):
        stats.back = back
    _mood(stats, text, found)
    local_at = event.at.astimezone(tz) if tz else event.at
    _deadline(stats, customer_due(text, local_at), local_at)
    # The alert they forward is pasted text: its numbers are read, never its words.
    _deadline(stats, fills_by(text + "\n" + reading.pasted if reading.pasted else text, local_at), local_at, fill=True)
    if reading.quoted_text:
        # The notice they forward ("Expiration du certificat actuel : 20/11/2027 02:00 UTC") is their deadline.
        _deadline(stats, expires_by(reading.quoted_text, local_at), local_at, breaks=True)
    if stats.calm and stats.due_breaks and stats.due_t is not None:
        # "Whenever you have time" under a notice that their certificate expires tomorrow at 06:00: what breaks
        # by itself does not wait for their time.
        stats.calm = ""
    if not stats.topic:
        # Their own name says who asks, not what: it is left out like the lexicon's single words.
        topic = topic_print(topic_words(text), lexicon.single_words | frozenset(tokens(fast_fold(event.author))))
        if len(topic) >= 2:
            stats.topic = pack_print(topic)
    print_ = fingerprint(words, lexicon.vocabulary)
    if print_ is not None:
        earlier = stats.prints.split()
        best = max((similarity(print_, unpack_print(old)) for old in earlier), default=0.0)
        if best >= REPEAT_THRESHOLD:
            stats.repeats += 1
            stats.repeat_sim = max(stats.repeat_sim, round(best, 2))
        stats.prints = " ".join([*earlier, pack_print(print_)][-MAX_PRINTS:])


# Spoken French drops the "ne": "les mails partent plus", "ça s'affiche plus", "j'arrive plus à me connecter". The
# lexicon lists the written form ("ne partent plus"); the "ne" is put back before a verb the lexicon negates, so both
# read alike. Not before a comparison: "ça marche plus vite", "on reçoit plus de commandes", "pas mal".
_NEGATED_WORDS = frozenset({"plus", "pas", "rien", "jamais", "toujours", "aucun", "aucune", "nulle"})
_CLITICS = frozenset({"se", "s", "me", "m", "te", "t", "y", "en", "lui", "leur", "l", "la", "le", "les"})
_NOT_NEGATION_AFTER = re.compile(r" (?:(?:de|du|des|que|mal|vite|tard|tot|souvent|longtemps|ou moins|trop|assez|beaucoup|"
                                 r"haut|bas|loin|fort|bien|mieux)\b|d'|qu'|(?:rapide|lent|grand|gros|petit|cher|facile|"
                                 r"simple|fluide|stable)\w*)")
_CLITIC_RUN = re.compile(r"(?:\b(?:se|me|te|y|en|lui|leur|la|le|les) |\b[smtl]')*$")
_NE_BEFORE = re.compile(r"\b(?:ne|n')\s?(?:(?:se|me|te|nous|vous|y|en|lui|leur|la|le|les) |[smtl]')*$")
# (Per lexicon: a site's rules may add phrases; the key is the lexicon itself, so one that is gone takes its
# pattern along.)
_spoken_negations: WeakKeyDictionary[Lexicon, re.Pattern[str] | None] = WeakKeyDictionary()
# ...and the outage reader, which learnt "plus" from "ne … plus", does not read it in a comparison either.
_COMPARED = re.compile(r"\bplus (?=(?:vite|rapide|rapidement|lent|lente|lentement|t[ôo]t|tard|souvent|longtemps|"
                       r"facilement|simplement|fluide|stable|beaucoup|mieux)\b)", re.IGNORECASE)


def _negated_verbs(lexicon: Lexicon) -> re.Pattern[str] | None:
    """The verbs the trouble sections of *lexicon* say with "ne … plus/pas/rien", followed by that word."""
    if lexicon not in _spoken_negations:
        verbs = set()
        for name in ("down", "harm", "slow", "data"):
            for phrase in lexicon.section(name).phrases:
                words = phrase.words
                if words[0] not in ("ne", "n"):
                    continue
                i = 1
                while i < len(words) and words[i] in _CLITICS:
                    i += 1
                if i + 1 < len(words) and words[i + 1] in _NEGATED_WORDS:
                    verbs.add(words[i])
        _spoken_negations[lexicon] = re.compile(r"\b(?:" + "|".join(sorted(map(re.escape, verbs), key=len, reverse=True)) +
                                            r") (?:plus|pas|rien|jamais|toujours pas)\b") if verbs else None
    return _spoken_negations[lexicon]


def _with_written_negation(folded: str, lexicon: Lexicon) -> str:
    """*folded* with the "ne" spoken French leaves out put back before the verbs the lexicon negates."""
    if " plus" not in folded and " pas" not in folded and " rien" not in folded and " jamais" not in folded:
        return folded
    pattern = _negated_verbs(lexicon)
    if pattern is None:
        return folded
    out, last = [], 0
    for found in pattern.finditer(folded):
        before = folded[max(0, found.start() - 24):found.start()]
        after = _NOT_NEGATION_AFTER.match(folded, found.end())
        if _NE_BEFORE.search(before) or after and (found.group(0).endswith("plus") or after.group(0) == " mal"):
            continue
        at = found.start() - len(_CLITIC_RUN.search(before).group(0))
        out.append(folded[last:at])
        out.append("n'" if folded[at] in "aeiouyh" else "ne ")
        last = at
    if not out:
        return folded
    out.append(folded[last:])
    return "".join(out)


# A scam they received (words of the lexicon's phishing phrases), and nobody on their side who fell for it.
_SCAM = ("phishing", "hameconnage", "passer pour", "pretend", "fake", "faux", "fausse", "arnaque", "scam", "spoof",
         "ressemble", "looks like", "looks exactly", "soi-disant", "usurpation", "frauduleu", "fraudulent")
_NOT_CLICKED = re.compile(r"\b(?:n'a|n'ai|n'avons|n'ont|n'avez|didn't|did not|haven't|have not|hasn't|has not|never|"
                          r"jamais|sans|without|not|nobody|no one|personne n'a|personne n'y a)\s+(?:\w+\s+)?"
                          r"(?:clique\w*|click\w*|ouvert|opened|rien saisi|rien entre|entered anything|"
                          r"typed anything)\b")
_CLICKED = re.compile(r"\b(?:a|ai|avons|ont|avez|j'ai)\s+(?:\w+\s+)?(?:clique|saisi|tape|entre|donne|communique|"
                      r"paye)\b|"
                      r"\b(?:clicked|typed|entered|gave|logged in|paid)\b")


def _heads_up(folded: str, harm: list[Phrase]) -> bool:
    """Whether the harm phrases found are all a scam's, in a message saying nobody fell for it: "Pour info, une
    collaboratrice a reçu un mail qui se fait passer pour vous… Elle n'a pas cliqué" is a heads-up; nothing of
    theirs is at risk."""
    return bool(_NOT_CLICKED.search(folded) and all(any(k in " ".join(p.words) for k in _SCAM) for p in harm)
                and not _CLICKED.search(_NOT_CLICKED.sub(" ", folded)))


_ASIDE = re.compile(r" ?\([^()\n]{1,80}\)")


def _troubles(stats: CaseStats, body: str, text: str, folded: str, words: list[str], pasted: str, lexicon: Lexicon,
              reads_outage: OutageReader | None, *, latest: str = "") -> tuple[str, str, str]:
    """Set what *text* (the writer's own words of *body*, *folded* into *words*, beside the log they *pasted* and
    its *latest* time-stamped entry) says is down, at risk or slow in *stats*; return the three, '' for none said."""
    # What is broken may be said by the log they pasted ("503 Service Unavailable" on every page):
    # read for the symptom, never for their words or tone.
    if (restored := _with_written_negation(folded, lexicon)) is not folded:
        folded, words = restored, tokens(restored)
    if "(" in folded and (plain := _ASIDE.sub("", folded)) != folded:
        # An aside can cut what they say in two: "nos mails (confirmations de commande) restent bloqués". What is
        # around it is read joined up too, the aside itself as written.
        folded = folded + "\n" + plain
        words = tokens(folded)
    if pasted and "?" in pasted:
        # A question they paste reports nothing: "7.3 Are backups stored offline or immutable (cannot be altered by
        # ransomware)?", from their insurer's questionnaire.
        pasted = "\n".join(line for line in pasted.splitlines() if not line.rstrip().endswith("?"))
    if pasted:
        pasted_folded = fast_fold(pasted)  # folding is per character: the text's fold is reused as it is
        symptom, symptom_words = folded + "\n" + pasted_folded, words + tokens(pasted_folded)
    else:
        symptom, symptom_words = folded, words
    # Machines join words with '_' ("Reallocated_Sector_Ct=312"): the words are the lexicon's all the same.
    symptom = _machine_words(symptom)
    # ...and so may an error they quote or a disk they say is full, kept as they wrote it.
    written = text + "\n" + pasted if pasted else text
    harm_found = lexicon.section("harm").scan(symptom, symptom_words)
    if latest and not harm_found:
        # Where their log's last entry leaves their data ("Backup FAILED" after "No space left on device"); not
        # what is down: a failover log says "IS DOWN" every minute of a node their users never notice.
        latest_folded = _machine_words(fast_fold(latest))
        harm_found = lexicon.section("harm").scan(latest_folded, tokens(latest_folded))
    if _FUTURE_DOWN.search(symptom):
        # What will be cut, or would be, is not down: "je veux savoir à quelle heure mon site sera coupé", "how
        # long the server would be down for the upgrade".
        symptom = _FUTURE_DOWN.sub(" ", symptom)
        symptom_words = tokens(symptom)
    down = _not_from_us(_outside(lexicon.section("down"), lexicon.section("harm"), symptom, harm_found,
                                 symptom_words), folded)
    if ("yet" in symptom or "encore" in symptom) and _NOT_YET.search(symptom) and not _AGAIN_OR_STILL.search(symptom):
        down = [p for p in down if not _not_yet(lexicon.section("down"), symptom, p)]
        reads_outage = None  # ...nor does the outage reader make it down
    over = [p for p in down if _said_over(lexicon.section("down"), symptom, p)]
    if over:
        # "Le site n'est plus en panne, pouvez-vous m'expliquer la cause ?": what they name is over. Nor does a
        # code they quote or the outage reader make it down again.
        down = [p for p in down if p not in over]
        reads_outage = None
    if down:
        down = _said(down)
    elif not over:
        down = quoted_error(written) or pasted_error(pasted) or bounced_mail(body) or _cannot_any_more(folded)
    else:
        # A mail server's refusal they paste tells in the past what happens to their mail now: "550 5.7.23 The
        # message was rejected because of Sender Policy Framework violation".
        down = bounced_mail(body)
    if down and (_PAST_OUTAGE.search(folded) or _WAS_DOWN.search(folded)) and not _STILL.search(folded):
        down = ""  # "suite à la panne du 18 mai, merci de nous fournir un rapport d'incident": it is back
    copy = _copy_down(folded) if down else ""
    if copy:
        # "staging.finlo.io has been returning 502", production untouched: it hurts, less than down.
        stats.slow, stats.copy_down, slow, down = down, copy, down, ""
    elif down:
        stats.down, stats.down_read = down, False
    harm = list(harm_found)
    if harm and _heads_up(folded, harm):
        harm = []
    if not _PAPERWORK.search(folded):
        harm += lexicon.section("data").scan(symptom, symptom_words)
    if harm:
        harm = stats.harm = _said(harm)
    elif (harm := _data_lost(folded) or _ransomed(folded) or _taken_away(folded) or _exposed_file(folded)
                   or _leaked_secret(folded) or _taken_over(folded)):
        stats.harm = harm
    if not copy:
        slow = lexicon.section("slow").scan(symptom, symptom_words)
        slow = _said(slow) if slow else " ".join(full.group(0).split())[:SAID_MAX] if (
            full := _FULL.search(written) or _MAIL_AUTH_FAILS.search(symptom) or _SATURATED.search(symptom)) else ""
        if slow:
            stats.slow, stats.copy_down = slow, ""
    if not (down or harm or slow) and reads_outage is not None and (read := reads_outage(_COMPARED.sub("", text))):
        # Broken in words no list holds ("la page tourne dans le vide", "the export never reached the
        # warehouse"): the reader trained on the decoder's messages takes it for an outage.
        down = stats.down = "|".join(read)[:SAID_MAX]
        stats.down_read = True
    return down, harm, slow


_FUTURE_DOWN = re.compile(r"\b(?:sera|seront|serait|seraient|va etre|vont etre|will be|would be|going to be|"
                          r"will go|would go)\b(?: \w+){0,2}")


# A machine's key and its value: "Slave_SQL_Running: No", "Slave_IO_Running = No".
# One word with a '_' in it, taken whole (`\w+_\w+` tries every '_' of "a_a_a_…": 0.1 s on 4 kB).
_KEY_VALUE = re.compile(r"\b(?=\w+_\w)(\w++)\s*[:=]\s*(?=\w)")


def _machine_words(folded: str) -> str:
    """*folded* with a machine's words as the lexicon writes them: "Reallocated_Sector_Ct" is "reallocated sector
    ct", "Slave_SQL_Running: No" is "slave sql running no"."""
    if "_" not in folded:
        return folded
    return _KEY_VALUE.sub(r"\1 ", folded).replace("_", " ")


def _forwarded_harm(forwarded: str, lexicon: Lexicon) -> str:
    """What a mail they forward, or quote opening the case (not one they reply to: that may be ours, an incident
    update), says is at risk, or '': the lexicon's words, or a dump of theirs anyone can download.

    It is what someone else sent them: the alert they do not understand ("Je reçois ce mail depuis hier soir, je ne
    sais pas si c'est normal ?" over mdadm's "DegradedArray event") puts their data at risk however calmly they ask.
    """
    folded = _machine_words(fast_fold(forwarded))
    found = lexicon.section("harm").scan(folded, tokens(folded))
    return _said(found) if found else _exposed_file(fast_fold(forwarded))


# A trouble said to be over: "le site n'est plus en panne", "plus de 502 depuis hier", "plus aucune erreur 500",
# "il ne plante plus", "les erreurs 502 ont disparu", "no more 502s", "zero 502 since yesterday", "it is no longer
# down", "the 502 errors are gone", "isn't down anymore". Only for what names the trouble itself: "n'est plus
# accessible" and "ne fonctionne plus" are the trouble, said with their negation.
_OVER_BEFORE = re.compile(r"(?:\b(?:n'est|n'etait|ne sont|ne semble|ne semblent) plus |\bplus (?:de |d'|aucune? )|"
                          r"\bno (?:more |longer )?|\bzero |\b(?:is|are|was|were) no longer |\bnever )(?:[\w-]+ )?$")
# ...or told in the past, nothing saying it still is: "c'était ma box qui avait planté", "the site was down because
# of the plugin" ("has been down since 8" is not past: it still is).
_PAST_BEFORE = re.compile(r"\b(?:etait|etaient|avait|avaient|was|were|had been)(?: [\w-]+)? $")
_OVER_NE = re.compile(r"\b(?:ne|n') ?(?:[\w-]+ )?$")
_OVER_AFTER = re.compile(r"(?: [\w'-]+){0,2} (?:(?:is|are|has|have)(?: been)? (?:gone|fixed|resolved)\b(?! up)|"
                         r"(?:ont|a|sont|est) (?:disparue?s?|cesse)\b|(?:any ?more|plus)\b)")
_NEGATION = frozenset({"ne", "n", "pas", "plus", "not", "no", "never", "jamais", "aucun", "aucune", "rien", "nothing",
                       "cannot", "can't", "cant", "don't", "doesn't", "won't", "isn't", "aren't"})


def _said_over(section: Lexicon, folded: str, phrase: Phrase) -> bool:
    """Whether every place *phrase* (a trouble, not a negated good: see `_OVER_BEFORE`) is said over, or past."""
    if _NEGATION.intersection(phrase.words) or any(w.startswith("n'") for w in phrase.words):
        return False
    past = None
    for m in section.where(folded, phrase):
        start, end = m.start(), m.end()
        before = folded[max(0, start - 40):start]
        if _OVER_BEFORE.search(before):
            continue
        if _PAST_BEFORE.search(before):
            if past is None:
                past = not _STILL.search(folded)
            if past:
                continue
        after = _OVER_AFTER.match(folded, end)
        if after and (not after.group(0).endswith("plus") or _OVER_NE.search(before)):
            continue
        return False
    return True


# What was just set up and does not work *yet* never worked: "I just added an A record for dev.kiri.app but it
# doesn't resolve yet", "le nouveau site ne s'affiche pas encore". Not what stopped ("still", "toujours", "again").
_NOT_YET = re.compile(r"\bpas encore\b|(?:\bnot|n't)(?: [\w'-]+){0,3}? yet\b")
_YET_AFTER = re.compile(r"(?: [\w'-]+){0,2}? yet\b")
_AGAIN_OR_STILL = re.compile(r"\b(?:toujours|still|again|de nouveau|a nouveau|plus)\b")


def _not_yet(section: Lexicon, folded: str, phrase: Phrase) -> bool:
    """Whether every place *phrase* (a trouble) is said is followed by "yet" (or, for a French "pas", "encore")."""
    for m in section.where(folded, phrase):
        if _YET_AFTER.match(folded, m.end()):
            continue
        if phrase.words[-1] == "pas" and folded.startswith(" encore", m.end()):
            continue
        return False
    return True


def _outside(section: Lexicon, wider_section: Lexicon, folded: str, wider: list[Phrase], words: list[str]
             ) -> list[Phrase]:
    """The phrases of *section* in *folded* written somewhere outside every phrase *wider* found of
    *wider_section*: "the backup didn't run" is at risk, not also down for its "didn't run"."""
    found = section.scan(folded, words)
    if not (wider and found):
        return found
    spans = [m.span() for w in wider for m in wider_section.where(folded, w)]
    return [p for p in found
            if any(not any(a <= m.start() and m.end() <= b for a, b in spans) for m in section.where(folded, p))]


def _deadline(stats: CaseStats, due: datetime | None, local_at: datetime, *, in_note: bool = False,
              fill: bool = False, breaks: bool = False) -> None:
    """Keep the nearest deadline: the customer's own, what a note says we owe them by (*in_note*), or when a
    disk fills (*fill*). One that passed stays until we answer after it (a later date in a new message does
    not make the missed one matter less). A nearer one keeps what breaks at the later one (*breaks*: a domain
    expiring): "la mise en ligne est demain à 8h" under "Domain expires 27/11" must not weigh less than the
    expiry did alone."""
    if due is None:
        return
    due_t = int(due.timestamp())
    if fill and stats.due_fill:
        # When a disk fills is a forecast: the latest one replaces the one before (the pace two alerts showed, then
        # an engineer's "full again around 09:00-10:00 UTC" after purging logs).
        stats.due_t = None
    if stats.due_t is None or due_t < stats.due_t:
        later_breaks = stats.due_breaks and stats.due_t is not None
        stats.due_t, stats.due, stats.due_note, stats.due_fill = due_t, _due_words(due, local_at), in_note, fill
        stats.due_breaks = breaks or fill or later_breaks
    elif due_t == stats.due_t and stats.due_note and not in_note:
        # The moment a note named, said by the customer too ("Certs expire Dec 31 23:59 UTC" in our note, then
        # "They expire at 23:59 UTC tonight"): theirs, which our next reply does not settle.
        stats.due_note = False


def _due_words(due: datetime, local_at: datetime) -> str:
    """How the deadline reads on screen: its day and hour in the customer's clock ("Fri 4 Dec 08:00")."""
    due = due.astimezone(local_at.tzinfo)
    return f"{due:%a} {due.day} {due:%b %H:%M}"


def _from_us(stats: CaseStats, event: Event, t: int, at: str, lexicon: Lexicon, tz: tzinfo | None) -> None:
    stats.last_out_at, stats.out_t = at, t
    stats.live = False
    if event.author and event.author not in stats.engineers:
        stats.engineers.append(event.author)
    own = _read(event.body, event.author).text
    if event.kind == "call" and _UNREACHED.search(fast_fold(own)):
        # A call of ours that reached nobody ("messagerie, message laissé", "no answer"): nothing was answered or
        # fixed, they wait as before, and what is down stays down.
        return
    # A canned acknowledgement answers nothing, whatever was done on the case before it; a link to the docs
    # after we acted may be the answer ("renewed: here is how to check it").
    if _AUTOMATED.search(event.author) or is_canned(own, lexicon) or (
            not stats.acted and is_bounce(own, lexicon, again=stats.bounces > 0,
                                          broken=bool(stats.down or stats.harm or stats.slow or stats.copy_down))):
        stats.bounces += 1
        stats.bounce_open = True  # the clock keeps running
        return
    stats.bounce_open = False
    stats.waiting_since = stats.wait_t = None
    stats.alert = False  # what the machine said is answered with the rest
    stats.offered = "?" in own and not says_restored(own, lexicon)
    # Told in person, during the incident, that their services are back ("vos services sont revenus à la normale
    # depuis 10:35 UTC", "your VMs were affected by the DC2 storage incident; they've been healthy since"): the
    # incident lifts the case no more, until they write again. A reply before it (no update sent on the case yet,
    # no incident named) says nothing of it.
    stats.told_back = bool((stats.broadcasts or "incident" in own.lower()) and says_restored(own, lexicon))
    if stats.due_t is not None and (stats.due_t <= t or stats.due_note or stats.due_fill):
        # Their deadline passed and we have spoken since, or we wrote to them after the note saying what we owe
        # or the alert saying when the disk fills (what we did about it is in our reply).
        stats.due_t, stats.due, stats.due_note, stats.due_fill, stats.due_breaks = None, "", False, False, False
    local_at = event.at.astimezone(tz) if tz else event.at
    stats.promised = is_promise(own, lexicon)
    moment = promised_by(own, local_at) if stats.promised else committed_by(own, local_at)
    if (not stats.promised or moment is not None) and not _STILL_BROKEN.search(fast_fold(own)) and not (
            stats.in_t is None and moment is None and (stats.down or stats.harm or stats.slow)
            and not (_says_done(own, lexicon) or says_restored(own, lexicon) or promised_by(own, local_at))):
        # (Nobody on their side has written: what a machine or a note found is ours to fix, and telling them of it,
        # with nothing done and no time set for it, fixes nothing: "We have received an abuse report about a phishing
        # page on your website. Please contact us urgently".)
        # Answered: if it is still down, they will say so again. A bare "je regarde" (no fix, no time)
        # changes nothing for them: what they said is broken stays broken.
        stats.answered_down = stats.down or stats.answered_down
        stats.down = stats.harm = stats.slow = stats.copy_down = stats.noted = ""
        stats.down_read = False
    # Saying what we will do by when is a promise, even beside what was done ("j'ai mis en place une
    # surveillance, je vous envoie demain à 8h un bilan"): past that moment, they wait on us.
    stats.promised = stats.promised or moment is not None
    stats.promise_t = int(moment.timestamp()) if moment else None
    # A real answer: the customer's earlier mood counts less from now on.
    stats.words = round(stats.words * DECAY, 3)
    stats.bang = round(stats.bang * DECAY, 3)
    stats.shout = round(stats.shout * DECAY, 3)


# Our helpdesk writing by itself ("Support (automatic reply)", "RT_System", "support-bot"): whatever it says
# ("Ticket #88331 has been created"), nobody read their message. ("bot" as a word of its own: Talbot is a person.)
_AUTOMATED = re.compile(r"automatic|automatique|auto-?reply|no-?reply|\(auto\)|\brt_system\b|(?:\b|_)(?:chat)?bot\b|"
                        r"assistant virtuel|virtual assistant|[-_]watch\b", re.IGNORECASE)


# They take back the tone of what they wrote: "désolé pour le ton de mon premier message, j'ai paniqué", "sorry
# for the rant earlier".
_SORRY_FOR_TONE = re.compile(
    r"\b(?:desolee?s?|pardon|excusez(?:-moi)?|je m'excuse|nous nous excusons|sorry|apologi[sz]e|apologies)\b"
    r"[^.!?\n]{0,30}?\b(?:ton|emportement|enervement|energie|colere|majuscules|tone|rant|outburst|caps|shouting|"
    r"temper|snapping)\b")


def frustration(lexicon: Lexicon, folded: str, words: list[str]):
    """Frustration phrases in folded text, but not those inside a calm or a closing phrase
    ("pas urgent", "not critical", "works again") or said to be over ("plus d'erreur 500"), and none in a message
    apologising for its tone without a "but" ("désolé pour le ton de mon premier message, j'ai paniqué")."""
    found = lexicon.scan(folded, words)
    if found and ("." in folded or "@" in folded) and (named := [m.span() for m in _NAMED_HOST.finditer(folded)]):
        # Their domain or an address is no word of theirs: "le certificat de urgence-plomberie.fr",
        # "a.roche@meunier-avocats.fr".
        found = [p for p in found
                 if any(not any(a <= m.start() and m.end() <= b for a, b in named) for m in lexicon.where(folded, p))]
    if found and _SORRY_FOR_TONE.search(folded) and not _contrasts(lexicon, folded):
        return []
    if found:
        masks = lexicon.section("calm").scan(folded, words) + lexicon.section("closing").scan(folded, words)
        if masks:
            found = [p for p in found if not any(set(p.words) <= set(m.words) for m in masks)]
        # ...nor a trouble said to be over ("le site n'est plus en panne", "no more 502s"; "they had no reminder"
        # is no trouble over).
        down = lexicon.section("down")
        found = [p for p in found if not (down.scan(" ".join(p.words), p.words) and _said_over(lexicon, folded, p))]
    return found


# A host name or an e-mail address, taken whole from where its run of characters starts. Only the usual endings
# make a name: "c'est urgent.Le site" (no space after the stop) is no host.
_NAMED_HOST = re.compile(r"(?<![\w.+@-])[\w.+-]*@[\w.-]+|(?<![\w.-])(?:https?://)?(?:[\w-]+\.)+"
                         r"(?:fr|com|net|org|eu|io|ch|uk|info|biz|shop|app|dev|ca|nl|lu|ie|au|nz|jp|asia|xyz|cloud|"
                         r"online|store|site|tech|pro)(?![\w'-])(?:/\S*)?")


# What a screen told them, quoted: « Une erreur est survenue », "Internal Server Error",
# 'Votre connexion n'est pas privée', or a browser's code (NET::ERR_CERT_DATE_INVALID). Customers
# report what is broken by quoting it, in any words: the quote's error word is what counts.
_QUOTED = re.compile(r"«\s*([^«»\n]{3,120}?)\s*»|“([^“”\n]{3,120})”|\"([^\"\n]{3,120})\"|"
                     r"(?<!\w)'([^'\n]{3,120})'(?!\w)")
_ERROR_WORD = re.compile(
    r"\b(?:error|erreur|errors|erreurs|failed|failure|echec|echoue|denied|refuse|refused|unavailable|"
    r"indisponible|invalid|invalide|not found|introuvable|impossible|expired|"
    # ...an expiry still ahead is a warning: "Certificat SSL ... expire dans 25 jours"
    r"(?<!will )expire(?! (?:dans|in|on|le|bientot|soon|within|sous|d'ici)\b)|timeout|timed out|"
    r"not secure|non securise|not private|pas privee|unable|exception|fatal|forbidden|interdit|rejected|rejetee?s?|"
    r"refusee?s?|declined|"
    r"undeliverable|unreachable|injoignable|could not|n'a pas pu|cannot|can't|incorrect|blocked|bloques?|"
    r"blacklist\w*)\b")
_BROWSER_CODE = re.compile(r"\b(?:NET::)?ERR_[A-Z_]{4,}\b|\b(?:SSL|SEC)_ERROR_[A-Z_]+\b")


def quoted_error(text: str) -> str:
    """An error message the customer quotes (or a browser's error code), for the explanation; '' if none."""
    code = _BROWSER_CODE.search(text)
    if code:
        return code.group(0)
    for m in _QUOTED.finditer(text):
        quote = next(g for g in m.groups() if g is not None)
        folded = fast_fold(quote)
        if _ERROR_WORD.search(folded) and not _PAY_HERE.search(folded):
            return quote.strip()[:SAID_MAX]
    return ""


# A scam they quote asks them to act; a page's error does not: "votre nom de domaine expire, réglez 4,99 € ici".
_PAY_HERE = re.compile(r"\b(?:reglez|payez|pay now|pay here|cliquez|click here|click the link|confirm your|"
                       r"confirmez votre|mettez a jour vos)\b")


# What a site's page shows when its code or its database fails. A script's or a monitor's own output ("!!! ERREUR
# !!! CONNEXION REFUSÉE", "HTTP check CRITICAL") is not one: the customer may be running it themselves.
_PAGE_ERROR = re.compile(r"\b(?:(?:php )?fatal error|parse error|sqlstate\[|uncaught|error establishing|"
                         r"internal server error|service unavailable|bad gateway|gateway time-?out|database error|"
                         r"erreur (?:critique|fatale)|"
                         # ...or when it cannot reach its database or its sessions
                         r"access denied for user|too many connections|can't connect to (?:local )?mysql|"
                         r"failed to initialize storage module|the database system is (?:in recovery mode|starting up)|"
                         # ...or their own home page fetched as a visitor would: "HTTP/1.1 404 Not Found", a certificate
                         # for another name
                         r"http/\d(?:\.\d)? (?:404|5\d\d)\b|no alternative certificate subject name)")


def pasted_error(pasted: str) -> str:
    """The first line of an error page they paste as it is ("Fatal error: Allowed memory size … exhausted",
    "SQLSTATE[HY000] … --read-only"), for the explanation; '' if none."""
    for line in pasted.splitlines():
        if _PAGE_ERROR.search(fast_fold(line)):
            return " ".join(line.split())[:SAID_MAX]
    return ""


# A mail server's refusal (RFC 3463: "550 5.1.1 … User unknown", "552 5.2.2 Mailbox full", "554 5.7.1 Sending
# suspended"): customers forward the bounce or paste what their mail program said, often without a word of
# their own about mail not arriving. Read in the whole message: a forwarded bounce is what it quotes.
_SMTP_REFUSAL = re.compile(r"\b5[0-5]\d[ -]5\.\d{1,3}\.\d{1,3}\b[^\n]{0,80}")


def bounced_mail(body: str) -> str:
    """A permanent SMTP failure in *body* (its code and what follows on the line), for the explanation; '' if none."""
    found = _SMTP_REFUSAL.search(body, 0, MAX_CHARS) if "5." in body else None
    return " ".join(found.group(0).split())[:SAID_MAX] if found else ""


# What a business lives on stopped coming since a moment: "we haven't had an order since 7", "aucune réservation
# depuis lundi", "not a single payment since the update". A shop says it is broken by what it no longer gets.
_FLOW = (r"(?:orders?|payments?|sales?|bookings?|reservations?|sign-?ups?|transactions?|e-?mails?|mails?|messages?|"
         r"calls?|enquir(?:y|ies)|inquir(?:y|ies)|leads?|commandes?|paiements?|ventes?|inscriptions?|appels?|"
         r"demandes? de devis|notifications?|confirmations?|flux|edi|exports?|fichiers edi|"
         # ...and what their suppliers send them: "we haven't seen a single supplier invoice since Friday"
         r"(?:supplier )?invoices?|factures?(?: fournisseurs?)?|donations?|dons)")
_STOPPED_SINCE = re.compile(
    r"\b(?:(?:no|not a single|not one|zero|(?:haven't|hasn't) (?:had|received|got|seen|created)|"
    r"(?:have|has) not (?:had|received|got|seen|created)|"
    r"hasn't been|has not been)(?: an?| any)?(?: new| single)?|(?:aucune?|pas une? seule?|plus une? seule?|plus (?:de|d'|aucune?)|"
    r"(?:pas|plus) (?:eu|recu) (?:une? seule?|aucune?|de|d')|"
    r"zero|pas de|pas d')(?: nouvelles?| nouveaux?)?) ?(?:(?:external|incoming|inbound|outgoing|outbound) )?" + _FLOW +
    # ...not a chase: "no email from you since Monday", "pas de message de votre part depuis lundi"
    r"\b(?:(?!from (?:you|your|the support)|de votre|de vous|du support|back|retour)[^.!?\n]){0,40}?\b(?:since|depuis)\b|"
    # ...said the other way round: "since Wednesday we haven't received any emails from the contact form"
    r"\b(?:since|depuis)\b[^.!?\n]{0,30}?\b(?:we|i|nous|on|je)\b (?:haven't|have not|didn't|did not|n'avons|n'a|n'ai) "
    r"(?:had|received|got|gotten|seen|get|receive|recu|eu)(?: any| a single| aucune?| une? seule?| de| d')? ?"
    r"(?:new |nouvelles? )?" + _FLOW + r"\b(?! (?:from (?:you|your|the support)|de votre|de vous|du support))|"
    # ...or told by the moment it stopped: "orders stopped at 14:02?", "les commandes se sont arrêtées à 14h"
    r"\b" + _FLOW + r" (?:stopped|have stopped|se sont arretee?s|sont arretee?s|s'arretent) (?:at|around|since|a|vers|"
    r"depuis) \d{1,2}(?:[:h]\d{2}|h)?")


# ...or what nobody among them can do any more: "nobody in the office can reach webmail", "personne ici ne peut
# se connecter", "none of us can send".
# Not who cannot answer them: "nobody can tell me why", "personne ne peut me répondre" is a chase.
_NOBODY_CAN = re.compile(r"\b(?:nobody|no one|none of us|personne)\b[^.!?\n]{0,30}?"
                         # ("n'arrive" as "manages to", not as "comes": "personne n'arrive au bureau avant 8h30")
                         r"(?:\b(?:can|could|is able to)\b|\b(?:ne peut|ne peuvent|(?:n'arrive|n'arrivent)(?= a\b)))"
                         r"(?!(?: (?:me|us|nous|m'|a|à|pas))* ?(?:tell|answer|help|explain|respond|get back|call|"
                         r"repondre|dire|aider|expliquer|renseigner|rappeler|joindre))[^.!?\n]{0,30}")


# ...or nothing at all comes any more: "le formulaire ne nous envoie plus rien depuis vendredi", "n'envoie toujours
# rien", "nothing has come through since the update" (not what they have not had from us: a chase).
_NOT_FROM_US = r"(?:(?!de votre|de vous|du support|from (?:you|your|the support))[^.!?\n])"
_NOTHING_COMES = re.compile(
    r"\b(?:n'|ne )(?:nous |me |m'|leur |lui )?(?:envoi|envoy|recoi|recev|affich|transmet|arriv)\w* (?:toujours |plus )rien\b"
    r"(?! (?:de votre|de vous|du support))|"
    r"\b(?:plus rien|(?:have|has) received nothing|n'(?:ont|avons|ai|a)(?: effectivement| toujours| vraiment)? rien recu|"
    r"nothing (?:has )?(?:come|came|arrived|got|gets|comes) ?(?:in|through)?)\b" + _NOT_FROM_US +
    r"{0,40}?\b(?:since|depuis)\b|"
    # ...or, without a moment, what they tried themselves: "I've tested the form myself and nothing arrives".
    r"\bnothing (?:ever )?(?:arrives|gets through|comes through)\b(?! from (?:you|your|the support))")


# ...or their own customers no longer get what they are sent: "nos clients ne reçoivent plus le mail de
# confirmation", "customers no longer receive their order emails".
_NO_LONGER_RECEIVED = re.compile(
    r"\b(?:clients?|clientes?|customers?|users?|utilisateurs?|adherents?|members?|patients?|visiteurs?|visitors?)\b"
    r"(?: \w+){0,2}? (?:ne (?:recoivent|recoit) plus|n'ont plus|no longer (?:receive|get)|(?:don't|do not|aren't|are not) "
    r"(?:receiving|getting) (?:any|their|the)) (?:\w+ ){0,2}?" + _FLOW + r"\b|"
    # ...or have not had what the business sends them: "several of our customers have told us they haven't received
    # their invoices", "les clients n'ont rien reçu", "3 clients say they never got the invoice"
    r"\b(?:clients?|clientes?|customers?|users?|utilisateurs?|adherents?|members?|patients?)\b(?: \w+){0,4}? '?"
    r"(?:n'ont rien recu|haven't received anything|have not received anything|(?:n'ont (?:pas|jamais) recu|"
    r"(?:haven't|have not|never) (?:received|got|gotten)) (?:leurs?|les|nos|their|our|the) (?:invoices?|factures?|"
    r"e-?mails?|mails?|messages?|(?:order |booking )?confirmations?|notifications?|newsletters?))\b|"
    # ...and they themselves: "je ne reçois plus mes mails", "we're not receiving any emails" (not ours: a chase).
    r"\b(?:je|nous|on) ne (?:recois|recevons|recoit) plus (?:aucun |de |d'|mes |nos |les )?" + _FLOW +
    r"\b(?! (?:de votre|de vous|du support))|"
    # ...or said with the infinitive: "nous nous étonnons de ne plus recevoir de demandes de devis par le formulaire"
    r"\bne plus recevoir (?:aucune? |de |d'|mes |nos |les )?" + _FLOW + r"\b(?! (?:de votre|de vous|du support))|"
    r"\b(?:i|we)(?:'m|'re| am| are) (?:not|no longer) (?:receiving|getting) (?:any )?(?:new )?" + _FLOW +
    r"\b(?! from (?:you|your|the support))")


# ...or what they are sent no longer reaches them: "les mails du formulaire ne nous arrivent plus", "orders from the
# site stopped coming through".
_NO_LONGER_ARRIVES = re.compile(
    # (A flow, said in the plural: "the reset email isn't arriving" is one message, not an outage.)
    r"\b" + _FLOW + r"\b[^.!?\n]{0,50}?\b(?:ne (?:nous |me |leur |lui )?(?:arrivent|parviennent) plus|"
    r"(?:n'arrivent|ne (?:nous |me |leur |lui )?parviennent) pas|"
    r"(?:stopped|have stopped) (?:arriving|coming(?: in| through)?|getting through|syncing|reaching (?:us|our|the|their))|"
    r"(?:aren't|are not|no longer) (?:arriving|coming (?:in|through)|getting through|reaching (?:us|our)|syncing)|"
    r"no longer (?:arrive|come (?:in|through)|reach (?:us|our)|sync)|"
    # ...or what they send does not leave: "les flux EDI vers notre client ne sont pas partis depuis samedi"
    r"ne sont (?:pas|plus) partis|(?:didn't|did not|haven't|have not) (?:go|gone|left|leave) out|"
    r"(?:didn't|did not|haven't|have not) left|"
    # ...or has not come for a while: "our nightly order export hasn't arrived since Friday night", "le flux n'est
    # pas arrivé depuis samedi"
    r"(?:hasn't|haven't|has not|have not) (?:arrived|come in|come through|gone out|been delivered) since|"
    # ...or is taken but never recorded: "the donations don't appear in our admin", "les commandes n'apparaissent
    # plus dans le back-office"
    r"(?:don't|do not|no longer|never) (?:appear|show up) in|n'apparaissent (?:pas|plus) dans|"
    r"(?:n'est|ne sont) (?:pas|plus) (?:arrivee?s?|partie?s?) depuis)\b|"
    # ...or none of them does: "since this morning none of the password-reset emails from our portal arrive"
    r"\bnone of the (?:[\w-]+ ){0,3}?" + _FLOW + r"\b[^.!?\n]{0,50}?\b(?:arrive|arrives|get through|go out)\b")


# ...or what worked and no longer lets them in: "our volunteers can't get into the rota page any more".
_LOCKED_OUT = re.compile(r"\b(?:can't|cannot|can not|is unable to|are unable to) (?:log|sign) (?:anyone|anybody|any user|"
                         r"(?:any of )?(?:our|their) (?:users|customers|members|staff)) (?:in|on)\b|"
                         r"\b(?:can't|cannot|can not|are unable to|is unable to)(?: \w+)? (?:get into|log ?in(?:to)?|sign in(?:to)?|"
                         r"access|reach|open|connect to)\b[^.!?\n]{0,40}?\bany ?more\b")


# ...or their servers saturated, in the numbers they read: "les fronts sont à 100 % CPU, temps de réponse 12 s",
# "php-fpm max_children reached", "load average 32".
_SATURATED = re.compile(r"\b(?:cpu|processeurs?)\b[^.\n]{0,15}?\b100 ?%|\b100 ?% (?:de )?(?:cpu|processeur)\b|"
                        r"\b(?:temps de reponse|response times?)\b[^.\n]{0,12}?\b\d{1,3}(?:[.,]\d)? ?(?:s|sec|secondes|seconds)\b|"
                        r"\bmax_children reached\b|\bload average:? (?:[2-9]\d|\d{3})\b")


# ...or their mailbox is full, so what is sent to them comes back: "La boîte compta@ est pleine".
_MAILBOX_FULL = re.compile(r"\b(?:boite|mailbox|inbox|bal)\b(?: [\w@.-]+){0,2}? (?:est|is) (?:pleine|full)\b|"
                           # ...or told by what it says: "ma boîte mail dit que la mémoire est pleine"
                           r"\b(?:boite|mailbox|inbox)\b[^.!?\n]{0,25}?\b(?:dit|says|indique|affiche|shows) "
                           r"(?:que |that )?(?:la |le |l'|my |the |its )?"
                           r"(?:memoire|espace|stockage|quota|storage|space|memory) "
                           r"(?:est|is) (?:pleine?|full|plein|depasse|exceeded)\b")


# ...or what they run answers with a server error, said in words: "the API returns 500", "le site renvoie une 502".
_RETURNS_5XX = re.compile(r"\b(?:returns?|returned|returning|renvoie|renvoient|retourne|retournent|throws|throwing|"
                          r"answers|"
                          r"answering|responds|responding|repond|repondent|gives|giving)(?: with)?(?: an?| une| des| du| only| que)?"
                          r"(?: http| erreur| error| errors| erreurs)? 50[0-4]\b")


# ...or mail that does not leave: "nos mails sortants restent bloqués dans la boîte d'envoi", "emails stuck in the
# outbox"; or a certificate or a domain named and said expired: "le certificat de extranet.garnier-btp.fr a expiré
# cette nuit", "the domain nordic-saunas.com expired yesterday" (not "le domaine expire en novembre")
_STUCK_OR_EXPIRED = re.compile(
    r"\b(?:mails?|e-?mails?|messages?|courriels?)\b(?: \w+){0,2}? (?:restent|sont|are|stay|get|is|reste)(?: \w+)?? "
    r"(?:bloques?|coinces?|stuck|blocked)\b|"
    r"\b(?:certificat|certificate|ssl|domaine|domain)\b(?:[^.!?\n]|\.(?=\w)){0,60}?\b(?:a expire|est expire|"
    r"has expired|expired)\b")


# ...or what they run on us fails, in their words: "our booking app fails on one request in five", "la boutique
# plante au paiement", "the checkout keeps failing".
_APP_FAILS = re.compile(
    r"\b(?:site|website|app|application|appli|shop|store|boutique|checkout|booking|reservation|form|formulaire|api|"
    r"webmail|portal|portail|extranet|intranet|platform|plateforme)\b (?:\w+ ){0,2}?(?:fails|is failing|keeps failing|"
    r"has been failing|echoue|plante|tombe en erreur|part en erreur)\b|"
    # ...or every one of the things their customers do there fails: "every payment on our booking site fails",
    # "toutes les commandes échouent depuis 7h" (one payment that failed is a billing question)
    # ...or their card payments do: "les paiements CB échouent", "le paiement par carte ne passe plus"
    r"\b(?:les |le )?paiements? (?:\w+ ){0,2}?(?:echouent|ne passent plus|ne passe plus|sont refuses)\b|"
    r"\bpayments (?:\w+ ){0,2}?(?:fail|are failing|keep failing|are declined|are being declined)\b|"
    # ...or a share of what is done there fails: "roughly 1 in 5 requests on the booking app fail", "1 commande sur 3
    # échoue"
    r"\b(?:\d+|one|un|une) (?:(?!in\b|sur\b)\w+ )?(?:in|out of|sur) \d+ (?:\w+ ){0,6}?(?:fail|fails|failing|error out|"
    r"echouent|echoue|"
    r"plantent|plante|sont en erreur)\b|"
    # ...or many of them, at the till: "certaines commandes échouent au moment du paiement", "some orders fail at
    # checkout"
    r"\b(?:every|each|all|all the|all our|chaque|tous les|toutes les|tous nos|toutes nos|certaines|plusieurs|"
    r"some|several|many|most|la plupart des|beaucoup de) (?:\w+ )?(?:payments?|"
    r"orders?|bookings?|transactions?|checkouts?|paiements?|commandes?|reservations?)\b(?:[^.!?\n]|\.(?=\w)){0,60}?"
    r"\b(?:fails?|failing|echouent|echoue|sont refuses|are declined|are rejected|get declined|get rejected)\b")


def _cannot_any_more(folded: str) -> str:
    found = None
    if "since" in folded or "depuis" in folded or "stopped" in folded or "arret" in folded:
        found = _STOPPED_SINCE.search(folded)
    if found is None and ("rien" in folded or "nothing" in folded):
        found = _NOTHING_COMES.search(folded)
    if found is None and ("plus" in folded or "stopped" in folded or "n't" in folded or " not " in folded
                          or "longer" in folded or "arriv" in folded or "parviennent" in folded or "partis" in folded
                          or "receiv" in folded or "recu" in folded or "never got" in folded or "none of" in folded):
        found = _NO_LONGER_ARRIVES.search(folded) or _NO_LONGER_RECEIVED.search(folded)
    if found is None and ("no" in folded or "personne" in folded):
        found = _NOBODY_CAN.search(folded)
    if found is None and ("bloque" in folded or "coince" in folded or "stuck" in folded or "blocked" in folded
                          or "expire" in folded):
        found = _STUCK_OR_EXPIRED.search(folded)
    if found is None and ("plein" in folded or "full" in folded):
        found = _MAILBOX_FULL.search(folded)
    if found is None and ("more" in folded or " in" in folded or " on" in folded):
        found = _LOCKED_OUT.search(folded)
    if found is None and "5" in folded:
        found = _RETURNS_5XX.search(folded)
    if found is None and ("fail" in folded or "echoue" in folded or "plante" in folded or "erreur" in folded
                          or "passe" in folded or "refuse" in folded):
        found = _APP_FAILS.search(folded)
    if found is None and ("twice" in folded or "fois" in folded or "double" in folded or "2x" in folded):
        found = _CHARGED_TWICE.search(folded)
    if found is None and ("every" in folded or "toutes les" in folded or "chaque" in folded):
        found = _KEEPS_DROPPING.search(folded)
    return found.group(0)[:SAID_MAX] if found else ""


# A link that drops over and over, every few minutes: "the site-to-site VPN has been dropping roughly every 10
# minutes", "la connexion coupe toutes les 5 minutes". Each drop takes their users' work with it.
_KEEPS_DROPPING = re.compile(r"\b(?:drops?|dropping|dropped|disconnects?|disconnecting|cuts? out|cutting out|"
                             r"goes down|going down|coupe|se coupe|tombe|decroche|se deconnecte|saute)(?: \w+){0,2}? "
                             r"(?:every|toutes les|chaque)(?: \w+)?? (?:\d+ |few |couple of |quelques )?"
                             r"(?:min|mins|minutes|sec|secs|seconds|secondes)\b")


# Their customers paying twice: their payment step is broken ("two guests were charged 2x for the same booking",
# "9 clients débités deux fois", "la carte est débitée deux fois"). Themselves charged twice by us is billing ("we've
# been charged TWICE for the November invoice", "vous m'avez prélevé deux fois").
_PAYERS = (r"(?:customers?|clients?|guests?|people|buyers?|shoppers?|subscribers?|abonnes|members|adherents|patients|"
           r"acheteurs|visitors|users|utilisateurs|parents|familles|la carte|their cards?|cards?)")
_CHARGED_TWICE = re.compile(
    r"\b" + _PAYERS + r"\b[^.!?\n]{0,60}?\b(?:charged|debitee?s?|prelevee?s?|billed)\s+(?:\w+\s+)?"
    r"(?:twice|2x|two times|deux fois|2 fois|en double)\b|"
    r"\bcharges? (?:people|customers|guests|clients|shoppers) (?:twice|2x|double)\b|"
    r"\b(?:double[- ]charg\w+|double[- ]debit\w*) (?:of )?(?:our |nos |their )?" + _PAYERS)


# The problem is back after an earlier fix, said with something wrong: "les erreurs 502 sont revenues", "comme il y
# a deux semaines", "the same as last week's ticket", "it's failing again like 3 weeks ago". Our fix did not hold.
_CAME_BACK = re.compile(
    r"\b(?:(?:errors?|erreurs?|problems?|problemes?|issues?|bugs?|pannes?|soucis|souci|coupures?|crashe?s?|"
    r"[45]\d\d)(?: \w+){0,2}? (?:is|are|has|have|sont|est|s'est|se sont) (?:come |de nouveau |a nouveau |encore )?"
    r"(?:back|revenue?s?|reapparue?s?|reappeared|returned)|(?:ca |le probleme |il )recommence|"
    r"comme (?:il y a (?:\w+ ){1,2}?(?:jours?|semaines?|mois)|la semaine derniere|le mois dernier|la derniere fois)|"
    r"(?:the )?same (?:problem |issue |thing )?as (?:last (?:week|time|month)|before|the last (?:\w+ )?times|"
    r"(?:\w+ ){1,2}?(?:days|weeks|months) ago|"
    r"(?:last|the previous|my previous|the other|our previous) (?:week's |month's )?(?:ticket|case|time))|"
    r"(?:like|as) (?:\w+ ){1,2}?(?:days|weeks|months) ago)\b")


# They asked this before, in another ticket of theirs that went nowhere: "my other one from Friday hasn't had any
# answer", "vous avez fermé ma demande précédente sans rien régler", "both previous tickets were closed".
_ASKED_BEFORE = re.compile(
    r"\b(?:(?:my|our|the|both|two|mon|ma|notre|mes|nos) (?:other|previous|earlier|first|last|autres?|precedente?s?|"
    r"premiere?|ancienne?) (?:one|tickets?|cases?|requests?|demandes?|messages?|mails?)|"
    r"(?:mon|ma|notre|mes|nos) (?:tickets?|demandes?|messages?|mails?) (?:precedente?s?|d'avant|anterieure?s?)|"
    r"(?:other|autre) (?:ticket|case|demande)|"
    # ...or counts its tickets: "This is the third ticket", "c'est mon troisième signalement"
    r"(?:second|third|fourth|fifth|2nd|3rd|4th|5th|deuxieme|troisieme|quatrieme|cinquieme|2e|3e|4e|5e) "
    r"(?:ticket|case|demande|signalement|dossier|report)|(?:opening|open|opened) (?:a|another) new (?:ticket|case)|"
    r"(?:j'ouvre|j'ai ouvert|je rouvre|je reouvre) un (?:nouveau|autre|deuxieme|second) (?:ticket|dossier|demande)|"
    r"i (?:already )?asked (?:this|about this|you this|the same) (?:already|before|last \w+|on \w+|\w+ ago)|"
    r"(?:j'ai deja|je vous ai deja|on vous a deja|nous avons deja) (?:demande|signale|ecrit)(?: cela| ca)?)\b")


def _came_back(folded: str) -> str:
    """What they said of an earlier time: the problem is back after our fix, or they asked in another ticket."""
    found = _CAME_BACK.search(folded) or _ASKED_BEFORE.search(folded)
    return found.group(0)[:SAID_MAX] if found else ""


# Their stored business is gone or missing: "il me manque toutes les commandes entre le 10 et le 22", "nos photos
# ont disparu", "all our emails are gone", "we lost two weeks of orders", "3 200 produits ont été supprimés". Only
# what they keep counts (orders, files, mail, data): "the attachment is missing" is not a loss.
_DATA = (r"(?:commandes?|donnees|fichiers?|photos?|mails?|e-?mails?|messages|archives?|documents?|articles|"
         r"fiches(?: \w+)?|produits|contacts|clients|tables?|base(?: de donnees)?|orders?|data|files?|records?|"
         r"posts|pages|products|customers|database|bookings?|reservations?|inscriptions|dossiers?|folders?|"
         r"descriptions?|saisies?)")
_LOST = re.compile(
    r"\b(?:il (?:me |nous )?manque|(?:j'ai|nous avons|on a|ai|avons) perdu|(?:we|i) (?:have )?lost|(?:we're|we are|i'm|"
    r"i am) missing|lost)\b (?:(?:toutes?|tous|l'ensemble|all|every|the|des|les|nos|mes|our|my|de|d'|\d+|"
    r"semaines?|jours?|mois|weeks?|days?|months?|of|two|deux|trois|three) ?){0,5}" + _DATA + r"\b|"
    # (...but not a reference missing from a bill: "the purchase order number is missing" asks for an invoice)
    r"\b(?:(?:toutes?|tous|all|les|nos|mes|our|my|the|\d+) ){1,2}(?!purchase )(?:\w+ )?" + _DATA +
    r" (?:(?!numbers? |numeros? |references? |refs? )\w+ ){0,3}?(?:ont disparu|a disparu|sont perdu\w*|est perdu\w*|ont ete (?:supprime|efface)\w*|"
    r"(?:are|is|have|has|were|got) (?:all |been )?(?:gone|missing|disappeared|vanished|lost|deleted|wiped))\b|"
    # ...named and said missing or gone further on: "Orders #10482 to #10519, placed this morning, are missing",
    # "toutes les commandes passées entre le 2 et le 3 janvier ont disparu" (not "les messages d'erreur ont disparu")
    r"\b" + _DATA + r"\b(?:(?!erreur|error|alert|warning|avertissement)[^.!?\n]){0,80}?\b(?:(?:are|sont) (?:now |still |"
    r"toujours )?(?:missing|introuvables|absentes?|absents)|ont (?:toutes |tous )?disparu|"
    r"(?:have|has) (?:all )?(?:disappeared|vanished))\b|"
    # ...or the wrong one deleted: "I deleted ceo@ instead of cfo@", "supprimé le mauvais"
    r"\b(?:deleted|removed|supprime|efface)\b(?:[^.!?\n]|\.(?=\w)){0,60}?\b(?:instead of|au lieu de)\b|"
    r"\b(?:supprime|efface) (?:la|le) mauvaise?\b|\bdeleted the wrong\b|"
    # ...or everything of a time gone: "everything from the last four weeks is missing", "tout ce qui a été fait
    # depuis lundi a disparu"
    r"\b(?:everything|all the work|tout ce qui|tout le travail)\b[^.!?\n]{0,50}?\b(?:is|are|has been|have been|was) "
    r"(?:now |all )?(?:missing|gone|lost|wiped)\b|"
    r"\b(?:tout ce qui|tout le travail)\b[^.!?\n]{0,50}?\b(?:a disparu|manque|est perdu|a ete perdu)\b|"
    # ...or written over: "l'import a écrasé les descriptions et les prix de 1 200 produits", "the sync overwrote
    # every product description"
    r"\b(?:ecrase\w*|overwr\w+)\b[^.!?\n]{0,60}?\b" + _DATA + r"\b|"
    # ...or a table of their database dropped or emptied: "it dropped the `orders` table", "vidé la table clients",
    # "a cleanup plugin dropped wp_wc_orders" (named as the database names it)
    r"\b(?:dropped|truncated|deleted|drop|truncate)\b[^.!?\n]{0,25}?\b(?:tables?\b|[a-z0-9]+_[a-z0-9_]+)|"
    # ...said of the table: "the orders table got dropped and recreated empty", "la table commandes a été vidée"
    r"\btables?\b[^.!?\n]{0,20}?\b(?:got|was|were|has been|have been|a ete|ont ete) (?:dropped|truncated|deleted|wiped|"
    r"emptied|supprimees?|videes?|effacees?)\b|"
    r"\b(?:supprime|vide|efface)\b (?:la |les |toute la |toutes les )?tables?\b|"
    # ...or a folder of theirs they deleted themselves: "j'ai supprimé le dossier wp-content/uploads"
    r"\b(?:j'ai|nous avons|on a|i|we|i've|we've|i have|we have) (?:accidentally |mistakenly |accidentellement |"
    r"par erreur |malencontreusement )?(?:supprime|efface|deleted|removed|wiped)\b[^.!?\n]{0,30}?\b(?:dossiers?|"
    r"folders?|fichiers|files|photos|images|repertoires?|directory|directories|boite|mailbox|base)\b")
# Words one of those shapes needs: most messages skip the search.
_LOST_WORDS = ("manque", "perdu", "lost", "missing", "disparu", "disappear", "gone", "vanish", "delet", "wiped",
               "ecras", "overwr",
               "supprime", "efface", "introuvable", "absent", "removed", "drop", "truncat", "vide la table", "videe")
# Paperwork about their data names it without putting it at risk: "pour notre registre des traitements, où
# sont stockées les données de nos clients ?", "our auditor's GDPR questionnaire asks about personal data".
_PAPERWORK = re.compile(r"\b(?:rgpd|gdpr|nlpd|nfadp|lpd|registre (?:des traitements|rgpd)|record of processing|dpa|"
                        r"dpo|sous-traitan\w*|sub-?processors?|questionnaire|iso ?27001|hds|pci|data processing|"
                        r"due diligence|data residency|localisation des donnees|ou sont (?:physiquement )?"
                        r"(?:stockees|hebergees|conservees)|where (?:is|are) (?:\w+ ){0,3}(?:stored|hosted|kept))\b")


# Files renamed by ransomware leave its note beside them: ".akira" on every file and "akira_readme.txt" in every
# folder, however calmly told ("c'est peut-être une mise à jour de votre côté ?").
_RANSOM_NOTE = re.compile(r"(?<![\w-])[\w-]*(?:readme|read_me|lisez[_-]?moi|decrypt|restore_files|recover_files|"
                          r"how_to_back)[\w-]*\.(?:txt|html?|hta)\b")
_RENAMED = re.compile(r"\b(?:extension|every folder|each folder|all folders|chaque dossier|tous les dossiers|renamed|"
                      r"ending in|ending with|se terminent par|finissent par|"
                      r"renommes?)\b")


def _ransomed(folded: str) -> str:
    note = _RANSOM_NOTE.search(folded) if ".txt" in folded or ".htm" in folded or ".hta" in folded else None
    return note.group(0) if note and _RENAMED.search(folded) else ""


# Their domain or account moved away in their name, which they never asked for: "confirmer le transfert de notre
# nom de domaine vers un autre bureau d'enregistrement. Je n'ai rien demandé !", "a transfer request we didn't
# make". Accepted by itself after a few days: the site and the mail go with it.
_UNASKED_TRANSFER = re.compile(
    r"\b(?P<what>transf\w*)\b[^\n?;]{0,160}?\b(?P<unasked>je n'ai rien demande|nous n'avons rien demande|"
    r"on n'a rien demande|(?:je n'ai|nous n'avons|on n'a) (?:jamais |pas )(?:demande|fait)|non (?:demande|sollicite)e?|"
    r"(?:i|we) (?:didn't|did not|never) (?:ask|request|make|start|initiate)\w*|not requested|unauthori[sz]ed)\b|"
    r"\b(?:unauthori[sz]ed|unrequested|non sollicite|non demande)e? (?:domain )?transf\w*")


# ...not one they ask us for: "we'd like to transfer the domain to you next month".
_WANTED = re.compile(r"\b(?:like to|want to|wish to|planning to|plan to|going to|please|can you|could you|pouvez-vous|"
                     r"pourriez-vous|pouvez vous|souhaite\w*|voudrai\w*|aimerai\w*|merci de|veux|voulons)\W+(?:\w+\W+){0,2}$")


def _taken_away(folded: str) -> str:
    found = _UNASKED_TRANSFER.search(folded) if "transf" in folded else None
    if not found or _WANTED.search(folded, max(0, found.start() - 40), found.start()):
        return ""
    return (f"{found['what']} … {found['unasked']}" if found["unasked"] else found.group(0))[:SAID_MAX]


# A dump of their database or their secrets that anyone can fetch from their site: "a parent could download
# www.kidsclub.co.uk/db_backup_2027-02.sql", "https://shop.fr/.env est accessible". The file is named by its
# address (a path or a URL): their own export they ask about ("where can I download my dump.sql?") is not.
# (A path is tried from where its run of characters starts, "shop.fr/.env" whole: tried from each '/' of
# "/a/a/a…", the search cost the square of the run.)
_EXPOSED_FILE = re.compile(r"\b(?:download\w*|telecharg\w*|accessible|visible|public|publicly|open|opens|s'ouvre)\b"
                           r"[^.!?\n]{0,60}?(?<![\w/.:-])(?:https?://|www\.|[\w.-]*/)[\w/.-]*\."
                           r"(?:sql|sql\.gz|sql\.zip|env|bak|dump)\b|"
                           r"(?<![\w/.:-])(?:https?://|www\.|[\w.-]*/)[\w/.-]*\.(?:sql|sql\.gz|sql\.zip|env|bak|dump)\b"
                           r"[^.!?\n]{0,40}?"
                           r"\b(?:(?:is|are|est|sont) )?(?:downloadable|accessible|public|visible|telechargeable|"
                           r"readable|lisible)|"
                           # ...or listed by the web server for anyone: "Index of /" with backup_2026.zip,
                           # wp-config.php.bak, backup_db_2026.sql.gz among its files.
                           r"\bindex of /.{0,200}?(?<![\w.-])[\w-]+(?:\.[\w-]+)*\."
                           r"(?:sql|sql\.gz|sql\.zip|env|bak|dump|zip|tar\.gz|tgz)\b", re.DOTALL)


def _exposed_file(folded: str) -> str:
    if ".sql" not in folded and ".env" not in folded and ".bak" not in folded and ".dump" not in folded and (
            "index of" not in folded):
        return ""
    found = _EXPOSED_FILE.search(folded)
    return found.group(0)[:SAID_MAX] if found else ""


# A secret of theirs gone out of their hands by mistake: "envoyé par erreur le mot de passe root du serveur dans un
# mail à un fournisseur externe", "our AWS key was pushed to a public GitHub repo". One sentence names the sending,
# the secret and where it went; it must be changed now, however unsure they are that it matters.
_SENT = (r"\b(?:sent|emailed|mailed|posted|pushed|committed|shared|leaked|pasted|published|forwarded|envoye\w*|"
         r"partage\w*|publie\w*|pousse\w*|commite\w*|collee?s?|transfere\w*|fuite\w*|diffuse\w*)\b")
_SECRET = (r"(?:\b(?:(?:root |admin |ssh |ftp |database |db |sftp )?passwords?|(?:root |admin )?credentials|"
           r"private keys?|api keys?|secret keys?|access keys?|tokens?|mots? de passe(?: root| admin\w*)?|"
           r"identifiants|cles? privees?|cles? api|cles? d'api|cles? secretes?|jetons?)\b|\.env\b)")
_OUTSIDE = (r"\b(?:external|outside|third[- ]party|supplier|vendor|mailing list|public|publicly|github|gitlab|"
            r"pastebin|forum|stack ?overflow|externes?|fournisseurs?|prestataires? externes?|liste de diffusion|"
            r"publique?s?|tout le monde|everyone)\b")
_SENTENCE = r"(?:[^.!?\n]|\.(?=\S))"
_LEAKED_SECRET = re.compile(
    rf"{_SENT}{_SENTENCE}{{0,80}}?{_SECRET}{_SENTENCE}{{0,100}}?{_OUTSIDE}|"
    rf"{_SECRET}{_SENTENCE}{{0,60}}?{_SENT}{_SENTENCE}{{0,80}}?{_OUTSIDE}")
# ...not the way to share one they ask us for: "how can we share the root password with our supplier securely?"
_SHARE_SAFELY = re.compile(r"\b(?:how (?:can|do|should|to)|comment (?:partager|envoyer|transmettre|faire)|"
                           r"securely|safely|en toute securite|de maniere securisee|de facon securisee|chiffre)\b")


def _leaked_secret(folded: str) -> str:
    found = _LEAKED_SECRET.search(folded)
    return found.group(0)[:SAID_MAX] if found and not _SHARE_SAFELY.search(folded) else ""


# Their account in someone else's hands: the password or card they gave to a fake (a link, a mail, a caller "from
# you"), mail sent in their name they did not send, a password changed that they did not change; or what their site
# shows one visitor of the others ("elle voyait les noms et les numéros de téléphone d'autres patients").
_BAIT = r"(?:clicked|clique|lien|link|soi-disant|so-called|pretending|se faisant passer|faux|fausse|fake|phishing|hameconnage)"
_GIVEN = (r"\b(?:entered|typed|gave|put in|submitted|provided|filled in|entre|saisi|tape|donne|mis|communique|rentre|"
          r"indique)\b(?: \w+){0,3}? (?:(?:my|our|his|her|their|mon|ma|mes|notre|nos|son|sa|ses|leurs?|the|le|les) |l')?"
          r"(?:login|password|passwords|credentials|card number|card details|bank details|identifiants?|mot de passe|"
          r"mots de passe|numero de carte|coordonnees bancaires)\b")
_TAKEN_OVER = re.compile(
    _BAIT + r"\b[^\n]{0,120}?" + _GIVEN + "|" + _GIVEN + r"[^\n]{0,120}?\b" + _BAIT + r"\b|"
    # ...or logged in where a mail's threat took them: "my account would be suspended unless I confirmed my password,
    # so I clicked the link and logged in", "clicked the link to renew. It looked exactly like your site, I logged in
    # and paid" (not our invoice mail's link)
    r"\b(?:suspend\w*|bloque\w*|blocked|locked|desactive\w*|deactivat\w*|phishing|hameconnage|suspicious|suspect\w*|"
    r"urgent\w*)\b[^\n]{0,160}?\b(?:clicked|clique) (?:on )?(?:the |le |sur le )?(?:link|lien)\b[^\n]{0,80}?"
    r"\b(?:logged in|signed in|me suis (?:connectee?|identifiee?))\b|"
    r"\b(?:mails?|e-?mails?|messages?|factures?|courriels?|invoices?)\b[^.!?\n]{0,80}? (?:qu'(?:il|elle|ils|elles|on)|"
    r"que (?:je|nous)|que j') ?n'(?:a|ai|avons|ont) (?:pas|jamais) envoye|"
    r"\b(?:mails?|e-?mails?|messages?|invoices?)\b[^.!?\n]{0,80}? (?:that|which) (?:i|we|he|she|they) "
    r"(?:didn't|did not|never) sen[dt]\b|"
    r"\b(?:password|mot de passe)\b[^.!?\n]{0,40}?\b(?:changed|change|modifie)\b[^\n]{0,100}?"
    r"(?:i didn't do|i did not do|we didn't do|wasn't me|not me|je n'ai rien fait|ce n'est pas moi|pas nous|"
    r"n'(?:ai|avons) pas (?:fait|change|modifie))|"
    r"\b(?:noms?|numeros?|telephones?|adresses?|donnees|dossiers?|coordonnees|commandes?|factures?|rendez-vous|"
    r"ordonnances?|documents?)\b"
    r"[^.!?\n]{0,60}?\b(?:d'autres|des autres|d'une autre|d'un autre) (?:patients?|patientes?|clients?|clientes?|"
    r"utilisateurs?|utilisatrices?|membres?|adherents?|eleves?|personnes?|familles?|entreprises?|societes?)\b|"
    r"\b(?:other|another|different) (?:patients?|customers?|users?|members?|people|clients?|families|compan(?:y|ies)|"
    r"firms?)(?:'s?|'s)? (?:names?|phone numbers?|addresses?|data|details|orders?|invoices?|records?|e-?mails?|files?|"
    r"appointments?)\b|"
    # ...or orders on their customers' accounts that those never placed: "des commandes qu'elles n'ont pas passées,
    # payées avec les cartes enregistrées"
    r"\b(?:commandes?|achats?|paiements?)\b (?:qu'(?:il|elle|ils|elles|on) n'(?:a|ont) pas|"
    r"que (?:je|nous) n'(?:ai|avons) pas) (?:passee?s?|faite?s?|effectuee?s?)\b|"
    r"\b(?:orders?|purchases?|payments?)\b (?:that )?(?:they|she|he|we|i) (?:didn't|did not|never) (?:place|make)\b|"
    # ...or payments sent to an account that is not theirs: "le mail « de notre part » demandant de payer sur un autre
    # IBAN", "the IBAN for bank transfer is not ours"
    r"\b(?:autre|another|different|foreign)\b[^.!?\n]{0,15}?\biban\b|"
    r"\biban\b[^.!?\n]{0,60}?\b(?:is not ours|isn't ours|not ours|n'est pas le notre|pas le notre|n'est pas a nous)|"
    # ...or theirs shown what is not theirs: "a list of invoices that aren't ours", "des factures qui ne sont pas à
    # nous"
    r"\b(?:invoices?|orders?|data|files?|records?|accounts?|factures?|commandes?|donnees|dossiers?|comptes?) "
    r"(?:that|which|qui) "
    r"(?:aren't|are not|isn't|is not|ne sont pas|n'est pas) (?:ours|mine|les notres|a nous|a moi)\b")


# ...not their own reset: "I clicked on 'forgot password' and typed my new password twice".
_RESET = re.compile(r"forgot|forgotten|oubli|reset|reinitialis|new password|nouveau mot de passe")


# ...or a login or a change on their account that none of them made: "Accepted password for root … Ce n'est pas
# nous, personne ne se connecte en root chez nous", "MX now points to …; none of us made that change".
_NOT_US = re.compile(r"\b(?:ce n'est pas nous|c'est pas nous|ce n'etait pas nous|not by us|wasn't us|was not us|"
                     # "des fichiers que je ne me souviens pas avoir mis : .cache.php, wp-tmp.php"
                     r"que (?:je ne me souviens|nous ne nous souvenons) pas (?:d')?avoir (?:mis|depose|ajoute|cree)|"
                     r"(?:i|we) (?:don't|do not) remember (?:uploading|adding|putting|creating)|"
                     r"(?:i|we) (?:didn't|did not|never) (?:upload|put)|"
                     # "un administrateur « support_admin2 » que je n'ai pas créé", "a user none of us created"
                     r"que (?:je n'ai|nous n'avons|personne n'a) (?:pas |jamais )?(?:cree|creee|ajoute|ajoutee)|"
                     r"(?:i|we) (?:didn't|did not|never) (?:create|add)|nobody (?:here )?created|"
                     r"none of us (?:made|did|changed|created|added)|nobody (?:here|on our side|in our team) "
                     r"(?:made|did|changed|created|added|logs in|connects)|"
                     # a login they did not make: "nous n'avons personne qui se connecte en root", "no one here logs
                     # in as root"
                     r"(?:nous n'avons|on n'a|il n'y a) personne qui (?:se connecte|utilise)|"
                     r"personne (?:chez nous )?ne se connecte|(?:no one|nobody) (?:here |on our side )?(?:ever )?"
                     r"(?:logs in|connects|uses root))\b")
_ACCOUNT_EVENT = re.compile(r"\b(?:connect\w*|connexions?|log ?ins?|logged|root|access|acces|password|mot de passe|"
                            r"admin\w*|users?|utilisateurs?|iban|files?|fichiers?|php|"
                            r"account|compte|records?|enregistrements?|dns|mx|changed?|modifi\w*)\b")


def _taken_over(folded: str) -> str:
    found = _TAKEN_OVER.search(folded)
    if found and not _RESET.search(found.group(0)):
        return found.group(0)[:SAID_MAX]
    if ("us" in folded or "cree" in folded or "ajoute" in folded or "souvien" in folded or "remember" in folded
            or "upload" in folded or " put" in folded or "personne" in folded or "no one" in folded
            or "nobody" in folded):  # "nous", "us", "créé", "ajouté", "souviens"...
        found = _NOT_US.search(folded)
        if found and _ACCOUNT_EVENT.search(folded):
            return found.group(0)
    found = _TAKEN_BY.search(folded) or (_FORMER_ACCESS.search(folded) if not _GOOD_TERMS.search(folded) else None)
    return found.group(0)[:SAID_MAX] if found else ""


# An outage they write about after it ended: they ask for its report, not for it to be fixed.
_PAST_OUTAGE = re.compile(r"\b(?:rapport d'incident|incident report|post-?mortem|rca|rfo|reason for outage|"
                          r"root cause analysis|analyse des causes|"
                          r"suite a (?:la|cette) (?:panne|coupure|indisponibilite)|following (?:the|last \w+'s) (?:[\w-]+ )?outage|"
                          # ...or named as a moment, or by our mail about it: "scheduled at 02:00, which was during your
                          # outage", "I logged in to check after your outage mail"
                          r"(?:during|pendant|durant) (?:your|the|last night's|votre|la|cette) (?:panne|coupure|outage)|"
                          r"(?:your|the|votre|le|la) (?:outage|incident|panne) (?:mail|email|e-mail|notification|message)|"
                          r"(?:la|une) (?:panne|coupure|indisponibilite) (?:du|de la semaine|de la nuit|d'hier|de lundi|"
                          r"de mardi|de mercredi|de jeudi|de vendredi|de samedi|de dimanche)|(?:the|last \w+'s) (?:[\w-]+ )?outage on)\b")
# ...or an outage told with its end ("a été inaccessible entre 3h40 et 6h", "was down from 01:15 to 04:02").
_WAS_DOWN = re.compile(r"\b(?:a ete|etait|ont ete|etaient) (?:coupee?s?|inaccessibles?|indisponibles?|en panne|hors service|"
                       r"hors ligne|injoignables?) (?:entre|de \d|du \d|pendant|durant)|"
                       r"\b(?:was|were|went) (?:down|offline|unreachable|unavailable|cut off)(?: again)? (?:between|from \d|for \d|"
                       r"for about|for around|at \d[^.!?\n]{0,40}came back)|"
                       # ...or by how long it lasted: "Site's back I see. 72 minutes down", "3 heures de coupure"
                       r"\b\d+ ?(?:minutes?|mins?|hours?|hrs?|heures?) (?:of )?(?:down|downtime|offline|outage|"
                       r"d'indisponibilite|de coupure|de panne)\b")
# ...unless it is down again or still: "la panne du 18 mai recommence", "still down since the outage on Monday".
# Our reply says it is still broken ("Still listed I'm afraid, delisting usually takes a few hours"): an answer,
# and what they said is down stays down.
_STILL_BROKEN = re.compile(
    r"\b(?:still|toujours) (?:listed|liste|listee|blacklisted|blocklisted|blocked|bloque|bloquee|bloques|down|en panne|"
    r"broken|casse|cassee|failing|unavailable|indisponible|hors service|hors ligne|offline|not working|"
    r"ne fonctionne pas|suspended|suspendu|suspendue)\b|"
    r"\bnot (?:yet |fully )?(?:fixed|resolved|restored|back)\b|\bpas encore (?:corrige|resolu|retabli|repare)|"
    # ...or telling them what our monitoring sees now: "votre boutique renvoie une erreur 500 depuis 8h20"
    r"\b(?:renvoie|retourne|affiche|returns|is returning|has been returning|shows) (?:une |an |a |des |the )?"
    r"(?:erreurs? |errors? |http )?5\d\d\b")
# After our answer, they say it changed nothing ("Ce n'est pas le cache, ça arrive sur tous les postes", "no
# change", "didn't help"): what they had said was down is down again, said in other words.
_SAME_AGAIN = re.compile(
    r"\b(?:ca n'a rien change|rien n'a change|aucun changement|toujours pareil|toujours la meme (?:erreur|chose|page)|"
    r"toujours le meme (?:probleme|message)|(?:ce n'est|c'est) pas (?:le|un probleme de) cache|not (?:the|a) cache|"
    r"isn't (?:the|a) cache|no change|nothing changed|still the same|same (?:error|problem|issue|thing|symptoms?)|"
    # ...by its code: "they come back to /payment/3ds/return and get the same 403", "toujours la même 502"
    r"(?:the )?same [45]\d\d|toujours (?:la meme|une) (?:erreur )?[45]\d\d|"
    r"(?:didn't|did not|doesn't|does not) (?:help|work|fix|change)|n'a pas (?:aide|marche|fonctionne|suffi|resolu)|"
    r"ne change rien|changes nothing|ne marche toujours pas|still (?:not working|doesn't work|happening|broken)|"
    # ...or what we said would pass did not: "ça ne s'est pas résolu", "it hasn't sorted itself out"
    r"(?:ne s'est|ne s'est toujours|n'est toujours|n'est) pas (?:resolu|regle|arrange)|toujours pas (?:resolu|regle)|"
    r"(?:hasn't|has not|didn't|did not) (?:resolved|sorted|fixed|cleared) itself|(?:is )?still not (?:resolved|fixed)|"
    # ...or worse than it was: "la file dépasse maintenant 9 000 messages", "the queue keeps growing"
    r"(?:c'est|ca) (?:encore )?pire|ca empire|de pire en pire|(?:is|it's|getting|got|gets) worse|"
    r"keeps (?:growing|getting worse|climbing)|(?:continue|ne cesse) d'(?:augmenter|empirer)|"
    r"continue de (?:grossir|monter)|depasse maintenant|"
    # ...or the same symptom, named again: "Still 500 I'm afraid", "toujours une erreur 500", "toujours rien"
    r"still (?:an? |the |getting |seeing |showing |shows |get |see |having )?(?:(?:http )?(?:error )?5\d\d|error|errors|"
    r"down|broken|blank|nothing|offline|deferred|bouncing|rejected|refused|stuck|queued|oom)|"
    r"toujours (?:une |la |l'|des |en |le meme )?(?:(?:erreur )?5\d\d|erreurs?|panne|"
    r"rien|bloques?|hs|down|page blanche|hors service|hors ligne|inaccessible))\b")
# Our call reached a machine or nobody: "Appel au contact technique : messagerie. Message laissé.", "no answer,
# left a voicemail".
_UNREACHED = re.compile(r"\b(?:messagerie vocale|(?:sur|: ?) ?(?:la |sa )?messagerie\b|boite vocale|repondeur|"
                        r"message laisse|laisse un message|n'a pas repondu|injoignable|"
                        r"(?:n'a )?pas decroche|ne decroche pas|voicemail|left a message|no answer|"
                        r"(?:didn't|did not) (?:pick up|answer))")
# They ask where we are: "Any news?", "des nouvelles ?", "où en êtes-vous ?", "we're still waiting".
_NEWS = re.compile(r"\b(?:any (?:news|update|progress)|an update|des nouvelles|du nouveau|ou en (?:est|etes|sommes)|"
                   r"where are we|where do we stand|(?:we're|we are|i'm|i am) still waiting|toujours en attente|"
                   r"(?:on attend|nous attendons|j'attends) toujours)\b")
_STILL = re.compile(r"\b(?:toujours|encore|still|again|de nouveau|a nouveau|recommence|en ce moment|right now|currently)\b")


# An engineer's note that nothing is for on-call to do on the customer's latest message: it is a duplicate,
# another team has it, it waits for a set time, or it is solved and only waits to be closed ("Refund queued by
# accounts. Nothing more to do on our side", "Doublon de « Lenteurs back-office », à fusionner", "Résolu (passage
# en SFTP). À fermer.").
_PARKED = re.compile(
    r"\b(?:(?<!not )(?<!non )(?<!pas )(?<!yet )(?<!encore )(?<!never )(?:resolu|resolved)|a fermer|a clore|a cloturer|(?:then|to|can be) closed?|"
    r"close (?:it )?once|"
    r"nothing (?:more |else )?(?:to do|for (?:us|on-?call)|needed|required)|no action (?:needed|required)|"
    r"rien (?:de plus |d'autre )?a faire|rien d'autre pour l'astreinte|rien de technique|nothing technical|"
    r"not (?:a )?technical|hors astreinte|not for on-?call|doublon|duplicate of|merging (?:into|with|it|this)|"
    r"merged (?:into|with)|a fusionner|fusionne avec|"
    r"(?:forwarded|passed|handed|transferred|sent) (?:it |this )?(?:on )?to (?:billing|accounts|sales|the dpo|"
    r"legal|management|the account manager)|"
    r"(?:transmis|transfere|passe|envoye) (?:a|au|aux) (?:la compta\w*|compta\w*|service commercial|commercial|"
    r"juridique|dpo|facturation|service client))\b")


# A note or an action written by a machine, not an engineer: the helpdesk writing by itself (`_AUTOMATED`), the
# monitoring ("monitoring", "alerting", "Zabbix", "supervision"), the helpdesk or billing system ("system",
# "Système", "billing"), a scanner.
_MACHINE = re.compile(_AUTOMATED.pattern + r"|monitor|alert|supervision|nagios|zabbix|icinga|centreon|prometheus|"
                                           r"uptime|healthcheck|\bsyst[eè]me?\b|\bbilling\b|\bfacturation\b|scanner|[-_]check\b|"
                                           r"\bautomate\b|cert-?manager|certbot|\bcron\b|\bpanel\b|"
                                           # ...and the systems that record on their own: the registrar, the backup
                                           # scheduler, the incident bot, the abuse feed
                                           r"registrar|\bbackup|[-_ ]bot\b|\babuse\b|triage|scheduler|"
                                           r"netflow|\bsiem\b|"
                                           # ...and what restarts or watches a machine by itself
                                           r"watchdog|hypervis|\bmigration\b|pingdom|statuscake|grafana|datadog|"
                                           r"pagerduty|opsgenie|sentry|\bha-?manager\b|pacemaker|keepalived|"
                                           # ...and the backup software by its name
                                           r"bacula|bareos|veeam|acronis|\bborg\b|restic|duplicity|rsnapshot|"
                                           # ...and the server's own controllers: its disks, its RAID, its board
                                           r"idrac|\bilo\b|ipmi|\bbmc\b|smartd|mdadm|megaraid|storcli|perccli|"
                                           # ...and the mail relay and the guards that block on their own
                                           r"relay|postfix|exim|rspamd|\brbl\b|fail2ban|crowdsec|wazuh|ossec|imunify|"
                                           r"clamav|modsecurity",
                      re.IGNORECASE)
# ...and a monitoring tool mailing the support address ("Pingdom Alerts", "UptimeRobot", "Zabbix"): read like its
# note, not as the customer writing (no wait, no chaser, no shouting). Not "billing" here: a customer's accounts
# department writes in person; nor "(auto-reply)": an out-of-office stands for the person it answers for.
_MONITOR_MAIL = re.compile(r"monitor|alert|nagios|zabbix|icinga|centreon|prometheus|uptime|healthcheck|pingdom|"
                           r"statuscake|grafana|veeam|supervision|\bsondes?\b|\bprobes?\b", re.IGNORECASE)


# A monitor's or an engineer's note that what was down is back.
# (Not the last good one a failure report dates: "Dernière sauvegarde réussie : 2026-12-14 23:05 UTC".)
_JOB_OK = (r"(?<!derniere )(?<!last )\b(?:backup|sauvegarde|job|tache|task)s? (?:[\w.-]+ )?(?:ok|succeeded|successful|"
           r"completed|reussie?|"
           r"terminee? avec succes)\b(?! with (?:errors?|warnings?|failures?)| avec (?:erreurs?|echecs?))")
_JOB_DONE = re.compile(_JOB_OK)
_BACKUP = re.compile(r"\b(?:backups?|sauvegardes?|job|tache|task)\b")
_RECOVERED = re.compile(r"\b(?:recovery|recovered|resolved|back to normal|back up|up again|stable since|ok since|"
                        r"retour a la normale|revenue?s? a la normale|retablie?s?|resolue?s?|"
                        r"de nouveau (?:accessibles?|en ligne|joignables?|en lecture-ecriture)|latence nominale|"
                        r"(?:been )?healthy since|"
                        r"fonctionnen?t? (?:de nouveau|a nouveau)|(?:working|operational) (?:normally )?again|"
                        r"(?:has|have) been restored|(?:is|are) restored|status: success|succeeded on retry|"
                        # ...as a probe says it: "UP: https://www.chambres-lavande.fr responds 200 (0.8 s)"
                        r"^up\b|monitor is (?:back )?up|responds 200)\b|"
                        # ...or the job that failed ran well since: "BACKUP OK web-07 (Cabinet Arnaud): 48.2 GB"
                        + _JOB_OK)


# A copy of the site that is not the one their customers use: "staging.finlo.io returns 502", "la preprod
# est plantée". Named with the production ("staging and production are both down"), it is not only the copy.
# ("recette" alone is also the day's takings: only "recette.site.fr" or "le site de recette" name the copy.)
_COPY = re.compile(r"\b(staging|pre-?prod|pre-production|sandbox|recette(?=\.\w)|(?:site|environnement|serveur|base)"
                   r"(?: \w+)? de (?:test|dev|developpement|recette)|(?:test|dev|development) (?:site|environment|server)|"
                   # ...or named so: "le serveur dev-pixelle-02 est plein"
                   r"(?:serveur|server|vm|machine) (?:dev|staging|preprod|recette)[-.]\w[\w.-]*)\b")
_PRODUCTION = re.compile(r"\b(production|prod|live site|site en ligne|site public)\b")
_PRODUCTION_FINE = re.compile(r"\b(production|prod|live site|live|site en ligne|site public)\b"
                              # (a version's dot is no sentence's end: "la prod est en 8.3 et tourne nickel")
                              r"(?:[^.;\n]|(?<=\d)\.(?=\d)){0,30}\b(is fine|fine|works|unaffected|"
                              r"not affected|ok|fonctionne|marche|n'est pas (?:touchee?|impactee?|concernee?)|"
                              r"va (?:tres )?bien|"
                              # ..."la prod est en 8.3 depuis janvier et tourne nickel", "prod runs fine"
                              r"tourne (?:nickel|bien|tres bien|parfaitement|correctement)|"
                              r"runs (?:fine|well|normally))\b")


def _copy_down(folded: str) -> str:
    """The non-production copy that *folded* (a message saying something is down) names, or ''."""
    copy = _COPY.search(folded)
    if copy is None or (_PRODUCTION.search(folded) and not _PRODUCTION_FINE.search(folded)):
        return ""
    return copy.group(1)


def _data_lost(folded: str) -> str:
    if any(word in folded for word in _LOST_WORDS) and (found := _LOST.search(folded)):
        return found.group(0)[:SAID_MAX]
    if "backup" in folded or "sauvegarde" in folded or "snapshot" in folded or "dump" in folded:
        found = _BACKUP_FAILED.search(folded)
        return found.group(0)[:SAID_MAX] if found else ""
    return ""


# Their backup failing, named with what it backs up: "the nightly backup of db-main failed on Saturday, Sunday and
# Monday nights", "la sauvegarde de la base clients a échoué".
_BACKUP_FAILED = re.compile(r"\b(?:backups?|snapshots?|dumps?|pg_dump|mysqldump)\b(?: [\w'-]+){0,6}? (?:failed|"
                            r"has failed|have failed|is failing|"
                            r"are failing|did not run|didn't run|(?:have|has) not run|(?:haven|hasn)'t run|"
                            r"(?:was |were )?skipped)\b|"
                            r"\b(?:sauvegardes?|snapshots?)\b(?: [\w'-]+){0,5}? (?:a echoue|ont echoue|"
                            r"echoue|echouent|est en echec|sont en echec|n'a pas tourne|n'ont pas tourne|"
                            r"(?:a ete |ont ete )?(?:ignoree?s?|sautee?s?))\b|"
                            # ...or its report says so: "Le rapport de sauvegarde de cette nuit indique un échec", "our
                            # weekly backup report for db-paie-02 lists the last three nightly jobs as 'skipped'"
                            r"\b(?:rapport|report|job|tache)s? de (?:la )?sauvegardes?\b[^.!?\n]{0,80}?"
                            r"\b(?:un echec|en echec|echec|echoue|ignoree?s?|sautee?s?)\b|"
                            r"\bbackup (?:report|job)s?\b[^.!?\n]{0,80}?\b(?:failed|failure|error|skipped)\b")


# Someone who should no longer have it still holds their access: "We had to let our developer go, on bad terms. He
# still has SSH and panel access", "notre ancien prestataire a toujours les accès FTP".
_FORMER = r"(?:ex-|former|let (?:him|her|our \w+) go|fired|left (?:us|the company)|quit|on bad terms|ancien|ancienne|" \
          r"licencie|licenciee|parti|partie|en mauvais termes|depart|dismissed|difficult circumstances|let go of)"
_STILL_HOLDS = (r"\b(?:still has|still have|still holds|still knows|a toujours|ont toujours|garde|connait toujours|"
                r"(?:he|she|il|elle) (?:has|a))"
                r"(?: [\w'-]+){0,4}? (?:access|acces|ssh|ftp|sftp|panel|credentials|identifiants|passwords?|"
                r"mots? de passe|keys|cles)\b")
_FORMER_ACCESS = re.compile(r"\b" + _FORMER + r"[^\n]{0,160}?" + _STILL_HOLDS + "|" + _STILL_HOLDS + r"[^\n]{0,160}?\b" +
                            _FORMER)
# (Who left on good terms and keeps an access is housekeeping: "Il est parti en bons termes, mais je préférerais que
# ses accès soient retirés".)
_GOOD_TERMS = re.compile(r"\b(?:en bons termes|en bon terme|on good terms|amicably|a l'amiable)\b")
# ...or someone outside downloaded what is theirs: "un journaliste dit avoir téléchargé leur base clients".
_TAKEN_BY = re.compile(r"\b(?:journaliste|journalist|quelqu'un|someone|somebody|un inconnu|a stranger|hacker|pirate|"
                       r"attaquant|attacker)\b[^.!?\n]{0,60}?\b(?:telecharge|downloaded|recupere|got hold of)\b"
                       r"[^.!?\n]{0,40}?\b(?:base|database|donnees|data|fichier|file|export|dump|backup|sauvegarde)")


# A disk, a quota or a mailbox said to be nine-tenths full or more, however it is written:
# "Disk usage: 97%", "le disque est à 98 %", "quota de la boîte : 100 %".
_FULL = re.compile(r"\b(?:disk|disque|storage|stockage|quota|espace|space|partition|filesystem|inodes?|mailbox|"
                   r"bo[iî]te|volume)\b[^%\n]{0,30}?\b(?:9\d|100)(?:[.,]\d+)?\s?%|"
                   # ...as a monitor says it: "/data 97% (+3%/h)", "used 95.1%", "free disk space is less than 5%"
                   r"(?<![\w/.-])/[\w/.-]*\s+(?:9\d|100)(?:[.,]\d+)?\s?%|\bused:?\s+(?:9\d|100)(?:[.,]\d+)?\s?%|"
                   # ...naming the volume first: "Free disk space on /var/lib/mysql is less than 3% (2.6% free)"
                   r"\bfree (?:disk )?space (?:on [\w/.:-]+ )?(?:is )?(?:less than|below|under|<)\s*\d(?:[.,]\d+)?\s?%",
                   re.IGNORECASE)


# A receiving mail server's verdict on their mail, pasted from a message's headers ("dkim=fail (no key for
# signature)", "spf=permerror"): their mail goes out, and lands in spam or nowhere.
_MAIL_AUTH_FAILS = re.compile(r"\b(?:dkim|spf|dmarc)=(?:fail|permerror|temperror|softfail)\b")


# What they have not had *from us* is a chase, not an outage: "no email from you since Monday", "pas de
# mail de votre part", "aucun appel de vous". An error from our machines is an outage: "502 from your load
# balancer".
_OUR_MACHINES = (r"(?:load ?balancers?|lb|servers?|proxy|reverse proxy|cdn|platform|infrastructure|network|"
                 r"firewall|edge|gateway|api|hosting)\b")
_FROM_US = (r"\W+(?:from (?:you\b|your\b(?! " + _OUR_MACHINES + r")|the support\b)|"
            r"de (?:votre part|vous|votre support|la part du support)\b)")


def _not_from_us(phrases, folded: str) -> list:
    return [p for p in phrases if not re.search(re.escape(" ".join(p.words)) + _FROM_US, folded)]


def _said(phrases) -> str:
    """The phrases found, for the explanation: those inside a longer one found left out."""
    spans = [f" {' '.join(p.words)} " for p in phrases]
    kept = [p.text for p, span in zip(phrases, spans) if not any(span in other and span != other for other in spans)]
    # Whole phrases only: a cut one reads as a phrase of its own ("… 'pouvez oublier mon message', 't'").
    said = ""
    for text in sorted(kept):
        joined = f"{said}|{text}" if said else text
        if len(joined) > SAID_MAX and said:
            break
        said = joined
    return said[:SAID_MAX]


# A new request without a question mark: "So we're all set for 14:00. Please send the bridge details." (asking
# us to close the ticket is no new request).
_ASKS = re.compile(r"\b(?:please|pls|could you|can you|would you|merci de|merci d'|pouvez-vous|pourriez-vous|"
                   r"pouvez vous|pourriez vous)\s+(?!(?:\w+ )?(?:close|fermer|clore|cloturer|ferme)\b)"
                   r"(?:send|add|create|set|make|give|call|check|confirm|restore|renew|move|change|update|"
                   r"m'envoyer|nous envoyer|envoyer|ajouter|creer|verifier|confirmer|restaurer|renouveler|"
                   r"modifier|changer|mettre|m'appeler|nous appeler|rappeler|me rappeler|nous rappeler)\b")


# A closing said not to be so: "ce n'est pas revenu à la normale", "it's not back to normal yet".
_NEGATED = re.compile(r"\b(?:pas|not|never|jamais|isn't|isnt|aren't|arent|wasn't|no longer|n'est)[\s'-]+"
                      r"(?:(?:encore|yet|vraiment|really|tout a fait|completely|fully|quite)[\s'-]+)?$|"
                      # ...or what did not come of it: "vous avez fermé les deux précédents sans que ça marche"
                      r"\b(?:sans que|without)(?: (?:it|that|this|anything|ca|cela))? $|"
                      # ...or wanted, not said: "Need this fixed now", "we want it resolved today"
                      r"\b(?:need|needs|want|wants|get|have|has to be|must be|should be|to be)"
                      r"(?: (?:this|it|that|them|everything|all))? $|"
                      # ...or waited for: "Je reste debout jusqu'à ce que ça remarche", "call me as soon as it works"
                      r"\b(?:jusqu'a ce que|jusqu'a ce qu'|tant que|en attendant que|des que|une fois que|until|till|"
                      r"as soon as|once)(?: (?:it|that|this|everything|all|ca|cela|tout|le site|the site))? ?$|"
                      # ...or asked a time for: "j'ai besoin d'une estimation pour le retour à la normale", "any ETA
                      # for it to be back up?"
                      r"\b(?:estimation|estimate|eta|delai|heure|date|horaire|prevision)\b(?: [\w']+){0,4} "
                      r"(?:pour|for|de|du|of) (?:le |la |l'|the |it to be |ca )?$")
# "ça marche" ending its sentence says it works ("ah ok c'était le port 22, ça marche. merci !"); going on,
# it may be a deal ("ça marche, je teste demain") or typed without its "ne" ("ça marche pas"). ("Chez nous,
# cela fonctionne." is where it works, not that it does.)
_IT_WORKS = re.compile(r"\bca marche(?=\s*(?:[.!]|$)|\s+merci\b)")


# Where it works, said beside it: "From Dublin it works fine" (visitors abroad are blocked), "it works from the
# office", "ça fonctionne sur mon téléphone": somewhere it works, elsewhere it does not. ("C'est revenu chez nous",
# "tout est bon de notre côté" are theirs as a whole: it works.)
# ...or one way in: "En tapant l'adresse directement ça marche" (from Google it lands on a casino).
_VANTAGE_BEFORE = re.compile(r"(?:\b(?:from|ici|d'ici|here|directement|directly|en tapant|by typing)\b|"
                             # ...or on one network: "En wifi ça marche" (and in 4G it does not)
                             r"\b(?:en|on|over|via|sur) (?:wifi|wi-fi|4g|5g|ipv4|ipv6|ethernet|fibre|fiber|le wifi|la 4g)\b|"
                             r"\b(?:on|sur) (?:my|our|mon|ma|mes|notre|nos)\b|"
                             # ...or on one kind of device: "Sur les PC du bureau ça marche" (the iPhones get nothing)
                             r"\b(?:on|sur) (?:les |le |la |the )?(?:pcs?|postes?|ordinateurs?|ordis?|macs?|desktops?|"
                             r"laptops?|iphones?|android|mobiles?|telephones?|portables?|tablettes?|tablets?)\b|"
                             # ...or by one of its names: "Without www it works" (with it, a certificate warning)
                             r"\b(?:with|without|avec|sans) (?:the |le )?www\b|"
                             # ...or from one country or place: "Depuis la France tout fonctionne" (visitors from
                             # Belgium are refused), "in France everything works"
                             r"\b(?:depuis|from|in) (?:la |le |l'|les )?(?:france|belgique|belgium|suisse|"
                             r"switzerland|canada|europe|l'etranger|etranger|the us|the uk|chez (?:moi|nous)|"
                             r"le bureau|la maison|mon (?:telephone|mobile|portable|pc|ordinateur|poste))\b)"
                             r"[^.,;!?\n]{0,30}$|"
                             # ...or off our servers: "en local en PHP 8.3 ça marche" (on the server it crashes)
                             r"\b(?:en local|locally|in local|en dev|in dev|on staging|en preprod|en recette)\b"
                             r"(?:[^.,;!?\n]|\.(?=\d)){0,30}$")
_VANTAGE_AFTER = re.compile(r"(?:\s+(?:fine|well|bien|correctement|normalement))?\s+(?:from\b|d'ici\b|here\b|"
                            r"(?:on|sur) (?:my|our|mon|ma|mes|notre|nos)\b|(?:in|at) (?:the office|home)\b|"
                            r"au bureau\b|a la maison\b)")


# What a screen shows, quoted in a folded message ("shows a page saying 'It works! This is the default web page'"):
# straight quotes, and « » or “ ” (folded to NUL). An apostrophe inside a word ("c'est") opens no quote.
_SHOWN = re.compile(r"\"[^\"\n]{1,200}\"|(?<![\w'])'[^'\n]{1,200}?'(?!\w)|\x00[^\x00\n]{1,200}\x00")


def _partial(folded: str, match: re.Match[str]) -> bool:
    """Whether the closing phrase at *match* is said not to be so, or only somewhere ("from here it works"), or is
    what a page shows, quoted ("a page saying 'It works!'")."""
    start, end = match.start(), match.end()
    return bool(_NEGATED.search(folded, max(0, start - 50), start)
                or _VANTAGE_BEFORE.search(folded, max(0, start - 40), start)
                or _VANTAGE_AFTER.match(folded, end)
                or any(q.start() < start and end < q.end() for q in _SHOWN.finditer(folded)))


def _closings_said(lexicon: Lexicon, folded: str, words: list[str]) -> list[Phrase]:
    """The closing phrases of a message not said not to be so ("ce n'est pas revenu à la normale"), nor only
    somewhere ("From Dublin it works fine")."""
    closings = lexicon.section("closing")
    return [p for p in closings.scan(folded, words)
            if not all(_partial(folded, m) for m in closings.where(folded, p))]


def _contrasts(lexicon: Lexicon, folded: str) -> bool:
    """Whether a message turns on a "but" (not a "but thanks")."""
    contrast = _THANKS_AFTER_BUT.sub(" ", folded)
    return bool(lexicon.section("contrast").scan(contrast, tokens(contrast)))


def _says_back(lexicon: Lexicon, folded: str, words: list[str]) -> bool:
    """Whether a message says it works again ("c'est revenu", "back up now"), whatever else it asks, with no
    "but" in that sentence (see `_closing_or_ack`).

    A "but" in a sentence of its own is about something else: "Bon c'est revenu. MAIS C'EST INADMISSIBLE, 4
    heures sans site" is back, and angry; "c'est revenu sur l'ordinateur mais pas sur mobile" is not back."""
    if not _closings_said(lexicon, folded, words):
        return False
    return any(_closings_said(lexicon, sentence, tokens(sentence))
               and (not _contrasts(lexicon, sentence) or _only_a_grievance_after(lexicon, sentence))
               for sentence in _SENTENCE.split(folded))


_STILL_WORDS = frozenset({"toujours", "still", "encore", "again"})


def _only_a_grievance_after(lexicon: Lexicon, sentence: str) -> bool:
    """Whether what follows the sentence's "but" names nothing broken, only how bad they find it: "Bon, tout est
    revenu, mais je trouve inacceptable d'avoir appris par un mail groupé que c'était votre faute" (not "c'est revenu
    sur l'ordinateur mais pas sur mobile", "back up, but the mail doesn't go out")."""
    section = lexicon.section("contrast")
    starts = [m.end() for p in section.scan(sentence, tokens(sentence)) for m in section.where(sentence, p)]
    tail = sentence[min(starts):] if starts else sentence
    tail_words = tokens(tail)
    return bool(lexicon.scan(tail, tail_words)) and not (
        any(w in _NEGATION or w in _STILL_WORDS or w.startswith("n'") or w.endswith("n't") for w in tail_words)
        or any(lexicon.section(name).scan(tail, tail_words) for name in ("down", "slow", "harm", "data")))


# Something of theirs to close now, not the case: "please close it now", "fermez le port 3306 immédiatement".
_CLOSE_THE_HOLE = re.compile(r"\b(?:close|fermer|fermez)\b (?:it |them |the |les |le |la |l'|ce |cet |ces )?(?:\w+ )?"
                             r"(?:now|right now|immediately|asap|tout de suite|immediatement|port|ports|firewall|"
                             r"access|acces|pare-feu)\b")


def _closing_or_ack(lexicon: Lexicon, text: str, folded: str, words: list[str], found,
                    names: frozenset[str] = frozenset()) -> tuple[str, str]:
    """(closing, acknowledgement) phrases of a customer message; both '' for anything else.

    Either one needs a message without a question and without a "but": "all
    good now, thanks!" closes, "it works but the mail doesn't" does not ("...
    mais merci !" still does). A closing or acknowledging phrase outweighs mild
    words (weight CLOSING_OUTWEIGHS or less: "tout fonctionne depuis hier",
    "I'm out all day, will try it tonight"); a bare thank-you none. A bare thank-you may hold *names* (the
    writer's, the engineers').
    """
    if not words or "?" in text or _ASKS.search(folded):
        return "", ""
    if _contrasts(lexicon, folded) or lexicon.section("yes").scan(folded, words):
        return "", ""
    closing = _closings_said(lexicon, folded, words)
    if closing and _CLOSE_THE_HOLE.search(folded):
        # "Please close it now and tell us whether anything connected": the port, not the case.
        closing = [p for p in closing if not {"close", "fermer", "fermez"} & set(p.words)]
    plain = _IT_WORKS.search(folded)
    if plain and not _partial(folded, plain):
        closing.append(Phrase(plain.group(0).replace("ca ", "ça "), tuple(plain.group(0).split()), 1.0, __name__,
                              "closing"))
    # A closing outweighs mild words. Taking back what they reported, twice over ("Fausse alerte : c'était ma box
    # qui avait planté … Vous pouvez oublier mon message": the lexicon's closings of weight 2), outweighs the words
    # of what they take back; once, it does not ("never mind the invoice, the site has been down for an hour").
    strong = [p.weight for p in closing if p.weight > CLOSING_OUTWEIGHS]
    outweighs = max(strong) if len(strong) >= 2 else CLOSING_OUTWEIGHS
    if not all(p.weight <= outweighs for p in found):
        return "", ""
    if closing:
        return _said(closing), ""
    if len(words) > ACK_MAX_WORDS or sum(p.weight for p in found) > CLOSING_OUTWEIGHS:
        return "", ""
    ack = lexicon.section("ack").scan(folded, words)
    if ack:
        return "", _said(ack)
    thanks = lexicon.section("thanks").vocabulary
    if not found and all(w in thanks or w in names for w in words):
        return "", "thanks"
    return "", ""


def says_spared(text: str, lexicon: Lexicon) -> bool:
    """Whether an incident update says the customers' sites are not affected ("Hosted services are not
    affected", "Websites, email and FTP are not affected"), and no sentence of it says sites are down.

    What it spares must be the sites: "Email services are not affected" under "some websites are unreachable",
    or "41 of the 44 VMs work normally", spares nobody in particular; nor does a "but" ("Websites are not
    affected, but mail is delayed")."""
    spared = down = False
    for sentence in _SENTENCE.split(fast_fold(text[:MAX_CHARS])):
        if not _SITES.search(sentence):
            continue
        words = tokens(sentence)
        if lexicon.section("down").scan(sentence, words):
            down = True
        elif lexicon.section("spared").scan(sentence, words) and not _contrasts(lexicon, sentence):
            spared = True
    return spared and not down


def _says_done(text: str, lexicon: Lexicon) -> bool:
    """Whether our reply *text* says something was done ("I've restarted", "has been restored")."""
    folded = fast_fold(text)
    return bool(lexicon.section("fixed").scan(folded, tokens(folded)))


def says_restored(text: str, lexicon: Lexicon) -> bool:
    """Whether an incident update says the services are back ("la quasi-totalité des services fonctionne de
    nouveau normalement", "service has been restored") and no sentence of it says something is still down."""
    folded = fast_fold(text[:MAX_CHARS])
    if not _RECOVERED.search(folded):
        return False
    return not any(lexicon.section("down").scan(sentence, tokens(sentence)) for sentence in _SENTENCE.split(folded))


_SENTENCE = re.compile(r"[.!?;\n]+")
# What customers host with us, as an incident update names it as a whole.
_SITES = re.compile(r"\b(?:web ?sites?|sites?(?: web| internet)?|hosted services|hosting|services heberges|"
                    r"hebergements?|your services|vos services|customer services)\b")


def is_promise(text: str, lexicon: Lexicon) -> bool:
    """Whether a reply of ours (its own text) promises to come back later without saying anything was done.

    An offer on a condition is not one: "Si vous préférez que je le fasse, dites-le-moi et je m'en occupe"
    leaves the next move to them."""
    folded = fast_fold(text)
    words = tokens(folded)
    if lexicon.section("fixed").scan(folded, words) or _TO_DESK.search(folded):
        return False
    promise = lexicon.section("promise")
    return any(not _CONDITION.search(folded, _sentence_start(folded, m.start()), m.start())
               for p in promise.scan(folded, words) for m in promise.where(folded, p))


def _sentence_start(folded: str, at: int) -> int:
    return max(folded.rfind(c, 0, at) for c in ".!?\n") + 1


# How far ahead a deadline named in an acknowledgement makes it a reminder instead (see _from_customer).
_REMINDER_REACH = timedelta(hours=48)


# A quote that is not one for the sales desk to write: their own customers' quote requests ("les demandes de devis
# du formulaire n'arrivent plus") are their business flowing, and a signed one ("devis D-318 signé") is work sold
# that we must now deliver.
_NOT_A_SALE = re.compile(r"\b(?:demandes? de devis|(?:quote|quotation) requests?|requests? for (?:a )?quotes?"
                         r"|devis(?: [a-z0-9-]*[0-9][a-z0-9-]*)? (?:signe|accepte|valide)e?s?"
                         r"|(?:signed|accepted) (?:quote|quotation))\b")


def _sales(lexicon: Lexicon, folded: str, words: Sequence[str]) -> list:
    """The [sales] phrases of a message, but for quotes that are not a sales desk's matter (`_NOT_A_SALE`)."""
    if _NOT_A_SALE.search(folded):
        folded = _NOT_A_SALE.sub(" ", folded)
        words = tokens(folded)
    return lexicon.section("sales").scan(folded, words)


# Handed to a desk that is not on call ("I've forwarded your request to our sales team"): they wait on sales or
# billing now, not on us.
_TO_DESK = re.compile(r"\b(?:forwarded|passed|handed|transferred|sent|escalated|transmis|transmise|transfere|passe)\b"
                      r"[^.!?\n]{0,40}?\b(?:to|a|au|aux) (?:our |the |notre |nos |la |le )?(?:billing|accounts|sales|"
                      r"account manager|legal|dpo|compta\w*|service commercial|commerciaux|commercial|juridique|"
                      r"facturation|service facturation)\b")


# "If you'd rather I do it, let me know and I'll take care of it", "si vous préférez que je le fasse".
_CONDITION = re.compile(r"\b(?:if|si|should you|au cas ou|whenever you|when you're ready|quand vous voulez)\b")


def is_bounce(text: str, lexicon: Lexicon, *, again: bool = False, broken: bool = True) -> bool:
    """Whether a reply of ours (its own text) only points elsewhere, short either way: a canned
    acknowledgement, or a documentation link (a URL, named as docs by the text or by the URL itself)
    with nothing said to be done. *again*: the case was bounced before, and then pointing to the
    docs without the link ("the guide explains everything") is one more bounce. Unless *broken* (they
    said something is down, at risk or slow), the way through their panel's menus answers a how-to
    question, link or not ("yes: Panel > Backups > Schedules, guide here: …"); a site showing a
    security alert is not mended by the menu path to make a certificate themselves."""
    folded = fast_fold(text)
    words = tokens(folded)
    if not words or len(words) > BOUNCE_MAX_WORDS:
        return False
    if _canned(folded, words, lexicon):
        return True
    if lexicon.section("wait").scan(folded, words):
        # "DNS propagation can take up to 48 hours", unless it follows what was fixed: "I've removed the old AAAA
        # record; propagation can take an hour".
        return not lexicon.section("fixed").scan(folded, words)
    if not broken and _MENU_PATH.search(text):
        return False
    urls = _URL.findall(text)
    docs = lexicon.section("docs").scan(folded, words)
    if not (docs and again) and not (urls and (docs or any(_docs_url(u) for u in urls))):
        return False  # no link, or a link to their own site: "https://shop.fr loads fine from here"
    return not lexicon.section("done").scan(folded, words)


# A path through a menu of their panel or program: "Panel > Backups > Schedules", "Espace client → Facturation".
_MENU_PATH = re.compile(r"[^\W\d_][\w'-]*(?: [\w'-]+){0,3} (?:>|->|→) [^\W\d_]")


def is_canned(text: str, lexicon: Lexicon) -> bool:
    """Whether a reply of ours (its own text) is a short canned acknowledgement ("Your request has been logged as
    #4471553. One of our engineers will get back to you")."""
    folded = fast_fold(text)
    words = tokens(folded)
    return bool(words) and len(words) <= BOUNCE_MAX_WORDS and _canned(folded, words, lexicon)


# The ticket number a receipt puts inside its sentence: "your request #58215 has been received", "votre demande
# (ticket n°58213) a bien été enregistrée".
# (Folded, "n°" is "n" and a NUL.)
_TICKET_NUMBER = re.compile(r" ?(?:\((?:ticket )?(?:#|n[°\x00]|no\.|ref\.? ?)\s?[\w-]*\d{3,}\)|"
                            r"(?:#|n[°\x00]|no\.|ref\.? ?)\s?[\w-]*\d{3,})")


def _canned(folded: str, words: list[str], lexicon: Lexicon) -> bool:
    if lexicon.section("template").scan(folded, words):
        return True
    plain = _TICKET_NUMBER.sub("", folded)
    return plain != folded and bool(lexicon.section("template").scan(plain, tokens(plain)))


def _docs_url(url: str) -> bool:
    """Whether *url* names documentation by a subdomain or its path ("docs.host.net", "/kb/ssl"): the domain's
    own name does not count, or every link of a provider called "hosting-help" would be docs (its status page)."""
    url = re.sub(r"^(?:https?://)?", "", url.rstrip(".,;:!?)]}>'\""), flags=re.IGNORECASE)  # "(see https://x.net)."
    host, _, path = url.partition("/")
    labels = host.split(".")
    return bool(_DOCS_URL.search(".".join(labels[:-2]) + "/" + path))


def _mood(stats: CaseStats, text: str, found) -> None:
    """Words and tone of one customer message, added to the mood of those still unanswered."""
    found = sorted(found, key=lambda p: (-p.weight, p.text))
    # Rounded so that stored stats stay short and a JSON round trip is exact.
    stats.words = round(stats.words + sum(p.weight for p in found), 3)
    if found:
        new = [p.text for p in found]
        # "|" never occurs in a phrase: parse_lexicon accepts words, spaces, - and ' only.
        stats.hits = "|".join((new + [h for h in stats.hits.split("|") if h and h not in new])[:MAX_HITS])
    stats.bang = round(stats.bang + exclamation_level(text), 3)
    stats.shout = round(stats.shout + shouting_level(text), 3)
