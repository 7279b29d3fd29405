#!/usr/bin/env python3
"""Many idle feed connections on one server: the server's RSS before and after, and how long one
message takes to reach all of them.

Usage: tools/feed-idle.py --port 8080 --backend-key KEY --pid SERVER_PID [--feeds 10000]
Creates a thread, opens FEEDS event streams on it (asyncio, one socket each), waits until every one got
its `ready` event, reads the server's VmRSS from /proc, posts one message and reports the time from
sending the POST until the last stream received its `message.created`. Standard library only.
"""
import argparse, asyncio, json, time

def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")

async def call(port, key, method, path, body=None):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    data = b"" if body is None else json.dumps(body).encode()
    writer.write((f"{method} {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {key}\r\nX-User-ID: idle\r\n"
                  f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\nConnection: close\r\n\r\n").encode() + data)
    raw = await reader.read()
    writer.close()
    head, _, payload = raw.partition(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1.1 2"):
        raise SystemExit(f"{method} {path}: {head[:80]!r}")
    return json.loads(payload)

async def feed(port, key, thread, ready, got):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write((f"GET /v1/threads/{thread}/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {key}\r\n"
                  f"X-User-ID: idle\r\nAccept: text/event-stream\r\n\r\n").encode())
    said_ready = False
    while True:
        line = await reader.readline()
        if not line:
            return
        if line.startswith(b"event: ready") and not said_ready:
            said_ready = True
            ready()
        elif line.startswith(b"event: message.created"):
            got()
            writer.close()
            return

async def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, default=8080)
    p.add_argument("--backend-key", required=True)
    p.add_argument("--pid", type=int, required=True)
    p.add_argument("--feeds", type=int, default=10000)
    a = p.parse_args()
    created = await call(a.port, a.backend_key, "POST", "/v1/threads", {"title": "idle"})
    thread = created.get("key") or created.get("id") or created["thread"]["id"]
    before = rss_mb(a.pid)
    counts = {"ready": 0, "got": 0}
    all_ready, all_got = asyncio.Event(), asyncio.Event()
    def ready():
        counts["ready"] += 1
        if counts["ready"] == a.feeds: all_ready.set()
    def got():
        counts["got"] += 1
        if counts["got"] == a.feeds: all_got.set()
    start = time.perf_counter()
    tasks = []
    for i in range(a.feeds):
        tasks.append(asyncio.create_task(feed(a.port, a.backend_key, thread, ready, got)))
        if i % 200 == 199:
            await asyncio.sleep(0)  # let connects progress
    await asyncio.wait_for(all_ready.wait(), 300)
    opened = time.perf_counter() - start
    await asyncio.sleep(2)  # let the server settle before reading its RSS
    after = rss_mb(a.pid)
    sent = time.perf_counter()
    await call(a.port, a.backend_key, "POST", f"/v1/threads/{thread}/messages", {"body": {"text": "hi"}})
    await asyncio.wait_for(all_got.wait(), 120)
    fanout = time.perf_counter() - sent
    print(f"feeds {a.feeds}: all open in {opened:.1f} s; server RSS {before:.0f} MB before, {after:.0f} MB with them open "
          f"({(after - before) * 1024 / a.feeds:.1f} KB per feed); one message reached all {a.feeds} in {fanout * 1000:.0f} ms")
    await asyncio.gather(*tasks, return_exceptions=True)

asyncio.run(main())
