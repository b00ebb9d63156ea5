//! SHA-256 of evidence files, streamed: a disk image of hundreds of gigabytes is read in
//! [`BUFFER`]-sized blocks into one buffer and never held whole, with its progress told to a
//! callback after every block (the CLI's progress line on stderr; the window's bar).
//!
//! ring's SHA-256 uses the processor's SHA extensions where it has them, so the file is
//! hashed at the speed of the disk or faster than `sha256sum` reads it (`cargo bench --bench
//! hash` prints both, and `tests/it/forensics.rs` checks a 1 GiB file against
//! `sha256sum`'s answer). Why 1 MiB: the bench's buffer sizes (64 KiB to 4 MiB) all read at
//! about the same speed from the page cache; 1 MiB keeps the read calls few (a thousand per
//! gigabyte) and the progress callback as often as a bar needs, and is small enough to
//! allocate per file.
//!
//! Nothing here needs the store: a front end hashes on a thread of its own, with no lock on
//! the application held, and hands the [`FileHash`] to the application layer.

use std::io::Read;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// The block a file is read in.
pub const BUFFER: usize = 1 << 20;

/// How far a file's hashing has got: bytes read so far, and the file's size when known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct HashProgress {
    pub done: u64,
    pub total: Option<u64>,
}

impl HashProgress {
    /// Whole percent done (`None`: the size is not known, or is zero).
    pub fn percent(&self) -> Option<u8> {
        let total = self.total.filter(|t| *t > 0)?;
        let pct = u128::from(self.done.min(total)) * 100 / u128::from(total);
        u8::try_from(pct).ok()
    }
}

/// A file as hashed: its SHA-256 (lower-case hex), its size and its name (the last part of
/// its path: where it lay says nothing to the record, where it is kept does).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileHash {
    pub sha256: String,
    pub bytes: u64,
    pub file: String,
}

/// Hashes a file, telling `progress` after each block. A folder, a missing or unreadable
/// file is an error naming the path.
pub fn hash_file(path: &Path, progress: impl FnMut(HashProgress)) -> Result<FileHash> {
    if path.as_os_str().is_empty() {
        let reason = "is empty: type the file's full path".to_owned();
        return Err(Error::Invalid { what: "evidence file", reason });
    }
    let file = std::fs::File::open(path).map_err(Error::io("read", path))?;
    let meta = file.metadata().map_err(Error::io("read", path))?;
    if !meta.is_file() {
        return Err(Error::Invalid {
            what: "evidence file",
            reason: format!("{} is not a file", path.display()),
        });
    }
    let (sha256, bytes) = hash_reader(file, Some(meta.len()), progress).map_err(|e| Error::Io {
        doing: "read",
        path: path.to_path_buf(),
        source: e,
    })?;
    let file = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    Ok(FileHash { sha256, bytes, file })
}

/// SHA-256 of everything `reader` gives, in [`BUFFER`]-sized reads: (lower-case hex, bytes).
pub fn hash_reader(
    reader: impl Read,
    total: Option<u64>,
    progress: impl FnMut(HashProgress),
) -> std::io::Result<(String, u64)> {
    hash_reader_with(reader, total, BUFFER, progress)
}

/// [`hash_reader`] with reads of `block` bytes (`cargo bench --bench hash` compares sizes).
pub fn hash_reader_with(
    mut reader: impl Read,
    total: Option<u64>,
    block: usize,
    mut progress: impl FnMut(HashProgress),
) -> std::io::Result<(String, u64)> {
    let mut context = ring::digest::Context::new(&ring::digest::SHA256);
    let mut buffer = vec![0u8; block.max(1)];
    let mut done = 0u64;
    progress(HashProgress { done, total });
    loop {
        let n = match reader.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        context.update(buffer.get(..n).unwrap_or_default());
        done += n as u64;
        progress(HashProgress { done, total });
    }
    Ok((data_encoding::HEXLOWER.encode(context.finish().as_ref()), done))
}

/// A SHA-256 as a person or a tool wrote it: 64 hexadecimal digits, any case, spaces around
/// it ignored; lower case back. Anything else is an error naming what is wrong with it
/// (never the text itself).
pub fn sha256_hex(text: &str) -> Result<String> {
    let text = text.trim();
    let bad = |reason: String| Error::Invalid { what: "SHA-256", reason };
    if let Some((at, _)) = text.char_indices().find(|(_, c)| !c.is_ascii_hexdigit()) {
        return Err(bad(format!("character {} is not a hexadecimal digit (0-9, a-f)", at + 1)));
    }
    if text.len() != 64 {
        return Err(bad(format!(
            "is {} hexadecimal digits long; a SHA-256 is 64",
            text.chars().count()
        )));
    }
    Ok(text.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// FIPS 180-2's examples, across block boundaries: the streamed hash is SHA-256.
    #[test]
    fn known_answers_across_blocks() {
        let cases: [(&[u8], &str); 2] = [
            (b"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            (b"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ];
        for (input, want) in cases {
            assert_eq!(hash_reader(input, None, |_| {}).unwrap().0, want);
        }
        // One million 'a's: about one block, read in small pieces by a slow reader.
        let million = vec![b'a'; 1_000_000];
        let slow = SmallReads(&million, false);
        let (got, n) = hash_reader(slow, Some(1_000_000), |_| {}).unwrap();
        assert_eq!(got, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
        assert_eq!(n, 1_000_000);
    }

    /// A reader that gives at most 7,777 bytes a call, and is interrupted every other call.
    struct SmallReads<'a>(&'a [u8], bool);
    impl Read for SmallReads<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            self.1 = !self.1;
            if self.1 {
                return Err(std::io::ErrorKind::Interrupted.into());
            }
            let n = buf.len().min(self.0.len()).min(7_777);
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn progress_counts_up_to_the_size() {
        let data = vec![7u8; BUFFER * 2 + 10];
        let mut seen = Vec::new();
        hash_reader(data.as_slice(), Some(data.len() as u64), |p| seen.push(p)).unwrap();
        let done: Vec<u64> = seen.iter().map(|p| p.done).collect();
        assert_eq!(done, [0, BUFFER as u64, 2 * BUFFER as u64, data.len() as u64]);
        assert_eq!(seen.last().unwrap().percent(), Some(100));
        assert_eq!(seen[1].percent(), Some(49));
        assert_eq!(HashProgress { done: 5, total: None }.percent(), None);
        assert_eq!(HashProgress { done: 0, total: Some(0) }.percent(), None);
    }

    #[test]
    fn a_typed_hash_is_checked_and_named_not_echoed() {
        let good = "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD";
        assert_eq!(sha256_hex(&format!("  {good}\n")).unwrap(), good.to_lowercase());
        let cases = [
            (&good[..63], "SHA-256: is 63 hexadecimal digits long; a SHA-256 is 64"),
            ("", "SHA-256: is 0 hexadecimal digits long; a SHA-256 is 64"),
            ("ba78g6", "SHA-256: character 5 is not a hexadecimal digit (0-9, a-f)"),
            ("sha256:ba78", "SHA-256: character 1 is not a hexadecimal digit (0-9, a-f)"),
        ];
        for (text, want) in cases {
            let e = sha256_hex(text).unwrap_err();
            assert_eq!((e.code(), e.to_string().as_str()), ("invalid_input", want), "{text}");
        }
    }

    #[test]
    fn a_folder_or_a_missing_file_is_named() {
        let tmp = tempfile::tempdir().unwrap();
        let e = hash_file(tmp.path(), |_| {}).unwrap_err();
        assert!(e.to_string().ends_with("is not a file"), "{e}");
        let missing = tmp.path().join("nope.img");
        let e = hash_file(&missing, |_| {}).unwrap_err();
        assert_eq!(e.code(), "io");
        assert!(e.to_string().contains("nope.img"), "{e}");
        std::fs::write(tmp.path().join("note.txt"), b"abc").unwrap();
        let h = hash_file(&tmp.path().join("note.txt"), |_| {}).unwrap();
        assert_eq!(
            h,
            FileHash {
                sha256: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad".into(),
                bytes: 3,
                file: "note.txt".into()
            }
        );
    }
}
