//! The CLI's pieces, by command group. Each subcommand parses its arguments, calls one
//! method of the application layer ([`caregiver::app::App`]) and prints the result; this
//! module holds what they share: who signs in, reading secrets, printing, writing files.

pub mod assets;
pub mod breach;
pub mod bulletin;
pub mod contacts;
pub mod deploy;
pub mod exercise;
pub mod fleet;
pub mod forensics;
pub mod hicp;
pub mod incidents;
pub mod kev;
pub mod log;
pub mod playbooks;
pub mod policy;
pub mod risk;
pub mod siem;
pub mod training;
pub mod users;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use caregiver::Error;
use caregiver::app::{App, SystemClock};
use caregiver::limits::Listed;
use clap::Args;
use zeroize::Zeroizing;

/// Where the store is and who opens it.
#[derive(Debug, Clone, Args)]
pub struct Auth {
    /// The store file (default: CAREGIVER_STORE, else caregiver.db in the app's data folder).
    #[arg(long, global = true, value_name = "PATH")]
    pub store: Option<PathBuf>,
    /// Who signs in (or CAREGIVER_USER).
    #[arg(long, global = true, value_name = "NAME", env = "CAREGIVER_USER")]
    pub user: Option<String>,
    /// Read your passphrase from this file instead of asking on the terminal.
    #[arg(long, global = true, value_name = "FILE")]
    pub passphrase_file: Option<PathBuf>,
}

pub type Result<T = ()> = std::result::Result<T, Error>;

impl Auth {
    /// The store file this command works on.
    pub fn store_path(&self) -> Result<PathBuf> {
        caregiver::store::resolve_store_path(self.store.as_deref(), None)
    }

    /// The app on this store, locked.
    pub fn app(&self) -> Result<App> {
        Ok(App::new(self.store_path()?, SystemClock::shared(), Instant::now()))
    }

    /// Who signs in.
    pub fn name(&self) -> Result<&str> {
        self.user.as_deref().ok_or_else(|| Error::Invalid {
            what: "--user",
            reason: "say who opens the store: --user NAME".into(),
        })
    }

    /// The app with `--user` signed in (their passphrase from the file or the terminal).
    pub fn signed_in(&self) -> Result<App> {
        let name = self.name()?;
        let mut app = self.app()?;
        app.unlock(name, &self.passphrase(name)?, Instant::now())?;
        Ok(app)
    }

    /// The signed-in user's passphrase.
    pub fn passphrase(&self, name: &str) -> Result<Zeroizing<Vec<u8>>> {
        match &self.passphrase_file {
            Some(f) => read_secret_file(f, "passphrase"),
            None => ask(&format!("Passphrase for {name}: ")),
        }
    }
}

fn no_terminal() -> Error {
    Error::Invalid {
        what: "passphrase",
        reason: "no terminal to ask on: use --passphrase-file FILE".into(),
    }
}

/// Asks on the terminal without echo. A script (stdin not a terminal) must say where the
/// secret is: never hang on a prompt.
pub fn ask(prompt: &str) -> Result<Zeroizing<Vec<u8>>> {
    use std::io::IsTerminal;
    if !std::io::stdin().is_terminal() {
        return Err(no_terminal());
    }
    rpassword::prompt_password(prompt)
        .map(|s| Zeroizing::new(s.into_bytes()))
        .map_err(|_| no_terminal())
}

/// A new passphrase typed twice.
pub fn ask_new_passphrase(name: &str) -> Result<Zeroizing<Vec<u8>>> {
    let first = ask(&format!("New passphrase for {name}: "))?;
    let again = ask("The same passphrase again: ")?;
    if first != again {
        return Err(Error::Invalid { what: "passphrase", reason: "the two entries differ".into() });
    }
    Ok(first)
}

/// A secret from a file: its content less one trailing line break.
pub fn read_secret_file(path: &Path, what: &'static str) -> Result<Zeroizing<Vec<u8>>> {
    let mut bytes = Zeroizing::new(std::fs::read(path).map_err(Error::io("read the file", path))?);
    if bytes.ends_with(b"\n") {
        bytes.pop();
        if bytes.ends_with(b"\r") {
            bytes.pop();
        }
    }
    if bytes.is_empty() {
        return Err(Error::Invalid {
            what,
            reason: format!("the file {} is empty", path.display()),
        });
    }
    Ok(bytes)
}

/// Reads a file to import: no more than one byte past the largest import file, so a huge
/// file is refused (by the core's limit) without being read whole.
pub fn read_import(path: &Path) -> Result<Vec<u8>> {
    use std::io::Read;
    let limit = u64::try_from(caregiver::limits::MAX_FILE_BYTES).unwrap_or(u64::MAX);
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(limit.saturating_add(1)).read_to_end(&mut bytes))
        .map_err(Error::io("read", path))?;
    Ok(bytes)
}

/// A file's problems (or warnings) as listed, one a line on stderr, each as `line` writes
/// it, then "… and 4,900 more problems" for those only counted.
pub fn warn_listed(listed: &Listed<String>, things: &str, line: impl Fn(&str) -> String) {
    listed.first.iter().for_each(|p| warn(&line(p)));
    if let Some(more) = listed.more_line(things) {
        warn(&more);
    }
}

/// Imports a register file (`import` reads its bytes): every problem named as
/// `FILE:line N: message` on stderr (and the import refused while there is one, unless the
/// bad rows are skipped, each then reported as skipped), then what it did in one line.
pub fn import_register(
    file: &Path,
    what: &str,
    import: impl FnOnce(&[u8]) -> caregiver::Result<caregiver::app::assets::RegisterPreview>,
) -> Result {
    let bytes = read_import(file)?;
    let shown = file.display();
    let preview = match import(&bytes) {
        Err(Error::ImportRejected { problems }) => {
            warn_listed(&problems, "problems", |p| format!("{shown}:{p}"));
            return Err(Error::ImportRejected { problems });
        }
        other => other?,
    };
    warn_listed(&preview.problems, "problems", |p| format!("{shown}:{p} (skipped)"));
    let counts = (preview.added, preview.changed, preview.removed);
    say_imported(what, preview.good, counts, preview.bad_rows);
    Ok(())
}

/// What an import did, in one line: `Imported 7 assets (7 new, 0 changed, 0 removed)`, with
/// how many bad rows were skipped (listed above it).
pub fn say_imported(
    what: &str,
    good: usize,
    (added, changed, removed): (usize, usize, usize),
    skipped: usize,
) {
    let skipped = if skipped == 0 {
        String::new()
    } else {
        format!("; skipped {} bad rows, listed above", caregiver::words::count(skipped))
    };
    say(&format!(
        "Imported {good} {what} ({added} new, {changed} changed, {removed} removed){skipped}."
    ));
}

pub fn read_text(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(Error::io("read", path))
}

/// Writes a file whole or not at all: a temp file beside it, renamed over it.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result {
    caregiver::paths::write_replacing(path, bytes)
}

/// Writes a new file readable by its owner only; never replaces one.
pub fn write_new_private_file(path: &Path, bytes: &[u8]) -> Result {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(Error::io("create", path))?;
    file.write_all(bytes).and_then(|()| file.sync_all()).map_err(Error::io("write", path))
}

pub fn print_json<T: serde::Serialize>(value: &T) {
    if let Ok(text) = serde_json::to_string_pretty(value) {
        say(&text);
    }
}

/// One line on stdout. `caregiver ... | head -1` must not panic when the reader goes away.
pub fn say(line: &str) {
    let _ = writeln!(std::io::stdout().lock(), "{line}");
}

/// A problem, warning or note on stderr (stdout stays clean for scripts).
pub fn warn(line: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

/// Paths as the commands take them.
pub fn paths(list: &[PathBuf]) -> Vec<&Path> {
    list.iter().map(PathBuf::as_path).collect()
}

/// Now, by the system's clock.
pub fn now() -> chrono::DateTime<chrono::Utc> {
    caregiver::clock::Clock::now(&SystemClock)
}

/// A time as a person reads it on the terminal: in the workstation's zone, marked.
pub fn when(zone: &caregiver::words::Zone, t: chrono::DateTime<chrono::Utc>) -> String {
    zone.minute(t)
}
