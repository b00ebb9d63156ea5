//! What the playbook checker ([`crate::playbook::format`]) and the training module checker
//! ([`crate::training::format`]) share: the [`Diagnostic`] (`file:line:column: message`),
//! the id rule, positions in a TOML file, and checking a set of files, embedded in the
//! binary or named on the command line, ids across files included.
//!
//! A file format plugs in by implementing [`Checked`]; its own rules stay in its module.

use std::collections::BTreeMap;
use std::path::Path;

use include_dir::Dir;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// A TOML value with its place in the file.
pub(crate) type S<T> = toml::Spanned<T>;

/// A line and a column in a file, both from 1, the column in characters.
pub(crate) type Position = (usize, usize);

/// The start of a file, where problems with the file as a whole are reported.
pub(crate) const START: Position = (1, 1);

/// One problem in a checked file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}: {}", self.file, self.line, self.column, self.message)
    }
}

impl Diagnostic {
    pub(crate) fn new(file: &str, (line, column): Position, message: String) -> Self {
        Diagnostic { file: file.to_owned(), line, column, message }
    }
}

/// An id of a playbook, a role, a step or a module: lower-case letters, digits and dashes,
/// not starting with a dash, at most 64 bytes.
pub fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !id.starts_with('-')
}

/// The line and column of a byte offset in `text`.
pub(crate) fn position(text: &str, offset: usize) -> Position {
    let before = text.get(..offset.min(text.len())).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// Reads one TOML file and collects every problem in it, each at its place.
#[derive(Debug)]
pub(crate) struct Checker<'a> {
    file: &'a str,
    text: &'a str,
    found: Vec<Diagnostic>,
}

impl<'a> Checker<'a> {
    pub(crate) fn new(file: &'a str, text: &'a str) -> Self {
        Checker { file, text, found: Vec::new() }
    }

    /// The file's raw form. A syntax error, an unknown key, a missing one or a value of the
    /// wrong type is the one problem reported (the TOML reader stops there): `None`.
    pub(crate) fn read<R: DeserializeOwned>(&mut self) -> Option<R> {
        match toml::from_str(self.text) {
            Ok(raw) => Some(raw),
            Err(e) => {
                self.at(e.span().map_or(0, |s| s.start), e.message().trim().to_owned());
                None
            }
        }
    }

    /// The checked value, or every problem found.
    pub(crate) fn finish<T>(self, value: T) -> Result<T, Vec<Diagnostic>> {
        if self.found.is_empty() { Ok(value) } else { Err(self.found) }
    }

    /// The problems found so far: the reading failed.
    pub(crate) fn failed(self) -> Vec<Diagnostic> {
        self.found
    }

    /// Problems found outside the checker (references resolved afterwards), in place.
    pub(crate) fn extend(&mut self, more: Vec<Diagnostic>) {
        self.found.extend(more);
        self.found.sort_by_key(|d| (d.line, d.column));
    }

    /// Where a value starts.
    pub(crate) fn position<T>(&self, value: &S<T>) -> Position {
        position(self.text, value.span().start)
    }

    pub(crate) fn at(&mut self, offset: usize, message: impl Into<String>) {
        let at = position(self.text, offset);
        self.found.push(Diagnostic::new(self.file, at, message.into()));
    }

    pub(crate) fn span<T>(&mut self, value: &S<T>, message: impl Into<String>) {
        self.at(value.span().start, message);
    }

    /// The text, trimmed; `what` (as messages name it: "`title`", "a choice") is reported
    /// if it is empty.
    pub(crate) fn text_required(&mut self, value: &S<String>, what: &str) -> String {
        let text = value.get_ref().trim();
        if text.is_empty() {
            self.span(value, format!("{what} is empty"));
        }
        text.to_owned()
    }

    /// Each text of a list, as [`Checker::text_required`].
    pub(crate) fn list(&mut self, values: &[S<String>], what: &str) -> Vec<String> {
        values.iter().map(|v| self.text_required(v, what)).collect()
    }

    /// The id, reported if it breaks [`is_valid_id`]; `what` names it ("step id"), and
    /// `example` is a good one.
    pub(crate) fn id(&mut self, value: &S<String>, what: &str, example: &str) -> String {
        let id = value.get_ref();
        if !is_valid_id(id) {
            self.span(
                value,
                format!(
                    "{what} `{id}` must be lower-case letters, digits and dashes, like `{example}`"
                ),
            );
        }
        id.clone()
    }

    /// The value, reported if it is none of `allowed`; `key` names it.
    pub(crate) fn one_of(&mut self, value: &S<String>, key: &str, allowed: &[&str]) -> String {
        if !allowed.contains(&value.get_ref().as_str()) {
            self.span(
                value,
                format!("unknown {key} `{}`: use one of {}", value.get_ref(), allowed.join(", ")),
            );
        }
        value.get_ref().clone()
    }

    /// A versioned file's `change` (`material`, the default, or `editorial`) and the
    /// version whose acknowledgments count for it: its own for a material change; the
    /// earlier `material_version` an editorial one names. Returns (editorial, that version).
    pub(crate) fn change(
        &mut self,
        change: Option<&S<String>>,
        material_version: Option<&S<i64>>,
        version: u32,
    ) -> (bool, u32) {
        let editorial = match change.map(|c| (c, c.get_ref().as_str())) {
            None | Some((_, "material")) => false,
            Some((_, "editorial")) => true,
            Some((at, other)) => {
                self.span(at, format!("unknown change `{other}`: use material (everyone acknowledges again) or editorial (earlier acknowledgments stand)"));
                false
            }
        };
        let counted = match (editorial, material_version) {
            (false, None) => version,
            (false, Some(v)) => {
                self.span(v, "`material_version` is only for an editorial change: a material change is its own");
                version
            }
            (true, None) => {
                if let Some(at) = change {
                    self.span(at, "an editorial change names `material_version`: the version whose acknowledgments still stand");
                }
                version
            }
            (true, Some(v)) => {
                let n = u32::try_from(*v.get_ref()).unwrap_or(0);
                if n == 0 || n >= version {
                    let last = version.saturating_sub(1);
                    self.span(
                        v,
                        format!("`material_version` must be an earlier version, from 1 to {last}"),
                    );
                }
                n
            }
        };
        (editorial, counted)
    }

    /// A file's `version`: a whole number from 1 up (0 once reported).
    pub(crate) fn version(&mut self, value: &S<i64>) -> u32 {
        let version = *value.get_ref();
        if !(1..=i64::from(u32::MAX)).contains(&version) {
            self.span(value, "`version` must be a whole number from 1 up");
        }
        u32::try_from(version).unwrap_or(0)
    }
}

/// A file format checked with a [`Checker`], one value per file, each with an id that no
/// other file of a set may use.
pub(crate) trait Checked: Sized {
    /// How messages name the id: "playbook id", "module id".
    const ID_NAME: &'static str;

    /// Parses and checks one file (`file` names it in every diagnostic); with the value,
    /// where the file is blamed when an earlier file of the set has the same id.
    fn check_file(file: &str, text: &str) -> Result<(Self, Position), Vec<Diagnostic>>;

    fn id(&self) -> &str;

    fn title(&self) -> &str;

    /// Whether a file of the set, by name, is of this format (a pack holds playbooks and
    /// clock rule sets, both `*.toml`).
    fn takes(_name: &str) -> bool {
        true
    }
}

/// `impl Checked` for a format whose value has `id` and `title` fields and whose files are
/// checked by a `parse_located(file, text)` in scope; `takes` (a `fn(&str) -> bool`) when
/// some files of its folder are not of the format.
macro_rules! checked_format {
    ($t:ty, $id_name:literal $(, takes = $takes:expr)?) => {
        impl $crate::checker::Checked for $t {
            const ID_NAME: &'static str = $id_name;

            fn check_file(
                file: &str,
                text: &str,
            ) -> Result<(Self, $crate::checker::Position), Vec<$crate::checker::Diagnostic>> {
                parse_located(file, text)
            }

            fn id(&self) -> &str {
                &self.id
            }

            fn title(&self) -> &str {
                &self.title
            }

            $(fn takes(name: &str) -> bool {
                ($takes)(name)
            })?
        }
    };
}
pub(crate) use checked_format;

/// Every `*.<extension>` file at the top of an embedded folder (`folder` names it in
/// messages), checked, sorted by title then id; or every problem.
pub(crate) fn embedded<T: Checked>(
    dir: &Dir<'_>,
    folder: &str,
    extension: &str,
) -> Result<Vec<T>, Vec<Diagnostic>> {
    let mut files: Vec<_> = dir
        .files()
        .filter(|f| f.path().extension().is_some_and(|e| e == extension))
        .filter(|f| T::takes(&f.path().to_string_lossy()))
        .collect();
    files.sort_by_key(|f| f.path());
    let texts = files.into_iter().map(|f| {
        let name = format!("{folder}/{}", f.path().display());
        let text = f.contents_utf8().ok_or_else(|| not_utf8(&name));
        (name, text)
    });
    let (found, problems) = check_all::<T>(texts, Vec::new(), &T::check_file);
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut list: Vec<T> = found.into_iter().map(|(_, value, _)| value).collect();
    list.sort_by(|a, b| a.title().cmp(b.title()).then_with(|| a.id().cmp(b.id())));
    Ok(list)
}

/// Checks files for a `validate` command: every problem in every file, in order. Each path
/// is a file, or a folder meaning its `*.<extension>` files (not its subfolders), in name
/// order. An empty result means all is well.
pub(crate) fn validate_paths<T: Checked>(paths: &[&Path], extension: &str) -> Vec<Diagnostic> {
    check_paths::<T>(paths, extension).1
}

/// [`validate_paths`], with each file's value that checked out, by file name.
pub(crate) fn check_paths<T: Checked>(
    paths: &[&Path],
    extension: &str,
) -> (Vec<(String, T)>, Vec<Diagnostic>) {
    check_paths_with(paths, extension, &T::check_file)
}

/// A file's check: its value and where a duplicate of its id is reported, or its problems.
pub(crate) type CheckFile<'a, T> =
    dyn Fn(&str, &str) -> Result<(T, Position), Vec<Diagnostic>> + 'a;

/// [`check_paths`], each file checked by `check` (a format whose check needs more than the
/// file: the playbooks its references resolve against).
pub(crate) fn check_paths_with<T: Checked>(
    paths: &[&Path],
    extension: &str,
    check: &CheckFile<'_, T>,
) -> (Vec<(String, T)>, Vec<Diagnostic>) {
    let (texts, problems) = read_text_files(paths, extension);
    let texts = texts
        .iter()
        .filter(|(name, _)| T::takes(name))
        .map(|(name, text)| (name.clone(), Ok(text.as_str())));
    let (found, problems) = check_all::<T>(texts, problems, check);
    (found.into_iter().map(|(name, value, _)| (name, value)).collect(), problems)
}

/// A file found, with where a duplicate of its id is reported.
type Found<T> = (String, T, Position);

/// Checks each (name, text or the problem reading it) after the `problems` already found,
/// then the ids used by more than one file.
fn check_all<'t, T: Checked>(
    texts: impl IntoIterator<Item = (String, Result<&'t str, Diagnostic>)>,
    mut problems: Vec<Diagnostic>,
    check: &CheckFile<'_, T>,
) -> (Vec<Found<T>>, Vec<Diagnostic>) {
    let mut found = Vec::new();
    for (name, text) in texts {
        match text.map(|text| check(&name, text)) {
            Ok(Ok((value, at))) => found.push((name, value, at)),
            Ok(Err(d)) => problems.extend(d),
            Err(d) => problems.push(d),
        }
    }
    problems.extend(duplicate_ids(&found));
    (found, problems)
}

/// The text files named: each path is a file, or a folder meaning its `*.<extension>`
/// files (not its subfolders), in name order. Returns (name, text) for each file read, and
/// a problem for each file that cannot be read or is not UTF-8.
fn read_text_files(paths: &[&Path], extension: &str) -> (Vec<(String, String)>, Vec<Diagnostic>) {
    let mut files = Vec::new();
    for path in paths {
        match std::fs::read_dir(path) {
            Ok(entries) => {
                let mut inside: Vec<_> = entries
                    .flatten()
                    .map(|e| e.path())
                    .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == extension))
                    .collect();
                inside.sort();
                files.extend(inside);
            }
            Err(_) => files.push(path.to_path_buf()),
        }
    }
    let mut texts = Vec::new();
    let mut problems = Vec::new();
    for file in files {
        let name = file.display().to_string();
        match std::fs::read(&file) {
            Err(e) => {
                problems.push(Diagnostic::new(&name, START, format!("cannot read the file: {e}")))
            }
            Ok(bytes) => match String::from_utf8(bytes) {
                Err(_) => problems.push(not_utf8(&name)),
                Ok(text) => texts.push((name, text)),
            },
        }
    }
    (texts, problems)
}

fn not_utf8(name: &str) -> Diagnostic {
    Diagnostic::new(name, START, "the file is not UTF-8 text: save it as UTF-8".into())
}

/// An id used by an earlier file is reported in each later one, naming the first file
/// that used it.
fn duplicate_ids<T: Checked>(found: &[Found<T>]) -> Vec<Diagnostic> {
    let mut first: BTreeMap<&str, &str> = BTreeMap::new();
    let mut out = Vec::new();
    for (file, value, at) in found {
        match first.get(value.id()) {
            Some(other) => out.push(Diagnostic::new(
                file,
                *at,
                format!("{} `{}` is also used by {other}", T::ID_NAME, value.id()),
            )),
            None => {
                first.insert(value.id(), file);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use include_dir::{DirEntry, File};

    use super::*;

    /// A format for the tests: a file holds its id; `bad` is a problem on line 2.
    #[derive(Debug, PartialEq)]
    struct Named(String);

    impl Checked for Named {
        const ID_NAME: &'static str = "name";

        fn check_file(file: &str, text: &str) -> Result<(Self, Position), Vec<Diagnostic>> {
            match text.trim() {
                "bad" => Err(vec![Diagnostic::new(file, (2, 1), "bad".into())]),
                id => Ok((Named(id.to_owned()), (1, 3))),
            }
        }

        fn id(&self) -> &str {
            &self.0
        }

        fn title(&self) -> &str {
            "same title"
        }
    }

    fn lines(problems: &[Diagnostic]) -> Vec<String> {
        problems.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn a_set_reports_reading_problems_then_each_file_then_ids_used_twice() {
        let dir = tempfile::tempdir().unwrap();
        let name = |n: &str| dir.path().join(n).display().to_string();
        for (file, text) in [("a.t", "x"), ("b.t", "bad"), ("c.t", "x"), ("d.t", "x"), ("e.t", "y")]
        {
            std::fs::write(dir.path().join(file), text).unwrap();
        }
        std::fs::write(dir.path().join("f.t"), b"\xff").unwrap();
        std::fs::write(dir.path().join("skipped.txt"), "x").unwrap();
        let got = lines(&validate_paths::<Named>(&[dir.path()], "t"));
        assert_eq!(
            got,
            [
                format!("{}:1:1: the file is not UTF-8 text: save it as UTF-8", name("f.t")),
                format!("{}:2:1: bad", name("b.t")),
                // Every later file names the first one with the id.
                format!("{}:1:3: name `x` is also used by {}", name("c.t"), name("a.t")),
                format!("{}:1:3: name `x` is also used by {}", name("d.t"), name("a.t")),
            ]
        );
        let got = validate_paths::<Named>(&[&dir.path().join("e.t"), &dir.path().join("no")], "t");
        assert_eq!(lines(&got).len(), 1);
        assert!(got[0].message.starts_with("cannot read the file: "), "{got:?}");
    }

    #[test]
    fn an_embedded_set_is_checked_in_name_order_and_sorted() {
        static FILES: &[DirEntry<'_>] = &[
            DirEntry::File(File::new("b.t", b"b")),
            DirEntry::File(File::new("README.md", b"not checked")),
            DirEntry::File(File::new("a.t", b"a")),
        ];
        let good = embedded::<Named>(&Dir::new("", FILES), "set", "t").unwrap();
        assert_eq!(good, [Named("a".into()), Named("b".into())]);

        static BAD: &[DirEntry<'_>] = &[
            DirEntry::File(File::new("c.t", b"a")),
            DirEntry::File(File::new("b.t", b"\xff")),
            DirEntry::File(File::new("a.t", b"a")),
            DirEntry::File(File::new("d.t", b"bad")),
        ];
        let problems = embedded::<Named>(&Dir::new("", BAD), "set", "t").unwrap_err();
        assert_eq!(
            lines(&problems),
            [
                "set/b.t:1:1: the file is not UTF-8 text: save it as UTF-8",
                "set/d.t:2:1: bad",
                "set/c.t:1:3: name `a` is also used by set/a.t",
            ]
        );
    }

    #[test]
    fn positions_count_lines_and_characters_from_one() {
        let text = "ab\nçé x\n";
        let table: &[(usize, Position)] =
            &[(0, (1, 1)), (2, (1, 3)), (3, (2, 1)), (7, (2, 3)), (9, (2, 5)), (10, (3, 1))];
        for (offset, want) in table {
            assert_eq!(position(text, *offset), *want, "offset {offset}");
        }
        // Past the end, or inside a character: still an answer.
        assert_eq!(position(text, 99), (3, 1));
        assert!(position(text, 4).0 >= 1);
    }

    #[test]
    fn ids_are_lower_case_letters_digits_and_dashes() {
        for good in ["a", "call-it-security", "x9", &"a".repeat(64)] {
            assert!(is_valid_id(good), "{good}");
        }
        for bad in ["", "-a", "A", "a_b", "a b", "é", &"a".repeat(65)] {
            assert!(!is_valid_id(bad), "{bad}");
        }
    }
}
