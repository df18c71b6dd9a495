#!/usr/bin/env bash
# Instructions per request under callgrind: deterministic for a given binary and workload, whatever else
# the machine is doing (wall-clock figures on a shared VM are not). See bench/README.md, "Profiling".
# Usage: bash bench/callgrind.sh [WORKLOAD] [REQUESTS]
#   WORKLOAD: login (N logins exactly, the default) or the name of a bench/*.lua workload (run for
#   SECONDS, default 8, and divided by the requests wrk counted). Builds a release binary with symbols
#   in $PROFILE_TARGET (default /tmp/authmock-profile) unless AUTHMOCK_BIN names one.
#   STORE=redis: authmock on a throwaway redis-server (loopback, not profiled) instead of in memory;
#   the redis-server's own cost per call is printed from its INFO commandstats.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
WORKLOAD="${1:-login}"
N="${2:-20000}"
SECONDS_RUN="${SECONDS_RUN:-8}"
PROFILE_TARGET="${PROFILE_TARGET:-/tmp/authmock-profile}"
OUT="${OUT:-$PROFILE_TARGET/callgrind.$WORKLOAD.out}"
export BENCH_DIR="$ROOT/bench"

command -v valgrind >/dev/null || { echo "valgrind is missing (apt-get install valgrind)" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk is missing (apt-get install wrk)" >&2; exit 1; }
BIN="${AUTHMOCK_BIN:-}"
if [ -z "$BIN" ]; then
  CARGO_PROFILE_RELEASE_STRIP=false CARGO_PROFILE_RELEASE_DEBUG=1 \
    cargo build --release --bin authmock --target-dir "$PROFILE_TARGET" >&2
  BIN="$PROFILE_TARGET/release/authmock"
fi
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PORT=$(free_port)
MARKER="$(mktemp -u)"
mkdir -p "$(dirname "$OUT")"
STORE_ARGS=()
REDIS_PID=""
case "${STORE:-memory}" in
  memory) ;;
  redis)
    RPORT=$(free_port)
    redis-server --port "$RPORT" --save '' --appendonly no >"$OUT.redis.log" 2>&1 &
    REDIS_PID=$!
    for _ in $(seq 1 100); do redis-cli -p "$RPORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
    STORE_ARGS=(--store "redis://127.0.0.1:$RPORT")
    ;;
  *) echo "STORE=$STORE: memory or redis" >&2; exit 1 ;;
esac
valgrind --tool=callgrind --callgrind-out-file="$OUT" "$BIN" --port "$PORT" "${STORE_ARGS[@]}" >"$OUT.log" 2>&1 &
VG=$!
trap 'kill "$VG" 2>/dev/null || true; [ -z "$REDIS_PID" ] || kill "$REDIS_PID" 2>/dev/null || true; rm -f "$MARKER"' EXIT
for _ in $(seq 1 300); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/__admin/health" && break; sleep 0.1; done
# Start-up and the health probes are not counted: the counters are zeroed before the load.
callgrind_control -z "$VG" >/dev/null 2>&1
[ -z "$REDIS_PID" ] || redis-cli -p "$RPORT" CONFIG RESETSTAT >/dev/null
if [ "$WORKLOAD" = login ]; then
  wrk -t1 -c8 -d600s -s bench/login_million.lua "http://127.0.0.1:$PORT" -- "$N" "$MARKER" >"$OUT.wrk" 2>&1 &
  WRK=$!
  while [ ! -f "$MARKER" ] && kill -0 "$WRK" 2>/dev/null; do sleep 0.2; done
  kill -INT "$WRK" 2>/dev/null || true
  wait "$WRK" || true
  REQS="$N"
else
  ARGS=()
  if [ "$WORKLOAD" = oneaccess_sso_ticket ]; then
    # Real tokens from this server, as run.sh mints them (before the counters are zeroed below).
    url="http://127.0.0.1:$PORT"
    field() { python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }
    app=$(curl -s -X POST "$url/api/v2/tenant/token" -H 'Content-Type: application/x-www-form-urlencoded' \
      -d 'grant_type=client_credentials&client_id=9fIHl3Dc9ivToWLVtblrF6Sjv9Fx47JJ&client_secret=demo-client-secret' | field access_token)
    session=$(curl -s -X POST "$url/api/v2/sdk/login" -H 'Content-Type: application/json' \
      -H 'X-client-id: 9fIHl3Dc9ivToWLVtblrF6Sjv9Fx47JJ' -H 'X-device-fingerprint: bench-fp' \
      -H 'X-operating-sys-version: Linux' -H 'X-agent: wrk' \
      -d '{"user_name":"zhangsan","password":"Zhangsan@123"}' | field session_token)
    ARGS=(-- "$app" "$session")
    callgrind_control -z "$VG" >/dev/null 2>&1
  fi
  wrk -t1 -c8 -d"${SECONDS_RUN}s" -s "bench/$WORKLOAD.lua" "http://127.0.0.1:$PORT" "${ARGS[@]}" >"$OUT.wrk" 2>&1
  REQS=$(awk '/requests in/{print $1}' "$OUT.wrk")
fi
kill -TERM "$VG"
wait "$VG" || true
if [ -n "$REDIS_PID" ]; then
  redis-cli -p "$RPORT" INFO commandstats | grep -v '^#' | tr -d '\r' >"$OUT.redis"
  kill "$REDIS_PID"; wait "$REDIS_PID" 2>/dev/null || true
  echo "redis-server: $(grep -E '^cmdstat_(evalsha|get|hmget):' "$OUT.redis" | cut -d, -f1-3 | tr '\n' ' ')"
fi
trap - EXIT
IR=$(awk '/^summary:/{print $2}' "$OUT")
echo "workload=$WORKLOAD requests=$REQS instructions=$IR per_request=$((IR / REQS)) (profile: $OUT; callgrind_annotate $OUT)"
