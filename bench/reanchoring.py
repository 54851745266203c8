"""Re-anchoring comments (core/reanchoring.py): 200 comments quoting words of a 1 MB
regulation, re-anchored in the next version (a regulation inserted near the start,
everything after it renumbered, cross-references included, ten regulations moved to
the end: ``bench.corpus.renumbered``), and in a version with 200 one-line edits.

Ground truth comes from the generator: it knows the line each quoted line went to.
A comment is *right* when it is reported exact or moved on that line, *wrong* when
exact or moved anywhere else (never, by construction: both states are checked against
the text), and otherwise fuzzy or orphaned.

    PYTHONPATH=src python -m bench.reanchoring
"""

from __future__ import annotations

import random
from collections import Counter

from bench.corpus import editable_lines, edit_lines, regulation_text, renumbered
from bench.measure import median_time
from regdraft.core.reanchoring import Placed, anchor_in, reanchor

COUNT = 200


def quotes(text: str, count: int = COUNT, seed: int = 7) -> tuple[list[Placed], list[int]]:
    """``count`` quotes of five to nine words from different lines, and their lines."""
    rng = random.Random(seed)
    lines = text.split("\n")
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    chosen = sorted(rng.sample(editable_lines(lines), count))
    placed = []
    for i in chosen:
        words = lines[i].split(" ")
        size = rng.randint(5, 9)
        first = rng.randrange(0, max(1, len(words) - size))
        quote = " ".join(words[first:first + size])
        at = starts[i] + len(" ".join(words[:first])) + (1 if first else 0)
        placed.append(anchor_in(text, quote, start=at, end=at + len(quote)))
    return placed, chosen


def line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset)


def run(size: int = 1_000_000) -> list[str]:
    base = regulation_text(size)
    placed, lines = quotes(base)
    renumbered_text, mapping, _ = renumbered(base)
    edited, _ = edit_lines(base, 0.05)
    out = []
    for name, new, expected in (("renumbered and moved", renumbered_text, mapping),
                                ("5% of lines edited", edited, {i: i for i in lines})):
        results = reanchor(base, new, placed)
        seconds = median_time(lambda: reanchor(base, new, placed), 3)
        tally = Counter(r.state for r in results)
        right = sum(r.state in ("exact", "moved") and line_of(new, r.start) == expected[line]
                    for r, line in zip(results, lines))
        wrong = sum(r.state in ("exact", "moved") for r in results) - right
        new_lines = new.split("\n")
        changed = sum(p.quote not in new_lines[expected[line]] for p, line in zip(placed, lines))
        fuzzy_there = sum(r.state == "fuzzy" and line_of(new, r.start) == expected[line]
                          for r, line in zip(results, lines))
        out.append(f"{name}: {COUNT} comments in {len(base) / 1e6:.1f} MB re-anchored in {seconds * 1000:.0f} ms "
                   f"(median of 3); exact {tally['exact']}, moved {tally['moved']}, fuzzy {tally['fuzzy']}, "
                   f"orphaned {tally['orphaned']}; exact or moved on the expected line {right}, elsewhere {wrong}; "
                   f"{changed} quotes' words changed by the edit, {fuzzy_there} fuzzy on the expected line")
    return out


if __name__ == "__main__":
    for line in run():
        print(line)
