"""Accept-header negotiation and If-None-Match, as RFC 9110 reads them."""

import pytest

from regdraft.api.negotiation import acceptable, choose, none_match, parse_accept

OFFERED = ["text/html", "application/json", "text/markdown", "text/plain"]


@pytest.mark.parametrize(("header", "chosen"), [
    (None, "text/html"),
    ("", "text/html"),
    ("*/*", "text/html"),
    ("application/json", "application/json"),
    ("TEXT/PLAIN", "text/plain"),
    ("text/*", "text/html"),
    ("text/*;q=0.3, text/plain;q=0.4", "text/plain"),
    ("text/html;q=0, text/*", "text/markdown"),  # the most specific range decides: html is excluded
    ("*/*;q=0.1, application/json;q=0.2", "application/json"),
    ("image/png, text/markdown;q=0.01", "text/markdown"),
    ("text/plain; charset=utf-8; q=0.5, application/json; q=0.4", "text/plain"),
    ("garbage, /json, */html", "text/html"),  # nothing readable: as if there were no header
    ("application/json;q=2, text/plain", "text/plain"),  # a weight above 1 is unreadable
    ("application/json;q=abc, text/plain", "text/plain"),
    ("image/png", None),
    ("*/*;q=0", None),
    ("text/*;q=0, application/*;q=0", None),
])
def test_choose(header, chosen):
    assert choose(header, OFFERED) == chosen


def test_parse_and_acceptable():
    assert [(r.type, r.subtype, r.q) for r in parse_accept("text/html;level=1;q=0.7, */*")] == [
        ("text", "html", 0.7), ("*", "*", 1.0)]
    assert acceptable("text/*", "text/plain") and not acceptable("text/*", "application/json")
    assert acceptable(None, "application/json") and not acceptable("text/html;q=0", "text/html")


def test_none_match_compares_weakly_and_takes_a_star():
    assert none_match('"abc"', '"abc"') and none_match('W/"abc"', '"abc"') and none_match(' "x" , "abc"', '"abc"')
    assert none_match("*", '"abc"')
    assert not none_match(None, '"abc"') and not none_match('"abcd"', '"abc"') and not none_match("abc", '"abc"')
