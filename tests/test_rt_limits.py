"""The RT connector's calls are bounded like every network call: a whole answer within its deadline, a size cap
(an attachment's own), and the token never shown — against a real HTTP server on loopback that misbehaves."""

from __future__ import annotations

import asyncio

import pytest

from oncall_tui.connectors.rt import (
    RtConfig,
    RtConnector,
    RtError,
    RtUnavailable,
    read_token,
)
from oncall_tui.connectors.rt_source import RtSource

from .servers.hostile_http import HostileServer

TOKEN = "1-42-5ecre7c0ffee"


@pytest.fixture
def server():
    with HostileServer() as s:
        yield s


def rt_config(tmp_path, base_url: str) -> RtConfig:
    token_file = tmp_path / "rt.token"
    token_file.write_text(TOKEN + "\n")
    token_file.chmod(0o600)
    return RtConfig.from_dict({"base_url": base_url, "token_file": str(token_file), "queues": ["Support"],
                               "timeout": 1})


async def probe(config: RtConfig):
    async with RtConnector(config) as rt:
        return await rt.get("/rt")


async def fetch_attachment(config: RtConfig, max_bytes: int):
    async with RtConnector(config) as rt:
        return await rt.attachment(7, max_bytes)


def test_an_rt_that_answers_a_byte_at_a_time_is_given_up_at_its_deadline_and_the_message_names_no_token(
        server, tmp_path):
    with pytest.raises(RtUnavailable) as caught:
        asyncio.run(probe(rt_config(tmp_path, server.url + "/drip")))
    message = str(caught.value)
    assert "/drip/REST/2.0/rt" in message and "no complete answer within 4 s" in message
    assert TOKEN not in message


def test_an_rt_answer_without_end_is_cut_at_the_cap(server, tmp_path, monkeypatch):
    monkeypatch.setattr("oncall_tui.connectors.rt.ANSWER_MAX_BYTES", 200_000)
    with pytest.raises(RtUnavailable, match="200,000-byte cap"):
        asyncio.run(probe(rt_config(tmp_path, server.url + "/endless")))


def test_an_attachment_larger_than_its_limit_is_refused_and_nothing_is_kept(server, tmp_path):
    with pytest.raises(RtError) as caught:
        asyncio.run(fetch_attachment(rt_config(tmp_path, server.url + "/endless"), 1 << 20))
    assert "larger than the 1 MB limit; nothing was saved" in str(caught.value)
    assert not isinstance(caught.value, RtUnavailable)  # not retried as if RT were down


def test_the_rt_token_never_shows_in_a_repr_a_format_or_a_message(tmp_path):
    config = rt_config(tmp_path, "http://127.0.0.1:9")
    token = read_token(config.token_file)
    source = RtSource(config, token=token, own_token=token, user="carol")
    shown = " ".join([str(token), repr(token), f"{token}", repr(source), repr(RtConnector(config)),
                      repr(vars(source))])
    assert TOKEN not in shown
    assert token.reveal() == TOKEN  # only where it is sent
