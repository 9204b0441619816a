#!/usr/bin/env bash
# Builds the iroh-ts-peer test binary (real iroh 1.x from crates.io) into an external
# cargo target dir and prints the binary path on stdout. Cargo's progress goes to stderr.
# Skips (exit 0) when cargo is not installed.
set -euo pipefail

crate_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

if ! command -v cargo >/dev/null 2>&1; then
  echo "SKIP interop-rs: cargo not found"
  exit 0
fi

export CARGO_TARGET_DIR="${IROH_TS_CARGO_TARGET:-$HOME/.cache/iroh-ts/cargo-target}"
mkdir -p "$CARGO_TARGET_DIR"

cargo build --locked --manifest-path "$crate_dir/Cargo.toml" --bin iroh-ts-peer 1>&2

echo "$CARGO_TARGET_DIR/debug/iroh-ts-peer"
