//! Writing into the fleet folder: each file whole or not at all (a temporary name in the
//! same folder, flushed to disk, renamed into place, the folder flushed), so a collector
//! never reads a half-written segment, whatever happens to the folder meanwhile.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::{KEY_FILE, STATUS_FILE, Status, TEMP_PREFIX, segment_name};
use crate::{Error, Result};

/// What one publish writes: the segment of new entries (if any), the key and the status.
#[derive(Debug)]
pub struct Publication<'a> {
    pub log: &'a str,
    pub key_pem: &'a str,
    /// The new entries as a segment: (bytes, first entry, last entry).
    pub segment: Option<(&'a [u8], u64, u64)>,
    pub status: &'a Status,
}

/// Writes a publication into `dir/<log id>/`: the segment first, then the key, then the
/// status. The fleet folder itself must exist (it is a share someone mounted; a missing
/// one is not made here); the workstation's own folder is made.
pub fn write(dir: &Path, p: &Publication<'_>) -> Result<PathBuf> {
    reachable(dir)?;
    let folder = dir.join(p.log);
    std::fs::create_dir_all(&folder).map_err(Error::io("make", &folder))?;
    if let Some((bytes, first, last)) = p.segment {
        write_whole(&folder, &segment_name(first, last), bytes)?;
    }
    let key = folder.join(KEY_FILE);
    if std::fs::read(&key).ok().as_deref() != Some(p.key_pem.as_bytes()) {
        write_whole(&folder, KEY_FILE, p.key_pem.as_bytes())?;
    }
    let status = serde_json::to_vec_pretty(p.status)
        .map_err(|e| Error::Invalid { what: "fleet status", reason: e.to_string() })?;
    write_whole(&folder, STATUS_FILE, &status)?;
    Ok(folder)
}

/// The fleet folder is there and is a folder (a share not mounted is not); an error
/// naming it otherwise.
pub fn reachable(dir: &Path) -> Result<()> {
    let unreachable = |e: std::io::Error| Error::Invalid {
        what: "fleet folder",
        reason: format!("{} cannot be reached: {e}", dir.display()),
    };
    if !std::fs::metadata(dir).map_err(unreachable)?.is_dir() {
        return Err(Error::Invalid {
            what: "fleet folder",
            reason: format!("{} is not a folder", dir.display()),
        });
    }
    Ok(())
}

/// Writes `name` in `folder` whole or not at all. A temporary file left by a write cut
/// short is removed when it can be; a collector ignores it either way.
pub fn write_whole(folder: &Path, name: &str, bytes: &[u8]) -> Result<()> {
    let temp = folder.join(format!("{TEMP_PREFIX}{name}"));
    let target = folder.join(name);
    let written = (|| {
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&temp, &target)?;
        // The rename itself made durable (where the platform lets a folder be opened).
        if let Ok(d) = std::fs::File::open(folder) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    written.map_err(|e: std::io::Error| {
        let _ = std::fs::remove_file(&temp);
        Error::Invalid {
            what: "fleet folder",
            reason: format!("{} could not be written: {e}", target.display()),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A write that fails at its last step (the rename: the name is taken by a folder)
    /// leaves the old file as it was and no temporary file.
    #[test]
    fn a_write_cut_short_leaves_nothing_half_written() {
        let tmp = tempfile::tempdir().unwrap();
        let name = segment_name(1, 5);
        std::fs::create_dir_all(tmp.path().join(&name).join("inside")).unwrap();
        let e = write_whole(tmp.path(), &name, b"new bytes").unwrap_err();
        assert_eq!(e.code(), "invalid_input");
        let mut left: Vec<String> = std::fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(left, std::slice::from_ref(&name));
        assert!(tmp.path().join(&name).is_dir());
        // And a fleet folder that is not there is named, and nothing is made.
        let gone = tmp.path().join("gone");
        let status = Status {
            log: "x".into(),
            published: chrono::DateTime::UNIX_EPOCH,
            entries: 0,
            pack_version: None,
        };
        let p = Publication { log: "x", key_pem: "k", segment: None, status: &status };
        let e = write(&gone, &p).unwrap_err();
        assert!(e.to_string().contains("cannot be reached"), "{e}");
        assert!(!gone.exists());
    }
}
