"""What a worker keeps of a stored comparison holds no text it need not (issue 17,
target 5): a kept reading is kept without its text, and a comparison of two stored
versions made for a form drawn from the diff alone reads its old side again only if a
form asks for it, so an html redline does not hold the old text while its page is
made. Every form answers as the comparison given both texts answers."""

import gc
import pytest

from regdraft.services import comparisons, rendering, renderings, structures

from test_version_structure import REAL, _two_versions

# Every text form a comparison offers (Word and PDF are the same diff laid out by
# python-docx and LibreOffice: rendering.py tests them).
FORMS = ("html", "fragment", "criticmarkup", "unified", "json", "instructions")


@pytest.fixture
def forgetful():
    """A fresh process: nothing kept in memory."""
    memories = (structures.MEMORY, renderings.MEMORY, comparisons.DIFFS)
    for memory in memories:
        memory.clear()
    yield
    for memory in memories:
        memory.clear()


def _holds(value, text: str) -> bool:
    """Whether ``text`` (that very object) is among what ``value`` refers to, directly or
    through its attributes, containers and closures, a few levels down."""
    seen, level = set(), [value]
    for _ in range(6):
        found = []
        for item in level:
            if item is text:
                return True
            if id(item) in seen or isinstance(item, (str, bytes, int, float)):
                continue
            seen.add(id(item))
            found.extend(gc.get_referents(item))
        level = found
    return False


@pytest.mark.parametrize(("kind", "name"), REAL)
def test_a_stored_comparison_reads_its_old_side_again_and_answers_every_form_alike(session, forgetful,
                                                                                  kind, name):
    document, first, _ = _two_versions(session, kind, name)
    comparison = comparisons.plan_versions(session, document, 1, 2).make(with_old_text=False)
    assert callable(comparison.old)  # the old text is not held
    page = rendering.render_utf8(comparison, "html")
    assert "_old_side" not in comparison.__dict__  # the html redline did not read it
    old_text, old_structure = comparison.old()
    assert old_text == first.text and old_structure.provisions == structures.read(first.text, kind).provisions
    given = comparisons.compare_versions(session, document, 1, 2)  # both texts given
    assert given.old == old_text and page == rendering.render_utf8(given, "html")
    for form in FORMS:
        assert rendering.render_utf8(comparison, form) == rendering.render_utf8(given, form), form
    assert comparison.old_text == old_text and comparison.old_structure.provisions == old_structure.provisions


def test_the_memories_hold_neither_text_after_a_redline(session, forgetful):
    document, first, second = _two_versions(session, *REAL[2])
    comparison = comparisons.plan_versions(session, document, 1, 2).make(with_old_text=False)
    rendering.render_utf8(comparison, "html")
    old, new = comparison.old()[0], comparison.new_text
    readings = [reading for reading, _ in structures.MEMORY._entries.values()]
    assert len(readings) == 2 and all(isinstance(r, structures.KeptReading) for r in readings)
    # Texts equal to the versions', read again: the memories must hold no such object
    # (the diff holds its new text, which it reads its unchanged runs from).
    assert not any(_holds(reading, old) or _holds(reading, new) for reading in readings)
    kept_diff = next(iter(comparisons.DIFFS._entries.values()))[0]
    assert not _holds(kept_diff, old)


def test_a_reading_kept_without_its_text_is_the_reading_over_it(session, forgetful):
    document, first, _ = _two_versions(session, *REAL[0])
    reading = structures.read(first.text, document.kind)
    kept = structures.MEMORY.get(structures.key_of(first.content_hash, document.kind))
    again = kept.over(first.text)
    assert again.text is first.text
    assert structures.same_reading(again, reading)
    assert structures.read(first.text, document.kind).provisions is reading.provisions  # one table, shared
