#!/usr/bin/env bash
# Mutation testing: cargo-mutants on what changed since a git ref, or the recorded baseline sample.
#
#   scripts/mutants.sh [REF] [cargo-mutants options...] [-- cargo test arguments...]
#   scripts/mutants.sh --baseline AREA [SHARDS] [cargo-mutants options...]
#
#   REF defaults to `main`. Only mutants on lines the diff REF...HEAD plus the uncommitted changes
#   touch are tried (`--in-diff`), against the whole `cargo test`, Redis tests included and required
#   (AUTHMOCK_REQUIRE_REDIS=1: a missing redis-server fails the run rather than skipping them).
#   Anything after REF goes to cargo-mutants as is, e.g.
#     scripts/mutants.sh main --file src/store/memory/locks.rs -C --test=api   # one file, one binary
#
#   --baseline AREA tries the sample docs/testing.md records for AREA, fixed round-robin shards
#   (`--shard K/N --sharding round-robin`: every Nth mutant of cargo mutants --list, from the Kth)
#   against the one test binary that exercises it. SHARDS is a comma-separated list of K (default
#   0), e.g. `--baseline store 0,1`; each shard's results go to mutants.out/AREA-K/mutants.out/.
#   N per area:
#     pipeline     src/pipeline/**                     N=14   tests/api
#     vendors      src/vendors/**                      N=22   tests/api
#     store        src/store/** but src/store/redis/   N=100  tests/api
#     store-redis  src/store/redis/**                  N=50   tests/redis
#   The api binary runs without its one slow test (a hundred thousand tokens expiring, ~150 s of the
#   binary's ~200 s): a mutant only it would catch (the sweep of expired credentials) is missed here.
#   Anything after AREA goes to cargo-mutants, e.g. `--baseline skip` when the suite just passed.
#
#   Results: mutants.out/ here, or under $CARGO_MUTANTS_OUTPUT (caught.txt, missed.txt,
#   timeout.txt, unviable.txt); the exit status is cargo-mutants' own (0: every mutant caught or
#   unviable, 2: some missed, 3: some timed out).
#   A missed mutant is a test to add or a line that does nothing: fix one or the other.
#   Needs `cargo install cargo-mutants --locked`. Run it before resolving an issue that changes
#   behaviour; docs/testing.md holds the baseline and what it costs on 2 cores.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD

if ! cargo mutants --version >/dev/null 2>&1; then
  echo "mutants.sh: cargo-mutants is not installed: cargo install cargo-mutants --locked" >&2
  exit 1
fi

args=()
shards=()
if [ "${1:-}" = --baseline ]; then
  area=${2:-}
  slow=the_store_returns_to_its_baseline
  case $area in
    pipeline) n=14 args=(-f 'src/pipeline/**' -C --test=api) ;;
    vendors) n=22 args=(-f 'src/vendors/**' -C --test=api) ;;
    store) n=100 args=(-f 'src/store/**' -e 'src/store/redis/**' -C --test=api) ;;
    store-redis) n=50 args=(-f 'src/store/redis/**' -C --test=redis) ;;
    *)
      echo "mutants.sh: --baseline takes pipeline, vendors, store or store-redis" >&2
      exit 1
      ;;
  esac
  shift 2
  list=0
  if [[ ${1:-} =~ ^[0-9]+(,[0-9]+)*$ ]]; then
    list=$1
    shift
  fi
  IFS=, read -ra shards <<<"$list"
  for k in "${shards[@]}"; do
    if [ "$k" -ge "$n" ]; then
      echo "mutants.sh: $area has shards 0 to $((n - 1)), not $k" >&2
      exit 1
    fi
  done
  args+=(--sharding round-robin --timeout 240 "$@")
  [ "$area" = store-redis ] || args+=(-- -- --skip "$slow")
else
  ref=${1:-main}
  [ $# -gt 0 ] && shift
  if ! git rev-parse --verify --quiet "$ref^{commit}" >/dev/null; then
    echo "mutants.sh: $ref is not a git ref" >&2
    exit 1
  fi
  diff=$(mktemp /tmp/authmock-mutants.XXXXXX.diff)
  # Changes since the merge base, committed or not (the working tree against it).
  git diff "$(git merge-base "$ref" HEAD)" -- src >"$diff"
  if [ ! -s "$diff" ]; then
    rm -f "$diff"
    echo "mutants.sh: nothing under src/ changed since $ref; no mutants to try"
    exit 0
  fi
  args=(--in-diff "$diff" --timeout 600 "$@")
fi

# The mutants are built in a copy of the tree, mutated in place there, so that this tree stays
# untouched. `cp -a` keeps target/'s timestamps, so only authmock itself rebuilds in the copy
# (seconds); cargo-mutants' own copy (--copy-target) rebuilt every dependency (~15 min here).
copy=$(mktemp -d /tmp/authmock-mutants.XXXXXX)
trap 'rm -rf "$copy" ${diff:+"$diff"}' EXIT
tar -C "$root" --exclude=./.git --exclude=./mutants.out -cf - . | tar -C "$copy" -xf -

export AUTHMOCK_REQUIRE_REDIS=1
out=${CARGO_MUTANTS_OUTPUT:-$root}
status=0
# nice: the build and tests yield to whatever else the machine is compiling.
if [ ${#shards[@]} -eq 0 ]; then
  (cd "$copy" && CARGO_MUTANTS_OUTPUT=$out nice -n 10 cargo mutants --in-place "${args[@]}") || status=$?
else
  # One run per shard, each with its own output, so that areas can run side by side; the worst
  # status wins (3 timeout over 2 missed over 0).
  for k in "${shards[@]}"; do
    mkdir -p "$out/mutants.out/$area-$k"
    s=0
    (cd "$copy" && CARGO_MUTANTS_OUTPUT=$out/mutants.out/$area-$k nice -n 10 \
      cargo mutants --in-place --shard "$k/$n" "${args[@]}") || s=$?
    if [ "$s" -gt "$status" ]; then status=$s; fi
  done
fi
exit "$status"
