"""Target 4: throughput and p99 latency of rendered redlines and Keeling schedules
against ``/health`` of the same app, 64 concurrent clients on loopback, with 1 and 2
workers of ``regdraft serve``, over the worked case (``drafts/`` and ``amendments/``).

The load generator is wrk (Debian's ``wrk`` package); where it is missing, a small
asyncio client with keep-alive connections does the same job (and says so).
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench.measure import Row

ROOT = Path(__file__).resolve().parents[1]
DOCUMENT = "children-social-care-delegation"
CONNECTIONS = 64
TARGETS = {
    "/health": "/health",
    "redline 1→2 (html)": f"/api/documents/{DOCUMENT}/redline.html?from=1&to=2",
    "Keeling schedule of version 1 (html)": f"/api/documents/{DOCUMENT}/versions/1/keeling.html",
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``regdraft serve`` (uvicorn, with ``--workers``) on a loopback port, until closed:
    the server as shipped, its access log off as a benchmark's would be."""

    def __init__(self, database_url: str, workers: int, cache_bytes: int | None = None) -> None:
        self.port = _free_port()
        env = {**os.environ, "REGDRAFT_DATABASE_URL": database_url}
        if cache_bytes is not None:
            env["REGDRAFT_RENDER_CACHE_BYTES"] = str(cache_bytes)
        self.process = subprocess.Popen(
            [str(Path(sys.executable).with_name("regdraft")), "serve", "--host", "127.0.0.1", "--port", str(self.port),
             "--workers", str(workers), "--no-access-log"],
            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"regdraft serve exited: {self.process.stderr.read().decode()[-2000:]}")
            try:
                urllib.request.urlopen(self.url("/health"), timeout=1).read()
                return
            except OSError:
                time.sleep(0.2)
        self.close()
        raise RuntimeError("regdraft serve did not answer /health within 60 s")

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def close(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _wrk(url: str, seconds: int) -> tuple[float, float, int]:
    """(requests/s, p99 latency, requests wrk gave up on after its 2 s timeout)."""
    out = subprocess.run(["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", url],
                         capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out).groups()
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    if non_2xx:
        raise RuntimeError(f"{url}: {non_2xx.group(1)} error responses")
    timeouts = re.search(r"timeout (\d+)", out)
    return rate, float(value) * {"us": 1e-6, "ms": 1e-3, "s": 1.0}[unit], int(timeouts.group(1)) if timeouts else 0


async def _client(host: str, port: int, path: str, stop: float, latencies: list[float]) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    request = f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()
    while time.perf_counter() < stop:
        start = time.perf_counter()
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.1 200"):
            raise RuntimeError(f"{path}: {head[:60]!r}")
        length = int(re.search(rb"content-length: (\d+)", head, re.I).group(1))
        await reader.readexactly(length)
        latencies.append(time.perf_counter() - start)
    writer.close()


def _python_load(url: str, seconds: int) -> tuple[float, float, int]:
    match = re.match(r"http://([\d.]+):(\d+)(/.*)", url)
    host, port, path = match.group(1), int(match.group(2)), match.group(3)
    latencies: list[float] = []

    async def main() -> None:
        stop = time.perf_counter() + seconds
        await asyncio.gather(*(_client(host, port, path, stop, latencies) for _ in range(CONNECTIONS)))

    started = time.perf_counter()
    asyncio.run(main())
    elapsed = time.perf_counter() - started
    return len(latencies) / elapsed, statistics.quantiles(latencies, n=100)[98], 0


def load_worked_case(directory: str) -> str:
    url = f"sqlite:///{directory}/serving.sqlite"
    subprocess.run([sys.executable, "-m", "regdraft.cli", "load"], cwd=ROOT, check=True, capture_output=True,
                   env={**os.environ, "REGDRAFT_DATABASE_URL": url, "REGDRAFT_ROOT": str(ROOT)})
    return url


def run(seconds: int) -> list[Row]:
    if not (ROOT / "drafts" / DOCUMENT).is_dir():
        return [Row("serving", "skipped: the worked case is not in drafts/", None)]
    generator, tool = (_wrk, "wrk") if shutil.which("wrk") else (_python_load, "asyncio client")
    rows = []
    health_rate: dict[int, float] = {}  # by worker count
    with tempfile.TemporaryDirectory() as tmp:
        database_url = load_worked_case(tmp)
        for workers, cache_bytes, label in ((1, None, "1 worker"), (2, None, "2 workers"),
                                            (1, 0, "1 worker, render cache off")):
            server = Server(database_url, workers, cache_bytes)
            try:
                for name, path in TARGETS.items():
                    if name == "/health" and workers in health_rate:
                        continue
                    generator(server.url(path), 1)  # warm up: fill the cache, open connections
                    rate, p99, gave_up = generator(server.url(path), seconds)
                    if name == "/health":
                        health_rate[workers] = rate
                        share = ""
                    else:
                        share = f" ({rate / health_rate[workers]:.0%} of /health)"
                    # wrk leaves requests it gave up on out of its latencies: say so.
                    latency = (f"{gave_up} requests over wrk's 2 s timeout" if gave_up
                               else f"p99 {p99 * 1000:.1f} ms")
                    rows.append(Row("serving", f"{label}: {name}", None, note=f"{rate:.0f} req/s{share}, {latency}"))
            finally:
                server.close()
    rows.append(Row("serving", f"load generator: {tool}, {CONNECTIONS} connections, {seconds} s a run", None))
    return rows
