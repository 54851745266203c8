"""The file formats of docs/files.md: parse -> serialise round trips, and every problem
reported as ``path:line: problem`` at the right line."""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path

import pytest

from regdraft.core.errors import InvalidFile
from regdraft.core.patching import make_patch
from regdraft.core.text import content_hash
from regdraft.files import read_tree
from regdraft.files.formats import (AmendmentFile, CitationEntry, DocumentFile, ResponseFile, StakeholderEntry,
                                    VersionEntry, parse_amendment, parse_document, parse_response, parse_version,
                                    serialise_amendment, serialise_document, serialise_response)

DOC = "drafts/example/document.yaml"
RESP = "drafts/example/responses/adcs.md"
AMEND = "amendments/example/profit-ban.md"

V1 = ("# Example Regulations\n\n### 1. Citation\n\nThese Regulations may be cited as the Example Regulations.\n\n"
      "### 3. Functions\n\nThe following functions are relevant care functions.\n")
V2 = V1 + "\n### 4. Bodies carried on for profit\n\nA body carried on for profit may not be a party.\n"
H1, H2 = content_hash(V1), content_hash(V2)
PATCH = make_patch(V1, V2)
RESPONSE_TEXT = ("ADCS says child protection services “should not be predicated on a profit motive”.\n\n"
                 "Councils must remain accountable.\n")

DOCUMENT_YAML = f"""\
slug: example
title: 'The Example Regulations 2014: a test'
description: One paragraph.
notice: ''
stakeholders:
- slug: adcs
  name: Association of Directors of Children's Services
  kind: professional body
- slug: ncb
  name: National Children's Bureau
  kind: ''
versions:
- number: 1
  parent: null
  author: Department for Education
  message: Consultation draft
  created: '2014-04-17T00:00:00Z'
  content_hash: {H1}
  produced_by: null
- number: 2
  parent: 1
  author: Department for Education
  message: Profit ban
  created: '2014-06-01T12:30:00Z'
  content_hash: {H2}
  produced_by: profit-ban
"""

RESPONSE_MD = """\
---
slug: adcs
stakeholder: adcs
title: ADCS response to the consultation
source: Community Care, 5 June 2014
url: https://example.org/adcs
date: '2014-06-05'
stance: Opposed to a profit motive
provenance: Verbatim passages of a press report.
---
""" + RESPONSE_TEXT

AMENDMENT_MD = f"""\
---
slug: profit-ban
title: Bar bodies carried on for profit
proposer: adcs
categories:
- profit-ban
- accountability
status: accepted
base_version: 1
base_hash: {H1}
created: '2014-05-30T00:00:00Z'
citations:
- response: adcs
  quote: should not be predicated on a profit motive
---
## Rationale

Child protection must not be run for profit.

Councils stay accountable.

## Patch

```diff-match-patch
{PATCH}```
"""


def error(excinfo) -> str:
    return str(excinfo.value)


# --------------------------------------------------------------------------------------
# Round trips
# --------------------------------------------------------------------------------------

def test_document_round_trip():
    document = parse_document(DOC, DOCUMENT_YAML.encode(), expected_slug="example")
    assert document == DocumentFile(
        slug="example", title="The Example Regulations 2014: a test", description="One paragraph.", notice="",
        stakeholders=[StakeholderEntry("adcs", "Association of Directors of Children's Services", "professional body"),
                      StakeholderEntry("ncb", "National Children's Bureau", "")],
        versions=[VersionEntry(1, None, "Department for Education", "Consultation draft",
                               datetime(2014, 4, 17, tzinfo=timezone.utc), H1, None),
                  VersionEntry(2, 1, "Department for Education", "Profit ban",
                               datetime(2014, 6, 1, 12, 30, tzinfo=timezone.utc), H2, "profit-ban")])
    assert serialise_document(document) == DOCUMENT_YAML


def test_response_round_trip():
    response = parse_response(RESP, RESPONSE_MD.encode(), expected_slug="adcs")
    assert (response.slug, response.stakeholder, response.date, response.text) == \
        ("adcs", "adcs", "2014-06-05", RESPONSE_TEXT)
    assert response.url == "https://example.org/adcs"
    assert serialise_response(response) == RESPONSE_MD


def test_amendment_round_trip():
    amendment = parse_amendment(AMEND, AMENDMENT_MD.encode(), expected_slug="profit-ban")
    assert amendment.categories == ["profit-ban", "accountability"]
    assert amendment.citations == [CitationEntry("adcs", "should not be predicated on a profit motive")]
    assert amendment.rationale == "Child protection must not be run for profit.\n\nCouncils stay accountable."
    assert amendment.patch_text == PATCH
    assert amendment.created == datetime(2014, 5, 30, tzinfo=timezone.utc)
    assert amendment.lines.of("citations", 0, "quote") == 14
    assert amendment.lines.of("patch") == 25
    assert serialise_amendment(amendment) == AMENDMENT_MD


def test_amendment_with_empty_rationale_and_no_citations_round_trips():
    amendment = AmendmentFile(slug="x", title="X", proposer="adcs", categories=["standards"], status="draft",
                              base_version=1, base_hash=H1, created=datetime(2014, 1, 2, 3, 4, 5, tzinfo=timezone.utc),
                              patch_text=PATCH, rationale="", citations=[])
    text = serialise_amendment(amendment)
    assert "citations: []\n---\n## Rationale\n\n\n\n## Patch\n\n```diff-match-patch\n" in text
    assert parse_amendment("amendments/d/x.md", text) == amendment


def test_unicode_and_awkward_strings_round_trip():
    response = ResponseFile(slug="r", stakeholder="s", title="“Quoted”: yes — 'no' # not a comment",
                            text="Ünïcödé text.\n", source="null", url="", date="2014", stance="true",
                            provenance="line one\nline two")
    assert parse_response("r.md", serialise_response(response).encode()) == response


def test_yaml_variants_mean_the_same_document():
    flowing = DOCUMENT_YAML.replace("notice: ''", "notice: ''  # none").replace(
        "created: '2014-04-17T00:00:00Z'", "created: 2014-04-17T00:00:00Z")
    assert parse_document(DOC, flowing) == parse_document(DOC, DOCUMENT_YAML)


def test_version_text_must_be_normalised():
    assert parse_version("drafts/example/versions/0001.md", V1.encode()) == V1
    with pytest.raises(InvalidFile) as err:
        parse_version("drafts/example/versions/0001.md", V1.replace("Citation\n", "Citation  \n").encode())
    assert error(err) == "drafts/example/versions/0001.md:3: the text is not normalised: trailing spaces or tabs"
    with pytest.raises(InvalidFile) as err:
        parse_version("v.md", (V1 + "\n").encode())
    assert error(err) == "v.md:10: the text ends with blank lines: end it with exactly one newline"
    with pytest.raises(InvalidFile) as err:
        parse_version("v.md", V1.rstrip("\n").encode())
    assert error(err) == "v.md:9: the text must end with a newline"
    with pytest.raises(InvalidFile, match=r"^v\.md:9: duplicate provision 'regulation 3': lines 7 and 9$"):
        parse_version("v.md", "# T\n\n### 1. A\n\nx\n\n### 3. B\n\n### 3. C\n")


# --------------------------------------------------------------------------------------
# Errors: path, line, message
# --------------------------------------------------------------------------------------

def test_missing_key_points_at_the_front_matter_start():
    with pytest.raises(InvalidFile) as err:
        parse_response(RESP, RESPONSE_MD.replace("url: https://example.org/adcs\n", ""))
    assert error(err) == f"{RESP}:1: missing key 'url' in the front matter"
    assert err.value.extra == {"path": RESP, "line": 1, "problem": "missing key 'url' in the front matter"}


def test_missing_key_in_a_list_item_points_at_the_item():
    with pytest.raises(InvalidFile) as err:
        parse_document(DOC, DOCUMENT_YAML.replace("  message: Profit ban\n", ""))
    assert error(err) == f"{DOC}:20: version 2: missing key 'message' in a version"
    with pytest.raises(InvalidFile) as err:
        parse_amendment(AMEND, AMENDMENT_MD.replace("  quote: should not be predicated on a profit motive\n", ""))
    assert error(err) == f"{AMEND}:13: citation 1: missing key 'quote' in a citation"


def test_a_version_may_leave_its_content_hash_out():
    document = parse_document(DOC, DOCUMENT_YAML.replace("  content_hash: " + H2 + "\n", ""))
    assert [v.content_hash for v in document.versions] == [H1, None]  # the loader computes it


def test_missing_key_of_document_yaml_points_at_line_1():
    with pytest.raises(InvalidFile) as err:
        parse_document(DOC, DOCUMENT_YAML.replace("notice: ''\n", ""))
    assert error(err) == f"{DOC}:1: missing key 'notice' in the document"


def test_unknown_key():
    with pytest.raises(InvalidFile) as err:
        parse_amendment(AMEND, AMENDMENT_MD.replace("status: accepted\n", "status: accepted\nstatsu: draft\n"))
    assert error(err) == (f"{AMEND}:9: unknown key 'statsu' in the front matter (the keys are: slug, title, "
                          "proposer, categories, status, base_version, base_hash, created, citations, decision, falls_if)")
    with pytest.raises(InvalidFile) as err:
        parse_document(DOC, DOCUMENT_YAML.replace("  kind: ''\n", "  kind: ''\n  email: x@example.org\n"))
    assert error(err).startswith(f"{DOC}:12: stakeholder 2: unknown key 'email' in a stakeholder")


def test_duplicate_key():
    with pytest.raises(InvalidFile) as err:
        parse_response(RESP, RESPONSE_MD.replace("date: '2014-06-05'\n", "date: '2014-06-05'\ntitle: again\n"))
    assert error(err) == f"{RESP}:8: key 'title' appears twice"


def test_bad_yaml_gives_the_mark_line():
    with pytest.raises(InvalidFile) as err:
        parse_amendment(AMEND, AMENDMENT_MD.replace("title: Bar bodies carried on for profit",
                                                    "title: [Bar bodies"))
    assert error(err).startswith(f"{AMEND}:4: invalid YAML: ")
    with pytest.raises(InvalidFile) as err:
        parse_document(DOC, DOCUMENT_YAML.replace("  kind: professional body", "  kind: professional: body"))
    assert error(err) == f"{DOC}:8: invalid YAML: mapping values are not allowed here"


def test_aliases_are_refused():
    with pytest.raises(InvalidFile) as err:
        parse_response(RESP, RESPONSE_MD.replace("source: Community Care, 5 June 2014", "source: &s x")
                       .replace("stance: Opposed to a profit motive", "stance: *s"))
    assert error(err) == f"{RESP}:5: YAML anchors and aliases are not allowed"


def test_wrong_types():
    with pytest.raises(InvalidFile) as err:
        parse_document(DOC, DOCUMENT_YAML.replace("- number: 2", "- number: '2'"))
    assert error(err) == f"{DOC}:20: version 2: number must be a whole number, not a string"
    with pytest.raises(InvalidFile) as err:
        parse_response(RESP, RESPONSE_MD.replace("title: ADCS response to the consultation", "title: 2014"))
    assert error(err) == f"{RESP}:4: title must be a string, not a number"
    with pytest.raises(InvalidFile) as err:
        parse_amendment(AMEND, AMENDMENT_MD.replace("categories:\n- profit-ban\n- accountability\n",
                                                    "categories: profit-ban\n"))
    assert error(err) == f"{AMEND}:5: categories must be a list, not a string"


def test_bad_slug():
    with pytest.raises(InvalidFile) as err:
        parse_amendment(AMEND, AMENDMENT_MD.replace("proposer: adcs", "proposer: ADCS"))
    assert error(err) == (f"{AMEND}:4: proposer 'ADCS' is not a slug: use 1-80 lower-case letters, digits and "
                          "single hyphens")
    with pytest.raises(InvalidFile) as err:
        parse_document(DOC, DOCUMENT_YAML.replace("- slug: ncb", "- slug: n--cb"))
    assert error(err).startswith(f"{DOC}:9: stakeholder 2: slug 'n--cb' is not a slug")


def test_slug_must_match_the_file_name():
    with pytest.raises(InvalidFile) as err:
        parse_amendment("amendments/example/other.md", AMENDMENT_MD, expected_slug="other")
    assert error(err) == "amendments/example/other.md:2: slug 'profit-ban' does not match the file name 'other'"
    with pytest.raises(InvalidFile) as err:
        parse_document("drafts/else/document.yaml", DOCUMENT_YAML, expected_slug="else")
    assert error(err) == "drafts/else/document.yaml:1: slug 'example' does not match the folder name 'else'"


def test_bad_time():
    with pytest.raises(InvalidFile) as err:
        parse_amendment(AMEND, AMENDMENT_MD.replace("'2014-05-30T00:00:00Z'", "'2014-05-30 00:00'"))
    assert error(err) == (f"{AMEND}:11: created '2014-05-30 00:00' is not a time in the form "
                          "YYYY-MM-DDTHH:MM:SSZ (for example '2014-04-17T00:00:00Z')")
    with pytest.raises(InvalidFile) as err:  # the right shape but not a real time
        parse_document(DOC, DOCUMENT_YAML.replace("2014-06-01T12:30:00Z", "2014-02-30T12:30:00Z"))
    assert error(err).startswith(f"{DOC}:24: version 2: created '2014-02-30T12:30:00Z' is not a time")


def test_bad_hash_status_category_and_numbering():
    with pytest.raises(InvalidFile, match=rf"^{AMEND}:10: base_hash 'abc' is not a SHA-256 hash"):
        parse_amendment(AMEND, AMENDMENT_MD.replace(H1, "abc"))
    with pytest.raises(InvalidFile, match=rf"^{AMEND}:8: status 'approved' is not one of: draft, proposed"):
        parse_amendment(AMEND, AMENDMENT_MD.replace("status: accepted", "status: approved"))
    with pytest.raises(InvalidFile,
                       match=rf"^{AMEND}:7: category 2: 'Profits' is not a category: use 1-32 lower-case"):
        parse_amendment(AMEND, AMENDMENT_MD.replace("- accountability", "- Profits"))
    with pytest.raises(InvalidFile, match=rf"^{AMEND}:7: category 2: 'profit-ban' is repeated"):
        parse_amendment(AMEND, AMENDMENT_MD.replace("- accountability", "- profit-ban"))
    with pytest.raises(InvalidFile) as err:
        parse_document(DOC, DOCUMENT_YAML.replace("- number: 2\n  parent: 1", "- number: 3\n  parent: 2"))
    assert error(err) == (f"{DOC}:20: version 2: number 3 is out of sequence: versions are numbered 1, 2, 3... "
                          "with no gaps, so this one is 2")
    with pytest.raises(InvalidFile) as err:
        parse_document(DOC, DOCUMENT_YAML.replace("  parent: 1", "  parent: null"))
    assert error(err) == f"{DOC}:21: version 2: parent must be 1, not null"


def test_patch_block_missing():
    text = AMENDMENT_MD[:AMENDMENT_MD.index("\n## Patch")] + "\n"
    with pytest.raises(InvalidFile) as err:
        parse_amendment(AMEND, text)
    assert error(err).startswith(f"{AMEND}:20: patch block missing: an amendment file is: the front matter")


def test_patch_block_layout_problems():
    with pytest.raises(InvalidFile) as err:  # fence without its heading
        parse_amendment(AMEND, AMENDMENT_MD.replace("## Patch\n\n", ""))
    assert error(err).startswith(f"{AMEND}:22: the patch block needs a '## Patch' heading before it")
    with pytest.raises(InvalidFile) as err:  # no blank line after the heading
        parse_amendment(AMEND, AMENDMENT_MD.replace("## Patch\n\n", "## Patch\n"))
    assert error(err).startswith(f"{AMEND}:22: the patch block is not laid out as expected")
    with pytest.raises(InvalidFile) as err:
        parse_amendment(AMEND, AMENDMENT_MD[:-4])
    assert error(err) == f"{AMEND}:{24 + PATCH.count(chr(10))}: the ```diff-match-patch block is not closed: " \
                         "end it with a line '```'"
    with pytest.raises(InvalidFile) as err:
        parse_amendment(AMEND, AMENDMENT_MD + "\nMore words.\n")
    assert error(err) == (f"{AMEND}:{26 + PATCH.count(chr(10))}: unexpected text after the patch block: "
                          "the file must end with the closing '```'")
    with pytest.raises(InvalidFile) as err:
        parse_amendment(AMEND, AMENDMENT_MD.replace("---\n## Rationale", "---\n\n## Rationale"))
    assert error(err).startswith(f"{AMEND}:16: expected '## Rationale' right after the closing '---'")
    with pytest.raises(InvalidFile) as err:
        parse_amendment(AMEND, AMENDMENT_MD.replace("## Rationale\n\n", "## Rationale\n\n\n"))
    assert error(err) == f"{AMEND}:18: the rationale must not start or end with blank lines or spaces"


def test_bad_patch_text_gives_the_patch_line():
    with pytest.raises(InvalidFile) as err:
        parse_amendment(AMEND, AMENDMENT_MD.replace(PATCH, PATCH + "garbage\n"))
    line = 25 + PATCH.count("\n")
    assert error(err).startswith(f"{AMEND}:{line}: patch line {PATCH.count(chr(10)) + 1}: expected a hunk header")
    with pytest.raises(InvalidFile) as err:  # readable, but not as patch_toText writes it
        parse_amendment(AMEND, AMENDMENT_MD.replace("%0A", "%0a", 1))
    assert "patch text is not in canonical form" in error(err)
    assert err.value.extra["line"] >= 25


def test_front_matter_must_open_and_close():
    with pytest.raises(InvalidFile) as err:
        parse_response(RESP, "slug: adcs\n" + RESPONSE_MD)
    assert error(err) == f"{RESP}:1: expected YAML front matter: the file must start with a line '---'"
    with pytest.raises(InvalidFile) as err:
        parse_response(RESP, RESPONSE_MD.replace("---\nADCS", "ADCS"))
    assert error(err) == f"{RESP}:1: the front matter is not closed: no '---' line after it"
    with pytest.raises(InvalidFile) as err:
        parse_response(RESP, "---\n---\ntext\n")
    assert error(err).startswith(f"{RESP}:1: the front matter is empty")


def test_response_text_must_be_normalised():
    with pytest.raises(InvalidFile) as err:
        parse_response(RESP, RESPONSE_MD.replace("---\nADCS", "---\n\nADCS"))
    assert error(err) == f"{RESP}:11: the response text starts with a blank line"
    with pytest.raises(InvalidFile) as err:
        parse_response(RESP, RESPONSE_MD.replace("motive”.", "motive”. "))
    assert error(err) == f"{RESP}:11: the response text is not normalised: trailing spaces or tabs"
    with pytest.raises(InvalidFile) as err:
        parse_response(RESP, RESPONSE_MD.split("---\nADCS")[0] + "---\n")
    assert error(err) == f"{RESP}:11: the response text is empty"


def test_nul_byte():
    data = AMENDMENT_MD.replace("Councils stay", "Councils\x00 stay").encode()
    with pytest.raises(InvalidFile) as err:
        parse_amendment(AMEND, data)
    assert error(err) == f"{AMEND}:20: contains a NUL byte"


def test_nul_byte_before_invalid_utf8_is_reported_first():
    data = b"slug: x\n\x00\n\xff\n"
    with pytest.raises(InvalidFile) as err:
        parse_document(DOC, data)
    assert error(err) == f"{DOC}:2: contains a NUL byte"


def test_invalid_utf8():
    data = RESPONSE_MD.encode().replace(b"Councils", b"Counc\xe9ils")
    with pytest.raises(InvalidFile) as err:
        parse_response(RESP, data)
    offset = data.index(b"\xe9")
    assert error(err) == f"{RESP}:13: not valid UTF-8: byte b'\\xe9' at offset {offset}"


def test_control_characters_bom_and_crlf():
    with pytest.raises(InvalidFile) as err:
        parse_document(DOC, DOCUMENT_YAML.replace("One paragraph.", "One\x07 paragraph."))
    assert error(err) == f"{DOC}:3: contains control character U+0007"
    with pytest.raises(InvalidFile) as err:
        parse_document(DOC, "\ufeff" + DOCUMENT_YAML)
    assert error(err) == f"{DOC}:1: starts with a byte order mark: save the file as UTF-8 without a BOM"
    with pytest.raises(InvalidFile) as err:
        parse_response(RESP, RESPONSE_MD.replace("\n", "\r\n"))
    assert error(err) == f"{RESP}:1: contains a carriage return (CRLF line ending?): use \\n line endings"
    with pytest.raises(InvalidFile) as err:  # a C1 control character, which YAML itself refuses
        parse_response(RESP, RESPONSE_MD.replace("source: Community", "source: \x85\x80Community"))
    assert error(err) == f"{RESP}:5: invalid YAML: character U+0080 is not allowed"
    with pytest.raises(InvalidFile) as err:  # an escaped control character inside a YAML string
        parse_response(RESP, RESPONSE_MD.replace("stance: Opposed to a profit motive", 'stance: "a\\0b"'))
    assert error(err) == f"{RESP}:8: stance contains the character U+0000, which a text may not hold"


# --------------------------------------------------------------------------------------
# Names and paths (reading a tree never touches a database)
# --------------------------------------------------------------------------------------

def _write_tree(root: Path) -> None:
    folder = root / "drafts" / "example"
    (folder / "versions").mkdir(parents=True)
    (folder / "responses").mkdir()
    (folder / "document.yaml").write_text(DOCUMENT_YAML)
    (folder / "versions" / "0001.md").write_text(V1)
    (folder / "versions" / "0002.md").write_text(V2)
    (folder / "responses" / "adcs.md").write_text(RESPONSE_MD)
    (root / "amendments" / "example").mkdir(parents=True)
    (root / "amendments" / "example" / "profit-ban.md").write_text(AMENDMENT_MD)


def test_a_valid_tree_reads(tmp_path):
    _write_tree(tmp_path)
    tree = read_tree(tmp_path)
    assert [d.slug for d in tree.documents] == ["example"]
    assert sorted(tree.files()) == sorted([DOC, "drafts/example/versions/0001.md", "drafts/example/versions/0002.md",
                                          RESP, AMEND])


def test_non_slug_file_names_are_refused(tmp_path):
    _write_tree(tmp_path)
    (tmp_path / "drafts" / "example" / "responses" / "ADCS Response.md").write_text(RESPONSE_MD)
    with pytest.raises(InvalidFile) as err:
        read_tree(tmp_path)
    assert error(err) == ("drafts/example/responses/ADCS Response.md: name 'ADCS Response.md' is not a slug followed "
                          "by .md: use 1-80 lower-case letters, digits and single hyphens")


def test_non_slug_folders_and_stray_files_are_refused(tmp_path):
    _write_tree(tmp_path)
    (tmp_path / "amendments" / "Example_2").mkdir()
    with pytest.raises(InvalidFile, match=r"^amendments/Example_2: name 'Example_2' is not a slug: "):
        read_tree(tmp_path)
    (tmp_path / "amendments" / "Example_2").rmdir()
    (tmp_path / "amendments" / "example" / "notes.txt").write_text("x")
    with pytest.raises(InvalidFile, match=r"^amendments/example/notes\.txt: unexpected file"):
        read_tree(tmp_path)
    (tmp_path / "amendments" / "example" / "notes.txt").unlink()
    (tmp_path / "drafts" / "example" / "versions" / "1.md").write_text(V1)
    with pytest.raises(InvalidFile, match=r"^drafts/example/versions/1\.md: unexpected file"):
        read_tree(tmp_path)


def test_unexpected_entries_of_a_document_folder_are_refused(tmp_path):
    _write_tree(tmp_path)
    (tmp_path / "drafts" / "example" / "response").mkdir()
    with pytest.raises(InvalidFile) as err:
        read_tree(tmp_path)
    assert error(err) == ("drafts/example/response: unexpected file: a document folder holds document.yaml, "
                          "versions/, sources/ and responses/ only")
    (tmp_path / "drafts" / "example" / "response").rmdir()
    (tmp_path / "drafts" / "example" / "versions" / "0003.md").write_text(V2)
    with pytest.raises(InvalidFile) as err:
        read_tree(tmp_path)
    assert error(err) == f"drafts/example/versions/0003.md: version 3 is not listed in {DOC} (it lists 2)"
    (tmp_path / "drafts" / "example" / "versions" / "0003.md").unlink()
    (tmp_path / "drafts" / "example" / "versions" / "0002.md").unlink()
    with pytest.raises(InvalidFile) as err:
        read_tree(tmp_path)
    assert error(err) == f"{DOC}:20: version 2: its text drafts/example/versions/0002.md is missing"


def test_an_empty_root_is_refused(tmp_path):
    with pytest.raises(InvalidFile, match=r"^drafts: no drafts/ folder under .*: nothing to load$"):
        read_tree(tmp_path)


def test_hidden_files_are_ignored(tmp_path):
    _write_tree(tmp_path)
    (tmp_path / "amendments" / "example" / ".gitkeep").write_text("")
    assert len(read_tree(tmp_path).files()) == 5


def test_symlinks_out_of_the_root_are_not_followed(tmp_path):
    root, outside = tmp_path / "root", tmp_path / "outside"
    _write_tree(root)
    outside.mkdir()
    (outside / "secret.md").write_text(RESPONSE_MD.replace("slug: adcs", "slug: secret"))
    os.symlink(outside / "secret.md", root / "drafts" / "example" / "responses" / "secret.md")
    with pytest.raises(InvalidFile) as err:
        read_tree(root)
    assert error(err) == ("drafts/example/responses/secret.md: is a symbolic link that leads outside the root; "
                          "refusing to follow it")


def test_symlinks_inside_the_root_are_followed(tmp_path):
    _write_tree(tmp_path)
    target = tmp_path / "amendments" / "example" / "profit-ban.md"
    os.symlink(target, tmp_path / "amendments" / "example" / "ban.md")
    with pytest.raises(InvalidFile, match="slug 'profit-ban' does not match the file name 'ban'"):
        read_tree(tmp_path)  # read, and checked like any other file


def test_amendments_without_a_drafts_folder(tmp_path):
    _write_tree(tmp_path)
    (tmp_path / "amendments" / "other").mkdir()
    with pytest.raises(InvalidFile) as err:
        read_tree(tmp_path)
    assert error(err) == "amendments/other: there is no drafts/other/ folder for these amendments"


def test_cross_file_checks(tmp_path):
    _write_tree(tmp_path)
    amendment = tmp_path / "amendments" / "example" / "profit-ban.md"
    amendment.write_text(AMENDMENT_MD.replace(f"base_hash: {H1}", f"base_hash: {H2}"))
    with pytest.raises(InvalidFile) as err:
        read_tree(tmp_path)
    assert error(err) == f"{AMEND}:10: base_hash does not match version 1, whose hash is {H1}"
    amendment.write_text(AMENDMENT_MD.replace("quote: should not be predicated on a profit motive",
                                              "quote: profit is fine"))
    with pytest.raises(InvalidFile) as err:
        read_tree(tmp_path)
    assert error(err) == f"{AMEND}:14: citation 1: quote not found in response 'adcs'"
    amendment.write_text(AMENDMENT_MD.replace("status: accepted", "status: proposed"))
    with pytest.raises(InvalidFile) as err:
        read_tree(tmp_path)
    assert error(err) == (f"{DOC}:26: version 2: produced_by names amendment 'profit-ban', which is proposed, "
                          "not accepted")
    amendment.write_text(AMENDMENT_MD)
    (tmp_path / "drafts" / "example" / "versions" / "0002.md").write_text(V2.replace("party", "partner"))
    with pytest.raises(InvalidFile) as err:
        read_tree(tmp_path)
    assert error(err) == (f"{DOC}:25: version 2: content_hash does not match versions/0002.md, whose hash is "
                          f"{content_hash(V2.replace('party', 'partner'))}")
