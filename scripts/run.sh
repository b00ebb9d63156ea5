#!/usr/bin/env bash
# Installs what is missing, builds the desktop app and starts it on the embedded default
# (the bundled playbook pack; the data folder is the platform's app-data folder, or
# --data-dir DIR / CAREGIVER_DATA_DIR). Extra arguments go to the app.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh

cargo build -p caregiver-desktop
app=target/debug/caregiver-desktop
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "run: no display found; starting the app on a virtual display (Xvfb)."
  echo "run: to see it, run this on a desktop session instead. Ctrl-C stops it."
  exec xvfb-run -a -s "-screen 0 1280x800x24" "$app" "$@"
fi
exec "$app" "$@"
