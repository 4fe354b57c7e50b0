"""The SBG power cut of the demo: declared, every affected customer told in their language, resolved."""

from datetime import datetime, timedelta, timezone

from oncall_tui.demo.environment import load_demo_document, seed_demo_store
from oncall_tui.store import incident_queries, incidents, queries

from .conftest import open_store
from .models import WEIGHTS

NOW = datetime(2026, 11, 24, 9, 5, tzinfo=timezone.utc)


def hosted_in(doc, datacenter):
    """Customers with a server there, or a domain/database on such a server — read from the fixture itself."""
    out = set()
    for c in doc["customers"]:
        servers = {a["name"] for a in c.get("assets", []) if a["kind"] == "server" and a.get("datacenter") == datacenter}
        if servers or any(a.get("server") in servers for a in c.get("assets", [])):
            out.add(c["id"])
    return out


def test_sbg_outage_on_the_demo(tmp_path):
    doc = load_demo_document()
    demo_path = tmp_path / "demo.db"
    seed_demo_store(demo_path, now=NOW)
    store = open_store(demo_path)
    expected = hosted_in(doc, "SBG")
    others = {c["id"] for c in doc["customers"]} - expected
    assert expected and others

    inc = incidents.declare(store, title="Power outage in SBG", title_fr="Coupure électrique à SBG",
                            scope={"datacenter": ["SBG"]}, author="alice", region="EMEA", now=NOW)
    detail = incident_queries.get(store, inc.id)
    assert {a.id for a in detail.affected} == expected  # the right customers, and only them
    linked = [r["id"] for r in store.query("SELECT id FROM cases WHERE incident_id = ?", (inc.id,))]
    assert {queries.get_case(store, c)["customer_id"] for c in linked} == expected
    assert all(queries.get_case(store, c)["heat"] >= WEIGHTS.incident_floor for c in linked)  # the incident floor

    before = store.query_one("SELECT COUNT(*) FROM events")[0]
    result = incidents.broadcast(store, inc.id, fr="Nous intervenons sur la coupure à SBG.",
                                 en="We are working on the SBG power outage.", author="alice", region="EMEA",
                                 now=NOW + timedelta(minutes=5))
    assert sorted(result.written) == sorted(linked)  # exactly one message per linked case
    for case_id in linked:
        case = queries.get_case(store, case_id)
        last = [e for e in queries.case_events(store, case_id) if e["kind"] == "message"][-1]
        expected_text = ("Nous intervenons sur la coupure à SBG." if case["language"].startswith("fr")
                         else "We are working on the SBG power outage.")
        assert (last["direction"], last["body"]) == ("out", expected_text)
    written = store.query_one("SELECT COUNT(*) FROM events")[0] - before

    again = incidents.broadcast(store, inc.id, fr="Nous intervenons sur la coupure à SBG.",
                                en="We are working on the SBG power outage.", author="alice", region="EMEA",
                                now=NOW + timedelta(minutes=6))
    assert again.written == () and store.query_one("SELECT COUNT(*) FROM events")[0] - before == written

    incidents.resolve(store, inc.id, notes="UPS failed during maintenance; second feed added.",
                      author="alice", region="EMEA", now=NOW + timedelta(hours=2))
    for case_id in linked:
        terms = {t.name for t in incidents_heat(store, case_id, NOW + timedelta(hours=2))}
        assert "incident" not in terms  # the floor is gone
    assert not incident_queries.open_banner(store, NOW + timedelta(hours=2), 30)


def incidents_heat(store, case_id, now):
    from oncall_tui.store.derived import INCIDENT_OPEN_SQL, score_row

    row = store.query_one(f"SELECT c.stats, c.status, c.opened_at, cu.tier, {INCIDENT_OPEN_SQL} FROM cases c "
                          "JOIN customers cu ON cu.id = c.customer_id WHERE c.id = ?", (case_id,))
    return score_row(row[0], row[1], row[2], row[3], bool(row[4]), now, WEIGHTS).terms
