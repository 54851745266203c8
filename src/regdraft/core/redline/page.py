"""A standalone HTML page around a redline's fragment."""

from __future__ import annotations

import html
from typing import Sequence

PAGE_CSS = """
:root { --ins: #0a6b2d; --del: #a3161a; --ink: #1b1b1b; --muted: #555; }
body { font: 1rem/1.5 Georgia, 'Times New Roman', serif; color: var(--ink); max-width: 46rem; margin: 2rem auto;
       padding: 0 1rem; }
header.rd-head p { color: var(--muted); margin: .2rem 0; }
ins.rd-ins { color: var(--ins); text-decoration: underline; text-decoration-thickness: 2px; background: #e6f4ea; }
del.rd-del { color: var(--del); text-decoration: line-through; background: #fbe9ea; }
ins.rd-moved, del.rd-moved { color: #1d4f91; background: #e8eef8; text-decoration-style: double; }
ins.rd-ins::before { content: "[+"; font-size: .7em; } ins.rd-ins::after { content: "+]"; font-size: .7em; }
del.rd-del::before { content: "[−"; font-size: .7em; } del.rd-del::after { content: "−]"; font-size: .7em; }
sup.rd-note-ref a { text-decoration: none; }
.rd-notice { border-left: 4px solid #b35c00; background: #fff4e5; padding: .4rem .8rem; margin: .5rem 0; }
ol.rd-notes { font-size: .9rem; } ol.rd-notes blockquote { margin: .3rem 0 .3rem 1rem; }
:target { outline: 2px solid #1d70b8; }
.rd-invisible::after { content: "\\27E8" attr(data-char) "\\27E9"; font: .7em system-ui, sans-serif; color: #a3161a; }
@media print {
  body { max-width: none; margin: 0; font-size: 11pt; }
  ins.rd-ins, del.rd-del { background: none; }
  a { color: inherit; }
  .rd-notice { break-inside: avoid; }
}
"""


def render_page(title: str, body: str | Sequence[bytes | memoryview], *, subtitle: str = "",
                notes_html: str = "") -> str:
    """A complete, printable HTML page around an escaped/safe ``body`` fragment: a str,
    or its chunks in UTF-8 (:func:`render_html_chunks`), joined with the page around
    them in UTF-8 and decoded once (the fragment decoded and then copied twice into
    the page, as a str two bytes a character, took three times as long)."""
    head, tail = _page_around(title, subtitle, notes_html)
    if isinstance(body, str):
        return head + body + tail
    return b"".join((head.encode("utf-8", "surrogatepass"), *body,
                     tail.encode("utf-8", "surrogatepass"))).decode("utf-8", "surrogatepass")


def render_page_utf8(title: str, body: bytes | Sequence[bytes | memoryview], *, subtitle: str = "",
                     notes_html: str = "") -> bytes:
    """:func:`render_page` in UTF-8, around a fragment in UTF-8 (or its chunks, joined
    once with the page around them)."""
    head, tail = _page_around(title, subtitle, notes_html)
    return b"".join((head.encode(), *((body,) if isinstance(body, bytes) else body), tail.encode()))


def _page_around(title: str, subtitle: str, notes_html: str) -> tuple[str, str]:
    """The page before the body and after it."""
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        f"<title>{html.escape(title)}</title>\n<style>{PAGE_CSS}</style>\n</head>\n<body>\n"
        f"<header class=\"rd-head\"><h1>{html.escape(title)}</h1>"
        + (f"<p>{html.escape(subtitle)}</p>" if subtitle else "")
        + "<p>Insertions are underlined and marked [+ +]; deletions are struck through and marked [− −].</p>"
        + "</header>\n<main>\n",
        "\n</main>\n"
        + (f"<section aria-label=\"Notes\">\n<h2>Notes</h2>\n{notes_html}\n</section>\n" if notes_html else "")
        + "</body>\n</html>\n")
