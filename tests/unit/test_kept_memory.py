"""What a worker keeps is what its memories count: a diff's owners' table goes with the
structure it was made of, a kept reading's weight covers what it holds once looked up
by id and diffed (and not its text, which it does not keep), and cmark's HTML is what cmarkgfm gives, through the call that frees
it."""

import gc
import tracemalloc
from pathlib import Path

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options

from regdraft.core import diffing, redline
from regdraft.core.diffing import owners as owners_module
from regdraft.services import structures

LEGISLATION = Path(__file__).parents[1] / "fixtures" / "legislation"
TEXTS = {  # real texts of each kind (tests/fixtures/README.md)
    "uk-si": "uksi-2014-2407_as-made.legalize-uk.md",
    "uk-act": "ukpga-2019-24.md",
    "us-cfr": "ecfr-12-1005-2011.md",
    "eu-act": "eu-32020R0111.md",
}


def _kept(kind: str):
    text = (LEGISLATION / TEXTS[kind]).read_text(encoding="utf-8")
    return structures.kept_form(diffing.read_structure(text, kind))


def test_an_owners_table_is_kept_while_its_structure_lives_and_let_go_with_it():
    structure = _kept("us-cfr")
    owners = diffing.owners_of(structure)
    assert diffing.owners_of(structure) is owners
    key = id(structure)
    assert key in owners_module._OWNERS
    del structure, owners
    gc.collect()
    assert key not in owners_module._OWNERS


@pytest.mark.parametrize("kind", TEXTS)
def test_a_kept_reading_is_counted_at_what_it_holds_once_looked_up_and_diffed(kind):
    """Read from the store, looked up by id (the index at worst) and diffed (its owners'
    table goes with the structure, its ids as strings stay with the table): what is
    left is counted, and not more than half as much again (a memory bound in bytes
    holds about what it says)."""
    text = (LEGISLATION / TEXTS[kind]).read_text(encoding="utf-8")
    encoded = structures.encode(diffing.read_structure(text, kind))
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        reading = structures.KeptReading.of(structures.decode(text, kind, encoded))
        structure = reading.over(text)
        assert structure.get(structure.provisions[-1].id) is not None
        structure.provisions.id_index()
        diffing.owners_of(structure)
        del structure
        gc.collect()
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert held <= structures.weight(reading) <= 1.5 * held + structures._HEADERS_BYTES


@pytest.mark.parametrize("kind", TEXTS)
def test_cmark_renders_a_real_text_as_cmarkgfm_does(kind):
    text = (LEGISLATION / TEXTS[kind]).read_text(encoding="utf-8")
    assert redline.render_with_cmark(text) == cmarkgfm.markdown_to_html(text, options=Options.CMARK_OPT_SOURCEPOS)
