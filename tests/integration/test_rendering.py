"""Redlines and Keeling schedules from stored versions and amendments."""

import pytest

from regdraft.core.errors import NotFound, PatchDoesNotApply
from regdraft.core.history import version_source
from regdraft.core.redline import END_OF_TEXT
from regdraft.services import amendments as A
from regdraft.services import comparisons, documents, rendering

from example_case import BAN, NFP, TEXT, propose as _propose


def test_versions_diff_attributes_changes_to_the_amendment_that_made_each_version(session, case):
    ban = _propose(session, case, "ban", BAN, citations=[("adcs", "should not be predicated on a profit motive")])
    A.accept(session, ban, actor="reviewer")
    documents.create_version(session, case, text=BAN.replace("Example Regulations.", "Example Regulations 2014."),
                             parent=2, author="DfE", message="tidy", actor="t")
    comparison = comparisons.compare_versions(session, case, 1, 3)
    sources = {op.source for g in comparison.diff.changes for op in g.ops if op.kind != "equal"}
    assert sources == {"ban", version_source(3)}
    assert comparison.sources["ban"].proposer == "ADCS"
    again = comparisons.compare_versions(session, case, 1, 3)
    assert again.etag == comparison.etag != comparisons.compare_versions(session, case, 1, 2).etag
    backwards = comparisons.compare_versions(session, case, 3, 1)
    assert backwards.diff.new_text() == TEXT


def test_keeling_applies_compatible_amendments_and_withholds_conflicting_ones(session, case):
    _propose(session, case, "ban", BAN, citations=[("adcs", "should not be predicated on a profit motive")])
    _propose(session, case, "nfp", NFP, proposer="ncb")
    _propose(session, case, "scope", TEXT.replace("social services functions", "social work functions"),
             categories=["scoped-pilot"], citations=[("adcs", "councils must remain accountable")])
    schedule = rendering.keeling_schedule(session, case, 1, ["ban", "nfp", "scope"])
    assert schedule.applied == ("scope",) and schedule.withheld == ("ban", "nfp")
    body = schedule.keeling.body.decode()
    assert "Conflict: amendments “ban” and “nfp” both change regulation 5" in body
    assert ">services</del><ins" in body and ">work</ins>" in body and "Bodies carried on for profit" not in body
    notes = schedule.keeling.notes
    assert "councils must remain accountable" in notes
    assert "/api/documents/example/responses/adcs#quote-" in notes
    assert [c.source for c in schedule.keeling.changes] == ["scope"]
    alone = rendering.keeling_schedule(session, case, 1, ["ban"])
    assert alone.withheld == () and "should not be predicated on a profit motive" in alone.keeling.notes
    assert alone.etag != schedule.etag


def test_unknown_amendments_and_unappliable_sets_are_errors(session, case):
    with pytest.raises(NotFound):
        rendering.keeling_schedule(session, case, 1, ["nope"])
    documents.create_version(session, case, text=TEXT.replace("section 10 of the Children Act 2004",
                                                              "other enactments"), parent=1, author="x", actor="t")
    _propose(session, case, "s10", TEXT.replace("section 10 of", "section 11 of"), categories=["standards"])
    with pytest.raises(PatchDoesNotApply) as err:
        comparisons.compare_amendments(session, case, 2, ["s10"])
    assert err.value.extra["amendment"] == "s10"
    # A schedule withholds an amendment that others got in the way of, but not one
    # that does not apply to the version at all.
    with pytest.raises(PatchDoesNotApply) as err:
        rendering.keeling_schedule(session, case, 2, ["s10"])
    assert err.value.extra["amendment"] == "s10"


def test_the_consultation_overview_lists_provisions_in_drafting_order(session, repo_root):
    """On the worked case the provisions amendments would insert (2A, 3A, 4A, 6) stand
    among the head's own, in the order a drafter numbers them."""
    from regdraft.files import load
    from regdraft.web.views import overview

    load(session, repo_root, actor="test")
    pressure = overview(session, documents.get_document(session, "children-social-care-delegation")).pressure
    assert [p.provision for p in pressure] == ["reg-1", "reg-2a", "reg-3", "reg-3-a", "reg-3a", "reg-4", "reg-4a",
                                               "reg-5", "reg-6"]


SENTENCE = "Functions under Part 1 of the Act are not relevant care functions.\n"
ENGLAND = TEXT.replace(SENTENCE, SENTENCE.replace("functions.", "functions in England."))
EXCLUSION = TEXT.replace(SENTENCE, SENTENCE + "\n### 5. Exclusions\n\nNone.\n")


def test_amendments_that_change_the_words_the_other_looks_for_conflict(session, case):
    """The hunks of "england" and "exclusion" neither meet nor share a provision, but
    "exclusion" looks for the words "england" changes, and does not apply after it:
    a conflict of kind context. The schedule applies the first and withholds the other,
    saying why."""
    _propose(session, case, "england", ENGLAND, categories=["scoped-pilot"])
    _propose(session, case, "exclusion", EXCLUSION, categories=["standards"])
    _propose(session, case, "scope", TEXT.replace("social services functions", "social work functions"),
             categories=["scoped-pilot"])
    chosen = [A.get_amendment(session, case, s) for s in ("england", "exclusion", "scope")]
    [pair] = A.conflicts(session, case, chosen)
    assert (pair.first, pair.second, pair.kind) == ("england", "exclusion", "context")
    assert [pid for pid, _ in pair.provisions] == ["reg-4", "reg-5"]
    schedule = rendering.keeling_schedule(session, case, 1, ["england", "exclusion", "scope"])
    assert schedule.applied == ("england", "scope") and schedule.withheld == ("exclusion",)
    [notice] = schedule.keeling.conflicts
    assert notice.message.startswith("Conflict: amendment “exclusion” does not apply after “england”, ")
    assert notice.provision == END_OF_TEXT  # it appends a regulation


def test_keeling_withholds_an_amendment_that_no_longer_applies_after_those_before_it(session, case):
    """Against different versions, amendments are compared by provision only, and
    "england" (against version 2) and "exclusion" (against version 1) change different
    ones: no conflict is found. On version 2 "exclusion" applies alone but not after
    "england": the schedule applies "england", withholds "exclusion" and says why where
    it would have acted; the set is not an error."""
    tidy = _propose(session, case, "tidy", TEXT.replace("Example Regulations.", "Example Regulations 2014."))
    A.accept(session, tidy, actor="reviewer")
    version_2 = documents.get_version(session, case, 2).text
    _propose(session, case, "england", version_2.replace(SENTENCE, SENTENCE.replace("functions.", "functions in England.")),
             base=2, categories=["scoped-pilot"])
    _propose(session, case, "exclusion", EXCLUSION, categories=["standards"])
    assert A.conflicts(session, case, [A.get_amendment(session, case, s) for s in ("england", "exclusion")]) == []
    with pytest.raises(PatchDoesNotApply):
        comparisons.compare_amendments(session, case, 2, ["england", "exclusion"])
    schedule = rendering.keeling_schedule(session, case, 2, ["england", "exclusion"])
    assert schedule.applied == ("england",) and schedule.withheld == ("exclusion",)
    assert [c.source for c in schedule.keeling.changes] == ["england"]
    [notice] = schedule.keeling.conflicts
    assert notice.message.startswith("Conflict: amendment “exclusion” does not apply after “england”, ")
    assert notice.provision == END_OF_TEXT  # it appends a regulation
    # The other way round, "england" finds its words after "exclusion": both apply.
    other_way = rendering.keeling_schedule(session, case, 2, ["exclusion", "england"])
    assert other_way.applied == ("exclusion", "england") and other_way.withheld == ()
