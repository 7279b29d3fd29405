#!/usr/bin/env bash
# Encrypted page GET (limit=50, 200-byte bodies, 64 connections, closed loop; `prg bench http` on
# core 1) next to nginx serving the identical page bytes as a static file (wrk on core 1), both
# servers on core 0, alternated ROUNDS times. Prints pages/s and server CPU per response (µs, the
# server's utime+stime over a window inside each run) for both.
# usage: bench/page-nginx.sh BINARY   (SECS=8 ROUNDS=2 OUT=artifacts/page-nginx)
set -u
BIN=$1; PORT=18330; NGPORT=18331; KEY=bench-backend-key
SECS=${SECS:-8}; ROUNDS=${ROUNDS:-2}; OUT=${OUT:-artifacts/page-nginx}
mkdir -p "$OUT"
. "$(dirname "$0")/bench-server.sh"
d=$(mktemp -d)
trap 'kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null; nginx -c "$d/nginx.conf" -s stop 2>/dev/null; rm -rf "$d"' EXIT
hz=$(getconf CLK_TCK)
cpu() { awk '{ print $14 + $15 }' /proc/$1/stat; }
pages() { curl -s -H 'Authorization: Bearer bench-admin-key' http://127.0.0.1:$PORT/metrics \
  | awk '/^prg_http_requests_total/ && /messages/ && /GET/ && /2xx/ { n += $NF } END { print n + 0 }'; }
us_per() { awk -v c="$1" -v n="$2" -v hz="$hz" 'BEGIN { if (n > 0) printf "%.1f", c * 1e6 / hz / n; else print "n/a" }'; }

bench_config $d $PORT true "$BIN"
taskset -c 0 "$BIN" serve --config $d/config.yaml 2>$d/serve.log & pid=$!
bench_wait_ready $PORT
# The identical page bytes: a thread of 50 messages with 200-byte bodies, read back once.
h=(-H "Authorization: Bearer $KEY" -H "X-User-ID: bench" -H "Content-Type: application/json")
t=$(bench_new_thread $PORT page)
text=$(printf 'x%.0s' $(seq 186))
for _ in $(seq 50); do curl -sf "${h[@]}" -d "{\"body\":{\"text\":\"$text\"}}" "http://127.0.0.1:$PORT/v1/threads/$t/messages" >/dev/null; done
mkdir -p $d/www; curl -sf "${h[@]}" "http://127.0.0.1:$PORT/v1/threads/$t/messages?limit=50" > $d/www/page.json
cat > $d/nginx.conf <<CONF
worker_processes 1;
daemon on;
pid $d/nginx.pid;
error_log $d/nginx-error.log;
events { worker_connections 1024; }
http { access_log off; keepalive_requests 1000000;
  server { listen 127.0.0.1:$NGPORT; root $d/www; location / { default_type application/json; } } }
CONF
taskset -c 0 nginx -c $d/nginx.conf
for _ in $(seq 100); do [ -s $d/nginx.pid ] && curl -sf http://127.0.0.1:$NGPORT/page.json >/dev/null && break; sleep 0.05; done
worker=$(pgrep -P "$(cat $d/nginx.pid)" | head -1)
echo "page bytes: $(stat -c %s $d/www/page.json)"

for round in $(seq "$ROUNDS"); do
  taskset -c 1 "$BIN" bench http --url http://127.0.0.1:$PORT --api-key $KEY --connections 64 --threads 1 \
    --quiet --mix get=1 --seconds "$SECS" > $d/r.txt & b=$!
  for _ in $(seq 400); do [ "$(pages)" -gt 0 ] && break; sleep 0.05; done
  sleep 1; p0=$(pages); c0=$(cpu $pid); sleep $((SECS - 3)); p1=$(pages); c1=$(cpu $pid)
  wait $b
  echo "prg   round=$round pages/s=$(awk '/^get / { print $4 }' $d/r.txt | tail -1) server-us/page=$(us_per $((c1 - c0)) $((p1 - p0)))"
  c0=$(cpu $worker)
  taskset -c 1 wrk -t1 -c64 -d"${SECS}s" http://127.0.0.1:$NGPORT/page.json > $d/w.txt
  c1=$(cpu $worker); n=$(awk '/requests in/ { print $1 }' $d/w.txt)
  echo "nginx round=$round pages/s=$(awk '/Requests\/sec/ { printf "%.0f", $2 }' $d/w.txt) server-us/page=$(us_per $((c1 - c0)) "$n")"
done | tee "$OUT/page-nginx.txt"
