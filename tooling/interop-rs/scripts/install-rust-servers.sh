#!/usr/bin/env bash
# Installs the real iroh relay server (`iroh-relay`, feature `server`) and the real
# pkarr relay / DNS server (`iroh-dns-server`) from crates.io into a cache dir, for
# interop tests. Idempotent: nothing is built when the expected versions are present.
#
#   IROH_TS_RUST_BIN_CACHE  install root (binaries land in $root/bin)
#                           default: $HOME/.cache/iroh-ts/rust-bin
#   IROH_TS_CARGO_TARGET    shared cargo target dir, default: $HOME/.cache/iroh-ts/cargo-target
#   IROH_RELAY_VERSION      default: the iroh-relay version in this crate's Cargo.lock
#   IROH_DNS_SERVER_VERSION default: same as IROH_RELAY_VERSION
#
# Prints the bin directory on stdout when done; cargo output goes to stderr.
set -euo pipefail

crate_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

if ! command -v cargo >/dev/null 2>&1; then
  echo "SKIP interop-rs: cargo not found, not installing iroh-relay / iroh-dns-server"
  exit 0
fi

root="${IROH_TS_RUST_BIN_CACHE:-$HOME/.cache/iroh-ts/rust-bin}"
export CARGO_TARGET_DIR="${IROH_TS_CARGO_TARGET:-$HOME/.cache/iroh-ts/cargo-target}"
mkdir -p "$root" "$CARGO_TARGET_DIR"

# Version of a package as resolved in our Cargo.lock (so the servers match the peer's iroh).
locked_version() {
  awk -v name="$1" '
    $0 == "name = \"" name "\"" { found = 1; next }
    found && /^version = / { gsub(/"/, "", $3); print $3; exit }
  ' "$crate_dir/Cargo.lock"
}

relay_version="${IROH_RELAY_VERSION:-$(locked_version iroh-relay)}"
dns_version="${IROH_DNS_SERVER_VERSION:-$relay_version}"
if [[ -z "$relay_version" ]]; then
  echo "could not determine the iroh-relay version from $crate_dir/Cargo.lock" >&2
  exit 1
fi

# True when `cargo install` recorded exactly this version in $root and the binary exists.
installed() {
  local crate="$1" version="$2"
  [[ -x "$root/bin/$crate" ]] &&
    cargo install --list --root "$root" 2>/dev/null | grep -qx "$crate v$version:"
}

install_one() {
  local crate="$1" version="$2"
  shift 2
  if installed "$crate" "$version"; then
    echo "$crate $version already installed in $root/bin" >&2
    return 0
  fi
  echo "installing $crate $version into $root (target dir $CARGO_TARGET_DIR)..." >&2
  local start=$SECONDS
  cargo install --locked --root "$root" --version "=$version" "$@" "$crate" 1>&2
  echo "$crate $version installed in $((SECONDS - start))s" >&2
}

install_one iroh-relay "$relay_version" --features server --bin iroh-relay
install_one iroh-dns-server "$dns_version" --bin iroh-dns-server

echo "$root/bin"
