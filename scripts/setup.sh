#!/usr/bin/env bash
# Installs whatever building, running and testing Caregiver Playbook needs on Debian or
# Ubuntu, and skips what is already there. Sourced by run.sh and test.sh; safe to run alone.
#   - system packages: the WebKitGTK stack Tauri builds against, Xvfb and WebKitWebDriver
#     for the end-to-end tests, python3 and openssl for the outsider checks; rsyslog and
#     its TLS driver (rsyslog-gnutls), the real syslog server the SIEM forwarding test
#     (tests/it/siem.rs) starts on a local port (not started as a service here);
#   - Rust (rustup, stable) if cargo is missing;
#   - tauri-driver, pinned to 2.x (the latest on the registry is a 3.0 alpha);
#   - for package.sh only (it calls `setup_tauri_cli`): the Tauri CLI, pinned. It writes the
#     .deb and .rpm itself (no dpkg-deb, no rpmbuild) and builds from source with the tools
#     above; the install test then needs only apt-get and dpkg, which every Debian has.
set -euo pipefail

TAURI_DRIVER_VERSION="2.1.0"
TAURI_CLI_VERSION="2.12.4"
PACKAGES=(
  build-essential pkg-config curl file ca-certificates
  libwebkit2gtk-4.1-dev
  xvfb xauth webkit2gtk-driver
  python3 openssl
  rsyslog rsyslog-gnutls
)

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else echo "setup: need root (or sudo) to install: $*" >&2; return 1
  fi
}

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
if ! command -v cargo >/dev/null 2>&1; then
  echo "setup: installing Rust (rustup, stable)"
  curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile default
fi

if ! tauri-driver --help 2>/dev/null | grep -q -- '--native-port'; then
  echo "setup: installing tauri-driver ${TAURI_DRIVER_VERSION}"
  cargo install "tauri-driver@${TAURI_DRIVER_VERSION}" --locked --quiet
fi

# The Tauri CLI (`cargo tauri`), pinned; package.sh calls this, the other scripts need not.
setup_tauri_cli() {
  if ! cargo tauri --version 2>/dev/null | grep -qx "tauri-cli ${TAURI_CLI_VERSION}"; then
    echo "setup: installing the Tauri CLI ${TAURI_CLI_VERSION}"
    cargo install "tauri-cli@${TAURI_CLI_VERSION}" --locked --quiet
  fi
}
