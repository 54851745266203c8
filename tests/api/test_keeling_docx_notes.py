"""A Keeling schedule's Word file carries each amendment's note as a comment: by the
proposer, dated by the proposal, quoting the responses cited; the redline's name the
amendment and its proposer."""

from __future__ import annotations

from regdraft.formats.read.tracked_changes import read_tracked_changes


def test_the_keeling_schedule_docx_notes_each_amendment_with_its_citations(example, profit_ban):
    r = example.client.get(example.url("/versions/1/keeling.docx"))
    assert r.status_code == 200, r.text
    tracked = read_tracked_changes(r.content)
    (note,) = tracked.notes
    assert note.author == "Association of Directors of Children's Services"
    assert note.date[:19] == profit_ban["created_at"][:19] and note.date.endswith("Z")
    assert note.text.startswith("Amendment profit-ban: Amendment profit-ban")
    assert "“a profit motive has no place in the delivery of children's social care”" in note.text
    assert tracked.comments == ()


def test_the_redline_docx_names_the_amendment_and_its_proposer(example, profit_ban):
    r = example.client.get(example.url("/amendments/profit-ban/redline.docx"))
    assert r.status_code == 200, r.text
    (note,) = read_tracked_changes(r.content).notes
    assert note.author == "Association of Directors of Children's Services"
    assert note.text.splitlines()[0] == "Amendment profit-ban: Amendment profit-ban"
