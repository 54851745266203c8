"""The JSON diff a client draws its own redline from (docs/rendering.md): each change
placed in both texts, its ops' ranges and its plain-text segments, as the API's
``GET /diff`` body is made from a diff already made. The peer is making that diff
(provisions of both texts read, aligned and word-diffed): placing the changes is one
walk over it, never a second diff, and the rows say what that walk and the body cost
besides.
"""

from __future__ import annotations

from bench.corpus import edit_lines, regulation_text
from bench.measure import Row, median_time
from regdraft.api.routes.documents import _diff_response
from regdraft.services.comparisons import compare_texts


def run(sizes: list[int], repeats: int) -> list[Row]:
    rows = []
    for size in sizes:
        old = regulation_text(size)
        for share in (0.01, 0.1):
            new = edit_lines(old, share)[0]
            comparison = compare_texts("old", old, "new", new)
            diffing = median_time(lambda: compare_texts("old", old, "new", new), repeats)
            label = f"{len(old.encode()) / 1e6:.1f} MB uk-si, {share:.0%} of lines"
            for unchanged, what in ((False, f"{len(comparison.diff.changes)} changes"), (True, "every provision")):
                body = _diff_response(comparison, "json", unchanged, None).body
                seconds = median_time(lambda: _diff_response(comparison, "json", unchanged, None), repeats)
                rows.append(Row("client diff", f"{label}: JSON body of {what}", seconds, diffing, "making the diff",
                                note=f"{len(body) / 1e6:.2f} MB"))
    return rows
