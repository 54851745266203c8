"""Target 5 of issue 17: peak memory over baseline, traced by ``tracemalloc`` (what
Python allocates, not what the process keeps), as a multiple of the larger text's size
in UTF-8; and what a worker's caches hold against what their settings say.

- *pipeline*: word diff, grouping, patch text and HTML redline of two 1 MB and two 5 MB
  texts (1% of lines changed), nothing kept;
- *API*: ``GET …/redline`` (html) of two stored versions through the HTTP stack (a
  test client over the app and a SQLite file), the first redline in the process (after
  one request for a document that does not exist, which builds the route's state);
- *Keeling*: 500 one-line amendments to 1 MB applied in turn, attributed, diffed and
  rendered (the base's structure kept, as the service keeps it);
- *caches*: one entry of each memory (a version's reading, a diff of two versions,
  the new version's stored rendering, the rendered page) traced, against the size it
  is counted as under its bound (``REGDRAFT_STRUCTURE_CACHE_BYTES``,
  ``REGDRAFT_DIFF_CACHE_BYTES``, ``REGDRAFT_RENDER_CACHE_BYTES``; the renderings'
  memory's own 128 MB); and a worker's resident size after comparing six
  5 MB documents one after another, twice (the second time by another query, so
  nothing is answered from the render cache), with each cache bound at 32 MB and at
  the defaults, beside what the three caches count.

Each figure is measured in a fresh interpreter (``bench.measure``'s spawned pool), so
nothing an earlier case left behind is counted or hides what a case needs.
"""

from __future__ import annotations

import gc
import multiprocessing
import tempfile
import tracemalloc
from pathlib import Path
from typing import Callable

from bench.apply import amendments
from bench.corpus import edit_lines, regulation_text
from bench.measure import Row, _status

MB = 1e6


def _traced(operation: Callable, *args) -> tuple[float, float]:
    """(peak traced MB over what was allocated before, MB still held after)."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    tracemalloc.reset_peak()
    result = operation(*args)
    held, peak = tracemalloc.get_traced_memory()
    del result
    tracemalloc.stop()
    return (peak - before) / MB, (held - before) / MB


def pipeline(old: str, new: str) -> tuple[float, float]:
    """The pipeline traced after one run on a short text: what a first run loads once
    whatever the text (the modules, compiled expressions, 2.3 MB) is not counted, as
    the API's route state is not."""
    from bench.pipeline import our_pipeline

    short = regulation_text(20_000, seed=5)
    our_pipeline(short, edit_lines(short, 0.01)[0])
    return _traced(our_pipeline, old, new)


def _stored(folder: str, texts: list[tuple[str, str]]) -> str:
    """A SQLite file holding, per pair, a document of two versions; its URL."""
    from sqlmodel import Session

    from regdraft.services import documents
    from regdraft.store.engine import make_engine, migrate

    url = f"sqlite:///{Path(folder) / 'memory.db'}"
    engine = make_engine(url)
    migrate(engine)
    with Session(engine) as session:
        for i, (old, new) in enumerate(texts):
            document = documents.create_document(session, slug=f"doc-{i}", title="A long regulation", actor="bench")
            documents.create_version(session, document, text=old, parent=None, author="bench", actor="bench")
            documents.create_version(session, document, text=new, parent=1, author="bench", actor="bench")
        session.commit()
    engine.dispose()
    return url


def _client(url: str, cache_bytes: int | None = None):
    from fastapi.testclient import TestClient

    from regdraft.api.app import create_app
    from regdraft.settings import Settings

    bounds = {} if cache_bytes is None else dict(render_cache_bytes=cache_bytes, structure_cache_bytes=cache_bytes,
                                                 diff_cache_bytes=cache_bytes)
    return TestClient(create_app(Settings(database_url=url, **bounds)))


def api_redline(url: str) -> tuple[float, float]:
    from regdraft.services import comparisons, renderings, structures

    with _client(url) as client:
        # FastAPI builds a route's state on the first request that reaches it (2.4 MB
        # for this route, whatever the text): a request for a document that does not
        # exist builds it, so what is traced is what the text costs.
        assert client.get("/api/documents/no-such-document/redline?from=1&to=2").status_code == 404
        structures.MEMORY.clear()
        renderings.MEMORY.clear()
        comparisons.DIFFS.clear()
        traced = _traced(lambda: client.get("/api/documents/doc-0/redline?from=1&to=2",
                                            headers={"Accept": "text/html"}).raise_for_status())
    return traced


def keeling(base: str, patches: list[str]) -> tuple[float, float]:
    """The schedule's core path traced after one run on a short text (as
    :func:`pipeline`), the history let go once diffed, as ``services.rendering`` does."""
    from regdraft.core.diffing import read_structure
    from regdraft.core.history import History, Step
    from regdraft.core.keeling import render_keeling
    from regdraft.core.patching import applied_in_turn, parse_patch

    def schedule(text: str, amended: list[str], structure) -> None:
        history = History(text, "uk-si", structure)
        for i, result in enumerate(applied_in_turn([parse_patch(p) for p in amended], text, past_failures=True)):
            history.add(Step(result.text, f"amendment-{i}", result.changed))
        diff = history.diff()
        del history
        render_keeling(diff, {}, [])

    short = regulation_text(20_000, seed=8)
    schedule(short, [a.patch for a in amendments(short, 10)], read_structure(short, "uk-si"))
    return _traced(schedule, base, patches, read_structure(base, "uk-si"))


def cache_entries(url: str) -> dict[str, tuple[float, float]]:
    """(traced MB, counted MB) of what each memory keeps of one redline: a version's
    reading (once diffed and looked up by id, as a kept reading is), the diff of two
    versions, the new version's stored rendering and the rendered page. Each is traced
    with the others already made, so nothing is counted twice; the texts are the
    rows' (a kept reading holds none)."""
    from regdraft.api.render_cache import RenderCache
    from regdraft.core import diffing
    from regdraft.services import comparisons, documents, rendering, renderings, structures
    from sqlmodel import Session

    from regdraft.store.engine import make_engine

    engine = make_engine(url)
    found = {}
    with Session(engine) as session:
        document = documents.get_document(session, "doc-0")
        old = documents.get_version(session, document, 1)
        comparisons.compare_versions(session, document, 1, 2)  # what a first comparison imports
        for memory in (structures.MEMORY, renderings.MEMORY, comparisons.DIFFS):
            memory.clear()

        def read_and_use(version) -> None:
            structure = documents.version_structure(session, document, version)
            structure.get(structure.provisions[-1].id)
            structure.provisions.id_index()
            diffing.owners_of(structure)

        found["structure (one version)"] = (_held(lambda: read_and_use(old)), structures.MEMORY._bytes / MB)
        read_and_use(documents.get_version(session, document, 2))
        found["diff (two versions)"] = (_held(lambda: comparisons.compare_versions(session, document, 1, 2)),
                                        comparisons.DIFFS._bytes / MB)
        comparison = comparisons.compare_versions(session, document, 1, 2)
        found["stored rendering (the new version's)"] = (_held(lambda: comparison.rendering),
                                                         renderings.MEMORY._bytes / MB)
        cache = RenderCache(1 << 40)
        found["rendered redline (html)"] = (
            _held(lambda: cache.put(("k",), _entry(rendering.render_utf8(comparison, "html"), comparison.etag))),
            cache.size / MB)
    engine.dispose()
    return found


def _entry(body: bytes, etag: str):
    """What the API's render cache keeps of a page (``api.routes.renderings._render``)."""
    from regdraft.api.render_cache import Entry

    return Entry(etag, body, "text/html")


def _held(operation: Callable) -> float:
    """MB that ``operation`` leaves allocated (what a cache keeps of it)."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    operation()
    gc.collect()
    held = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    return held / MB


def worker_growth(url: str, count: int, cache_bytes: int) -> list[tuple[float, float]]:
    """(resident MB over the start, MB the three caches count) after each of ``count``
    documents' redlines, then each again with another query (so none is a cache hit)."""
    from regdraft.services import comparisons, structures

    found = []
    with _client(url, cache_bytes) as client:
        client.get("/health")
        start = _status("VmRSS")
        for n in range(2 * count):
            client.get(f"/api/documents/doc-{n % count}/redline?from=1&to=2&pass={n // count}",
                       headers={"Accept": "text/html"}).raise_for_status()
            gc.collect()
            counted = structures.MEMORY._bytes + comparisons.DIFFS._bytes + client.app.state.render_cache.size
            found.append(((_status("VmRSS") - start) / MB, counted / MB))
    return found


def _in_child(operation: Callable, *args):
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(operation, args)


def run(sizes: list[int], worker_documents: int) -> list[Row]:
    rows = []
    for size in sizes:
        old = regulation_text(size, seed=5)
        new = edit_lines(old, 0.01)[0]
        larger = max(len(old.encode()), len(new.encode())) / MB
        peak, _ = _in_child(pipeline, old, new)
        rows.append(Row("memory (traced)", f"{larger:.1f} MB, 1% of lines: pipeline (diff, patch, html)", None,
                        peak_mb=peak, size_mb=larger,
                        note=f"{peak / larger:.2f}×; target: at most 10× the text (after a run on 20 KB)"))
        with tempfile.TemporaryDirectory() as folder:
            url = _stored(folder, [(old, new)])
            peak, held = _in_child(api_redline, url)
            rows.append(Row("memory (traced)", f"{larger:.1f} MB, 1% of lines: API redline (html), first request",
                            None, peak_mb=peak, size_mb=larger,
                            note=f"{peak / larger:.2f}×; structures from the store; {held:.1f} MB of it still "
                                 "kept after (both readings, the diff, the stored rendering and the page, in "
                                 "their memories)"))
            if size == max(sizes):
                for what, (held, counted) in _in_child(cache_entries, url).items():
                    rows.append(Row("memory (traced)", f"{larger:.1f} MB: a kept {what}", None, peak_mb=held,
                                    size_mb=larger,
                                    note=f"traced {held:.2f} MB, counted under its bound as {counted:.2f} MB"))
    base = regulation_text(1_000_000, seed=8)
    patches = [a.patch for a in amendments(base, 500)]
    peak, _ = _in_child(keeling, base, patches)
    rows.append(Row("memory (traced)", "1.0 MB: Keeling schedule of 500 amendments", None, peak_mb=peak,
                    size_mb=len(base.encode()) / MB,
                    note=f"{peak / (len(base.encode()) / MB):.2f}×; applied, attributed, diffed, rendered "
                         "(after a run on 20 KB)"))
    size = max(sizes)
    with tempfile.TemporaryDirectory() as folder:
        pairs = []
        for i in range(worker_documents):
            old = regulation_text(size, seed=20 + i)
            pairs.append((old, edit_lines(old, 0.01)[0]))
        url = _stored(folder, pairs)
        del pairs
        for bound in (32 * 1024 * 1024, None):
            growth = _in_child(worker_growth, url, worker_documents, bound)
            label = f"each cache bound at {bound // 1024 // 1024} MB" if bound else "default bounds (64 + 256 + 128 MB)"
            rows.append(Row("memory (worker RSS)", f"redlines of {worker_documents} {size / MB:.0f} MB documents "
                            f"twice, {label}", None, peak_mb=max(resident for resident, _ in growth),
                            size_mb=size / MB,
                            note="resident over start after each (what the caches count): "
                                 + ", ".join(f"{resident:.0f} ({counted:.0f})" for resident, counted in growth)
                                 + " MB"))
    return rows
