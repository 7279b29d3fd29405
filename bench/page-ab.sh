#!/usr/bin/env bash
# A/B of the page read (GET limit=50, 200-byte bodies, 64 connections, closed loop): two binaries
# alternated ROUNDS times in one script (the machine is noisy, so A and B run minutes apart at most),
# each with encryption on (embedded KMS) and off, server on core 0, `prg bench http` on core 1.
# With PROFILE=1 the first round's server is recorded by `perf record -g` (perf.data in OUT).
# usage: bench/page-ab.sh OLD_BINARY NEW_BINARY   (SECS=10 ROUNDS=3 OUT=artifacts/page-ab)
set -u
OLD=$1; NEW=$2; PORT=18310; KEY=bench-backend-key
SECS=${SECS:-10}; ROUNDS=${ROUNDS:-3}; OUT=${OUT:-artifacts/page-ab}
mkdir -p "$OUT"
run() { # binary label enabled(true|false) round
  local bin=$1 label=$2 enc=$3 round=$4 d; d=$(mktemp -d)
  "$bin" keygen --out $d/master.key >/dev/null
  cat > $d/config.yaml <<CONF
server:
  address: 127.0.0.1
  port: $PORT
  db_path: $d/data
  api_keys:
    backend: [$KEY]
    signing: [bench-signing-key]
  rate_limit:
    rps: 0
encryption:
  enabled: $enc
  kms:
    mode: embedded
    master_key_file: $d/master.key
logging:
  level: warn
CONF
  taskset -c 0 "$bin" serve --config $d/config.yaml 2>$d/serve.log & local pid=$!
  for _ in $(seq 200); do curl -sf http://127.0.0.1:$PORT/healthz >/dev/null && break; sleep 0.05; done
  local perf=""
  if [ "${PROFILE:-0}" = 1 ] && [ "$round" = 1 ]; then
    perf record -F 999 -g -p $pid -o "$OUT/perf-$label-enc$enc.data" -- sleep $((SECS + 2)) >/dev/null 2>&1 & perf=$!
  fi
  taskset -c 1 "$bin" bench http --url http://127.0.0.1:$PORT --api-key $KEY --connections 64 --threads 1 \
    --quiet --mix get=1 --seconds "$SECS" > $d/r.txt
  [ -n "$perf" ] && wait $perf
  echo "$label enc=$enc round=$round $(grep -E '^get ' $d/r.txt | tail -1)"
  kill -TERM $pid; wait $pid; rm -rf $d
}
for round in $(seq "$ROUNDS"); do
  for enc in true false; do
    run "$OLD" old $enc $round
    run "$NEW" new $enc $round
  done
done | tee "$OUT/page-ab.txt"
