"""Staleness heat: the first row of the queue is the customer suffering most, and it says why.

Ranking scenarios are small stories an experienced on-call engineer would rank
without hesitation; properties are what a user expects whatever the case.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields, replace
from datetime import datetime, timedelta, timezone
from importlib import resources

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from oncall_tui.core.heat_score import Heat, is_troubled
from oncall_tui.core.heat_stats import CaseStats
from oncall_tui.core.heat_weights import Term, Weights
from oncall_tui.core.lexicon import fast_fold, tokens
from oncall_tui.core.model import Event

from .models import (
    LEXICON,
    add_event,
    fold_events,
    heat_value,
    load_weights,
    mode_of,
    score,
    steady_points,
)
from .models import WEIGHTS as DEFAULT_WEIGHTS

UTC = timezone.utc
T0 = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)


def at(hours: float = 0, minutes: float = 0) -> datetime:
    return T0 + timedelta(hours=hours, minutes=minutes)


def customer(when: datetime, text: str = "Bonjour, le certificat de mon site a expiré. Merci.",
             kind: str = "message") -> Event:
    return Event(when, kind, "in", "client@example.fr", text, "email")


def engineer(when: datetime, name: str = "alice",
             text: str = "Bonjour, j'ai renouvelé votre certificat.", kind: str = "message") -> Event:
    return Event(when, kind, "out", name, text, "email")


def note(when: datetime, name: str = "alice", text: str = "Checked the logs.") -> Event:
    return Event(when, "note", "internal", name, text, "note")


@dataclass
class Case:
    """A case as the queue sees it at `now`."""

    events: list[Event]
    now: datetime
    tier: str = "standard"
    status: str = "open"
    opened_at: datetime | None = None  # default: the first event
    incident_open: bool = False

    def heat(self, weights: Weights = DEFAULT_WEIGHTS) -> Heat:
        opened = self.opened_at or min(e.at for e in self.events)
        return score(fold_events(self.events), status=self.status, opened_at=opened, tier=self.tier,
                     now=self.now, incident_open=self.incident_open, weights=weights)

    def but(self, **changes) -> "Case":
        return replace(self, **changes)


def explain(heat: Heat) -> str:
    return f"{heat.score} = " + " + ".join(f"{t.name} {t.points:.1f} ({t.value})" for t in heat.terms)


def asked_then_waiting(hours: float, **kw) -> Case:
    """A customer asked at T0 and has waited *hours* without an answer."""
    return Case([customer(at(0))], now=at(hours), **kw)


# --- ranking scenarios: (hotter, cooler) ------------------------------------------

def critical_customer_beats_standard_customer():
    return asked_then_waiting(2, tier="critical"), asked_then_waiting(2, tier="standard")


def business_customer_beats_standard_customer():
    return asked_then_waiting(2, tier="business"), asked_then_waiting(2, tier="standard")


def angry_customer_beats_polite_customer():
    angry = "C'est la troisième fois que je vous écris, toujours pas de réponse. Inadmissible."
    polite = "Merci pour votre retour, pourriez-vous regarder le certificat de mon site ?"
    def case(text):
        return Case([customer(at(0)), engineer(at(1)), customer(at(2), text)], now=at(4))
    return case(angry), case(polite)


def english_urgency_beats_english_patience():
    def case(text):
        return Case([customer(at(0), "Hello, our shop is slow."), engineer(at(1), text="Looking."),
                     customer(at(2), text)], now=at(3))
    return (case("This is unacceptable, the shop is still down, we need it fixed asap."),
            case("Thanks, could you have a look when you have a moment?"))


def fast_ping_pong_beats_slow_exchange():
    # Twelve quick messages in three hours: the customer is struggling.
    quick = [customer(at(0))]
    for i in range(1, 12):
        quick.append(engineer(at(0, 16 * i)) if i % 2 else customer(at(0, 16 * i)))
    quick.append(customer(at(3)))
    slow = [customer(at(0)), engineer(at(0, 30)), customer(at(3))]
    return Case(quick, now=at(4)), Case(slow, now=at(4))


def customer_waiting_five_hours_beats_case_we_just_answered():
    story = [customer(at(0)), engineer(at(1)), customer(at(2))]
    return Case(story, now=at(7)), Case([*story, engineer(at(6, 55))], now=at(7))


def waiting_eight_hours_beats_waiting_one_hour():
    return asked_then_waiting(8), asked_then_waiting(1)


def three_engineers_beat_one():
    def case(*names):
        return Case([customer(at(0)), engineer(at(1), names[0]), customer(at(2)), engineer(at(3), names[1]),
                     customer(at(4)), engineer(at(5), names[2]), customer(at(6))], now=at(8))
    return case("kenji", "alice", "bob"), case("alice", "alice", "alice")


def repeating_customer_beats_customer_with_new_information():
    first = ("Bonjour, le certificat SSL de boutique-martin.fr a expiré et le navigateur affiche "
             "une alerte de sécurité à nos clients.")
    repeat = ("Le certificat SSL de boutique-martin.fr a expiré, le navigateur affiche une alerte "
              "de sécurité à nos clients.")
    news = ("J'ai modifié la zone DNS ce matin : l'enregistrement AAAA pointe maintenant vers "
            "l'adresse IPv6 du nouveau serveur web.")
    def case(text):
        return Case([customer(at(0), first), engineer(at(1)), customer(at(2), text)], now=at(3))
    return case(repeat), case(news)


def incident_linked_case_is_lifted_to_the_floor():
    calm = asked_then_waiting(0.5)
    return calm.but(incident_open=True), calm


def old_case_beats_fresh_case():
    story = [customer(at(120)), engineer(at(121)), customer(at(122))]
    return Case(story, now=at(124), opened_at=at(0)), Case(story, now=at(124), opened_at=at(120))


def open_case_beats_same_case_pending():
    # Our question is the last word: pending (parked on the customer) cools more than merely answered.
    story = [customer(at(0)), engineer(at(1)), customer(at(2), "Toujours pas, c'est urgent !!"),
             engineer(at(3), text="Pouvez-vous nous envoyer le message d'erreur ?")]
    return Case(story, now=at(6)), Case(story, now=at(6), status="pending")


def customer_who_answered_a_pending_case_beats_one_who_did_not():
    # Both parked on the customer, but one sent what we asked for: the ball is back with us.
    asked = [customer(at(0)), engineer(at(1), text="Could you send us the exact error?")]
    answered = [*asked, customer(at(2), "Here it is: 'SMTP Error: Could not authenticate.' The form is still broken.")]
    return Case(answered, now=at(7), status="pending"), Case(asked, now=at(7), status="pending")


def customer_bounced_to_the_docs_beats_customer_helped():
    bounced = [customer(at(0), "Comment je fais pour charger un SSL sur garage-bernard.fr ?"),
               engineer(at(0, 30), text="Bonjour,\n\nVous trouverez la procédure dans notre documentation : "
                                         "https://docs.example.net/ssl\n\nCordialement,\nBob"),
               customer(at(4), "J'ai lu votre page mais je ne comprends rien. Vous pouvez le faire pour moi ?")]
    helped = [customer(at(0), "Comment je fais pour charger un SSL sur fleurs-martine.fr ?"),
              engineer(at(0, 30), text="Bonjour, j'ai émis le certificat pour fleurs-martine.fr, le cadenas "
                                        "s'affiche maintenant.")]
    return Case(bounced, now=at(5)), Case(helped, now=at(5))


def customer_who_chased_beats_same_case_unchased():
    first = customer(at(0), "Bonjour, le site du gîte est très lent depuis ce week-end. Pouvez-vous regarder ?")
    chased = customer(at(4), "Bonjour, avez-vous pu regarder ? Notre conseil se réunit jeudi.")
    return Case([first, chased], now=at(5)), Case([first], now=at(5))


def waiting_customer_beats_customer_who_said_it_works():
    waiting = Case([customer(at(0), "Bonjour, je n'arrive plus à me connecter en FTP.")], now=at(1))
    done = Case([customer(at(0)), engineer(at(1), text="C'est fait : le certificat est émis."),
                 customer(at(22), "Merci beaucoup, tout fonctionne, vous pouvez fermer le ticket.")],
                now=at(23), tier="critical")
    return waiting, done


def shouting_customer_beats_calm_customer():
    def case(text):
        return Case([customer(at(0)), engineer(at(1)), customer(at(2), text)], now=at(3))
    return (case("LE SITE NE MARCHE TOUJOURS PAS, RÉPONDEZ-MOI !!!"),
            case("Le site ne marche toujours pas, répondez-moi."))


def fresh_anger_beats_anger_long_calmed():
    angry = "C'est inadmissible, toujours pas de certificat, c'est urgent !!!"
    calm = "Merci, je vous laisse regarder le certificat du domaine."
    return (Case([customer(at(0), calm), engineer(at(1)), customer(at(2), calm), engineer(at(3)),
                  customer(at(4), angry)], now=at(5)),
            Case([customer(at(0), angry), engineer(at(1)), customer(at(2), calm), engineer(at(3)),
                  customer(at(4), calm)], now=at(5)))


def furious_waiting_standard_customer_beats_critical_customer_just_answered():
    furious = Case([customer(at(0)), engineer(at(1)),
                    customer(at(2), "Troisième fois que je relance, toujours rien, inadmissible !!!")],
                   now=at(8))
    answered = Case([customer(at(7)), engineer(at(7, 50))], now=at(8), tier="critical")
    return furious, answered


SCENARIOS = [critical_customer_beats_standard_customer, business_customer_beats_standard_customer,
             angry_customer_beats_polite_customer, english_urgency_beats_english_patience,
             fast_ping_pong_beats_slow_exchange, customer_waiting_five_hours_beats_case_we_just_answered,
             waiting_eight_hours_beats_waiting_one_hour, three_engineers_beat_one,
             repeating_customer_beats_customer_with_new_information, incident_linked_case_is_lifted_to_the_floor,
             old_case_beats_fresh_case, open_case_beats_same_case_pending, shouting_customer_beats_calm_customer,
             fresh_anger_beats_anger_long_calmed,
             furious_waiting_standard_customer_beats_critical_customer_just_answered,
             customer_who_answered_a_pending_case_beats_one_who_did_not, customer_bounced_to_the_docs_beats_customer_helped,
             customer_who_chased_beats_same_case_unchased, waiting_customer_beats_customer_who_said_it_works]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda f: f.__name__)
def test_ranking_scenario(scenario):
    hotter, cooler = scenario()
    hot, cool = hotter.heat(), cooler.heat()
    assert hot.score > cool.score, f"expected {explain(hot)}  >  {explain(cool)}"


def test_incident_floor_is_the_configured_minimum():
    calm = asked_then_waiting(0.5, incident_open=True)
    unlinked = calm.but(incident_open=False).heat().score
    assert 60 <= calm.heat().score <= 60 + unlinked
    assert calm.heat(load_weights({"incident_floor": 75}, "test")).score >= 75
    term = next(t for t in calm.heat().terms if t.name == "incident")
    assert term.value == "linked to an open incident"


def test_linked_cases_keep_their_order_above_the_floor():
    # During an outage every linked case is lifted, but the one nobody answered stays above the one we did.
    story = [customer(at(0), "Notre boutique est inaccessible, on perd de l'argent !")]
    waiting = Case(story, now=at(1, 20), incident_open=True)
    answered = Case([*story, engineer(at(0, 45), text="Votre serveur est dans la salle touchée, retour vers 10h15.")],
                    now=at(1, 20), incident_open=True)
    assert waiting.heat().score > answered.heat().score >= DEFAULT_WEIGHTS.incident_floor


def test_a_probably_done_case_is_not_lifted_by_its_incident():
    done = Case([customer(at(0), "Notre site est hors ligne."),
                 customer(at(2), "C'est revenu, tout fonctionne. Vous pouvez fermer le ticket.")],
                now=at(2, 10), incident_open=True)
    heat = done.heat()
    assert heat.score < 10 and heat.probably_done
    assert "incident" not in [t.name for t in heat.terms]


def test_resolved_and_closed_cases_score_zero_without_terms():
    hot = furious_waiting_standard_customer_beats_critical_customer_just_answered()[0]
    assert hot.heat().score > 40
    for status in ("resolved", "closed"):
        assert hot.but(status=status, incident_open=True).heat() == Heat(0, ())


# --- explanations ----------------------------------------------------------------

def test_the_screen_says_why_a_case_is_hot():
    case = Case([customer(at(0), "Le certificat a expiré."), engineer(at(1), "kenji"),
                 customer(at(2), "Toujours rien."), engineer(at(3), "alice"),
                 customer(at(4), "C'est la troisième fois que je vous écris. INADMISSIBLE !!!"),
                 engineer(at(5), "bob"), customer(at(6))],
                now=at(11, 12), tier="critical")
    heat = case.heat()
    values = {t.name: t.value for t in heat.terms}
    assert values["waiting"] == "waiting 5 h 12 min"
    assert values["engineers"] == "3 engineers"
    assert values["words"] == "'inadmissible', 'troisième fois', 'toujours rien', '!!!', SHOUTING"
    assert Term("tier", "critical", DEFAULT_WEIGHTS.tier_critical) in heat.terms
    assert values["exchanges"] == "7 messages, 6 back-and-forths in 6 h"
    assert values["age"] == "open 11 h 12 min"
    assert heat.terms[0].name == "down"  # the expired certificate weighs most, then the wait
    assert heat.terms[1].name == "waiting"


def test_terms_are_largest_first_nonzero_and_add_up_to_the_score():
    for scenario in SCENARIOS:
        for case in scenario():
            heat = case.heat()
            points = [t.points for t in heat.terms]
            assert points == sorted(points, reverse=True)
            # Zero-point terms are notes only: what was not counted, links that did not stop the clock.
            assert all(abs(t.points) >= 0.05 or t.name in ("not counted", "bounced") for t in heat.terms)
            assert abs(sum(points) - heat.score) <= 0.5 or heat.score == 100


def test_cooling_says_the_ball_is_in_the_customers_court():
    answered = Case([customer(at(0)), engineer(at(1))], now=at(1, 5))
    assert ("cooling", "answered 5 min ago") in [(t.name, t.value) for t in answered.heat().terms]
    pending = answered.but(status="pending")
    assert ("cooling", "pending: waiting on the customer") in [(t.name, t.value) for t in pending.heat().terms]
    # They only acknowledged ("I will test tonight"): still their move, open or pending.
    story = Case([customer(at(0)), engineer(at(1)), customer(at(2), "Ok, I will test tonight.")], now=at(6))
    for case in (story, story.but(status="pending")):
        terms = {t.name: t.value for t in case.heat().terms}
        assert "waiting" not in terms and terms["cooling"] == "their move: they said 'I will test'"
    # They wrote back with something for us: waiting again, even if the case was left pending.
    back = story.but(events=[*story.events[:2], customer(at(2), "Here is the error: 413 Request Entity Too Large.")])
    for case in (back, back.but(status="pending")):
        terms = {t.name: t.value for t in case.heat().terms}
        assert terms["waiting"] == "waiting 4 h" and "cooling" not in terms


def test_our_own_words_do_not_heat_the_case():
    def case(text):
        return Case([customer(at(0)), engineer(at(1), text=text), customer(at(2))], now=at(3))
    alarmed = case("Sorry, this is urgent on our side too: the server is still down, again. Unacceptable!!!")
    assert alarmed.heat() == case("Hello, we are looking at it.").heat()


def test_notes_and_internal_events_do_not_change_the_heat():
    story = [customer(at(0)), engineer(at(1)), customer(at(2))]
    noted = [*story, note(at(2, 30), "bob", "URGENT!!! customer is furious, still down"),
             Event(at(2, 40), "action", "out", "bob", "issued certificate", "tool")]
    assert Case(noted, now=at(4)).heat() == Case(story, now=at(4)).heat()


# --- properties ----------------------------------------------------------------------

BODIES = ["Bonjour, le certificat de boutique-martin.fr a expiré.", "Merci pour votre aide.",
          "Toujours pas de réponse !!!", "The site is DOWN AGAIN, FIX IT NOW", "Any news?",
          "Le disque du serveur web est plein depuis hier soir, la base MySQL ne démarre plus.",
          "Nous avons une question sur la facture du mois dernier.", "Ok thanks", ""]
#: Frustration phrases, but those that also name a commercial matter ("pénalités"): in the message opening the case
#: they make it one, which waits for the accounts team's hours and is cooled by design (`sales_points`).
PHRASES = [p.text for p in LEXICON.phrases
           if not LEXICON.section("sales").scan(fast_fold(p.text), tokens(fast_fold(p.text)))]
#: Incident updates: one sparing the customers' sites (the incident then lifts no case), one saying the
#: services are back (it lifts no case the customer never wrote on), one neither.
UPDATES = ["[Incident] Panel graphs are delayed. Hosted services are not affected.",
           "[Incident] Services on web-7 are working normally again.",
           "[Incident] Some websites on web-7 are unreachable. Email is not affected."]


@st.composite
def stories(draw) -> list[Event]:
    """Customer and engineer messages (and the odd note) at increasing times."""
    n = draw(st.integers(1, 9))
    when = T0
    events = []
    for _ in range(n):
        when += timedelta(minutes=draw(st.integers(0, 600)))
        who = draw(st.sampled_from(["in", "in", "out", "note", "update"]))
        body = draw(st.sampled_from(BODIES))
        if who == "update":
            events.append(Event(when, "message", "out", "status", draw(st.sampled_from(UPDATES)), "email",
                                broadcast=True))
        elif who == "in":
            events.append(customer(when, body, kind=draw(st.sampled_from(["message", "call", "chat"]))))
        elif who == "out":
            events.append(engineer(when, draw(st.sampled_from(["alice", "bob", "kenji", "mei"])), body))
        else:
            events.append(note(when, "alice", body))
    return events


CASES = st.builds(
    lambda events, later, tier, status, incident: Case(
        events, now=events[-1].at + timedelta(minutes=later), tier=tier, status=status,
        opened_at=events[0].at - timedelta(hours=1), incident_open=incident),
    stories(), st.integers(0, 3000), st.sampled_from(["standard", "business", "critical"]),
    st.sampled_from(["new", "open", "pending"]), st.booleans())


@settings(max_examples=150, deadline=None)
@given(CASES, st.integers(0, 100_000))
def test_more_waiting_never_cools_a_case(case, extra_minutes):
    later = case.but(now=case.now + timedelta(minutes=extra_minutes, seconds=extra_minutes % 60))
    assert later.heat().score >= case.heat().score


@settings(max_examples=100, deadline=None)
@given(CASES)
def test_resolving_always_cools_to_zero(case):
    for status in ("resolved", "closed"):
        assert case.but(status=status).heat() == Heat(0, ())


@settings(max_examples=150, deadline=None)
@given(CASES, st.data())
def test_adding_a_frustration_word_never_cools(case, data):
    inbound = [i for i, e in enumerate(case.events) if e.direction == "in"]
    assume(inbound)
    i = data.draw(st.sampled_from(inbound))
    phrase = data.draw(st.sampled_from(PHRASES))
    event = case.events[i]
    body = data.draw(st.sampled_from([f"{event.body} {phrase}", f"{phrase}. {event.body}"]))
    angrier = [*case.events[:i], replace(event, body=body), *case.events[i + 1:]]
    assert case.but(events=angrier).heat().score >= case.heat().score


@settings(max_examples=150, deadline=None)
@given(CASES)
def test_pending_cools_relative_to_the_same_case_open(case):
    open_heat = case.but(status="open").heat()
    pending_heat = case.but(status="pending").heat()
    assert pending_heat.score <= open_heat.score
    # Strictly cooler once rounding to whole points cannot hide it (answered-last
    # cases are already cooled by 0.6, pending by 0.4), when the last word is
    # ours: a customer message we have not answered is waiting whatever the status.
    stats = fold_events(case.events)
    if (open_heat.score >= 4 and not case.incident_open and stats.wait_t is None
            and not stats.done and not stats.ack):
        assert pending_heat.score < open_heat.score


@settings(max_examples=150, deadline=None)
@given(CASES)
def test_adding_events_one_by_one_equals_folding_them_all(case):
    stats = CaseStats()
    for event in case.events:
        # Stored and reloaded between events, as the store does.
        stats = CaseStats.from_json(add_event(stats, event).to_json())
    assert stats == fold_events(case.events)
    assert stats.to_json() == fold_events(case.events).to_json()


@settings(max_examples=100, deadline=None)
@given(CASES)
def test_stored_stats_score_like_fresh_ones(case):
    stats = fold_events(case.events)
    again = CaseStats.from_json(stats.to_json())
    assert again == stats
    kw = dict(status=case.status, opened_at=case.opened_at, tier=case.tier, now=case.now,
              incident_open=case.incident_open)
    assert score(again, **kw) == score(stats, **kw)


@settings(max_examples=200, deadline=None)
@given(CASES, st.sampled_from(["new", "open", "pending", "resolved"]), st.integers(0, 20_000))
def test_the_clock_tick_scores_exactly_like_the_explanation(case, status, later):
    # The tick rescores from the time-free points alone; the queue must show the
    # score that `e` (why hot?) explains, for any weights.
    stats = fold_events(case.events)
    now = case.now + timedelta(minutes=later)
    opened = case.opened_at or min(e.at for e in case.events)
    for weights in (DEFAULT_WEIGHTS, replace(DEFAULT_WEIGHTS, answered_factor=0.9, incident_floor=80.0)):
        explained = score(stats, status=status, opened_at=opened, tier=case.tier, now=now,
                          incident_open=case.incident_open, weights=weights)
        expected = explained.score, explained.rank
        assert heat_value(steady_points(stats, weights), wait_t=stats.wait_t, out_t=stats.out_t, status=status,
                          opened_t=opened.timestamp(), tier=case.tier, now_t=now.timestamp(),
                          incident_open=case.incident_open, weights=weights, mode=mode_of(stats), promise_t=stats.promise_t,
                          down=bool(stats.down), harm=bool(stats.harm), due_t=stats.due_t,
                          troubled=is_troubled(stats), spared=stats.incident_spared,
                          breaks=stats.due_breaks) == expected


# --- the stats the queue reads ----------------------------------------------------

def test_stats_expose_whose_turn_and_who_answered():
    stats = fold_events([customer(at(0)), customer(at(1)), engineer(at(2), "kenji"), customer(at(3)),
                         engineer(at(4), "alice"), engineer(at(4, 30), "kenji"), customer(at(5)),
                         note(at(6), "bob")])
    assert stats.waiting_since == "2026-11-24T06:00:00Z"
    assert stats.last_in_at == "2026-11-24T06:00:00Z"
    assert stats.last_out_at == "2026-11-24T05:30:00Z"
    assert stats.exchanges == 7
    assert stats.engineers == ["kenji", "alice"]
    answered = add_event(stats, engineer(at(7), "bob"))
    assert answered.waiting_since is None and answered.engineers == ["kenji", "alice", "bob"]


def test_first_unanswered_message_starts_the_wait():
    stats = fold_events([customer(at(0)), engineer(at(1)), customer(at(2)), customer(at(3)),
                         customer(at(4), kind="call")])
    assert stats.waiting_since == "2026-11-24T03:00:00Z"


def test_stored_stats_stay_compact_on_a_long_case():
    events = []
    for i in range(60):
        text = (f"Message {i}: le certificat de boutique-{i}.fr ne fonctionne toujours pas, "
                f"c'est la troisième fois, URGENT !!! " + "détail " * 150)
        events += [customer(at(2 * i), text), engineer(at(2 * i + 1), f"eng{i % 7}", "We are looking.")]
    stats = fold_events(events)
    assert len(stats.to_json().encode()) < 1500
    assert len(fold_events(events[:5]).to_json().encode()) < 700


def test_empty_stored_stats_mean_no_events():
    assert CaseStats.from_json("{}") == CaseStats()


def test_stats_stored_by_the_first_version_still_score():
    old = ('{"waiting_since":"2026-11-24T01:00:00Z","last_in_at":"2026-11-24T01:00:00Z",'
           '"last_out_at":null,"exchanges":1,"engineers":[]}')
    heat = score(CaseStats.from_json(old), status="open", opened_at=at(0), tier="standard", now=at(3))
    # The same wait, folded now from a message with nothing in it for the heat's other terms.
    assert heat == Case([customer(at(0), "Bonjour, pouvez-vous regarder ? Merci.")], now=at(3)).heat()


# --- bad input ---------------------------------------------------------------------

@pytest.mark.parametrize("text, message", [
    ("not json", "case stats: expected a JSON object, got 'not json'"),
    ("[1, 2]", "case stats: expected a JSON object, got '[1, 2]'"),
    ('{"exchanges": 3, "mood": "bad"}', "case stats: mood: unknown field"),
])
def test_bad_stored_stats_are_named(text, message):
    with pytest.raises(ValueError) as err:
        CaseStats.from_json(text)
    assert str(err.value).startswith(message)


def test_unknown_tier_or_status_is_an_error_naming_it():
    stats = fold_events([customer(at(0))])
    with pytest.raises(ValueError, match=r"tier: expected one of standard, business, critical, got 'gold'"):
        score(stats, status="open", opened_at=at(0), tier="gold", now=at(1))
    with pytest.raises(ValueError, match=r"status: expected one of .*, got 'sleeping'"):
        score(stats, status="sleeping", opened_at=at(0), tier="standard", now=at(1))


def test_an_event_older_than_the_last_message_asks_for_a_refold():
    stats = fold_events([customer(at(0)), engineer(at(2))])
    with pytest.raises(ValueError, match=r"older than the case's last message; refold"):
        add_event(stats, customer(at(1)))


def test_an_event_without_time_zone_is_refused():
    with pytest.raises(ValueError, match=r"at: expected a timezone-aware time"):
        add_event(CaseStats(), customer(datetime(2026, 11, 24, 1, 0)))


# --- weights -------------------------------------------------------------------------

def test_default_weights_are_documented_in_heat_toml():
    text = resources.files("oncall_tui.data").joinpath("heat.toml").read_text(encoding="utf-8")
    table = tomllib.loads(text)["heat"]
    assert set(table) == {f.name for f in fields(Weights)}
    for key in table:
        assert f"\n{key} = " in text
    assert load_weights({}, "config.toml") == DEFAULT_WEIGHTS
    assert DEFAULT_WEIGHTS.incident_floor == table["incident_floor"]


def test_configured_weights_override_only_their_keys():
    weights = load_weights({"tier_critical": 0, "waiting_max": 55.5}, "config.toml")
    assert weights.tier_critical == 0.0 and weights.waiting_max == 55.5
    assert weights.age_max == DEFAULT_WEIGHTS.age_max
    critical, standard = critical_customer_beats_standard_customer()
    assert critical.heat(weights).score == standard.heat(weights).score
    assert standard.heat(weights).score > standard.heat().score


@pytest.mark.parametrize("mapping, message", [
    ({"wating_max": 3}, "config.toml: heat.wating_max: expected one of waiting_max, "),
    ({"waiting_max": "lots"}, "config.toml: heat.waiting_max: expected a number of points from 0 to 100, "
                              "got 'lots'"),
    ({"waiting_max": 150}, "config.toml: heat.waiting_max: expected a number of points from 0 to 100, got 150"),
    ({"pending_factor": 1.5}, "config.toml: heat.pending_factor: expected a number from 0 to 1, got 1.5"),
    ({"age_scale_days": 0}, "config.toml: heat.age_scale_days: expected a positive number, got 0"),
    ({"tier_business": True}, "config.toml: heat.tier_business: expected a number of points from 0 to 100, "
                              "got True"),
    ({"words_scale": float("nan")}, "config.toml: heat.words_scale: expected a positive number, got nan"),
])
def test_bad_weights_name_the_file_the_key_and_the_expectation(mapping, message):
    with pytest.raises(ValueError) as err:
        load_weights(mapping, "config.toml")
    assert str(err.value).startswith(message)
    assert "got" in str(err.value)


def test_unknown_key_error_says_it_is_unknown():
    with pytest.raises(ValueError, match=r"got an unknown key$"):
        load_weights({"colour": 1}, "config.toml")


def test_answered_stats_stored_by_the_first_version_cool_down():
    old = ('{"waiting_since":null,"last_in_at":"2026-11-24T01:00:00Z",'
           '"last_out_at":"2026-11-24T02:00:00Z","exchanges":2,"engineers":["alice"]}')
    heat = score(CaseStats.from_json(old), status="open", opened_at=at(0), tier="standard", now=at(3))
    assert ("cooling", "answered 2 h ago") in [(t.name, t.value) for t in heat.terms]
    assert "waiting" not in [t.name for t in heat.terms]
