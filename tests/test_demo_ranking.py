"""The demo's queue at start-up tells the true story: the bounced SSL customer on top, for the reasons
an engineer would see; the outage customers next; an ordinary bulk that looks like a provider that
answers its customers. Plus the frustration phrases customers really write, found by the lexicon."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from oncall_tui.demo.environment import seed_demo_store
from oncall_tui.usecases.queue import ranked

from .conftest import open_session
from .models import LEXICON

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc)  # any time: the demo shifts its clock to it
LATER = [0, 20]  # minutes after start-up: the story must survive the first minutes of the demo
OUTAGE = {f"T-{n}" for n in range(1101, 1116)}
HOUR = 3600


@pytest.fixture(scope="module")
def queues(tmp_path_factory) -> dict[int, list[dict]]:
    demo_path = tmp_path_factory.mktemp("demo") / "d.db"
    seed_demo_store(demo_path, now=NOW)
    session = open_session(demo_path)
    try:
        return {m: ranked(session, now=NOW + timedelta(minutes=m)).rows for m in LATER}
    finally:
        session.close()


def terms(row: dict) -> dict[str, dict]:
    return {t["name"]: t for t in row["terms"]}


def rank(queue: list[dict], case_id: str) -> int:
    return next(i for i, row in enumerate(queue, start=1) if row["id"] == case_id)


# --------------------------------------------------------------------------- the stories


@pytest.mark.parametrize("minutes", LATER)
def test_the_customer_bounced_to_the_docs_is_first_in_the_queue(queues, minutes):
    top = queues[minutes][0]
    assert top["id"] == "T-1001", [(r["id"], r["heat"]) for r in queues[minutes][:5]]


@pytest.mark.parametrize("minutes", LATER)
def test_the_bounced_customer_is_hot_for_what_an_engineer_would_see(queues, minutes):
    row = next(r for r in queues[minutes] if r["id"] == "T-1001")
    why = terms(row)
    words = why["words"]["value"]
    for said in ("'3ème fois'", "'je répète'", "'ça fait 4 heures'", "'!!!'", "SHOUTING"):
        assert said in words, words
    assert why["repeats"]["value"].startswith("repeated themselves 3")
    assert "8 back-and-forths in 2 h" in why["exchanges"]["value"]
    assert why["engineers"]["value"] == "3 engineers"
    # Every reply was a link to the docs: none stopped the clock, which runs since his first request,
    # and he came back after each one.
    assert why["bounced"]["value"] == ("4 replies of ours only pointed to the docs or a template; "
                                       "came back 4\u00d7 with the same request")
    assert why["waiting"]["value"].startswith("waiting 4 h")
    conversation = sum(why[name]["points"] for name in ("words", "repeats", "exchanges", "engineers", "bounced"))
    assert conversation >= 0.6 * row["heat"]
    assert "cooling" not in why


@pytest.mark.parametrize("minutes", LATER)
def test_the_bounced_customer_leads_a_queue_that_is_not_cold(queues, minutes):
    queue = queues[minutes]
    # Others were not cooled down to let T-1001 win: the runner-up is hot and the top is busy.
    assert queue[1]["heat"] >= 60
    assert sum(row["heat"] >= 45 for row in queue[1:]) >= 12


@pytest.mark.parametrize("minutes", LATER)
def test_the_customer_who_explained_three_times_is_in_the_top_five(queues, minutes):
    assert rank(queues[minutes], "T-1002") <= 5
    why = terms(next(r for r in queues[minutes] if r["id"] == "T-1002"))
    assert why["repeats"]["value"].startswith("repeated themselves 3")
    assert "'already explained'" in why["words"]["value"]


@pytest.mark.parametrize("minutes", LATER)
def test_outage_customers_still_waiting_are_near_the_top(queues, minutes):
    top20 = queues[minutes][:20]
    waiting = [r["id"] for r in top20 if r["id"] in OUTAGE and r["status"] in ("new", "open") and r["waiting_seconds"]]
    assert len(waiting) >= 5, waiting


# --------------------------------------------------------------------------- the bulk


def bulk(queue: list[dict], *statuses: str) -> list[dict]:
    return [r for r in queue if r["id"].startswith("T-2") and r["status"] in statuses]


def test_an_ordinary_customer_rarely_waits_more_than_eight_hours(queues):
    forgotten = [r["id"] for r in bulk(queues[0], "new", "open") if r["waiting_seconds"] > 8 * HOUR]
    assert len(forgotten) <= 4, forgotten


def test_most_open_cases_were_answered_or_wait_minutes_to_a_few_hours(queues):
    open_cases = bulk(queues[0], "open")
    assert len(open_cases) >= 40
    answered = [r for r in open_cases if r["waiting_seconds"] == 0]
    short = [r for r in open_cases if 0 < r["waiting_seconds"] <= 5 * HOUR]
    assert len(answered) > len(open_cases) / 2
    assert len(answered) + len(short) >= 0.9 * len(open_cases)
    assert len(short) >= 5, "some customers are waiting on us right now"


def test_pending_cases_wait_on_the_customer(queues):
    pending = bulk(queues[0], "pending")
    assert len(pending) >= 15
    assert all(r["waiting_seconds"] == 0 for r in pending), [r["id"] for r in pending if r["waiting_seconds"]]
    assert all(any(t["name"] == "cooling" for t in r["terms"]) for r in pending if r["heat"])


# --------------------------------------------------------------------------- the lexicon

NEW_PHRASES = [
    # French, as customers type them
    ("c'est la 3eme fois qu'on me renvoie vers la doc", "3ème fois"),
    ("C'EST LA 3ÈME FOIS", "3ème fois"),
    ("3e fois que j'écris", "3e fois"),
    ("pour la 3ieme fois", "3ième fois"),
    ("c'est la 2e fois", "2e fois"),
    ("la 2eme fois cette semaine", "2ème fois"),
    ("4eme fois que je demande", "4ème fois"),
    ("4e fois !", "4e fois"),
    ("qu'on me renvoie vers la doc", "on me renvoie"),
    ("Je repete : je veux le cadenas", "je répète"),
    ("je me répète mais", "je me répète"),
    ("je veux juste le cadenas", "je veux juste"),
    ("je comprend rien a votre doc", "je comprend rien"),
    ("j'y comprends rien, je comprends rien", "je comprends rien"),
    ("personne parle francais ??", "personne parle français"),
    ("personne ne parle français chez vous ?", "personne ne parle français"),
    ("ÇA FAIT 4 HEURES !!!", "ça fait 4 heures"),
    ("ça fait 3 heures et demi que j'attends", "ça fait 3 heures"),
    ("ca fait 2 heures", "ça fait 2 heures"),
    ("ça fait 5 heures", "ça fait 5 heures"),
    ("ça fait 6 heures", "ça fait 6 heures"),
    ("ça fait une heure", "ça fait une heure"),
    ("ça fait plus d'une heure", "ça fait plus d'une heure"),
    ("ça fait des heures", "ça fait des heures"),
    ("Ça fait 2 jours, quelqu'un s'en occupe ?", "ça fait 2 jours"),
    ("ça fait 3 jours", "ça fait 3 jours"),
    ("ça fait des jours", "ça fait des jours"),
    ("ça fait une semaine !", "ça fait une semaine"),
    ("IL Y A QUELQU'UN ???", "y a quelqu'un"),
    ("allo ??? personne ?", "allo"),
    ("Aucune nouvelle depuis hier soir", "aucune nouvelle"),
    ("pas de nouvelles depuis lundi", "pas de nouvelles"),
    ("j'attends toujours le devis", "j'attends toujours"),
    ("j'attends depuis ce matin", "j'attends depuis"),
    ("lisez mon message svp", "lisez mon message"),
    ("lisez le ticket !", "lisez le ticket"),
    ("On paye pour du managé", "on paye pour"),
    ("on paie pour un service", "on paie pour"),
    # English
    ("Still waiting on this one.", "still waiting"),
    ("I've been waiting all morning", "been waiting"),
    ("This is the 3rd time I ask", "3rd time"),
    ("2nd time this week", "2nd time"),
    ("4th time I'm chasing", "4th time"),
    ("Third time I'm chasing this", "third time"),
    ("How many times do I have to ask?", "how many times"),
    ("I repeat: the checkout fails", "i repeat"),
    ("I'm repeating myself", "repeating myself"),
    ("As I already explained to your colleague", "already explained"),
    ("As I already explained TWICE", "explained twice"),
    ("Please read the ticket.", "read the ticket"),
    ("Is anyone there?", "anyone there"),
    ("Nobody is answering the phone", "nobody is answering"),
    ("No update for over an hour", "no update"),
    ("no news since yesterday", "no news"),
    ("we had no word from you overnight", "no word from you"),
    ("We haven't heard back", "haven't heard back"),
    ("We pay for managed hosting!!!", "we pay for"),
    # already there, asked for again: still found
    ("personne ne répond", "personne ne répond"),
]


@pytest.mark.parametrize("text, phrase", NEW_PHRASES)
def test_frustration_customers_really_write_is_found(text, phrase):
    assert phrase in [p.text for p in LEXICON.match(text)]


@pytest.mark.parametrize("text, phrase", [
    ("la 13e fois", "3e fois"),  # whole words: 13e is not 3e
    ("ça fait 12 heures", "ça fait 2 heures"),
    ("une allocation mémoire", "allo"),
    ("the update was installed", "no update"),
])
def test_new_phrases_match_whole_words_only(text, phrase):
    assert phrase not in [p.text for p in LEXICON.match(text)]


def test_new_phrases_weigh_like_their_neighbours():
    weights = {p.text: p.weight for p in LEXICON.phrases}
    assert weights["3ème fois"] == weights["troisième fois"] == weights["3rd time"] == weights["third time"] == 3
    assert weights["je répète"] == weights["i repeat"] == 2
    assert weights["ça fait 4 heures"] == weights["depuis des heures"] == 2
    # "still waiting" also holds "still": the longer phrase carries only the extra weight
    assert weights["still"] + weights["still waiting"] == 2
