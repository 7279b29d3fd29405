#!/usr/bin/env bash
# A store written by BASE (FORMAT 2: 150 encrypted messages, one deleted, shut down), then served by NEW:
# the same page bytes. usage: bench/page-compat.sh BASE_BINARY NEW_BINARY
set -eu
BASE=$1 NEW=$2 PORT=18377
. "$(dirname "$0")/bench-server.sh"
d=$(mktemp -d); bench_config $d $PORT true "$BASE"
H=(-H "Authorization: Bearer bench-backend-key" -H "X-User-ID: bench" -H "Content-Type: application/json")
"$BASE" serve --config $d/config.yaml 2>$d/base.log & pid=$!; bench_wait_ready $PORT
t=$(bench_new_thread $PORT compat)
for i in $(seq 1 150); do curl -sf "${H[@]}" -X POST -d "{\"body\":{\"text\":\"message $i\"}}" http://127.0.0.1:$PORT/v1/threads/$t/messages >/dev/null; done
del=$(curl -sf "${H[@]}" "http://127.0.0.1:$PORT/v1/threads/$t/messages?limit=3" | grep -o '"key":"[0-9]*-[0-9]*"' | head -1 | cut -d'"' -f4)
curl -sf "${H[@]}" -X DELETE http://127.0.0.1:$PORT/v1/threads/$t/messages/$del >/dev/null || echo "delete failed (continuing)"
for q in "limit=50" "limit=100" "limit=7"; do curl -sf "${H[@]}" "http://127.0.0.1:$PORT/v1/threads/$t/messages?$q" > $d/base-$q.json; done
kill -TERM $pid; wait $pid || true   # shutdown checkpoint
"$NEW" serve --config $d/config.yaml 2>$d/new.log & pid=$!; bench_wait_ready $PORT
ok=1
for q in "limit=50" "limit=100" "limit=7"; do
  curl -sf "${H[@]}" "http://127.0.0.1:$PORT/v1/threads/$t/messages?$q" > $d/new-$q.json
  if cmp -s $d/base-$q.json $d/new-$q.json; then echo "$q: identical ($(wc -c < $d/new-$q.json) bytes, $(grep -o '"key":"[0-9]*-' $d/new-$q.json | wc -l) messages)"; else echo "$q: DIFFERENT"; ok=0; fi
done
kill -TERM $pid; wait $pid || true; cat $d/data/FORMAT 2>/dev/null || ls $d/data; rm -rf $d; [ $ok = 1 ]
