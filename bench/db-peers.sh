#!/usr/bin/env bash
# The databases a chat server would otherwise store messages in, measured on this machine the way
# prg is: server pinned to core 0, load generator to core 1, 64 clients, 200-byte messages.
#   PostgreSQL 15: durable INSERT (synchronous_commit on) into messages(thread_id, id) PK, closed loop
#                  and open loop (pgbench -R, latency from the scheduled time = latency + schedule lag);
#                  the page read SELECT ... WHERE thread_id = $1 ORDER BY id DESC LIMIT 50 (plaintext).
#   Redis 7:       SET of 200 bytes with appendonly yes, appendfsync always (redis-benchmark).
# Prints one line per measurement: "name rate p50_ms p99_ms p999_ms" (rate = achieved tx/s).
# Installs postgresql and redis-server itself. Knobs: SECONDS_PER (default 10), RATES ("2000 5000"),
# OUT (raw logs).
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER=${SECONDS_PER:-10}
RATES=${RATES:-"2000 5000"}
CLIENTS=64
SERVER_CPU=0
LOADER_CPU=1
OUT=${OUT:-artifacts/bench}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$pgbin" ] || ! command -v redis-server >/dev/null || ! command -v pgbench >/dev/null; then
  SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql redis-server >/dev/null
  pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
fi
# The Debian packages start their own services; ours run on private ports and directories.
work=$(mktemp -d /tmp/prg-db-peers.XXXXXX)
chmod 755 "$work"
PGPORT=15432
RPORT=16379
cleanup() {
  if [ -f "$work/pg/postmaster.pid" ]; then
    runuser -u postgres -- "$pgbin/pg_ctl" -D "$work/pg" -m immediate stop >/dev/null 2>&1 || true
  fi
  redis-cli -p $RPORT shutdown nosave >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

# Percentiles of a column of microseconds on stdin -> "p50_ms p99_ms p999_ms".
percentiles() {
  sort -n | awk '{ v[NR] = $1 } END {
    if (NR == 0) { print "n/a n/a n/a"; exit }
    i50 = int(NR * 0.50); i99 = int(NR * 0.99); i999 = int(NR * 0.999)
    if (i50 < 1) i50 = 1; if (i99 < 1) i99 = 1; if (i999 < 1) i999 = 1
    printf "%.2f %.2f %.2f\n", v[i50] / 1000, v[i99] / 1000, v[i999] / 1000 }'
}

# --- PostgreSQL ---------------------------------------------------------------------------------
# initdb refuses root: the cluster belongs to the postgres user, in a temporary directory.
mkdir -p "$work/pg" "$work/pgsock"
chown postgres "$work/pg" "$work/pgsock"
runuser -u postgres -- "$pgbin/initdb" -D "$work/pg" -A trust -U postgres >/dev/null
cat >> "$work/pg/postgresql.conf" <<CONF
port = $PGPORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$work/pgsock'
max_connections = 200
shared_buffers = 256MB
synchronous_commit = on
fsync = on
CONF
taskset -c $SERVER_CPU runuser -u postgres -- "$pgbin/pg_ctl" -D "$work/pg" -l "$work/pg/server.log" -w start >/dev/null
psql_() { psql -h 127.0.0.1 -p $PGPORT -U postgres -qAt "$@"; }
psql_ -c "CREATE TABLE messages (thread_id int NOT NULL, id bigint NOT NULL, ts bigint NOT NULL, body text NOT NULL, PRIMARY KEY (thread_id, id))"
psql_ -c "CREATE SEQUENCE message_ids CACHE 1000"
body=$(printf 'x%.0s' $(seq 200))
cat > "$work/insert.sql" <<SQL
\set t random(1, 64)
INSERT INTO messages VALUES (:t, nextval('message_ids'), 1700000000000000000, '$body');
SQL
cat > "$work/page.sql" <<'SQL'
\set t random(1, 64)
SELECT id, ts, body FROM messages WHERE thread_id = :t ORDER BY id DESC LIMIT 50;
SQL

pgbench_run() { # name script [extra pgbench flags...]; per-transaction log -> percentiles from schedule
  local name=$1 script=$2; shift 2
  rm -f "$work"/pgbench_log.*
  (cd "$work" && taskset -c $LOADER_CPU pgbench -h 127.0.0.1 -p $PGPORT -U postgres -n -M prepared \
    -c $CLIENTS -j 1 -T "$SECONDS_PER" -f "$script" -l --log-prefix=pgbench_log "$@" postgres) > "$OUT/pg-$name.txt" 2>&1
  local tps; tps=$(awk '/^tps = / { printf "%.0f", $3; exit }' "$OUT/pg-$name.txt")
  # Columns: client tx latency_us script epoch epoch_us [schedule_lag_us]; open loop adds the lag.
  local pct; pct=$(cat "$work"/pgbench_log.* | awk '{ print $3 + (NF >= 7 ? $7 : 0) }' | percentiles)
  echo "postgres-$name $tps $pct"
}

pgbench_run insert-closed "$work/insert.sql"
for rate in $RATES; do
  pgbench_run "insert-open-$rate" "$work/insert.sql" -R "$rate"
done
# Pages: fill each of the 64 threads to a few hundred rows first (already there from the inserts).
psql_ -c "VACUUM ANALYZE messages"
pgbench_run page-closed "$work/page.sql"

# --- Redis --------------------------------------------------------------------------------------
mkdir -p "$work/redis"
taskset -c $SERVER_CPU redis-server --port $RPORT --bind 127.0.0.1 --dir "$work/redis" --save '' \
  --appendonly yes --appendfsync always --daemonize yes --logfile "$work/redis.log" >/dev/null
for _ in $(seq 100); do redis-cli -p $RPORT ping >/dev/null 2>&1 && break; sleep 0.05; done
requests=$(( SECONDS_PER * 30000 ))
# Redis 7 ends with "throughput summary: N requests per second" and a latency summary table.
taskset -c $LOADER_CPU redis-benchmark -p $RPORT -t set -d 200 -c $CLIENTS -n $requests -r 100000 \
  > "$OUT/redis-set-full.txt" 2>&1 || true
awk '
  /throughput summary:/ { rps = $3 }
  /latency summary/ { getline; getline; p50 = $3; p99 = $5 }
  END { printf "redis-set-always %.0f %s %s n/a\n", rps, p50, p99 }' "$OUT/redis-set-full.txt"
