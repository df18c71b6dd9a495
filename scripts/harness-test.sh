#!/usr/bin/env bash
# The Python and JavaScript harnesses, as a user gets them: builds the wheel (maturin, the release binary
# inside) and the npm tarballs (authmock + authmock-<os>-<cpu>) from the release binary, installs them into
# a fresh venv and a fresh npm project in a temp dir — nothing of the repository on the path — copies the
# suites there (python/tests, npm/test) and runs them:
#   pytest (the plugin's fixtures; again with pytest-xdist -n 2), node --test, Vitest with
#   globalSetup: ['authmock/vitest'], and tsc --strict over a file using the .d.ts types.
# Needs Rust, Python 3.10+, Node 20+ and npm; installs maturin, pytest, pytest-xdist, requests, vitest
# and typescript from PyPI / npm. HARNESS_KEEP=1 keeps the temp dir.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export PIP_ROOT_USER_ACTION=ignore PIP_DISABLE_PIP_VERSION_CHECK=1 npm_config_audit=false npm_config_fund=false
WORK=$(mktemp -d "${TMPDIR:-/tmp}/authmock-harness.XXXXXX")
[ "${HARNESS_KEEP:-}" = 1 ] && echo "keeping $WORK" || trap 'rm -rf "$WORK"' EXIT
step() { printf '\n--> %s\n' "$*"; }

step "release binary (cargo build --release; maturin reuses it)"
cargo build --release --locked
BIN=$ROOT/target/release/authmock

step "the wheel (maturin, bindings = bin)"
python3 -m venv "$WORK/build-venv"
"$WORK/build-venv/bin/pip" install -q 'maturin>=1.5,<2'
(cd python && "$WORK/build-venv/bin/maturin" build --release --locked --out "$WORK/dist")
WHEEL=$(ls "$WORK"/dist/authmock-*.whl)

step "the npm tarballs"
bash npm/pack.sh "$BIN" "$WORK/dist"

step "Python: a fresh venv with the wheel, pytest, pytest-xdist, requests"
python3 -m venv "$WORK/venv"
"$WORK/venv/bin/pip" install -q "$WHEEL" pytest pytest-xdist requests
mkdir "$WORK/py" && cp python/tests/*.py "$WORK/py/"
cd "$WORK/py"
# The wheel's own binary, not one from this environment.
unset AUTHMOCK_BIN
test "$("$WORK/venv/bin/python" -c 'import authmock; print(authmock.find_binary())')" = "$WORK/venv/bin/authmock"
"$WORK/venv/bin/authmock" --version
"$WORK/venv/bin/python" -m pytest -p no:cacheprovider -q .
"$WORK/venv/bin/python" -m pytest -p no:cacheprovider -q -n 2 --authmock-seed 7 .

step "Node: a fresh npm project with the tarballs, node:test"
mkdir "$WORK/js" && cd "$WORK/js"
npm init -y >/dev/null
npm install --silent "$WORK"/dist/authmock-*.tgz
cp "$ROOT"/npm/test/*.test.mjs .
node --test flows.test.mjs process.test.mjs

step "Vitest with globalSetup: ['authmock/vitest']"
npm install --silent -D 'vitest@^4'
mkdir vitest && cp "$ROOT"/npm/test/vitest/* vitest/
(cd vitest && npx vitest run)

step "TypeScript: the .d.ts files under tsc --strict"
npm install --silent -D 'typescript@^5'
npx tsc --noEmit --strict --module nodenext --moduleResolution nodenext --target es2022 vitest/types-check.mts
echo "harness tests passed"
