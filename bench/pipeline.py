"""Target 1: the diff pipeline against ``git diff --no-index --word-diff=porcelain``.

Our pipeline is what regdraft does with a pair of texts: a word diff grouped by
provision, the patch text, and the HTML redline. The naive pipeline is upstream
diff-match-patch used as its README shows (character diff with its default one-second
timeout, ``patch_make``, ``patch_toText``, ``patch_apply``), timed once in a child
process with a cut-off because it can take minutes.
"""

from __future__ import annotations

import tempfile
from typing import Callable

from diff_match_patch import diff_match_patch

from bench.corpus import KIND_TEXTS, edit_lines, insert_regulation, move_block, regulation_text
from bench.measure import Row, git_word_diff, median_time, peak_memory_mb, timed_in_child
from regdraft.core.diffing import owners
from regdraft.core.diffing import diff_texts, group_by_provision, read_structure
from regdraft.core.patching import diff_words, make_patch, parse_patch, upstream_apply
from regdraft.core.patching.diffs import _line_diffs
from regdraft.core.redline import render_html, render_with_cmark
from regdraft.core.structure import parse_structure
from regdraft.core.structure.scanner import _BLOCK_WITH_BRACKETS

NAIVE_TIMEOUT = 60.0


def our_pipeline(old: str, new: str) -> tuple[str, str]:
    ops = diff_words(old, new)
    diff = group_by_provision(old, new, ops)
    patch = make_patch(old, new, ops)
    del ops  # the grouped diff holds the text from here on
    html, _ = render_html(diff)
    return patch, html


def stages(old: str, new: str, repeats: int) -> str:
    """Where the pipeline's time goes: the median of each stage on its own."""
    ops = diff_words(old, new)
    diff = group_by_provision(old, new, ops)
    timed = {
        "word diff": median_time(lambda: diff_words(old, new), repeats),
        "provisions of both texts": median_time(
            lambda: (parse_structure(old, strict=False), parse_structure(new, strict=False)), repeats),
        "grouping (with provisions)": median_time(lambda: group_by_provision(old, new, ops), repeats),
        "patch text": median_time(lambda: make_patch(old, new, ops), repeats),
        "HTML redline": median_time(lambda: render_html(diff), repeats),
    }
    return "stages: " + ", ".join(f"{name} {seconds * 1000:.0f} ms" for name, seconds in timed.items())


def floor(old: str, new: str, repeats: int) -> dict[str, float]:
    """The seconds of what any pipeline of this design does however its Python is
    written, part by part: cmark rendering the new text (the redline is the whole
    document as HTML), the provision scanner's block expression over both texts (with
    nothing done per block but taking its groups), and the line diff. The line diff is
    git's own (xdiff, through libgit2) where pygit2 is installed (``pip install
    '.[bench]'``), the fastest known; regdraft's own otherwise. Target 1's gap is read
    against the sum: no rewrite of the Python per provision gets the pipeline under it."""
    def blocks() -> None:
        for text in (old, new):
            for match in _BLOCK_WITH_BRACKETS.finditer(text):
                match.groups()

    line_diff_name, line_diff = _fastest_line_diff()
    return {"cmark": median_time(lambda: render_with_cmark(new), repeats),
            "block scan": median_time(blocks, repeats),
            line_diff_name: median_time(lambda: line_diff(old, new), repeats)}


def _fastest_line_diff() -> tuple[str, Callable[[str, str], object]]:
    try:
        import pygit2
    except ImportError:
        return "line diff (ours)", lambda old, new: _line_diffs(old.splitlines(keepends=True),
                                                                new.splitlines(keepends=True))

    def xdiff(old: str, new: str) -> list[tuple[int, int, int, int]]:
        patch = pygit2.Patch.create_from(old.encode(), new.encode(), context_lines=0)
        return [(h.old_start, h.old_lines, h.new_start, h.new_lines) for h in patch.hunks]
    return "line diff (git's xdiff)", xdiff


def our_patch(old: str, new: str) -> str:
    """The part of the pipeline a stored amendment needs: the word diff and its patch text."""
    return make_patch(old, new)


def naive_pipeline(old: str, new: str) -> str:
    dmp = diff_match_patch()
    diffs = dmp.diff_main(old, new)
    patch = dmp.patch_toText(dmp.patch_make(old, diffs))
    dmp.patch_apply(dmp.patch_fromText(patch), old)
    return patch


def cases(size: int) -> list[tuple[str, str, str]]:
    old = regulation_text(size, seed=size)
    one, _ = edit_lines(old, 0.01)
    ten, _ = edit_lines(old, 0.10)
    return [("1% of lines", old, one), ("10% of lines", old, ten),
            ("moved block", old, move_block(old)), ("inserted regulation", old, insert_regulation(old))]


def one_word(text: str) -> str:
    """One word changed in a body line halfway through the text."""
    lines = text.split("\n")
    # A "(2) ..." paragraph line; an EU act's paragraphs are "1. ..." and its points "- (a) ...".
    at = next((i for i in range(len(lines) // 2, len(lines)) if lines[i].startswith("(") and len(lines[i]) > 40),
              None)
    if at is None:
        at = next(i for i in range(len(lines) // 2, len(lines)) if not lines[i].startswith("#") and len(lines[i]) > 40)
    words = lines[at].split(" ")
    words[3] += "s"
    lines[at] = " ".join(words)
    return "\n".join(lines)


def _provision_cases(kind: str, old: str) -> list[tuple[str, str]]:
    cases = [("one changed word", one_word(old)), ("1% of lines", edit_lines(old, 0.01)[0]),
             ("10% of lines", edit_lines(old, 0.10)[0])]
    if kind == "uk-si":  # the moved block and the inserted regulation are cut at uk-si headings
        cases += [("moved block", move_block(old)), ("inserted regulation", insert_regulation(old))]
    return cases


def provision_diff_rows(sizes: list[int], repeats: int) -> list[Row]:
    """The diff as the service makes it from two stored versions (issue 14 and 17): each
    text's structure already read, provisions aligned by their text, words diffed only
    where they changed, the changes grouped (what the JSON diff and the change list
    need; the groups of unchanged provisions are made only when a rendering asks).
    Cold: the owners' table of each structure is made in the timing. The whole text's
    word diff grouped by provision (the path before) is timed in the same run, and
    where nothing moved the two diffs are checked to be equal."""
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            for kind, make in KIND_TEXTS.items():
                if kind == "eu-act":
                    continue  # the kinds of issue 17's targets: SI-, Act- and CFR-shaped
                old = make(size, size)
                old_structure = read_structure(old, kind)
                for name, new in _provision_cases(kind, old):
                    new_structure = read_structure(new, kind)

                    def aligned() -> None:
                        owners._OWNERS.clear()
                        diff = diff_texts(old, new, kind, old_structure=old_structure, new_structure=new_structure)
                        diff.stats()

                    def whole() -> None:
                        owners._OWNERS.clear()
                        diff = group_by_provision(old, new, diff_words(old, new), kind, old_structure=old_structure,
                                                  new_structure=new_structure)
                        diff.stats()

                    made = diff_texts(old, new, kind, old_structure=old_structure, new_structure=new_structure)
                    assert made.old_text() == old and made.new_text() == new
                    if name != "moved block":
                        assert made == group_by_provision(old, new, diff_words(old, new), kind,
                                                          old_structure=old_structure, new_structure=new_structure), \
                            f"{kind} {name}: the aligned diff is not the whole text's"
                    git = git_word_diff(old, new, tmp, repeats)
                    ours, before = median_time(aligned, repeats), median_time(whole, repeats)
                    moved = made.stats()["moved"]
                    rows.append(Row("provision diff", f"{len(old.encode()) / 1e6:.1f} MB {kind}, {name}", ours, git,
                                    "git word-diff",
                                    note=f"whole-text word diff grouped: {before * 1000:.0f} ms = {before / git:.1f}× git"
                                         + (f"; {moved} provisions reported moved" if moved else "")))
    return rows


def run(sizes: list[int], repeats: int, naive: bool) -> list[Row]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            for name, old, new in cases(size):
                # The patch must stay standard: upstream reads it and rebuilds the new text.
                patch, _ = our_pipeline(old, new)
                rebuilt, applied = upstream_apply(patch, old)
                assert rebuilt == new and all(applied), f"{name}: upstream does not rebuild the text"
                assert parse_patch(patch).text == patch
                git = git_word_diff(old, new, tmp, repeats)
                ours = median_time(lambda: our_pipeline(old, new), repeats)
                naive_time = timed_in_child(lambda: naive_pipeline(old, new), NAIVE_TIMEOUT) if naive else None
                patch_only = median_time(lambda: our_patch(old, new), repeats)
                parts = floor(old, new, repeats)
                least = sum(parts.values())
                rows.append(Row("diff pipeline", f"{len(old.encode()) / 1e6:.1f} MB, {name}", ours, git,
                                "git word-diff", naive_time, peak_memory_mb(our_pipeline, old, new),
                                max(len(old.encode()), len(new.encode())) / 1e6,
                                "; ".join(filter(None, [
                                    "" if naive_time is not None or not naive else f"naive > {NAIVE_TIMEOUT:.0f} s",
                                    stages(old, new, repeats),
                                    "floor: " + " + ".join(f"{part} {seconds * 1000:.0f}"
                                                           for part, seconds in parts.items())
                                    + f" = {least * 1000:.0f} ms = {least / git:.1f}× git"]))))
                rows.append(Row("word diff + patch text", f"{len(old.encode()) / 1e6:.1f} MB, {name}", patch_only,
                                git, "git word-diff", None, peak_memory_mb(our_patch, old, new),
                                max(len(old.encode()), len(new.encode())) / 1e6))
    return rows
