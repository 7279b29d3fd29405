#!/usr/bin/env bash
# Backup and restore of a store of about MESSAGES (default 1,000,000) 200-byte encrypted messages,
# next to `cp -r` (+ sync) of the stopped data directory: the issue-15 figures. Server on core 0,
# loader and backup client on core 1. usage: bench/backup-1m.sh [PRG_BINARY]
set -eu
BIN=${1:-artifacts/prg/prg}; PORT=18601; KEY=bench-backend-key; ADMIN=bench-admin-key
MESSAGES=${MESSAGES:-1000000}
. "$(dirname "$0")/bench-server.sh"
d=$(mktemp -d); bench_config $d $PORT true "$BIN"
taskset -c 0 "$BIN" serve --config $d/config.yaml 2>$d/serve.log & pid=$!
trap 'kill $pid 2>/dev/null; cat $d/serve.log >&2' ERR
bench_wait_ready $PORT
count() { curl -s -H "Authorization: Bearer $ADMIN" http://127.0.0.1:$PORT/metrics | awk '/^prg_messages /{print $2}'; }
while :; do
  n=$(count); n=${n:-0}
  [ "${n%.*}" -ge "$MESSAGES" ] && break
  taskset -c 1 "$BIN" bench http --url http://127.0.0.1:$PORT --api-key $KEY --connections 32 --quiet --mix post=1 --seconds 20 >/dev/null
done
echo "live messages: $(count)"
t() { local s=$(date +%s.%N); "$@"; echo "$(echo "$(date +%s.%N) - $s" | bc) s: $*"; }
t taskset -c 1 "$BIN" backup --url http://127.0.0.1:$PORT --admin-key $ADMIN --out $d/b.tar 2>$d/backup.err
echo "archive: $(stat -c %s $d/b.tar) bytes"
kill -TERM $pid; wait $pid || true
echo "data dir: $(du -sb $d/data | cut -f1) bytes"
sync; t taskset -c 1 sh -c "\"$BIN\" restore --in $d/b.tar --data-dir $d/r1 >/dev/null"
sync; t taskset -c 1 sh -c "\"$BIN\" restore --in $d/b.tar --data-dir $d/r2 --verify --master-key-file $d/master.key >$d/verify.out"
cat $d/verify.out | tail -3
sync; t sh -c "cp -r $d/data $d/cp1 && sync"
tail -2 $d/backup.err
rm -rf $d
