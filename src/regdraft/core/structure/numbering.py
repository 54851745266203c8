"""Numbering: which style a number is in, whether one follows another, the warnings a
jump or a step back gives, and the order of ids as a drafter numbers them."""

from __future__ import annotations

import re
from functools import lru_cache

from regdraft.core.structure.model import Provision, StructureWarning
from regdraft.core.traditions import NUMBERING


def numbering_warning(before: Provision, provision: Provision) -> StructureWarning | None:
    """A jump (4 then 6) or a step back (6 then 5) from ``before`` to ``provision``, two
    units numbered in one run: units whose ids differ only by their own number
    (regulations across the text, a schedule's paragraphs across its Parts, a
    paragraph's sub-paragraphs)."""
    step = _step(before[3], provision[3])  # their numbers
    if step is None or 0 <= step <= 1:
        return None
    if step < 0:
        return StructureWarning("numbering-order", f"{provision.label} comes after {before.label}", provision.line,
                                provision.id)
    return StructureWarning("numbering-gap", f"{provision.label} follows {before.label}: {step - 1} missing between "
                            "them", provision.line, provision.id)


@lru_cache(maxsize=4096)
def _step(before: str, number: str) -> int | None:
    """How far ``number`` is past ``before`` (1 for the next, 0 for an inserted 2A after
    2, negative for a step back); ``None`` when they are not numbered alike. Letters
    that are roman numerals too are letters where they follow as letters (c, d; h, i)."""
    if "." in before or "." in number:  # a CFR section: § 1005.2 after § 1005.1, within one part
        head_a, _, before = before.rpartition(".")
        head_b, _, number = number.rpartition(".")
        if head_a != head_b:
            return None
    steps = {}
    for style in ("arabic", "lower", "roman", "upper", "upper-roman"):
        a, b = number_value(style, before), number_value(style, number)
        if a is not None and b is not None:
            if b[0] == a[0]:
                steps[style] = 0 if b[1] > a[1] else -1
            elif b[0] < a[0]:
                steps[style] = -1
            else:
                steps[style] = 1 if b[1] and b[0] == a[0] + 1 else b[0] - a[0]
    for style in ("arabic", "upper"):
        if style in steps and (style != "upper" or "upper-roman" not in steps or steps[style] == 1):
            return steps[style]
    if steps.get("lower") == 1 or "roman" not in steps:
        return steps.get("lower", steps.get("upper-roman"))
    return steps["roman"]


# Numbering: which style a number is in, and whether one follows another. Each is a
# pure function of a few short strings that recur all through a text (a, b; 1, 2), so
# each is remembered.

_STYLE_PATTERNS = {style: re.compile(pattern) for style, pattern in NUMBERING.items()}
ROMAN = _STYLE_PATTERNS["roman"]
_ROMAN_VALUES = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100, "d": 500, "m": 1000}


@lru_cache(maxsize=4096)
def number_fits(styles: tuple[str, ...], number: str) -> bool:
    return any(_STYLE_PATTERNS[s].fullmatch(number) for s in styles)


@lru_cache(maxsize=4096)
def deeper_level(styles: tuple[tuple[str, ...], ...], number: str, below: int) -> int | None:
    """The first level below ``below`` whose numbering ``number`` fits (``styles``: each
    level's numbering styles, outermost first)."""
    for index in range(below + 1, len(styles)):
        if number_fits(styles[index], number):
            return index
    return None


@lru_cache(maxsize=4096)
def number_value(style: str, number: str) -> tuple[int, str] | None:
    """A number's place in its style's sequence, with an inserted number's letters
    (``2A`` is (2, "A")); ``None`` if it is not in that style."""
    bare = number.strip("*")
    if not _STYLE_PATTERNS[style].fullmatch(number):
        return None
    if style in ("arabic", "italic-arabic"):
        digits = re.match(r"[0-9]+", bare).group()
        return int(digits), bare[len(digits):]
    if style in ("roman", "upper-roman", "italic-roman"):
        return _roman(bare.lower()), ""
    # Letters: a … z, then aa (inserted after a) is a, "a".
    return ord(bare[0].lower()) - 96, bare[1:].lower()


def _roman(numeral: str) -> int:
    total = 0
    for k, c in enumerate(numeral):
        value = _ROMAN_VALUES[c]
        total += -value if k + 1 < len(numeral) and _ROMAN_VALUES[numeral[k + 1]] > value else value
    return total


@lru_cache(maxsize=4096)
def number_follows(styles: tuple[str, ...], before: str, number: str) -> bool:
    """Whether ``number`` comes next after ``before`` at a level numbered in ``styles``
    (2 after 1, 2A after 2, 3 after 2A, i after h, ii after i)."""
    for style in styles:
        a, b = number_value(style, before), number_value(style, number)
        if a is not None and b is not None and (b[0] == a[0] + 1 and not b[1] or b[0] == a[0] and b[1] > a[1]):
            return True
    return False


@lru_cache(maxsize=4096)
def starts_numbering(styles: tuple[str, ...], number: str) -> bool:
    """Whether ``number`` is the first at a level numbered in ``styles`` (1, a, i, A)."""
    return any((value := number_value(style, number)) is not None and value == (1, "") for style in styles)


_ID_PART = re.compile(r"(\d+)([a-z]*)|([a-z]+)")


def id_order_key(provision_id: str) -> tuple:
    """Sorts provision ids as a drafter numbers them: ``reg-2`` < ``reg-2a`` <
    ``reg-3`` < ``reg-3-a`` < ``reg-10`` (not as strings, where ``reg-10`` < ``reg-2``)."""
    return tuple((0, word, 0, "") if word else (1, "", int(number), suffix)
                 for number, suffix, word in _ID_PART.findall(provision_id))
