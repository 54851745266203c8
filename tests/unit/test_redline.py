"""Redlines, CriticMarkup and the Keeling schedule, and that hostile text cannot get
markup through any renderer, in any format."""

import json
import re
from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st

from regdraft.core.diffing import diff_texts
from regdraft.core.history import Step, diff_steps
from regdraft.core.keeling import AmendmentNote, CitationNote, ConflictNotice, render_keeling
from regdraft.core.instructions import parse
from regdraft.core import redline
from regdraft.core.redline import anchoring, commonmark, html_redline, marking
from regdraft.core.redline import END_OF_TEXT, Source, render_criticmarkup, render_html, render_markdown, render_page
from regdraft.core.text import normalise
from regdraft.services.comparisons import Comparison, compare_texts
from regdraft.formats.read.tracked_changes import read_tracked_changes
from regdraft.formats.write import xml_safe
from regdraft.services.rendering import BINARY, COMPARISON_FORMATS, KeelingSchedule, render

BASE = ("# Example Regulations\n\n### 3. Functions\n\n(1) The following functions—\n\n"
        "- (a) social services functions;\n- (b) functions under section 10.\n\n"
        "### 4. Delegation\n\nThe council may delegate any function to any person.\n")
NFP = BASE.replace("any person", "a body that is not-for-profit")
REVIEW = NFP + "\n### 5. Review\n\n(1) The Secretary of State must review these Regulations.\n"


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def _parse(markup: str) -> _Tags:
    parser = _Tags()
    parser.feed(markup)
    return parser


def test_structure_is_kept_and_every_provision_has_an_anchor():
    html, changes = render_html(diff_texts(BASE, REVIEW))
    tags = _parse(html).tags
    ids = [attrs["id"] for _, attrs in tags if "id" in attrs]
    assert ids == ["preamble", "reg-3", "reg-3-1", "reg-3-1-a", "reg-3-1-b", "reg-4", "reg-5", "reg-5-1"]
    assert [t for t, a in tags if a.get("id") == "reg-5"] == ["h3"]
    assert [t for t, a in tags if a.get("id") == "reg-3-1-a"] == ["li"]
    assert [c.provision for c in changes] == ["reg-4", "reg-5", "reg-5-1"]


def test_changes_are_word_level_and_traced_to_amendment_and_provision():
    diff = diff_steps(BASE, [Step(NFP, "not-for-profit"), Step(REVIEW, "review-clause")])
    html, _ = render_html(diff, sources={"not-for-profit": Source("Only not-for-profit bodies", "NCB")})
    marks = [(t, a) for t, a in _parse(html).tags if t in ("ins", "del")]
    assert [(t, a["data-amendment"], a["data-provision"]) for t, a in marks] == [
        ("del", "not-for-profit", "reg-4"), ("ins", "not-for-profit", "reg-4"),
        ("ins", "review-clause", "reg-5"), ("ins", "review-clause", "reg-5-1")]
    assert '>any person</del><ins' in html and ">a body that is not-for-profit</ins>" in html
    assert "by Only not-for-profit bodies (NCB)" in marks[0][1]["title"]
    assert '<h3 id="reg-5" data-provision="reg-5"><ins' in html  # an inserted heading is still a heading


def test_criticmarkup_marks_substitutions_insertions_and_attribution():
    diff = diff_steps(BASE, [Step(NFP, "nfp"), Step(REVIEW, "review")])
    out = render_criticmarkup(diff, sources={"nfp": Source("Not for profit", "NCB")})
    assert "{~~any person~>a body that is not-for-profit~~}{>>nfp: Not for profit (NCB)<<}" in out
    # The block's line ends are marked before it, so its attribution does not start the next line.
    assert out.endswith("{++\n\n### 5. Review\n\n(1) The Secretary of State must review these Regulations.++}"
                        "{>>review<<}\n")
    removed = render_criticmarkup(diff_texts(NFP, BASE))
    assert "{~~a body that is not-for-profit~>any person~~}" in removed


def test_keeling_notes_cite_responses_and_conflicts_are_stated_in_place():
    notes = {"nfp": AmendmentNote("nfp", "Only not-for-profit bodies", "National Children's Bureau", "/a/nfp",
                                  (CitationNote("NCB", "voluntary organisations, another local authority",
                                                "/responses/ncb#quote-10-55"),))}
    conflict = ConflictNotice("reg-4", "Amendments ban and nfp both change regulation 4: neither is applied here.")
    keeling = render_keeling(diff_steps(BASE, [Step(NFP, "nfp")]), notes, [conflict])
    fragment = keeling.body.decode()
    body = _parse(fragment)
    refs = [a["href"] for t, a in body.tags if t == "a"]
    assert refs == ["#note-1"]
    assert fragment.index("rd-notice") < fragment.index('id="reg-4"')
    assert "neither is applied here" in fragment
    notes_html = _parse(keeling.notes)
    assert [a.get("id") for t, a in notes_html.tags if t == "li"][0] == "note-1"
    assert "/responses/ncb#quote-10-55" in [a.get("href") for t, a in notes_html.tags if t == "a"]
    assert "Substituted in regulation 4" in "".join(notes_html.text)


def test_a_notice_for_a_provision_the_text_does_not_hold_stands_at_the_start():
    placed = ConflictNotice("reg-4", "Placed at regulation 4.")
    gone = ConflictNotice("reg-9", "Regulation 9 is not in this text.")
    keeling = render_keeling(diff_steps(BASE, [Step(NFP, "nfp")]), {}, [placed, gone])
    fragment = keeling.body.decode()
    assert fragment.startswith('<div class="rd-notice" role="note">Regulation 9 is not in this text.</div>')
    assert fragment.count("Regulation 9 is not in this text.") == 1
    assert fragment.index("Placed at regulation 4.") < fragment.index('id="reg-4"')
    assert fragment.index('id="reg-3"') < fragment.index("Placed at regulation 4.")


def test_a_notice_after_the_last_provision_stands_at_the_end():
    notice = ConflictNotice(END_OF_TEXT, "Conflict: amendments a and b both add regulation 5.")
    keeling = render_keeling(diff_steps(BASE, [Step(NFP, "nfp")]), {}, [notice])
    assert keeling.body.endswith(b'<div class="rd-notice" role="note">Conflict: amendments a and b both add '
                                 b'regulation 5.</div>')
    marked = render_criticmarkup(diff_texts(BASE, NFP), notices={END_OF_TEXT: [notice.message], "reg-4": ["<<}x"]})
    assert marked.endswith("to {~~any person~>a body that is not-for-profit~~}.\n\n{>>" + notice.message + "<<}\n")
    assert "\n\n{>><< }x<<}\n\n### 4. Delegation" in marked


_MARK = re.compile(r"\{\+\+(.*?)\+\+\}|\{--(.*?)--\}|\{~~(.*?)~>(.*?)~~\}|\{>>.*?<<\}", re.S)


def _settle(marked: str, *, accept: bool) -> str:
    def one(m: re.Match) -> str:
        inserted, deleted, old, new = m.groups()
        if inserted is not None:
            return inserted if accept else ""
        if deleted is not None:
            return "" if accept else deleted
        return (new if accept else old) or ""
    return _MARK.sub(one, marked)


plain_text = st.lists(st.sampled_from(["### 3. Heading\n\n", "(1) Words ", "- (a) item;\n", "\n", "\n\n", "plain ",
                                       "words.", "\n### 4. Other\n\n"]), max_size=14).map("".join)


@settings(max_examples=150, deadline=None)
@given(plain_text, plain_text, plain_text)
def test_criticmarkup_accepted_gives_the_new_text_and_rejected_the_old(base, first, second):
    diff = diff_steps(base, [Step(first, "a"), Step(second, "b")])
    marked = render_criticmarkup(diff, sources={"a": Source("A", "x")})
    assert _settle(marked, accept=True) == second
    assert _settle(marked, accept=False) == base


# -- hostile input -------------------------------------------------------------------

HOSTILE = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[x](javascript:alert(1))",
           "[y](JaVaScRiPt&#58;alert(1))", "<a href='javascript:alert(1)'>z</a>", "\"><svg onload=alert(1)>",
           "![i](data:text/html;base64,PHNjcmlwdD4=)", "<iframe src=//evil>", "<<b>>", "`<b>`", "</ins></del>",
           "\ue000\ue011\ue01f", "&lt;script&gt;", "<style>*{}</style>", "[ok](https://example.org)", "x onclick=y"]
fragment = st.sampled_from(HOSTILE + ["### 3. Heading\n\n", "(1) Words ", "- (a) item;\n", "\n\n", "plain words "])
hostile_text = st.lists(fragment, min_size=1, max_size=12).map("".join)
ALLOWED_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6", "p", "ul", "ol", "li", "ins", "del", "sup", "a", "em", "strong",
                "code", "pre", "blockquote", "div", "br", "hr", "q", "img", "html", "head", "meta", "title", "style",
                "body", "header", "main", "section"}


def _assert_safe(markup: str, *, page: bool = False) -> None:
    parsed = _parse(markup)
    styles = 0
    for tag, attrs in parsed.tags:
        assert tag in ALLOWED_TAGS, tag
        styles += tag == "style"
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            if name in ("href", "src"):
                assert not (value or "").strip().lower().startswith(("javascript:", "data:", "vbscript:")), value
    assert styles == (1 if page else 0)


@settings(max_examples=120, deadline=None)
@given(hostile_text, hostile_text, st.text(max_size=30))
def test_no_renderer_lets_hostile_markup_through(old, new, title):
    diff = diff_steps(old, [Step(new, "<script>")])
    body, _ = render_html(diff, sources={"<script>": Source("<img src=x onerror=1>", "\"onload=")}, notes=True,
                          notices={"preamble": ["<script>x</script>"]})
    _assert_safe(body)
    _assert_safe(render_markdown(new))
    _assert_safe(render_page(title + "<script>", body, subtitle="<b>", notes_html=""), page=True)
    notes = {"<x>": AmendmentNote("<x>", title, "<p>", "javascript:alert(1)", (
        CitationNote("<b>", new[:40], "javascript:alert(1)"),))}
    keeling = render_keeling(diff_steps(old, [Step(new, "<x>")]), notes, [ConflictNotice("reg-3", "<script>")])
    _assert_safe(keeling.body.decode("utf-8", "surrogatepass"))
    _assert_safe(keeling.notes)


def _schedule(old: str, new: str, title: str) -> KeelingSchedule:
    """A Keeling schedule of hostile parts, built as services.rendering builds one."""
    notes = {"<x>": AmendmentNote("<x>", title + "<script>", "<p onclick=x>", "javascript:alert(1)", (
        CitationNote("<b>", new[:40], "javascript:alert(1)"), CitationNote("x", "<<}", "/ok#quote-1-2")))}
    diff = diff_steps(old, [Step(new, "<x>")])
    keeling = render_keeling(diff, notes, [ConflictNotice("reg-3", "<script>x</script>"),
                                           ConflictNotice("nowhere", "<<}<img src=x onerror=1>")])
    comparison = Comparison("<old>", "<new>", old, new, diff, {"<x>": Source(title + "<<}", "\"onload=")}, "tag")
    return KeelingSchedule(title + "<script>", keeling, ("<x>",), ("<y>",), "tag", comparison,
                           tuple(notes.values()))


@settings(max_examples=60, deadline=None)
@given(hostile_text, hostile_text, st.text(max_size=30))
def test_no_format_of_any_rendering_lets_hostile_markup_through(old, new, title):
    """Every format of a redline and of a Keeling schedule, as the API and CLI serve
    them: HTML is safe as it is; the text formats are safe when shown through the safe
    Markdown renderer, and say exactly what changed (the JSON carries the texts intact,
    the instructions turn the old text into the new)."""
    old, new = normalise(old), normalise(new)
    for subject in (compare_texts("<script>", old, "<img onerror=x>", new), _schedule(old, new, title)):
        for format in (f for f in COMPARISON_FORMATS if f != "pdf"):  # pdf: the docx, printed
            out = render(subject, format, title=title + "</title><script>")
            if format in BINARY:  # Word: the texts carried intact through its XML
                comparison = subject.comparison if isinstance(subject, KeelingSchedule) else subject
                tracked = read_tracked_changes(out)
                assert (tracked.rejected(), tracked.accepted()) == (xml_safe(comparison.old_text),
                                                                    xml_safe(comparison.new_text))
                continue
            if format in ("html", "fragment"):
                _assert_safe(out, page=format == "html")
                continue
            _assert_safe(render_markdown(out))
            if format == "json":
                comparison = subject.comparison if isinstance(subject, KeelingSchedule) else subject
                assert json.loads(out)["changes"] == comparison.as_json()["changes"]
            if format == "instructions" and isinstance(subject, Comparison):
                assert parse(out, old) == new
            if format == "criticmarkup":
                assert out.count("{>>") == out.count("<<}"), out  # no comment closed early or left open


# Markdown with the block and inline syntax regulations use, and its traps (lazy
# lines, loose lists, emphasis, code, entities, escapes); the guard sends anything
# with raw HTML or links to markdown-it, so neither is drawn here.
_MARKDOWN_PIECES = ["### 3. Heading", "## Part 1", "# Title", "(1) The council", "- (a) functions", "  - (i) heads",
                    "1. first", "2) second", "* star", "    indented", "\t", "*emphasis*", "__strong__", "`code`",
                    "```", "&amp;", "&copy;", "\\*", "> quoted", "---", "===", "[omitted]", "word", "é", "🙂",
                    "\ue000", "—", " ", "  ", "\n", "\n\n", "\n   ", "|a|b|", "~~x~~", "www.example.com",
                    "_", "*", "!", ".", "(", ")", "[", "]", "#", "10.", "\\", "&", "'", '"', "`", "-", "+", "="]
markdown_texts = st.lists(st.sampled_from(_MARKDOWN_PIECES), max_size=40).map("".join)


def _blocks_and_lines(rendered: str) -> str:
    # Anchors go only on blocks whose opening tag is exactly the one the redline reads.
    assert len(re.findall(r"<(?:h[1-6]|p|li)\b[^>]*data-sourcepos", rendered)) == \
        len(anchoring._ANCHORABLE_SOURCEPOS.findall(rendered))
    return anchoring._SOURCEPOS_ATTRIBUTE.sub("", anchoring._ANCHORABLE_SOURCEPOS.sub(
        lambda m: f"<{m[1]} line={m[2]}>", rendered))


@settings(max_examples=300, deadline=None)
@given(text=markdown_texts)
def test_cmark_renders_what_markdown_it_renders_where_the_guard_lets_it(text):
    if commonmark.needs_markdown_it(text):
        return
    assert _blocks_and_lines(redline.render_with_cmark(text)) == \
        _blocks_and_lines(redline.render_with_markdown_it(text))


def test_raw_html_and_links_are_rendered_by_markdown_it_under_our_link_policy():
    html, _ = render_html(diff_texts("A [link](mailto:x@example.org) and <b>bold</b>.\n",
                                     "A [link](mailto:x@example.org) and <b>bold</b> text.\n"))
    assert "&lt;b&gt;bold&lt;/b&gt;" in html
    assert [attrs for tag, attrs in _parse(html).tags if tag == "a"] == []


def test_a_long_text_rendered_in_pieces_gives_the_html_of_the_whole(monkeypatch):
    regulations = "".join(f"### {n}. Heading {n}\n\n(1) The council may act under regulation {n}—\n\n"
                          f"- (a) alone;\n- (b) with another council, where—\n  - (i) both agree; or\n"
                          f"  - (ii) the Secretary of State directs.\n\n(2) Text of paragraph {n}.\n\n"
                          for n in range(1, 41))
    old = "# Long Regulations\n\n" + regulations
    new = old.replace("Text of paragraph 7.", "Text of paragraph 7, as amended.").replace("### 30. Heading 30\n\n", "")
    diff = diff_texts(old, new)
    whole, _ = render_html(diff, notices={"reg-12-1-b": ["A conflict here."]})
    monkeypatch.setattr(html_redline, "PIECE_CHARS", 300)
    assert len(list(html_redline._render_blocks(old))) > 10
    pieces, _ = render_html(diff, notices={"reg-12-1-b": ["A conflict here."]})
    assert pieces == whole
    assert 'id="reg-31"' in pieces and 'id="reg-12-1-b"' in pieces and "A conflict here." in pieces


def test_provision_ids_are_escaped_in_anchors_whatever_they_hold():
    from regdraft.core.diffing import ProvisionDiff, TextDiff
    from regdraft.core.patching import Op

    for ids in (['a"b', "<c>&"], ['a"b', "line\nend", "<c>&"]):
        diff = TextDiff(tuple(ProvisionDiff(pid, pid, "unchanged", (Op("equal", f"Text {n}.\n\n"),))
                              for n, pid in enumerate(ids)))
        html, _ = render_html(diff)
        assert [attrs["id"] for _, attrs in _parse(html).tags if "id" in attrs] == ids


def test_invisible_characters_a_text_may_hold_are_flagged_where_they_stand():
    """A right-to-left mark or a zero-width joiner is kept (scripts need them) but shown in
    the redline by its code point, in text only: the change's own attributes stay plain."""
    new = BASE.replace("any person", "any\u200fperson\u200d")
    body, changes = render_html(diff_texts(BASE, new), sources={"": Source("T\u200f", "P")})
    for char, name in (("\u200f", "RIGHT-TO-LEFT MARK"), ("\u200d", "ZERO WIDTH JOINER")):
        assert (f'<span class="rd-invisible" title="U+{ord(char):04X} {name}" data-char="U+{ord(char):04X}">'
                f'{char}</span>') in body
    parser = _Tags()
    parser.feed(body)
    assert all("<" not in (value or "") for _, attrs in parser.tags for value in attrs.values())
    assert ".rd-invisible::after" in render_page("T", body)
    assert render_html(diff_texts(BASE, NFP))[0].count("rd-invisible") == 0


def _note_links_of_whole(body: bytes) -> bytes:
    """The note links as the whole fragment states them: after each change's tag whose
    next tag is another change's (or which is the last), once a change."""
    tags = list(html_redline._CHANGE_ELEMENT.finditer(body))
    out, last, seen = [], 0, set()
    for i, tag in enumerate(tags):
        number = tag.group(2)
        out.append(body[last:tag.end()])
        last = tag.end()
        if (i + 1 == len(tags) or tags[i + 1].group(2) != number) and number not in seen:
            seen.add(number)
            out.append(b'<sup class="rd-note-ref"><a href="#note-%s" id="ref-%s">[%s]</a></sup>' % ((number,) * 3))
    return b"".join(out) + body[last:]


_element = st.one_of(
    st.sampled_from([b"<p>", b"</p>\n", b"text \xe2\x80\x94 ", b"<h3>3. Heading</h3>\n"]),
    st.builds(lambda kind, n: b'<%s class="rd-%s" data-change="%d" title="x">w</%s>' % (kind, kind, n, kind),
              st.sampled_from([b"ins", b"del"]), st.integers(1, 4)))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(_element, max_size=8), max_size=6))
def test_note_links_placed_piece_by_piece_are_those_of_the_whole_fragment(pieces):
    """A change's tags may stand in several pieces (a change over lines cut between
    pieces): its link still goes after its last tag, as over the joined fragment."""
    rendered = [b"".join(piece) for piece in pieces]
    whole = _note_links_of_whole(b"".join(rendered))
    html_redline._add_note_links(rendered)
    assert b"".join(rendered) == whole


def test_a_long_schedule_links_each_change_once():
    """A schedule rendered in many pieces, each change marked on two lines: every change
    gets exactly one link, after its last tag."""
    old = "\n\n".join(f"### {n}. Heading {n}\n\n({n}) The text of regulation {n} runs on for a while here."
                      for n in range(1, 400)) + "\n"
    new = old.replace("runs on for a while here.", "runs on for a while here,\nand on.")
    body = render_keeling(diff_steps(old, [Step(new, "a")]), {}, []).body
    assert len(body) > 4 * redline.PIECE_CHARS
    links = re.findall(rb'<sup class="rd-note-ref"><a href="#note-(\d+)"', body)
    numbers = re.findall(rb'data-change="(\d+)"', body)
    assert links == sorted(set(numbers), key=int)
    assert body == _note_links_of_whole(re.sub(rb'<sup class="rd-note-ref">.*?</sup>', b"", body))


def test_an_empty_comparison_renders_as_nothing():
    """No piece to render: the redline of two empty texts is empty, not an error."""
    assert redline.render_html_utf8(diff_texts("", "")) == (b"", [])


@settings(max_examples=80, deadline=None)
@given(st.integers(0xE000, 0xF8FF), st.booleans(), st.booleans(), st.sampled_from(["", " `code`"]))
def test_a_reference_to_a_private_use_character_forges_no_mark(code, hexadecimal, in_the_change, other):
    """A numeric character reference renders as its character; one to a private-use
    code point would be read as a mark (a change that opens or closes where the text
    made none). It renders as U+FFFD, with cmark and with markdown-it alike."""
    reference = f"&#x{code:X};" if hexadecimal else f"&#{code};"
    old = f"(1) A {reference} line{other}.\n\n(2) Another line.\n"
    new = old.replace("Another", "A changed") if not in_the_change else old.replace("Another", reference)
    body, changes = redline.render_html_utf8(diff_texts(old, new))
    fragment = body.decode()
    for tag in ("ins", "del"):
        assert fragment.count(f"<{tag} ") == fragment.count(f"</{tag}>")
    assert len(changes) == 1 and not marking.PRIVATE_USE.search(fragment)
    assert "\ufffd" in fragment
