#!/usr/bin/env bash
# Installs what is missing, then runs the whole test suite: formatting, lints, the core and
# CLI tests, and the end-to-end tests in the real webview (under a virtual display when
# there is none); as root (CI), the install test too (scripts/test-install.sh: the .deb
# built, installed on this machine, driven and removed). Fails if any test wrote into the
# real user's data folder.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh

real_data="${XDG_DATA_HOME:-$HOME/.local/share}/org.caregiverplaybook.desktop"
snapshot() { if [ -e "$real_data" ]; then find "$real_data" -printf '%p %s %T@\n' | sort; else echo absent; fi; }
before=$(snapshot)

echo "== format"
cargo fmt --all -- --check
echo "== lints"
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "== the core stays free of the desktop stack"
if cargo tree --locked -p caregiver -e normal,build,dev --prefix none | grep -iE '^(tauri|wry|webkit|javascriptcore|gtk)'; then
  echo "test: the caregiver core depends on a desktop crate (above)" >&2
  exit 1
fi
echo "== core and CLI tests"
cargo test --locked
echo "== end-to-end tests (real app, real webview)"
if [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; then
  cargo test --locked -p caregiver-desktop
else
  xvfb-run -a -s "-screen 0 1280x800x24" cargo test --locked -p caregiver-desktop
fi
echo "== install test (the .deb installed on this machine)"
if [ "$(id -u)" -eq 0 ]; then
  bash scripts/test-install.sh
else
  echo "test: skipped the install test: it installs the .deb on this machine with apt-get and"
  echo "test: writes /etc/caregiver-playbook, so it runs only as root (CI does): scripts/test-install.sh"
fi

if [ "$(snapshot)" != "$before" ]; then
  echo "test: a test wrote into the real data folder $real_data" >&2
  exit 1
fi
echo "== all tests passed"
