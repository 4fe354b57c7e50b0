"""Presence: who has which case open and who is writing in it, seen by every engineer on the store
(both engines), expiring by itself when a heartbeat stops."""

from __future__ import annotations

from datetime import timedelta

from oncall_tui.usecases import presence

from .conftest import NOW, open_session


def test_a_heartbeat_shows_who_is_on_which_case_and_who_is_writing(store, store_path):
    alice, bob = open_session(store_path, user="alice"), open_session(store_path, user="bob")
    try:
        presence.beat(bob, case_id="T-100", writing="reply")
        presence.beat(alice, case_id="T-200")
        assert presence.by_case(alice) == {"T-100": "bob✎"}
        assert presence.by_case(bob) == {"T-200": "alice"}
        assert "bob (San Francisco) is" in presence.describe_case(alice, "T-100")
        assert [p["engineer"] for p in presence.replying(alice, "T-100")] == ["bob"]
    finally:
        alice.close()
        bob.close()


def test_presence_expires_when_the_heartbeat_stops_and_goes_when_the_engineer_leaves(store, store_path):
    bob = open_session(store_path, user="bob")
    presence.beat(bob, case_id="T-100")
    bob.close()
    later = NOW + timedelta(seconds=presence.STALE_SECONDS + 1)
    alice_now, alice_later = open_session(store_path, user="alice"), open_session(store_path, now=later)
    try:
        assert presence.by_case(alice_now) == {"T-100": "bob"}
        assert presence.by_case(alice_later) == {}  # bob's process died without a word: he fades out
        kenji = open_session(store_path, user="kenji")
        presence.beat(kenji, case_id="T-300")
        presence.leave(kenji)
        kenji.close()
        assert presence.by_case(alice_now) == {"T-100": "bob"}
    finally:
        alice_now.close()
        alice_later.close()
