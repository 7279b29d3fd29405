#!/usr/bin/env bash
# Whole-server figures, one run: message POST (200-byte body, durable ack) and page GET (limit=50)
# with 64 keep-alive connections, prg pinned to core 0 and wrk to core 1, with encryption off and
# on (embedded KMS), plus nginx /healthz in the same run as the ceiling. Prints req/s and latency
# percentiles (wrk --latency) and the encryption overhead.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}
command -v wrk >/dev/null && command -v nginx >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk nginx-light >/dev/null; }
PRG_BIN=${PRG_BIN:-artifacts/prg/prg}
[ -x "$PRG_BIN" ] || dotnet publish src/Prg -c Release -o artifacts/prg -nologo >/dev/null
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; nginx -c "$work/nginx.conf" -s stop 2>/dev/null || true; rm -rf "$work"' EXIT
KEY=bench-backend-key
PORT=18090

. bench/bench-server.sh
run_wrk() { # script -> "req/s p50 p99"
  PRG_THREADS="$THREADS" PRG_KEY=$KEY taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency -s "$1" "http://127.0.0.1:$PORT" > "$work/wrk.txt"
  awk '/Requests\/sec/ {rps=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} /Non-2xx/ {bad=$4} END {print rps, p50, p99, (bad==""?0:bad)}' "$work/wrk.txt"
}

bench_prg() { # encryption(true|false) -> prints two lines
  local enc=$1 dir="$work/prg-$1"
  mkdir -p "$dir"
  bench_config "$dir" $PORT "$enc" "$PRG_BIN"
  taskset -c 0 "$PRG_BIN" serve --config "$dir/config.yaml" & local pid=$!
  bench_wait_ready $PORT
  THREADS=""
  for i in $(seq 64); do
    THREADS="$THREADS $(bench_new_thread $PORT bench)"
  done
  export THREADS
  read -r post_rps post_p50 post_p99 post_bad < <(run_wrk bench/wrk/post-message.lua)
  read -r get_rps get_p50 get_p99 get_bad < <(run_wrk bench/wrk/get-page.lua)
  kill -TERM $pid; wait $pid || true
  printf '%-28s %10s %9s %9s %6s\n' "POST message (enc=$enc)" "$post_rps" "$post_p50" "$post_p99" "$post_bad"
  printf '%-28s %10s %9s %9s %6s\n' "GET page 50 (enc=$enc)" "$get_rps" "$get_p50" "$get_p99" "$get_bad"
}

cat > "$work/nginx.conf" <<CONF
worker_processes 1;
daemon on;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http { access_log off; keepalive_requests 1000000;
  server { listen 127.0.0.1:18091; location = /healthz { default_type application/json; return 200 '{"status":"ok"}'; } } }
CONF
taskset -c 0 nginx -c "$work/nginx.conf"
bench_wait_ready 18091
nginx_rps=$(taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d"$DURATION" http://127.0.0.1:18091/healthz | awk '/Requests\/sec/ {print $2}')
nginx -c "$work/nginx.conf" -s stop

printf '%-28s %10s %9s %9s %6s\n' what 'req/s' p50 p99 non2xx
printf '%-28s %10s\n' "nginx /healthz (ceiling)" "$nginx_rps"
bench_prg false | tee "$work/off.txt"
bench_prg true | tee "$work/on.txt"
awk 'NR==FNR {off[FNR]=$(NF-3); next} {printf "encryption overhead, %s: %.1f%%\n", (FNR==1?"POST":"GET page"), 100*(1-$(NF-3)/off[FNR])}' "$work/off.txt" "$work/on.txt"
