//! Where the app keeps its data. The CLI and the desktop app resolve it the same way, so
//! they share one store on a workstation.
//!
//! Order: an explicit `--data-dir`, else `CAREGIVER_DATA_DIR`, else the platform's
//! application-data folder joined with [`APP_IDENTIFIER`] (the folder Tauri's
//! `app_data_dir()` would pick: `$XDG_DATA_HOME/<id>` on Linux,
//! `~/Library/Application Support/<id>` on macOS, `%APPDATA%\<id>` on Windows).

use std::path::{Path, PathBuf};

use crate::{Error, Result};

/// The bundle identifier; must equal `identifier` in `src-tauri/tauri.conf.json`
/// (a test checks it).
pub const APP_IDENTIFIER: &str = "org.caregiverplaybook.desktop";

/// Environment variable that overrides the data folder (tests set it).
pub const DATA_DIR_ENV: &str = "CAREGIVER_DATA_DIR";

/// The platform's default data folder for this app, if the platform has one.
pub fn default_data_dir() -> Option<PathBuf> {
    dirs::data_dir().map(|d| d.join(APP_IDENTIFIER))
}

/// Resolves the data folder: `explicit`, else [`DATA_DIR_ENV`], else [`default_data_dir`].
/// An empty value counts as unset.
pub fn resolve_data_dir(explicit: Option<&Path>) -> Result<PathBuf> {
    if let Some(p) = explicit.filter(|p| !p.as_os_str().is_empty()) {
        return Ok(p.to_path_buf());
    }
    if let Some(p) = std::env::var_os(DATA_DIR_ENV).filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(p));
    }
    default_data_dir().ok_or(Error::NoDataDir)
}

/// Creates the data folder if it is missing, readable by its owner only (0700 on Unix:
/// the store's file sits there on a shared workstation), and checks it is a folder.
/// Writes a file whole or not at all: a temporary file beside it, synced, then renamed
/// over it. An interrupted export leaves the old file (or none), never half of one.
pub fn write_replacing(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(Error::io("write in", dir))?;
    tmp.write_all(bytes)
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(Error::io("write", path))?;
    tmp.persist(path).map_err(|e| Error::io("write", path)(e.error))?;
    Ok(())
}

/// Where the desktop app saves exports: `CAREGIVER_EXPORT_DIR`, else a "Caregiver
/// Playbook exports" folder in the user's documents (or home) folder.
pub fn export_dir() -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os("CAREGIVER_EXPORT_DIR").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    dirs::document_dir()
        .or_else(|| dirs::home_dir().map(|h| h.join("Documents")))
        .map(|d| d.join("Caregiver Playbook exports"))
        .ok_or_else(|| Error::Invalid {
            what: "export folder",
            reason: "this account has no home folder: set CAREGIVER_EXPORT_DIR".into(),
        })
}

/// Saves a file the desktop app exports in [`export_dir`], whole or not at all; returns
/// where.
pub fn save_export(file_name: &str, bytes: &[u8]) -> Result<PathBuf> {
    save_export_in(None, file_name, bytes)
}

/// [`save_export`] in `dir` when given (the exports folder IT's managed configuration
/// names), else in [`export_dir`].
pub fn save_export_in(dir: Option<&Path>, file_name: &str, bytes: &[u8]) -> Result<PathBuf> {
    let dir = match dir {
        Some(dir) => dir.to_path_buf(),
        None => export_dir()?,
    };
    ensure_data_dir(&dir)?;
    let path = dir.join(file_name);
    write_replacing(&path, bytes)?;
    Ok(path)
}

pub fn ensure_data_dir(path: &Path) -> Result<()> {
    let io = |source| Error::DataDir { path: path.to_path_buf(), source };
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(path).map_err(io)?;
    if !std::fs::metadata(path).map_err(io)?.is_dir() {
        return Err(io(std::io::Error::new(std::io::ErrorKind::NotADirectory, "not a folder")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_beats_everything() {
        let p = Path::new("/some/where");
        assert_eq!(resolve_data_dir(Some(p)).unwrap(), p);
    }

    #[test]
    fn ensure_creates_a_private_folder_and_refuses_a_file() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("a/b");
        ensure_data_dir(&dir).unwrap();
        assert!(dir.is_dir());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o700);
        }
        let file = tmp.path().join("file");
        std::fs::File::create(&file).unwrap();
        let err = ensure_data_dir(&file).unwrap_err();
        assert_eq!(err.code(), "data_dir");
    }
}
