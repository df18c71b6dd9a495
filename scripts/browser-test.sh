#!/usr/bin/env bash
# Real-browser test of the dashboard (GET /__admin/ui): Debian's Chromium driven by playwright-core,
# run with node's built-in test runner.
#
#   bash scripts/browser-test.sh        (from anywhere; needs root for apt-get when Chromium is missing)
#
# 1. Installs what is missing: Debian's chromium (/usr/bin/chromium) and, if the machine has no Node.js,
#    nodejs + npm; then playwright-core (pinned in tests/browser/package.json) with `npm ci`.
#    No browser is downloaded by npm: playwright-core drives the Debian build (never `npx playwright install`).
# 2. Builds target/debug/authmock and starts it on a free loopback port (`--port 0`; the URL is read from
#    the first stdout line).
# 3. Runs tests/browser/dashboard.test.mjs and signin.test.mjs (the KooDrive sign-in journey) with
#    `node --test`; they save target/dashboard.png and target/signin.png.
# 4. Stops the server (also on failure).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
step() { printf '\n--> %s\n' "$*"; }
started=$SECONDS

pkgs=()
[ -x /usr/bin/chromium ] || pkgs+=(chromium)
command -v node >/dev/null 2>&1 || pkgs+=(nodejs)
command -v npm >/dev/null 2>&1 || pkgs+=(npm)
if [ ${#pkgs[@]} -gt 0 ]; then
  step "apt-get install ${pkgs[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${pkgs[@]}" >/dev/null
fi
/usr/bin/chromium --version 2>/dev/null || true

step "npm ci (playwright-core)"
(
  cd tests/browser
  if [ ! -d node_modules/playwright-core ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund --loglevel=error
  fi
)

step "cargo build"
cargo build --locked --bin authmock
BIN=$TARGET_DIR/debug/authmock

step "start authmock"
LOG=$(mktemp -d)
"$BIN" --port 0 >"$LOG/stdout" 2>"$LOG/stderr" &
PID=$!
cleanup() {
  kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null || true
  rm -rf "$LOG"
}
trap cleanup EXIT
URL=
for _ in $(seq 1 100); do
  line=$(head -n 1 "$LOG/stdout" 2>/dev/null || true)
  if [[ $line =~ (http://[^[:space:]]+) ]]; then URL=${BASH_REMATCH[1]}; break; fi
  kill -0 "$PID" 2>/dev/null || { cat "$LOG/stderr" >&2; echo "authmock exited before listening" >&2; exit 1; }
  sleep 0.1
done
[ -n "$URL" ] || { echo "authmock did not print its URL" >&2; exit 1; }
echo "authmock at $URL"

step "node --test tests/browser/{dashboard,signin}.test.mjs"
mkdir -p "$TARGET_DIR"
status=0
(
  cd tests/browser
  AUTHMOCK_URL=$URL AUTHMOCK_BIN=$BIN SCREENSHOT=$TARGET_DIR/dashboard.png \
    SIGNIN_SCREENSHOT=$TARGET_DIR/signin.png \
    node --test --test-concurrency=1 --test-reporter=spec dashboard.test.mjs signin.test.mjs
) || status=$?
if [ "$status" -ne 0 ]; then
  echo "--- authmock stderr (last 40 lines) ---" >&2
  tail -n 40 "$LOG/stderr" >&2 || true
  exit "$status"
fi
echo "screenshot: $TARGET_DIR/dashboard.png"
echo "browser test done in $((SECONDS - started)) s"
