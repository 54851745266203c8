"""The in-flight limit: never more requests inside the app than the connection pool
holds, so sync routes cannot deadlock the thread pool; /health is never held back."""

import asyncio

from regdraft.api.limits import InFlightLimit


def test_requests_beyond_the_limit_wait_and_all_finish():
    inside = peak = 0
    released = asyncio.Event()

    async def app(scope, receive, send):
        nonlocal inside, peak
        inside += 1
        peak = max(peak, inside)
        if scope["path"] != "/health":
            await released.wait()
        inside -= 1

    limited = InFlightLimit(app, limit=3, exempt=frozenset({"/health"}))

    async def main():
        tasks = [asyncio.create_task(limited({"type": "http", "path": "/api/x"}, None, None)) for _ in range(20)]
        await asyncio.sleep(0.01)
        assert inside == 3  # seventeen wait in the event loop
        await asyncio.wait_for(limited({"type": "http", "path": "/health"}, None, None), 1)  # not held back
        released.set()
        await asyncio.wait_for(asyncio.gather(*tasks), 5)

    asyncio.run(main())
    assert peak == 4 and inside == 0  # three requests and one health check at most
