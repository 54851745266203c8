"""Diffs over HTTP: between versions, and a version against amendments."""

from __future__ import annotations

import hashlib

from regdraft.api.schemas import DiffPublic

from .support import INTERPRETATION_TEXT, PROFIT_BAN_TEXT, V1, V2, problem


def _rebuild(changes: list[dict]) -> tuple[str, str]:
    old = "".join(op["text"] for g in changes for op in g["ops"] if op["op"] != "insert")
    new = "".join(op["text"] for g in changes for op in g["ops"] if op["op"] != "delete")
    return old, new


def test_diff_json_rebuilds_both_texts(example):
    r = example.client.get(example.url("/diff"), params={"from": 1, "to": 2, "unchanged": True})
    assert r.status_code == 200
    body = r.json()
    assert body["old"] == {"name": f"{example.doc}@1", "hash": hashlib.sha256(V1.encode()).hexdigest()}
    assert body["new"] == {"name": f"{example.doc}@2", "hash": hashlib.sha256(V2.encode()).hexdigest()}
    assert _rebuild(body["changes"]) == (V1, V2)
    assert {g["status"] for g in body["changes"]} == {"changed", "unchanged"}


def test_diff_json_lists_changed_provisions(example):
    body = example.client.get(example.url("/diff"), params={"from": 1, "to": 2}).json()
    assert [(g["provision"], g["label"], g["status"]) for g in body["changes"]] == [
        ("reg-1", "regulation 1", "changed")]
    ops = body["changes"][0]["ops"]
    assert {"op": "insert", "text": "(Relevant Care Functions) (England) "} in ops or any(
        op["op"] == "insert" and "Relevant Care Functions" in op["text"] for op in ops)
    assert body["stats"]["changed"] == 1 and body["stats"]["added"] == 0 and body["stats"]["removed"] == 0
    assert body["stats"]["inserted_words"] > 0


def test_diff_unified_is_text(example):
    r = example.client.get(example.url("/diff"), params={"from": 1, "to": 2, "format": "unified"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain")
    assert r.text.startswith(f"--- {example.doc}@1\n+++ {example.doc}@2\n")
    assert "@@" in r.text and "regulation 1" in r.text
    assert "+These Regulations may be cited as the Example (Relevant Care Functions)" in r.text


def test_diff_errors(example):
    body = problem(example.client.get(example.url("/diff"), params={"from": 1, "to": 5}), 404, "not-found")
    assert body["version"] == 5
    body = problem(example.client.get(example.url("/diff"), params={"from": 1}), 422, "validation-error")
    assert body["errors"][0]["loc"] == ["query", "to"]
    body = problem(example.client.get(example.url("/diff"), params={"from": 1, "to": 2, "format": "html"}), 422,
                   "validation-error")
    assert body["errors"][0]["loc"] == ["query", "format"]


def test_version_against_amendments(example, profit_ban):
    assert example.propose("interpretation", INTERPRETATION_TEXT, categories=["standards"]).status_code == 201
    r = example.client.get(example.url("/versions/1/diff"), params={"amendments": "interpretation,profit-ban",
                                                                   "unchanged": "true"})
    assert r.status_code == 200, r.text
    body = r.json()
    expected = PROFIT_BAN_TEXT.replace('"the Act" means', '"the 2008 Act" means')
    assert body["new"]["name"] == f"{example.doc}@1+interpretation+profit-ban"
    assert body["new"]["hash"] == hashlib.sha256(expected.encode()).hexdigest()
    assert _rebuild(body["changes"]) == (V1, expected)
    changed = [g["provision"] for g in body["changes"] if g["status"] != "unchanged"]
    assert changed == ["reg-2", "reg-3-2"]

    unified = example.client.get(example.url("/versions/1/diff"),
                                 params={"amendments": "profit-ban", "format": "unified"})
    assert unified.headers["content-type"].startswith("text/plain")
    assert "+(2) A local authority may delegate a relevant care function to a body that is not-for-profit." in \
        unified.text


def test_version_against_amendments_errors(example, profit_ban):
    url = example.url("/versions/1/diff")
    body = problem(example.client.get(url, params={"amendments": "profit-ban,nope"}), 404, "not-found")
    assert body["amendment"] == "nope"
    assert problem(example.client.get(url, params={"amendments": ","}), 422, "invalid-input")["field"] == "amendments"
    # Naming profit-ban twice is refused before it is applied at all.
    body = problem(example.client.get(url, params={"amendments": "profit-ban,profit-ban"}), 422, "invalid-input")
    assert body["amendment"] == "profit-ban" and body["field"] == "amendments"


def test_changes_are_attributed(example, profit_ban):
    body = example.client.get(example.url("/versions/1/diff"), params={"amendments": "profit-ban"}).json()
    [group] = body["changes"]
    assert {op.get("amendment") for op in group["ops"] if op["op"] != "equal"} == {"profit-ban"}
    assert all("amendment" not in op for op in group["ops"] if op["op"] == "equal")
    # Between versions: a direct edit is attributed to the version that made it.
    body = example.client.get(example.url("/diff"), params={"from": 1, "to": 2}).json()
    changed = [op for g in body["changes"] for op in g["ops"] if op["op"] != "equal"]
    assert {op["by"]["kind"] for op in changed} == {"version"} and {op["by"]["number"] for op in changed} == {2}
    assert all("amendment" not in op for op in changed)


def test_diff_etag_and_not_modified(example):
    url, params = example.url("/diff"), {"from": 1, "to": 2}
    first = example.client.get(url, params=params)
    tag = first.headers["etag"]
    assert tag.startswith('"') and tag.endswith('"')
    again = example.client.get(url, params=params, headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b""
    unified = example.client.get(url, params={**params, "format": "unified"}, headers={"If-None-Match": tag})
    assert unified.status_code == 200 and unified.headers["etag"] != tag


def test_a_provision_moved_between_versions_is_reported_moved_from_and_to(client):
    """The worked case's regulation 4 moved after regulation 5 (version 3, SI 2014/2407 as
    made): the JSON diff says so on both changes, and the stats count it once."""
    from pathlib import Path

    made = (Path(__file__).resolve().parents[2] / "drafts" / "children-social-care-delegation" / "versions"
            / "0003.md").read_text(encoding="utf-8")
    four, five, signed = made.index("### 4."), made.index("### 5."), made.index("## Signed")
    moved = made[:four] + made[five:signed] + made[four:five] + made[signed:]
    assert client.post("/api/documents", json={"slug": "moves", "title": "Moves"}).status_code == 201
    for text, parent in ((made, None), (moved, 1)):
        assert client.post("/api/documents/moves/versions", json={"text": text, "parent": parent}).status_code == 201
    body = client.get("/api/documents/moves/diff", params={"from": 1, "to": 2}).json()
    relocated = [(g["status"], g.get("moved")) for g in body["changes"]]
    where = {"from": {"provision": "reg-4", "label": "regulation 4"},
             "to": {"provision": "reg-4", "label": "regulation 4"}}
    assert relocated == [("removed", where), ("changed", where)]
    assert body["stats"]["moved"] == 1 and body["stats"]["renumbered"] == 0
    assert _rebuild(body["changes"]) != (made, moved)  # unchanged provisions are left out...
    everything = client.get("/api/documents/moves/diff", params={"from": 1, "to": 2, "unchanged": True}).json()
    assert _rebuild(everything["changes"]) == (made, moved)  # ...and with them both texts are rebuilt


def _check_placed(changes: list[dict], old: str, new: str) -> None:
    """Each change's, op's and segment's ranges slice the texts to its text, and the
    segments of each change rebuild its ops."""
    assert DiffPublic.model_validate({"old": {"name": "", "hash": ""}, "new": {"name": "", "hash": ""},
                                      "stats": {"added": 0, "removed": 0, "changed": 0, "inserted_words": 0,
                                                "deleted_words": 0}, "changes": changes}).model_dump(
        mode="json", exclude_none=True, by_alias=True)["changes"] == changes  # the schema's shape exactly
    for change in changes:
        for piece in change["ops"] + change["segments"]:
            if piece["op"] != "insert":
                assert old[piece["old"]["start"]:piece["old"]["end"]] == piece["text"]
            if piece["op"] != "delete":
                assert new[piece["new"]["start"]:piece["new"]["end"]] == piece["text"]
        for side, skipped in (("old", "insert"), ("new", "delete")):
            text = old if side == "old" else new
            assert text[change[side]["start"]:change[side]["end"]] == "".join(
                op["text"] for op in change["ops"] if op["op"] != skipped)
        assert "".join(s["text"] for s in change["segments"]) == "".join(op["text"] for op in change["ops"])


def test_diff_json_places_each_change_for_a_client_redline(example, profit_ban):
    r = example.client.get(example.url("/versions/1/diff"), params={"amendments": "profit-ban"})
    [change] = r.json()["changes"]
    assert (change["provision"], change["label"], change["kind"]) == ("reg-3-2", "regulation 3(2)", "paragraph")
    _check_placed([change], V1, PROFIT_BAN_TEXT)
    inserted = [s for s in change["segments"] if s["op"] == "insert"]
    assert "".join(s["text"] for s in inserted) == "a body that is not-for-profit"
    assert {s["by"]["slug"] for s in inserted} == {"profit-ban"}
    assert V1[change["old"]["start"]:].startswith("(2) A local authority may delegate")
    # Every provision, unchanged ones too, placed in both texts; the headings' hashes apart.
    body = example.client.get(example.url("/diff"), params={"from": 1, "to": 2, "unchanged": True}).json()
    _check_placed(body["changes"], V1, V2)
    headings = [s for c in body["changes"] for s in c["segments"] if s.get("markup") == "heading"]
    assert [s["text"] for s in headings] == ["# ", "### ", "### ", "### ", "### "]
    assert [s["provision"] for s in headings[1:]] == ["reg-1", "reg-2", "reg-3", "reg-4"]
    assert {c["kind"] for c in body["changes"]} >= {"regulation", "paragraph", "sub-paragraph"}
    items = [s for c in body["changes"] for s in c["segments"] if s.get("markup") == "list"]
    assert [s["provision"] for s in items] == ["reg-3-1-a", "reg-3-1-b"] and {s["text"] for s in items} == {"- "}


def test_a_direct_edit_is_never_taken_for_an_amendment_of_the_same_name(example):
    """Version 2 is a direct edit; an amendment whose slug is "version-2" makes version 3.
    Each change is attributed to what made it, in the JSON and the redline's title."""
    amended = V2.replace("to any person.", "to a body that is not-for-profit.")
    r = example.propose("version-2", amended, base=2)
    assert r.status_code == 201, r.text
    r = example.client.post(example.url("/amendments/version-2/accept"), json={"reason": "Agreed."})
    assert r.status_code == 201 and r.json()["number"] == 3, r.text
    body = example.client.get(example.url("/diff"), params={"from": 1, "to": 3}).json()
    by = {c["provision"]: {tuple(sorted(op["by"].items())) for op in c["ops"] if op["op"] != "equal"}
          for c in body["changes"]}
    assert by == {"reg-1": {(("kind", "version"), ("number", 2))},
                  "reg-3-2": {(("kind", "amendment"), ("slug", "version-2"))}}
    ops = {c["provision"]: [op for op in c["ops"] if op["op"] != "equal"] for c in body["changes"]}
    assert all("amendment" not in op for op in ops["reg-1"])
    assert {op["amendment"] for op in ops["reg-3-2"]} == {"version-2"}
    redline = example.client.get(example.url("/redline.json"), params={"from": 1, "to": 3})
    assert redline.status_code == 200 and redline.json()["changes"] == body["changes"]
    page = example.client.get(example.url("/redline.fragment"), params={"from": 1, "to": 3}).text
    assert 'data-version="2" title="Inserted in regulation 1 by a direct edit of version 2"' in page
    assert 'data-amendment="version-2" title="Inserted in regulation 3(2) by Amendment version-2' in page
    assert page.count("by Amendment version-2") == page.count('data-amendment="version-2"')


def test_a_provision_moved_and_edited_is_reported_moved_with_its_edit(client):
    """Regulation 4 of the worked case moved after regulation 5 with one word changed:
    both changes carry the move, its similarity and its edit (as ops)."""
    from pathlib import Path

    made = (Path(__file__).resolve().parents[2] / "drafts" / "children-social-care-delegation" / "versions"
            / "0003.md").read_text(encoding="utf-8")
    four, five, signed = made.index("### 4."), made.index("### 5."), made.index("## Signed")
    moved = made[:four] + made[five:signed] + made[four:five].replace("section 1 of", "section 2 of") + made[signed:]
    assert client.post("/api/documents", json={"slug": "edited-moves", "title": "Moves"}).status_code == 201
    for text, parent in ((made, None), (moved, 1)):
        assert client.post("/api/documents/edited-moves/versions",
                           json={"text": text, "parent": parent}).status_code == 201
    body = client.get("/api/documents/edited-moves/diff", params={"from": 1, "to": 2}).json()
    moves = [g["moved"] for g in body["changes"]]
    assert len(moves) == 2 and moves[0] == moves[1] and 0.8 <= moves[0]["similarity"] < 1
    assert [(op["op"], op["text"].strip()) for op in moves[0]["edit"] if op["op"] != "equal"] == [
        ("delete", "1"), ("insert", "2")]
    assert body["stats"]["moved"] == 1
