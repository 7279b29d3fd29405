#!/usr/bin/env python3
"""Delivery latency of a thread feed: ack of a POST -> the event on an open server-sent-events stream.

Usage: tools/feed-latency.py --port 8080 --backend-key KEY [--messages 500] [--subscribers 1]
Creates a thread, opens SUBSCRIBERS event streams on it, posts MESSAGES messages one after another
and prints percentiles of (event received) - (POST answered), per subscriber, in milliseconds.
Standard library only; a quick sanity tool, not a load generator.
"""
import argparse, http.client, json, threading, time

def request(conn, method, path, key, user, body=None):
    headers = {"Authorization": "Bearer " + key, "X-User-ID": user}
    if body is not None:
        headers["Content-Type"] = "application/json"
    conn.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
    response = conn.getresponse()
    data = response.read()
    if response.status >= 300:
        raise SystemExit(f"{method} {path}: {response.status} {data!r}")
    return json.loads(data)

def subscribe(port, key, user, thread, received, ready):
    conn = http.client.HTTPConnection("127.0.0.1", port)
    conn.request("GET", f"/v1/threads/{thread}/events", headers={
        "Authorization": "Bearer " + key, "X-User-ID": user, "Accept": "text/event-stream"})
    response = conn.getresponse()
    event = None
    while True:
        line = response.fp.readline()
        if not line:
            return
        line = line.decode().rstrip("\n")
        if line.startswith("event: "):
            event = line[7:]
        elif line.startswith("data: ") and event == "ready":
            ready.set()
        elif line.startswith("data: ") and event == "message.created":
            received[json.loads(line[6:])["data"]["key"]] = time.perf_counter()

def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, default=8080)
    p.add_argument("--backend-key", required=True)
    p.add_argument("--messages", type=int, default=500)
    p.add_argument("--subscribers", type=int, default=1)
    a = p.parse_args()
    user = "latency-probe"
    conn = http.client.HTTPConnection("127.0.0.1", a.port)
    thread = request(conn, "POST", "/v1/threads", a.backend_key, user, {"title": "latency"})["key"]
    streams = []
    for _ in range(a.subscribers):
        received, ready = {}, threading.Event()
        threading.Thread(target=subscribe, args=(a.port, a.backend_key, user, thread, received, ready), daemon=True).start()
        if not ready.wait(10):
            raise SystemExit("a feed did not open")
        streams.append(received)
    acked = {}
    for i in range(a.messages):
        key = request(conn, "POST", f"/v1/threads/{thread}/messages", a.backend_key, user, {"body": {"n": i}})["key"]
        acked[key] = time.perf_counter()
    deadline = time.time() + 30
    while any(len(s) < a.messages for s in streams) and time.time() < deadline:
        time.sleep(0.05)
    lat = sorted((s[k] - t) * 1000 for s in streams for k, t in acked.items() if k in s)
    missing = a.messages * a.subscribers - len(lat)
    pick = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))]
    print(f"messages={a.messages} subscribers={a.subscribers} delivered={len(lat)} missing={missing}")
    print(f"ack->event ms: p50={pick(0.50):.3f} p90={pick(0.90):.3f} p99={pick(0.99):.3f} max={lat[-1]:.3f}")

if __name__ == "__main__":
    main()
