#!/usr/bin/env bash
# Runs the whole test suite: every package, with the race detector.
# Installs and starts what the tests need first (a redis-server for the
# router's shared-state tests), so that it works on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${LLMUX_REDIS_ADDR:-}" ] && [ -z "${LLMUX_SKIP_REDIS:-}" ]; then
  if ! command -v redis-server >/dev/null 2>&1; then
    echo "scripts/test.sh: installing redis-server (Debian package) for the router's Redis tests"
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq redis-server >/dev/null
  fi
  port=$((20000 + RANDOM % 20000))
  dir=$(mktemp -d)
  redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$dir" --daemonize yes \
    --pidfile "$dir/redis.pid" --logfile "$dir/redis.log"
  trap 'kill "$(cat "$dir/redis.pid" 2>/dev/null)" 2>/dev/null || true; rm -rf "$dir"' EXIT
  for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
  export LLMUX_REDIS_ADDR="127.0.0.1:$port"
fi

go test -race -count=1 "$@" ./...
