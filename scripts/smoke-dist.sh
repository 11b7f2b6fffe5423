#!/usr/bin/env bash
# Runs the built service the way the container image does (plain node on dist/,
# no tsx, no sources) and checks what a deploy relies on: /ready, the front end,
# the migrated reference data, /metrics. Twice: on a fresh embedded database in
# development, and — with DATABASE_URL set — in production on a fresh PostgreSQL
# database as an unprivileged user, as the Dockerfile's last stage runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f dist/server/server.js ] || { echo "no dist/: run npm run build first"; exit 1; }
work=$(mktemp -d)
chmod 755 "$work"
pids=()
cleanup () {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  [ -n "${smoke_db:-}" ] && psql "$DATABASE_URL" -qc "drop database if exists $smoke_db with (force)" > /dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

# A busy machine may shed load (503 from the overload guard) for a moment: retry each probe briefly.
probe () { # url pattern
  for _ in $(seq 1 20); do
    curl -sf "$1" 2> /dev/null | grep -qi -- "$2" && return 0
    sleep 0.5
  done
  return 1
}

check () { # label port logfile
  local label=$1 port=$2 log=$3
  for _ in $(seq 1 240); do
    curl -sf "http://127.0.0.1:$port/ready" > /dev/null 2>&1 && break
    kill -0 "${pids[-1]}" 2>/dev/null || { cat "$log"; echo "$label: dist/ did not start"; exit 1; }
    sleep 0.5
  done
  probe "http://127.0.0.1:$port/ready" '"ready"' || { cat "$log"; echo "$label: not ready"; exit 1; }
  probe "http://127.0.0.1:$port/" '<!doctype html>' || { echo "$label: no front end"; exit 1; }
  probe "http://127.0.0.1:$port/v1/reference/tiers" 'ten_billion' || { echo "$label: no reference data (migrations?)"; exit 1; }
  probe "http://127.0.0.1:$port/metrics" '^peiyu_http_requests_total' || { echo "$label: no /metrics"; exit 1; }
  echo "$label: /ready, the front end, the migrated reference data and /metrics answer"
}

port=$((20000 + RANDOM % 20000))
env -u DATABASE_URL DATA_DIR="$work/data" PORT="$port" LOG_LEVEL=warn node dist/server/server.js > "$work/dev.log" 2>&1 &
pids+=($!)
check "dist/ on PGlite (development, node $(node --version))" "$port" "$work/dev.log"

if [ -n "${DATABASE_URL:-}" ]; then
  smoke_db="peiyu_smoke_$$"
  psql "$DATABASE_URL" -qc "create database $smoke_db" > /dev/null
  url="${DATABASE_URL%/*}/$smoke_db"
  port=$((port + 1))
  as_user=()
  if [ "$(id -u)" = 0 ] && id nobody > /dev/null 2>&1; then as_user=(runuser -u nobody --); fi
  "${as_user[@]}" env NODE_ENV=production DATABASE_URL="$url" PORT="$port" HOST=127.0.0.1 DATA_DIR="$work/prod-data" \
    JWT_SECRET="smoke-$(head -c 32 /dev/urandom | base64 | tr -d '/+=')" LOG_LEVEL=warn \
    "$(command -v node)" dist/server/server.js > "$work/prod.log" 2>&1 &
  pids+=($!)
  check "dist/ on PostgreSQL (production${as_user:+, as nobody})" "$port" "$work/prod.log"
fi
