#!/usr/bin/env bash
# Builds the crate against the newest semver-compatible dependencies, as a downstream crate that depends
# on authmock would get them, with warnings as errors: the committed Cargo.lock cannot hide an upstream
# deprecation (rustls 0.23.48 deprecated ring's default_provider, for one). Runs in a scratch copy, so the
# repository's lockfile is left alone.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
tar --exclude=./target --exclude=./.git -cf - . | tar -xf - -C "$scratch"
cd "$scratch"
cargo update --quiet
# Its own target directory under the repository's, kept between runs; RUSTFLAGS would otherwise
# invalidate the main build's artifacts.
RUSTFLAGS="-D warnings" CARGO_TARGET_DIR="$repo/target/newest-deps" cargo check --all-targets
echo "newest-deps-check: builds without warnings against the newest compatible dependencies"
