"""The use cases on a real database (SQLite file and PostgreSQL), each test rolled back."""

import pytest
from sqlmodel import select

from regdraft.core.errors import (AlreadyExists, InvalidInput, InvalidTransition, NotFound, PatchDoesNotApply,
                                  QuoteNotFound, StaleParent)
from regdraft.services import amendments as A
from regdraft.services import comparisons, documents, rendering, xref
from regdraft.store.models import Citation, Event, HunkProvision, Version

from example_case import BAN, NFP, RESPONSE, TEXT, propose as _propose

def test_versions_are_numbered_hashed_and_refuse_a_stale_parent(session, case):
    v2 = documents.create_version(session, case, text=TEXT.replace("Example", "Sample"), parent=1, author="DfE",
                                  actor="t")
    assert (v2.number, v2.parent_id) == (2, documents.get_version(session, case, 1).id)
    assert len(v2.content_hash) == 64
    with pytest.raises(StaleParent) as err:
        documents.create_version(session, case, text=TEXT + "\nMore.\n", parent=1, author="x", actor="t")
    assert err.value.extra["head"] == 2
    assert documents.count_versions(session, case) == 2


def test_propose_stores_hunks_provisions_and_anchored_citations(session, case):
    amendment = _propose(session, case, "ban", BAN,
                         citations=[("adcs", "should not be predicated on a profit motive")])
    (hunk, links), = A.hunks_of(session, amendment)
    assert [link.provision_id for link in links] == ["reg-5"]
    (citation, response), = A.citations_of(session, amendment)
    assert response.text[citation.start:citation.end] == "should not be predicated on a profit motive"
    assert citation.prefix.endswith("“")
    assert A.categories_of(session, amendment) == ["profit-ban"]
    assert amendment.base_hash == documents.get_version(session, case, 1).content_hash


def test_bad_proposals_are_refused_and_write_nothing(session, case):
    with pytest.raises(QuoteNotFound, match="citation 1"):
        _propose(session, case, "ban", BAN, citations=[("adcs", "profit is fine")])
    with pytest.raises(NotFound, match="response 'nobody'"):
        _propose(session, case, "ban", BAN, citations=[("nobody", "x")])
    with pytest.raises(InvalidInput, match="is not a slug"):
        _propose(session, case, "ban", BAN, categories=["Profits!"])
    with pytest.raises(InvalidInput, match="nothing to amend"):
        _propose(session, case, "ban", TEXT)
    with pytest.raises(NotFound, match="no version 7"):
        _propose(session, case, "ban", BAN, base=7)
    wrong_base = A.AmendmentInput(slug="x", title="X", proposer="adcs", base=1, categories=["standards"],
                                  patch_text="@@ -1,4 +1,5 @@\n Nope\n+!\n")
    with pytest.raises(PatchDoesNotApply):
        A.propose(session, case, wrong_base, actor="t")
    assert A.list_amendments(session, case)[1] == 0
    _propose(session, case, "ban", BAN)
    with pytest.raises(AlreadyExists):
        _propose(session, case, "ban", NFP)


def test_accept_creates_the_next_version_in_the_same_transaction(session, case):
    ban = _propose(session, case, "ban", BAN)
    version = A.accept(session, ban, actor="reviewer")
    assert (version.number, version.produced_by_id, version.text) == (2, ban.id, BAN)
    assert ban.status == "accepted"
    assert A.produced_version(session, ban).id == version.id
    with pytest.raises(InvalidTransition, match="accepted"):
        A.accept(session, ban, actor="reviewer")
    actions = session.exec(select(Event.action).where(Event.document_id == case.id)).all()
    assert "amendment.accepted" in actions and "version.created" in actions


def test_accept_onto_a_later_head_applies_fuzzily_or_fails_whole(session, case):
    scope = _propose(session, case, "scope", TEXT.replace("social services functions", "social work functions"),
                     categories=["scoped-pilot"])
    documents.create_version(session, case, text="### 0. Preliminary\n\nNew words.\n\n" + TEXT, parent=1,
                             author="DfE", actor="t")
    version = A.accept(session, scope, actor="reviewer")
    assert version.number == 3 and "social work functions" in version.text and "### 0." in version.text
    gone = _propose(session, case, "gone", TEXT.replace("section 10 of", "section 11 of"), categories=["standards"])
    documents.create_version(session, case, text=version.text.replace(
        "- (b) functions under section 10 of the Children Act 2004.\n", "- (b) other functions entirely.\n"),
        parent=3, author="DfE", actor="t")
    with pytest.raises(PatchDoesNotApply) as err:
        A.accept(session, gone, actor="reviewer")
    assert err.value.extra["hunks"][0]["status"] == "failed"


def test_apply_an_ordered_set_and_report_each_hunk(session, case):
    ban = _propose(session, case, "ban", BAN)
    scope = _propose(session, case, "scope", TEXT.replace("social services functions", "social work functions"),
                     categories=["scoped-pilot"])
    v1 = documents.get_version(session, case, 1)
    outcome = A.apply_amendments(session, case, v1, [scope, ban])
    assert outcome.ok and "social work functions" in outcome.text and "### 5. Bodies" in outcome.text
    # Both were made against version 1: the ban's place is carried past the scope's edit.
    assert [h.status.value for step in outcome.steps for h in step.hunks] == ["exact", "exact"]


def test_conflicts_name_the_provisions(session, case):
    ban, nfp = _propose(session, case, "ban", BAN), _propose(session, case, "nfp", NFP, proposer="ncb")
    other = _propose(session, case, "other", TEXT.replace("section 10", "section 12C"), categories=["standards"])
    pairs = A.conflicts(session, case, [ban, nfp, other])
    assert [(p.first, p.second, p.kind, p.provisions) for p in pairs] == [
        ("ban", "nfp", "overlap", (("reg-5", "regulation 5"),))]


def test_diff_versions_and_amendments(session, case):
    _propose(session, case, "ban", BAN)
    comparison = comparisons.compare_amendments(session, case, 1, ["ban"])
    assert [(g.provision, g.status) for g in comparison.diff.changes] == [("reg-5", "added")]
    assert comparison.diff.old_text() == TEXT and comparison.diff.new_text() == BAN
    assert "@@" in comparison.unified() and comparison.new_name == "example@1+ban"


def test_cross_references_both_ways(session, case):
    ban = _propose(session, case, "ban", BAN, citations=[("adcs", "should not be predicated on a profit motive")])
    _propose(session, case, "scope", TEXT.replace("social services functions", "social work functions"),
             categories=["scoped-pilot"], proposer="ncb")
    assert [a.slug for a in xref.amendments_touching(session, case, "reg-5")] == ["ban"]
    assert [a.slug for a in xref.amendments_touching(session, case, "reg-3-a")] == ["scope"]
    response = documents.get_response(session, case, "adcs")
    assert [a.slug for a in xref.amendments_citing(session, response)] == ["ban"]
    by_adcs = xref.stakeholder_amendments(session, case, "adcs")
    assert [a.slug for a in by_adcs["proposed"]] == ["ban"] and [a.slug for a in by_adcs["cited"]] == [ban.slug]
    rows, total = A.list_amendments(session, case, provision="reg-3-a", category="scoped-pilot", status="proposed")
    assert total == 1 and rows[0].slug == "scope"
    assert session.exec(select(HunkProvision)).all()


def test_status_transitions_follow_the_workflow(session, case):
    ban = _propose(session, case, "ban", BAN)
    A.set_status(session, ban, "withdrawn", actor="adcs")
    with pytest.raises(InvalidTransition, match="cannot become rejected"):
        A.set_status(session, ban, "rejected", actor="x")
    A.set_status(session, ban, "proposed", actor="adcs")
    with pytest.raises(InvalidTransition, match="revision"):
        A.set_status(session, ban, "rejected", actor="x", revision=1)
    A.set_status(session, ban, "rejected", actor="x", revision=ban.revision, reason="Too wide.")
    assert ban.status == "rejected"
    assert session.exec(select(Citation)).all() == []
    assert session.exec(select(Version)).all()


def test_a_response_edit_moves_its_citations_and_cannot_drop_a_cited_quote(session, case):
    quote = "should not be predicated on a profit motive"
    amendment = _propose(session, case, "ban", BAN, citations=[("adcs", quote)])
    adcs = documents.get_stakeholder(session, "adcs")
    documents.put_response(session, case, slug="adcs", stakeholder=adcs, title="ADCS response", actor="t",
                           text="In June 2014, " + RESPONSE)
    (citation, response), = A.citations_of(session, amendment)
    assert response.text[citation.start:citation.end] == quote
    hash_before = response.content_hash
    with pytest.raises(QuoteNotFound) as refused, session.begin_nested():  # as a request's transaction would
        documents.put_response(session, case, slug="adcs", stakeholder=adcs, title="ADCS response", actor="t",
                               text=RESPONSE.replace("profit motive", "motive"))
    assert refused.value.extra["amendment"] == "ban"
    session.expire_all()
    assert documents.get_response(session, case, "adcs").content_hash == hash_before


def test_an_accepted_amendment_is_not_applied_again_where_it_already_is(session, case):
    ban = _propose(session, case, "ban", BAN)
    A.set_status(session, ban, "accepted", actor="t")
    version_2 = documents.get_version(session, case, 2)
    for attempt in (lambda: A.apply_amendments(session, case, version_2, [ban]),
                    lambda: comparisons.compare_amendments(session, case, 2, ["ban"]),
                    lambda: rendering.keeling_schedule(session, case, 2, ["ban"])):
        with pytest.raises(InvalidInput) as refused:
            attempt()
        assert (refused.value.extra["amendment"], refused.value.extra["version"]) == ("ban", 2)
    # On its own base it still shows what it did.
    assert A.apply_amendments(session, case, documents.get_version(session, case, 1), [ban]).text == BAN
