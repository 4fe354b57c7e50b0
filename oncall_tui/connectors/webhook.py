"""Posting to the team chat: a Slack/Mattermost-compatible incoming webhook (`{"text": ...}`).

The URL carries its secret in its path: only its host is ever shown or recorded.
The text holds customer words (subjects, names): it is neutralised so it can
neither notify the whole channel, show an image, format itself nor carry
terminal or bidi controls.
"""

from __future__ import annotations

import re
import threading
from urllib.parse import urlsplit

import httpx

from ..core.secrets import Secret
from ..core.visible import visible
from .limits import FetchError, Limits, fetch_blocking

USER_AGENT = "oncall-tui/0.1 (+handoff)"
#: A chat server answers in a few bytes; anything bigger is not one.
MAX_ANSWER = 64 * 1024

_MARKDOWN = re.compile(r"([\\`*_~\[\]()!|#])")


def neutralise(text: str) -> str:
    """*text* safe to post: no mention of everyone (@channel, <!here>…), no Markdown, no control characters.

    "@" becomes the full-width "＠" (no chat server reads it as a mention) and the
    Markdown specials are backslash-escaped (shown as typed by Mattermost).
    """
    text = visible(text, multiline=True).replace("@", "\uff20")
    text = text.replace("<!", "&lt;!").replace("<@", "&lt;@")  # Slack's own mention syntax
    return _MARKDOWN.sub(r"\\\1", text)


def post(webhook: Secret, text: str, *, timeout: float, cancel: threading.Event | None = None) -> tuple[bool, str]:
    """POST {"text": neutralised text}; (ok, detail). The detail never includes the URL's path.

    At most *timeout* seconds in all, whatever the server does; *cancel* stops it sooner.
    """
    url = webhook.reveal()
    host = host_of(url)
    if urlsplit(url).scheme not in ("http", "https") or not host:
        return False, "the webhook is not an http(s) URL; fix [handoff] webhook in the config"
    limits = Limits(connect=min(5.0, timeout), read=timeout, total=timeout, max_bytes=MAX_ANSWER)
    try:
        answer = fetch_blocking("POST", url, limits=limits, cancel=cancel, json={"text": neutralise(text)},
                                headers={"User-Agent": USER_AGENT})
    except FetchError as exc:
        return False, str(exc)
    except httpx.TimeoutException:
        return False, f"no answer within {timeout:g} s"
    except httpx.HTTPError as exc:
        return False, visible(f"connection failed ({type(exc).__name__}: {exc})".replace(url, host))
    if not answer.ok:
        return False, visible(f"HTTP {answer.status} {answer.reason}".rstrip())
    return True, f"HTTP {answer.status}"


def host_of(url: str) -> str:
    """"chat.example.net:8443" of a webhook URL, "" when it has none."""
    try:
        parts = urlsplit(url)
        return parts.hostname + (f":{parts.port}" if parts.port else "") if parts.hostname else ""
    except ValueError:
        return ""
