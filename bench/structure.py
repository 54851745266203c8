"""The provision parser on texts of every kind (``bench.corpus.KIND_TEXTS``): reading
a 1 MB and a 5 MB text's structure, against git's word diff of the text with 1% of its
lines changed (the yardstick of the diff pipeline, which reads the structure of both
texts it compares)."""

from __future__ import annotations

import tempfile
from collections import Counter

from bench.corpus import KIND_TEXTS, edit_lines
from bench.measure import Row, git_word_diff, median_time, peak_memory_mb
from regdraft.core.structure import parse_structure


def read(text: str, kind: str) -> None:
    parse_structure(text, kind=kind, strict=False)


def run(sizes: list[int], repeats: int) -> list[Row]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            for kind, make in KIND_TEXTS.items():
                text = make(size, size)
                edited, _ = edit_lines(text, 0.01)
                found = parse_structure(text, kind=kind, strict=False)
                assert not found.warnings, f"{kind}: {found.warnings[:3]}"
                git = git_word_diff(text, edited, tmp, repeats)
                ours = median_time(lambda: read(text, kind), repeats)
                counts = Counter(p.kind for p in found.provisions)
                rows.append(Row("structure", f"{len(text.encode()) / 1e6:.1f} MB {kind}", ours, git,
                                "git word-diff (1% of lines)", None,
                                peak_memory_mb(read, text, kind),
                                len(text.encode()) / 1e6,
                                f"{len(found.provisions)} units: "
                                + ", ".join(f"{n} {k}" for k, n in counts.most_common(4))))
    return rows
