"""The consultation's outcome of the worked case (drafts/ and amendments/ in the
repository), on both backends: a golden file reviewed by eye
(tests/golden/outcome/children-social-care-delegation.md; REGDRAFT_UPDATE_GOLDEN=1
rewrites it), and what it must say in any case: the for-profit ban was adopted, why, in
the words of the records, and each passage links to the place it quotes."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from regdraft.files.loader import load
from regdraft.services import documents, outcome

ROOT = Path(__file__).resolve().parents[2]
DOC = "children-social-care-delegation"
GOLDEN = ROOT / "tests" / "golden" / "outcome" / f"{DOC}.md"


@pytest.fixture
def worked(session):
    load(session, ROOT, actor="golden")
    return outcome.outcome(session, documents.get_document(session, DOC))


def test_the_worked_case_outcome_is_the_golden_file(worked):
    got = outcome.render_markdown(worked)
    if os.environ.get("REGDRAFT_UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(got, encoding="utf-8")
    assert got == GOLDEN.read_text(encoding="utf-8")


def test_it_says_the_profit_ban_was_adopted_and_why_in_the_records_words(worked, session):
    regulation_5 = next(p for p in worked.provisions if p.id == "reg-5")
    ban = next(d for d in regulation_5.amendments if d.slug == "profit-ban")
    assert (ban.verdict, ban.version, ban.by, ban.at) == ("Adopted", 2, "Department for Education", "2014-06-20")
    # The reason is the amendment file's own decision, and every quotation in it is a seed's words.
    seeds = "".join(p.read_text(encoding="utf-8") for p in Path("/work/shared/seeds").glob("*.txt")) \
        if Path("/work/shared/seeds").is_dir() else None
    quoted = re.findall(r"“([^”]+)”", ban.reason)
    assert quoted
    if seeds is not None:
        assert all(q in seeds for q in quoted), [q for q in quoted if q not in seeds]
    rival = next(d for d in regulation_5.amendments if d.slug == "not-for-profit-or-local-authority")
    assert rival.verdict == "Rejected" and "narrower wording of the profit ban" in rival.reason
    # Who asked for it, with their stance, each passage linked to the quoted place in the response.
    adcs = next(r for r in regulation_5.respondents if r.stakeholder == "adcs")
    assert adcs.stance.startswith("Opposed to a profit motive")
    passage = next(p for p in adcs.passages if p.quote == "should not be predicated on a profit motive")
    start, end = map(int, re.search(r"#quote-(\d+)-(\d+)$", passage.href).groups())
    response = documents.get_response(session, documents.get_document(session, DOC), "adcs")
    assert response.text[start:end] == passage.quote
    assert passage.amendments == ("profit-ban",)


def test_provisions_come_in_drafting_order_and_every_response_is_accounted_for(worked):
    ids = [p.id for p in worked.provisions]
    assert ids == ["reg-1", "reg-2a", "reg-3", "reg-3-a", "reg-3a", "reg-4", "reg-4a", "reg-5", "reg-6"]
    named = {r.response for p in worked.provisions for r in p.respondents} | {u.response for u in worked.uncited}
    assert len(named) == worked.responses == 12
    assert worked.decided == {"Adopted": 1, "Rejected": 1, "Not yet decided": 11}


def test_the_html_escapes_every_record(worked):
    page = outcome.render_html(worked)
    assert "Barnardo’s" in page and "<script" not in page
    assert 'href="/documents/children-social-care-delegation/responses/adcs#quote-307-350"' in page
