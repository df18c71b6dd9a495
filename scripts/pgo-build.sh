#!/usr/bin/env bash
# Profile-guided release build of authmock and of the benchmark's reference server (bench/README.md, "Profile-guided builds").
#
#   bash scripts/pgo-build.sh    # → target/pgo/use/release/authmock, …/examples/reference
#
# 1. Both are built instrumented (-Cprofile-generate) in target/pgo/gen.
# 2. Each is trained on its own: started on a free port, driven with wrk through the benchmark's four
#    workloads (bench/*.lua, TRAIN_SECONDS each), then, for authmock, through every other vendor route and
#    the control plane 20 times (scripts/pgo-train.sh), and stopped with SIGTERM, which writes its profile.
# 3. The profiles are merged (llvm-profdata, from rustup's llvm-tools component) and both are built again
#    with -Cprofile-use in target/pgo/use. Code neither run reached is still compiled, only not favoured.
#
# Needs wrk and curl (Debian packages; wrk is installed if missing) and rustup's llvm-tools (added if
# missing). A plain `cargo build --release` is unaffected: the two builds have their own target dirs.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
TRAIN_SECONDS="${TRAIN_SECONDS:-3}"
TARGET="${PGO_TARGET_DIR:-$ROOT/target/pgo}"
DATA="$TARGET/profiles"
export BENCH_DIR="$ROOT/bench"

log() { printf '[pgo %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

if ! command -v wrk >/dev/null 2>&1; then
  log "wrk is missing: installing the Debian package"
  SUDO=()
  [ "$(id -u)" -eq 0 ] || SUDO=(sudo)
  "${SUDO[@]}" apt-get install -y -qq wrk >&2 || { "${SUDO[@]}" apt-get update -qq && "${SUDO[@]}" apt-get install -y -qq wrk >&2; }
fi
command -v curl >/dev/null 2>&1 || die "curl is required"
PROFDATA="$(rustc --print sysroot)/lib/rustlib/$(rustc -vV | sed -n 's/^host: //p')/bin/llvm-profdata"
if [ ! -x "$PROFDATA" ]; then
  log "llvm-profdata is missing: rustup component add llvm-tools"
  rustup component add llvm-tools >&2
fi
[ -x "$PROFDATA" ] || die "no llvm-profdata at $PROFDATA"

rm -rf "$DATA"
mkdir -p "$DATA"
log "instrumented build (target/pgo/gen)"
RUSTFLAGS="-Cprofile-generate=$DATA" cargo build --release --locked --bin authmock --example reference \
  --target-dir "$TARGET/gen" >&2

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null ||
    echo $((20000 + RANDOM % 20000))
}

# train NAME BINARY: runs it until the workloads are done, then SIGTERM (its profile is written on exit)
train() {
  local name="$1" bin="$2" port url pid w args
  port="$(free_port)"
  url="http://127.0.0.1:$port"
  LLVM_PROFILE_FILE="$DATA/$name-%p.profraw" "$bin" --port "$port" >"$DATA/$name.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 250); do curl -sf -o /dev/null "$url/__admin/health" && break; sleep 0.02; done
  curl -sf -o /dev/null "$url/__admin/health" || die "$name did not start (see $DATA/$name.log)"
  args=(x x)
  if [ "$name" = authmock ]; then
    # Real OneAccess tokens for the sso-ticket workload (the reference ignores them).
    mapfile -t args < <(bash scripts/pgo-train.sh tokens "$url")
  fi
  for w in koodrive_login koodrive_session oneaccess_sso_ticket enos_session_set; do
    wrk -t1 -c32 -d"${TRAIN_SECONDS}s" -s "bench/$w.lua" "$url" -- "${args[@]}" >/dev/null
  done
  if [ "$name" = authmock ]; then bash scripts/pgo-train.sh routes "$url"; fi
  kill -TERM "$pid"
  wait "$pid" || die "$name did not stop cleanly (see $DATA/$name.log)"
  log "trained $name"
}
train authmock "$TARGET/gen/release/authmock"
train reference "$TARGET/gen/release/examples/reference"

# Only the two servers' runs: the build scripts and proc macros of the instrumented build wrote theirs here too.
"$PROFDATA" merge -o "$DATA/merged.profdata" "$DATA"/authmock-*.profraw "$DATA"/reference-*.profraw
# Named by its content: a new profile changes RUSTFLAGS, so cargo rebuilds every crate with it.
PROFILE="$DATA/$(sha256sum "$DATA/merged.profdata" | cut -c1-16).profdata"
mv "$DATA/merged.profdata" "$PROFILE"
log "optimized build (target/pgo/use)"
RUSTFLAGS="-Cprofile-use=$PROFILE" cargo build --release --locked --bin authmock --example reference \
  --target-dir "$TARGET/use" >&2
log "built $TARGET/use/release/authmock and $TARGET/use/release/examples/reference"
