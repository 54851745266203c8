"""HTTP content negotiation (``Accept``) and conditional requests (``If-None-Match``).

Small and strict on purpose (RFC 9110 §12.5.1 and §13.1.2):

- an ``Accept`` media range may be ``type/subtype``, ``type/*`` or ``*/*`` with a
  ``q`` weight from 0 to 1; the most specific range that matches a media type decides
  its weight, and ``q=0`` means "not this one";
- a range that cannot be read (no slash, a bad weight) is ignored, and a header with no
  readable range counts as no header, which accepts anything;
- ``If-None-Match`` is compared weakly (``W/"x"`` matches ``"x"``), and ``*`` matches
  any current representation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class MediaRange:
    type: str
    subtype: str
    q: float

    def matches(self, media_type: str) -> bool:
        type_, _, subtype = media_type.partition("/")
        return self.type in ("*", type_) and self.subtype in ("*", subtype)

    @property
    def specificity(self) -> int:
        return (self.type != "*") + (self.subtype != "*")


def parse_accept(header: str | None) -> list[MediaRange]:
    """The readable media ranges of an ``Accept`` header, in order."""
    ranges = []
    for item in (header or "").split(","):
        media_range, *params = (part.strip() for part in item.split(";"))
        type_, slash, subtype = media_range.lower().partition("/")
        if not slash or not type_ or not subtype or (type_ == "*" and subtype != "*"):
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value.strip())
                except ValueError:
                    q = -1.0
        if 0.0 <= q <= 1.0:
            ranges.append(MediaRange(type_, subtype, q))
    return ranges


def quality(ranges: Sequence[MediaRange], media_type: str) -> float:
    """How much the client wants ``media_type`` (0: not at all). No ranges: anything goes."""
    if not ranges:
        return 1.0
    matching = [r for r in ranges if r.matches(media_type)]
    if not matching:
        return 0.0
    best = max(r.specificity for r in matching)
    return max(r.q for r in matching if r.specificity == best)


def choose(header: str | None, offered: Sequence[str]) -> str | None:
    """The offered media type the client wants most (ties go to the earlier offer), or
    ``None`` when it accepts none of them."""
    ranges = parse_accept(header)
    weighted = [(quality(ranges, media_type), -i, media_type) for i, media_type in enumerate(offered)]
    q, _, media_type = max(weighted)
    return media_type if q > 0 else None


def acceptable(header: str | None, media_type: str) -> bool:
    return quality(parse_accept(header), media_type) > 0


def none_match(if_none_match: str | None, etag: str) -> bool:
    """Whether ``If-None-Match`` names ``etag`` (a quoted strong tag), so the answer is 304."""
    if if_none_match is None:
        return False
    tags = [tag.strip() for tag in if_none_match.split(",")]
    return "*" in tags or etag in (tag.removeprefix("W/") for tag in tags)
