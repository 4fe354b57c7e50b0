"""Writes reaching a real Request Tracker 5: once each, as whom, what waits and why, tickets oncall opens.

Each test opens its own ticket, from one of the world's people, in a queue of
its own (tests/servers/rt_world.py); the team's shared token belongs to the
service account `oncall-bot`, bob has a token of his own, carol has none.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import textwrap
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest

from oncall_tui.cli import main
from oncall_tui.config import load_config
from oncall_tui.connectors.catalog import load_sources
from oncall_tui.connectors.source import SourceConfigError
from oncall_tui.usecases import writing
from oncall_tui.usecases.sync import deliver_outbox

from .conftest import open_session
from .servers.rt_world import (
    KENJI,
    LUKAS,
    PEOPLE,
    SHARED_ACCOUNT,
    customer_message,
    private_file,
    source_table,
    write_config,
)

ROOT = Path(__file__).resolve().parents[1]


def oncall(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def rt_txns(rt_server, ticket: int) -> list[tuple[str, str, str]]:
    """(type, creator, text) of the ticket's people's transactions, and status changes as (Status, who, new)."""
    headers = {"Authorization": f"token {rt_server.token}"}
    txns = httpx.get(f"{rt_server.rest_url}/ticket/{ticket}/history", headers=headers, timeout=10,
                     params={"fields": "Type,Creator,NewValue", "per_page": 100}).json()["items"]
    atts = httpx.get(f"{rt_server.rest_url}/ticket/{ticket}/attachments", headers=headers, timeout=10,
                     params={"fields": "TransactionId,ContentType,Content,Filename", "per_page": 100}).json()["items"]
    txn_of = lambda a: int(a["TransactionId"]["id"] if isinstance(a["TransactionId"], dict) else a["TransactionId"])
    text = {txn_of(a): a["Content"].strip() for a in atts
            if a.get("ContentType") == "text/plain" and not a.get("Filename") and a.get("Content")}
    out = []
    for t in txns:
        who = t["Creator"]["id"]
        if who == "RT_System":
            continue
        if t["Type"] in ("Create", "Correspond", "Comment"):
            out.append((t["Type"], who, text.get(int(t["id"]), "")))
        elif t["Type"] == "Status":
            out.append(("Status", who, t["NewValue"]))
    return out


@pytest.fixture
def desk(rt_server, rt_world, queue, shared_token, tmp_path, store_path):
    """A ticket from Lukas in this test's queue, synced into a fresh store; bob's own token in his config."""
    ticket, _ = rt_server.mail(queue, customer_message(PEOPLE[LUKAS], "Webseite langsam",
                                                       "Hallo, die Webseite ist seit heute Morgen langsam.", ()))
    bob_token = private_file(tmp_path / "bob-rt.token", rt_world.bob_token)

    class Desk:
        pass

    d = Desk()
    d.ticket, d.case, d.queue, d.db = ticket, f"RT-{ticket}", queue, store_path
    d.config = {user: write_config(tmp_path / f"{user}.toml", source_table(
        rt_server.base_url, shared_token, queues=(queue,),
        user_token_file=bob_token if user == "bob" else None), user=user) for user in ("alice", "bob", "carol")}
    assert main(["--db", str(d.db), "--config", str(d.config["alice"]), "sync", "--once"]) == 0
    return d


def session_of(d, user: str, now=None):
    return open_session(d.db, user=user, config=load_config(d.config[user]),
                        now=now or (lambda: datetime.now(timezone.utc)))


async def deliver(d, user: str, now: datetime | None = None):
    session = session_of(d, user, now)
    try:
        sources = session.sources()
        try:
            return await deliver_outbox(session, sources)
        finally:
            for s in sources:
                await s.aclose()
    finally:
        session.close()


# -- 4. every write once: notes → comments, replies → correspondence, status → status -------------------------


def test_a_note_a_reply_and_a_status_change_reach_rt_once_as_comment_correspondence_and_status(
        desk, rt_server, capsys, monkeypatch):
    monkeypatch.setenv("ONCALL_USER", "bob")
    cfg = desk.config["bob"]
    assert oncall(capsys, "--db", desk.db, "--config", cfg, "note", desk.case, "Index auf orders.created fehlt.")[0] == 0
    assert oncall(capsys, "--db", desk.db, "--config", cfg, "reply", desk.case,
                  "Hallo Lukas, wir haben einen Index angelegt.")[0] == 0
    assert oncall(capsys, "--db", desk.db, "--config", cfg, "status", desk.case, "resolved")[0] == 0

    code, out, err = oncall(capsys, "--db", desk.db, "--config", cfg, "sync", "--once")
    again = oncall(capsys, "--db", desk.db, "--config", cfg, "sync", "--once")

    assert code == 0, err
    assert "outbox: 3 sent" in out
    assert rt_txns(rt_server, desk.ticket)[1:] == [
        ("Comment", "bob", "Index auf orders.created fehlt."),
        ("Correspond", "bob", "Hallo Lukas, wir haben einen Index angelegt."),
        ("Status", "bob", "resolved")]
    assert "outbox: 0 sent" in again[1]
    events = json.loads(oncall(capsys, "--db", desk.db, "history", LUKAS, "--json")[1])["events"]
    bodies = [e["body"] for e in events if e["case_id"] == desk.case]
    assert bodies.count("Index auf orders.created fehlt.") == 1  # RT's copy of our own note is not doubled


def test_a_write_is_sent_once_even_when_oncall_dies_between_sending_and_recording(desk, rt_server, rt_world):
    session = session_of(desk, "bob")
    writing.reply(session, desk.case, "Der Index ist angelegt, bitte noch einmal testen.")
    session.close()
    child = textwrap.dedent(f"""
        import asyncio, os, signal
        from oncall_tui.config import load_config
        from oncall_tui.store import outbox
        from oncall_tui.usecases.session import Session
        from oncall_tui.usecases.sync import deliver_outbox

        def die(*args, **kwargs):
            os.kill(os.getpid(), signal.SIGKILL)  # RT has the reply; the process dies before the store records it
        outbox.mark_sent = die
        session = Session.open({str(desk.db)!r}, load_config(__import__('pathlib').Path({str(desk.config['bob'])!r})),
                               user="bob")
        asyncio.run(deliver_outbox(session, session.sources()))
    """)
    died = subprocess.run([sys.executable, "-c", child], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                          capture_output=True, text=True, timeout=60)
    assert died.returncode == -signal.SIGKILL, died.stderr
    assert [t for t in rt_txns(rt_server, desk.ticket) if t[0] == "Correspond"] == [
        ("Correspond", "bob", "Der Index ist angelegt, bitte noch einmal testen.")]

    # The next oncall finds the row still "sending"; once its lease is over it looks for the mark in RT first.
    later = datetime.now(timezone.utc) + timedelta(minutes=3)
    report = asyncio.run(deliver(desk, "bob", now=lambda: later))

    assert len(report.sent) == 1
    assert [t for t in rt_txns(rt_server, desk.ticket) if t[0] == "Correspond"] == [
        ("Correspond", "bob", "Der Index ist angelegt, bitte noch einmal testen.")]
    store = open_session(desk.db).store
    try:
        (remote,) = [r[0] for r in store.query("SELECT remote_ref FROM outbox WHERE state = 'sent'")]
        marked = httpx.get(f"{rt_server.rest_url}/transaction/{remote.rsplit(':', 1)[1]}", timeout=10,
                           headers={"Authorization": f"token {rt_server.token}"}).json()
        assert [cf["values"] for cf in marked["CustomFields"] if cf["name"] == "oncall-id"] == [
            [store.query_one("SELECT event_id FROM outbox")[0]]]  # the mark lives with the transaction
    finally:
        store.close()


class LossyProxy:
    """A loopback TCP proxy to RT that, while `lose` is set, loses the next request before RT sees it."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.lose = False
        self.server = None

    async def __aenter__(self) -> "LossyProxy":
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc) -> None:
        self.server.close()
        await self.server.wait_closed()

    @property
    def port(self) -> int:
        return self.server.sockets[0].getsockname()[1]

    async def _handle(self, reader, writer) -> None:
        if self.lose:
            head = await reader.read(65536)
            if head.startswith(b"POST"):  # a write: the connection breaks before anything reaches RT
                writer.close()
                return
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
            up_writer.write(head)
        else:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)

        async def pipe(src, dst) -> None:
            try:
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            except (ConnectionError, asyncio.CancelledError):
                pass
            finally:
                for w in (writer, up_writer):
                    w.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))


async def test_a_second_identical_reply_lost_on_its_way_is_still_delivered(desk, rt_server, shared_token, tmp_path):
    text = "Danke, wir melden uns."
    async with LossyProxy(rt_server.port) as proxy:
        cfg = write_config(tmp_path / "proxy.toml", source_table(f"http://127.0.0.1:{proxy.port}", shared_token,
                                                                 queues=(desk.queue,),
                                                                 user_token_file=tmp_path / "bob-rt.token"))
        desk.config["bob"] = cfg
        now = datetime.now(timezone.utc)
        first = session_of(desk, "bob")
        writing.reply(first, desk.case, text)
        first.close()
        assert len((await deliver(desk, "bob")).sent) == 1
        second = session_of(desk, "bob")
        writing.reply(second, desk.case, text)  # the same words again, an hour later
        second.close()
        proxy.lose = True
        lost = await deliver(desk, "bob")
        proxy.lose = False
        retried = await deliver(desk, "bob", now=lambda: now + timedelta(minutes=1))

    assert (len(lost.failed), len(retried.sent)) == (1, 1)
    # RT never got the second one: looking for its mark (not for its words) finds nothing, so it is sent.
    assert [t for t in rt_txns(rt_server, desk.ticket) if t[0] == "Correspond"] == [
        ("Correspond", "bob", text), ("Correspond", "bob", text)]


# -- 5. who RT says wrote it -----------------------------------------------------------------------------------


async def test_without_a_token_of_their_own_an_engineer_writes_through_the_shared_account_signed(desk, rt_server):
    session = session_of(desk, "carol")
    writing.add(session, desk.case, "note", "Slow query log attached to the DB ticket.")
    session.close()

    report = await deliver(desk, "carol")

    assert len(report.sent) == 1
    assert rt_txns(rt_server, desk.ticket)[-1] == ("Comment", SHARED_ACCOUNT,
                                                    "[carol] Slow query log attached to the DB ticket.")


async def test_a_write_by_an_engineer_with_their_own_token_waits_for_their_oncall_then_goes_signed(
        desk, rt_server, capsys):
    session = session_of(desk, "bob")
    writing.reply(session, desk.case, "Wir schauen uns das an.")
    session.close()

    soon = await deliver(desk, "carol")  # carol's oncall runs too: it leaves bob's reply to bob's
    code, out, err = oncall(capsys, "--db", desk.db, "outbox")
    later = datetime.now(timezone.utc) + writing.OWN_TOKEN_GRACE + timedelta(seconds=5)
    late = await deliver(desk, "carol", now=lambda: later)  # bob never came back: it goes, signed

    assert soon.sent == [] and soon.waiting == 1
    assert "sent by bob's own oncall (their RT token) until" in out
    assert len(late.sent) == 1
    assert rt_txns(rt_server, desk.ticket)[-1] == ("Correspond", SHARED_ACCOUNT, "[bob] Wir schauen uns das an.")


def test_an_own_token_file_others_can_read_is_refused_with_the_fix(rt_world, rt_server, shared_token, tmp_path):
    mine = private_file(tmp_path / "rt-main.token", rt_world.bob_token)
    mine.chmod(0o644)
    cfg = write_config(tmp_path / "c.toml", source_table(rt_server.base_url, shared_token, user_token_file=mine))

    with pytest.raises(SourceConfigError) as err:
        load_sources(load_config(cfg), user="bob")

    assert f"sources[0].user_token_file: RT token file {mine} is readable by others" in str(err.value)
    assert f"chmod 600 {mine}" in str(err.value) and rt_world.bob_token not in str(err.value)


# -- 6. the outbox, visible ---------------------------------------------------------------------------------------


def test_what_waits_is_listed_with_why_and_when_and_a_manual_sync_sends_it_at_once(desk, rt_server, capsys,
                                                                                    monkeypatch):
    monkeypatch.setenv("ONCALL_USER", "carol")
    cfg = desk.config["carol"]
    rt_server.stop()
    try:
        assert oncall(capsys, "--db", desk.db, "--config", cfg, "reply", desk.case, "Wir sind dran.")[0] == 0
        down = oncall(capsys, "--db", desk.db, "--config", cfg, "sync", "--once")
        listed = json.loads(oncall(capsys, "--db", desk.db, "outbox", "--json")[1])["undelivered"]
    finally:
        rt_server.start()

    assert down[0] == 1 and "cannot connect" in down[2]
    (row,) = listed
    assert (row["case_id"], row["action"], row["author"], row["state"], row["attempts"], row["text"]) == (
        desk.case, "reply", "carol", "waiting", 0, "Wir sind dran.")  # the check failed: nothing was tried

    code, out, err = oncall(capsys, "--db", desk.db, "--config", cfg, "sync", "--once")

    assert code == 0, err
    assert "outbox: 1 undelivered item(s) are tried again now" in out and "outbox: 1 sent" in out
    assert rt_txns(rt_server, desk.ticket)[-1] == ("Correspond", SHARED_ACCOUNT, "[carol] Wir sind dran.")
    assert oncall(capsys, "--db", desk.db, "outbox")[1].strip() == "outbox: everything was delivered"


async def test_a_failed_delivery_says_why_and_when_it_is_tried_next(desk, rt_server, capsys):
    session = session_of(desk, "carol")
    writing.reply(session, desk.case, "Kurze Rückfrage: welcher Server?")
    session.close()
    checked = await deliver(desk, "carol")  # the source is checked (and the check remembered)
    assert len(checked.sent) == 1
    session = session_of(desk, "carol")
    writing.reply(session, desk.case, "Und noch eine.")
    sources = session.sources()
    await sources[0].check()
    rt_server.stop()
    try:
        report = await deliver_outbox(session, sources)
    finally:
        rt_server.start()
        for s in sources:
            await s.aclose()
        session.close()
    listed = json.loads(oncall(capsys, "--db", desk.db, "outbox", "--json")[1])["undelivered"]

    assert len(report.failed) == 1 and report.waiting == 1 and report.next_try is not None
    assert "1 not delivered yet, next try at" in report.line()
    (row,) = listed
    assert row["state"] == "retrying" and row["attempts"] == 1 and "cannot connect" in row["reason"]
    assert row["next_try"] is not None


# -- 10. a case an incident opened gets its RT ticket, once -----------------------------------------------------


def test_a_case_an_incident_opened_gets_its_rt_ticket_once_and_the_answers_land_in_it(
        rt_server, rt_world, queue, shared_token, tmp_path, store_path, capsys, monkeypatch):
    monkeypatch.setenv("ONCALL_USER", "carol")
    old, _ = rt_server.mail(queue, customer_message(PEOPLE[KENJI], "DNS question", "Is my zone signed?", ()))
    rt_server.set_status(old, "bob", "resolved")
    db = store_path
    cfg = write_config(tmp_path / "c.toml", source_table(rt_server.base_url, shared_token, queues=(queue,)))
    assert oncall(capsys, "--db", db, "--config", cfg, "sync", "--once")[0] == 0
    code, out, err = oncall(capsys, "--db", db, "--config", cfg, "incident", "open", "--title", "Tokyo network outage",
                            "--scope", f"customer=main:{KENJI}", "--json")
    assert code == 0, err
    incident = json.loads(out)["id"]
    (opened,) = [c for c in json.loads(oncall(capsys, "--db", db, "history", KENJI, "--json")[1])["cases"]
                 if c["id"].startswith(incident)]

    assert oncall(capsys, "--db", db, "--config", cfg, "incident", "update", incident,
                  "--en", "We are investigating a network outage in Tokyo.")[0] == 0
    code, out, err = oncall(capsys, "--db", db, "--config", cfg, "sync", "--once")
    assert code == 0, err

    tickets = httpx.get(f"{rt_server.rest_url}/tickets", headers={"Authorization": f"token {rt_server.token}"},
                        params={"query": f"Queue = '{queue}'", "fields": "Subject,Requestor"}, timeout=10).json()
    (new,) = [int(t["id"]) for t in tickets["items"] if int(t["id"]) != old]
    assert rt_txns(rt_server, new)[0] == ("Create", SHARED_ACCOUNT,
                                          "[carol] We are investigating a network outage in Tokyo.")

    rt_server.mail(queue, customer_message(PEOPLE[KENJI], "Re: outage", "Thanks, my shop is down too.", ()),
                   ticket=new)
    assert oncall(capsys, "--db", db, "--config", cfg, "incident", "update", incident,
                  "--en", "Traffic is rerouted; sites are back.")[0] == 0
    assert oncall(capsys, "--db", db, "--config", cfg, "sync", "--once")[0] == 0
    assert oncall(capsys, "--db", db, "--config", cfg, "sync", "--once")[0] == 0

    kenji = json.loads(oncall(capsys, "--db", db, "history", KENJI, "--json")[1])
    assert sorted(c["id"] for c in kenji["cases"]) == sorted([f"RT-{old}", opened["id"]])  # no RT-<new> twin
    in_case = [(e["direction"], e["body"]) for e in kenji["events"] if e["case_id"] == opened["id"]]
    assert ("in", "Thanks, my shop is down too.") in in_case
    assert [t for t in rt_txns(rt_server, new) if t[0] in ("Create", "Correspond")][-1] == (
        "Correspond", SHARED_ACCOUNT, "[carol] Traffic is rerouted; sites are back.")
    assert len([t for t in rt_txns(rt_server, new) if t[0] == "Create"]) == 1
