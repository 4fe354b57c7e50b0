"""`oncall handoff`: the brief of my shift, stored and posted to the team chat.

Store first, then post: a webhook that is down never loses the brief, it is
already in every listed case's history; the post outcome is recorded too.
"""

from __future__ import annotations

import sys
from urllib.parse import urlsplit

from ..core.model import HOT_HEAT

USER_AGENT = "oncall-tui/0.1 (+handoff)"


def post_webhook(url: str, text: str, *, timeout: float) -> tuple[bool, str]:
    """POST {"text": ...} (Slack/Mattermost); (ok, detail). The detail never includes the URL's path."""
    import httpx

    host = webhook_host(url)
    if urlsplit(url).scheme not in ("http", "https") or not host:
        return False, "the webhook is not an http(s) URL; fix [handoff] webhook in the config"
    try:
        response = httpx.post(url, json={"text": text}, timeout=timeout,
                              headers={"User-Agent": USER_AGENT})
    except httpx.TimeoutException:
        return False, f"no answer within {timeout:g} s"
    except httpx.HTTPError as exc:
        return False, f"connection failed ({type(exc).__name__}: {exc})".replace(url, host)
    if not response.is_success:
        return False, f"HTTP {response.status_code} {response.reason_phrase}".rstrip()
    return True, f"HTTP {response.status_code}"


def webhook_host(url: str) -> str:
    try:
        parts = urlsplit(url)
        return parts.hostname + (f":{parts.port}" if parts.port else "") if parts.hostname else ""
    except ValueError:
        return ""


def cmd_handoff(args) -> int:
    from ..cli import EXIT_BAD_INPUT, EXIT_ERROR, _now, _open_store
    from ..core.handoff import parse_since
    from ..store import handoffs
    from ..store.db import StoreError
    from .notes import _identity, _region

    cfg, author = _identity(args)
    now = _now(args.now)
    try:
        since = parse_since(args.since, now)
    except ValueError as exc:
        print(f"oncall handoff: --since {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    store = _open_store(args)
    try:
        brief = handoffs.gather(store, author, since, now, hot_threshold=args.hot)
        if args.format == "json":
            sys.stdout.write(brief.to_json() + "\n")
        else:
            from ..ui.safe import visible

            sys.stdout.write(visible(brief.to_markdown(), multiline=True))
        if not args.send:
            return 0
        region = _region(store, cfg, author)
        try:
            handoff_id = handoffs.send(store, brief, author=author, region=region, now=now)
        except StoreError as exc:
            print(f"oncall handoff: {exc}", file=sys.stderr)
            return EXIT_ERROR
        print(f"oncall handoff: stored handoff {handoff_id} ({len(brief.items)} case{'' if len(brief.items) == 1 else 's'})",
              file=sys.stderr)
        url = cfg.handoff_webhook
        if not url:
            return 0
        host = webhook_host(url) or "the configured webhook"
        ok, detail = post_webhook(url, brief.text, timeout=cfg.handoff_timeout)
        handoffs.record_post(store, handoff_id, ok=ok, detail=detail, host=host, author=author,
                             region=region, now=now)
        if not ok:
            print(f"oncall handoff: posting to {host} failed: {detail}. The brief is stored as handoff "
                  f"{handoff_id} in every listed case's history; nothing is lost.", file=sys.stderr)
            return EXIT_ERROR
        print(f"oncall handoff: posted to {host}", file=sys.stderr)
        return 0
    finally:
        store.close()


def register(sub, common) -> None:
    p = sub.add_parser("handoff", help="the handoff brief of my shift (--send stores it and posts it)")
    p.add_argument("--since", default="8h", help="start of the shift: 8h, 90m, 1d or ISO 8601 (default 8h)")
    p.add_argument("--format", choices=("md", "json"), default="md")
    p.add_argument("--send", action="store_true",
                   help="store it in the history and post it to [handoff] webhook if configured")
    p.add_argument("--author", help="whose shift (default: ONCALL_USER, config, Unix user)")
    p.add_argument("--hot", type=int, default=HOT_HEAT,
                   help=f"heat from which a case counts as hot (default {HOT_HEAT})")
    p.add_argument("--now", help="evaluate at this ISO 8601 instant (default: now)")
    p.set_defaults(func=cmd_handoff)
