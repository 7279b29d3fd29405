#!/usr/bin/env bash
# Development run with encryption on (seed §8): an ephemeral master key from `prg keygen`, `prg serve`
# on a free local port with a throwaway data dir, then a thread created, messages posted and read
# back with curl, each step and response printed; the server is stopped cleanly (SIGTERM) at the end.
#
#   tools/dev.sh [embedded]   in-process (embedded) KMS, the default
#   tools/dev.sh external     the external key service: `prg kms` on a Unix socket, prg serve using it
#
# Env: PRG_BINARY (default artifacts/prg/prg, published first if missing), PRG_DEV_PORT (default: free port).
set -euo pipefail
cd "$(dirname "$0")/.."

mode="${1:-embedded}"
case "$mode" in
  embedded|external) ;;
  -h|--help)
    sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
    exit 0 ;;
  *)
    echo "tools/dev.sh: unknown mode '$mode' (embedded | external)" >&2
    exit 2 ;;
esac

for tool in curl; do
  command -v "$tool" >/dev/null 2>&1 || { echo "tools/dev.sh: needs $tool" >&2; exit 1; }
done

prg="${PRG_BINARY:-$PWD/artifacts/prg/prg}"
if [ ! -x "$prg" ]; then
  echo "==> publishing the AOT binary to artifacts/prg (first run only)"
  DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 dotnet publish src/Prg -c Release -o artifacts/prg -nologo >/dev/null
  prg="$PWD/artifacts/prg/prg"
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/prg-dev.XXXXXX")"
server_pid=""
kms_pid=""
cleanup() {
  for pid in "$server_pid" "$kms_pid"; do
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

port="${PRG_DEV_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 8080)}"
admin="dev-admin-$RANDOM$RANDOM"
backend="dev-backend-$RANDOM$RANDOM"
signing="dev-signing-$RANDOM$RANDOM"

step() { printf '\n==> %s\n' "$*"; }

step "ephemeral master key: $prg keygen --out $work/master.key"
"$prg" keygen --out "$work/master.key"

if [ "$mode" = external ]; then
  step "starting the key service: $prg kms --socket $work/prgkms.sock --data-dir $work/kms-data --master-key-file $work/master.key"
  "$prg" kms --socket "$work/prgkms.sock" --data-dir "$work/kms-data" --master-key-file "$work/master.key" >"$work/prgkms.log" 2>&1 &
  kms_pid=$!
  for _ in $(seq 1 200); do
    if curl -fsS --unix-socket "$work/prgkms.sock" http://kms/healthz >/dev/null 2>&1; then break; fi
    if ! kill -0 "$kms_pid" 2>/dev/null; then
      echo "prg kms exited during start-up:" >&2; cat "$work/prgkms.log" >&2; exit 1
    fi
    sleep 0.05
  done
  ls -l "$work/prgkms.sock"
  # The server holds no raw DEK: the master key stays with the key service (no read fallback here).
  kms_yaml="    mode: external
    endpoint: unix:$work/prgkms.sock"
else
  kms_yaml="    mode: embedded
    master_key_file: $work/master.key"
fi

cat > "$work/config.yaml" <<YAML
server:
  address: 127.0.0.1
  port: $port
  db_path: $work/data
  api_keys:
    admin: [$admin]
    backend: [$backend]
    signing: [$signing]
logging:
  level: info
encryption:
  enabled: true
  kms:
$kms_yaml
YAML

step "starting: $prg serve --config $work/config.yaml (log: $work/prg.log)"
"$prg" serve --config "$work/config.yaml" >"$work/prg.log" 2>&1 &
server_pid=$!
base="http://127.0.0.1:$port"
for _ in $(seq 1 200); do
  if curl -fsS "$base/readyz" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "prg exited during start-up:" >&2; cat "$work/prg.log" >&2; exit 1
  fi
  sleep 0.05
done
curl -fsS "$base/readyz"; echo

# call METHOD PATH [BODY] [KEY]: prints the request and the response (status + JSON).
call() {
  local method="$1" path="$2" body="${3:-}" key="${4:-$backend}"
  printf -- '--> %s %s %s\n' "$method" "$path" "$body"
  local args=(-sS -X "$method" -H "Authorization: Bearer $key" -H "X-User-ID: dev-user" -w '\n<-- HTTP %{http_code}\n')
  if [ -n "$body" ]; then args+=(-H 'Content-Type: application/json' --data "$body"); fi
  curl "${args[@]}" "$base$path"
}
json_field() { sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p" | head -n 1; }

step "create a thread (the server provisions its DEK in the same write)"
thread="$(curl -fsS -X POST -H "Authorization: Bearer $backend" -H 'X-User-ID: dev-user' -H 'Content-Type: application/json' \
  --data '{"title":"dev thread"}' "$base/v1/threads" | tee /dev/stderr | json_field key)"
echo
echo "thread: $thread"

step "post messages (bodies are sealed with AES-256-GCM under the thread's DEK)"
call POST "/v1/threads/$thread/messages" '{"body":{"text":"hello, encrypted world"}}'
call POST "/v1/threads/$thread/messages" '{"body":{"text":"second message","n":2}}'

step "read them back (one batched decrypt for the page)"
call GET "/v1/threads/$thread/messages"

step "key metadata (admin): ids and versions only, never key bytes"
call GET "/admin/threads/$thread/kms" "" "$admin"

step "stopping the server (SIGTERM: drain, checkpoint, exit 0)"
kill -TERM "$server_pid"
status=0
wait "$server_pid" || status=$?
server_pid=""
echo "prg exited with $status"
if [ -n "$kms_pid" ]; then
  step "stopping the key service (SIGTERM)"
  kill -TERM "$kms_pid"
  kms_status=0
  wait "$kms_pid" || kms_status=$?
  kms_pid=""
  echo "prg kms exited with $kms_status"
  [ "$status" -ne 0 ] || status=$kms_status
  step "key service log"
  cat "$work/prgkms.log"
fi
step "server log"
cat "$work/prg.log"
exit "$status"
