"""The work budget: the most expensive request each endpoint accepts (or refuses), one
at a time against one worker of ``regdraft serve`` on the worked case, with ``/health``
asked every 10 ms beside it. The row gives the slowest of the abusive request's runs and
its status, and the p99 of ``/health`` while they ran (the target: under 50 ms).

The cases are those of issue 18: a 4 MB response stored (its text checked, normalised
and indexed), 80 000 blanks before a letter in a proposed text (the normaliser was
quadratic), twenty citations of a 4 MB response, one amendment named 400 times, a
Keeling schedule of every amendment, and amending instructions of the whole history.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

from bench.measure import Row
from bench.serving import DOCUMENT, ROOT, Server, load_worked_case

API = f"/api/documents/{DOCUMENT}"
POLL_SECONDS = 0.01
REPEATS = 5
"""Each case runs this many times, one after another (the render cache off, so that each
Keeling schedule and each set of instructions is made anew), for enough /health
samples beside it that their p99 is a p99 and not the slowest of a handful."""


def _request(server: Server, method: str, path: str, body: dict | None = None, token: str = "") -> tuple[int, bytes]:
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Content-Type": "application/json"} if data else {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(server.url(path), data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=600) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _beside_health(server: Server, operation, repeats: int) -> tuple[float, set[int], float, int]:
    """(slowest seconds, statuses, /health p99 seconds, /health samples) of ``operation(i)``
    run ``repeats`` times in turn, with /health polled beside it all along."""
    latencies: list[float] = []
    done = threading.Event()

    def poll() -> None:
        while not done.is_set():
            start = time.perf_counter()
            urllib.request.urlopen(server.url("/health"), timeout=60).read()
            latencies.append(time.perf_counter() - start)
            time.sleep(POLL_SECONDS)

    poller = threading.Thread(target=poll)
    poller.start()
    slowest, statuses = 0.0, set()
    for i in range(repeats):
        start = time.perf_counter()
        status, _ = operation(i)
        slowest = max(slowest, time.perf_counter() - start)
        statuses.add(status)
    done.set()
    poller.join()
    p99 = statistics.quantiles(latencies, n=100)[98] if len(latencies) >= 2 else max(latencies, default=0.0)
    return slowest, statuses, p99, len(latencies)


def _token(database_url: str) -> str:
    return subprocess.run([sys.executable, "-m", "regdraft.cli", "token", "create", "--role", "admin", "--name",
                           "bench"], cwd=ROOT, check=True, capture_output=True, text=True,
                          env={**os.environ, "REGDRAFT_DATABASE_URL": database_url}).stdout.strip().split()[-1]


def run() -> list[Row]:
    if not (ROOT / "drafts" / DOCUMENT).is_dir():
        return [Row("abuse", "skipped: the worked case is not in drafts/", None)]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        database_url = load_worked_case(tmp)
        token = _token(database_url)
        server = Server(database_url, 1, cache_bytes=0)
        try:
            head = json.loads(_request(server, "GET", f"{API}/versions?limit=200")[1])["items"][-1]["number"]
            text = json.loads(_request(server, "GET", f"{API}/versions/{head}")[1])["text"]
            slugs = [a["slug"] for a in json.loads(_request(server, "GET", f"{API}/amendments?limit=200")[1])["items"]]
            big = ("The Association believes that a profit motive has no place in children's social care.  "
                   "Delegation should be limited.\n\n") * 33_000  # about 4 MB
            _request(server, "PUT", f"{API}/responses/big", {"stakeholder": "adcs", "title": "Big", "text": big},
                     token)
            cases = {
                # The floor: /health with nothing else asked, on the machine as it is.
                "nothing (/health alone, 0.5 s)": lambda i: (time.sleep(0.5), (200, b""))[1],
                "put a 4 MB response": lambda i: _request(server, "PUT", f"{API}/responses/big-{i}", {
                    "stakeholder": "adcs", "title": "Big again", "text": big}, token),
                "propose: 80 000 blanks before a letter": lambda i: _request(server, "POST", f"{API}/amendments", {
                    "slug": f"blanks-{i}", "title": "Blanks", "proposer": "adcs", "base": head,
                    "categories": ["review"], "new_text": text.replace("\n\n", "\n\n" + " " * 80_000 + "x\n\n", 1)},
                    token),
                "propose: 20 citations of a 4 MB response": lambda i: _request(server, "POST", f"{API}/amendments", {
                    "slug": f"cited-{i}", "title": "Cited", "proposer": "adcs", "base": head, "categories": ["review"],
                    "new_text": text + "\nA new last line.\n",
                    "citations": [{"response": "big", "quote": "Delegation should be limited"}] * 20}, token),
                "apply: one amendment named 400 times": lambda i: _request(server, "POST", f"{API}/apply", {
                    "version": 1, "amendments": [slugs[0]] * 400}),
                "Keeling schedule of version 1, every amendment": lambda i: _request(
                    server, "GET", f"{API}/versions/1/keeling.json"),
                f"amending instructions 1→{head}": lambda i: _request(
                    server, "GET", f"{API}/redline?from=1&to={head}&format=instructions"),
            }
            for name, operation in cases.items():
                slowest, statuses, p99, samples = _beside_health(server, operation, REPEATS)
                rows.append(Row("abuse", name, slowest, note=f"{'/'.join(map(str, sorted(statuses)))}; /health p99 "
                                                             f"{p99 * 1000:.1f} ms beside it ({samples} asked)"))
        finally:
            server.close()
    return rows
