"""The sync engine against a real Request Tracker 5 (tests/servers/rt.py) and a real HTTP feed.

Each RT test works in a queue of its own, so tests don't see each other's tickets.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from devtools.bench.rt_history import bench_history
from oncall_tui.cli import main
from oncall_tui.config import Config, load_config
from oncall_tui.connectors.catalog import load_sources
from oncall_tui.connectors.source import PushRefused, SourceConfigError
from oncall_tui.store import outbox, queries, writes
from oncall_tui.usecases.session import Session
from oncall_tui.usecases.sync import (
    deliver_outbox,
    outbox_source_for,
    run_forever,
    sync_once,
)

from .conftest import open_session, open_store
from .servers.rt import JEAN, rt_history, rt_table, write_config

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc)
ROOT = Path(__file__).resolve().parents[1]




def as_session(store) -> Session:
    """The use cases take a session: alice's, on this store, at NOW."""
    return Session(store, Config(), user="alice", clock=lambda: NOW)


@pytest.fixture
async def sources(config_path):
    loaded = load_sources(load_config(config_path), user="alice")
    yield loaded
    for source in loaded:
        await source.aclose()


@pytest.fixture
def store(store_path):
    s = open_store(store_path)  # empty: everything comes from RT
    yield s
    s.close()


async def synced_ticket(rt_server, queue, store, sources, subject="Urgent", body="Le site ne répond plus"):
    ticket, _ = rt_server.customer_email(queue, JEAN, subject, body)
    await sync_once(as_session(store), sources[0], now=NOW)
    return ticket, f"RT-{ticket}"


def reply(store, case_id, text, sources, now=NOW):
    return writes.add_case_event(store, case_id, kind="message", direction="out", body=text, author="alice",
                                 now=now, outbox_source=outbox_source_for(as_session(store), case_id, sources))


# -- 1. pull ------------------------------------------------------------------------------


async def test_first_sync_fills_an_empty_store_with_the_customers_history_in_order(
        rt_server, queue, store, sources, tmp_path, capsys):
    ssl, _ = rt_server.customer_email(queue, JEAN, "Charger un SSL", "Comment charger un SSL ?")
    rt_server.reply(ssl, "alice", "Done, the padlock is there.")
    rt_server.comment(ssl, "bob", "certbot run on web-01")
    rt_server.age([ssl], 3600)  # an hour earlier, so the order across tickets is unambiguous
    disk, _ = rt_server.customer_email(queue, "marie@boulangerie.fr", "Espace disque", "Plus de mémoire")
    rt_server.reply(disk, "bob", "I freed 10 GB of old logs.")
    seen = []

    report = await sync_once(as_session(store), sources[0], now=NOW, progress=lambda d, t: seen.append((d, t)))

    assert (report.tickets, report.events_added, report.customers_created) == (2, 5, ["c-boul"])
    assert seen == [(2, 2)]
    store.close()
    code = main(["--db", str(store.target), "history", "c-boul", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert [(e["case_id"], e["kind"], e["direction"], e["author"], e["body"]) for e in out["events"]] == [
        (f"RT-{ssl}", "message", "in", JEAN, "Comment charger un SSL ?"),
        (f"RT-{ssl}", "message", "out", "alice", "Done, the padlock is there."),
        (f"RT-{ssl}", "note", "internal", "bob", "certbot run on web-01"),
        (f"RT-{disk}", "message", "in", "marie@boulangerie.fr", "Plus de mémoire"),
        (f"RT-{disk}", "message", "out", "bob", "I freed 10 GB of old logs."),
    ]


async def test_second_sync_brings_only_what_changed(rt_server, queue, store, sources):
    ticket, case_id = await synced_ticket(rt_server, queue, store, sources)
    rt_server.age([ticket], 3600)
    nothing = await sync_once(as_session(store), sources[0], now=NOW)
    txn = rt_server.reply(ticket, "bob", "Restarted php-fpm, the site answers again.")

    changed = await sync_once(as_session(store), sources[0], now=NOW)

    assert (nothing.tickets, nothing.events_added) == (0, 0)
    assert (changed.tickets, changed.events_added) == (1, 1)
    assert queries.case_events(store, case_id)[-1]["id"] == f"rt:main:txn:{txn}"


# -- 2. push ---------------------------------------------------------------------------


async def test_local_reply_is_delivered_to_rt_and_shown_once_after_the_next_sync(rt_server, queue, store, sources):
    ticket, case_id = await synced_ticket(rt_server, queue, store, sources)
    text = "Bonjour Jean, le serveur web redémarre, le site revient dans 2 minutes."
    event = reply(store, case_id, text, sources)

    report = await deliver_outbox(as_session(store), sources, now=NOW, clock=lambda: NOW)

    assert (len(report.sent), report.failed) == (1, [])
    assert rt_history(rt_server, ticket)[-1] == ("Correspond", "alice", text)
    row = store.query_one("SELECT state, remote_ref FROM outbox WHERE event_id = ?", (event,))
    assert row["state"] == "sent" and row["remote_ref"].startswith("rt:main:txn:")
    assert outbox.case_notice(store, case_id, NOW) is None
    again = await sync_once(as_session(store), sources[0], now=NOW)
    bodies = [e["body"] for e in queries.case_events(store, case_id)]
    assert bodies.count(text) == 1 and again.echoes_dropped == 1  # RT's copy of our own reply is not doubled


async def test_replies_reach_rt_in_the_order_they_were_written(rt_server, queue, store, sources):
    ticket, case_id = await synced_ticket(rt_server, queue, store, sources)
    texts = ["First: looking into it.", "Second: found the cause.", "Third: fixed."]
    for i, text in enumerate(texts):
        reply(store, case_id, text, sources, now=NOW + timedelta(seconds=i))

    await deliver_outbox(as_session(store), sources, now=NOW + timedelta(seconds=5))

    assert [text for kind, _, text in rt_history(rt_server, ticket) if kind == "Correspond"] == texts


async def test_two_processes_delivering_at_once_send_a_reply_once(rt_server, queue, store, sources, tmp_path):
    ticket, case_id = await synced_ticket(rt_server, queue, store, sources)
    reply(store, case_id, "Only once, please.", sources)
    other = open_store(store.target)
    try:
        first, second = await asyncio.gather(deliver_outbox(as_session(store), sources, now=NOW),
                                              deliver_outbox(as_session(other), sources, now=NOW))
    finally:
        other.close()
    assert len(first.sent) + len(second.sent) == 1
    assert [t for _, _, t in rt_history(rt_server, ticket)].count("Only once, please.") == 1


# -- 3. RT down, then back ----------------------------------------------------------------


async def test_reply_waits_while_rt_is_down_with_a_notice_and_goes_exactly_once_when_it_is_back(
        rt_server, queue, store, sources):
    ticket, case_id = await synced_ticket(rt_server, queue, store, sources)
    text = "We are on it: the database is restarting."
    reply(store, case_id, text, sources)
    rt_server.stop()
    try:
        down = await deliver_outbox(as_session(store), sources, now=NOW)
        not_yet = await deliver_outbox(as_session(store), sources, now=NOW + timedelta(seconds=5))
        still_down = await deliver_outbox(as_session(store), sources, now=NOW + timedelta(seconds=11))
    finally:
        rt_server.start()
    row = store.query_one("SELECT state, attempts, last_error FROM outbox")
    assert (len(down.failed), not_yet.failed, len(still_down.failed)) == (1, [], 1)
    assert (row["state"], row["attempts"]) == ("pending", 2) and "cannot connect" in row["last_error"]
    assert outbox.case_notice(store, case_id, NOW + timedelta(seconds=11)) == (
        "1 reply not yet delivered to RT (cannot connect, retrying in 20 s)")

    back = await deliver_outbox(as_session(store), sources, now=NOW + timedelta(seconds=31))
    again = await deliver_outbox(as_session(store), sources, now=NOW + timedelta(minutes=30))

    assert (len(back.sent), again.sent) == (1, [])
    assert [t for _, _, t in rt_history(rt_server, ticket)].count(text) == 1
    assert outbox.case_notice(store, case_id, NOW + timedelta(seconds=31)) is None


class DroppingProxy:
    """A loopback TCP proxy to RT that, while `drop` is set, lets a request reach RT but loses the answer."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.drop = True
        self.server: asyncio.base_events.Server | None = None

    async def __aenter__(self) -> "DroppingProxy":
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc) -> None:
        self.server.close()
        await self.server.wait_closed()

    @property
    def port(self) -> int:
        return self.server.sockets[0].getsockname()[1]

    async def _handle(self, reader, writer) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)

        async def pipe(src, dst, last: bool) -> None:
            try:
                while data := await src.read(65536):
                    if last and self.drop:
                        return  # RT answered: the request was processed, but the client never hears of it
                    dst.write(data)
                    await dst.drain()
            except (ConnectionError, asyncio.CancelledError):
                pass
            finally:
                for w in (writer, up_writer):
                    w.close()

        await asyncio.gather(pipe(reader, up_writer, False), pipe(up_reader, writer, True))


async def test_a_reply_whose_answer_was_lost_is_not_sent_twice(rt_server, queue, store, token_file, tmp_path):
    async with DroppingProxy(rt_server.port) as proxy:
        cfg = write_config(tmp_path, rt_table(f"http://127.0.0.1:{proxy.port}", token_file, queue))
        (source,) = load_sources(load_config(cfg), user="alice")
        try:
            proxy.drop = False
            ticket, case_id = await synced_ticket(rt_server, queue, store, [source])
            text = "Your certificate is issued, reload the page."
            reply(store, case_id, text, [source])
            proxy.drop = True
            lost = await deliver_outbox(as_session(store), [source], now=NOW)
            proxy.drop = False
            retried = await deliver_outbox(as_session(store), [source], now=NOW + timedelta(minutes=1))
        finally:
            await source.aclose()

    assert (len(lost.failed), len(retried.sent)) == (1, 1)
    assert "no answer" in lost.errors[lost.failed[0]]
    assert [t for _, _, t in rt_history(rt_server, ticket)].count(text) == 1  # RT got it on the first try


# -- 4. a sync killed mid-way resumes without duplicates or gaps ------------------------------


def test_sync_killed_mid_way_then_run_again_has_every_transaction_exactly_once(
        rt_server, queue, config_path, store_path, capsys):
    expected, tickets = set(), []
    for i in range(8):
        ticket, txn = rt_server.customer_email(queue, f"client{i}@example.org", f"Question {i}", f"Body {i}")
        expected |= {txn, rt_server.reply(ticket, "alice", f"Answer {i}")}
        tickets.append(ticket)
    rt_server.age(tickets, 3600)  # settled seconds: the cursor can name the tickets it has seen
    db = store_path
    open_store(db).close()  # created (and migrated) up front so the test can watch it
    argv = [sys.executable, "-m", "oncall_tui.cli", "--db", str(db), "--config", str(config_path),
            "sync", "--once", "--batch-size", "1"]
    proc = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    watch = open_store(db)
    try:
        deadline = time.monotonic() + 30
        while not watch.query_one("SELECT 1 FROM sync_cursors"):
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.monotonic() < deadline, "the sync never committed its first batch"
            time.sleep(0.002)  # polling the store, not waiting for time to pass
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        before = watch.query_one("SELECT COUNT(*) FROM events")[0]
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
        proc.stderr.close()
        watch.close()
    assert 0 < before < len(expected)  # it really died half-way

    code = main(["--db", str(db), "--config", str(config_path), "sync", "--once", "--batch-size", "3"])
    err = capsys.readouterr().err

    assert code == 0
    # Only what the killed run had not committed is pulled again (plus, at most, its last second's tickets).
    done = re.findall(r"main: (\d+)/(\d+) tickets", err)
    assert done and done[-1][0] == done[-1][1] and int(done[-1][1]) < 8
    store = open_store(db)
    try:
        ids = [r[0] for r in store.query("SELECT id FROM events")]
    finally:
        store.close()
    assert sorted(ids) == sorted(f"rt:main:txn:{t}" for t in expected)


# -- 5. a read-only JSON feed ------------------------------------------------------------------


@pytest.fixture
def feed():
    """An HTTP server on loopback serving interchange documents; records the `since` it was asked."""
    state = {"asked": [], "docs": {}}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            since = parse_qs(urlparse(self.path).query).get("since", [None])[0]
            state["asked"].append(since)
            body = json.dumps(state["docs"].get(since, {"customers": [], "cases": [], "cursor": since})).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state["url"] = f"http://127.0.0.1:{server.server_address[1]}/oncall.json"
    yield state
    server.shutdown()
    server.server_close()
    thread.join()


def crm_case(case_id: str, at: str, body: str) -> dict:
    return {"id": case_id, "customer": "c-acme", "subject": "Site down", "status": "open", "opened_at": at,
            "events": [{"id": f"crm-{case_id}", "at": at, "kind": "call", "direction": "in", "author": "ann",
                        "body": body, "channel": "phone"}]}


async def test_json_feed_is_synced_incrementally_and_its_cases_never_queue_replies(feed, store, tmp_path):
    feed["docs"][None] = {"customers": [{"id": "c-acme", "name": "Acme Widgets Ltd", "tier": "critical"}],
                          "cases": [crm_case("CRM-1", "2026-11-24T06:00:00Z", "Shop returns 502")],
                          "cursor": "v1"}
    feed["docs"]["v1"] = {"customers": [], "cases": [crm_case("CRM-2", "2026-11-24T08:00:00Z", "Still 502")],
                          "cursor": "v2"}
    cfg = write_config(tmp_path, f'kind = "json"\nname = "crm"\nurl = "{feed["url"]}"')
    sources = load_sources(load_config(cfg), user="alice")
    try:
        first = await sync_once(as_session(store), sources[0], now=NOW)
        second = await sync_once(as_session(store), sources[0], now=NOW)
        third = await sync_once(as_session(store), sources[0], now=NOW)
        with pytest.raises(PushRefused, match="read-only"):
            await sources[0].push(outbox.OutboxItem(1, "e", "CRM-1", "crm", "correspond", {"text": "hi"},
                                                    "pending", 0, "", "", "", "", None, ""))
    finally:
        for s in sources:
            await s.aclose()

    assert feed["asked"] == [None, "v1", "v2"]
    assert (first.events_added, second.events_added, third.events_added) == (1, 1, 0)
    assert [e["body"] for e in queries.customer_history(store, "c-acme")] == ["Shop returns 502", "Still 502"]
    assert outbox_source_for(as_session(store), "CRM-1", sources) is None


# -- 6. configuration ----------------------------------------------------------------------------


@pytest.mark.parametrize(("table", "where", "why"), [
    ('kind = "zendesk"', "sources[0].kind", 'expected "rt" or "json"'),
    ('kind = "rt"\nbase_url = "https://rt.example.net"\ntoken_file = "TOKEN"\nqueues = []',
     "sources[0].queues", "non-empty list"),
    ('kind = "rt"\nbase_url = "https://rt.example.net"\ntoken_file = "TOKEN"\nqueues = ["S"]\ncolour = "red"',
     "sources[0].colour", "unknown key"),
    ('kind = "json"\nurl = "ftp://crm"', "sources[0].url", "http(s) URL"),
])
def test_bad_source_config_names_the_file_and_the_key(tmp_path, token_file, table, where, why):
    path = write_config(tmp_path, table.replace("TOKEN", str(token_file)))
    with pytest.raises(SourceConfigError) as err:
        load_sources(load_config(path))
    assert str(err.value).startswith(f"{path}: {where}: ") and why in str(err.value)


def test_two_sources_with_one_name_are_refused(tmp_path):
    path = write_config(tmp_path, 'kind = "json"\nurl = "http://a.example"',
                        'kind = "json"\nurl = "http://b.example"')
    with pytest.raises(SourceConfigError, match=r"sources\[1\]\.name: 'json' is already the name of sources\[0\]"):
        load_sources(load_config(path))


def test_token_file_readable_by_others_is_refused(tmp_path, token_file):
    token_file.chmod(0o644)
    path = write_config(tmp_path, f'kind = "rt"\nbase_url = "https://rt.example.net"\n'
                                  f'token_file = "{token_file}"\nqueues = ["S"]')
    with pytest.raises(SourceConfigError) as err:
        load_sources(load_config(path))
    message = str(err.value)
    assert message.startswith(f"{path}: sources[0].token_file: ") and f"chmod 600 {token_file}" in message


def test_oncall_sync_without_sources_says_what_to_add(tmp_path, capsys):
    path = tmp_path / "config.toml"
    path.write_text("[user]\nname = 'alice'\n")
    code = main(["--db", str(tmp_path / "x.db"), "--config", str(path), "sync", "--once"])
    assert code == 2 and "no [[sources]]" in capsys.readouterr().err


# -- benchmark function, on a small scale ---------------------------------------------------------


async def test_history_from_the_store_matches_rt(rt_server, queue, store, sources):
    for i in range(3):
        ticket, _ = rt_server.customer_email(queue, JEAN, f"Question {i}", f"Body {i}")
        rt_server.reply(ticket, "bob", f"Answer {i}")
    await sync_once(as_session(store), sources[0], now=NOW)

    result = await bench_history(store, sources[0].connector, "c-boul")

    assert result["tickets"] == 3 and len(result["store_events"]) == 6
    assert sorted(result["store_events"]) == sorted(result["rt_events"])
    # How much faster the store is: `python -m devtools.bench --only rt` (no timing is asserted in tests).


# -- the background loop, and the cursor's last second ------------------------------------------


async def test_background_loop_pulls_new_tickets_and_delivers_replies_until_stopped(
        rt_server, queue, store, sources, tmp_path):
    ticket, case_id = await synced_ticket(rt_server, queue, store, sources)
    reply(store, case_id, "Looking at it now.", sources)
    newer, _ = rt_server.customer_email(queue, JEAN, "Another one", "And the mail is down too")
    stop, seen, errors = asyncio.Event(), [], []
    loop = asyncio.create_task(run_forever(open_session(store.target), stop_event=stop, sources=sources,
                                           on_progress=lambda *p: seen.append(p),
                                           on_error=lambda *e: errors.append(e)))
    try:
        for _ in range(1000):  # polling the store until the loop has done both jobs
            sent = store.query_one("SELECT state FROM outbox")["state"] == "sent"
            if sent and queries.get_case(store, f"RT-{newer}") is not None:
                break
            await asyncio.sleep(0.01)
    finally:
        stop.set()
        await asyncio.wait_for(loop, 10)
    assert ("main", 2, 2) in seen and errors == []
    assert [t for _, _, t in rt_history(rt_server, ticket)].count("Looking at it now.") == 1
    assert queries.get_case(store, f"RT-{newer}")["subject"] == "Another one"


def test_a_ticket_seen_while_its_second_is_not_over_is_pulled_again():
    from oncall_tui.connectors.rt import advance

    tickets = [{"id": 7, "LastUpdated": "2026-11-24T09:00:00Z"}]
    during = advance(None, tickets, searched_at=datetime(2026, 11, 24, 9, 0, 0, 600000, tzinfo=timezone.utc))
    after = advance(None, tickets, searched_at=datetime(2026, 11, 24, 9, 0, 5, tzinfo=timezone.utc))
    # A reply in the same second leaves LastUpdated unchanged: only the first cursor would still catch it.
    assert during.is_new(7, "2026-11-24T09:00:00Z") and not after.is_new(7, "2026-11-24T09:00:00Z")
