#!/usr/bin/env bash
# The whole test suite: publish the native AOT binary, then run every test project; the end-to-end
# tests start that binary (PRG_BINARY) and talk to it over real sockets.
set -euo pipefail
cd "$(dirname "$0")/.."
# Native AOT links with clang and zlib; the tests also run openssl (certificates), python3 and node
# (bodies must parse in other JSON parsers). Install what a fresh Debian machine lacks.
packages=()
if ! command -v clang >/dev/null 2>&1 || [ ! -e /usr/include/zlib.h ]; then packages+=(clang lld zlib1g-dev); fi
for pair in openssl:openssl python3:python3 node:nodejs; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || packages+=("${pair#*:}")
done
if [ ${#packages[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >/dev/null
  else
    echo "tools/test.sh: the tests need ${packages[*]}: sudo apt-get install ${packages[*]}" >&2
    exit 1
  fi
fi
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet publish src/Prg -c Release -o artifacts/prg -nologo
export PRG_BINARY="$PWD/artifacts/prg/prg"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
dotnet test prg.sln -c Release -nologo "$@" 2>&1 | tee "$log" || status=$?
# One closing line over every test project: "N passed, N failed".
awk '/^(Passed|Failed)! +- Failed: / { gsub(",", ""); failed += $4; passed += $6 }
     END { printf "%d passed, %d failed\n", passed, failed }' "$log"
exit "$status"
