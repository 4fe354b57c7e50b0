"""Follow-the-sun handoffs: the brief of a shift, stored in the history, posted to the team chat."""

from __future__ import annotations

import json
import socket
import threading
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from oncall_tui.cli import main
from oncall_tui.core.errors import Refused
from oncall_tui.core.handoff import (
    HOT_THRESHOLD,
    CaseSnapshot,
    ShiftEvent,
    build_brief,
    parse_since,
)
from oncall_tui.store import handoffs, queries, writes
from oncall_tui.store.derived import INCIDENT_OPEN_SQL, retick, score_row
from oncall_tui.store.importer import import_document

from .conftest import NOW, open_store, same_question_three_minutes_apart
from .models import WEIGHTS

UTC = timezone.utc
H = timedelta(hours=1)


def heat_at(store, case_id, now=NOW) -> int:
    r = store.query_one(f"SELECT c.stats, c.status, c.opened_at, cu.tier, {INCIDENT_OPEN_SQL} FROM cases c "
                        "JOIN customers cu ON cu.id = c.customer_id WHERE c.id = ?", (case_id,))
    return score_row(r[0], r[1], r[2], r[3], bool(r[4]), now, WEIGHTS).score


@pytest.fixture
def hot(store) -> int:
    """A threshold that makes T-100 and T-200 (customers waiting) hot and T-300 (waiting on them) not."""
    threshold = min(heat_at(store, "T-100"), heat_at(store, "T-200"))
    assert heat_at(store, "T-300") < threshold
    return threshold


def snap(case_id="T-1", *, heat=80, status="open", summary="", summary_at=None, last_in=None, mine=()):
    return CaseSnapshot(case_id, "c-x", "Client X", "Subject", status, heat, summary, summary_at, last_in,
                        tuple(mine))


# -- the pure brief -------------------------------------------------------------

def test_brief_keeps_touched_and_hot_stale_cases_only():
    since = NOW - 8 * H
    cases = [
        snap("T-touched", heat=10, summary="ok", summary_at=NOW - 5 * H, last_in=NOW - 6 * H,
             mine=[ShiftEvent(NOW - 2 * H, "message", "out"), ShiftEvent(NOW - H, "note")]),
        snap("T-nosum", heat=90, last_in=NOW - 3 * H),
        snap("T-stale", heat=75, summary="Wants SSL", summary_at=NOW - 5 * H, last_in=NOW - H),
        snap("T-fresh", heat=95, summary="Wants SSL", summary_at=NOW - H, last_in=NOW - 2 * H),
        snap("T-cool", heat=HOT_THRESHOLD - 1, last_in=NOW - H),
        snap("T-closed", heat=99, status="resolved", last_in=NOW - H),
        snap("T-before", heat=5, mine=[ShiftEvent(since - timedelta(seconds=1), "note")]),
    ]
    brief = build_brief(cases, engineer="kenji", since=since, now=NOW)
    assert brief.case_ids == ["T-nosum", "T-stale", "T-touched"]  # hottest first
    items = {i.case_id: i for i in brief.items}
    assert items["T-touched"].why == "touched by kenji this shift (1 reply, 1 note)"
    assert items["T-nosum"].why == "hot (90) and no summary; customer wrote 3 h ago"
    assert items["T-stale"].why == "hot (75) and summary stale: summary 5 h ago, customer wrote 1 h ago"
    assert (brief.touched_count, brief.stale_count) == (1, 2)


def test_handoff_bookkeeping_does_not_count_as_work():
    brief = build_brief([snap(heat=0, mine=[ShiftEvent(NOW - H, "handoff"), ShiftEvent(NOW - H, "ack")])],
                        engineer="kenji", since=NOW - 8 * H, now=NOW)
    assert brief.items == ()
    assert brief.headline().startswith("nothing to hand over")


def test_an_undated_imported_summary_counts_as_stale():
    brief = build_brief([snap(summary="imported", summary_at=None, last_in=NOW - H)], engineer="k",
                        since=NOW - H, now=NOW)
    assert brief.items[0].summary_stale and "undated summary" in brief.items[0].why


def test_brief_refuses_since_after_now():
    with pytest.raises(ValueError, match="since 2026-11-24T10:00:00Z is after now"):
        build_brief([], engineer="k", since=NOW + H, now=NOW)


def test_markdown_keeps_customer_text_inside_its_item():
    case = CaseSnapshot("T-1", "c-x", "Evil\n# Corp", "Help\n## injected heading", "open", 90,
                        "line one\n# not a heading", NOW - 2 * H, NOW - H)
    md = build_brief([case], engineer="kenji", since=NOW - H, now=NOW).to_markdown()
    headings = [line for line in md.splitlines() if line.startswith("#")]
    assert headings == ["# Handoff brief — kenji", "## T-1 · Evil # Corp · heat 90 · open"]
    assert "> line one\n> # not a heading" in md
    assert "Subject: Help ## injected heading" in md


def test_json_has_every_field_of_an_item():
    brief = build_brief([snap(last_in=NOW - H)], engineer="kenji", since=NOW - H, now=NOW)
    data = json.loads(brief.to_json())
    assert data["engineer"] == "kenji" and data["since"] == "2026-11-24T08:00:00Z"
    assert data["cases"][0] == {
        "case_id": "T-1", "customer_id": "c-x", "customer": "Client X", "subject": "Subject", "status": "open",
        "heat": 80, "summary": None, "summary_at": None, "last_customer_message_at": "2026-11-24T08:00:00Z",
        "touched": False, "touched_events": 0, "summary_stale": True,
        "why": ["hot (80) and no summary; customer wrote 1 h ago"]}


def test_chat_text_is_short_and_escaped():
    cases = [CaseSnapshot(f"T-{n:02d}", "c", "A&B <Ltd>", "s", "open", 90 - n, "", None, NOW - H)
             for n in range(12)]
    text = build_brief(cases, engineer="kenji", since=NOW - H, now=NOW).text
    lines = text.splitlines()
    assert lines[0] == "Handoff from kenji — 12 cases: 0 touched this shift, 12 hot with a stale summary"
    assert len(lines) == 12 and lines[-1].startswith("… and 2 more")
    assert lines[1] == "• T-00 A&amp;B &lt;Ltd&gt; (heat 90, no summary) — s"


@pytest.mark.parametrize("value, expected", [
    ("8h", NOW - 8 * H), ("90m", NOW - timedelta(minutes=90)), ("1d", NOW - 24 * H),
    ("2026-11-24T03:30:00+02:00", datetime(2026, 11, 24, 1, 30, tzinfo=UTC)),
])
def test_since_accepts_durations_and_iso_times(value, expected):
    assert parse_since(value, NOW) == expected


@pytest.mark.parametrize("value, reason", [("8 hours", "expected a duration"), ("yesterday", "8h, 90m"),
                                           ("2026-11-25T00:00:00Z", "in the future")])
def test_since_refuses_what_it_cannot_read(value, reason):
    with pytest.raises(ValueError, match=reason):
        parse_since(value, NOW)


# -- gathering from the store ------------------------------------------------------

def test_gather_lists_my_shift_and_hot_cases_with_stale_summaries(store, hot):
    writes.add_case_event(store, "T-300", kind="note", body="Asked billing for the invoice", author="kenji",
                          now=NOW - 4 * H, region="APAC")
    writes.add_case_event(store, "T-050", kind="note", body="alice's note, not kenji's", author="alice",
                          now=NOW - 4 * H)
    brief = handoffs.gather(store, "kenji", NOW - 8 * H, NOW, weights=WEIGHTS, hot_threshold=hot)
    items = {i.case_id: i for i in brief.items}
    assert set(items) == {"T-100", "T-200", "T-300"}  # T-050: resolved and not touched by kenji
    assert items["T-100"].touched and items["T-100"].summary_stale  # kenji replied at 01:20, no summary
    assert not items["T-200"].touched and items["T-200"].summary_stale
    assert items["T-300"].touched and not items["T-300"].summary_stale  # waiting on the customer: cool
    assert items["T-200"].customer == "Acme Widgets Ltd" and items["T-200"].subject == "Site down after deploy"


def test_a_fresh_summary_takes_a_case_out_until_the_customer_writes_again(store, hot):
    writes.set_summary(store, "T-200", "502 after deploy; rollback proposed", author="alice", now=NOW - 2 * H)
    assert "T-200" not in handoffs.gather(store, "kenji", NOW - 8 * H, NOW, weights=WEIGHTS, hot_threshold=hot).case_ids
    writes.add_case_event(store, "T-200", kind="message", direction="in", channel="email", author="ann",
                          body="Still 502, any news?", now=NOW - H)
    item = next(i for i in handoffs.gather(store, "kenji", NOW - 8 * H, NOW, weights=WEIGHTS, hot_threshold=hot).items
                if i.case_id == "T-200")
    assert item.summary == "502 after deploy; rollback proposed"
    assert item.why.endswith("summary stale: summary 2 h ago, customer wrote 1 h ago")


def test_work_before_the_shift_is_not_in_the_brief(store):
    brief = handoffs.gather(store, "kenji", NOW - 2 * H, NOW, weights=WEIGHTS, hot_threshold=101)
    assert brief.items == ()  # kenji's reply on T-100 was at 01:20, before 07:00


def test_cases_at_the_same_heat_are_handed_over_in_the_queue_s_order(store_path):
    # Two customers ask the same thing three minutes apart: both show the same whole heat, and the queue puts
    # the one waiting longer first although its id sorts after. The brief lists them the same way.
    store = open_store(store_path)
    import_document(store, same_question_three_minutes_apart(), now=NOW)
    retick(store, NOW, WEIGHTS)
    shown = dict(store.query("SELECT id, heat FROM cases"))
    assert shown["T-1"] == shown["T-2"] > 0
    assert [r["id"] for r in queries.queue_page(store, queries.QueueFilter(), 0, 10)] == ["T-2", "T-1"]
    for rescore in (True, False):
        brief = handoffs.gather(store, "kenji", NOW - 8 * H, NOW, weights=WEIGHTS, hot_threshold=shown["T-1"],
                                rescore=rescore)
        assert brief.case_ids == ["T-2", "T-1"]
        assert brief.to_markdown().index("## T-2") < brief.to_markdown().index("## T-1")
    store.close()


# -- sending, acknowledging ----------------------------------------------------------

def test_send_stores_the_handoff_and_an_event_in_each_case(store, hot):
    brief = handoffs.gather(store, "kenji", NOW - 8 * H, NOW, weights=WEIGHTS, hot_threshold=hot)
    hid = handoffs.send(store, brief, author="kenji", region="APAC", now=NOW)
    stored = handoffs.get_handoff(store, hid)
    assert stored["case_ids"] == brief.case_ids and sorted(brief.case_ids) == ["T-100", "T-200"]
    assert stored["body"] == brief.to_markdown() and (stored["author"], stored["region"]) == ("kenji", "APAC")
    for case_id in brief.case_ids:
        event = [e for e in queries.case_events(store, case_id) if e["kind"] == "handoff"]
        assert len(event) == 1
        assert (event[0]["direction"], event[0]["author"], event[0]["author_region"], event[0]["at"]) == \
            ("internal", "kenji", "APAC", "2026-11-24T09:00:00Z")
        assert json.loads(event[0]["meta"])["handoff_id"] == hid
    # The handoff's own events do not make kenji's next brief think he worked on T-200.
    again = handoffs.gather(store, "kenji", NOW - 8 * H, NOW, weights=WEIGHTS, hot_threshold=hot)
    assert not next(i for i in again.items if i.case_id == "T-200").touched


def test_send_is_all_or_nothing(store):
    ghost = build_brief([snap("T-100", last_in=NOW - H), snap("T-404", last_in=NOW - H)], engineer="kenji",
                        since=NOW - H, now=NOW)
    with pytest.raises(Refused, match="'T-404'.*nothing was sent"):
        handoffs.send(store, ghost, author="kenji", region="APAC", now=NOW)
    assert store.query_one("SELECT COUNT(*) FROM handoffs")[0] == 0
    assert not [e for e in queries.case_events(store, "T-100") if e["kind"] == "handoff"]


def _send(store, author, region, at, case_ids):
    brief = build_brief([snap(c, last_in=at - H) for c in case_ids], engineer=author, since=at - H, now=at)
    return handoffs.send(store, brief, author=author, region=region, now=at)


def test_latest_handoff_from_someone_else_reads_like_the_startup_line(store):
    _send(store, "alice", "EMEA", NOW - 2 * H, ["T-100", "T-200"])
    _send(store, "bob", "AMER", NOW - 3 * H, ["T-300"])
    _send(store, "kenji", "APAC", NOW - H, ["T-100"])  # my own: not news to me
    info = handoffs.latest_for(store, NOW, "kenji")
    assert info.line() == "Handoff from alice, Paris, 2 h ago — 2 cases"
    assert handoffs.latest_for(store, NOW, "alice").line() == "Handoff from kenji, Tokyo, 1 h ago — 1 case"
    assert handoffs.latest_for(store, NOW, "kenji", within=H) is None


def test_acknowledgements_are_stored_and_counted(store):
    hid = _send(store, "alice", "EMEA", NOW - 2 * H, ["T-100", "T-200"])
    assert handoffs.pending_acks(store, hid, "kenji") == ["T-100", "T-200"]
    eid = handoffs.acknowledge(store, hid, "T-200", "kenji", NOW, region="APAC")
    assert handoffs.pending_acks(store, hid, "kenji") == ["T-100"]
    assert handoffs.pending_acks(store, hid, "bob") == ["T-100", "T-200"]  # per engineer
    ack = next(e for e in queries.case_events(store, "T-200") if e["id"] == eid)
    assert (ack["kind"], ack["author"], ack["body"]) == ("ack", "kenji", "kenji acknowledged the handoff from alice")
    assert store.query_one("SELECT engineer, at FROM handoff_acks WHERE case_id = 'T-200'")[:] == \
        ("kenji", "2026-11-24T09:00:00Z")


@pytest.mark.parametrize("handoff, case, reason", [
    ("ho-nope", "T-100", "no handoff 'ho-nope'"), (None, "T-300", "'T-300' is not in handoff"),
])
def test_bad_acknowledgements_are_refused(store, handoff, case, reason):
    hid = _send(store, "alice", "EMEA", NOW - 2 * H, ["T-100"])
    with pytest.raises(Refused, match=reason):
        handoffs.acknowledge(store, handoff or hid, case, "kenji", NOW)


def test_acknowledging_twice_is_refused(store):
    hid = _send(store, "alice", "EMEA", NOW - 2 * H, ["T-100"])
    handoffs.acknowledge(store, hid, "T-100", "kenji", NOW)
    with pytest.raises(Refused, match="already acknowledged"):
        handoffs.acknowledge(store, hid, "T-100", "kenji", NOW)
    assert len([e for e in queries.case_events(store, "T-100") if e["kind"] == "ack"]) == 1


# -- the command and the webhook --------------------------------------------------------

class Webhook:
    """A real HTTP server on 127.0.0.1 that records what a chat webhook receives."""

    def __init__(self, status: int = 200):
        self.requests: list[dict] = []
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                hook.requests.append({"path": self.path, "headers": dict(self.headers), "json": json.loads(body)})
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@pytest.fixture
def webhook():
    servers = []

    def start(status=200):
        servers.append(Webhook(status))
        return servers[-1]
    yield start
    for s in servers:
        s.close()


@pytest.fixture
def kenji(monkeypatch, tmp_path):
    monkeypatch.setenv("ONCALL_USER", "kenji")
    monkeypatch.setenv("ONCALL_CONFIG_DIR", str(tmp_path / "no-config"))


def config_with(tmp_path, url) -> str:
    path = tmp_path / "config.toml"
    path.write_text(f'[handoff]\nwebhook = "{url}"\ntimeout = 5\n', encoding="utf-8")
    return str(path)


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def stored(store_path):
    s = open_store(store_path)
    try:
        return ([dict(r) for r in s.query("SELECT * FROM handoffs")],
                [dict(r) for r in s.query("SELECT * FROM events WHERE kind = 'handoff' ORDER BY seq")])
    finally:
        s.close()


def test_handoff_command_prints_markdown_or_json(store, store_path, capsys, kenji):
    code, out, _ = run(capsys, "--db", str(store_path), "handoff", "--now", "2026-11-24T09:00:00Z")
    assert code == 0
    assert out.startswith("# Handoff brief — kenji\n")
    assert "## T-100 · Boulangerie Martin" in out and "touched by kenji this shift (1 reply)" in out
    code, out, _ = run(capsys, "--db", str(store_path), "handoff", "--format", "json", "--since", "1d",
                       "--now", "2026-11-24T09:00:00Z")
    data = json.loads(out)
    assert data["since"] == "2026-11-23T09:00:00Z" and data["cases"][0]["case_id"] == "T-100"
    assert stored(store_path) == ([], [])  # printing is not sending


def test_handoff_command_refuses_a_bad_since(store, store_path, capsys, kenji):
    code, _, err = run(capsys, "--db", str(store_path), "handoff", "--since", "8 hours")
    assert code == 2 and "--since '8 hours': expected a duration like 8h" in err


def test_send_without_webhook_just_stores(store, store_path, capsys, kenji):
    code, _, err = run(capsys, "--db", str(store_path), "handoff", "--send", "--now", "2026-11-24T09:00:00Z")
    assert code == 0 and "stored handoff ho-" in err
    rows, events = stored(store_path)
    assert len(rows) == 1 and rows[0]["author"] == "kenji" and rows[0]["region"] == "APAC"
    assert [e["case_id"] for e in events] == ["T-100"]


def test_send_posts_the_chat_text_to_the_webhook(store, store_path, capsys, kenji, webhook, tmp_path):
    hook = webhook(200)
    cfg = config_with(tmp_path, f"http://127.0.0.1:{hook.port}/hooks/s3cr3t-token")
    code, _, err = run(capsys, "--db", str(store_path), "--config", cfg, "handoff", "--send",
                       "--now", "2026-11-24T09:00:00Z")
    assert code == 0, err
    assert f"posted to 127.0.0.1:{hook.port}" in err
    [request] = hook.requests
    assert request["path"] == "/hooks/s3cr3t-token"
    assert request["headers"]["User-Agent"] == "oncall-tui/0.1 (+handoff)"
    assert request["json"]["text"].startswith("Handoff from kenji — 1 case")
    assert "• T-100 Boulangerie Martin" in request["json"]["text"]
    rows, events = stored(store_path)
    outcome = json.loads(events[-1]["meta"])
    assert outcome == {"handoff_id": rows[0]["id"], "posted": True, "host": f"127.0.0.1:{hook.port}",
                       "detail": "HTTP 200"}
    assert all("s3cr3t" not in e["body"] + e["meta"] for e in events)  # the URL's secret stays out


def test_a_failing_webhook_is_a_clear_error_and_loses_nothing(store, store_path, capsys, kenji, webhook, tmp_path):
    hook = webhook(500)
    cfg = config_with(tmp_path, f"http://127.0.0.1:{hook.port}/hooks/s3cr3t")
    code, _, err = run(capsys, "--db", str(store_path), "--config", cfg, "handoff", "--send",
                       "--now", "2026-11-24T09:00:00Z")
    assert code == 1
    assert f"posting to 127.0.0.1:{hook.port} failed: HTTP 500" in err and "nothing is lost" in err
    rows, events = stored(store_path)
    assert len(rows) == 1 and [e["case_id"] for e in events] == ["T-100", None]
    assert json.loads(events[-1]["meta"])["posted"] is False
    assert "s3cr3t" not in err


def test_an_unreachable_webhook_is_a_clear_error_and_loses_nothing(store, store_path, capsys, kenji, tmp_path):
    with socket.socket() as sock:  # a port that was free a moment ago: nobody listens there
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    cfg = config_with(tmp_path, f"http://127.0.0.1:{port}/hooks/s3cr3t")
    code, _, err = run(capsys, "--db", str(store_path), "--config", cfg, "handoff", "--send",
                       "--now", "2026-11-24T09:00:00Z")
    assert code == 1
    assert f"posting to 127.0.0.1:{port} failed: connection failed" in err
    rows, events = stored(store_path)
    assert len(rows) == 1 and events[0]["case_id"] == "T-100"
