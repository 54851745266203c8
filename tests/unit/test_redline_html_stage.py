"""The html redline's shortcuts of issue 17 (target 1) give what the straightforward
code gives: the search for private-use characters by UTF-16 high bytes, the one search
of a diff for what needs cleaning, the lines of unchanged runs read from the new text's
stored rendering, and a change's tag built from what is cached of its source. Checked
against the plain code (kept here as the reference) on drawn texts and on real
published texts of every kind (tests/fixtures/legislation/)."""

from __future__ import annotations

import html
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from regdraft.core import redline
from regdraft.core.redline import commonmark, marking
from regdraft.core.diffing import ProvisionDiff, diff_texts, read_structure
from regdraft.core.history import edited_version, source_name, version_source
from regdraft.core.text import normalise
from regdraft.core.traditions import KINDS

from test_redline_fast_paths import FIXTURES, REAL_TEXTS, _TRAPS, _edited, _real_edits, _text, edits, texts

# Each side of every edge the high-byte lookup could get wrong: the private-use block's
# ends, the surrogates (lone, and the pairs of characters beyond U+FFFF, one in a
# private-use plane), a character whose high byte is 1, and the text's usual characters.
_EDGES = "a &#\n—é\u0100\u01ff\udfff\ue000\ue001\uf8ff\uf900\ufffd\ud800\udc00\U0001f600\U000f0000"


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=_EDGES, max_size=40))
def test_private_use_is_found_as_the_regex_finds_it(text):
    assert marking._holds_private_use(text) == (marking.PRIVATE_USE.search(text) is not None)


def _has_private_use(part, new_unmarked: bool = False) -> bool:
    """The reference: each part searched on its own, as before."""
    if isinstance(part, ProvisionDiff):
        return any("&#" in op.text or marking.PRIVATE_USE.search(op.text) for op in part.ops)
    source, start, end, _ = part.provision_starts()
    return source.find("&#", start, end) != -1 or (
        not new_unmarked and marking.PRIVATE_USE.search(source, start, end) is not None)


_WORDS = st.sampled_from(["word", "&#", "&#x200D;", "&", "#", "\ue001", "\uf8ff", "—", " ", "\n\n", "(1) "])


@settings(max_examples=150, deadline=None)
@given(lines=texts, kind=st.sampled_from(KINDS), words=st.lists(st.tuples(st.integers(0, 2000), _WORDS), max_size=4),
       changes=edits)
def test_whether_a_diff_needs_cleaning_is_found_as_part_by_part(lines, kind, words, changes):
    old = _text(lines)
    new = _text(_edited(lines, changes))
    for at, word in words:  # references and private-use characters in either text
        at %= len(new) + 1
        new = new[:at] + word + new[at:]
    diff = diff_texts(old, new, kind)
    parts = diff.parts
    spans = [part.provision_starts() for part in parts if not isinstance(part, ProvisionDiff)]
    for new_unmarked in (False, True) if marking.PRIVATE_USE.search(new) is None else (False,):
        found = marking._needs_cleaning(parts, spans, new_unmarked)
        if found != any(_has_private_use(part, new_unmarked) for part in parts):
            # Only a reference across two ops ("&" ending one, "#" the next) is found
            # where no op holds one: cleaning them leaves every op as it is.
            assert found
            ops = [op.text for part in parts if isinstance(part, ProvisionDiff) for op in part.ops]
            assert [redline.without_marks(text) for text in ops] == ops


def _merged_alike(diff, new: str, kind: str) -> marking._Merged:
    """The merge with the new text's rendering, asserted to be the merge without it."""
    counted = marking.merge_marked(diff)
    merged = marking.merge_marked(diff, rendering=redline.render_text(new, read_structure(new, kind)))
    assert list(merged.group_lines) == list(counted.group_lines)
    assert merged.group_provisions == counted.group_provisions
    assert merged.text == counted.text and merged.changes == counted.changes
    assert merged.unchanged == counted.unchanged and merged.new_length == counted.new_length
    return merged


@settings(max_examples=150, deadline=None)
@given(lines=texts, changes=edits, kind=st.sampled_from(KINDS))
def test_unchanged_runs_take_their_lines_from_the_rendering_as_counted(lines, changes, kind):
    old, new = _text(lines), _text(_edited(lines, changes))
    _merged_alike(diff_texts(old, new, kind), new, kind)


@pytest.mark.parametrize("trap", sorted(_TRAPS))
@pytest.mark.parametrize("kind", KINDS)
def test_the_traps_take_their_lines_from_the_rendering_as_counted(trap, kind):
    old, new = _TRAPS[trap]
    _merged_alike(diff_texts(old, new, kind), new, kind)
    _merged_alike(diff_texts(new, old, kind), old, kind)


@pytest.mark.parametrize("name", sorted(REAL_TEXTS))
def test_real_texts_take_their_lines_from_the_rendering_as_counted(name):
    kind = REAL_TEXTS[name]
    old = normalise((FIXTURES / name).read_text(encoding="utf-8"))
    new = _real_edits(old, 1)
    merged = _merged_alike(diff_texts(old, new, kind), new, kind)
    if not commonmark.needs_markdown_it(new):  # a rendering with pieces: the stored lines are read
        assert sum(count for _, count, _, _ in merged.stored_runs) > len(merged.group_lines) / 2


def _reference_opening(kind: str, change: redline.Change, sources: dict[str, redline.Source]) -> str:
    """A change's opening tag as it was built: every attribute escaped in turn."""
    source = sources.get(change.source or "")
    edited = edited_version(change.source)
    verb = "Inserted" if kind == "ins" else "Deleted"
    by = (f" by {source.title} ({source.proposer})" if source
          else f" by {source_name(change.source)}" if edited is not None else "")
    attrs = {"class": f"rd-{kind}", "data-change": str(change.number), "data-provision": change.provision,
             **({"data-version": str(edited)} if edited is not None else {"data-amendment": change.source or ""}),
             "title": f"{verb} in {change.label}{by}"}
    relocation = change.relocation
    if relocation is not None:
        attrs["class"] += f" rd-{relocation.kind}"
        attrs["title"] = f"{change.label}: {change.described}{by}"
        attrs[f"data-{relocation.kind}-from"] = relocation.from_provision
        attrs[f"data-{relocation.kind}-to"] = relocation.to_provision
    return f"<{kind} " + " ".join(f'{k}="{html.escape(v, quote=True)}"' for k, v in attrs.items()) + ">"


_OPENING = re.compile(r'<(ins|del) class="[^"]*" data-change="(\d+)"[^>]*>')
_NAMES = st.text(alphabet="ab &<>\"'—\u00e9", max_size=8)


@settings(max_examples=60, deadline=None)
@given(lines=texts, changes=edits, kind=st.sampled_from(KINDS),
       source=st.one_of(st.none(), st.just(version_source(3)), st.just("version x"), _NAMES),
       title=_NAMES, proposer=_NAMES, known=st.booleans(), moved=st.booleans())
def test_a_changes_tag_is_the_reference_tag(lines, changes, kind, source, title, proposer, known, moved):
    old, new = (_TRAPS["moved regulation"] if moved else (_text(lines), _text(_edited(lines, changes))))
    sources = {source: redline.Source(title, proposer)} if known and source else {}
    body, listed = redline.render_html(diff_texts(old, new, kind, source=source), sources=sources)
    by_number = {change.number: change for change in listed}
    tags = list(_OPENING.finditer(body))
    assert {int(tag[2]) for tag in tags} <= set(by_number)  # (a change of white space alone is not marked)
    assert tags or not moved
    for tag in tags:
        assert tag.group() == _reference_opening(tag[1], by_number[int(tag[2])], sources)


@given(number=st.integers(0, 10 ** 9))
def test_a_number_is_marked_digit_by_digit(number):
    assert marking._number(number) == "".join(marking.DIGITS[int(d)] for d in str(number)) + marking.END_NUMBER
