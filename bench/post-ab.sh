#!/usr/bin/env bash
# A/B of durable-write latency: open-loop encrypted POSTs at each of RATES (default 2000 then 5000/s,
# SECS each, on ONE fresh store so the later rate crosses a checkpoint), server on core 0, load on core
# 1, then the storage counters and the fdatasync histogram from /metrics.
# usage: bench/post-ab.sh PRG_BINARY LABEL   (run it for two binaries back to back and compare)
set -u
BIN=$1; LABEL=$2; PORT=18300; KEY=bench-backend-key
. "$(dirname "$0")/bench-server.sh"
d=$(mktemp -d); bench_config $d $PORT true "$BIN"
taskset -c 0 "$BIN" serve --config $d/config.yaml 2>$d/serve.log & pid=$!
bench_wait_ready $PORT
for r in ${RATES:-2000 5000}; do
  taskset -c 1 "$BIN" bench http --url http://127.0.0.1:$PORT --api-key $KEY --connections 64 --threads 1 --quiet --mix post=1 --seconds ${SECS:-10} --rate $r > $d/r.txt
  echo "$LABEL rate=$r $(grep -E '^post ' $d/r.txt | tail -1)"
done
curl -s -H "Authorization: Bearer bench-admin-key" http://127.0.0.1:$PORT/metrics | grep -E "prg_storage_commit_seconds_bucket|^prg_storage_(checkpoints|compactions|fsyncs|commits)_total|^dotnet_gc_collections_total|prg_storage_commit_seconds_(sum|count)|dotnet_gc_pause" 
kill -TERM $pid; wait $pid; rm -rf $d
