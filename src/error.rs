//! The core's public error type.
//!
//! Every error that leaves the core carries a stable [`Error::code`] (scripts and the UI
//! branch on it) and a human message that names what went wrong and where. Messages never
//! hold a secret, and never hold patient or staff data: they name files, lines and fields,
//! not the values in them.

use std::path::PathBuf;

use serde::Serialize;

/// Shorthand for results whose error is the core's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A playbook file could not be read or parsed. `location` is `file:line:column`.
    #[error("{location}: {reason}")]
    PlaybookInvalid { location: String, reason: String },

    /// No playbook has this id.
    #[error("no playbook with id `{id}`")]
    PlaybookNotFound { id: String },

    /// The data folder is missing and cannot be created, or cannot be written.
    #[error("cannot use the data folder {}: {source}", path.display())]
    DataDir {
        path: PathBuf,
        source: std::io::Error,
    },

    /// The platform gives no folder for application data and none was given.
    #[error("no data folder: pass --data-dir or set CAREGIVER_DATA_DIR")]
    NoDataDir,
}

impl Error {
    /// A stable, machine-readable code. Never change an existing code: admins' scripts
    /// and the UI depend on it. Add new ones instead.
    pub fn code(&self) -> &'static str {
        match self {
            Error::PlaybookInvalid { .. } => "playbook_invalid",
            Error::PlaybookNotFound { .. } => "playbook_not_found",
            Error::DataDir { .. } => "data_dir",
            Error::NoDataDir => "no_data_dir",
        }
    }

    /// The form that crosses to the UI and to `--json` output.
    pub fn report(&self) -> ErrorReport {
        ErrorReport {
            code: self.code().to_owned(),
            message: self.to_string(),
        }
    }
}

/// `{code, message}`: the only shape in which an error reaches the UI or a script.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorReport {
    pub code: String,
    pub message: String,
}

impl From<Error> for ErrorReport {
    fn from(e: Error) -> Self {
        e.report()
    }
}
