"""The RT connector against a real Request Tracker 5 (see tests/servers/rt.py).

Each test works in a queue of its own, so tests don't see each other's tickets.
"""

from __future__ import annotations

from datetime import datetime, timezone

import httpx
import pytest

from oncall_tui.connectors.rt import (
    RtConfig,
    RtConfigError,
    RtConnector,
    RtError,
    RtUnavailable,
    read_token,
)
from oncall_tui.store.importer import import_document

from .conftest import open_store

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc)
JEAN = "jean@boulangerie.fr"




@pytest.fixture
def config(rt_server, token_file, queue):
    return RtConfig.from_dict({
        "base_url": rt_server.base_url, "token_file": str(token_file), "queues": [queue],
        "customer_domains": {"boulangerie.fr": "c-boul"},
    }, where="test config")


def history(rt_server, ticket: int) -> list[tuple[str, str]]:
    """(type, creator) of every transaction, read straight from REST2."""
    resp = httpx.get(f"{rt_server.rest_url}/ticket/{ticket}/history",
                     params={"fields": "Type,Creator", "per_page": 100},
                     headers={"Authorization": f"token {rt_server.token}"}, timeout=10)
    resp.raise_for_status()
    return [(t["Type"], t["Creator"]["id"]) for t in resp.json()["items"]]


# -- phase 1: the server itself ------------------------------------------------------


def test_customer_ticket_with_engineer_reply_and_comment_is_visible_through_rest2(rt_server, queue):
    ticket, _ = rt_server.customer_email(queue, JEAN, "Charger un SSL", "Bonjour, comment charger un SSL ?")
    rt_server.reply(ticket, "alice", "Bonjour Jean, c'est fait.")
    rt_server.comment(ticket, "bob", "DNS was fine, issued via certbot.")

    types = history(rt_server, ticket)
    people = [(kind, who) for kind, who in types if who != "RT_System"]
    assert people == [("Create", JEAN), ("Correspond", "alice"), ("Comment", "bob")]
    # RT's own bookkeeping is there too: the autoreply and the reply as sent mail.
    assert ("EmailRecord", "RT_System") in types


# -- phase 2: pull ------------------------------------------------------------------


async def test_pull_gives_messages_notes_and_statuses_by_who_wrote_them(rt_server, queue, config):
    ssl, first = rt_server.customer_email(queue, JEAN, "Charger un SSL", "Comment charger un SSL ?")
    reply = rt_server.reply(ssl, "alice", "Done, the padlock is there.")
    again = rt_server.customer_email(queue, JEAN, "Re: Charger un SSL", "Merci !", ticket=ssl)[1]
    note = rt_server.comment(ssl, "bob", "certbot run on web-01")
    resolved = rt_server.set_status(ssl, "alice", "resolved")
    other, _ = rt_server.customer_email(queue, "ann@acme.example", "Site down", "502 since deploy")

    async with RtConnector(config) as rt:
        result = await rt.pull()

    assert result.tickets == 2
    cases = {c["id"]: c for c in result.document["cases"]}
    case = cases[f"RT-{ssl}"]
    assert (case["customer"], case["status"], case["external_ref"]) == ("c-boul", "resolved", f"rt:{ssl}")
    assert [(e["id"], e["kind"], e["direction"], e["author"], e["body"]) for e in case["events"]] == [
        (f"rt:main:txn:{first}", "message", "in", JEAN, "Comment charger un SSL ?"),
        (f"rt:main:txn:{reply}", "message", "out", "alice", "Done, the padlock is there."),
        (f"rt:main:txn:{again}", "message", "in", JEAN, "Merci !"),
        (f"rt:main:txn:{note}", "note", "internal", "bob", "certbot run on web-01"),
        (f"rt:main:txn:{resolved}", "status", "internal", "alice", "resolved (RT: open → resolved)"),
    ]  # no autoreply, no EmailRecord, no automatic new → open
    # A requestor no mapping knows, without an RT organisation, is a customer of their own.
    assert cases[f"RT-{other}"]["customer"] == "main:ann@acme.example"
    assert result.document["customers"] == [{"id": "main:ann@acme.example", "name": "ann@acme.example"}]


async def test_pulled_document_imports_into_the_store_once(rt_server, queue, config, store_path):
    ticket, _ = rt_server.customer_email(queue, JEAN, "Espace disque", "Plus de mémoire sur le serveur")
    rt_server.reply(ticket, "bob", "I freed 10 GB of old logs.")
    store = open_store(store_path)
    import_document(store, {"customers": [{"id": "c-boul", "name": "Boulangerie Martin", "language": "fr"}],
                            "cases": []}, now=NOW)
    async with RtConnector(config) as rt:
        result = await rt.pull()

    first = import_document(store, result.document, now=NOW, source="rt:main", cursor=result.cursor)
    again = import_document(store, result.document, now=NOW, source="rt:main", cursor=result.cursor)

    assert (first.events_added, again.events_added) == (2, 0)
    row = store.query_one("SELECT name FROM customers WHERE id = 'c-boul'")
    assert row["name"] == "Boulangerie Martin"  # a configured customer is not overwritten
    store.close()


async def test_incremental_pull_returns_only_tickets_changed_since_the_cursor(rt_server, queue, config):
    tickets = [rt_server.customer_email(queue, JEAN, f"Question {i}", f"Body {i}")[0] for i in range(3)]
    rt_server.age(tickets, 3600)  # an hour ago, so "changed now" is unambiguous without sleeping

    async with RtConnector(config) as rt:
        full = await rt.pull()
        unchanged = await rt.pull(full.cursor)
        reply = rt_server.reply(tickets[1], "alice", "Answer to question 1")
        changed = await rt.pull(unchanged.cursor)

    assert full.tickets == 3
    assert (unchanged.tickets, unchanged.document["cases"], unchanged.cursor) == (0, [], full.cursor)
    assert [c["id"] for c in changed.document["cases"]] == [f"RT-{tickets[1]}"]
    assert f"rt:main:txn:{reply}" in {e["id"] for e in changed.document["cases"][0]["events"]}
    assert changed.cursor != full.cursor


# -- phase 2: push --------------------------------------------------------------------


async def test_reply_comment_and_status_pushed_from_oncall_appear_in_rt_history(rt_server, queue, config):
    ticket, _ = rt_server.customer_email(queue, JEAN, "Vhost", "Pouvez-vous ajouter un ftp ?")
    async with RtConnector(config) as rt:
        reply = await rt.correspond(ticket, "Vhost added for boutique-martin.fr")
        note = await rt.comment(ticket, "Ran the add-vhost runbook on web-01")
        status = await rt.set_status(ticket, "pending")
        pulled = (await rt.pull()).document["cases"][0]

    assert ("Correspond", "alice") in history(rt_server, ticket)
    events = {e["id"]: e for e in pulled["events"]}
    assert events[f"rt:main:txn:{reply}"]["body"] == "Vhost added for boutique-martin.fr"
    assert events[f"rt:main:txn:{reply}"]["direction"] == "out"
    assert events[f"rt:main:txn:{note}"]["kind"] == "note"
    assert events[f"rt:main:txn:{status}"]["body"] == "pending (RT: open → stalled)"
    assert pulled["status"] == "pending"


async def test_reply_waits_while_rt_is_down_and_is_delivered_once_when_it_is_back(rt_server, queue, config):
    ticket, _ = rt_server.customer_email(queue, JEAN, "Urgent", "Le site ne répond plus")
    text = "We are on it: the web server is restarting."
    rt_server.stop()
    try:
        async with RtConnector(config) as rt:
            with pytest.raises(RtUnavailable) as down:
                await rt.correspond(ticket, text)
    finally:
        rt_server.start()
    assert down.value.ambiguous is False
    assert "cannot connect" in str(down.value)

    async with RtConnector(config) as rt:
        sent = await rt.deliver(ticket, "correspond", text)
        resent = await rt.deliver(ticket, "correspond", text)

    assert resent == sent
    assert history(rt_server, ticket).count(("Correspond", "alice")) == 1


# -- configuration and token ------------------------------------------------------------


def test_token_file_readable_by_others_is_refused_with_the_fix(token_file):
    token_file.chmod(0o644)
    with pytest.raises(RtConfigError) as err:
        read_token(token_file)
    assert str(token_file) in str(err.value) and f"chmod 600 {token_file}" in str(err.value)
    token_file.chmod(0o600)
    assert read_token(token_file).reveal().count("-") == 2


async def test_wrong_token_is_reported_as_an_rt_error_with_a_hint(config):
    async with RtConnector(config, token="1-27-0000") as rt:
        with pytest.raises(RtError) as err:
            await rt.pull()
    assert err.value.status == 401 and "token" in str(err.value)


@pytest.mark.parametrize(("change", "key"), [
    ({"queues": []}, "queues"),
    ({"base_url": "rt.example.net"}, "base_url"),
    ({"poll_interval": 0}, "poll_interval"),
    ({"colour": "red"}, "colour"),
])
def test_bad_config_names_the_key(change, key):
    good = {"base_url": "https://rt.example.net", "token_file": "/tmp/t", "queues": ["Support"]}
    with pytest.raises(RtConfigError, match=f"config.toml \\[rt\\]: .*'{key}'"):
        RtConfig.from_dict({**good, **change}, where="config.toml [rt]")
