#!/usr/bin/env bash
# The side-by-side benchmark suite on this machine, in one run (about 8 minutes on 2 cores):
#   1. /healthz, 64 keep-alive connections: prg vs nginx (1 worker) vs Kestrel (AOT), 3 rounds each
#      (bench/http-peers.sh);
#   2. encrypted message POST (200-byte body, durable ack) and page GET (limit=50) with
#      `prg bench http`, embedded KMS and external KMS (`prg kms` on a Unix socket), plus the POST
#      p99 at half the measured rate and a latency-vs-throughput curve (SVG);
#   3. `prg bench crypto` vs `openssl speed -evp aes-256-gcm` on one core (64 / 1024 / 16384 B);
#   4. `prg bench kms` against that `prg kms`;
#   5. binary size and start-to-ready time;
# then prints one table of ratios against the targets of design.md. Servers are pinned to core 0,
# load generators to core 1. Results (JSON reports, logs, table, SVG) go to $OUT.
# Knobs: MEASURE (seconds per measurement, default 10), ROUNDS (default 3), OUT, PRG_BIN.
set -euo pipefail
cd "$(dirname "$0")/.."
MEASURE=${MEASURE:-10}
ROUNDS=${ROUNDS:-3}
OUT=${OUT:-artifacts/bench}
CONNECTIONS=64
SERVER_CPU=0
LOADER_CPU=1
suite_started=$(date +%s)
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
log() { printf '\n== %s (%ds)\n' "$*" $(( $(date +%s) - suite_started )) >&2; }

# --- peers and tools from Debian packages -----------------------------------------------------
missing=()
for pair in wrk:wrk nginx:nginx-light pgbench:postgresql redis-server:redis-server openssl:openssl taskset:util-linux curl:curl awk:gawk; do
  command -v "${pair%%:*}" >/dev/null || missing+=("${pair#*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]}"
  SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# --- builds -----------------------------------------------------------------------------------
PRG_BIN=${PRG_BIN:-artifacts/prg/prg}
if [ -z "${SKIP_BUILD:-}" ]; then
  log "building prg (native AOT) and the Kestrel baseline"
  dotnet publish src/Prg -c Release -o "$(dirname "$PRG_BIN")" -nologo >"$OUT/build.log"
  dotnet publish bench/KestrelBaseline -c Release -o artifacts/kestrel -nologo >>"$OUT/build.log"
fi
PRG_BIN=$(cd "$(dirname "$PRG_BIN")" && pwd)/$(basename "$PRG_BIN")

work=$(mktemp -d)
cleanup() {
  local pids; pids=$(jobs -p)
  [ -z "$pids" ] || kill $pids 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# --- helpers ----------------------------------------------------------------------------------
wait_http() { # port pid -> 0 once /healthz answers, 1 if the process exits or 15 s pass
  for _ in $(seq 300); do
    curl -sf "http://127.0.0.1:$1/healthz" >/dev/null && return 0
    kill -0 "$2" 2>/dev/null || return 1
    sleep 0.05
  done
  return 1
}
wait_socket() { # path
  for _ in $(seq 300); do [ -S "$1" ] && return 0; sleep 0.05; done
  echo "run-all: $1 did not appear" >&2; exit 1
}
loader() { taskset -c $LOADER_CPU "$PRG_BIN" "$@"; }
# A field of prg bench's text tables: in the section whose title starts with $2, the row whose first
# cell is $3 (or the first row when $3 is empty), column $4.
table_field() { # file section-title-prefix row-label column-number
  awk -v title="$2" -v row="$3" -v col="$4" '
    index($0, title) == 1 { in_section = 1; header = 1; next }
    in_section && header { header = 0; next }
    in_section && NF == 0 { in_section = 0 }
    in_section && (row == "" || $1 == row) { print $col; exit }' "$1"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 == 0) print "n/a"; else printf "%.2f", a / b }'; }

KEY=bench-backend-key
PORT=18100
write_config() { # dir mode(embedded|external|plaintext) [kms socket]
  local dir=$1 mode=$2 socket=${3:-} enabled=true
  [ "$mode" = plaintext ] && { enabled=false; mode=embedded; }
  cat > "$dir/config.yaml" <<CONF
server:
  address: 127.0.0.1
  port: $PORT
  db_path: $dir/data
  api_keys:
    backend: [$KEY]
    signing: [bench-signing-key]
  rate_limit:
    rps: 0
encryption:
  enabled: $enabled
  kms:
    mode: $mode
CONF
  if [ "$mode" = embedded ]; then
    echo "    master_key_file: $dir/master.key" >> "$dir/config.yaml"
  else
    echo "    endpoint: unix:$socket" >> "$dir/config.yaml"
  fi
  printf 'logging:\n  level: warn\n' >> "$dir/config.yaml"
}

# Runs the POST and GET mixes (and, for embedded, the latency curve) against a fresh prg serve.
declare -A R
bench_store() { # mode(embedded|external)
  local mode=$1 dir="$work/$1" kms_pid="" socket=""
  mkdir -p "$dir"
  "$PRG_BIN" keygen --out "$dir/master.key" >/dev/null
  if [ "$mode" = external ]; then
    socket="$dir/prgkms.sock"
    taskset -c $SERVER_CPU "$PRG_BIN" kms --master-key-file "$dir/master.key" --socket "$socket" \
      --data-dir "$dir/kms-data" 2>"$OUT/kms-$mode.log" & kms_pid=$!
    wait_socket "$socket"
    log "prg bench kms against prg kms (concurrency 1, then 4)"
    local title="prgkms decrypt (round trip through the client)"
    loader bench kms --endpoint "unix:$socket" --seconds 5 --concurrency 1 --quiet --json "$OUT/kms-c1.json" | tee "$OUT/kms-c1.txt"
    loader bench kms --endpoint "unix:$socket" --seconds 5 --concurrency 4 --quiet --json "$OUT/kms-c4.json" | tee "$OUT/kms-c4.txt"
    R[kms_p50]=$(table_field "$OUT/kms-c1.txt" "$title" single 6)
    R[kms_batch]=$(awk -v a="$(table_field "$OUT/kms-c1.txt" "$title" batch 5)" -v b="$(table_field "$OUT/kms-c4.txt" "$title" batch 5)" 'BEGIN { print (a > b ? a : b) }')
  fi
  write_config "$dir" "$mode" "$socket"
  taskset -c $SERVER_CPU "$PRG_BIN" serve --config "$dir/config.yaml" 2>"$OUT/serve-$mode.log" & local pid=$!
  if ! wait_http $PORT $pid; then
    echo "run-all: prg serve ($mode KMS) did not start: $(tail -1 "$OUT/serve-$mode.log")" >&2
    kill -TERM $pid 2>/dev/null || true; wait $pid 2>/dev/null || true
    R[post_$mode]="not run"; R[post_half_p99_$mode]="not run"; R[get_$mode]="not run"
    if [ -n "$kms_pid" ]; then kill -TERM $kms_pid; wait $kms_pid || true; fi
    return 0
  fi
  local common=(--url "http://127.0.0.1:$PORT" --api-key "$KEY" --connections $CONNECTIONS --threads 1 --quiet)

  log "prg bench http: POST 200 B, encrypted ($mode KMS)"
  loader bench http "${common[@]}" --mix post=1 --seconds "$MEASURE" --json "$OUT/http-post-$mode.json" | tee "$OUT/http-post-$mode.txt"
  R[post_$mode]=$(table_field "$OUT/http-post-$mode.txt" Summary "" 6)

  local half; half=$(awk -v r="${R[post_$mode]}" 'BEGIN { printf "%d", r / 2 }')
  log "prg bench http: POST at half that rate ($half/s, open loop, $mode KMS)"
  loader bench http "${common[@]}" --mix post=1 --seconds "$MEASURE" --rate "$half" --json "$OUT/http-post-half-$mode.json" | tee "$OUT/http-post-half-$mode.txt"
  R[post_half_p99_$mode]=$(table_field "$OUT/http-post-half-$mode.txt" "Latency by request kind" post 8)

  log "prg bench http: GET page of 50, encrypted ($mode KMS)"
  loader bench http "${common[@]}" --mix get=1 --seconds "$MEASURE" --json "$OUT/http-get-$mode.json" | tee "$OUT/http-get-$mode.txt"
  R[get_$mode]=$(table_field "$OUT/http-get-$mode.txt" Summary "" 6)

  local title="Latency by request kind"
  half=$(awk -v r="${R[get_$mode]}" 'BEGIN { printf "%d", r / 2 }')
  log "prg bench http: GET page at half that rate ($half/s, open loop, $mode KMS)"
  loader bench http "${common[@]}" --mix get=1 --seconds "$MEASURE" --rate "$half" > "$OUT/http-get-half-$mode.txt"
  R[get_half_p99_$mode]=$(table_field "$OUT/http-get-half-$mode.txt" "$title" get 8)

  if [ "$mode" = embedded ]; then
    # Open-loop sweep: fixed rates (2,000 and 5,000/s are the design targets) plus fractions of the
    # closed-loop peak, each timed from when the request was due. Columns: offered achieved p50 p99 p99.9.
    log "open-loop latency sweep (POST, embedded KMS)"
    : > "$OUT/curve.tsv"
    local rates; rates=$(awk -v r="${R[post_$mode]}" 'BEGIN { printf "1000 2000 5000 %d %d %d %d", r * 0.25, r * 0.5, r * 0.75, r * 0.9 }' | tr ' ' '\n' | sort -n | uniq)
    for rate in $rates; do
      [ "$rate" -gt 0 ] || continue
      loader bench http "${common[@]}" --mix post=1 --seconds "$MEASURE" --rate "$rate" > "$work/curve.txt"
      printf '%s\t%s\t%s\t%s\t%s\n' "$rate" "$(table_field "$work/curve.txt" Summary "" 6)" \
        "$(table_field "$work/curve.txt" "$title" post 6)" "$(table_field "$work/curve.txt" "$title" post 8)" \
        "$(table_field "$work/curve.txt" "$title" post 9)" >> "$OUT/curve.tsv"
    done
    # The identical page bytes for nginx: a thread of 50 messages of 200 bytes, read back once.
    local h=(-H "Authorization: Bearer $KEY" -H "X-User-ID: bench" -H "Content-Type: application/json")
    local t; t=$(curl -sf "${h[@]}" -d '{"title":"page"}' "http://127.0.0.1:$PORT/v1/threads" | sed 's/.*"key":"\([^"]*\)".*/\1/')
    local text; text=$(printf 'x%.0s' $(seq 186))
    for _ in $(seq 50); do curl -sf "${h[@]}" -d "{\"body\":{\"text\":\"$text\"}}" "http://127.0.0.1:$PORT/v1/threads/$t/messages" >/dev/null; done
    mkdir -p "$work/www"
    curl -sf "${h[@]}" "http://127.0.0.1:$PORT/v1/threads/$t/messages?limit=50" > "$work/www/page.json"
  fi

  kill -TERM $pid; wait $pid || true
  if [ -n "$kms_pid" ]; then kill -TERM $kms_pid; wait $kms_pid || true; fi
}

# Latency (p50, p99) against achieved throughput, as a small hand-written SVG.
write_svg() { # tsv svg
  awk -F'\t' '
    { x[NR] = $2; p50[NR] = $3; p99[NR] = $4; if ($2 > xmax) xmax = $2; if ($4 > ymax) ymax = $4 }
    END {
      if (NR == 0 || xmax == 0) exit
      if (ymax == 0) ymax = 1
      W = 640; H = 400; L = 70; B = 50; T = 30; Rm = 20; pw = W - L - Rm; ph = H - T - B
      printf "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">\n", W, H
      printf "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
      printf "<text x=\"%d\" y=\"18\" text-anchor=\"middle\" font-size=\"14\">prg encrypted POST (200 B, durable): latency vs throughput</text>\n", W / 2
      printf "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>\n", L, T + ph, L + pw, T + ph
      printf "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>\n", L, T, L, T + ph
      for (i = 0; i <= 4; i++) {
        gx = L + pw * i / 4; gy = T + ph - ph * i / 4
        printf "<text x=\"%.0f\" y=\"%d\" text-anchor=\"middle\">%.0f</text>\n", gx, T + ph + 16, xmax * i / 4
        printf "<text x=\"%d\" y=\"%.0f\" text-anchor=\"end\">%.2f</text>\n", L - 6, gy + 4, ymax * i / 4
        printf "<line x1=\"%d\" y1=\"%.0f\" x2=\"%d\" y2=\"%.0f\" stroke=\"#ddd\"/>\n", L, gy, L + pw, gy
      }
      printf "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">messages/s (achieved)</text>\n", L + pw / 2, H - 10
      printf "<text x=\"16\" y=\"%d\" text-anchor=\"middle\" transform=\"rotate(-90 16 %d)\">latency (ms)</text>\n", T + ph / 2, T + ph / 2
      split("p50 p99", names, " "); split("#1f77b4 #d62728", colors, " ")
      for (s = 1; s <= 2; s++) {
        pts = ""
        for (i = 1; i <= NR; i++) {
          v = (s == 1 ? p50[i] : p99[i])
          px = L + pw * x[i] / xmax; py = T + ph - ph * v / ymax
          pts = pts sprintf("%.1f,%.1f ", px, py)
          printf "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>\n", px, py, colors[s]
        }
        printf "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"/>\n", pts, colors[s]
        printf "<text x=\"%d\" y=\"%d\" fill=\"%s\">%s</text>\n", L + 10, T + 14 * s, colors[s], names[s]
      }
      print "</svg>"
    }' "$1" > "$2"
}

# --- 1. /healthz against the peers ------------------------------------------------------------
log "/healthz: prg vs nginx vs Kestrel (bench/http-peers.sh, $ROUNDS rounds of ${MEASURE}s)"
DURATION=${MEASURE}s ROUNDS=$ROUNDS PRG_BIN=$PRG_BIN bench/http-peers.sh | tee "$OUT/healthz.txt"
read -r HZ_NGINX HZ_KESTREL HZ_KESTREL_INLINE < <(awk '/^prg\/nginx/ { print $3, $6, $9 }' "$OUT/healthz.txt")

# --- 2. encrypted store, embedded and external KMS (4. prg bench kms runs first in external) ---
bench_store embedded
write_svg "$OUT/curve.tsv" "$OUT/latency-vs-throughput.svg"
bench_store external
bench_store plaintext

# --- 2b. nginx serving the identical page bytes as a static file ------------------------------
log "nginx: the same page response as a static file ($(stat -c %s "$work/www/page.json") bytes)"
cat > "$work/nginx-page.conf" <<CONF
worker_processes 1;
daemon on;
pid $work/nginx-page.pid;
error_log $work/nginx-page-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  keepalive_requests 1000000;
  server { listen 127.0.0.1:18082; root $work/www; location / { default_type application/json; } }
}
CONF
taskset -c $SERVER_CPU nginx -c "$work/nginx-page.conf"
sleep 0.2
taskset -c $LOADER_CPU wrk -t1 -c$CONNECTIONS -d"${MEASURE}s" http://127.0.0.1:18082/page.json > "$OUT/nginx-page.txt"
nginx -c "$work/nginx-page.conf" -s stop || true
R[nginx_page]=$(awk '/Requests\/sec/ { printf "%.0f", $2 }' "$OUT/nginx-page.txt")

# --- 2c. PostgreSQL and Redis on the same disk (bench/db-peers.sh) ----------------------------
log "PostgreSQL and Redis peers (bench/db-peers.sh)"
SECONDS_PER=$MEASURE OUT=$OUT bench/db-peers.sh | tee "$OUT/db-peers.txt"
peer() { awk -v n="$1" -v c="$2" '$1 == n { print $c }' "$OUT/db-peers.txt"; }

# --- 3. crypto vs openssl on one core ---------------------------------------------------------
log "prg bench crypto vs openssl speed -evp aes-256-gcm (core $LOADER_CPU)"
loader bench crypto --sizes 256,1024,16384 --threads 1 --seconds 3 --quiet --json "$OUT/crypto.json" | tee "$OUT/crypto.txt"
: > "$OUT/openssl.txt"
for size in 256 1024 16384; do
  taskset -c $LOADER_CPU openssl speed -elapsed -seconds 3 -bytes $size -evp aes-256-gcm 2>/dev/null | tail -1 >> "$OUT/openssl.txt"
done
crypto_title="Throughput (AES-256-GCM; frame = prg data frame, gcm = bare .NET AesGcm)"
crypto_mb() { awk -v title="$crypto_title" -v size="$1" -v op="$2" '
  $0 == title { s = 1; next } s && NF == 0 { s = 0 } s && $1 == size && $3 == op { print $5; exit }' "$OUT/crypto.txt"; }
openssl_mb() { awk -v n="$1" 'NR == n { v = $NF; sub(/k$/, "", v); printf "%.1f", v * 1000 / 1e6 }' "$OUT/openssl.txt"; }

# --- 5. binary size and start-to-ready --------------------------------------------------------
log "binary size and start-to-ready"
size_mb=$(awk -v b="$(stat -c %s "$PRG_BIN")" 'BEGIN { printf "%.1f", b / 1048576 }')
mkdir -p "$work/ready"
write_config "$work/ready" embedded
"$PRG_BIN" keygen --out "$work/ready/master.key" >/dev/null
best_ready=""
for _ in 1 2 3; do
  rm -rf "$work/ready/data"
  t0=$(date +%s%N)
  "$PRG_BIN" serve --config "$work/ready/config.yaml" 2>/dev/null & pid=$!
  until curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1; do
    kill -0 $pid 2>/dev/null || { echo "run-all: prg serve exited during the start-up measurement" >&2; exit 1; }
    sleep 0.002
  done
  t1=$(date +%s%N)
  kill -TERM $pid; wait $pid || true
  ms=$(( (t1 - t0) / 1000000 ))
  if [ -z "$best_ready" ] || [ "$ms" -lt "$best_ready" ]; then best_ready=$ms; fi
done

# --- the table --------------------------------------------------------------------------------
row() { printf '%-52s %14s %14s  %s\n' "$1" "$2" "$3" "$4"; }
numeric() { [[ "$1" =~ ^[0-9]+(\.[0-9]+)?$ ]]; }
verdict_ge() { numeric "$1" || { echo "not measured"; return; }; awk -v v="$1" -v t="$2" 'BEGIN { print (v + 0 >= t + 0) ? "met" : "MISSED" }'; }
verdict_lt() { numeric "$1" || { echo "not measured"; return; }; awk -v v="$1" -v t="$2" 'BEGIN { print (v + 0 < t + 0) ? "met" : "MISSED" }'; }
{
  echo
  echo "prg side-by-side benchmarks — $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)), $(uname -sr)"
  echo "servers on core $SERVER_CPU, load generators on core $LOADER_CPU; ${MEASURE}s per measurement"
  echo
  row "what" "measured" "target" "verdict"
  row "GET /healthz: prg / nginx (1 worker), req/s ratio" "$HZ_NGINX" ">= 1.00" "$(verdict_ge "$HZ_NGINX" 1.0)"
  row "GET /healthz: prg / Kestrel (AOT), req/s ratio" "$HZ_KESTREL" ">= 1.20" "$(verdict_ge "$HZ_KESTREL" 1.2)"
  row "  same, Kestrel with inline socket completions too" "$HZ_KESTREL_INLINE" "-" ""
  for mode in embedded external; do
    row "encrypted POST 200 B durable, msg/s ($mode)" "${R[post_$mode]}" ">= 30000" "$(verdict_ge "${R[post_$mode]}" 30000)"
    row "  p99 ms at half that rate ($mode)" "${R[post_half_p99_$mode]}" "< 5" "$(verdict_lt "${R[post_half_p99_$mode]}" 5)"
    row "encrypted GET page of 50, pages/s ($mode)" "${R[get_$mode]}" ">= 10000" "$(verdict_ge "${R[get_$mode]}" 10000)"
    row "  page p99 ms at half that rate ($mode)" "${R[get_half_p99_$mode]}" "<= 10" "$(verdict_lt "${R[get_half_p99_$mode]}" 10.01)"
  done
  row "plaintext POST msg/s; encrypted/plaintext" "${R[post_plaintext]}" "" "$(ratio "${R[post_embedded]}" "${R[post_plaintext]}") (>= 0.90)"
  row "plaintext GET pages/s; encrypted/plaintext" "${R[get_plaintext]}" "" "$(ratio "${R[get_embedded]}" "${R[get_plaintext]}") (>= 0.85)"
  row "encrypted pages/s / nginx static page" "$(ratio "${R[get_embedded]}" "${R[nginx_page]}")" ">= 0.25" "(nginx ${R[nginx_page]}/s)"
  row "PostgreSQL durable INSERT, tx/s (p99 ms)" "$(peer postgres-insert-closed 2)" "" "p99 $(peer postgres-insert-closed 4)"
  row "encrypted POST / PostgreSQL INSERT" "$(ratio "${R[post_embedded]}" "$(peer postgres-insert-closed 2)")" ">= 1.70" "$(verdict_ge "$(ratio "${R[post_embedded]}" "$(peer postgres-insert-closed 2)")" 1.7)"
  row "PostgreSQL page SELECT LIMIT 50, tx/s" "$(peer postgres-page-closed 2)" "" "encrypted prg / pg: $(ratio "${R[get_embedded]}" "$(peer postgres-page-closed 2)")"
  row "Redis SET appendfsync always, req/s (p99 ms)" "$(peer redis-set-always 2)" "" "p99 $(peer redis-set-always 4)"
  echo
  echo "open loop, encrypted durable POST (offered/s, achieved/s, p50, p99, p99.9 ms; target p99 <= 5, p99.9 <= 20):"
  awk -F'\t' '{ printf "  %8s %8s %8s %8s %8s\n", $1, $2, $3, $4, $5 }' "$OUT/curve.tsv"
  echo "PostgreSQL INSERT open loop (from schedule):"
  awk '$1 ~ /^postgres-insert-open/ { printf "  %-28s %8s/s p50 %s p99 %s p99.9 %s\n", $1, $2, $3, $4, $5 }' "$OUT/db-peers.txt"
  for size in 256 1024 16384; do
    n=$(( size == 256 ? 1 : size == 1024 ? 2 : 3 ))
    o=$(openssl_mb $n)
    target="-"; verdict=""
    case $size in 256) target=">= 0.50" ;; 1024) target=">= 0.80" ;; esac
    v=$(ratio "$(crypto_mb $size frame-encrypt)" "$o")
    [ "$target" = "-" ] || verdict=$(verdict_ge "$v" "${target#>= }")
    row "AES-256-GCM $size B: prg frame encrypt / openssl" "$v" "$target" "$verdict"
    row "AES-256-GCM $size B: prg frame decrypt / openssl" "$(ratio "$(crypto_mb $size frame-decrypt)" "$o")" "$target" ""
    row "AES-256-GCM $size B: bare AesGcm / openssl" "$(ratio "$(crypto_mb $size gcm-encrypt)" "$o")" "" "(${o} MB/s openssl)"
  done
  row "prgkms decrypt, batched, items/s" "${R[kms_batch]}" ">= 50000" "$(verdict_ge "${R[kms_batch]}" 50000)"
  row "prgkms single decrypt p50, µs" "${R[kms_p50]}" "< 100" "$(verdict_lt "${R[kms_p50]}" 100)"
  row "start to ready (empty store), ms (best of 3)" "$best_ready" "< 100" "$(verdict_lt "$best_ready" 100)"
  row "binary size, MB" "$size_mb" "< 30" "$(verdict_lt "$size_mb" 30)"
  echo
  echo "details: $OUT (JSON reports, logs, curve.tsv, latency-vs-throughput.svg); suite took $(( $(date +%s) - suite_started ))s"
} | tee "$OUT/summary.txt"
