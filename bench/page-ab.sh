#!/usr/bin/env bash
# A/B of the page read (GET limit=50, 200-byte bodies, 64 connections, closed loop): binaries
# alternated ROUNDS times in one script (the machine is noisy, so they run seconds apart), each with
# encryption on (embedded KMS) and off, server on core 0, `prg bench http` on core 1.
# A label ending in "-nothp" runs its binary with transparent huge pages disabled for the process
# (prctl PR_SET_THP_DISABLE), to separate that effect. With PROFILE=1 the first round's servers are
# recorded by `perf record -g` (perf-LABEL-encX.data in OUT).
# KIND=post measures the message POST instead (closed loop, durable, CPU per post).
# usage: bench/page-ab.sh LABEL=BINARY...   e.g. old=artifacts/prg-old/prg new=artifacts/prg/prg
#        (SECS=10 ROUNDS=3 OUT=artifacts/page-ab KIND=get|post)
set -u
PORT=18310; KEY=bench-backend-key
SECS=${SECS:-10}; ROUNDS=${ROUNDS:-3}; OUT=${OUT:-artifacts/page-ab}; KIND=${KIND:-get}
METHOD=$([ "$KIND" = post ] && echo POST || echo GET)
mkdir -p "$OUT"
. "$(dirname "$0")/bench-server.sh"
pages() { curl -s -H 'Authorization: Bearer bench-admin-key' http://127.0.0.1:$PORT/metrics \
  | awk -v m="$METHOD" '/^prg_http_requests_total/ && /messages/ && $0 ~ m && /2xx/ { n += $NF } END { print n + 0 }'; }
cpu() { awk '{ print $14 + $15 }' /proc/$1/stat; }
run() { # binary label enabled(true|false) round
  local bin=$1 label=$2 enc=$3 round=$4 d; d=$(mktemp -d)
  bench_config $d $PORT $enc "$bin"
  local wrap=()
  case $label in *-nothp) wrap=(python3 -c 'import ctypes, os, sys; ctypes.CDLL(None).prctl(41, 1, 0, 0, 0); os.execv(sys.argv[1], sys.argv[1:])') ;; esac
  taskset -c 0 "${wrap[@]}" "$bin" serve --config $d/config.yaml 2>$d/serve.log & local pid=$!
  bench_wait_ready $PORT
  local perf=""
  if [ "${PROFILE:-0}" = 1 ] && [ "$round" = 1 ]; then
    perf record -F 999 -g -p $pid -o "$OUT/perf-$label-enc$enc.data" -- sleep $((SECS + 2)) >/dev/null 2>&1 & perf=$!
  fi
  taskset -c 1 "$bin" bench http --url http://127.0.0.1:$PORT --api-key $KEY --connections 64 --threads 1 \
    --quiet --mix "$KIND=1" --seconds "$SECS" > $d/r.txt & local bench=$!
  # Server CPU per page, the figure the noisy machine disturbs least: pages served (the server's own
  # counter) and its utime+stime over a window inside the run, after seeding.
  for _ in $(seq 400); do [ "$(pages)" -gt 0 ] && break; sleep 0.05; done
  sleep 1; local p0 c0 p1 c1; p0=$(pages); c0=$(cpu $pid)
  sleep $((SECS - 3)); p1=$(pages); c1=$(cpu $pid)
  wait $bench
  [ -n "$perf" ] && wait $perf
  local per_ms; per_ms=$(awk -v p=$((p1 - p0)) -v c=$((c1 - c0)) -v hz="$(getconf CLK_TCK)" 'BEGIN { if (c > 0) printf "%.1f", p / (c * 1000 / hz); else print "n/a" }')
  echo "$label enc=$enc round=$round ${KIND}s/cpu-ms=$per_ms $(grep -E "^$KIND " $d/r.txt | tail -1)"
  kill -TERM $pid; wait $pid; rm -rf $d
}
for round in $(seq "$ROUNDS"); do
  for enc in true false; do
    for pair in "$@"; do
      run "${pair#*=}" "${pair%%=*}" $enc $round
    done
  done
done | tee "$OUT/page-ab.txt"
