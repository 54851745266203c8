"""Writers: a version or a comparison in an outside format (Akoma Ntoso, Word, PDF).

Each writer is pure over core values (a version's text and :class:`Structure`, a
:class:`TextDiff` with who made each change) and returns bytes; services pick the
subject, api/ and cli/ only choose the format.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_safe(text: str) -> str:
    """``text`` with the characters XML 1.0 cannot hold replaced by U+FFFD. Normalised
    text has no C0 controls; titles and names may, and U+FFFE/U+FFFF pass normalising."""
    return _XML_ILLEGAL.sub("\ufffd", text)


@dataclass(frozen=True)
class Provenance:
    """Which version of which document an export is of, for its metadata (FRBR work
    and expression in Akoma Ntoso, custom properties in Word)."""

    document: str
    """The document's slug (the FRBR work's name)."""
    title: str
    kind: str
    """The document's drafting tradition (``uk-si`` …)."""
    version: int
    content_hash: str
    author: str
    created: str
    """When the version was made: an ISO 8601 date or date-time."""
    work_created: str = ""
    """When the document's first version was made (the FRBR work's date); the
    version's own date when not given."""


@dataclass(frozen=True)
class Revision:
    """Who made a tracked change and when (``date`` may be empty: unknown)."""

    author: str
    date: str = ""
