"""Target 2: 200 single-hunk amendments, proposed against version N of a 1 MB text,
applied onto version N+1 (a regulation inserted near the start, everything after it
renumbered, cross-references included, and a block of ten regulations moved to the
end), against GNU ``patch --fuzz=3`` applying the equivalent unified diffs.

Ground truth comes from the generator: each amendment changes one line, and the
generator knows where that line went and how renumbering rewrote it. An amendment is
*right* when its line in the result is the rewritten changed line, *failed* when it
was reported as not applied; any other difference from the expected text is a *wrong
placement*.
"""

from __future__ import annotations

import random
import shutil
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.corpus import change_line, editable_lines, regulation_text, renumbered
from bench.measure import Row, median_time, peak_memory_mb
from regdraft.core.patching import EQUAL, Op, apply_patch, diff_words, make_patch, parse_patch

COUNT = 200


@dataclass(frozen=True)
class Amendment:
    line: int
    old: str
    new: str
    patch: str


def amendments(base: str, count: int = COUNT, seed: int = 6) -> list[Amendment]:
    """``count`` one-line amendments to ``base``, on lines at least 8 apart.

    Each patch is what ``make_patch`` makes for the whole text; the word diff is taken
    over the changed line only (the rest of the text is equal, and diff-match-patch
    trims equal ends before diffing), which saves diffing 1 MB two hundred times.
    """
    rng = random.Random(seed)
    lines = base.split("\n")
    candidates = editable_lines(lines)
    chosen: list[int] = []
    for i in rng.sample(candidates, len(candidates)):
        if all(abs(i - j) >= 8 for j in chosen):
            chosen.append(i)
        if len(chosen) == count:
            break
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    result = []
    for i in sorted(chosen):
        new_line = change_line(rng, lines[i])
        before, after = base[:starts[i]], base[starts[i] + len(lines[i]):]
        ops = [Op(EQUAL, before), *diff_words(lines[i], new_line), Op(EQUAL, after)]
        result.append(Amendment(i, lines[i], new_line, make_patch(base, before + new_line + after, _joined(ops))))
    return result


def _joined(ops: list[Op]) -> list[Op]:
    """Adjacent equal pieces as one, and no empty pieces: what a whole-text diff gives."""
    joined: list[Op] = []
    for op in ops:
        if not op.text:
            continue
        if joined and joined[-1].kind == op.kind == EQUAL:
            joined[-1] = Op(EQUAL, joined[-1].text + op.text)
        else:
            joined.append(op)
    return joined


def unified(amendment: Amendment, lines: list[str], context: int = 3) -> str:
    first = max(0, amendment.line - context)
    last = min(len(lines), amendment.line + context + 1)
    body = [f" {lines[j]}\n" for j in range(first, amendment.line)]
    body += [f"-{amendment.old}\n", f"+{amendment.new}\n"]
    body += [f" {lines[j]}\n" for j in range(amendment.line + 1, last)]
    size = last - first
    return f"--- a/doc.md\n+++ b/doc.md\n@@ -{first + 1},{size} +{first + 1},{size} @@\n" + "".join(body)


def apply_all(patches: list[str], text: str) -> tuple[str, list[str]]:
    """Each amendment onto the text as the ones before it left it; its hunk's status."""
    statuses = []
    for patch in patches:
        result = apply_patch(parse_patch(patch), text)
        statuses.append(result.hunks[0].status.value)
        if result.text is not None:
            text = result.text
    return text, statuses


def judge(result: str, expected: str, failed_lines: set[int]) -> tuple[int, int]:
    """(right, wrong placements): lines that differ from the expected text and are not
    the line of an amendment reported as failed are wrong placements."""
    got, want = result.split("\n"), expected.split("\n")
    if len(got) != len(want):
        return 0, abs(len(got) - len(want)) + 1
    differing = {i for i, (g, w) in enumerate(zip(got, want)) if g != w}
    return len(want) - len(differing | failed_lines), len(differing - failed_lines)


def run(size: int, repeats: int) -> list[Row]:
    base = regulation_text(size, seed=7)
    later, mapping, rewrite = renumbered(base)
    chosen = amendments(base)
    expected = later.split("\n")
    for a in chosen:
        expected[mapping[a.line]] = rewrite(a.new)
    expected_text = "\n".join(expected)
    patches = [a.patch for a in chosen]

    ours_text, statuses = apply_all(patches, later)
    failed = {mapping[a.line] for a, s in zip(chosen, statuses) if s == "failed"}
    _, wrong = judge(ours_text, expected_text, failed)
    counts = {s: statuses.count(s) for s in ("exact", "shifted", "fuzzy", "failed")}
    ours = median_time(lambda: apply_all(patches, later), repeats)

    base_lines = base.split("\n")
    with tempfile.TemporaryDirectory() as tmp:
        patch_file = Path(tmp, "all.patch")
        patch_file.write_text("".join(unified(a, base_lines) for a in chosen), encoding="utf-8")
        work = Path(tmp, "work")
        times = []
        for _ in range(repeats):
            shutil.rmtree(work, ignore_errors=True)
            work.mkdir()
            Path(work, "doc.md").write_text(later, encoding="utf-8")
            with patch_file.open("rb") as stdin:
                start = time.perf_counter()
                subprocess.run(["patch", "--fuzz=3", "-p1", "-f", "-s", "--no-backup-if-mismatch"], cwd=work,
                               stdin=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
                times.append(time.perf_counter() - start)
        gnu = statistics.median(times)
        gnu_text = Path(work, "doc.md").read_text(encoding="utf-8")
        rejected = Path(work, "doc.md.rej")
        gnu_failed = (sum(line.startswith("@@ ") for line in rejected.read_text(encoding="utf-8").splitlines())
                      if rejected.exists() else 0)
    _, gnu_wrong = judge(gnu_text, expected_text, set())
    note = (f"ours: {counts['exact']} exact, {counts['shifted']} shifted, {counts['fuzzy']} fuzzy, "
            f"{counts['failed']} failed (reported), {wrong} wrong placements; GNU patch: {gnu_failed} rejected, "
            f"{max(gnu_wrong - gnu_failed, 0)} wrong placements")
    return [Row("apply onto moved text", f"{len(base.encode()) / 1e6:.1f} MB, {COUNT} amendments", ours, gnu,
                "GNU patch --fuzz=3", None, peak_memory_mb(apply_all, patches, later),
                len(later.encode()) / 1e6, note)]
