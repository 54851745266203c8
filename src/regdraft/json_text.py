"""JSON text of the large bodies regdraft writes (diffs, redlines, the outcome, a
structure report), made by orjson.

The standard library's C encoder is used only without ``indent``: with it, Python 3.11
encodes in pure Python, and the JSON redline of two 1 MB versions with 10% of lines
changed took 320 ms to encode, against 68 ms for orjson (an 18 MB body with its
unchanged provisions), which writes the same text for the values these bodies hold
(tests/unit/test_json_text.py): keys as given, no ASCII escaping, two-space indents.
"""

from __future__ import annotations

from typing import Any, Iterable

import orjson


def pretty(value: Any) -> str:
    """``value`` as indented JSON text with a final newline: what
    ``json.dumps(value, indent=2, ensure_ascii=False) + "\\n"`` writes."""
    return pretty_utf8(value).decode()


def pretty_utf8(value: Any) -> bytes:
    """:func:`pretty`'s text in UTF-8, as orjson writes it: what a response sends, not
    decoded to be encoded again (6 MB of a JSON redline with a "§" a line: 7 ms each way)."""
    return orjson.dumps(value, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)


def pretty_utf8_listing(head: dict, key: str, items: Iterable[Any]) -> bytes:
    """``pretty_utf8({**head, key: list(items)})`` (``key`` not in ``head``), each item
    written as it comes, so that the items' objects need not all be held at once: an
    item's own indented text, its lines moved in to the list's depth (a line end in
    JSON text is never inside a string, which escapes it)."""
    written = [_INDENT + orjson.dumps(item, option=orjson.OPT_INDENT_2).replace(b"\n", _NESTED_LINE)
               for item in items]
    return _listed(pretty_utf8({**head, key: []}), b"[]\n}\n", written, b"[\n", b",\n", b"\n  ]\n}\n")


def compact_listing(head: dict, key: str, items: Iterable[Any]) -> bytes:
    """``compact({**head, key: list(items)})``, each item written as it comes (see
    :func:`pretty_utf8_listing`)."""
    return _listed(compact({**head, key: []}), b"[]}", list(map(orjson.dumps, items)), b"[", b",", b"]}")


def _listed(whole: bytes, empty: bytes, written: list[bytes], opening: bytes, between: bytes,
            closing: bytes) -> bytes:
    """``whole`` (an object written with its last key's list empty, ending ``empty``)
    with that list's items ``written`` in it."""
    if not written:
        return whole
    assert whole.endswith(empty)  # the last key's empty list closes the object
    return b"".join((whole[:-len(empty)], opening, between.join(written), closing))


_INDENT = b"    "  # an item of a list in a top-level key, as OPT_INDENT_2 indents it
_NESTED_LINE = b"\n" + _INDENT


def compact(value: Any) -> bytes:
    """``value`` as compact JSON in UTF-8: what Starlette's ``JSONResponse`` sends."""
    return orjson.dumps(value)
