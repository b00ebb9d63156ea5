//! Playbooks: the default pack embedded in the binary, so a fresh install works offline.
//!
//! This module reads each playbook's header (id and title). The full format and its
//! checker are described in `playbooks/README.md`.

use include_dir::{Dir, include_dir};
use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// The default healthcare pack, `playbooks/*.toml`, compiled into the binary.
static EMBEDDED: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/playbooks");

/// File extension of a playbook file; other files in `playbooks/` (the README) are skipped.
pub const EXTENSION: &str = "toml";

/// What a list of playbooks shows: enough to pick one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlaybookSummary {
    pub id: String,
    pub title: String,
}

#[derive(Deserialize)]
struct Header {
    id: String,
    title: String,
}

/// The playbooks of the embedded default pack, sorted by title.
pub fn embedded_summaries() -> Result<Vec<PlaybookSummary>> {
    let mut files: Vec<_> =
        EMBEDDED.files().filter(|f| f.path().extension().is_some_and(|e| e == EXTENSION)).collect();
    files.sort_by_key(|f| f.path());
    let mut out = Vec::with_capacity(files.len());
    for f in files {
        let name = format!("playbooks/{}", f.path().display());
        let text = f.contents_utf8().ok_or_else(|| Error::PlaybookInvalid {
            location: format!("{name}:1:1"),
            reason: "the file is not UTF-8 text".into(),
        })?;
        out.push(parse_summary(&name, text)?);
    }
    check_unique_ids(&out)?;
    out.sort_by(|a, b| a.title.cmp(&b.title).then_with(|| a.id.cmp(&b.id)));
    Ok(out)
}

/// Reads the header of one playbook file. `name` is used in error locations.
pub fn parse_summary(name: &str, text: &str) -> Result<PlaybookSummary> {
    let header: Header = toml::from_str(text).map_err(|e| Error::PlaybookInvalid {
        location: location(name, text, e.span().map_or(0, |s| s.start)),
        reason: e.message().trim().to_owned(),
    })?;
    let at_key = |key: &str| {
        let offset = text.find(&format!("\n{key}")).map_or(0, |o| o + 1);
        location(name, text, offset)
    };
    if !is_valid_id(&header.id) {
        return Err(Error::PlaybookInvalid {
            location: at_key("id"),
            reason: "`id` must be lower-case letters, digits and dashes, like `ehr-downtime`"
                .into(),
        });
    }
    if header.title.trim().is_empty() {
        return Err(Error::PlaybookInvalid {
            location: at_key("title"),
            reason: "`title` is empty".into(),
        });
    }
    Ok(PlaybookSummary { id: header.id, title: header.title.trim().to_owned() })
}

fn check_unique_ids(list: &[PlaybookSummary]) -> Result<()> {
    let mut seen = std::collections::BTreeSet::new();
    for p in list {
        if !seen.insert(p.id.as_str()) {
            return Err(Error::PlaybookInvalid {
                location: format!("playbook `{}`", p.id),
                reason: "two playbooks share this id".into(),
            });
        }
    }
    Ok(())
}

fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !id.starts_with('-')
}

/// `name:line:column` (1-based) for a byte offset into `text`.
pub fn location(name: &str, text: &str, offset: usize) -> String {
    let before = text.get(..offset.min(text.len())).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    format!("{name}:{line}:{column}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_pack_lists_at_least_one_playbook() {
        let list = embedded_summaries().unwrap();
        assert!(!list.is_empty());
        assert!(list.iter().any(|p| p.id == "ransomware"));
    }

    #[test]
    fn syntax_errors_name_file_line_and_column() {
        let err = parse_summary("x.toml", "id = \"a\"\ntitle = \"T\n").unwrap_err();
        assert_eq!(err.code(), "playbook_invalid");
        assert!(err.to_string().starts_with("x.toml:2:"), "{err}");
    }

    #[test]
    fn bad_ids_and_empty_titles_are_refused_with_their_line() {
        let cases = [
            ("id = \"Bad Id\"\ntitle = \"T\"\n", "x.toml:1:1: `id`"),
            ("id = \"ok\"\ntitle = \"  \"\n", "x.toml:2:1: `title` is empty"),
            ("title = \"T\"\n", "x.toml:1:1: missing field `id`"),
        ];
        for (text, want) in cases {
            let err = parse_summary("x.toml", text).unwrap_err().to_string();
            assert!(err.starts_with(want), "{text:?} gave {err:?}");
        }
    }

    #[test]
    fn location_counts_lines_and_characters() {
        assert_eq!(location("f", "ab\ncdé\nx", 0), "f:1:1");
        assert_eq!(location("f", "ab\ncdé\nx", 3), "f:2:1");
        assert_eq!(location("f", "ab\ncdé\nx", 8), "f:3:1");
        assert_eq!(location("f", "ab\ncdé\nx", 999), "f:3:2");
    }
}
