"""Servers, domains and databases as one editable line each."""

import pytest

from oncall_tui.core.assets_text import format_assets, parse_assets


def test_round_trip_keeps_every_field():
    text = ("server web-01 datacenter=RBX ipv4=203.0.113.10 ipv6=2001:db8::10 webroot=/var/www/shop\n"
            "domain boutique.fr server=web-01\n"
            "database shop_prod server=web-01")
    assert format_assets(parse_assets(text)) == text


@pytest.mark.parametrize("text, reason", [
    ("server", "line 1: a server needs a name"),
    ("server web-01 ipv4=2001:db8::1", "line 1: '2001:db8::1' is not an IPv4 address"),
    ("\n\nserver a\nserver a", "line 4: server 'a' is listed twice"),
    ("domain x.fr owner=bob", "line 1: 'owner=bob' is not one of datacenter=…"),
])
def test_bad_lines_are_refused_with_their_number(text, reason):
    with pytest.raises(ValueError, match=reason.replace("…", ".").replace("(", r"\(")):
        parse_assets(text)


def test_comments_and_blank_lines_are_ignored():
    assert [a["name"] for a in parse_assets("# our servers\n\nserver a\n")] == ["a"]
