#!/usr/bin/env bash
# Starts the built service (`npm run start:prod`, plain node on dist/) on a fresh
# embedded database in a temporary directory, and checks that it answers /ready,
# serves the front end and the migrations ran — what a deploy of dist/ relies on.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f dist/server/server.js ] || { echo "no dist/: run npm run build first"; exit 1; }
dir=$(mktemp -d)
port=$((20000 + RANDOM % 20000))
env -u DATABASE_URL DATA_DIR="$dir/data" PORT="$port" LOG_LEVEL=warn node dist/server/server.js > "$dir/log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$dir"' EXIT
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$port/ready" > /dev/null 2>&1 && break
  kill -0 $pid 2>/dev/null || { cat "$dir/log"; echo "dist/ did not start"; exit 1; }
  sleep 0.5
done
curl -sf "http://127.0.0.1:$port/ready" | grep -q '"ready"' || { cat "$dir/log"; echo "dist/ is not ready"; exit 1; }
curl -sf "http://127.0.0.1:$port/" | grep -qi '<!doctype html>' || { echo "dist/ does not serve the front end"; exit 1; }
curl -sf "http://127.0.0.1:$port/v1/reference/tiers" | grep -q 'ten_billion' || { echo "dist/ has no reference data (migrations?)"; exit 1; }
echo "dist/ runs with plain node $(node --version): /ready, the front end and the migrated reference data answer"
