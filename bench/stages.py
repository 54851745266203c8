"""Cold stored-version redline, stage by stage (issue 17 target 1):

  python -m bench.stages [--kinds uk-si,us-cfr] [--cases word,1%,10%,moved,inserted] [--size 1] [--n 5]

Run it with another checkout's sources first on the path to compare two versions of the
code in one period (PYTHONPATH=OTHER/src:OTHER). Prints, for each kind and case,
the least CPU time (time.process_time) of N cold runs of each stage (diff = compare_versions with nothing kept in memory but structures stored in
SQLite; html = render_utf8(..., "html"); json = render_utf8(..., "json"): the bytes the API sends), git's word diff of the same
texts (wall, best of N), and a sha256 of the html and json bodies so that base and branch
outputs can be compared byte for byte.
"""

from __future__ import annotations

import argparse
import hashlib
import tempfile
import time
from pathlib import Path

from sqlmodel import Session

from bench.corpus import KIND_TEXTS, edit_lines, insert_regulation, move_block
from bench.measure import git_word_diff
from bench.pipeline import one_word
from regdraft.services import comparisons, documents, rendering, renderings, structures
from regdraft.store.engine import make_engine, migrate


def _digest(body: str | bytes) -> str:
    if isinstance(body, str):
        body = body.encode("utf-8", "surrogatepass")
    return hashlib.sha256(body).hexdigest()[:12]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.stages")
    parser.add_argument("--kinds", default="uk-si,uk-act,us-cfr,eu-act")
    parser.add_argument("--cases", default="word,1%,10%,moved,inserted")
    parser.add_argument("--size", type=float, default=1.0, help="MB")
    parser.add_argument("--n", type=int, default=5, help="cold runs of each case")
    args = parser.parse_args()
    size = int(args.size * 1e6)
    folder = tempfile.mkdtemp()
    engine = make_engine(f"sqlite:///{Path(folder, 'stages.db')}")
    migrate(engine)
    session = Session(engine)
    for kind in args.kinds.split(","):
        text = KIND_TEXTS[kind](size, size)
        cases = {"word": lambda: one_word(text), "1%": lambda: edit_lines(text, 0.01)[0], "10%": lambda: edit_lines(text, 0.1)[0]}
        if kind == "uk-si":  # the moved block and the inserted regulation are cut at uk-si headings
            cases.update(moved=lambda: move_block(text), inserted=lambda: insert_regulation(text))
        for name in args.cases.split(","):
            if name not in cases:
                continue
            new = cases[name]()
            document = documents.create_document(session, slug=f"{kind}-{name}".replace("%", "p"), title=kind,
                                                 kind=kind, actor="bench")
            documents.create_version(session, document, text=text, parent=None, author="bench", actor="bench")
            documents.create_version(session, document, text=new, parent=1, author="bench", actor="bench")
            session.commit()
            best = [float("inf")] * 3
            for _ in range(args.n):
                structures.MEMORY.clear()
                renderings.MEMORY.clear()
                comparisons.DIFFS.clear()
                started = time.process_time()
                comparison = comparisons.compare_versions(session, document, 1, 2)
                diffed = time.process_time()
                html = rendering.render_utf8(comparison, "html")
                rendered = time.process_time()
                json = rendering.render_utf8(comparison, "json")
                done = time.process_time()
                best = [min(b, t) for b, t in zip(best, (diffed - started, rendered - diffed, done - rendered))]
            git = git_word_diff(text, new, folder, args.n)
            total = sum(best)
            print(f"{kind:6} {name:8} diff {best[0] * 1e3:6.1f}  html {best[1] * 1e3:6.1f}  "
                  f"json {best[2] * 1e3:6.1f}  total {total * 1e3:6.1f} ms  git {git * 1e3:5.1f} ms  "
                  f"{total / git:5.1f}x  html#{_digest(html)} json#{_digest(json)}", flush=True)


if __name__ == "__main__":
    main()
