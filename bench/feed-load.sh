#!/usr/bin/env bash
# Live feeds under load, for one or more binaries in one run (issue 14): per binary a fresh encrypted
# server (embedded KMS) on core 0, load on core 1, and
#   1. closed-loop POSTs to one thread (wrk, CONNECTIONS conns, SECS) without subscribers,
#   2. the same with SUBSCRIBERS event streams on that thread, drained (tools/feed-fanout.mjs --hold),
#   3. SUBSCRIBERS streams on a fresh thread at RATE msg/s open loop for SECS: ack -> event latency
#      (tools/feed-fanout.mjs, all streams parsed by the posting client), with the server's CPU seconds,
#   4. the same with SUBSCRIBERS-1 streams drained by a second client and one probe stream in the posting
#      client (the server's fan-out is the same; the measuring client parses one stream, not all).
# usage: bench/feed-load.sh LABEL=BINARY[=COALESCE] ...   (SECS=10 RATE=1000 SUBSCRIBERS=100 CONNECTIONS=64)
#   COALESCE, if given, is the run's feeds.coalesce (e.g. 0, 1ms, 2ms); DURABILITY=relaxed for server.durability.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/bench-server.sh
SECS=${SECS:-10}
RATE=${RATE:-1000}
SUBSCRIBERS=${SUBSCRIBERS:-100}
CONNECTIONS=${CONNECTIONS:-64}
PORT=${PORT:-18740}
KEY=bench-backend-key
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

cpu_seconds() { awk '{print ($14 + $15) / 100}' "/proc/$1/stat"; }
# quantiles BEFORE AFTER NAME [LABEL]: a histogram's p50 and p99 (bucket upper bounds, ms) between two /metrics snapshots.
quantiles() {
  awk -v name="$3" -v label="${4:-}" '
    index($0, name "_bucket") == 1 && index($0, label) { match($0, /le="[^"]*"/); le = substr($0, RSTART + 4, RLENGTH - 5); if (FILENAME == ARGV[1]) before[le] = $NF; else { les[++n] = le; after[le] = $NF } }
    END { total = after["+Inf"] - before["+Inf"]; if (total <= 0) { print "n/a"; exit }
          for (i = 1; i <= n; i++) { c = after[les[i]] - before[les[i]]; v = les[i] == "+Inf" ? "inf" : les[i] * 1000
            if (!p50 && c >= total * 0.5) p50 = "<=" v; if (!p99 && c >= total * 0.99) p99 = "<=" v }
          printf "p50 %s ms, p99 %s ms (%d)", p50, p99, total }' "$1" "$2"
}
snapshot() { curl -sf -H "Authorization: Bearer bench-admin-key" "http://127.0.0.1:$PORT/metrics" > "$1"; }
metric() { curl -sf -H "Authorization: Bearer bench-admin-key" "http://127.0.0.1:$PORT/metrics" | awk -v m="$1" '$1 == m {print $2}'; }
post_rps() { # thread -> "req/s p50 p99 server-CPU-share"
  local c0; c0=$(cpu_seconds "$pid")
  PRG_THREADS="$1" PRG_KEY=$KEY taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d"${SECS}s" --latency -s bench/wrk/post-message.lua "http://127.0.0.1:$PORT" > "$work/wrk.txt"
  awk -v c0="$c0" -v c1="$(cpu_seconds "$pid")" -v s="$SECS" '/Requests\/sec/ {rps=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} END {printf "%s %s %s %.0f%%\n", rps, p50, p99, 100 * (c1 - c0) / s}' "$work/wrk.txt"
}

for spec in "$@"; do
  IFS== read -r label bin coalesce <<< "$spec"
  dir="$work/$label"
  mkdir -p "$dir"
  bench_config "$dir" "$PORT" true "$bin"
  [ -z "${DURABILITY:-}" ] || sed -i "s/^server:$/server:\n  durability: $DURABILITY/" "$dir/config.yaml"
  [ -z "$coalesce" ] || printf 'feeds:\n  coalesce: %s\n' "$coalesce" >> "$dir/config.yaml"
  taskset -c 0 "$bin" serve --config "$dir/config.yaml" & pid=$!
  bench_wait_ready "$PORT"
  thread=$(bench_new_thread $PORT load)
  read -r alone alone_p50 alone_p99 alone_cpu < <(post_rps "$thread")

  taskset -c 1 node tools/feed-fanout.mjs --port "$PORT" --backend-key $KEY --user bench --thread "$thread" --subscribers "$SUBSCRIBERS" --hold $((SECS + 4)) > "$work/hold.txt" & holder=$!
  for _ in $(seq 200); do grep -q ready "$work/hold.txt" 2>/dev/null && break; sleep 0.05; done
  read -r with with_p50 with_p99 with_cpu < <(post_rps "$thread")
  wait $holder
  cut=$(metric prg_feeds_cut_off_total)

  snapshot "$work/m0"
  cpu0=$(cpu_seconds $pid) t0=$(date +%s.%N)
  fanout=$(taskset -c 1 /usr/bin/time -f 'client CPU %U+%S s in %e s wall' -o "$work/client.txt" node tools/feed-fanout.mjs --port "$PORT" --backend-key $KEY --subscribers "$SUBSCRIBERS" --rate "$RATE" --seconds "$SECS")
  cpu1=$(cpu_seconds $pid) t1=$(date +%s.%N)
  rendered=$(metric prg_feeds_events_rendered_total)
  snapshot "$work/m1"
  delivery=$(quantiles "$work/m0" "$work/m1" prg_feeds_delivery_seconds)
  posts=$(quantiles "$work/m0" "$work/m1" prg_http_request_duration_seconds 'route="POST /v1/threads/{t}/messages"')
  probe_thread=$(bench_new_thread $PORT probe)
  taskset -c 1 node tools/feed-fanout.mjs --port "$PORT" --backend-key $KEY --user bench --thread "$probe_thread" --subscribers $((SUBSCRIBERS - 1)) --hold $((SECS + 6)) > "$work/hold2.txt" & holder=$!
  for _ in $(seq 200); do grep -q ready "$work/hold2.txt" 2>/dev/null && break; sleep 0.05; done
  probe=$(taskset -c 1 node tools/feed-fanout.mjs --port "$PORT" --backend-key $KEY --user bench --thread "$probe_thread" --subscribers 1 --rate "$RATE" --seconds "$SECS")
  kill $holder 2>/dev/null || true
  kill -TERM $pid; wait $pid || true

  echo "== $label ($bin)"
  echo "POST to one thread, $CONNECTIONS conns: alone $alone req/s (p50 $alone_p50, p99 $alone_p99, server CPU $alone_cpu); with $SUBSCRIBERS subscribers $with req/s (p50 $with_p50, p99 $with_p99, server CPU $with_cpu); ratio $(awk -v a="$alone" -v b="$with" 'BEGIN {printf "%.3f", b / a}'); cut off $cut"
  echo "  $(tail -1 "$work/hold.txt")"
  echo "fan-out: $fanout"
  echo "  server side: durable -> written to the subscriber's socket $delivery; POST handling $posts"
  echo "  server CPU $(awk -v a="$cpu0" -v b="$cpu1" -v s="$t0" -v e="$t1" 'BEGIN {printf "%.2f s in %.2f s wall", b - a, e - s}'); events rendered (whole run) ${rendered:-n/a}; $(cat "$work/client.txt")"
  echo "probe (1 of $SUBSCRIBERS, the other $((SUBSCRIBERS - 1)) drained by a second client): $probe"
done
