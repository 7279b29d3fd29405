#!/usr/bin/env python3
# /metrics every TICK seconds (tools/stall-timeline/run.sh): one line per sample with the fetch time.
# usage: metrics.py PORT OUTFILE [TICK]
import sys, time, urllib.request
port, out, tick = sys.argv[1], sys.argv[2], float(sys.argv[3]) if len(sys.argv) > 3 else 0.05
keys = ["dotnet_threadpool_queue_length", "dotnet_threadpool_threads", "dotnet_threadpool_completed_items_total",
        'dotnet_gc_collections_total{generation="gen0"}', 'dotnet_gc_collections_total{generation="gen1"}', 'dotnet_gc_collections_total{generation="gen2"}',
        "dotnet_gc_pause_seconds_total", "prg_storage_commits_total", "prg_storage_wal_fsyncs_total", "prg_storage_checkpoints_total",
        "prg_storage_compactions_total", "prg_storage_hybrid_log_bytes", "prg_storage_wal_bytes_since_checkpoint", "process_cpu_seconds_total", "process_resident_memory_bytes"]
short = ["q", "thr", "done", "g0", "g1", "g2", "gcpause", "commits", "fsyncs", "ckpt", "compact", "hlog", "walsince", "cpu", "rss"]
req = urllib.request.Request(f"http://127.0.0.1:{port}/metrics", headers={"Authorization": "Bearer bench-admin-key"})
t0 = time.time()
with open(out, "w") as f:
    f.write("t fetch_ms " + " ".join(short) + "\n")
    while True:
        s = time.time()
        try:
            body = urllib.request.urlopen(req, timeout=10).read().decode()
        except Exception as e:
            break
        e = time.time()
        vals = {}
        for line in body.splitlines():
            if line.startswith("#"): continue
            k, _, v = line.rpartition(" ")
            vals[k] = v
        f.write(f"{s - t0:.3f} {(e - s) * 1000:.1f} " + " ".join(vals.get(k, "-") for k in keys) + "\n")
        f.flush()
        time.sleep(max(0, tick - (time.time() - s)))
