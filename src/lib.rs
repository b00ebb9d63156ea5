//! Caregiver Playbook core: everything that matters lives here, with no dependency on
//! Tauri, so the CLI, the tests and the desktop shell all drive the same code.
//!
//! See `ARCHITECTURE.md` for the codemap and the invariants.

pub mod app;
pub mod assets;
pub mod breach;
pub mod bulletin;
pub mod charts;
pub mod checker;
pub mod choices;
pub mod clock;
pub mod contacts;
pub mod crypto;
pub mod csv_safe;
pub mod csv_table;
pub mod error;
pub mod events;
pub mod exercise;
pub mod fleet;
pub mod forensics;
pub mod hicp;
pub mod html;
pub mod incident;
pub mod kev;
pub mod limits;
pub mod log;
pub mod managed;
pub mod paths;
pub mod playbook;
pub mod policy;
pub mod risk;
pub mod siem;
pub mod store;
pub mod training;
pub mod words;

pub use error::{Error, ErrorReport, Result};

/// The application's version, shown by `caregiver --version` and the desktop app.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// What the app says about itself (the About line, and tests that check where data goes).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AppInfo {
    pub version: String,
    pub data_dir: String,
}

/// Describes this build and the data folder in use.
pub fn app_info(data_dir: &std::path::Path) -> AppInfo {
    AppInfo { version: VERSION.to_owned(), data_dir: data_dir.display().to_string() }
}
