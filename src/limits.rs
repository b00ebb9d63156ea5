//! The limits on what an import reads, so that no file can stall the app or fill its
//! memory: a file's size, its rows, each field's length, and how many of its problems are
//! listed. `docs/contacts.md` and the phishing reader's documentation give the same
//! figures.
//!
//! Past a file's size or its rows, the import is refused whole (`invalid_input`, naming
//! the file and the line): nothing is read further and nothing is imported. A field that
//! is too long is a problem of its row (`line N: name is longer than 200 characters`), as
//! any other problem is. However many problems a file has, the first
//! [`PROBLEMS_LISTED`] (by line) are listed and the rest are counted: "… and 4,900 more
//! problems".

use serde::Serialize;

use crate::{Error, Result};

/// The largest import file: 20 MB (a contact tree of 100,000 contacts is about 15 MB).
pub const MAX_FILE_BYTES: usize = 20 * 1024 * 1024;
/// The most contacts (CSV rows or vCard cards) one file may hold.
pub const MAX_CONTACTS: usize = 100_000;
/// The most rows a phishing campaign's results file may hold.
pub const MAX_PHISHING_ROWS: usize = 200_000;
/// The most columns a CSV header may name (a contacts file has 23 known ones).
pub const MAX_COLUMNS: usize = 100;
/// The longest name (a contact's, or a phishing row's first and last name together), and
/// the longest value of any other text field without a rule of its own, in characters.
pub const MAX_TEXT_CHARS: usize = 200;
/// The longest notes, and the longest list (channels, incident types), in characters.
pub const MAX_NOTES_CHARS: usize = 2_000;
/// The longest email address in a phishing results file, in characters (RFC 5321's
/// limit on a path).
pub const MAX_EMAIL_CHARS: usize = 254;
/// How many problems (and how many warnings) of one file are listed; the rest are counted.
pub const PROBLEMS_LISTED: usize = 100;
/// The longest name of a column or property quoted in a message, in characters.
const QUOTED_CHARS: usize = 40;

/// Refuses a file larger than [`MAX_FILE_BYTES`]: `what` names it ("contacts file").
pub fn check_file_size(what: &'static str, bytes: &[u8]) -> Result<()> {
    if bytes.len() <= MAX_FILE_BYTES {
        return Ok(());
    }
    Err(Error::Invalid {
        what,
        reason: format!(
            "the file is larger than 20 MB ({} bytes), the most an import file may be",
            crate::words::count(MAX_FILE_BYTES)
        ),
    })
}

/// The refusal of a file with more than `limit` rows: `line` starts the first row over.
pub fn too_many_rows(what: &'static str, line: usize, limit: usize, rows: &str) -> Error {
    Error::Invalid {
        what,
        reason: format!(
            "line {}: the file has more than {} {rows}, the most one file may hold: split it",
            crate::words::count(line),
            crate::words::count(limit)
        ),
    }
}

/// A name from a file (a column, a property) as a message quotes it: at most 40
/// characters, the rest as "…".
pub fn quoted(name: &str) -> String {
    match name.char_indices().nth(QUOTED_CHARS) {
        Some((at, _)) => format!("{}…", name.get(..at).unwrap_or_default()),
        None => name.to_owned(),
    }
}

/// The problems of a file as they are shown: the first [`PROBLEMS_LISTED`], in order,
/// and how many more there were.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Listed<T> {
    pub first: Vec<T>,
    /// How many more there were, not listed.
    pub more: usize,
}

impl<T> Default for Listed<T> {
    fn default() -> Self {
        Listed { first: Vec::new(), more: 0 }
    }
}

impl<T> Listed<T> {
    /// The first of `all` and a count of the rest.
    pub fn of(all: impl IntoIterator<Item = T>) -> Self {
        let mut listed = Listed::default();
        all.into_iter().for_each(|item| listed.push(item));
        listed
    }

    /// Adds one: listed while fewer than [`PROBLEMS_LISTED`] are, else counted.
    pub fn push(&mut self, item: T) {
        if self.first.len() < PROBLEMS_LISTED {
            self.first.push(item);
        } else {
            self.more += 1;
        }
    }

    /// Listed and counted.
    pub fn total(&self) -> usize {
        self.first.len() + self.more
    }

    pub fn is_empty(&self) -> bool {
        self.total() == 0
    }

    /// The same, each item turned into another.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Listed<U> {
        Listed { first: self.first.into_iter().map(f).collect(), more: self.more }
    }

    /// The line that ends a list of them: "… and 4,900 more problems" (`None`: all are
    /// listed).
    pub fn more_line(&self, things: &str) -> Option<String> {
        (self.more > 0).then(|| format!("… and {} more {things}", crate::words::count(self.more)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_hundred_are_listed_and_the_rest_counted() {
        let listed = Listed::of((1..=5_000).map(|n| format!("line {n}: a problem")));
        assert_eq!(listed.first.len(), PROBLEMS_LISTED);
        assert_eq!(listed.first.last().map(String::as_str), Some("line 100: a problem"));
        assert_eq!(listed.total(), 5_000);
        assert_eq!(listed.more_line("problems").as_deref(), Some("… and 4,900 more problems"));
        let few = Listed::of(["one"]);
        assert_eq!((few.total(), few.more_line("problems")), (1, None));
    }

    #[test]
    fn long_names_are_cut_when_quoted() {
        assert_eq!(quoted("x-foo"), "x-foo");
        let long = "é".repeat(50);
        assert_eq!(quoted(&long), format!("{}…", "é".repeat(40)));
    }

    #[test]
    fn a_file_over_the_size_limit_is_refused() {
        assert!(check_file_size("contacts file", &[b'a'; 10]).is_ok());
        let big = vec![b'a'; MAX_FILE_BYTES + 1];
        let err = check_file_size("contacts file", &big).unwrap_err();
        assert_eq!(err.code(), "invalid_input");
        assert_eq!(
            err.to_string(),
            "contacts file: the file is larger than 20 MB (20,971,520 bytes), the most an \
             import file may be"
        );
    }
}
