"""Posting to the team chat: a Slack/Mattermost-compatible incoming webhook (`{"text": ...}`).

The URL carries its secret in its path: only its host is ever shown or recorded.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx

USER_AGENT = "oncall-tui/0.1 (+handoff)"


def post(url: str, text: str, *, timeout: float) -> tuple[bool, str]:
    """POST {"text": ...}; (ok, detail). The detail never includes the URL's path."""
    host = host_of(url)
    if urlsplit(url).scheme not in ("http", "https") or not host:
        return False, "the webhook is not an http(s) URL; fix [handoff] webhook in the config"
    try:
        response = httpx.post(url, json={"text": text}, timeout=timeout, headers={"User-Agent": USER_AGENT})
    except httpx.TimeoutException:
        return False, f"no answer within {timeout:g} s"
    except httpx.HTTPError as exc:
        return False, f"connection failed ({type(exc).__name__}: {exc})".replace(url, host)
    if not response.is_success:
        return False, f"HTTP {response.status_code} {response.reason_phrase}".rstrip()
    return True, f"HTTP {response.status_code}"


def host_of(url: str) -> str:
    """"chat.example.net:8443" of a webhook URL, "" when it has none."""
    try:
        parts = urlsplit(url)
        return parts.hostname + (f":{parts.port}" if parts.port else "") if parts.hostname else ""
    except ValueError:
        return ""
