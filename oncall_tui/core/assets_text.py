"""Servers, domains and databases as editable text: one asset per line.

    server web-01 datacenter=RBX ipv4=203.0.113.10 ipv6=2001:db8::10 webroot=/var/www/shop
    domain boutique-martin.fr server=web-01
    database shop_prod server=db-01

An engineer edits this in the case screen; `parse_assets` refuses a bad line
with its number and the reason, so nothing half-right is saved.
"""

from __future__ import annotations

import ipaddress

KINDS = ("server", "domain", "database")
FIELDS = ("datacenter", "ipv4", "ipv6", "server", "webroot")


def format_assets(assets) -> str:
    """The text form of asset rows (mappings with kind, name and the FIELDS)."""
    lines = []
    for a in sorted(assets, key=lambda a: (KINDS.index(a["kind"]) if a["kind"] in KINDS else 9, a["name"])):
        extras = " ".join(f"{key}={a[key]}" for key in FIELDS if key in a.keys() and a[key])
        lines.append(f"{a['kind']} {a['name']}" + (f" {extras}" if extras else ""))
    return "\n".join(lines)


def parse_assets(text: str) -> list[dict[str, str]]:
    """Asset records from the text form; ValueError "line N: reason" on the first bad line."""
    out: list[dict[str, str]] = []
    seen: set[tuple[str, str]] = set()
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        words = line.split()
        kind = words[0].lower()
        if kind not in KINDS:
            raise ValueError(f"line {number}: {words[0]!r} is not one of {', '.join(KINDS)}")
        if len(words) < 2 or "=" in words[1]:
            raise ValueError(f"line {number}: a {kind} needs a name right after the word {kind!r}")
        record = {"kind": kind, "name": words[1], **{key: "" for key in FIELDS}}
        for word in words[2:]:
            key, sep, value = word.partition("=")
            if not sep or key not in FIELDS:
                raise ValueError(f"line {number}: {word!r} is not one of {', '.join(f + '=…' for f in FIELDS)}")
            record[key] = value
        for key, version in (("ipv4", 4), ("ipv6", 6)):
            for address in filter(None, (a.strip() for a in record[key].split(","))):
                try:
                    if ipaddress.ip_address(address).version != version:
                        raise ValueError
                except ValueError:
                    raise ValueError(f"line {number}: {address!r} is not an IPv{version} address") from None
        if (kind, record["name"]) in seen:
            raise ValueError(f"line {number}: {kind} {record['name']!r} is listed twice")
        seen.add((kind, record["name"]))
        out.append(record)
    return out
