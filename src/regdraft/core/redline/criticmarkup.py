"""The redline as CriticMarkup: the merged text with each change in ``{++ ++}``/``{-- --}``
and its source in a comment."""

from __future__ import annotations

from regdraft.core.diffing import TextDiff
from regdraft.core.patching import DELETE, EQUAL, INSERT
from regdraft.core.redline.marking import END_OF_TEXT, Source


def _comment(text: str) -> str:
    """A CriticMarkup comment; it cannot be closed early or span lines (CriticMarkup
    has no escapes, so a ``<<}`` inside is broken up)."""
    return "{>>" + " ".join(text.split()).replace("<<}", "<< }") + "<<}"


def render_criticmarkup(diff: TextDiff, *, sources: dict[str, Source] | None = None,
                        notices: dict[str, list[str]] | None = None) -> str:
    """CriticMarkup: ``{++ins++}``, ``{--del--}``, ``{~~old~>new~~}``, ``{>>who<<}``.

    Provision boundaries matter to HTML but not here: a change that runs across
    several provisions (an inserted regulation) is one mark. ``notices`` (conflicts)
    are comments in a paragraph of their own before the provisions they name (at the
    end for :data:`END_OF_TEXT`, at the top for a provision the diff does not have)."""
    sources = sources or {}
    notices = dict(notices or {})
    at_end = notices.pop(END_OF_TEXT, [])
    placed = set(diff.provisions())
    out: list[str] = [_comment(notice) + "\n\n" for provision in list(notices) if provision not in placed
                      for notice in notices.pop(provision)]
    pending: list = []  # adjacent non-equal ops of one source
    equal: list[str] = []  # unchanged text since the last mark, not yet written

    def write_equal() -> None:
        out.extend(equal)
        equal.clear()

    def flush() -> None:
        if not pending:
            return
        deleted = "".join(op.text for op in pending if op.kind == DELETE)
        inserted = "".join(op.text for op in pending if op.kind == INSERT)
        moved = ""
        if bool(deleted) != bool(inserted):
            # An inserted or deleted block ends with its line ends, so its attribution
            # would start the next line ("<<}### 4." is no heading). When the text before
            # it ends with the same line ends, the same change can be marked one block
            # earlier: "...{++\n\n(3) ...++}{>>who<<}\n\n### 4." accepts and rejects alike.
            text = deleted or inserted
            moved = text[len(text.rstrip("\n")):]
            before = "".join(equal)
            if moved and text.strip("\n") and before.endswith(moved):
                equal[:] = [before[:-len(moved)]]
                text = moved + text[:-len(moved)]
                deleted, inserted = (text, "") if deleted else ("", text)
            else:
                moved = ""
        write_equal()
        if deleted and inserted:
            out.append(f"{{~~{deleted}~>{inserted}~~}}")
        elif inserted:
            out.append(f"{{++{inserted}++}}")
        else:
            out.append(f"{{--{deleted}--}}")
        source = pending[0].source
        if source:
            who = sources.get(source)
            out.append(_comment(source + (f": {who.title} ({who.proposer})" if who else "")))
        equal.append(moved)
        pending.clear()

    for group, op in ((group, op) for group in diff.groups for op in group.ops):
        if group.provision in notices:
            flush()
            write_equal()
            out.extend(_comment(notice) + "\n\n" for notice in notices.pop(group.provision))
        if op.kind == EQUAL:
            flush()
            equal.append(op.text)
            continue
        if pending and (pending[-1].source != op.source or (pending[-1].kind == INSERT and op.kind == DELETE)):
            flush()
        pending.append(op)
    flush()
    write_equal()
    out.extend("\n" + _comment(notice) + "\n" for notice in at_end)
    return "".join(out)
