"""Cold stored-version redline, stage by stage (issue 17 target 1):

  python -m bench.stages [--kinds uk-si,us-cfr] [--cases 1%,10%,moved,inserted] [--size 1] [--n 5]

Run it with another checkout's sources first on the path to compare two versions of the
code in one period (PYTHONPATH=OTHER/src:OTHER). Prints, for each kind and case, the least CPU time (time.process_time) of N cold runs of
each stage (diff = compare_versions with nothing kept in memory but structures stored in
SQLite; html = render(..., "html"); json = render(..., "json")), git's word diff of the same
texts (wall, best of N), and a sha256 of the html and json bodies so that base and branch
outputs can be compared byte for byte.
"""
import argparse, hashlib, subprocess, sys, tempfile, time
from pathlib import Path

from sqlmodel import Session
from bench.corpus import KIND_TEXTS, edit_lines, insert_regulation, move_block
from bench.measure import git_word_diff
from regdraft.services import comparisons, documents, rendering, structures
from regdraft.store.engine import make_engine, migrate

p = argparse.ArgumentParser()
p.add_argument("--kinds", default="uk-si,uk-act,us-cfr,eu-act")
p.add_argument("--cases", default="1%,10%,moved,inserted")
p.add_argument("--size", type=float, default=1.0)
p.add_argument("--n", type=int, default=5)
a = p.parse_args()
size = int(a.size * 1e6)
tmp = tempfile.mkdtemp()
engine = make_engine(f"sqlite:///{Path(tmp, 's.db')}")
migrate(engine)
s = Session(engine)


def body(x):
    return x.body if hasattr(x, "body") else x


def digest(x) -> str:
    x = body(x)
    if isinstance(x, str):
        x = x.encode("utf-8", "surrogatepass")
    return hashlib.sha256(x).hexdigest()[:12]


for kind in a.kinds.split(","):
    text = KIND_TEXTS[kind](size, size)
    cases = {"1%": lambda: edit_lines(text, 0.01)[0], "10%": lambda: edit_lines(text, 0.1)[0]}
    if kind == "uk-si":
        cases.update(moved=lambda: move_block(text), inserted=lambda: insert_regulation(text))
    for name in a.cases.split(","):
        if name not in cases:
            continue
        new = cases[name]()
        d = documents.create_document(s, slug=f"{kind}-{name}".replace("%", "p"), title="x", kind=kind, actor="b")
        documents.create_version(s, d, text=text, parent=None, author="b", actor="b")
        documents.create_version(s, d, text=new, parent=1, author="b", actor="b")
        s.commit()
        best = [float("inf")] * 3
        for _ in range(a.n):
            structures.MEMORY.clear(); comparisons.DIFFS.clear()
            t0 = time.process_time(); c = comparisons.compare_versions(s, d, 1, 2)
            t1 = time.process_time(); h = rendering.render(c, "html")
            t2 = time.process_time(); j = rendering.render(c, "json")
            t3 = time.process_time()
            best = [min(b, x) for b, x in zip(best, (t1 - t0, t2 - t1, t3 - t2))]
        git = git_word_diff(text, new, tmp, a.n)
        total = sum(best)
        print(f"{kind:6} {name:8} diff {best[0]*1e3:6.1f}  html {best[1]*1e3:6.1f}  json {best[2]*1e3:6.1f}  "
              f"total {total*1e3:6.1f} ms  git {git*1e3:5.1f} ms  {total/git:5.1f}x  "
              f"html#{digest(h)} json#{digest(j)}", flush=True)
