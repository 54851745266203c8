"""Marks (a redline's ``<ins>``/``<del>``, a response's quoted ``<mark>``) go between text
nodes only: a change or quote that falls inside a link's address or title, an image's
text or an autolink never breaks an attribute, nests a link in a link, or leaves a
mark open; and it is still marked."""

from __future__ import annotations

from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st

from regdraft.core.diffing import diff_texts
from regdraft.core.redline import render_html
from regdraft.web.marks import CitingAmendment, Quote, label_changes, marked_response

RESPONSE = 'They said [see](https://example.com "we want inspection now") and ![a plan](https://example.com/p.png).\n'
# The attributes regdraft writes; a mark inside an attribute makes others ('quote"', 'rd-ins"', 'change-1"').
ATTRIBUTES = {"href", "title", "src", "alt", "class", "id", "data-change", "data-provision", "data-amendment"}


class _Checked(HTMLParser):
    """Parses as a browser would and records what would show a broken attribute."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.open: list[str] = []
        self.counts: dict[str, int] = {}
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.counts[tag] = self.counts.get(tag, 0) + 1
        for name, value in attrs:
            if name not in ATTRIBUTES:
                self.problems.append(f"<{tag}> has an attribute {name!r}")
            if value and any(c in value for c in '<>"') or value and any("\ue000" <= c <= "\uf8ff" for c in value):
                self.problems.append(f"<{tag} {name}={value!r}> holds markup or a mark")
        if tag == "a" and "a" in self.open:
            self.problems.append("a link inside a link")
        if tag not in ("img",):
            self.open.append(tag)

    def handle_endtag(self, tag):
        if tag in self.open:
            while self.open.pop() != tag:
                pass

    def handle_data(self, data):
        self.text.append(data)
        if '">' in data or "\ue000" <= max(data, default=" ") <= "\uf8ff":
            self.problems.append(f"text shows {data!r}")


def _checked(fragment: str) -> _Checked:
    parser = _Checked()
    parser.feed(fragment)
    parser.close()
    assert parser.problems == [], (parser.problems, fragment)
    return parser


def _quote(text: str, words: str) -> Quote:
    start = text.index(words)
    return Quote(start, start + len(words), (CitingAmendment("ofsted", "Ofsted inspection", "/x#citation-1"),))


def test_a_quote_in_a_link_title_does_not_break_the_link():
    html = str(marked_response(RESPONSE, [_quote(RESPONSE, "want inspection")]))
    parsed = _checked(html)
    assert '<a href="https://example.com" title="we want inspection now">' in html
    assert 'id="quote-' in html and parsed.counts.get("mark") == 1  # the #quote- link still lands
    assert "cited by" in html and parsed.counts["a"] == 2


def test_quotes_in_an_address_in_an_image_text_and_across_a_link_keep_every_attribute_whole():
    for words in ("example.com", "a plan", "see](https://example.com", "now\") and", "They said [see"):
        html = str(marked_response(RESPONSE, [_quote(RESPONSE, words)]))
        _checked(html)
        assert 'href="https://example.com"' in html and 'src="https://example.com/p.png"' in html, (words, html)


def test_a_change_to_a_link_address_or_title_is_marked_beside_the_link_not_inside_it():
    old = ('# T\n\n### 1. Sources\n\nSee [the Act](https://example.com/old "the old title"), '
           '![old plan](https://example.com/p.png) and <https://example.com/a>.\n')
    new = old.replace("/old", "/new").replace("the old title", "the new title").replace("old plan", "new plan") \
        .replace("/a>", "/b>")
    body, changes = render_html(diff_texts(old, new))
    labelled = label_changes(body)
    parsed = _checked(labelled)
    # The link as it now stands, and every change still marked and findable.
    assert '<a href="https://example.com/new" title="the new title">' in body
    assert 'alt="new plan"' in body and 'href="https://example.com/b"' in body
    assert len(changes) >= 3 and parsed.counts["ins"] >= 3 and parsed.counts["del"] >= 3
    assert all(f'id="change-{c.number}"' in labelled for c in changes)


words = st.sampled_from(["want", "inspection", "now", "the", "Act", "see", "example", "plan", "a"])
phrases = st.lists(words, min_size=1, max_size=4).map(" ".join)


@st.composite
def linked_texts(draw) -> str:
    return (f"{draw(phrases)} [{draw(phrases)}](https://example.com/{draw(words)} \"{draw(phrases)}\") "
            f"{draw(phrases)} ![{draw(phrases)}](https://example.com/{draw(words)}.png) "
            f"<https://example.com/{draw(words)}> {draw(phrases)}\n")


@settings(max_examples=150, deadline=None)
@given(linked_texts(), st.data())
def test_no_quote_anywhere_in_a_linked_text_breaks_its_markup(text, data):
    start = data.draw(st.integers(0, len(text) - 2))
    end = data.draw(st.integers(start + 1, len(text) - 1))
    if not text[start:end].strip():
        return
    html = str(marked_response(text, [Quote(start, end, (CitingAmendment("a", "A", "/a"),))]))
    parsed = _checked(html)
    assert parsed.counts.get("mark", 0) >= 1 and "cited by" in html


@settings(max_examples=150, deadline=None)
@given(linked_texts(), linked_texts())
def test_no_change_anywhere_in_a_linked_text_breaks_its_markup(old, new):
    old, new = f"# T\n\n### 1. A\n\n{old}", f"# T\n\n### 1. A\n\n{new}"
    body, changes = render_html(diff_texts(old, new))
    parsed = _checked(label_changes(body))
    assert parsed.counts.get("ins", 0) + parsed.counts.get("del", 0) >= len(changes)


@settings(max_examples=60, deadline=None)
@given(st.integers(0xE000, 0xF8FF), st.sampled_from(["&#x{:X};", "&#x00{:x};", "&#{:d};", "&#00{:d};"]))
def test_a_reference_to_a_private_use_character_in_a_response_forges_no_mark(code, form):
    """A response's numeric reference to a private-use code point (the quote marks'
    own range) neither opens nor closes a highlight, and the quote after it still
    starts where its offsets say."""
    from regdraft.core.redline import without_marks

    reference = form.format(code)
    text = f"First {reference} then the quoted words here.\n"
    assert len(without_marks(text)) == len(text)
    html = str(marked_response(text, [_quote(text, "quoted words")]))
    _checked(html)
    assert html.count("<mark") == html.count("</mark>") == 1
    assert '<mark class="quote" id="quote-' in html and ">quoted words</mark>" in html
    assert "\ufffd" in html
