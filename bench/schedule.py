"""Hundreds of amendments: proposing them against a 1 MB regulation, and the Keeling
schedule that shows them all, through the services over a real SQLite file.

A consultation gathers hundreds of amendments to one version. Each is proposed as a
patch (checked, its hunks' provisions found, stored); the schedule of the version then
applies them in turn, attributes every changed word to its amendment, finds their
conflicts, and renders the page with a numbered note per change. There is no peer for
this: the figures say whether a drafter waits.
"""

from __future__ import annotations

import math
import re
import statistics
import tempfile
import time
from pathlib import Path

from sqlmodel import Session

from bench.apply import amendments
from bench.corpus import regulation_text
from bench.measure import Row, least_cpu_time, median_time, peak_memory_mb
from regdraft.core.diffing import read_structure
from regdraft.core.history import History, Step
from regdraft.core.keeling import render_keeling
from regdraft.core.patching import applied_in_turn, parse_patch
from regdraft.services import amendments as amendment_service
from regdraft.services import documents, rendering
from regdraft.store.engine import make_engine, migrate


def load(database_url: str, base: str, patches: list[str]) -> list[float]:
    """The document, its version and one amendment per patch, each proposed and
    committed as a drafter's request would be; the seconds each proposal took."""
    engine = make_engine(database_url)
    migrate(engine)
    took = []
    try:
        with Session(engine) as session:
            document = documents.create_document(session, slug="long", title="A long regulation", actor="bench")
            documents.upsert_stakeholder(session, slug="proposer", name="A proposer", actor="bench")
            documents.create_version(session, document, text=base, parent=None, author="bench", actor="bench")
            session.commit()
            for i, patch in enumerate(patches):
                started = time.perf_counter()
                amendment_service.propose(session, document, amendment_service.AmendmentInput(
                    slug=f"amendment-{i}", title=f"Amendment {i}", proposer="proposer", base=1,
                    categories=["standards"], patch_text=patch), actor="bench")
                session.commit()
                took.append(time.perf_counter() - started)
    finally:
        engine.dispose()
    return took


def schedule_page(database_url: str) -> str:
    """The Keeling schedule of version 1 with every open amendment, as an HTML page."""
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            document = documents.get_document(session, "long")
            schedule = rendering.keeling_schedule(session, document, 1,
                                                  rendering.schedule_amendments(session, document, 1))
            return rendering.render(schedule, "html")
    finally:
        engine.dispose()


def keeling_of(base: str, structure, patches: list) -> bytes:
    """The schedule's core path: the amendments applied in turn, every change
    attributed (``core.history``), the net diff grouped and rendered with its notes."""
    history = History(base, "uk-si", structure)
    for i, result in enumerate(applied_in_turn(patches, base, past_failures=True)):
        history.add(Step(result.text, f"amendment-{i}", result.changed))
    return render_keeling(history.diff(), {}, []).body


def growth(size: int, counts: list[int], repeats: int) -> list[Row]:
    """Target 6 of issue 17: a schedule of N amendments grows linearly in N. Each step
    copies the text once (applying a patch makes the next text), so the time per
    amendment past the fixed part (reading the final text's structure, grouping and
    rendering the net diff) should not grow with N."""
    base = regulation_text(size, seed=8)
    structure = read_structure(base, "uk-si")
    rows, times, cpu = [], {}, {}
    for count in counts:
        patches = [parse_patch(a.patch) for a in amendments(base, count)]
        times[count] = median_time(lambda: keeling_of(base, structure, patches), repeats)
        cpu[count] = least_cpu_time(lambda: keeling_of(base, structure, patches), repeats)
        applying = least_cpu_time(lambda: all(r.hunks for r in applied_in_turn(patches, base, past_failures=True)),
                                  repeats)
        note = f"CPU {cpu[count] * 1000:.0f} ms (applying in turn {applying * 1000:.0f} ms)"
        if len(times) > 1:
            low = counts[0]
            exponent = math.log(cpu[count] / cpu[low]) / math.log(count / low)
            note += f"; {(cpu[count] - cpu[low]) / (count - low) * 1e6:.0f} µs of CPU per amendment past {low}; " \
                    f"exponent {exponent:.2f} from {low}"
        rows.append(Row("hundreds of amendments", f"{len(base.encode()) / 1e6:.1f} MB: Keeling schedule of {count} "
                        "(core: apply, attribute, diff, render)", times[count],
                        note=note + ("; target: 1000 under 0.5 s" if count == 1000 else "")))
    return rows


def run(size: int, count: int, repeats: int) -> list[Row]:
    base = regulation_text(size, seed=8)
    patches = [a.patch for a in amendments(base, count)]
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'schedule.sqlite'}"
        took = load(url, base, patches)
        page = schedule_page(url)
        notes = page.count('class="rd-note-ref"')
        marked = set(re.findall(r'data-amendment="(amendment-\d+)"', page))
        assert len(marked) == count, f"the schedule marks changes of {len(marked)} of {count} amendments"
        megabytes = len(base.encode()) / 1e6
        return [
            Row("hundreds of amendments", f"{megabytes:.1f} MB: propose one amendment (of {count})",
                statistics.median(took),
                note=f"p95 {sorted(took)[int(len(took) * 0.95) - 1] * 1000:.0f} ms; checked, hunks and "
                     "provisions found, stored, committed"),
            Row("hundreds of amendments", f"{megabytes:.1f} MB: Keeling schedule of all {count} (html)",
                median_time(lambda: schedule_page(url), repeats),
                peak_mb=peak_memory_mb(schedule_page, url), size_mb=megabytes,
                note=f"{notes} changes, each with a numbered note; render cache not involved"),
        ]
