#!/usr/bin/env bash
# Packs the npm tarballs: authmock (the JavaScript) and authmock-<os>-<cpu> holding BINARY, into OUTDIR.
#   bash npm/pack.sh target/release/authmock target/npm
set -euo pipefail
BIN=${1:?usage: npm/pack.sh BINARY OUTDIR}
OUT=${2:?usage: npm/pack.sh BINARY OUTDIR}
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
case "$(uname -s)" in Linux) os=linux ;; Darwin) os=darwin ;; *) echo "unsupported OS $(uname -s)" >&2; exit 1 ;; esac
case "$(uname -m)" in x86_64 | amd64) cpu=x64 ;; aarch64 | arm64) cpu=arm64 ;; *) echo "unsupported CPU $(uname -m)" >&2; exit 1 ;; esac
version=$(node -p "require('$HERE/authmock/package.json').version")
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/bin"
cp "$BIN" "$stage/bin/authmock"
chmod 755 "$stage/bin/authmock"
cp "$HERE/platform/README.md" "$stage/"
cat >"$stage/package.json" <<JSON
{
  "name": "authmock-$os-$cpu",
  "version": "$version",
  "description": "The authmock binary for $os-$cpu (an optional dependency of authmock)",
  "license": "MIT",
  "os": ["$os"],
  "cpu": ["$cpu"],
  "files": ["bin/"],
  "preferUnplugged": true
}
JSON
(cd "$stage" && npm pack --silent --pack-destination "$OUT" >/dev/null)
(cd "$HERE/authmock" && npm pack --silent --pack-destination "$OUT" >/dev/null)
ls "$OUT"/authmock-*.tgz
