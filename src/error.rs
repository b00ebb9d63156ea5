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
    /// Playbook files with problems, each `file:line:column: message`.
    #[error("{}", summarise(diagnostics, "a playbook is invalid"))]
    PlaybookInvalid { diagnostics: Vec<crate::playbook::Diagnostic> },

    /// No playbook has this id.
    #[error("no playbook with id `{id}`")]
    PlaybookNotFound { id: String },

    /// The data folder is missing and cannot be created, or cannot be written.
    #[error("cannot use the data folder {}: {source}", path.display())]
    DataDir { path: PathBuf, source: std::io::Error },

    /// The platform gives no folder for application data and none was given.
    #[error("no data folder: pass --data-dir or set CAREGIVER_DATA_DIR")]
    NoDataDir,

    /// A file could not be read or written.
    #[error("cannot {doing} {}: {source}", path.display())]
    Io { doing: &'static str, path: PathBuf, source: std::io::Error },

    /// SQLite failed. `doing` says what the store was doing; the SQLite message holds no
    /// values (every value is bound as a parameter).
    #[error("the store could not {doing}: {source}")]
    Sql { doing: &'static str, source: rusqlite::Error },

    #[error("no store at {}: create one with `caregiver init --admin NAME`", path.display())]
    StoreNotFound { path: PathBuf },

    #[error("a store already exists at {}: it was left as it is", path.display())]
    StoreExists { path: PathBuf },

    #[error("{} is not a Caregiver Playbook store, or it is damaged", path.display())]
    NotAStore { path: PathBuf },

    #[error(
        "the store was written by a newer version of Caregiver Playbook (schema {found}; this version reads up to {supported}): update the app"
    )]
    StoreTooNew { found: u32, supported: u32 },

    /// One message for an unknown name and a wrong passphrase alike.
    #[error("wrong name or passphrase")]
    WrongPassphrase,

    #[error("too many failed attempts: wait {wait_secs} s, then try again")]
    Throttled { wait_secs: u64 },

    /// A sealed value failed to open: changed, moved, replayed or damaged.
    #[error("{what} failed its integrity check: it was changed, moved or damaged")]
    Damaged { what: String },

    #[error("only {needed} may {action}")]
    PermissionDenied { action: &'static str, needed: &'static str },

    #[error("your passphrase must be changed before anything else: use `caregiver user passwd`")]
    PassphraseChangeRequired,

    /// Bad input from a person or a script: which field, and why.
    #[error("{what}: {reason}")]
    Invalid { what: &'static str, reason: String },

    #[error("a user with that name already exists")]
    UserExists,

    #[error("no user with that name")]
    UserNotFound,

    /// The app is locked (or was locked for being idle): unlock first.
    #[error("the app is locked: unlock it to go on")]
    Locked,

    /// The workstation's managed configuration sets this, and forbids local changes.
    #[error("{what} is managed by {by}: ask them to change it")]
    Managed { what: &'static str, by: String },

    /// A playbook pack was refused: bad signature, changed or extra file, expired, older.
    /// The message says at which step (signing, verifying, pinning the key, importing).
    #[error("{step}: {reason}")]
    PackRejected { step: crate::playbook::pack::PackStep, reason: String },

    /// An import file had bad rows and the admin did not choose to skip them: nothing was
    /// imported. Each problem is `line N: message` (no personal data in it); the first 100
    /// are listed and the rest counted (`crate::limits`).
    #[error("{}", import_rejected(problems))]
    ImportRejected { problems: crate::limits::Listed<String> },

    /// An activity log (a bundle, or the store's) does not verify: which line or entry.
    #[error("the activity log does not verify: {reason}")]
    LogBroken { reason: String },

    /// A bundle whole as signed, but by another key than the one the checker trusts:
    /// re-signed, or from another workstation. Both keys named by their fingerprints.
    #[error(
        "the bundle is signed by the key with fingerprint {signer}, not by the trusted key {trusted}: it was re-signed, or it comes from another workstation"
    )]
    SignerMismatch { signer: String, trusted: String },

    /// A value only admins may write is not signed by the admins' key the reader trusts:
    /// written with another key (a staff member's, an old one), or changed since.
    #[error(
        "{what} is not signed by the admins' key: it was written by someone who is not an admin, or changed since"
    )]
    Forged { what: String },

    /// The signed-in person's log key has no certificate by the workstation's key (their key
    /// pair was made before keys were certified, by a session without the admins' key).
    #[error(
        "your key that signs the activity log is not certified on this workstation: ask an admin to reset your passphrase, then set your own"
    )]
    LogSignerMissing,

    /// Writing what only admins may change, in a session that does not hold the admins' key.
    #[error("this account does not hold the admins' key, which signs what only admins may change")]
    AdminKeyMissing,

    /// An admin changed the store's keys (removing a user, a new emergency code, a key
    /// rotation) while this session was open: it holds the old ones.
    #[error(
        "an admin changed the store's keys while you were signed in: lock the app and unlock it again"
    )]
    KeysChanged,

    /// The signed-in user was removed while their session was open.
    #[error("this account no longer exists: lock the app")]
    SessionEnded,

    #[error("the last admin cannot be removed or demoted: add another admin first")]
    LastAdmin,

    #[error("no emergency code is set: an admin sets one with `caregiver emergency-code set`")]
    NoEmergencyCode,

    #[error("the backup was not restored: {reason}; the store was left as it is")]
    RestoreRejected { reason: String },

    #[error("the system's random number source failed")]
    Random,

    /// Training module files with problems, each `file:line:column: message`.
    #[error("{}", summarise(diagnostics, "a training module is invalid"))]
    TrainingInvalid { diagnostics: Vec<crate::playbook::Diagnostic> },

    /// Self-assessment questionnaire files with problems, each `file:line:column: message`.
    #[error("{}", summarise(diagnostics, "a self-assessment questionnaire is invalid"))]
    AssessmentInvalid { diagnostics: Vec<crate::playbook::Diagnostic> },

    /// Exercise package files with problems, each `file:line:column: message`.
    #[error("{}", summarise(diagnostics, "an exercise package is invalid"))]
    ExerciseInvalid { diagnostics: Vec<crate::playbook::Diagnostic> },

    /// Policy files with problems, each `file:line:column: message`.
    #[error("{}", summarise(diagnostics, "a policy is invalid"))]
    PolicyInvalid { diagnostics: Vec<crate::playbook::Diagnostic> },

    /// A threat bulletin file with problems, each `file:line:column: message`.
    #[error("{}", summarise(diagnostics, "a threat bulletin is invalid"))]
    BulletinInvalid { diagnostics: Vec<crate::playbook::Diagnostic> },

    /// A signed threat bulletin refused: forged, signed by another key, expired.
    #[error("the threat bulletin is refused: {reason}")]
    BulletinRejected { reason: String },

    /// No training module has this id.
    #[error("no training module with id `{id}`")]
    TrainingNotFound { id: String },

    /// The store's sealed state disagrees with what the store holds: someone changed the
    /// file outside the app (rows deleted, put back from an older copy, clear columns or
    /// the log's triggers changed). `what` names what disagrees, never a value.
    #[error("the store was changed outside Caregiver Playbook: {what}")]
    StoreTampered { what: String },

    /// An indicator of compromise without its type's form: the type, a stable code for the
    /// problem (`ipv4_part_range`, `hash_length`, ...: `docs/forensics.md`) and where it is
    /// ("part 4 is over 255"). Never the value: an indicator may be marked TLP:RED.
    #[error("{what}: {reason} ({problem})")]
    IndicatorInvalid { what: &'static str, problem: &'static str, reason: String },

    /// A file re-hashed to check an evidence item does not match the SHA-256 recorded for
    /// it (the check itself is logged).
    #[error(
        "the file does not match evidence item {item}: its SHA-256 is {found}, the item's is {recorded}"
    )]
    EvidenceMismatch { item: String, found: String, recorded: String },

    /// The SIEM could not be reached, or the connection broke (`docs/siem.md`).
    #[error(
        "the SIEM at {target} cannot be reached: {reason}; the entries not sent stay waiting \
         for the next forward"
    )]
    SiemUnreachable { target: String, reason: String },

    /// The SIEM's certificate failed the check against the CA the admin set, or its name.
    #[error(
        "the SIEM at {target} showed a certificate that is not trusted: {reason}; nothing was \
         sent"
    )]
    SiemCertificate { target: String, reason: String },

    /// The TLS connection to the SIEM failed otherwise (a protocol or version it refused,
    /// a client certificate it refused).
    #[error(
        "the TLS connection to the SIEM at {target} failed: {reason}; the entries not sent \
         stay waiting for the next forward"
    )]
    SiemTls { target: String, reason: String },
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
            Error::Io { .. } => "io",
            Error::Sql { .. } => "store_io",
            Error::StoreNotFound { .. } => "store_not_found",
            Error::StoreExists { .. } => "store_exists",
            Error::NotAStore { .. } => "not_a_store",
            Error::StoreTooNew { .. } => "store_too_new",
            Error::WrongPassphrase => "wrong_passphrase",
            Error::Throttled { .. } => "unlock_throttled",
            Error::Damaged { .. } => "record_damaged",
            Error::PermissionDenied { .. } => "permission_denied",
            Error::PassphraseChangeRequired => "passphrase_change_required",
            Error::Invalid { .. } => "invalid_input",
            Error::UserExists => "user_exists",
            Error::UserNotFound => "user_not_found",
            Error::SessionEnded => "session_ended",
            Error::Forged { .. } => "record_forged",
            Error::KeysChanged => "keys_changed",
            Error::AdminKeyMissing => "admin_key_missing",
            Error::LogSignerMissing => "log_signer_missing",
            Error::Locked => "locked",
            Error::Managed { .. } => "managed",
            Error::PackRejected { .. } => "pack_rejected",
            Error::LogBroken { .. } => "log_broken",
            Error::SignerMismatch { .. } => "log_signer_mismatch",
            Error::LastAdmin => "last_admin",
            Error::NoEmergencyCode => "no_emergency_code",
            Error::RestoreRejected { .. } => "restore_rejected",
            Error::Random => "random_failed",
            Error::TrainingInvalid { .. } => "training_invalid",
            Error::ImportRejected { .. } => "import_rejected",
            Error::TrainingNotFound { .. } => "training_not_found",
            Error::AssessmentInvalid { .. } => "assessment_invalid",
            Error::PolicyInvalid { .. } => "policy_invalid",
            Error::ExerciseInvalid { .. } => "exercise_invalid",
            Error::BulletinInvalid { .. } => "bulletin_invalid",
            Error::BulletinRejected { .. } => "bulletin_rejected",
            Error::StoreTampered { .. } => "store_tampered",
            Error::IndicatorInvalid { .. } => "indicator_invalid",
            Error::EvidenceMismatch { .. } => "evidence_mismatch",
            Error::SiemUnreachable { .. } => "siem_unreachable",
            Error::SiemCertificate { .. } => "siem_certificate",
            Error::SiemTls { .. } => "siem_tls",
        }
    }

    /// `map_err` helper for SQLite calls: `.map_err(Error::sql("read the users"))`.
    pub fn sql(doing: &'static str) -> impl FnOnce(rusqlite::Error) -> Error {
        move |source| Error::Sql { doing, source }
    }

    /// `map_err` helper for file calls.
    pub fn io(doing: &'static str, path: &std::path::Path) -> impl FnOnce(std::io::Error) -> Error {
        let path = path.to_path_buf();
        move |source| Error::Io { doing, path, source }
    }

    /// The form that crosses to the UI and to `--json` output.
    pub fn report(&self) -> ErrorReport {
        ErrorReport { code: self.code().to_owned(), message: self.to_string() }
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

impl From<crate::crypto::CryptoError> for Error {
    fn from(e: crate::crypto::CryptoError) -> Self {
        match e {
            crate::crypto::CryptoError::Random => Error::Random,
            other => Error::Damaged { what: format!("a sealed value ({other})") },
        }
    }
}

fn summarise(diagnostics: &[crate::playbook::Diagnostic], if_none: &str) -> String {
    match diagnostics {
        [] => if_none.into(),
        [one] => one.to_string(),
        [first, rest @ ..] => format!("{} problems; the first: {first}", rest.len() + 1),
    }
}

fn import_rejected(problems: &crate::limits::Listed<String>) -> String {
    let rows = if problems.total() == 1 {
        "1 row has a problem".to_owned()
    } else {
        format!("{} rows have problems", crate::words::count(problems.total()))
    };
    let listed = problems.first.iter().cloned().chain(problems.more_line("problems"));
    format!("{rows}, so nothing was imported: {}", listed.collect::<Vec<_>>().join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A bundle signed by another key has its own code (the log itself may be whole), and
    /// the message names both keys by fingerprint.
    #[test]
    fn a_signer_mismatch_has_its_own_code_and_names_both_keys() {
        let e = Error::SignerMismatch { signer: "aaaa 1111".into(), trusted: "bbbb 2222".into() };
        assert_eq!(e.code(), "log_signer_mismatch");
        let report = e.report();
        assert_eq!(report.code, "log_signer_mismatch");
        assert!(
            report.message.starts_with(
                "the bundle is signed by the key with fingerprint aaaa 1111, not by the trusted key bbbb 2222"
            ),
            "{}",
            report.message
        );
    }
}
