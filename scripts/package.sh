#!/usr/bin/env bash
# Builds the Linux packages, a .deb and an .rpm, with the Tauri bundler: the desktop app,
# the `caregiver` CLI on the PATH (/usr/bin/caregiver), the desktop entry and icons, and
# the licence (/usr/share/doc/caregiver-playbook/). Installs the Tauri CLI, pinned, if it
# is missing (setup.sh's `setup_tauri_cli`). Prints each package's path and size, and the
# app's release binary size, which must stay under 20 MB.
# AppImage is not built: its tools are fetched from the internet at build time.
# Windows (.msi, NSIS) and macOS (.dmg) packages come from .github/workflows/packages.yml.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh
setup_tauri_cli

# One release build of both binaries: the packages carry the CLI too
# (src-tauri/tauri.conf.json, bundle.linux), and building it in the bundler's own cargo
# run gives it the same features, so the core and its dependencies compile once.
(cd src-tauri && cargo tauri build --bundles deb,rpm -- --locked -p caregiver-desktop -p caregiver)

size() { stat -c %s "$1"; }
mib() { awk -v b="$1" 'BEGIN { printf "%.1f MiB", b / 1048576 }'; }
app=target/release/caregiver-desktop
echo "package: release binary ${app} ($(size "$app") bytes, $(mib "$(size "$app")"))"
for package in target/release/bundle/deb/*.deb target/release/bundle/rpm/*.rpm; do
  extra=""
  if [[ "$package" == *.deb ]] && command -v dpkg-deb >/dev/null 2>&1; then
    extra=", Installed-Size $(dpkg-deb -f "$package" Installed-Size) KiB"
  fi
  echo "package: ${package} ($(size "$package") bytes, $(mib "$(size "$package")")${extra})"
done
if [ "$(size "$app")" -ge 20000000 ]; then
  echo "package: the release binary is 20 MB or more (issue 16 keeps it under 20 MB)" >&2
  exit 1
fi
