#!/usr/bin/env bash
# Stall timeline of durable POSTs: one throwaway encrypted server (core 0), open/closed-loop phases of
# `prg bench http` (core 1) on ONE store, and two 50 ms samplers beside them:
#   OUT/timeline.txt  /metrics: thread-pool queue and threads, GC, WAL commits/fsyncs, checkpoints,
#                     compactions, hybrid-log and WAL sizes, process CPU (fetch_ms shows a frozen server)
#   OUT/threads.txt   per server thread: state (D = waiting for the disk), CPU ticks, bytes written;
#                     the disk's writes/MB per tick and each core's user/sys/idle/iowait/steal ticks
#   OUT/phases.txt    one `prg bench http` result line per phase
# usage: tools/stall-timeline/run.sh PRG_BINARY OUTDIR   (PHASES="closed 2000 5000 5000" SECS=10)
set -u
BIN=$1; OUT=$2; PORT=18310; KEY=bench-backend-key
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$OUT"
. "$here/../../bench/bench-server.sh"
d=$(mktemp -d); bench_config $d $PORT true "$BIN"
taskset -c 0 "$BIN" serve --config $d/config.yaml 2>$d/serve.log & pid=$!
bench_wait_ready $PORT
taskset -c 1 python3 "$here/metrics.py" $PORT "$OUT/timeline.txt" 0.05 & mpid=$!
taskset -c 1 python3 "$here/threads.py" $pid "$OUT/threads.txt" 0.05 & tpid=$!
t0=$(date +%s.%N)
for r in ${PHASES:-closed 2000 5000 5000}; do
  s=$(date +%s.%N)
  rate=$r; [ "$r" = closed ] && rate=0
  taskset -c 1 "$BIN" bench http --url http://127.0.0.1:$PORT --api-key $KEY --connections 64 --threads 1 --quiet --mix post=1 --seconds ${SECS:-10} --rate $rate > $d/r.txt
  echo "phase=$r start=$(echo "$s - $t0" | bc) $(grep -E '^post ' $d/r.txt | tail -1)" | tee -a "$OUT/phases.txt"
done
kill $mpid $tpid
kill -TERM $pid; wait $pid; rm -rf $d
