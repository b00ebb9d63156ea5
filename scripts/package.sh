#!/usr/bin/env bash
# Builds the Linux packages, a .deb and an .rpm, with the Tauri bundler: the desktop app,
# the `caregiver` CLI on the PATH (/usr/bin/caregiver), the desktop entry and icons, and
# the licence (/usr/share/doc/caregiver-playbook/). Installs the Tauri CLI, pinned, if it
# is missing (as setup.sh does tauri-driver). Prints each package's path and size.
# AppImage is not built: its tools are fetched from the internet at build time.
# Windows (.msi, NSIS) and macOS (.dmg) packages come from .github/workflows/packages.yml.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh

TAURI_CLI_VERSION="2.12.4"
if ! cargo tauri --version 2>/dev/null | grep -qx "tauri-cli ${TAURI_CLI_VERSION}"; then
  echo "package: installing the Tauri CLI ${TAURI_CLI_VERSION}"
  cargo install "tauri-cli@${TAURI_CLI_VERSION}" --locked --quiet
fi

# The CLI first: the packages carry it (src-tauri/tauri.conf.json, bundle.linux).
cargo build --locked --release -p caregiver --bin caregiver
(cd src-tauri && cargo tauri build --bundles deb,rpm -- --locked)

for package in target/release/bundle/deb/*.deb target/release/bundle/rpm/*.rpm; do
  echo "package: ${package} ($(du -h "${package}" | cut -f1))"
done
