# Sourced by the A/B and backup scripts: one throwaway prg server configuration and its readiness wait.
# Keys: backend bench-backend-key, admin bench-admin-key, signing bench-signing-key; no rate limit.

# bench_config DIR PORT ENCRYPTION(true|false) BINARY: a master key and DIR/config.yaml (data in DIR/data).
bench_config() {
  local d=$1 port=$2 enc=$3 bin=$4
  "$bin" keygen --out "$d/master.key" >/dev/null
  cat > "$d/config.yaml" <<CONF
server:
  address: 127.0.0.1
  port: $port
  db_path: $d/data
  api_keys:
    backend: [bench-backend-key]
    admin: [bench-admin-key]
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
}

# bench_wait_ready PORT: until /healthz answers (at most 10 s).
bench_wait_ready() {
  for _ in $(seq 200); do curl -sf "http://127.0.0.1:$1/healthz" >/dev/null && return 0; sleep 0.05; done
  echo "bench: no server on port $1" >&2; return 1
}

# bench_new_thread PORT TITLE: creates a thread as user "bench" with the backend key; prints its key.
bench_new_thread() {
  curl -sf -X POST -H "Authorization: Bearer bench-backend-key" -H 'X-User-ID: bench' -H 'Content-Type: application/json' \
    -d "{\"title\":\"$2\"}" "http://127.0.0.1:$1/v1/threads" | sed 's/.*"key":"\([^"]*\)".*/\1/'
}
