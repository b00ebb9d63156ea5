#!/usr/bin/env bash
# The startup benchmark (issue 15): builds the app and a blank Tauri 2 window
# (src-tauri/examples/blank) with the release profile and the same features, then times both
# under WebDriver, alternating, 7 launches each after a warm-up (src-tauri/examples/
# bench_startup.rs): launch to the first screen painted (the app's lock screen), PSS of
# each process tree 3 s later, the ratios, and the release binaries' sizes. Not run by CI.
# Extra arguments go to the driver, e.g. `scripts/bench-startup.sh --runs 11 --settle 5`.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh

cargo build --locked --release -p caregiver-desktop --features custom-protocol \
  --bin caregiver-desktop --example blank --example bench_startup
bench=(target/release/examples/bench_startup
  --app target/release/caregiver-desktop --blank target/release/examples/blank "$@")
if [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; then
  "${bench[@]}"
else
  xvfb-run -a -s "-screen 0 1280x800x24" "${bench[@]}"
fi
