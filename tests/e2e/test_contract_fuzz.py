"""Schemathesis against the committed contract (api/openapi.json) on a live uvicorn
process: at least 5000 generated requests, every operation, the stateful phase too
(sequences of calls linked by what one answer gives the next: a Location header, an
id), with an admin token, and no server error, undocumented status, content type,
header or body that breaks the schema. The run's report (requests, failures) goes to test-artifacts/ when that folder
exists (``make test`` makes it).

``REGDRAFT_TEST_FUZZ_EXAMPLES`` sets the examples per operation (default 60) and
``REGDRAFT_TEST_FUZZ_SEED`` the seed (default: fixed, so CI runs are repeatable).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from server_process import ServerProcess
from workload import DOC, prepare

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
SCHEMATHESIS = str(Path(sys.executable).with_name("st"))
EXAMPLES = os.environ.get("REGDRAFT_TEST_FUZZ_EXAMPLES", "60")
SEED = os.environ.get("REGDRAFT_TEST_FUZZ_SEED", "20261130")
CHECKS = ("not_a_server_error", "status_code_conformance", "content_type_conformance",
          "response_headers_conformance", "response_schema_conformance", "negative_data_rejection",
          "ignored_auth", "missing_required_header", "allow_header_conformance", "unsupported_method")
MINIMUM_REQUESTS = 5000


# The contract does not depend on the backend: SQLite only, to keep the suite quick.
@pytest.mark.parametrize("db_backend", ["sqlite"], indirect=True)
def test_generated_requests_keep_the_contract(fresh_database_url: str, tmp_path: Path):
    config = tmp_path / "schemathesis.toml"
    # Every request names the document that exists, so it gets past 404 to the logic.
    config.write_text(f'[parameters]\ndoc = "{DOC}"\n', encoding="utf-8")
    with ServerProcess(fresh_database_url, tmp_path / "server.log") as server:
        cast = prepare(fresh_database_url, server.base_url)
        # A PDF is printed by LibreOffice: a few seconds alone, more than schemathesis's
        # default 10 s beside another test worker. The contract is checked here, not speed.
        # One worker: with two threads, Hypothesis's ast.parse of a strategy's lambda hits
        # CPython 3.11's "AST constructor recursion depth mismatch" (gh-106905) now and
        # then, which schemathesis reports as an error of the run, not of the server.
        run = subprocess.run(
            [SCHEMATHESIS, "--config-file", str(config), "run", str(ROOT / "api" / "openapi.json"),
             "--url", server.base_url, "--header", f"Authorization: Bearer {cast.admin}",
             "--max-examples", EXAMPLES, "--seed", SEED, "--workers", "1", "--request-timeout", "60", "--checks", ",".join(CHECKS),
             "--phases", "examples,coverage,fuzzing,stateful", "--generation-database", "none", "--no-color",
             "--report", "json", "--report-dir", str(tmp_path / "report")],
            capture_output=True, text=True, timeout=600, cwd=tmp_path)  # its caches stay out of the repository
    report = json.loads(next((tmp_path / "report").glob("*.json")).read_text(encoding="utf-8"))
    artifacts = ROOT / "test-artifacts"
    if artifacts.is_dir():
        (artifacts / "schemathesis.txt").write_text(run.stdout + run.stderr, encoding="utf-8")
    summary = (f"{report['test_cases']['generated']} requests, {report['operations']['tested']} operations, "
               f"failures {report['failures']}, errors {report['errors']}")
    assert run.returncode == 0 and not report["failures"] and not report["errors"], \
        summary + "\n" + run.stdout[-6000:]
    assert report["operations"]["tested"] == report["operations"]["total"]
    assert report["test_cases"]["generated"] >= MINIMUM_REQUESTS, summary
    print(f"\nschemathesis: {summary}")
