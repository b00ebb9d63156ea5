//! End-to-end tests: the real `caregiver-desktop` in the real webview (WebKitGTK), driven
//! over WebDriver through tauri-driver. Each test gets its own app with its own temp data
//! folder and home. Run them with `scripts/test.sh` (which provides a virtual display), or
//! `xvfb-run -a cargo test -p caregiver-desktop --test e2e`. The install test (`installed`,
//! ignored: it needs root and installs the package) runs from `scripts/test-install.sh`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod assets;
mod breach;
mod bulletin;
mod calls;
mod exercise;
mod fleet;
mod forensics;
mod harness;
mod hics;
mod home;
mod incident;
mod installed;
mod library;
mod packs;
mod policy;
mod screens;
mod siem;
mod store_flows;
mod training;
