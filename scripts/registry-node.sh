#!/usr/bin/env bash
# Usage: scripts/registry-node.sh VERSION
# Puts Node.js VERSION from the npm registry into a cache directory (not touching the machine's own node) and prints
# that directory: bin/node is the runtime, include/node holds its C++ headers and common.gypi, so
# `npm_config_nodedir=<dir>` lets node-gyp compile better-sqlite3 and isolated-vm without downloading anything.
# The registry's `node-linux-<arch>` packages are the binary half of the `node` package (which only adds an install
# script that fetches them); they ship the same tree as the official tarball, headers included.
# Cache: $PORTCULLIS_NODE_CACHE, else ${XDG_CACHE_HOME:-~/.cache}/portcullis/node.
set -euo pipefail
version="${1:?usage: registry-node.sh VERSION}"
case "$(uname -m)" in
  x86_64 | amd64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) echo "registry-node.sh: no registry Node package for $(uname -m)" >&2; exit 1 ;;
esac
os="$(uname -s | tr '[:upper:]' '[:lower:]')"
root="${PORTCULLIS_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/portcullis/node}"
dir="$root/$version-$os-$arch"

if [ ! -x "$dir/bin/node" ] || [ ! -f "$dir/include/node/common.gypi" ]; then
  mkdir -p "$root"
  tmp="$(mktemp -d "$root/.download.XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  # npm pack checks the tarball against the registry's integrity hash.
  (cd "$tmp" && npm pack --silent "node-$os-$arch@$version" >/dev/null)
  tar xzf "$tmp"/node-"$os"-"$arch"-"$version".tgz -C "$tmp"
  rm -rf "$dir"
  mv "$tmp/package" "$dir"
fi

got="$("$dir/bin/node" --version)"
if [ "$got" != "v$version" ]; then
  echo "registry-node.sh: $dir/bin/node is $got, expected v$version" >&2
  exit 1
fi
echo "$dir"
