#!/usr/bin/env bash
# The install test (issue 16), as root only: builds the packages (scripts/package.sh), then
# runs the end-to-end test `installed` (tests/e2e/installed.rs), which installs the .deb on
# THIS machine with apt-get, writes a managed configuration into /etc/caregiver-playbook/,
# starts the installed /usr/bin/caregiver-desktop under the end-to-end harness, drives the
# installed /usr/bin/caregiver, opens a store of the previous schema with them, removes the
# package and deletes /etc/caregiver-playbook again. It refuses to run where the package or
# that folder is already there. scripts/test.sh runs this when it runs as root (CI).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ]; then
  echo "test-install: needs root: it installs the .deb on this machine (apt-get) and writes /etc/caregiver-playbook" >&2
  exit 1
fi
. scripts/setup.sh

bash scripts/package.sh
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
deb="$PWD/target/release/bundle/deb/Caregiver Playbook_${version}_$(dpkg --print-architecture).deb"
if [ ! -f "$deb" ]; then
  echo "test-install: package.sh made no ${deb}" >&2
  exit 1
fi

export CAREGIVER_E2E_DEB="$deb"
export CAREGIVER_E2E_APP=/usr/bin/caregiver-desktop
export CAREGIVER_E2E_CLI=/usr/bin/caregiver
test=(cargo test --locked -p caregiver-desktop --test e2e -- --ignored --exact --nocapture
  installed::installed_package_runs_managed_upgrades_a_store_and_uninstalls_cleanly)
if [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; then
  "${test[@]}"
else
  xvfb-run -a -s "-screen 0 1280x800x24" "${test[@]}"
fi
