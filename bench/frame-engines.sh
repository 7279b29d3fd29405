#!/usr/bin/env bash
# `prg bench crypto` on both data-frame engines (PRG_FRAME_ENGINE=openssl-evp, then aesni-pclmul), each
# followed by its own `openssl speed -evp aes-256-gcm` run on the same core, alternated ROUNDS times in
# one script so the noisy machine disturbs both alike. Everything on core 0 (taskset -c 0).
# usage: bench/frame-engines.sh [BINARY]   (SIZES=200,256,1024 SECS=1 ROUNDS=2)
set -u
BIN=${1:-artifacts/prg/prg}; SIZES=${SIZES:-200,256,1024}; SECS=${SECS:-1}; ROUNDS=${ROUNDS:-2}
for round in $(seq "$ROUNDS"); do
  for engine in openssl-evp aesni-pclmul; do
    echo "== round $round, PRG_FRAME_ENGINE=$engine"
    PRG_FRAME_ENGINE=$engine taskset -c 0 "$BIN" bench crypto --sizes "$SIZES" --seconds "$SECS" 2>/dev/null
  done
done
