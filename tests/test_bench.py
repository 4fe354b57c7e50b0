"""The benchmark runs end to end at a tiny size (no timing is asserted here)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from devtools.bench.data import build_store
from devtools.bench.run import cached_store
from oncall_tui.core.timeutil import parse_ts
from oncall_tui.store.derived import refresh_cases
from oncall_tui.usecases.models import shipped

from .conftest import NOW, open_store

REPO = Path(__file__).resolve().parents[1]
LABELS = ("store build", "start → first frame, headless", "start → queue drawn, 120×40 pty",
          "key→frame on-screen move p95", "key→frame scrolling move p95", "bytes per on-screen move",
          "bytes per scrolling move", "G: jump to the last case", "peak RSS of the app",
          "on-screen move p95, the heat ticking", "heat: retick every open case",
          "heat: refresh_cases, one case", "queue_page top 40", "search: top 50, term in ≤10k events",
          "search: top 50, most common term",
          "on-screen move p95, 8 processes writing notes", "  notes they wrote meanwhile",
          "idle queue, a note on a case off screen: bytes beyond the title line",
          "  bytes in all, title line and frame markers included",
          "enter → history frame, a 2 MB message in the case", "  a case without it",
          "search: a word of that 2 MB log, top 50",
          "jargon decoder: a 2 kB message", "jargon decoder: a 100 000-letter word", "jargon decoder: a 2 MB message",
          "oncall import of a big interchange file: peak RSS", "  its duration")


def _bench(*args: str, cache: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "devtools.bench", "--sizes", "200", "--moves", "10",
                           "--starts", "1", "--import-mb", "0.5", "--live-notes", "3", "--cache-dir", str(cache), *args],
                          cwd=REPO, capture_output=True, text=True, timeout=240)


def test_benchmark_prints_every_metric_for_a_tiny_store(tmp_path):
    run = _bench(cache=tmp_path)
    assert run.returncode == 0, run.stderr
    header, rule, *rows = run.stdout.splitlines()[1:-1]
    assert [c.strip() for c in header.split("|")] == ["metric", "200", "budget", "ok?"]
    for label in LABELS:
        row = next((r for r in rows if r.startswith(label)), None)
        assert row is not None, f"no row {label!r} in:\n{run.stdout}"
        value = row.split("|")[1].split("(")[0].strip()
        assert float(value) >= 0, row
    assert "building store" in run.stderr
    # The writers really wrote while the keys were measured.
    notes = next(r for r in rows if r.startswith("  notes they wrote meanwhile"))
    assert int(notes.split("|")[1]) > 0, notes


def test_only_and_json_report_just_the_chosen_groups(tmp_path):
    run = _bench("--only", "build,heat,decoder", "--json", cache=tmp_path)
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    metrics = {m["metric"]: m for m in report["metrics"]}
    assert set(metrics) == {"build_s", "retick_s", "retick_first_s", "refresh_case_ms", "queue_page_ms",
                            "tick_onscreen_p95_ms", "tick_rss_mb", "heat_rss_mb",
                            "intents_2kb_ms", "intents_word_ms", "intents_2mb_ms"}
    assert metrics["queue_page_ms"]["budget"] == "≤ 5" and metrics["queue_page_ms"]["ok"] in (True, False)
    assert metrics["intents_word_ms"]["budget"] == "≤ 20" and metrics["intents_word_ms"]["ok"] in (True, False)
    assert set(metrics["retick_s"]["values"]) == {"200"}


def test_groups_without_a_store_build_none(tmp_path):
    run = _bench("--only", "decoder", "--json", cache=tmp_path)
    assert run.returncode == 0, run.stderr
    assert {m["metric"] for m in json.loads(run.stdout)["metrics"]} == {
        "intents_2kb_ms", "intents_word_ms", "intents_2mb_ms"}
    assert not list(tmp_path.glob("store-*")), "the decoder needs no store"


def test_an_unknown_group_is_refused_by_name(tmp_path):
    run = _bench("--only", "keys,typing", cache=tmp_path)
    assert run.returncode == 2 and "--only: unknown group 'typing'" in run.stderr


def test_a_built_store_is_reused_until_rebuild_is_asked(tmp_path):
    path, first = cached_store(tmp_path, 120, rebuild=False)
    again, second = cached_store(tmp_path, 120, rebuild=False)
    assert (first["cached"], second["cached"]) == (False, True) and again == path
    _, forced = cached_store(tmp_path, 120, rebuild=True)
    assert forced["cached"] is False and len(list(tmp_path.glob("store-120-*.db"))) == 1


def test_fast_builder_fills_derived_columns_as_refresh_cases_would(tmp_path):
    path = tmp_path / "bench.db"
    info = build_store(path, 150, now=NOW, workers=1)
    store = open_store(path)
    try:
        columns = "id, stats, heat, is_open, waiting_since, exchanges, last_event_at, heat_at"
        built = store.query(f"SELECT {columns} FROM cases ORDER BY id")
        assert len(built) == 150 and info.events == 1500
        store.conn.execute("BEGIN")
        refresh_cases(store.conn, [r["id"] for r in built], parse_ts(info.anchor), shipped().heat)
        refreshed = store.query(f"SELECT {columns} FROM cases ORDER BY id")
        store.conn.execute("ROLLBACK")
        assert [tuple(r) for r in built] == [tuple(r) for r in refreshed]
        # The full-text index was rebuilt after the bulk insert: customer words are searchable.
        hits = store.query_one("SELECT COUNT(*) FROM events_fts WHERE events_fts MATCH 'certificate OR certificat'")
        assert hits[0] > 0
    finally:
        store.close()


def test_the_rt_group_syncs_a_real_rt_and_reports_its_rows(tmp_path):
    run = subprocess.run([sys.executable, "-m", "devtools.bench", "--sizes", "200", "--only", "rt", "--rt-tickets",
                          "3", "--json", "--cache-dir", str(tmp_path)],
                         cwd=REPO, capture_output=True, text=True, timeout=240)
    assert run.returncode == 0, run.stderr
    metrics = {m["metric"]: m["values"]["200"] for m in json.loads(run.stdout)["metrics"]}
    assert metrics["rt_first_sync_tickets"] == 25  # the world's 22 and 3 more
    assert metrics["rt_first_sync_tickets_per_s"] > 0 and metrics["rt_incremental_s"] > 0
    assert metrics["rt_noop_s"] > 0 and metrics["rt_history_same"] == 1
