#!/usr/bin/env bash
# authmock load benchmark: authmock vs a static-body axum reference server, per workload, with wrk.
# See bench/README.md. Usage: bash bench/run.sh   (options as environment variables, listed below)
# STORE=redis bash bench/run.sh: instead, the login workload with --store redis:// (a throwaway
# redis-server on loopback) beside the in-memory store, and nothing else.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

DURATION="${DURATION:-10}"          # measured seconds per run
WARMUP="${WARMUP:-3}"               # warm-up seconds per run (same connections count, results discarded)
CONNS="${CONNS:-32}"                # wrk connections
THREADS="${THREADS:-1}"             # wrk threads (one CPU for the generator: one thread)
SERVER_CPU="${SERVER_CPU:-0}"       # CPU the server is pinned to
LOADGEN_CPU="${LOADGEN_CPU:-1}"     # CPU wrk is pinned to
LOGINS="${LOGINS:-1000000}"         # logins driven before the expiry/RSS check (0 skips that part)
SPAWNS="${SPAWNS:-5}"               # spawns for start-to-first-200
ADVANCE="${ADVANCE:-31m}"           # clock advance that expires the login access tokens
ADVANCE_FULL="${ADVANCE_FULL-30d}"  # further advance past the refresh tokens' 30 days ("" skips it)
SWEEP_TIMEOUT="${SWEEP_TIMEOUT:-180}" # seconds to wait for the token count to come back to baseline
WORKLOADS="${WORKLOADS:-koodrive_login koodrive_session oneaccess_sso_ticket enos_session_set}"
ROUNDS="${ROUNDS:-3}"               # rounds of every workload on both servers; the report takes medians
SKIP_BUILD="${SKIP_BUILD:-0}"       # 1: use the binaries already built (target/release, or target/pgo/use)
PGO="${PGO:-0}"                     # 1: both servers profile-guided (scripts/pgo-build.sh), in target/pgo/use
OUT_GIVEN="${OUT:-}"
OUT="${OUT:-bench/RESULTS.md}"      # where the markdown report is written ("" or - : stdout only)
TLS_BENCH="${TLS_BENCH:-1}"         # 1: also the login over https beside http, and the handshake cost (0 skips)
NEWCONN_DURATION="${NEWCONN_DURATION:-$DURATION}" # measured seconds of the one-connection-per-request runs
STORE="${STORE:-memory}"            # redis: the store comparison only (see above)
REDIS_CPU="${REDIS_CPU-$SERVER_CPU}" # CPUs the throwaway redis-server is pinned to ("" leaves it unpinned)

BUILT="$ROOT/target/release"
[ "$PGO" = 1 ] && BUILT="$ROOT/target/pgo/use/release"
AUTHMOCK="${AUTHMOCK_BIN:-$BUILT/authmock}"   # override to bench another build
REFERENCE="$BUILT/examples/reference"
export BENCH_DIR="$ROOT/bench"

OA_CLIENT_ID="9fIHl3Dc9ivToWLVtblrF6Sjv9Fx47JJ"
OA_CLIENT_SECRET="demo-client-secret"

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# ---------------------------------------------------------------- prerequisites
if ! command -v wrk >/dev/null 2>&1; then
  log "wrk is missing: installing the Debian package"
  if [ "$(id -u)" = 0 ]; then apt-get install -y wrk >&2 || { apt-get update >&2 && apt-get install -y wrk >&2; }
  else sudo apt-get install -y wrk >&2; fi
fi
for tool in wrk taskset curl python3 /usr/bin/time; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is required"
done
case "$STORE" in
  memory) ;;
  redis)
    # The store comparison is one section, not the report of record: printed unless OUT names a file.
    OUT="${OUT_GIVEN:--}"
    if ! command -v redis-server >/dev/null 2>&1; then
      log "redis-server is missing: installing the Debian package"
      if [ "$(id -u)" = 0 ]; then apt-get install -y redis-server >&2 || { apt-get update >&2 && apt-get install -y redis-server >&2; }
      else sudo apt-get install -y redis-server >&2; fi
    fi
    for tool in redis-server redis-cli; do command -v "$tool" >/dev/null 2>&1 || die "$tool is required"; done
    ;;
  *) die "STORE=$STORE: memory or redis" ;;
esac
if [ "$STORE" = memory ] && [ "$TLS_BENCH" = 1 ] && ! command -v openssl >/dev/null 2>&1; then
  die "openssl is required for the https section (Debian package openssl; TLS_BENCH=0 skips it)"
fi
[ "$(nproc)" -ge 2 ] || log "warning: fewer than 2 CPUs; server and generator will share a CPU"

if [ "$SKIP_BUILD" != 1 ] && [ "$PGO" = 1 ]; then
  log "bash scripts/pgo-build.sh (authmock and the reference, each trained on its own)"
  bash scripts/pgo-build.sh >&2
elif [ "$SKIP_BUILD" != 1 ] && [ "$STORE" = redis ]; then
  log "cargo build --release --bin authmock"
  cargo build --release --bin authmock >&2
elif [ "$SKIP_BUILD" != 1 ]; then
  log "cargo build --release --bin authmock --example reference"
  cargo build --release --bin authmock --example reference >&2
fi
[ -x "$AUTHMOCK" ] || die "$AUTHMOCK not built"
[ "$STORE" = redis ] || [ -x "$REFERENCE" ] || die "$REFERENCE not built"

WORK="$(mktemp -d /tmp/authmock-bench.XXXXXX)"
RESULTS="$WORK/results.txt"
: >"$RESULTS"
SERVER_PID=""
WRK_PID=""
REDIS_PID=""
cleanup() {
  if [ -n "$WRK_PID" ]; then kill "$WRK_PID" 2>/dev/null || true; fi
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; fi
  if [ -n "$REDIS_PID" ]; then kill "$REDIS_PID" 2>/dev/null || true; wait "$REDIS_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# ---------------------------------------------------------------- helpers
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

# utime+stime of a process, in clock ticks
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# "busy steal" clock ticks summed over the server's and the generator's CPUs
# (busy = user+nice+system+irq+softirq; /proc/stat columns after the name: user nice system idle iowait irq softirq steal)
cpu_stat() {
  awk -v a="cpu$SERVER_CPU" -v b="cpu$LOADGEN_CPU" \
    '$1 == a || $1 == b { busy += $2 + $3 + $4 + $7 + $8; steal += $9 } END { print busy, steal }' /proc/stat
}

# extract key=value from a line: kv KEY <<<"$line"
kv() { sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p"; }

# json_field FIELD.PATH: reads JSON on stdin, prints the field (dotted path) or nothing
json_field() {
  python3 -c '
import json, sys
try:
    v = json.load(sys.stdin)
    for k in sys.argv[1].split("."):
        v = v[k]
    print(v)
except Exception:
    pass
' "$1"
}

# start_server BINARY PORT [ARGS...]: starts it pinned to SERVER_CPU, waits for GET /__admin/health = 200
start_server() {
  local bin="$1" port="$2" _
  shift 2
  taskset -c "$SERVER_CPU" "$bin" --port "$port" "$@" >"$WORK/server-$port.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 500); do
    if curl -sf -o /dev/null "http://127.0.0.1:$port/__admin/health"; then return 0; fi
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server-$port.log" >&2; die "$bin exited at start"; }
    sleep 0.02
  done
  die "$bin did not answer /__admin/health on port $port"
}

stop_server() {
  if [ -n "$SERVER_PID" ]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
  fi
}

# mint_oneaccess URL: sets OA_APP_TOKEN and OA_SESSION_TOKEN (real ones from authmock)
mint_oneaccess() {
  local url="$1"
  OA_APP_TOKEN="$(curl -s -X POST "$url/api/v2/tenant/token" \
    -H 'Content-Type: application/x-www-form-urlencoded' \
    -d "grant_type=client_credentials&client_id=$OA_CLIENT_ID&client_secret=$OA_CLIENT_SECRET" |
    json_field access_token)"
  OA_SESSION_TOKEN="$(curl -s -X POST "$url/api/v2/sdk/login" \
    -H 'Content-Type: application/json' -H "X-client-id: $OA_CLIENT_ID" \
    -H 'X-device-fingerprint: bench-fp' -H 'X-operating-sys-version: Linux' -H 'X-agent: wrk' \
    -d '{"user_name":"zhangsan","password":"Zhangsan@123"}' | json_field session_token)"
  if [ -z "$OA_APP_TOKEN" ] || [ -z "$OA_SESSION_TOKEN" ]; then
    log "warning: could not mint OneAccess tokens at $url (the run will count the errors)"
    OA_APP_TOKEN="${OA_APP_TOKEN:-unminted}" OA_SESSION_TOKEN="${OA_SESSION_TOKEN:-unminted}"
  fi
}

# sanity WORKLOAD URL: one request by curl, logged, so a broken workload is obvious before the run
sanity() {
  local w="$1" url="$2" out
  case "$w" in
    koodrive_login)
      out="$(curl -s -w ' [HTTP %{http_code}]' -X POST "$url/koodrive/ose/v1/auth/login" \
        -H 'Content-Type: application/json' -H 'x-hw-agentName: bench' \
        -d '{"account":"0027188460911","authType":"1","password":"123qweASD143"}')" ;;
    koodrive_session)
      out="$(curl -s -w ' [HTTP %{http_code}]' -X POST "$url/koodrive/ose/v1/session/" \
        -H 'Content-Type: application/json' \
        -d '{"code":"FrbMohdqi86v6sMZlFSSuG3E0_9RsDpL08BlYfNQPhvibLET266cQhDI_WczEXJOAoIoKGCdqN2shKX1yfqrVci8nSFdMlxljNFhoffVvH93uSzIoyFxK4P7yhY6fDXa"}')" ;;
    oneaccess_sso_ticket)
      out="$(curl -s -w ' [HTTP %{http_code}]' -X POST "$url/api/v2/tenant/sso/session-token/sso-ticket" \
        -H 'Content-Type: application/json;charset=utf8' -H "Authorization: Bearer $OA_APP_TOKEN" \
        -d "{\"session_token\":\"$OA_SESSION_TOKEN\",\"operating_sys_version\":\"Linux\",\"device_ip\":\"127.0.0.1\",\"device_fingerprint\":\"bench-fp\"}")" ;;
    enos_session_set)
      local token
      token="$(curl -s -X POST "$url/app-portal-service/v2.2/login" -H 'Content-Type: application/json' \
        -d '{"account":"portal_demo","password":"Test1234"}' | json_field data.accessToken)"
      out="$(curl -s -w ' [HTTP %{http_code}]' -X POST "$url/app-portal-service/v2.2/session/set" \
        -H 'Content-Type: application/json' -H "Authorization: Bearer $token" -d '{"orgId":"yourOrgId"}')" ;;
  esac
  log "sanity $w: ${out:0:160}"
}

# script_args WORKLOAD: the arguments after `--` for the workload's Lua script
script_args() {
  case "$1" in
    oneaccess_sso_ticket) echo "$OA_APP_TOKEN $OA_SESSION_TOKEN" ;;
    *) echo "" ;;
  esac
}

# Extra wrk arguments of the next measure calls (the https section's `Connection: close`).
WRK_EXTRA=()

# measure WORKLOAD SERVER URL ROUND [LABEL [SECONDS]]: warm-up, then the measured run; appends one result line
# to $RESULTS (its workload= is LABEL, default WORKLOAD; the run lasts SECONDS, default DURATION)
measure() {
  local w="$1" server="$2" url="$3" round="$4" label="${5:-$1}" secs="${6:-$DURATION}"
  local args line cpu t0 t1 ticks0 ticks1 hz busy0 busy1 steal0 steal1
  # shellcheck disable=SC2207
  args=($(script_args "$w"))
  taskset -c "$LOADGEN_CPU" wrk -t"$THREADS" -c"$CONNS" -d"${WARMUP}s" "${WRK_EXTRA[@]}" -s "bench/$w.lua" "$url" -- "${args[@]}" \
    >"$WORK/warmup.out" 2>&1 || { cat "$WORK/warmup.out" >&2; die "wrk warm-up failed"; }
  ticks0="$(cpu_ticks "$SERVER_PID")"
  rticks0=0
  [ -n "$REDIS_PID" ] && rticks0="$(cpu_ticks "$REDIS_PID")"
  read -r busy0 steal0 < <(cpu_stat)
  t0="$(date +%s.%N)"
  /usr/bin/time -f '%P' -o "$WORK/wrk.cpu" \
    taskset -c "$LOADGEN_CPU" wrk -t"$THREADS" -c"$CONNS" -d"${secs}s" "${WRK_EXTRA[@]}" -s "bench/$w.lua" "$url" -- "${args[@]}" \
    >"$WORK/run.out" 2>&1 || { cat "$WORK/run.out" >&2; die "wrk failed"; }
  t1="$(date +%s.%N)"
  ticks1="$(cpu_ticks "$SERVER_PID")"
  rticks1=0
  [ -n "$REDIS_PID" ] && rticks1="$(cpu_ticks "$REDIS_PID")"
  read -r busy1 steal1 < <(cpu_stat)
  hz="$(getconf CLK_TCK)"
  line="$(grep '^BENCH ' "$WORK/run.out" || true)"
  [ -n "$line" ] || { cat "$WORK/run.out" >&2; die "no BENCH line from wrk"; }
  cpu="$(tr -d '%' <"$WORK/wrk.cpu" | tail -1)"
  local server_cpu redis_cpu other_cpu steal_cpu
  server_cpu="$(awk -v a="$ticks0" -v b="$ticks1" -v hz="$hz" -v t0="$t0" -v t1="$t1" \
    'BEGIN { printf "%.0f", 100 * (b - a) / hz / (t1 - t0) }')"
  redis_cpu="$(awk -v a="$rticks0" -v b="$rticks1" -v hz="$hz" -v t0="$t0" -v t1="$t1" \
    'BEGIN { printf "%.0f", 100 * (b - a) / hz / (t1 - t0) }')"
  # CPU time on the two pinned CPUs that was neither the server's, its redis-server's nor wrk's (other
  # workers, softirq): the figure that says whether the run was disturbed. In % of one CPU.
  other_cpu="$(awk -v a="$busy0" -v b="$busy1" -v hz="$hz" -v t0="$t0" -v t1="$t1" -v s="$((server_cpu + redis_cpu))" -v w="$cpu" \
    'BEGIN { o = 100 * (b - a) / hz / (t1 - t0) - s - w; printf "%.0f", (o < 0 ? 0 : o) }')"
  steal_cpu="$(awk -v a="$steal0" -v b="$steal1" -v hz="$hz" -v t0="$t0" -v t1="$t1" \
    'BEGIN { printf "%.0f", 100 * (b - a) / hz / (t1 - t0) }')"
  echo "RESULT workload=$label server=$server round=$round ${line#BENCH } wrk_cpu=$cpu server_cpu=$server_cpu redis_cpu=$redis_cpu other_cpu=$other_cpu steal_cpu=$steal_cpu rss_kb=$(rss_kb "$SERVER_PID")" >>"$RESULTS"
  log "round $round $server $label: $(sed -n 's/^Requests\/sec: *//p' "$WORK/run.out") req/s (wrk CPU $cpu%, server CPU $server_cpu%, redis CPU $redis_cpu%, other $other_cpu%, steal $steal_cpu%)"
}

# token_count URL: number of live tokens from GET /__admin/state (counts if it has them, else tokens[])
token_count() {
  curl -s "$1/__admin/state?tokens=0" | python3 -c '
import json, sys
try:
    s = json.load(sys.stdin)
except Exception:
    print("?"); sys.exit()
def find(v):
    if isinstance(v, dict):
        for key in ("counts", "count", "totals"):
            c = v.get(key)
            if isinstance(c, dict) and isinstance(c.get("tokens"), int):
                return c["tokens"]
        if isinstance(v.get("tokenCount"), int):
            return v["tokenCount"]
        if isinstance(v.get("tokens"), list):
            return len(v["tokens"])
        if isinstance(v.get("tokens"), int):
            return v["tokens"]
    return None
n = find(s)
print("?" if n is None else n)
'
}

# ---------------------------------------------------------------- environment
{
  echo "ENV date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "ENV kernel=$(uname -r)"
  echo "ENV cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1 | tr ' ' '_')"
  echo "ENV nproc=$(nproc)"
  echo "ENV wrk=$(wrk -v 2>&1 | head -1 | awk '{print $2}')"
  echo "ENV load_start=$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' ',')"
  echo "ENV settings=DURATION=${DURATION}_WARMUP=${WARMUP}_CONNS=${CONNS}_THREADS=${THREADS}_SERVER_CPU=${SERVER_CPU}_LOADGEN_CPU=${LOADGEN_CPU}"
  echo "ENV commit=$(git describe --always --dirty 2>/dev/null || echo none)"
  if [ "$PGO" = 1 ]; then echo "ENV build=profile-guided_(scripts/pgo-build.sh)"; else echo "ENV build=cargo_build_--release"; fi
} >>"$RESULTS"
log "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

# ---------------------------------------------------------------- STORE=redis: the store comparison
# The login workload on a fresh authmock with the in-memory store and on a fresh one with --store redis://
# (a fresh redis-server each run, on a free loopback port, without persistence, so that Redis's disk does
# not enter the figure), one right after the other, alternating which goes first. Then the report, and
# nothing else.
start_redis() {
  local port="$1" _
  mkdir -p "$WORK/redis-$port"
  local pin=()
  [ -n "$REDIS_CPU" ] && pin=(taskset -c "$REDIS_CPU")
  "${pin[@]}" redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no \
    --dir "$WORK/redis-$port" --logfile "$WORK/redis-$port/redis.log" &
  REDIS_PID=$!
  for _ in $(seq 1 250); do
    [ "$(redis-cli -p "$port" ping 2>/dev/null)" = PONG ] && return 0
    kill -0 "$REDIS_PID" 2>/dev/null || { cat "$WORK/redis-$port/redis.log" >&2; die "redis-server exited at start"; }
    sleep 0.02
  done
  die "redis-server did not answer PING on port $port"
}
stop_redis() {
  if [ -n "$REDIS_PID" ]; then
    kill "$REDIS_PID" 2>/dev/null || true
    wait "$REDIS_PID" 2>/dev/null || true
    REDIS_PID=""
  fi
}
if [ "$STORE" = redis ]; then
  echo "ENV redis=$(redis-server --version | sed -n 's/.* v=\([^ ]*\).*/\1/p')_pinned_to_CPU_${REDIS_CPU:-none}" >>"$RESULTS"
  for round in $(seq 1 "$ROUNDS"); do
    order="memory redis"
    [ $((round % 2)) -eq 0 ] && order="redis memory"
    for store in $order; do
      port="$(free_port)"
      url="http://127.0.0.1:$port"
      if [ "$store" = redis ]; then
        rport="$(free_port)"
        start_redis "$rport"
        start_server "$AUTHMOCK" "$port" --store "redis://127.0.0.1:$rport"
      else
        start_server "$AUTHMOCK" "$port"
      fi
      sanity koodrive_login "$url"
      measure koodrive_login "$store" "$url" "$round" store_login
      stop_server
      stop_redis
    done
  done
  echo "ENV load_end=$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' ',')" >>"$RESULTS"
  log "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
  if [ -n "$OUT" ] && [ "$OUT" != - ]; then
    python3 bench/report.py "$RESULTS" | tee "$OUT"
    log "written to $OUT"
  else
    python3 bench/report.py "$RESULTS"
  fi
  exit 0
fi

# ---------------------------------------------------------------- throughput and latency
# Each round runs every workload on both servers, one right after the other (so a ratio compares runs
# seconds apart); odd rounds start with authmock, even rounds with the reference, so a drift in the
# machine's speed does not favour one side.
for w in $WORKLOADS; do
  [ -f "bench/$w.lua" ] || die "unknown workload $w (no bench/$w.lua)"
done
for round in $(seq 1 "$ROUNDS"); do
  for w in $WORKLOADS; do
    order="authmock reference"
    [ $((round % 2)) -eq 0 ] && order="reference authmock"
    for server in $order; do
      port="$(free_port)"
      url="http://127.0.0.1:$port"
      if [ "$server" = authmock ]; then start_server "$AUTHMOCK" "$port"; else start_server "$REFERENCE" "$port"; fi
      if [ "$w" = oneaccess_sso_ticket ]; then
        if [ "$server" = authmock ]; then mint_oneaccess "$url"; fi
        # the reference ignores the tokens and reuses the ones authmock issued
      fi
      [ "$server" = authmock ] && sanity "$w" "$url"
      measure "$w" "$server" "$url" "$round"
      stop_server
    done
  done
done

# ---------------------------------------------------------------- https
# The login workload on one authmock serving both ports, over http and over https (rustls): kept-alive
# connections (the steady cost of TLS records), then one new connection per request (wrk with
# `Connection: close`; wrk's OpenSSL offers the session of its previous connection). Rounds alternate which
# scheme goes first. Then the cost of a full handshake alone: `openssl s_time -new` (a new session every
# connection, closed once the handshake is done) against the https port, the server's CPU time divided by
# the connections.
if [ "$TLS_BENCH" = 1 ]; then
  for round in $(seq 1 "$ROUNDS"); do
    order="http https"
    [ $((round % 2)) -eq 0 ] && order="https http"
    for conn in keepalive newconn; do
      for scheme in $order; do
        port="$(free_port)"
        start_server "$AUTHMOCK" "$port" --tls-port 0
        tls_url="$(sed -n 's/^authmock listening on \(https:\/\/.*\)$/\1/p' "$WORK/server-$port.log" | head -n1)"
        [ -n "$tls_url" ] || { cat "$WORK/server-$port.log" >&2; die "no https line from authmock --tls-port 0"; }
        curl -s -o "$WORK/ca.pem" "http://127.0.0.1:$port/__admin/ca.pem"
        url="http://127.0.0.1:$port"
        [ "$scheme" = https ] && url="$tls_url"
        CURL_CA_BUNDLE="$WORK/ca.pem" sanity koodrive_login "$url"
        WRK_EXTRA=()
        secs="$DURATION"
        if [ "$conn" = newconn ]; then
          WRK_EXTRA=(-H "Connection: close")
          secs="$NEWCONN_DURATION"
        fi
        measure koodrive_login "$scheme" "$url" "$round" "tls_$conn" "$secs"
        WRK_EXTRA=()
        stop_server
      done
    done
    port="$(free_port)"
    start_server "$AUTHMOCK" "$port" --tls-port 0
    tls_port="$(sed -n 's/^authmock listening on https:\/\/.*:\([0-9]*\)$/\1/p' "$WORK/server-$port.log" | head -n1)"
    ticks0="$(cpu_ticks "$SERVER_PID")"
    taskset -c "$LOADGEN_CPU" openssl s_time -connect "127.0.0.1:$tls_port" -new -time "$NEWCONN_DURATION" \
      >"$WORK/s_time.out" 2>&1 || { cat "$WORK/s_time.out" >&2; die "openssl s_time failed"; }
    ticks1="$(cpu_ticks "$SERVER_PID")"
    conns="$(sed -n 's/^\([0-9]*\) connections in [0-9.]* real seconds.*/\1/p' "$WORK/s_time.out" | head -n1)"
    if [ -z "$conns" ] || [ "$conns" -eq 0 ]; then
      cat "$WORK/s_time.out" >&2
      die "no connections counted by openssl s_time"
    fi
    us="$(awk -v a="$ticks0" -v b="$ticks1" -v hz="$(getconf CLK_TCK)" -v n="$conns" \
      'BEGIN { printf "%.1f", (b - a) / hz * 1e6 / n }')"
    echo "HANDSHAKE round=$round connections=$conns secs=$NEWCONN_DURATION server_cpu_us=$us" >>"$RESULTS"
    log "round $round handshakes: $conns full TLS handshakes in ${NEWCONN_DURATION}s, $us µs of server CPU each"
    stop_server
  done
fi

# ---------------------------------------------------------------- start-up time and idle RSS
log "start-to-first-200: $SPAWNS spawns of each binary"
echo "STARTUP server=authmock $(python3 bench/startup.py "$AUTHMOCK" --spawns "$SPAWNS" --cpu "$SERVER_CPU" | sed 's/^STARTUP //')" >>"$RESULTS"
echo "STARTUP server=reference $(python3 bench/startup.py "$REFERENCE" --spawns "$SPAWNS" --cpu "$SERVER_CPU" | sed 's/^STARTUP //')" >>"$RESULTS"

# ---------------------------------------------------------------- RSS after LOGINS expired logins
# GET /__admin/state is called only at start and after the sweep, so that no control-plane answer is
# built while the RSS is measured (the first poll comes SETTLE seconds after the clock moved; the sweeper runs every second).
if [ "$LOGINS" -gt 0 ]; then
  port="$(free_port)"
  url="http://127.0.0.1:$port"
  start_server "$AUTHMOCK" "$port"
  rss_start="$(rss_kb "$SERVER_PID")"
  base_tokens="$(token_count "$url")"
  log "driving $LOGINS logins (tokens at start: $base_tokens, VmRSS $rss_start kB)"
  marker="$WORK/logins.done"
  t0="$(date +%s.%N)"
  taskset -c "$LOADGEN_CPU" wrk -t1 -c"$CONNS" -d3600s -s bench/login_million.lua "$url" -- "$LOGINS" "$marker" \
    >"$WORK/logins.out" 2>&1 &
  WRK_PID=$!
  while [ ! -f "$marker" ] && kill -0 "$WRK_PID" 2>/dev/null; do sleep 0.2; done
  kill -INT "$WRK_PID" 2>/dev/null || true
  wait "$WRK_PID" || true
  WRK_PID=""
  t1="$(date +%s.%N)"
  line="$(grep '^BENCH ' "$WORK/logins.out" || true)"
  counted="$(kv counted <<<"$line")"
  login_secs="$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}')"
  rss_peak="$(rss_kb "$SERVER_PID")"
  log "$counted logins in $login_secs s; VmRSS $rss_peak kB"

  # advance_and_settle ADVANCE: moves the clock, then waits for the 1 s sweeper to run a few times
  advance_and_settle() {
    local answer
    answer="$(curl -s -w ' [HTTP %{http_code}]' -X POST "$url/__admin/clock" -H 'Content-Type: application/json' \
      -d "{\"advance\":\"$1\"}")"
    log "advanced the clock by $1: ${answer:0:120}"
    sleep "${SETTLE:-3}"
  }
  # wait_for_baseline: polls the token count (1/s) until it is back near the start value; sets TOKENS, SWEPT
  wait_for_baseline() {
    local deadline=$(( $(date +%s) + SWEEP_TIMEOUT ))
    SWEPT=0
    while :; do
      TOKENS="$(token_count "$url")"
      if [ "$TOKENS" != "?" ] && [ "$base_tokens" != "?" ] && [ "$TOKENS" -le $(( base_tokens + 1000 )) ]; then
        SWEPT=1; return 0
      fi
      [ "$(date +%s)" -lt "$deadline" ] || return 0
      sleep 1
    done
  }

  # 1. access tokens expired (ADVANCE, 31m by default): VmRSS only, the token count is not asked for here
  #    (no control-plane answer is built while the RSS is measured)
  advance_and_settle "$ADVANCE"
  rss_expired="$(rss_kb "$SERVER_PID")"
  log "+$ADVANCE: VmRSS $rss_expired kB"
  # 2. KooDrive refresh tokens live 30 days and keep their access token (refreshing needs it), so the
  #    logins' tokens are all gone only after ADVANCE_FULL more; then poll the count back to the start value
  [ -n "$ADVANCE_FULL" ] && advance_and_settle "$ADVANCE_FULL"
  wait_for_baseline
  sleep 0.5
  rss_full="$(rss_kb "$SERVER_PID")"
  log "+${ADVANCE_FULL:-0} more: tokens $TOKENS (back to baseline: $SWEPT), VmRSS $rss_full kB"
  echo "MEMORY logins=$counted login_secs=$login_secs login_bad=$(kv bad <<<"$line") rss_start_kb=$rss_start rss_peak_kb=$rss_peak base_tokens=$base_tokens advance=$ADVANCE rss_expired_kb=$rss_expired advance_full=$ADVANCE_FULL rss_full_kb=$rss_full tokens_full=$TOKENS swept_full=$SWEPT" >>"$RESULTS"
  stop_server
fi

echo "ENV load_end=$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' ',')" >>"$RESULTS"
log "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"

# ---------------------------------------------------------------- report
if [ -n "$OUT" ] && [ "$OUT" != - ]; then
  python3 bench/report.py "$RESULTS" | tee "$OUT"
  log "written to $OUT"
else
  python3 bench/report.py "$RESULTS"
fi
