"""Every network call ends: deadlines, size caps, and quitting stops what is in flight.

Against a real HTTP server on 127.0.0.1 that drips, never ends, or answers with hostile text.
"""

from __future__ import annotations

import asyncio
import json
import threading

import pytest

from oncall_tui.connectors.json_http import JsonSource, JsonSourceError
from oncall_tui.connectors.webhook import post
from oncall_tui.core.secrets import Secret

from .servers.hostile_http import HostileServer


@pytest.fixture
def server():
    with HostileServer() as s:
        yield s


def in_a_thread(fn):
    """Run *fn* in a thread; return (thread, box) — box[0] is its result once done."""
    box: list = []
    thread = threading.Thread(target=lambda: box.append(fn()), daemon=True)
    thread.start()
    return thread, box


@pytest.mark.parametrize("path", ["/drip", "/slow-headers"])
def test_a_webhook_that_answers_a_byte_at_a_time_gives_up_at_its_deadline(server, path):
    thread, box = in_a_thread(lambda: post(Secret(server.url + path), "brief", timeout=1.0))
    thread.join(15)  # the server would drip for a minute
    assert not thread.is_alive()
    ok, detail = box[0]
    assert not ok and "within 1 s" in detail


def test_a_webhook_answer_without_end_is_cut_at_the_cap(server):
    ok, detail = post(Secret(server.url + "/endless"), "brief", timeout=30.0)
    assert not ok and "cap" in detail


def test_quitting_stops_a_webhook_post_in_flight(server):
    cancel = threading.Event()
    thread, box = in_a_thread(lambda: post(Secret(server.url + "/drip"), "brief", timeout=60.0, cancel=cancel))
    assert server.connected.wait(10)
    cancel.set()
    thread.join(5)
    assert not thread.is_alive()
    assert box[0] == (False, "stopped: oncall is closing")
    assert server.gone.wait(10)  # the connection was closed, not left hanging


def test_the_chat_text_cannot_mention_everyone_show_images_or_steer_the_terminal(server):
    hostile = "Handoff: @channel @here <!everyone> ![x](http://evil.example/p.png) **gras** \x1b[2J \u202eevil"
    ok, _ = post(Secret(server.url + "/hooks/T0/SECRET"), hostile, timeout=5.0)
    assert ok
    text = json.loads(server.received[-1])["text"]
    assert "@channel" not in text and "@here" not in text and "<!everyone>" not in text
    assert "![" not in text and "**" not in text
    assert "\x1b" not in text and "\u202e" not in text
    assert "channel" in text and "evil.example" in text and "␛" in text  # still readable


def test_an_error_page_reason_never_carries_control_characters(server):
    server.error_body = b"maintenance \x1b[31m back soon"
    ok, detail = post(Secret(server.url + "/error"), "brief", timeout=5.0)
    assert not ok and detail.startswith("HTTP 500") and "\x1b" not in detail


def feed(server, path, **kwargs) -> JsonSource:
    return JsonSource("crm", server.url + path, timeout=1.0, **kwargs)


def test_a_feed_that_drips_is_given_up_with_its_name_and_no_token_in_the_message(server):
    source = JsonSource("crm", server.url + "/drip?apikey=SECRET", timeout=1.0)

    async def pull():
        try:
            return await source.pull(None)
        finally:
            await source.aclose()
    with pytest.raises(JsonSourceError) as caught:
        asyncio.run(pull())
    message = str(caught.value)
    assert "crm" in message and "within 8 s" in message and "SECRET" not in message and "apikey" not in message


def test_a_feed_bigger_than_its_cap_is_refused(server):
    source = feed(server, "/endless", max_bytes=100_000)

    async def pull():
        try:
            return await source.pull(None)
        finally:
            await source.aclose()
    with pytest.raises(JsonSourceError, match="cap"):
        asyncio.run(pull())


def test_a_feed_error_page_is_quoted_literally(server):
    server.error_body = "maintenance [/] back soon [@click=app.quit]x[/] \x1b[2J".encode()
    source = feed(server, "/error")

    async def pull():
        try:
            return await source.pull(None)
        finally:
            await source.aclose()
    with pytest.raises(JsonSourceError) as caught:
        asyncio.run(pull())
    assert "maintenance [/] back soon [@click=app.quit]x[/] ␛[2J" in str(caught.value)


async def test_quitting_the_screen_stops_a_sync_in_flight(store, store_path, server):
    from oncall_tui.config import Config

    from .ui_helpers import make_app

    cfg = Config(timezone="Europe/Paris", sources=[{"kind": "json", "name": "crm", "url": server.url + "/drip",
                                                    "timeout": 30}])
    app = make_app(store_path, config=cfg)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert await asyncio.to_thread(server.connected.wait, 10)  # the feed is being read
        await pilot.press("ctrl+q")
    # The feed would drip for a minute: quitting hung up on it instead.
    assert await asyncio.to_thread(server.gone.wait, 10)
