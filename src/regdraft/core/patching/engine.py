"""The one diff-match-patch engine's settings (see the package's notes), the kinds of
op, and :class:`Op`, the piece a diff is made of."""

from __future__ import annotations

import re
from dataclasses import dataclass

from diff_match_patch import diff_match_patch

EQUAL, INSERT, DELETE = "equal", "insert", "delete"
KIND_OF_CODE = {diff_match_patch.DIFF_EQUAL: EQUAL, diff_match_patch.DIFF_INSERT: INSERT,
                diff_match_patch.DIFF_DELETE: DELETE}
CODE_OF_KIND = {name: code for code, name in KIND_OF_CODE.items()}

# Words, runs of blanks, and single other characters. Newlines are tokens of their own
# so that a change never swallows the line structure around it.
TOKEN = re.compile(r"\w+|[^\S\n]+|\n|[^\w\s]", re.UNICODE)


def new_engine() -> diff_match_patch:
    dmp = diff_match_patch()
    dmp.Diff_Timeout = 0
    dmp.Patch_Margin = 12
    dmp.Match_MaxBits = 64
    return dmp


DIFF_ENGINE = new_engine()
"""The engine of every word diff: made once (a replaced run's diff costs about 25 µs),
as a diff reads its settings and keeps nothing in it."""


@dataclass(frozen=True, slots=True)  # a long text has one per provision: no __dict__ each
class Op:
    """One piece of a diff: ``kind`` is ``equal``, ``insert`` or ``delete``;
    ``source`` names what made the change (an amendment), where that is known."""

    kind: str
    text: str
    source: str | None = None
