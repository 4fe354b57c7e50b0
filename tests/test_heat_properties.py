"""What an on-call engineer can count on, whatever the conversation: Hypothesis properties of the heat.

- a new customer message on an unanswered case never lowers its heat (unless it closes the case);
- a broadcast (incident update, mass mailing) never changes anyone's waiting;
- time passing never lowers the heat of an unanswered open case;
- a substantive reply from us sets the waiting to zero;
- the clock tick's number is the explanation's, and holds until the moment it is told it may move;
- a frustration word written only inside a domain, a link or an address is no word of theirs.

Conversations are generated from messages customers and engineers really write: angry ones,
quoted replies, pasted logs, signatures, acknowledgements, thanks, closings, links to the docs.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from oncall_tui.core.heat_score import due_at, is_troubled
from oncall_tui.core.heat_stats import CaseStats
from oncall_tui.core.model import Event

from .models import (
    LEXICON,
    WEIGHTS,
    add_event,
    fold_events,
    heat_holds_until,
    heat_value,
    mode_of,
    score,
    steady_points,
)

UTC = timezone.utc
T0 = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)

CUSTOMER = [
    "Bonjour, le certificat de boutique-martin.fr a expiré.",
    "Toujours pas de réponse, c'est la troisième fois que je vous écris !!!",
    "The site is DOWN AGAIN, FIX IT NOW",
    "Any news?",
    "Le site de réservation répond mal, voici le journal :\n\n2026-11-24  4:12:09 0 [ERROR] INNODB: WRITE FAILED\n"
    "2026-11-24  4:12:10 0 [ERROR] INNODB: NO SPACE LEFT ON DEVICE\n\nQuand vous aurez un moment.",
    "Merci, je teste ce soir.\n\nLe lun. 23 nov. 2026 à 14:02, Support a écrit :\n> URGENCE : tapez 1",
    "Ok, I'll test tonight.",
    "Merci !",
    "Can you look at it? Not critical for us today.\n\nGareth\nHarlow & Co\nURGENT: our sale ends tonight!!!",
    "It didn't fix anything, the homepage is still down. Please call me.",
    "La mise en ligne est demain à 8h : il nous faut le certificat avant.",
    "Our booking page opens at 9:00 today, we need the payment form working by then.",
    # At risk (lifted like an outage until we answer), and a problem back after a fix.
    "Pas urgent : il me manque toutes les commandes entre le 10 et le 22 novembre.",
    "Our site redirects to a casino, have we been hacked? The 502 errors are back too.",
    # A commercial matter (cooled while nothing is said broken), and one said about an outage.
    "Je voudrais un devis pour un deuxième serveur, c'est URGENT !!!",
    "I WANT A REFUND for the three hours the shop was down last week.",
    "",
]
CLOSING = ["Merci beaucoup, tout fonctionne, vous pouvez fermer le ticket.", "All good now, thanks!",
           "C'est bon, plus d'alerte. Merci Alice, on peut fermer."]
OURS = ["Bonjour, j'ai émis le certificat : le cadenas s'affiche maintenant.",
        "Could you send us the exact error and the time it happened?",
        "Hi, I've restarted PHP-FPM and cleared the OPcache.\n\nSven\nFor urgent issues call our 24/7 line"]
BOUNCES = ["Bonjour,\n\nVous trouverez la procédure dans notre documentation : https://docs.example.net/ssl\n\n"
           "Cordialement,\nBob",
           "Hello! Please follow the steps in our guide: https://docs.example.net/dns",
           "Votre demande a bien été enregistrée. Consultez notre FAQ."]
BROADCAST = "[Incident SBG] Nous enquêtons sur une coupure électrique. Prochaine mise à jour dans 30 minutes."


CHANNELS = {"message": "email", "call": "phone", "chat": "chat"}


def customer(when: datetime, body: str, kind: str = "message") -> Event:
    return Event(when, kind, "in", "Jean", body, CHANNELS[kind])


def us(when: datetime, body: str, name: str = "alice") -> Event:
    return Event(when, "message", "out", name, body, "email")


def broadcast(when: datetime) -> Event:
    return Event(when, "message", "out", "mehdi", BROADCAST, "email", broadcast=True)


# A note's words are not the customer's; one parks the case until anyone writes.
NOTES = ["URGENT!!! customer furious", "Refund queued by accounts. Nothing more to do on our side.",
         "Doublon de l'autre demande, à fusionner."]
# ...a machine's may say what is broken, at risk or back whenever it comes, or when a domain expires.
MACHINE = [("monitoring", "note", "[CRITICAL] HTTP check www.garage.fr: HTTP 500 (3/3 probes)"),
           ("Zabbix", "note", "WARNING srv-01 SMART: Reallocated_Sector_Ct 8 -> 212, Current_Pending_Sector 40."),
           ("monitoring", "note", "[RECOVERY] HTTP check www.garage.fr - OK, 200 in 0.84 s"),
           ("Système", "action", "Accusé de réception automatique envoyé au client."),
           ("billing", "action", "Auto-renewal failed for garage.fr: card expired. Domain expires 2026-11-27 23:59 UTC.")]


@st.composite
def conversations(draw) -> list[Event]:
    """Customer messages, our replies (real ones and bounces), broadcasts, notes and actions, in time order."""
    n = draw(st.integers(1, 9))
    when = T0
    events = []
    for _ in range(n):
        when += timedelta(minutes=draw(st.integers(0, 600)))
        what = draw(st.sampled_from(["in", "in", "in", "closing", "out", "bounce", "broadcast", "note", "action",
                                     "machine"]))
        if what == "in":
            events.append(customer(when, draw(st.sampled_from(CUSTOMER)),
                                   kind=draw(st.sampled_from(["message", "call", "chat"]))))
        elif what == "closing":
            events.append(customer(when, draw(st.sampled_from(CLOSING))))
        elif what == "out":
            events.append(us(when, draw(st.sampled_from(OURS)), draw(st.sampled_from(["alice", "bob", "kenji"]))))
        elif what == "bounce":
            events.append(us(when, draw(st.sampled_from(BOUNCES)), draw(st.sampled_from(["alice", "bob"]))))
        elif what == "broadcast":
            events.append(broadcast(when))
        elif what == "note":
            events.append(Event(when, "note", "internal", "alice", draw(st.sampled_from(NOTES)), "note"))
        elif what == "machine":
            author, kind, body = draw(st.sampled_from(MACHINE))
            events.append(Event(when, kind, "internal", author, body, "note" if kind == "note" else "tool"))
        else:
            events.append(Event(when, "action", "out", "alice", "issued certificate", "tool"))
    return events


SETTINGS = st.tuples(st.sampled_from(["standard", "business", "critical"]), st.sampled_from(["new", "open", "pending"]),
                     st.booleans())


def heat(events: list[Event], now: datetime, setting) -> int:
    tier, status, incident = setting
    return score(fold_events(events), status=status, opened_at=T0 - timedelta(hours=1), tier=tier, now=now,
                 incident_open=incident).score


# --- the four promises -----------------------------------------------------------------------------

@settings(max_examples=300, deadline=None)
@given(conversations(), st.sampled_from(CUSTOMER), st.integers(0, 900), st.integers(0, 3000), SETTINGS,
       st.sampled_from(sorted(CHANNELS)))
def test_a_new_customer_message_on_an_unanswered_case_never_lowers_its_heat(events, body, after, later, setting, kind):
    assume(fold_events(events).wait_t is not None)  # the customer is waiting on us
    new = customer(events[-1].at + timedelta(minutes=after), body, kind)
    grown = [*events, new]
    assume(not fold_events(grown).done)  # a message saying it is done cools the case, by design
    now = new.at + timedelta(minutes=later)
    assert heat(grown, now, setting) >= heat(events, now, setting)


DATED_PROMISES = ["Bonjour, je regarde et je vous réponds avant 11h.", "I'll confirm by 15:00 CET today.",
                  "Je vous rappelle demain à 9h30.", "I'll call you back within 30 minutes.",
                  "J'ai mis en place une surveillance. Je vous envoie demain à 8h un bilan."]


@settings(max_examples=300, deadline=None)
@given(conversations(), st.sampled_from(DATED_PROMISES), st.integers(0, 900), st.integers(1, 3000),
       st.sampled_from(CUSTOMER), st.integers(0, 3000), SETTINGS)
def test_a_customer_writing_after_our_dated_promise_ran_out_never_lowers_its_heat(events, promise, after, late,
                                                                                   body, later, setting):
    # Past the moment we named they wait on us; writing to ask where we are must not restart that wait.
    promised = [*events, us(events[-1].at + timedelta(minutes=after), promise)]
    due = fold_events(promised).promise_t
    assume(due is not None)
    new = customer(datetime.fromtimestamp(due, UTC) + timedelta(minutes=late), body)
    grown = [*promised, new]
    assume(not fold_events(grown).done)
    now = new.at + timedelta(minutes=later)
    assert heat(grown, now, setting) >= heat(promised, now, setting)


VAGUE_PROMISES = ["Bonjour, je regarde et je reviens vers vous.", "I'll look into it and get back to you.",
                  "Je vérifie et je vous tiens au courant."]


@settings(max_examples=300, deadline=None)
@given(conversations(), st.sampled_from(VAGUE_PROMISES), st.integers(0, 900), st.integers(1, 3000),
       st.sampled_from(CUSTOMER), st.integers(0, 3000), SETTINGS)
def test_a_customer_writing_after_our_vague_promise_ran_out_never_lowers_its_heat(events, promise, after, late,
                                                                                   body, later, setting):
    # "Je regarde" holds for the promise window; past it they wait on us, and asking must not restart that.
    reply = us(events[-1].at + timedelta(minutes=after), promise)
    promised = [*events, reply]
    assume(fold_events(promised).promised and fold_events(promised).promise_t is None)
    window = timedelta(hours=WEIGHTS.promise_window_hours)
    new = customer(reply.at + window + timedelta(minutes=late), body)
    grown = [*promised, new]
    assume(not fold_events(grown).done)
    now = new.at + timedelta(minutes=later)
    assert heat(grown, now, setting) >= heat(promised, now, setting)


@settings(max_examples=300, deadline=None)
@given(conversations(), st.data(), st.integers(0, 3000), SETTINGS)
def test_a_broadcast_never_changes_anyones_waiting(events, data, later, setting):
    where = data.draw(st.integers(0, len(events)))
    before = events[where - 1].at if where else T0
    after = events[where].at if where < len(events) else before + timedelta(hours=2)
    when = before + (after - before) * data.draw(st.floats(0, 1))
    told = [*events[:where], broadcast(when.replace(microsecond=0)), *events[where:]]
    a, b = fold_events(events), fold_events(told)
    assert (b.waiting_since, b.wait_t) == (a.waiting_since, a.wait_t)
    assert (b.exchanges, b.engineers) == (a.exchanges, a.engineers)
    now = max(e.at for e in told) + timedelta(minutes=later)
    assert heat(told, now, setting) == heat(events, now, setting)


@settings(max_examples=300, deadline=None)
@given(conversations(), st.integers(0, 3000), st.integers(0, 100_000), SETTINGS)
def test_time_passing_never_lowers_the_heat_of_an_unanswered_open_case(events, later, more, setting):
    assume(fold_events(events).wait_t is not None)
    setting = (setting[0], "open", setting[2])
    now = events[-1].at + timedelta(minutes=later)
    assert heat(events, now + timedelta(minutes=more, seconds=more % 60), setting) >= heat(events, now, setting)


@settings(max_examples=300, deadline=None)
@given(conversations(), st.sampled_from(OURS), st.integers(0, 900), st.integers(0, 3000), SETTINGS)
def test_a_substantive_reply_from_us_sets_waiting_to_zero(events, body, after, later, setting):
    reply = us(events[-1].at + timedelta(minutes=after), body)
    stats = fold_events([*events, reply])
    assert stats.waiting_since is None and stats.wait_t is None
    tier, status, incident = setting
    terms = score(stats, status=status, opened_at=T0, tier=tier, now=reply.at + timedelta(minutes=later),
                  incident_open=incident).terms
    assert "waiting" not in [t.name for t in terms]


# --- and the ones the store relies on -----------------------------------------------------------

@settings(max_examples=200, deadline=None)
@given(conversations())
def test_folding_event_by_event_through_storage_equals_folding_them_all(events):
    stats = CaseStats()
    for event in events:
        stats = CaseStats.from_json(add_event(stats, event).to_json())
    assert stats == fold_events(events)


@settings(max_examples=200, deadline=None)
@given(conversations(), st.integers(0, 20_000), SETTINGS, st.sampled_from(["new", "open", "pending", "resolved"]))
def test_the_clock_tick_scores_like_the_explanation(events, later, setting, status):
    stats = fold_events(events)
    tier, _, incident = setting
    now = events[-1].at + timedelta(minutes=later)
    opened = T0 - timedelta(hours=1)
    for weights in (WEIGHTS, replace(WEIGHTS, done_factor=0.3, incident_floor=80.0, pending_factor=0.5)):
        explained = score(stats, status=status, opened_at=opened, tier=tier, now=now, incident_open=incident,
                          weights=weights)
        expected = explained.score, explained.rank
        assert heat_value(steady_points(stats, weights), wait_t=stats.wait_t, out_t=stats.out_t, status=status,
                          opened_t=opened.timestamp(), tier=tier, now_t=now.timestamp(), incident_open=incident,
                          weights=weights, mode=mode_of(stats), promise_t=stats.promise_t,
                          down=bool(stats.down), harm=bool(stats.harm), due_t=due_at(stats),
                          troubled=is_troubled(stats), spared=stats.incident_spared,
                          breaks=stats.due_breaks) == expected


# Promises of ours, vague or naming a moment, run out while the tick skips cases whose heat holds.
PROMISES = ["Je regarde et je reviens vers vous avant 14h.", "We're looking into it and will update you shortly.",
            "Je m'en occupe demain matin."]


@settings(max_examples=400, deadline=None)
@given(conversations(), st.sampled_from([None, *PROMISES]), st.integers(0, 3599), st.integers(0, 240_000),
       st.one_of(st.floats(0, 1, exclude_max=True), st.just(None)), SETTINGS)
def test_the_heat_holds_until_the_moment_the_tick_is_told_it_may_move(events, promise, seconds, later, part,
                                                                      setting):
    if promise:
        events = [*events, us(events[-1].at + timedelta(minutes=5, seconds=seconds % 60), promise)]
    stats = fold_events(events)
    tier, status, incident = setting
    # Opened at any second, so that the minutes and hours it is open turn apart from the others'.
    opened_t = (T0 - timedelta(hours=1, seconds=seconds)).timestamp()
    now_t = events[-1].at.timestamp() + later + seconds / 3600
    mode, broken = mode_of(stats), bool(stats.down or stats.harm)

    def value(at: float) -> tuple[int, int]:
        return heat_value(steady_points(stats), wait_t=stats.wait_t, out_t=stats.out_t, status=status,
                          opened_t=opened_t, tier=tier, now_t=at, incident_open=incident, mode=mode,
                          promise_t=stats.promise_t, down=bool(stats.down), harm=bool(stats.harm),
                          due_t=due_at(stats), troubled=is_troubled(stats), spared=stats.incident_spared,
                          breaks=stats.due_breaks)

    until = heat_holds_until(wait_t=stats.wait_t, out_t=stats.out_t, opened_t=opened_t, now_t=now_t, mode=mode,
                             promise_t=stats.promise_t, broken=broken, due_t=due_at(stats))
    assert until > now_t  # the tick moves on: a case is not rescored forever
    # Any moment before it, up to a week on, or its last millisecond: the same heat.
    then = now_t + (min(until, now_t + 7 * 86400) - now_t) * part if part is not None else until - 0.001
    assume(now_t <= then < until)  # (a part just below 1 may round onto the moment itself)
    assert value(then) == value(now_t)


#: The frustration lexicon's single words ("urgence", "avocat", "angry"), as a domain's name might hold them.
FRUSTRATION_WORDS = sorted({p.words[0] for p in LEXICON.phrases if not p.section and len(p.words) == 1
                            and p.words[0].isalpha() and p.words[0].isascii()})
NAMED = ["{w}-plomberie.fr", "www.{w}.com", "contact@{w}-shop.fr", "https://boutique.fr/{w}", "a.roche@{w}.fr",
         "{w}.example.org"]
ASKED = ["Bonjour, pouvez-vous renouveler le certificat de {name} ?", "Please add a vhost for {name}, thanks.",
         "Mon adresse est {name}, merci de me recontacter.", "{name} shows the default page since the move."]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(FRUSTRATION_WORDS), st.sampled_from(NAMED), st.sampled_from(ASKED))
def test_a_frustration_word_only_inside_a_domain_or_an_address_never_counts(word, named, asked):
    body = asked.format(name=named.format(w=word))
    assert not fold_events([Event(T0, "message", "in", "Jean", body, "email")]).hits
