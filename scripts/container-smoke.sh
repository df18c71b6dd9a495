#!/usr/bin/env bash
# Container smoke test of the authmock image, without a Docker engine.
#
#   bash scripts/container-smoke.sh          (from the repository root; needs root
#                                              for apt-get and buildah)
#
# What it does:
#   1. Installs buildah, runc, curl (and libc6-dev, for glibc's static archives)
#      from Debian's packages if missing.
#   2. Builds the static binary on the host exactly as the Dockerfile's `builder`
#      stage does (RUSTFLAGS="-C target-feature=+crt-static", --release --locked
#      --target x86_64-unknown-linux-gnu; CARGO_TARGET_DIR is respected) and
#      checks that it is static (no ELF interpreter, no NEEDED libraries).
#   3. Lays it out as the builder stage's output (<dir>/out/authmock) and builds
#      the Dockerfile with `buildah bud --build-context builder=<dir>`: buildah
#      resolves `COPY --from=builder /out/authmock` inside <dir> and skips the
#      (now unused) rust builder stage, so no base image is pulled; the `scratch`
#      runtime stage is built exactly as written. Docker image format, so that
#      HEALTHCHECK is kept. Storage is private (vfs, under a temp dir) and is
#      removed on exit.
#   4. Checks the image: size under 15 MB (sum of the layer and config sizes in
#      the manifest, 15 MB = 15,000,000 bytes), platform linux/amd64, it holds
#      /authmock, identical to the built binary, and the empty /tls owned by
#      65532:65532 and nothing else, User 65532:65532, Entrypoint ["/authmock"]
#      (no shell), Env, ExposedPorts (8080, 8443), Healthcheck and OCI labels.
#   5. Runs the image's entrypoint on a free loopback port, by the first of these
#      run paths that works here (SMOKE_RUN_PATH=oci|chroot|extracted forces one):
#        oci       `buildah run --isolation oci --runtime runc --network host`: a
#                  real OCI container; authmock is PID 1 of its own pid namespace,
#                  as under `docker run`, so the SIGTERM check below is the one
#                  `docker stop` relies on. (crun, which buildah pulls in, fails
#                  on this machine's hybrid cgroup layout; runc works.)
#        chroot    `buildah run --isolation chroot`: image rootfs, env and user,
#                  but no pid namespace, so authmock is not PID 1.
#        extracted the image's rootfs via `buildah mount` (plus the /dev nodes a
#                  runtime provides), started with `unshare --pid --fork chroot
#                  --userspec=<image User>` and the image's Env: PID 1 again, but
#                  the uid is the one this script read from the image config
#                  rather than one set by a runtime.
#      Then: the first stdout line is `authmock listening on http://0.0.0.0:PORT`,
#      GET /__admin/health is 200 {"status":"ok"}, EnOS session/set answers
#      code 0, the process's real and effective uid/gid are 65532, the image's
#      HEALTHCHECK command exits 0; SIGTERM ends the process within
#      STOP_LIMIT_MS (default 2000; the time is printed) with exit status 0, and
#      the HEALTHCHECK command then exits 1.
#   6. Runs it again with a fixtures folder mounted on /fixtures and
#      AUTHMOCK_FIXTURES=/fixtures (a copy of fixtures/ whose EnOS static token is
#      replaced): the new token answers code 0, so the mounted folder was read.
#   7. HTTPS: runs it with AUTHMOCK_TLS_PORT set (the image keeps its CA in
#      /tls): the second stdout line is `authmock listening on https://0.0.0.0:TLSPORT`,
#      GET /__admin/ca.pem (plain port) gives the CA, and `curl --cacert` it
#      gets code 0 from EnOS session/set over https://localhost:TLSPORT while
#      curl without it fails the handshake; run again, the server serves the
#      same CA (kept in /tls), which `authmock ca` in the image prints too.
#   8. Prints a PASS/FAIL summary; exits non-zero on any failure.
#
# All traffic goes to 127.0.0.1 only. Processes, containers, images and temp
# files created here are removed on exit (by pid / by name, nothing broader).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

TARGET=x86_64-unknown-linux-gnu
IMAGE=localhost/authmock:smoke
SIZE_LIMIT=15000000
STOP_LIMIT_MS=${STOP_LIMIT_MS:-2000}
START_TIMEOUT_S=${START_TIMEOUT_S:-30}
SEED_TOKEN=APP_PORTAL_S_TDKKeqfYBK3m5z3LRgKVqThWDYnRBN44
SMOKE_TOKEN=APP_PORTAL_S_SmokeTestContainerFixtures000001
T0=$(date +%s)

WORK=$(mktemp -d /tmp/authmock-smoke.XXXXXX)
B=(buildah --storage-driver vfs --root "$WORK/storage" --runroot "$WORK/runroot")

RESULTS=()
FAILURES=0
RUN_PATH=none
IMAGE_SIZE=unknown
CTR=""
MNT=""
RUN_PID=""
APP_PID=""

log() { printf '[smoke] %s\n' "$*"; }
pass() {
  RESULTS+=("PASS  $1${2:+  ($2)}")
  log "PASS $1${2:+ ($2)}"
}
fail() {
  RESULTS+=("FAIL  $1${2:+  ($2)}")
  log "FAIL $1${2:+ ($2)}"
  FAILURES=$((FAILURES + 1))
}
# Records a failure and stops the run (the EXIT trap cleans up and summarises).
die() {
  fail "$@"
  exit 1
}
# check NAME DETAIL COMMAND...: PASS if the command succeeds, FAIL otherwise.
check() {
  local name=$1 detail=$2
  shift 2
  if "$@"; then pass "$name" "$detail"; else fail "$name" "$detail"; fi
}

alive() { # pid -> true while the process exists and is neither a zombie (Z) nor being reaped (X)
  local s
  s="$(cat "/proc/$1/status" 2>/dev/null)" && [ -n "$s" ] || return 1
  ! grep -qE '^State:[[:space:]]*[ZX]' <<<"$s"
}

stop_server() { # SIGKILL whatever is left of the current server (cleanup path)
  if [ -n "$APP_PID" ] && alive "$APP_PID"; then kill -KILL "$APP_PID" 2>/dev/null || true; fi
  if [ -n "$RUN_PID" ]; then
    for _ in $(seq 1 50); do alive "$RUN_PID" || break; sleep 0.1; done
    if alive "$RUN_PID"; then kill -KILL "$RUN_PID" 2>/dev/null || true; fi
    wait "$RUN_PID" 2>/dev/null || true
  fi
  APP_PID=""
  RUN_PID=""
}

cleanup() {
  local rc=$?
  set +e
  stop_server
  if [ -d "$WORK/storage" ] && command -v buildah >/dev/null; then
    [ -n "$MNT" ] && "${B[@]}" umount "$CTR" >/dev/null 2>&1
    [ -n "$CTR" ] && "${B[@]}" rm "$CTR" >/dev/null 2>&1
    "${B[@]}" rmi -f "$IMAGE" >/dev/null 2>&1
  fi
  rm -rf "$WORK"
  local elapsed=$(($(date +%s) - T0))
  echo
  echo "================ authmock container smoke ================"
  local r
  for r in "${RESULTS[@]}"; do echo "  $r"; done
  echo "  image size: $IMAGE_SIZE (limit $SIZE_LIMIT bytes)"
  echo "  run path:   $RUN_PATH"
  echo "  time:       ${elapsed}s"
  if [ "$FAILURES" -eq 0 ] && [ "$rc" -eq 0 ]; then
    echo "SMOKE RESULT: PASS (${#RESULTS[@]} checks)"
    exit 0
  fi
  echo "SMOKE RESULT: FAIL ($FAILURES of ${#RESULTS[@]} checks failed)"
  exit 1
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- 1. tools
need=()
command -v buildah >/dev/null || need+=(buildah)
command -v runc >/dev/null || need+=(runc)
command -v curl >/dev/null || need+=(curl)
# +crt-static links glibc's static archives, which come with libc6-dev.
[ -e /usr/lib/x86_64-linux-gnu/libc.a ] || need+=(libc6-dev)
if [ ${#need[@]} -gt 0 ]; then
  log "installing ${need[*]} from Debian's packages"
  [ "$(id -u)" -eq 0 ] || die "tools" "need root to apt-get install ${need[*]}"
  apt-get update -qq >"$WORK/apt.log" 2>&1 || { tail -20 "$WORK/apt.log"; die "tools" "apt-get update failed"; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >>"$WORK/apt.log" 2>&1 ||
    { tail -20 "$WORK/apt.log"; die "tools" "apt-get install ${need[*]} failed"; }
fi
log "$(buildah --version)"

# ---------------------------------------------------------------- 2. static binary
log "building the static binary (cargo build --release --locked --target $TARGET, +crt-static)"
tb=$(date +%s)
if ! RUSTFLAGS="-C target-feature=+crt-static" cargo build --release --locked --target "$TARGET" \
  --bin authmock --message-format=json-render-diagnostics >"$WORK/cargo.json"; then
  die "static build" "cargo build failed"
fi
BIN=$(grep -o '"executable":"[^"]*/authmock"' "$WORK/cargo.json" | tail -n1 | sed 's/^"executable":"//; s/"$//')
[ -n "$BIN" ] || BIN="${CARGO_TARGET_DIR:-target}/$TARGET/release/authmock"
[ -x "$BIN" ] || die "static build" "no binary at $BIN"
pass "static build" "$BIN, $(stat -c %s "$BIN") bytes, $(($(date +%s) - tb))s"

if command -v readelf >/dev/null; then
  if readelf -lW "$BIN" | grep -q 'INTERP' || readelf -dW "$BIN" | grep -q '(NEEDED)'; then
    fail "binary is static" "$(readelf -dW "$BIN" | grep '(NEEDED)' | tr -s ' ' | tr '\n' ';')"
  else
    pass "binary is static" "no ELF interpreter, no NEEDED libraries"
  fi
else
  log "readelf not found: static linking is checked only by running the binary in the empty scratch image"
fi

# ---------------------------------------------------------------- 3. image build
CTX="$WORK/builder-context"
mkdir -p "$CTX/out/tls"
cp "$BIN" "$CTX/out/authmock"
VERSION=$(sed -n 's/^version *= *"\(.*\)"/\1/p' Cargo.toml | head -n1)
log "buildah bud --build-context builder=$CTX (Dockerfile runtime stage as written)"
if ! "${B[@]}" bud --isolation chroot --format docker --build-context "builder=$CTX" \
  --build-arg "VERSION=$VERSION" -t "$IMAGE" . >"$WORK/bud.log" 2>&1; then
  cat "$WORK/bud.log"
  die "image build" "buildah bud failed"
fi
pass "image build" "$IMAGE"

# ---------------------------------------------------------------- 4. image checks
cfg() { "${B[@]}" inspect --type image --format "$1" "$IMAGE"; }

bytes=0
for s in $(cfg '{{.Manifest}}' | grep -o '"size":[0-9]*' | cut -d: -f2); do bytes=$((bytes + s)); done
IMAGE_SIZE="$bytes bytes ($("${B[@]}" images --format '{{.Size}}' "$IMAGE" | head -n1))"
check "image under 15 MB" "$IMAGE_SIZE" test "$bytes" -gt 0 -a "$bytes" -lt "$SIZE_LIMIT"

ARCH=$(cfg '{{.Docker.OS}}/{{.Docker.Architecture}}')
check "image platform is linux/amd64 (the binary's)" "$ARCH" test "$ARCH" = linux/amd64

USER_CFG=$(cfg '{{.Docker.Config.User}}')
check "image User is non-root numeric 65532:65532" "User=$USER_CFG" test "$USER_CFG" = "65532:65532"

mapfile -t ENTRYPOINT < <(cfg '{{range .Docker.Config.Entrypoint}}{{println .}}{{end}}' | sed '/^$/d')
check "Entrypoint is [\"/authmock\"], no shell" "${ENTRYPOINT[*]:-none}" \
  test "${#ENTRYPOINT[@]}" -eq 1 -a "${ENTRYPOINT[0]:-}" = /authmock

mapfile -t IMAGE_ENV < <(cfg '{{range .Docker.Config.Env}}{{println .}}{{end}}' | sed '/^$/d')
env_ok() { printf '%s\n' "${IMAGE_ENV[@]}" | grep -qx 'AUTHMOCK_HOST=0.0.0.0' &&
  printf '%s\n' "${IMAGE_ENV[@]}" | grep -qx 'AUTHMOCK_PORT=8080' &&
  printf '%s\n' "${IMAGE_ENV[@]}" | grep -qx 'AUTHMOCK_TLS_DIR=/tls'; }
check "Env AUTHMOCK_HOST=0.0.0.0 AUTHMOCK_PORT=8080 AUTHMOCK_TLS_DIR=/tls" "" env_ok

# shellcheck disable=SC2016 # a Go template, not a shell expansion
PORTS=$(cfg '{{range $k, $v := .Docker.Config.ExposedPorts}}{{$k}} {{end}}' | sed 's/ $//')
check "EXPOSE 8080 8443" "$PORTS" test "$PORTS" = "8080/tcp 8443/tcp"

HC=$(cfg '{{if .Docker.Config.Healthcheck}}{{range .Docker.Config.Healthcheck.Test}}{{.}} {{end}}{{end}}' | sed 's/ $//')
check "HEALTHCHECK CMD [\"/authmock\",\"healthcheck\",\"--ready\"]" "$HC" test "$HC" = "CMD /authmock healthcheck --ready"

labels_ok() {
  local l v
  for l in title description source licenses version; do
    v=$(cfg "{{index .Docker.Config.Labels \"org.opencontainers.image.$l\"}}")
    [ -n "$v" ] || { log "label org.opencontainers.image.$l is missing"; return 1; }
  done
  [ "$(cfg '{{index .Docker.Config.Labels "org.opencontainers.image.version"}}')" = "$VERSION" ]
}
check "OCI labels title/description/source/licenses/version" "version=$VERSION" labels_ok

CTR=$("${B[@]}" from --name authmock-smoke "$IMAGE")
MNT=$("${B[@]}" mount "$CTR")
FILES=$(cd "$MNT" && find . -mindepth 1 | sort | tr '\n' ' ' | sed 's/ $//')
check "image holds only /authmock and /tls" "$FILES" test "$FILES" = "./authmock ./tls"
TLS_DIR_MODE=$(stat -c '%u:%g %F' "$MNT/tls" 2>/dev/null || echo missing)
check "/tls is an empty directory owned by 65532:65532" "$TLS_DIR_MODE" test "$TLS_DIR_MODE" = "65532:65532 directory"
check "/authmock is the built binary" "" cmp -s "$MNT/authmock" "$BIN"

# ---------------------------------------------------------------- 5. run
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
pick_port() {
  local p
  for _ in $(seq 1 50); do
    p=$((20000 + RANDOM % 30000))
    port_free "$p" && { echo "$p"; return 0; }
  done
  return 1
}

descends_from() { # pid ancestor
  local p=$1
  for _ in $(seq 1 20); do
    p=$(sed -n 's/^PPid:[[:space:]]*//p' "/proc/$p/status" 2>/dev/null) || return 1
    [ -n "$p" ] && [ "$p" -gt 1 ] || return 1
    [ "$p" = "$2" ] && return 0
  done
  return 1
}
find_app_pid() { # the `authmock` process started under RUN_PID
  local d p
  for d in /proc/[0-9]*; do
    p=${d#/proc/}
    [ "$(cat "$d/comm" 2>/dev/null)" = authmock ] || continue
    descends_from "$p" "$RUN_PID" && { echo "$p"; return 0; }
  done
  return 1
}

# build_cmd PATH [--env K=V | --fixtures DIR]... -- ARGS...: sets CMD to the command
# that runs ARGS in the image by the given run path (callers run or background it).
build_cmd() {
  local path=$1
  shift
  local envs=() opts=() fixtures=""
  while [ "$1" != "--" ]; do
    case $1 in
      --env) envs+=("$2") ;;
      --fixtures) fixtures=$2 ;;
    esac
    shift 2
  done
  shift
  local e
  for e in "${envs[@]}"; do opts+=(--env "$e"); done
  case $path in
    oci)
      [ -n "$fixtures" ] && opts+=(--volume "$fixtures:/fixtures:ro")
      CMD=("${B[@]}" run --isolation oci --runtime "$(command -v runc)" --network host "${opts[@]}" "$CTR" -- "$@")
      ;;
    chroot)
      [ -n "$fixtures" ] && opts+=(--volume "$fixtures:/fixtures:ro")
      CMD=("${B[@]}" run --isolation chroot "${opts[@]}" "$CTR" -- "$@")
      ;;
    extracted)
      if [ -n "$fixtures" ]; then
        rm -rf "$MNT/fixtures"
        cp -r "$fixtures" "$MNT/fixtures"
      fi
      # A runtime gives every container /dev/{null,zero,random,urandom}; so does
      # this path. The static-glibc binary needs /dev/urandom: getrandom 0.3
      # finds getrandom(2) through dlsym, which static glibc lacks, and falls
      # back to the file (rand's ThreadRng panics without it).
      local dev name major minor
      mkdir -p "$MNT/dev"
      for dev in null:1:3 zero:1:5 random:1:8 urandom:1:9; do
        IFS=: read -r name major minor <<<"$dev"
        [ -e "$MNT/dev/$name" ] || mknod -m 666 "$MNT/dev/$name" c "$major" "$minor"
      done
      local pidns=()
      unshare --pid --fork true 2>/dev/null && pidns=("$(command -v unshare)" --pid --fork --kill-child)
      CMD=(env -i "${IMAGE_ENV[@]}" "${envs[@]}" "${pidns[@]}"
        "$(command -v chroot)" --userspec="$USER_CFG" "$MNT" "$@")
      ;;
  esac
}

# start_server PATH PORT [build_cmd options]: true once the listening line is out.
start_server() {
  local path=$1 port=$2
  shift 2
  : >"$WORK/out.log"
  : >"$WORK/err.log"
  build_cmd "$path" --env "AUTHMOCK_PORT=$port" "$@" -- "${ENTRYPOINT[@]}"
  "${CMD[@]}" >"$WORK/out.log" 2>"$WORK/err.log" &
  RUN_PID=$!
  for _ in $(seq 1 $((START_TIMEOUT_S * 10))); do
    if grep -q 'listening on' "$WORK/out.log" 2>/dev/null; then
      APP_PID=$(find_app_pid) || true
      return 0
    fi
    alive "$RUN_PID" || break
    sleep 0.1
  done
  log "run path '$path' did not start; its output:"
  sed 's/^/    | /' "$WORK/out.log" "$WORK/err.log" | tail -n 20
  stop_server
  return 1
}

http() { # METHOD URL [curl args...] -> prints "STATUS BODY"
  local m=$1 u=$2
  shift 2
  rm -f "$WORK/body"
  curl -sS --max-time 5 -o "$WORK/body" -w '%{http_code}' -X "$m" "$@" "$u" 2>"$WORK/curl.err" || true
  printf ' %s' "$(cat "$WORK/body" 2>/dev/null)"
}

# Predicates over http's "STATUS BODY".
health_ok() { [[ $1 == "200 "* && $1 == *'"status":"ok"'* ]]; }
code_0() { [[ $1 == "200 "* && $1 =~ \"code\":0[,}] ]]; }
# The EnOS unknown-token answer itself, so that a failed curl (status 000, no body) cannot pass for it.
refused_31401() { [[ $1 == "200 "* && $1 =~ \"code\":31401[,}] && $1 == *'"message":"Please login first"'* ]]; }

PORT=$(pick_port) || die "free port" "none found"
paths=(oci chroot extracted)
[ -n "${SMOKE_RUN_PATH:-}" ] && paths=("$SMOKE_RUN_PATH")
for p in "${paths[@]}"; do
  if [ "$p" = oci ] && ! command -v runc >/dev/null; then continue; fi
  log "starting the entrypoint on 127.0.0.1:$PORT via run path '$p'"
  if start_server "$p" "$PORT"; then
    RUN_PATH=$p
    break
  fi
done
[ "$RUN_PATH" != none ] || die "container starts" "no run path could start the image (tried: ${paths[*]})"
case $RUN_PATH in
  oci) RUN_PATH="oci (buildah run --isolation oci --runtime runc; authmock is PID 1 in its own pid namespace)" ;;
  chroot) RUN_PATH="chroot (buildah run --isolation chroot; no pid namespace)" ;;
  extracted) RUN_PATH="extracted (buildah mount + unshare/chroot as the image's User; fallback)" ;;
esac
MODE=${RUN_PATH%% *}
pass "container starts" "$RUN_PATH"

LINE=$(head -n1 "$WORK/out.log")
check "first stdout line" "$LINE" test "$LINE" = "authmock listening on http://0.0.0.0:$PORT"

R=$(http GET "http://127.0.0.1:$PORT/__admin/health")
check "GET /__admin/health is 200 {\"status\":\"ok\"}" "${R:0:120}" health_ok "$R"

R=$(http POST "http://127.0.0.1:$PORT/app-portal-service/v2.2/session/set" \
  -H "Authorization: Bearer $SEED_TOKEN" -H 'Content-Type: application/json' -d '{"orgId":"yourOrgId"}')
check "EnOS session/set answers code 0" "${R:0:120}" code_0 "$R"

# Negative control for the mounted-fixtures check below: unknown to the defaults.
R=$(http POST "http://127.0.0.1:$PORT/app-portal-service/v2.2/session/set" \
  -H "Authorization: Bearer $SMOKE_TOKEN" -H 'Content-Type: application/json' -d '{"orgId":"yourOrgId"}')
check "a token absent from the default fixtures answers 31401" "${R:0:120}" refused_31401 "$R"

if [ -n "$APP_PID" ]; then
  IDS=$(grep -E '^(Uid|Gid):' "/proc/$APP_PID/status" | awk '{print $2,$3}' | tr '\n' ' ' | sed 's/ $//')
  NSPID=$(sed -n 's/^NSpid:[[:space:]]*//p' "/proc/$APP_PID/status" | awk '{print $NF}')
  check "process runs as uid/gid 65532 (real, effective)" "pid $APP_PID, Uid/Gid $IDS, pid in its namespace: $NSPID" \
    test "$IDS" = "65532 65532 65532 65532"
else
  fail "process runs as uid/gid 65532" "authmock process not found under pid $RUN_PID"
fi

# The image's HEALTHCHECK command, run in the image as the runtime would.
healthcheck() {
  build_cmd "$MODE" --env "AUTHMOCK_PORT=$PORT" -- "${HC_CMD[@]}"
  timeout 20 "${CMD[@]}" >>"$WORK/hc.log" 2>&1
}
mapfile -t HC_CMD < <(cfg '{{range .Docker.Config.Healthcheck.Test}}{{println .}}{{end}}' | sed '1d; /^$/d')
[ ${#HC_CMD[@]} -gt 0 ] || HC_CMD=(/authmock healthcheck)
check "HEALTHCHECK command exits 0 while up" "${HC_CMD[*]}" healthcheck

if [ -n "$APP_PID" ]; then
  t1=$(date +%s%N)
  kill -TERM "$APP_PID"
  deadline=$((t1 + 5000000000))
  # One observation decides: a process in the middle of exiting can read as gone (zombie) and then, for an
  # instant while it is reaped, as present again, so the loop's own verdict is the one kept.
  ended=0
  while [ "$(date +%s%N)" -lt "$deadline" ]; do
    if ! alive "$APP_PID"; then ended=1; break; fi
    sleep 0.02
  done
  ms=$((($(date +%s%N) - t1) / 1000000))
  if [ "$ended" = 0 ]; then
    fail "SIGTERM ends the process" "still running after ${ms} ms"
  else
    check "SIGTERM ends the process within ${STOP_LIMIT_MS} ms" "${ms} ms" test "$ms" -le "$STOP_LIMIT_MS"
  fi
  for _ in $(seq 1 100); do alive "$RUN_PID" || break; sleep 0.1; done
  if alive "$RUN_PID"; then
    fail "graceful exit status 0" "run process still alive"
  else
    if wait "$RUN_PID"; then rc=0; else rc=$?; fi
    RUN_PID=""
    check "graceful exit status 0" "exit status $rc" test "$rc" -eq 0
  fi
fi
stop_server

# Exit status 1 exactly: the command's own "unhealthy", not a runtime error.
if healthcheck; then rc=0; else rc=$?; fi
check "HEALTHCHECK command exits 1 once stopped" "exit status $rc" test "$rc" -eq 1

# ---------------------------------------------------------------- 6. mounted fixtures
FIX="$WORK/fixtures"
cp -r fixtures "$FIX"
sed -i "s/$SEED_TOKEN/$SMOKE_TOKEN/" "$FIX/enos.json"
grep -q "$SMOKE_TOKEN" "$FIX/enos.json" || fail "fixtures copy" "fixtures/enos.json has no $SEED_TOKEN to replace"
chmod 755 "$WORK" "$FIX"
chmod 644 "$FIX"/*
PORT=$(pick_port) || die "free port" "none found"
if start_server "$MODE" "$PORT" --fixtures "$FIX" --env AUTHMOCK_FIXTURES=/fixtures; then
  R=$(http POST "http://127.0.0.1:$PORT/app-portal-service/v2.2/session/set" \
    -H "Authorization: Bearer $SMOKE_TOKEN" -H 'Content-Type: application/json' -d '{"orgId":"yourOrgId"}')
  check "fixtures mounted on /fixtures are used (their token answers code 0)" "${R:0:120}" code_0 "$R"
  stop_server
else
  fail "starts with fixtures mounted on /fixtures" "see output above"
fi

# ---------------------------------------------------------------- 7. https
# wait_https: true once the second stdout line (the https one) is out; sets TLS_LINE.
wait_https() {
  for _ in $(seq 1 $((START_TIMEOUT_S * 10))); do
    TLS_LINE=$(sed -n 2p "$WORK/out.log" 2>/dev/null)
    [ -n "$TLS_LINE" ] && return 0
    alive "$RUN_PID" || break
    sleep 0.1
  done
  sed 's/^/    | /' "$WORK/out.log" "$WORK/err.log" | tail -n 20
  return 1
}
PORT=$(pick_port) || die "free port" "none found"
TPORT=$(pick_port) || die "free port" "none found"
if start_server "$MODE" "$PORT" --env "AUTHMOCK_TLS_PORT=$TPORT" && wait_https; then
  check "second stdout line" "$TLS_LINE" test "$TLS_LINE" = "authmock listening on https://0.0.0.0:$TPORT"
  curl -sS --max-time 5 -o "$WORK/ca.pem" "http://127.0.0.1:$PORT/__admin/ca.pem" 2>"$WORK/curl.err" || true
  check "GET /__admin/ca.pem serves a PEM certificate" "$(head -n1 "$WORK/ca.pem" 2>/dev/null)" \
    grep -q -- '-----BEGIN CERTIFICATE-----' "$WORK/ca.pem"
  R=$(http POST "https://localhost:$TPORT/app-portal-service/v2.2/session/set" --cacert "$WORK/ca.pem" \
    -H "Authorization: Bearer $SEED_TOKEN" -H 'Content-Type: application/json' -d '{"orgId":"yourOrgId"}')
  check "EnOS session/set over https with curl --cacert answers code 0" "${R:0:120}" code_0 "$R"
  untrusted() { ! curl -sS --max-time 5 -o /dev/null "https://localhost:$TPORT/__admin/health" 2>"$WORK/curl.err"; }
  check "curl without --cacert fails the handshake" "$(head -c 120 "$WORK/curl.err" 2>/dev/null)" untrusted
  stop_server
  PORT=$(pick_port) || die "free port" "none found"
  if start_server "$MODE" "$PORT" --env "AUTHMOCK_TLS_PORT=$TPORT" && wait_https; then
    curl -sS --max-time 5 -o "$WORK/ca2.pem" "http://127.0.0.1:$PORT/__admin/ca.pem" 2>"$WORK/curl.err" || true
    check "a restart serves the same CA (kept in /tls)" "" cmp -s "$WORK/ca.pem" "$WORK/ca2.pem"
    stop_server
  else
    fail "restarts with AUTHMOCK_TLS_PORT" "see output above"
  fi
  prints_kept_ca() {
    build_cmd "$MODE" -- "${ENTRYPOINT[@]}" ca
    timeout 20 "${CMD[@]}" >"$WORK/ca3.pem" 2>>"$WORK/hc.log" && cmp -s "$WORK/ca.pem" "$WORK/ca3.pem"
  }
  check "\`authmock ca\` in the image prints the kept CA" "" prints_kept_ca
else
  fail "starts with AUTHMOCK_TLS_PORT" "see output above"
fi
