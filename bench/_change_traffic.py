"""The traffic of ``bench.change_to_screen``, in a process of its own as other people's desks would be: a clerk
creates orders at a steady rate through REST, and a manager, following ``/events``, approves each as soon as it
waits for approval. Prints one JSON line per approval: the order, when the approve was sent, when it was answered
and when ``/events`` brought the approval back (``time.monotonic()``, one clock for every process of the machine).

    python -m bench._change_traffic URL RATE SECONDS   (tokens in BENCH_CLERK_TOKEN, BENCH_MANAGER_TOKEN)
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time

import httpx
from httpx_sse import aconnect_sse

SETTLE_TIMEOUT = 60.0


async def main(url: str, rate: float, seconds: float) -> None:
    clerk = {"Authorization": f"Bearer {os.environ['BENCH_CLERK_TOKEN']}"}
    manager = {"Authorization": f"Bearer {os.environ['BENCH_MANAGER_TOKEN']}"}
    total = round(rate * seconds)
    mine: set[str] = set()
    early: set[str] = set()  # pending before its create was answered
    approvals: list[asyncio.Task[None]] = []
    decided: list[dict[str, object]] = []
    streamed: dict[str, float] = {}  # when the approval came back on /events
    ready = asyncio.Event()
    limits = httpx.Limits(max_connections=200, keepalive_expiry=2.0)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=httpx.Timeout(30.0, read=None)) as http:

        async def approve(order_id: str) -> None:
            sent = time.monotonic()
            response = await http.post(f"/orders/{order_id}/approve", headers=manager)
            answered = time.monotonic()
            if response.status_code == 200:
                decided.append({"order_id": order_id, "sent": sent, "answered": answered})
            else:
                print(f"approve {order_id}: {response.status_code} {response.text}", file=sys.stderr)

        async def follow() -> None:
            async with aconnect_sse(http, "GET", "/events", headers=manager) as source:
                async for event in source.aiter_sse():
                    if event.event == "ready":
                        ready.set()
                    elif event.event == "order":
                        change = json.loads(event.data)
                        if change["status"] == "APPROVED":
                            streamed[change["order_id"]] = time.monotonic()
                        if change["kind"] == "transition" and change["status"] == "PENDING_APPROVAL":
                            if change["order_id"] in mine:
                                approvals.append(asyncio.create_task(approve(change["order_id"])))
                            else:
                                early.add(change["order_id"])

        async def create(number: int) -> None:
            response = await http.post("/orders", headers=clerk, json={"item": f"Bench {number}", "quantity": 1})
            order_id = response.json()["order_id"]
            mine.add(order_id)
            if order_id in early:
                approvals.append(asyncio.create_task(approve(order_id)))

        follower = asyncio.create_task(follow())
        await asyncio.wait_for(ready.wait(), 30)
        started = time.monotonic()
        creates = []
        for number in range(total):
            await asyncio.sleep(max(0.0, started + number / rate - time.monotonic()))
            creates.append(asyncio.create_task(create(number)))
        await asyncio.gather(*creates)
        elapsed = time.monotonic() - started
        deadline = time.monotonic() + SETTLE_TIMEOUT
        while len(approvals) < total and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        await asyncio.gather(*approvals)
        deadline = time.monotonic() + SETTLE_TIMEOUT
        while any(line["order_id"] not in streamed for line in decided) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        follower.cancel()
    for line in decided:
        print(json.dumps({**line, "streamed": streamed.get(str(line["order_id"]))}))
    print(f"{total} orders created in {elapsed:.1f} s ({total / elapsed:.1f}/s), {len(decided)} approved",
          file=sys.stderr)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], float(sys.argv[2]), float(sys.argv[3])))
