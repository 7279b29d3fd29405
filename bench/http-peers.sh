#!/usr/bin/env bash
# GET /healthz, keep-alive, 64 connections: prg vs nginx (1 worker) vs Kestrel (native AOT minimal
# API), each server pinned to core 0 and wrk to core 1, run one after another in this script, three
# rounds each; prints the median req/s of each and the ratios prg/nginx and prg/Kestrel.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10s}
ROUNDS=${ROUNDS:-3}
for tool in wrk nginx taskset; do
  command -v $tool >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk nginx-light util-linux >/dev/null; break; }
done
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; nginx -c "$work/nginx.conf" -s stop 2>/dev/null || true; rm -rf "$work"' EXIT

PRG_BIN=${PRG_BIN:-artifacts/prg/prg}
[ -x "$PRG_BIN" ] || dotnet publish src/Prg -c Release -o artifacts/prg -nologo >/dev/null
[ -x artifacts/kestrel/KestrelBaseline ] || dotnet publish bench/KestrelBaseline -c Release -o artifacts/kestrel -nologo >/dev/null

measure() { # url -> median req/s over ROUNDS
  local url=$1 results=()
  wrk -t1 -c64 -d2s "$url" >/dev/null 2>&1 || true   # warm-up
  for _ in $(seq "$ROUNDS"); do
    results+=("$(taskset -c 1 wrk -t1 -c64 -d"$DURATION" "$url" | awk '/Requests\/sec/ {print $2}')")
  done
  printf '%s\n' "${results[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}
wait_port() { for _ in $(seq 100); do curl -sf "http://127.0.0.1:$1/healthz" >/dev/null && return 0; sleep 0.1; done; echo "port $1 did not answer" >&2; exit 1; }

cat > "$work/nginx.conf" <<CONF
worker_processes 1;
daemon on;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:18081;
    location = /healthz { default_type application/json; return 200 '{"status":"ok"}'; }
  }
}
CONF
taskset -c 0 nginx -c "$work/nginx.conf"
wait_port 18081
nginx_rps=$(measure http://127.0.0.1:18081/healthz)
nginx -c "$work/nginx.conf" -s stop

cat > "$work/prg.yaml" <<CONF
server:
  port: 18080
  db_path: $work/prg-data
  api_keys:
    signing: [bench-signing-key]
  rate_limit:
    rps: 0
encryption:
  enabled: false
logging:
  level: warn
CONF
taskset -c 0 "$PRG_BIN" serve --config "$work/prg.yaml" & prg_pid=$!
wait_port 18080
prg_rps=$(measure http://127.0.0.1:18080/healthz)
kill -TERM $prg_pid; wait $prg_pid || true

ASPNETCORE_URLS=http://127.0.0.1:18082 taskset -c 0 artifacts/kestrel/KestrelBaseline & kestrel_pid=$!
wait_port 18082
kestrel_rps=$(measure http://127.0.0.1:18082/healthz)
kill -TERM $kestrel_pid; wait $kestrel_pid || true

# prg runs its socket completions inline by default; Kestrel gets the same setting here so the
# comparison is like for like.
DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 ASPNETCORE_URLS=http://127.0.0.1:18082 taskset -c 0 artifacts/kestrel/KestrelBaseline & kestrel_pid=$!
wait_port 18082
kestrel_inline_rps=$(measure http://127.0.0.1:18082/healthz)
kill -TERM $kestrel_pid; wait $kestrel_pid || true

printf '%-10s %12s\n' server 'req/s (median)'
printf '%-16s %12s\n' prg "$prg_rps" nginx "$nginx_rps" kestrel "$kestrel_rps" kestrel-inline "$kestrel_inline_rps"
awk -v p="$prg_rps" -v n="$nginx_rps" -v k="$kestrel_rps" -v ki="$kestrel_inline_rps" \
  'BEGIN { printf "prg/nginx = %.2f   prg/kestrel = %.2f   prg/kestrel-inline = %.2f\n", p/n, p/k, p/ki }'
