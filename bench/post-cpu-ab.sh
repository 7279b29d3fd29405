#!/usr/bin/env bash
# Server CPU per durable POST, A/B of binaries alternated (noise-robust: CPU-ms per 1,000 posts from
# /proc/PID/stat, not wall-clock latency alone). Each round starts a fresh encrypted server per
# variant (core 0) and runs open-loop POSTs at each of PHASES (core 1; "closed" = closed loop).
# usage: bench/post-cpu-ab.sh ROUNDS LABEL=BINARY[,ENV=VALUE...] ...   (PHASES="2000 5000" SECS=10)
set -u
ROUNDS=$1; shift
PORT=18320; KEY=bench-backend-key
. "$(dirname "$0")/bench-server.sh"
ticks() { awk '{print $14 + $15}' /proc/$1/stat; }
for round in $(seq "$ROUNDS"); do
  for v in "$@"; do
    label=${v%%=*}; rest=${v#*=}; bin=${rest%%,*}; envs=""; [ "$rest" != "$bin" ] && envs=$(echo "${rest#*,}" | tr ',' ' ')
    d=$(mktemp -d); bench_config $d $PORT true "$bin"
    env $envs taskset -c 0 "$bin" serve --config $d/config.yaml 2>$d/serve.log & pid=$!
    bench_wait_ready $PORT
    for r in ${PHASES:-2000 5000}; do
      rate=$r; [ "$r" = closed ] && rate=0
      t0=$(ticks $pid)
      taskset -c 1 "$bin" bench http --url http://127.0.0.1:$PORT --api-key $KEY --connections 64 --threads 1 --quiet --mix post=1 --seconds ${SECS:-10} --rate $rate > $d/r.txt
      t1=$(ticks $pid)
      line=$(grep -E '^post ' $d/r.txt | tail -1)
      n=$(echo "$line" | awk '{print $3}')
      echo "$label round=$round rate=$r cpu_ms_per_1k=$(( (t1 - t0) * 10 * 1000 / n )) | $line"
    done
    kill -TERM $pid; wait $pid; rm -rf $d
  done
done
