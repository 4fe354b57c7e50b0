"""The case screen's content read from the store: a customer with a long history opens on the newest."""

from __future__ import annotations

from datetime import timedelta

from oncall_tui.store import writes
from oncall_tui.usecases import history

from .conftest import NOW


def test_only_the_newest_entries_are_read_and_the_rest_is_counted(store, session):
    for n in range(30):
        writes.add_case_event(store, "T-100", kind="note", author="bob", now=NOW + timedelta(minutes=n),
                              body=f"relance {n}")
    whole = history.case_view(session, "T-100")
    newest = history.case_view(session, "T-100", newest=5)
    assert [e.id for e in newest.timeline] == [e.id for e in whole.timeline[-5:]]  # the same, oldest first
    assert newest.earlier == len(whole.timeline) - 5 and whole.earlier == 0
    assert newest.since == whole.timeline[0].at == whole.since
    assert [e.body for e in newest.timeline] == [f"relance {n}" for n in range(25, 30)]
    everything = history.case_view(session, "T-100", newest=len(whole.timeline) + 10)
    assert everything.timeline == whole.timeline and everything.earlier == 0
