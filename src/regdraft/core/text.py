"""Normalising text and hashing it.

Every text regdraft stores (versions, responses, amendment results) is normalised
first, so that a content hash names the text and not the editor that saved it.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from regdraft.core.errors import InvalidText

def decode(data: bytes, *, what: str = "text") -> str:
    """Decode UTF-8 bytes (a BOM is dropped), raising :class:`InvalidText` with the offset."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidText(
            f"{what} is not valid UTF-8: byte {exc.start} ({data[exc.start:exc.start + 1]!r})",
            offset=exc.start,
        ) from None
    return text


def normalise(text: str, *, what: str = "text") -> str:
    """NFC, ``\\n`` line endings, no trailing blanks, exactly one final newline.

    NUL and other C0 controls (except tab and newline) are refused rather than
    removed: silently dropping characters from the text of law is worse than an error.
    A form feed (a page break in text taken from a PDF) is a line end.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    bad = _first_control(text)
    if bad is not None:
        raise InvalidText(
            f"{what} contains control character U+{ord(text[bad]):04X} at offset {bad}",
            offset=bad,
        )
    # Line by line in pieces: nothing normalising changes reaches across a line end.
    text = "".join(_without_trailing_blanks(unicodedata.normalize("NFC", piece)) for piece in lines_in_pieces(text))
    text = text.strip("\n")
    return text + "\n" if text else ""


PIECE = 1 << 16
"""How much of a long text one call into C works on at a time (64 K characters, a
millisecond or so). A regular expression, ``str.translate`` or ``unicodedata``
holds the interpreter for the whole of the string it is given: 300 ms and more for a
4 MB response, during which no other thread of the process runs, the server's event
loop (and ``/health``) included. Between pieces, the other threads get their turn."""


def lines_in_pieces(text: str, size: int | None = None) -> list[str]:
    """``text`` cut into pieces of about ``size`` (:data:`PIECE`) characters, each
    ending at a line end (but the last): the pieces join to ``text``."""
    size = size or PIECE
    if len(text) <= size:
        return [text]
    pieces, start = [], 0
    while start < len(text):
        end = text.find("\n", start + size)
        end = len(text) if end == -1 else end + 1
        pieces.append(text[start:end])
        start = end
    return pieces


def words_in_pieces(text: str, size: int | None = None) -> list[str]:
    """``text`` cut into pieces of about ``size`` (:data:`PIECE`) characters, never
    inside a run of whitespace (each piece but the last is followed by a character that
    is not whitespace): the pieces join to ``text``, and a run is always in one piece."""
    size = size or PIECE
    if len(text) <= size:
        return [text]
    pieces, start = [], 0
    while start < len(text):
        end = min(start + size, len(text))
        while end < len(text) and text[end].isspace():
            end += 1
        pieces.append(text[start:end])
        start = end
    return pieces


def _without_trailing_blanks(text: str) -> str:
    # Line by line, each character is looked at once or twice. A regular expression
    # (``[ \t]+$``, MULTILINE) restarts at every blank of a run and scans to its end:
    # 80 000 blanks before a letter took 39 s. A text with no blank before a line end,
    # the usual case, is told by two scans at memchr speed.
    if " \n" in text or "\t\n" in text or text.endswith((" ", "\t")):
        return "\n".join(line.rstrip(" \t") for line in text.split("\n"))
    return text


def is_normalised(text: str) -> bool:
    try:
        return normalise(text) == text
    except InvalidText:
        return False


def content_hash(text: str) -> str:
    """SHA-256 (hex) of the normalised text's UTF-8 bytes."""
    return normalised_hash(normalise(text))


def normalised_hash(normalised: str) -> str:
    """``content_hash`` of a text already normalised (as every stored text, and a file
    the CLI read, is), without normalising it again."""
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


def content_hash_of_edit(edited: str, changed: tuple[int, int, int] | None) -> str:
    """``content_hash(edited)``, for a normalised text edited only between
    ``changed[0]`` and ``changed[2]`` (as ``ApplyResult.changed`` says): where the lines
    holding the change are still normalised, so is the whole text, and it is hashed as
    it is. Normalising a 5 MB amended text whole took about half of proposing it."""
    if changed is not None and still_normalised(edited, changed[0], changed[2]):
        return normalised_hash(edited)
    return content_hash(edited)


def still_normalised(edited: str, start: int, end: int) -> bool:
    """``is_normalised(edited)``, for a normalised text edited only between ``start``
    and ``end``, from the lines holding the edit alone: nothing normalising changes
    reaches across a line end (a newline composes with nothing), but for the text's
    first and last lines, which the edit may have made."""
    first = edited.rfind("\n", 0, start) + 1
    last = edited.find("\n", end)
    last = len(edited) if last == -1 else last + 1
    lines = edited[first:last]
    at_end = last == len(edited)
    return ("\r" not in lines and "\f" not in lines and _CONTROL.search(lines) is None
            and unicodedata.is_normalized("NFC", lines)
            and " \n" not in lines and "\t\n" not in lines and not (at_end and lines.endswith((" ", "\t")))
            and not (first == 0 and lines.startswith("\n"))
            and (not at_end or edited == "" or (edited.endswith("\n") and not edited.endswith("\n\n"))))


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def _first_control(text: str) -> int | None:
    offset = 0
    for piece in lines_in_pieces(text):
        match = _CONTROL.search(piece)
        if match:
            return offset + match.start()
        offset += len(piece)
    return None


def line_of(text: str, offset: int) -> int:
    """1-based line number of a character offset."""
    return text.count("\n", 0, offset) + 1
