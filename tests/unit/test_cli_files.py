"""The command line in file mode: patch, apply and diff on files, never a database.

Every test runs with ``REGDRAFT_DATABASE_URL`` pointing at a path that must not come
into existence, so a file command that opened the database would be caught.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from diff_match_patch import diff_match_patch
from typer.testing import CliRunner

from regdraft.cli import app

from sample_regulations import EXAMPLE

OLD = EXAMPLE

NEW = (OLD.replace("to any person.", "to a body that is not-for-profit.")
       .replace("before 1st July 2019.", "before 1st July 2019.\n\n### 5. Inspection\n\n"
                "A body to which a function is delegated is subject to inspection by Ofsted.")
       .replace("so far as they relate to children;", "so far as they relate to children and young persons;"))

# Regulation 1 grows by a long sentence: every later hunk must move along to apply.
GROWTH = (" They come into force on the day after the day on which they are made, and apply in relation to "
          "England only, save that regulation 4 applies to the whole of the United Kingdom.")
SHIFTED_OLD = OLD.replace("Example Regulations 2014.", "Example Regulations 2014." + GROWTH)
SHIFTED_NEW = NEW.replace("Example Regulations 2014.", "Example Regulations 2014." + GROWTH)


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.delenv("REGDRAFT_DOCUMENT", raising=False)
    return CliRunner(env={"REGDRAFT_DATABASE_URL": f"sqlite:///{tmp_path / 'never' / 'db.sqlite'}"})


@pytest.fixture(autouse=True)
def _no_database(tmp_path: Path):
    yield
    assert not (tmp_path / "never").exists(), "a file command opened the database"


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def run(runner: CliRunner, *args: str | Path):
    return runner.invoke(app, [str(a) for a in args])


def assert_one_line_error(result, code: int = 2, *, containing: str = "") -> str:
    assert result.exit_code == code, (result.stdout, result.stderr)
    assert result.stdout == ""
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("regdraft: ")
    assert containing in lines[0]
    return lines[0]


# --- patch ------------------------------------------------------------------------------

def test_patch_is_read_by_upstream_and_gives_new_exactly(runner, tmp_path):
    result = run(runner, "patch", write(tmp_path, "old.md", OLD), write(tmp_path, "new.md", NEW))
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.startswith("@@ -")
    dmp = diff_match_patch()
    patches = dmp.patch_fromText(result.stdout)
    assert len(patches) == 3
    patched, applied = dmp.patch_apply(patches, OLD)
    assert patched == NEW
    assert applied == [True, True, True]


def test_patch_normalises_both_files_first(runner, tmp_path):
    messy_old = OLD.replace("\n", "\r\n").replace("Regulations.", "Regulations.   ")
    messy_new = NEW + "\n\n\n"
    result = run(runner, "patch", write(tmp_path, "old.md", messy_old.encode("utf-8-sig")),
                 write(tmp_path, "new.md", messy_new))
    assert result.exit_code == 0, result.stderr
    dmp = diff_match_patch()
    assert dmp.patch_apply(dmp.patch_fromText(result.stdout), OLD)[0] == NEW


def test_patch_of_identical_texts_is_empty(runner, tmp_path):
    result = run(runner, "patch", write(tmp_path, "a.md", OLD), write(tmp_path, "b.md", OLD + "\n"))
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")


# --- apply ------------------------------------------------------------------------------

@pytest.fixture
def patch_file(runner, tmp_path) -> Path:
    result = run(runner, "patch", write(tmp_path, "old.md", OLD), write(tmp_path, "new.md", NEW))
    assert result.exit_code == 0
    return write(tmp_path, "change.patch", result.stdout)


def test_apply_prints_new(runner, tmp_path, patch_file):
    result = run(runner, "apply", patch_file, tmp_path / "old.md")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == NEW
    assert result.stderr == ""


def test_apply_report_on_success_lists_every_hunk_as_exact(runner, tmp_path, patch_file):
    result = run(runner, "apply", patch_file, tmp_path / "old.md", "--report")
    assert result.exit_code == 0
    assert result.stdout == NEW
    lines = result.stderr.splitlines()
    assert [line.split(":")[0] for line in lines] == ["hunk 1", "hunk 2", "hunk 3"]
    assert all(": exact at offset " in line for line in lines)


def test_apply_onto_a_shifted_file_reports_shifted_and_exits_0(runner, tmp_path, patch_file):
    result = run(runner, "apply", patch_file, write(tmp_path, "moved.md", SHIFTED_OLD), "--report")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == SHIFTED_NEW
    lines = result.stderr.splitlines()
    assert len(lines) == 3
    assert all(line.startswith(f"hunk {n}: shifted by +{len(GROWTH)} ") for n, line in enumerate(lines, 1)), lines


def test_apply_that_cannot_apply_exits_1_with_the_report_and_no_text(runner, tmp_path, patch_file):
    # Regulation 3(2) rewritten by someone else: hunk 2 has nothing to hold on to.
    other = OLD.replace("(2) A local authority may delegate a relevant care function to any person.",
                        "(2) Delegation is permitted only with the consent of the Secretary of State.")
    result = run(runner, "apply", patch_file, write(tmp_path, "other.md", other))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert lines[0].startswith("hunk 1: exact at offset ")
    assert lines[1].startswith("hunk 2: failed (expected at offset ")
    assert lines[2].startswith("hunk 3: ")
    assert lines[-1] == "regdraft: patch does not apply to " + str(tmp_path / "other.md") + ": 1 of 3 hunks failed"


def test_apply_partial_prints_the_text_with_the_hunks_that_applied(runner, tmp_path, patch_file):
    other = OLD.replace("to any person.", "to a person approved by the Secretary of State.")
    result = run(runner, "apply", patch_file, write(tmp_path, "other.md", other), "--partial")
    assert result.exit_code == 1
    assert "hunk 2: failed" in result.stderr
    assert "children and young persons;" in result.stdout
    assert "### 5. Inspection" in result.stdout
    assert "approved by the Secretary of State." in result.stdout


# --- diff -------------------------------------------------------------------------------

def test_diff_json_rebuilds_both_texts_and_groups_by_provision(runner, tmp_path):
    old, new = write(tmp_path, "old.md", OLD), write(tmp_path, "new.md", NEW)
    full = json.loads(run(runner, "diff", old, new, "--format", "json", "--unchanged").stdout)
    assert "".join(op["text"] for g in full["changes"] for op in g["ops"] if op["op"] != "insert") == OLD
    assert "".join(op["text"] for g in full["changes"] for op in g["ops"] if op["op"] != "delete") == NEW

    result = run(runner, "diff", old, new, "--format", "json")
    assert result.exit_code == 0
    body = json.loads(result.stdout)
    assert set(body) == {"old", "new", "stats", "changes"}
    assert body["old"]["name"] == str(old) and len(body["old"]["hash"]) == 64
    assert [(c["provision"], c["label"], c["status"]) for c in body["changes"]] == [
        ("reg-3-1-a", "regulation 3(1)(a)", "changed"),
        ("reg-3-2", "regulation 3(2)", "changed"),
        ("reg-5", "regulation 5", "added"),
    ]
    assert {op["op"] for c in body["changes"] for op in c["ops"]} <= {"equal", "insert", "delete"}
    assert body["stats"]["changed"] == 2 and body["stats"]["added"] == 1


def test_diff_unified_labels_hunks_with_provisions(runner, tmp_path):
    result = run(runner, "diff", write(tmp_path, "old.md", OLD), write(tmp_path, "new.md", NEW))
    assert result.exit_code == 0
    headers = [line for line in result.stdout.splitlines() if line.startswith("@@")]
    assert headers and all(h.split("@@")[-1].strip() for h in headers), headers
    assert any(h.endswith(" regulation 3(1)(a)") or h.endswith(" regulation 3(2)") for h in headers), headers
    assert result.stdout.splitlines()[0] == f"--- {tmp_path / 'old.md'}"
    assert "+### 5. Inspection" in result.stdout


_FIXTURES = Path(__file__).parent.parent / "fixtures" / "legislation"
_REAL_TEXTS = [("uksi-2014-2407_as-made.legalize-uk.md", "uk-si"), ("ukpga-2019-24.md", "uk-act"),
               ("eu-32020R0111.md", "eu-act")]


@pytest.mark.parametrize("name, kind", _REAL_TEXTS)
def test_unified_diff_of_two_files_is_the_comparisons(runner, tmp_path, name, kind):
    # Two files' unified diff is made without the provision diff; it must be the text
    # the comparison gives (and the CRLF file is read as its normalised text).
    from regdraft.cli.common import read_text
    from regdraft.services.comparisons import compare_texts

    text = (_FIXTURES / name).read_text(encoding="utf-8")
    lines = text.split("\n")
    edited = "\n".join(line.replace(" the ", " any ", 1) if i % 7 == 3 else line for i, line in enumerate(lines))
    old = write(tmp_path, "old.md", text.replace("\n", "\r\n"))
    new = write(tmp_path, "new.md", edited + "\n\n### 99. Added\n\nWords.\n")
    expected = compare_texts(str(old), read_text(old), str(new), read_text(new), kind).unified()
    assert expected.count("@@") >= 4
    assert run(runner, "diff", "--kind", kind, old, new).stdout == expected
    assert run(runner, "render", "--format", "unified", "--kind", kind, old, new).stdout == expected


def test_texts_said_normalised_are_compared_as_any_text(tmp_path):
    from regdraft.services.comparisons import compare_texts

    said, found = compare_texts("a", OLD, "b", NEW, normalised=True), compare_texts("a", OLD, "b", NEW)
    assert (said.etag, said.as_json(), said.diff) == (found.etag, found.as_json(), found.diff)


def test_diff_of_identical_files_is_empty_and_exits_0(runner, tmp_path):
    result = run(runner, "diff", write(tmp_path, "a.md", OLD), write(tmp_path, "b.md", OLD))
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")


# --- bad input --------------------------------------------------------------------------

@pytest.mark.parametrize("command", ["patch", "diff"])
def test_missing_file(runner, tmp_path, command):
    message = assert_one_line_error(run(runner, command, write(tmp_path, "a.md", OLD), tmp_path / "nope.md"))
    assert "nope.md" in message


def test_missing_file_in_apply(runner, tmp_path, patch_file):
    assert_one_line_error(run(runner, "apply", patch_file, tmp_path / "nope.md"), containing="nope.md: no such file")
    assert_one_line_error(run(runner, "apply", tmp_path / "nope.patch", tmp_path / "old.md"),
                          containing="nope.patch: no such file")


@pytest.mark.parametrize("command", ["patch", "diff"])
def test_invalid_utf8(runner, tmp_path, command):
    bad = write(tmp_path, "bad.md", OLD.encode() + b"\n\xff\xfe Latin-1 \xe9\n")
    assert_one_line_error(run(runner, command, write(tmp_path, "a.md", OLD), bad), containing="not valid UTF-8")


def test_invalid_utf8_in_apply(runner, tmp_path, patch_file):
    bad = write(tmp_path, "bad.md", b"caf\xe9\n")
    assert_one_line_error(run(runner, "apply", patch_file, bad), containing="bad.md:1: not valid UTF-8")


@pytest.mark.parametrize("command", ["patch", "diff"])
def test_nul_byte(runner, tmp_path, command):
    bad = write(tmp_path, "nul.md", OLD.replace("Review", "Re\x00view"))
    message = assert_one_line_error(run(runner, command, bad, write(tmp_path, "b.md", NEW)),
                                    containing="control character U+0000")
    assert "nul.md:" in message


def test_nul_byte_in_apply(runner, tmp_path, patch_file):
    assert_one_line_error(run(runner, "apply", patch_file, write(tmp_path, "nul.md", "a\x00b\n")),
                          containing="U+0000")
    assert_one_line_error(run(runner, "apply", write(tmp_path, "nul.patch", "@@ -1,3 +1,4 @@\n a\x00b\n"),
                              tmp_path / "old.md"), containing="U+0000")


@pytest.mark.parametrize("text", [
    "this is not a patch\n",
    "@@ -1,3 +1,4 @@\n a\n*b\n",
    "@@ -x,3 +1,4 @@\n abc\n",
    "@@ -1,3 +1,4 @@\n%zz\n",
    "",
])
def test_malformed_patch(runner, tmp_path, text):
    write(tmp_path, "old.md", OLD)
    message = assert_one_line_error(run(runner, "apply", write(tmp_path, "bad.patch", text), tmp_path / "old.md"))
    assert "bad.patch: " in message and "patch" in message.split("bad.patch: ", 1)[1]


def test_directory_instead_of_file(runner, tmp_path):
    assert_one_line_error(run(runner, "patch", tmp_path, write(tmp_path, "b.md", NEW)), containing="is a directory")


def test_usage_errors_are_one_line_with_exit_2(runner, tmp_path):
    assert_one_line_error(run(runner, "patch", write(tmp_path, "a.md", OLD)), containing="Missing argument")
    assert_one_line_error(run(runner, "apply", tmp_path / "a.md"), containing="PATCH and FILE.md")
    assert_one_line_error(run(runner, "diff", tmp_path / "a.md", tmp_path / "a.md", "--format", "html"),
                          containing="--format")
    assert_one_line_error(run(runner, "no-such-command"), containing="No such command")


def test_neither_file_nor_version(runner, tmp_path):
    assert_one_line_error(run(runner, "diff", write(tmp_path, "a.md", OLD), "not-a-file.md"),
                          containing="not-a-file.md: no such file, and not a version")


def test_the_installed_entry_point_reports_errors_on_one_line(tmp_path):
    """The real process (not CliRunner): one line on stderr, status 2, no traceback."""
    result = subprocess.run([sys.executable, "-m", "regdraft.cli", "patch", str(tmp_path / "missing.md"),
                             str(tmp_path / "missing.md")], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == f"regdraft: {tmp_path / 'missing.md'}: no such file\n"
