"""The unified diff of two texts, each hunk labelled with the provision it starts in."""

from __future__ import annotations

import difflib

from regdraft.core.structure import StretchReader, Structure
from regdraft.core.traditions import DEFAULT_KIND


def unified_diff(old: str, new: str, *, old_name: str = "old", new_name: str = "new", context: int = 3,
                 kind: str = DEFAULT_KIND, old_structure: Structure | None = None) -> str:
    """A line-based unified diff whose hunk headers name the provision, like git's
    function context: ``@@ -12,4 +12,6 @@ regulation 3(a)``. Without the old text's
    structure, only the stretches of it that hold a hunk are read where that is cheaper
    (:meth:`StretchReader.provisions_at`): the same provisions as the whole reading's."""
    old_lines, new_lines = old.splitlines(keepends=True), new.splitlines(keepends=True)
    line_offsets = [0]
    for line in old_lines:
        line_offsets.append(line_offsets[-1] + len(line))
    lines = list(difflib.unified_diff(old_lines, new_lines, old_name, new_name, n=context))
    headers = [i for i, line in enumerate(lines) if line.startswith("@@")]
    offsets = [line_offsets[_first_changed_old_line(lines, i)] for i in headers]
    if old_structure is not None:
        provisions = [old_structure.at(offset) for offset in offsets]
    else:
        provisions = StretchReader(old, kind=kind).provisions_at(offsets)
    labels = {i: provision.label for i, provision in zip(headers, provisions) if provision is not None}
    out = []
    for i, line in enumerate(lines):
        if i in labels:
            line = line.rstrip("\n") + f" {labels[i]}\n"
        if not line.endswith("\n"):
            line += "\n\\ No newline at end of file\n"
        out.append(line)
    return "".join(out)


def _first_changed_old_line(lines: list[str], header: int) -> int:
    """0-based old line number of the first changed line of the hunk at ``header``."""
    old_start = int(lines[header].split()[1].split(",")[0].lstrip("-"))
    line = max(old_start - 1, 0)
    for body in lines[header + 1:]:
        if body[:1] != " ":
            break
        line += 1
    return line
