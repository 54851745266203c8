import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from regdraft.core.errors import InvalidText
from regdraft.core.text import (content_hash, content_hash_of_edit, decode, is_normalised, line_of, normalise,
                                still_normalised)


def test_normalise_line_endings_trailing_blanks_nfc_and_final_newline():
    raw = "Cafe\u0301 rules  \r\nline two\t\r\rthree\n\n\n"
    assert normalise(raw) == "Caf\u00e9 rules\nline two\n\nthree\n"


def test_empty_text_normalises_to_empty():
    assert normalise(" \n\n") == ""


@pytest.mark.parametrize("bad", ["a\x00b", "bell\x07", "esc\x1b[0m"])
def test_control_characters_are_refused_with_offset(bad):
    with pytest.raises(InvalidText) as err:
        normalise(bad)
    assert err.value.extra["offset"] == next(i for i, c in enumerate(bad) if ord(c) < 32)


def test_content_hash_is_sha256_of_normalised_utf8():
    assert content_hash("a  \r\nb") == hashlib.sha256("a\nb\n".encode()).hexdigest()
    assert content_hash("a\nb\n") == content_hash("a\r\nb")


def test_decode_reports_the_bad_byte():
    with pytest.raises(InvalidText, match="byte 3"):
        decode(b"abc\xff")
    assert decode("\ufeffhé".encode("utf-8")) == "hé"


def test_line_of():
    assert [line_of("a\nb\nc", i) for i in (0, 2, 4)] == [1, 2, 3]


printable = st.text(st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("\n\t\r "), max_size=200)


@given(printable)
def test_no_line_of_a_normalised_text_ends_in_a_blank(text):
    assert not any(line.endswith((" ", "\t")) for line in normalise(text).split("\n"))


@given(printable)
def test_normalise_is_idempotent(text):
    once = normalise(text)
    assert normalise(once) == once
    assert is_normalised(once)


# Edits that may or may not leave a normalised text normalised: line ends of every kind,
# blanks before them, combining marks (which compose with what stands before them),
# control characters, runs of newlines at either end.
edit_pieces = st.lists(st.sampled_from(["a", "word ", " ", "\t", "\n", "\n\n", "\r", "\r\n", "\u0301", "e",
                                        "\u00e9", "\x07", "—", "(1) ", "### 3. "]), max_size=6).map("".join)


@settings(max_examples=400, deadline=None)
@given(printable, st.integers(min_value=0), st.integers(min_value=0), edit_pieces)
def test_an_edit_leaves_a_text_normalised_exactly_when_its_lines_are(text, at, length, inserted):
    base = normalise(text)
    start = at % (len(base) + 1)
    stop = min(start + length % 8, len(base))
    edited = base[:start] + inserted + base[stop:]
    assert still_normalised(edited, start, start + len(inserted)) == is_normalised(edited)
    if "\x07" not in edited:  # which content_hash refuses
        assert content_hash_of_edit(edited, (start, stop, start + len(inserted))) == content_hash(edited)


def _normalise_by_the_old_definition(text: str) -> str:
    """What ``normalise`` did with ``[ \\t]+$`` (MULTILINE): the definition the linear
    pass must keep."""
    import re
    import unicodedata

    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = re.sub(r"[ \t]+$", "", text, flags=re.MULTILINE).strip("\n")
    return text + "\n" if text else ""


blank_heavy = st.lists(st.sampled_from(["a", " ", "  ", "\t", "\n", "\r\n", "\r", "word", "e\u0301", "\u00a0",
                                        "\u2003", "\n\n"]), max_size=60).map("".join)


@settings(max_examples=500)
@given(printable | blank_heavy)
def test_normalise_gives_what_the_trailing_blank_pattern_gave(text):
    assert normalise(text) == _normalise_by_the_old_definition(text)


@pytest.mark.parametrize("blanks", [" ", "\t", " \t"])
def test_a_long_run_of_blanks_before_a_letter_costs_one_pass(blanks):
    # 80 000 blanks before a letter took the old pattern 39 s (it restarted at every
    # blank); 400 000 would take over 16 minutes. A linear pass does them at once.
    run = blanks * (400_000 // len(blanks))
    text = f"(1) A person{run}x\nnext{run}\n{run}"
    assert normalise(text) == f"(1) A person{run}x\nnext\n"


# Long texts are worked on in pieces (core.text.PIECE), so that one call into C does not
# hold the interpreter (and the server's event loop) for the whole of a 4 MB text.

_PIECEABLE = st.text(alphabet=st.sampled_from("ab \t\n\u00a0\u2003e\u0301\u1100\u1161.\r\f"), max_size=300)


@given(_PIECEABLE, st.integers(1, 40))
def test_lines_in_pieces_join_to_the_text_and_end_at_line_ends(text, size):
    from regdraft.core.text import lines_in_pieces

    pieces = lines_in_pieces(text, size)
    assert "".join(pieces) == text
    assert all(piece.endswith("\n") for piece in pieces[:-1])
    assert all(len(piece) <= size or "\n" not in piece[size:-1] for piece in pieces)


@given(_PIECEABLE, st.integers(1, 40))
def test_words_in_pieces_never_cut_a_run_of_whitespace(text, size):
    from regdraft.core.text import words_in_pieces

    pieces = words_in_pieces(text, size)
    assert "".join(pieces) == text
    assert all(not (a[-1:].isspace() and b[:1].isspace()) for a, b in zip(pieces, pieces[1:]))


@pytest.mark.parametrize("piece", [1, 3, 16])
@given(text=_PIECEABLE)
def test_normalising_in_pieces_gives_what_normalising_whole_gives(piece, text):
    import unicodedata

    from regdraft.core import text as text_module

    whole = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    whole = "\n".join(line.rstrip(" \t") for line in unicodedata.normalize("NFC", whole).split("\n")).strip("\n")
    original, text_module.PIECE = text_module.PIECE, piece
    try:
        assert normalise(text) == (whole + "\n" if whole else "")
    finally:
        text_module.PIECE = original


@pytest.mark.parametrize("piece", [1, 5])
def test_a_control_character_is_found_at_its_offset_in_any_piece(piece):
    from regdraft.core import text as text_module

    original, text_module.PIECE = text_module.PIECE, piece
    try:
        with pytest.raises(InvalidText) as caught:
            normalise("line one\nline two\nthree\x00")
    finally:
        text_module.PIECE = original
    assert caught.value.extra["offset"] == 23
