#!/usr/bin/env bash
# Mutation testing of what changed: cargo-mutants on the lines changed since a git ref.
#
#   scripts/mutants.sh [REF] [cargo-mutants options...] [-- cargo test arguments...]
#
#   REF defaults to `main`. Only mutants on lines the diff REF...HEAD plus the uncommitted changes
#   touch are tried (`--in-diff`), against the whole `cargo test`, Redis tests included and required
#   (AUTHMOCK_REQUIRE_REDIS=1: a missing redis-server fails the run rather than skipping them).
#   Anything after REF goes to cargo-mutants as is, e.g.
#     scripts/mutants.sh main --file src/store/locks.rs -- --test api   # one file, one test binary
#   Results: mutants.out/ (caught.txt, missed.txt, timeout.txt, unviable.txt); the exit status is
#   cargo-mutants' own (0: every mutant caught or unviable, 2: some missed, 3: some timed out).
#   A missed mutant is a test to add or a line that does nothing: fix one or the other.
#   Needs `cargo install cargo-mutants --locked`. Run it before resolving an issue that changes
#   behaviour; docs/testing.md holds the baseline and what it costs on 2 cores.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

if ! cargo mutants --version >/dev/null 2>&1; then
  echo "mutants.sh: cargo-mutants is not installed: cargo install cargo-mutants --locked" >&2
  exit 1
fi

ref=${1:-main}
[ $# -gt 0 ] && shift
if ! git rev-parse --verify --quiet "$ref^{commit}" >/dev/null; then
  echo "mutants.sh: $ref is not a git ref" >&2
  exit 1
fi

diff=$(mktemp /tmp/authmock-mutants.XXXXXX.diff)
trap 'rm -f "$diff"' EXIT
# Changes since the merge base, committed or not (the working tree against it).
git diff "$(git merge-base "$ref" HEAD)" -- src >"$diff"
if [ ! -s "$diff" ]; then
  echo "mutants.sh: nothing under src/ changed since $ref; no mutants to try"
  exit 0
fi

export AUTHMOCK_REQUIRE_REDIS=1
# The mutants are built in a copy of the tree (this one stays untouched); --copy-target starts that
# copy from this target/, though cargo still rebuilds much of it there once (the first mutant waits
# for it: about 15 minutes on 2 shared cores).
status=0
cargo mutants --in-diff "$diff" --copy-target=true --timeout 600 "$@" || status=$?
exit "$status"
