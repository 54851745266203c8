"""What a worker keeps is what its memories count: a diff's owners' table goes with the
structure it was made of, a kept reading's weight covers what it holds once looked up
by id and diffed, and cmark's HTML is what cmarkgfm gives, through the call that frees
it."""

import gc
import tracemalloc
from pathlib import Path

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options

from regdraft.core import diffing, redline
from regdraft.services import structures
from regdraft.services.kept import held_bytes

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
    assert key in diffing._OWNERS
    del structure, owners
    gc.collect()
    assert key not in diffing._OWNERS


@pytest.mark.parametrize("kind", TEXTS)
def test_a_kept_reading_is_counted_at_least_at_what_it_holds_once_looked_up_and_diffed(kind):
    structure = _kept(kind)
    gc.collect()
    tracemalloc.start()
    try:
        assert structure.get(structure.provisions[-1].id) is not None  # the index by id
        diffing.owners_of(structure)
        made = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    counted_beside = structures.weight(structure) - held_bytes(structure.text) - structure.provisions.held_bytes()
    assert made <= counted_beside


@pytest.mark.parametrize("kind", TEXTS)
def test_cmark_renders_a_real_text_as_cmarkgfm_does(kind):
    text = (LEGISLATION / TEXTS[kind]).read_text(encoding="utf-8")
    assert redline.render_with_cmark(text) == cmarkgfm.markdown_to_html(text, options=Options.CMARK_OPT_SOURCEPOS)
