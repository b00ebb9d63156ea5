//! Importing the results of a simulated-phishing campaign: who clicked, who reported.
//!
//! Two shapes of CSV are read as they are, told apart by their first line (the header):
//!
//! - **GoPhish's results export** (Campaign → Export CSV → Results), with the columns
//!   `id,status,ip,latitude,longitude,send_date,reported,modified_date,email,first_name,
//!   last_name,position` (found by name, in any order; columns it may add later are
//!   ignored). `clicked` is a `status` of `Clicked Link` or `Submitted Data`; `reported` is
//!   `reported` = `true`, or a `status` of `Email Reported` (older versions); `time` is
//!   `modified_date`, the last change to the row, as GoPhish writes it
//!   (`2024-01-15T10:22:31.123456789-05:00`). GoPhish defuses spreadsheet formulas by
//!   writing `'` before a value that starts with `=`, `+`, `-` or `@`; that `'` is taken
//!   off again.
//! - **A simple CSV** for other tools or a hand-kept list: the columns `email`, `name`,
//!   `clicked`, `reported` and optionally `time`, in any order; `email` or `name` may be
//!   left out as a column, and each row needs one of them. `clicked` and `reported` are
//!   `yes`, `no`, `true`, `false`, `1` or `0`; `time`, if given, is a date and time with
//!   its UTC offset (`2024-01-15T10:22:31-05:00` or `2024-01-15T15:22:31Z`).
//!
//! Every problem is reported, with its line, in one run (the first 100 listed, the rest
//! counted); messages name lines and columns, never the values in them (which are staff
//! names and addresses). A byte-order mark is skipped; blank lines (and lines of empty
//! values, as spreadsheets leave) are ignored.
//!
//! Limits (`crate::limits`): a file of at most 20 MB and 200,000 rows, else it is refused
//! whole; at most 100 columns; a name (GoPhish: first and last name together) of at most
//! 200 characters and an email address of at most 254, else the row is a problem.
//!
//! Reading is linear in the file: each row's line is counted on from the row before.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::Error;
use crate::limits::{
    Listed, MAX_COLUMNS, MAX_EMAIL_CHARS, MAX_PHISHING_ROWS, MAX_TEXT_CHARS, check_file_size,
    too_many_rows,
};

/// One person's result in a campaign.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhishRow {
    /// The line of the file the row starts on (the header is line 1).
    pub line: usize,
    pub email: Option<String>,
    pub name: Option<String>,
    /// Clicked the link (in GoPhish, also: went on to submit data).
    pub clicked: bool,
    /// Reported the email.
    pub reported: bool,
    /// When the result was last changed (GoPhish), or the time the file gives.
    pub time: Option<DateTime<Utc>>,
}

/// A problem with one line of the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PhishProblem {
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for PhishProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// The columns of GoPhish's campaign results export, in its order.
pub const GOPHISH_COLUMNS: &[&str] = &[
    "id",
    "status",
    "ip",
    "latitude",
    "longitude",
    "send_date",
    "reported",
    "modified_date",
    "email",
    "first_name",
    "last_name",
    "position",
];

/// The columns of the simple CSV, in the documented order.
pub const SIMPLE_COLUMNS: &[&str] = &["email", "name", "clicked", "reported", "time"];

/// The statuses GoPhish gives a result.
pub const GOPHISH_STATUSES: &[&str] = &[
    "Scheduled",
    "Queued",
    "Sending",
    "Retrying",
    "Email Sent",
    "Error",
    "Error Sending Email",
    "Email Opened",
    "Clicked Link",
    "Submitted Data",
    "Email Reported",
    "Unknown",
];

/// The GoPhish statuses that mean the person clicked the link.
const CLICKED: &[&str] = &["Clicked Link", "Submitted Data"];
const REPORTED: &str = "Email Reported";

/// Where each needed column of GoPhish's export is.
struct GoPhishColumns {
    status: usize,
    reported: usize,
    modified: usize,
    email: usize,
    first: usize,
    last: usize,
}

/// Where each column of the simple CSV is.
struct SimpleColumns {
    email: Option<usize>,
    name: Option<usize>,
    clicked: usize,
    reported: usize,
    time: Option<usize>,
}

enum Shape {
    GoPhish(GoPhishColumns),
    Simple(SimpleColumns),
}

/// Why a results file was not read.
#[derive(Debug)]
pub enum Refused {
    /// Lines with problems: the first 100 by line, and how many more.
    Problems(Listed<PhishProblem>),
    /// The file is over a limit of its size or its rows (`invalid_input`): reading
    /// stopped there.
    Limit(Error),
}

impl From<Refused> for Error {
    fn from(refused: Refused) -> Error {
        match refused {
            Refused::Problems(problems) => {
                Error::ImportRejected { problems: problems.map(|p| p.to_string()) }
            }
            Refused::Limit(e) => e,
        }
    }
}

/// What the limits' errors call a results file.
const FILE: &str = "phishing results file";

/// Reads a campaign's results: every row, or the problems (see [`Refused`]).
pub fn parse_results(bytes: &[u8]) -> Result<Vec<PhishRow>, Refused> {
    check_file_size(FILE, bytes).map_err(Refused::Limit)?;
    let one = |p: PhishProblem| Refused::Problems(Listed::of([p]));
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut lines = Lines { bytes, offset: 0, newlines: 0 };
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes);
    let mut records = reader.byte_records();
    let header = match records.next() {
        None => {
            return Err(one(problem(1, "the file is empty: the first line must name the columns")));
        }
        Some(Err(e)) => return Err(one(csv_problem(&mut lines, &e))),
        Some(Ok(header)) => header,
    };
    let header_line = lines.at(header.position());
    let Some(names) = texts(&header) else {
        return Err(one(not_utf8(header_line)));
    };
    if names.len() > MAX_COLUMNS {
        return Err(one(problem(
            header_line,
            format!("the first line names more than {MAX_COLUMNS} columns"),
        )));
    }
    let names: Vec<String> = names.iter().map(|n| n.trim().to_lowercase()).collect();
    let shape = find_shape(&names).map_err(|messages| {
        Refused::Problems(Listed::of(messages.into_iter().map(|m| problem(header_line, m))))
    })?;

    let mut rows = Vec::new();
    let mut problems = Listed::default();
    let mut emails: HashMap<String, usize> = HashMap::new();
    for (read, record) in records.enumerate() {
        let line = lines.at(match &record {
            Ok(r) => r.position(),
            Err(e) => e.position(),
        });
        if read >= MAX_PHISHING_ROWS {
            return Err(Refused::Limit(too_many_rows(FILE, line, MAX_PHISHING_ROWS, "rows")));
        }
        let Ok(record) = record else {
            problems.push(problem(line, CANNOT_READ));
            continue;
        };
        let Some(fields) = texts(&record) else {
            problems.push(not_utf8(line));
            continue;
        };
        if fields.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if fields.len() != names.len() {
            problems.push(problem(
                line,
                format!(
                    "this line has {} values, but the header names {} columns",
                    fields.len(),
                    names.len()
                ),
            ));
            continue;
        }
        let mut wrong = Vec::new();
        let row = match &shape {
            Shape::GoPhish(columns) => gophish_row(columns, &fields, line, &mut wrong),
            Shape::Simple(columns) => simple_row(columns, &fields, line, &mut wrong),
        };
        if row.email.is_none() && row.name.is_none() {
            wrong.push("the row has neither an email address nor a name".to_owned());
        }
        if row.name.as_deref().is_some_and(|n| n.chars().count() > MAX_TEXT_CHARS) {
            let name = match shape {
                Shape::GoPhish(_) => "`first_name` and `last_name` together are",
                Shape::Simple(_) => "`name` is",
            };
            wrong.push(format!("{name} longer than {MAX_TEXT_CHARS} characters"));
        }
        if let Some(email) = &row.email {
            if email.chars().count() > MAX_EMAIL_CHARS {
                wrong.push(format!("`email` is longer than {MAX_EMAIL_CHARS} characters"));
            } else if !looks_like_email(email) {
                wrong.push("`email` is not an email address".to_owned());
            } else if let Some(first) = emails.get(&email.to_lowercase()) {
                wrong.push(format!("this email address is already on line {first}"));
            } else {
                emails.insert(email.to_lowercase(), line);
            }
        }
        if wrong.is_empty() {
            rows.push(row);
        } else {
            wrong.into_iter().for_each(|m| problems.push(problem(line, m)));
        }
    }
    if problems.is_empty() { Ok(rows) } else { Err(Refused::Problems(problems)) }
}

fn find_shape(names: &[String]) -> Result<Shape, Vec<String>> {
    let col = |name: &str| names.iter().position(|n| n == name);
    if ["status", "modified_date", "first_name"].iter().any(|n| col(n).is_some()) {
        let mut missing = Vec::new();
        let mut need = |name: &'static str| {
            col(name).unwrap_or_else(|| {
                missing.push(format!(
                    "the header looks like GoPhish's results export, but has no `{name}` column"
                ));
                0
            })
        };
        let shape = Shape::GoPhish(GoPhishColumns {
            status: need("status"),
            reported: need("reported"),
            modified: need("modified_date"),
            email: need("email"),
            first: need("first_name"),
            last: need("last_name"),
        });
        return if missing.is_empty() { Ok(shape) } else { Err(missing) };
    }
    if col("clicked").is_none() {
        return Err(vec![format!(
            "the first line must name the columns: either GoPhish's results export ({}) or {}",
            GOPHISH_COLUMNS.join(","),
            SIMPLE_COLUMNS.join(",")
        )]);
    }
    let mut wrong = Vec::new();
    for (i, name) in names.iter().enumerate() {
        if !SIMPLE_COLUMNS.contains(&name.as_str()) {
            wrong.push(format!(
                "column {} of the header is not one of {}",
                i + 1,
                SIMPLE_COLUMNS.join(", ")
            ));
        } else if names.get(..i).is_some_and(|before| before.contains(name)) {
            wrong.push(format!("the header names the column `{name}` twice"));
        }
    }
    if col("reported").is_none() {
        wrong.push("the header has no `reported` column".into());
    }
    if col("email").is_none() && col("name").is_none() {
        wrong.push("the header needs an `email` column, a `name` column, or both".into());
    }
    match (col("clicked"), col("reported")) {
        (Some(clicked), Some(reported)) if wrong.is_empty() => Ok(Shape::Simple(SimpleColumns {
            email: col("email"),
            name: col("name"),
            clicked,
            reported,
            time: col("time"),
        })),
        _ => Err(wrong),
    }
}

fn gophish_row(
    columns: &GoPhishColumns,
    fields: &[String],
    line: usize,
    wrong: &mut Vec<String>,
) -> PhishRow {
    let GoPhishColumns { status, reported, modified, email, first, last } = *columns;
    let get = |i: usize| fields.get(i).map_or("", String::as_str);
    let status_text = get(status).trim();
    let status = GOPHISH_STATUSES.iter().find(|s| s.eq_ignore_ascii_case(status_text));
    if status.is_none() {
        wrong.push(format!(
            "`status` is not a GoPhish status: expected one of {}",
            GOPHISH_STATUSES.join(", ")
        ));
    }
    let clicked = status.is_some_and(|s| CLICKED.contains(s));
    let reported = match yes_no(get(reported)) {
        Some(r) => r || status.is_some_and(|s| *s == REPORTED),
        None => {
            wrong.push("`reported` must be true or false".into());
            false
        }
    };
    let modified_text = get(modified).trim();
    let time = if modified_text.is_empty() || modified_text.starts_with("0001-01-01T00:00:00") {
        // Go's zero time: never set.
        None
    } else {
        let time = read_time(modified_text);
        if time.is_none() {
            wrong.push(
                "`modified_date` is not a date and time as GoPhish writes it, like 2024-01-15T10:22:31-05:00"
                    .into(),
            );
        }
        time
    };
    let name = [unformula(get(first)), unformula(get(last))]
        .into_iter()
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    PhishRow {
        line,
        email: present(unformula(get(email))),
        name: present(name.as_str()),
        clicked,
        reported,
        time,
    }
}

fn simple_row(
    columns: &SimpleColumns,
    fields: &[String],
    line: usize,
    wrong: &mut Vec<String>,
) -> PhishRow {
    let SimpleColumns { email, name, clicked, reported, time } = *columns;
    let get = |i: Option<usize>| i.and_then(|i| fields.get(i)).map_or("", String::as_str);
    let mut flag = |i: usize, column: &str| {
        yes_no(get(Some(i))).unwrap_or_else(|| {
            wrong.push(format!("`{column}` must be yes, no, true, false, 1 or 0"));
            false
        })
    };
    let clicked = flag(clicked, "clicked");
    let reported = flag(reported, "reported");
    let time_text = get(time).trim();
    let time = if time_text.is_empty() {
        None
    } else {
        let time = read_time(time_text);
        if time.is_none() {
            wrong.push(
                "`time` is not a date and time with its UTC offset, like 2024-01-15T10:22:31-05:00 or 2024-01-15T15:22:31Z"
                    .into(),
            );
        }
        time
    };
    PhishRow { line, email: present(get(email)), name: present(get(name)), clicked, reported, time }
}

/// `yes`/`no`, `true`/`false`, `1`/`0`, in any case.
fn yes_no(text: &str) -> Option<bool> {
    match text.trim().to_lowercase().as_str() {
        "yes" | "true" | "1" => Some(true),
        "no" | "false" | "0" => Some(false),
        _ => None,
    }
}

/// RFC 3339 with an offset; a space may stand for the `T`.
fn read_time(text: &str) -> Option<DateTime<Utc>> {
    let parsed = DateTime::parse_from_rfc3339(text).or_else(|e| {
        if text.get(10..11) == Some(" ") {
            DateTime::parse_from_rfc3339(&text.replacen(' ', "T", 1))
        } else {
            Err(e)
        }
    });
    parsed.ok().map(|t| t.with_timezone(&Utc))
}

/// Takes off the `'` GoPhish's export puts before a value that starts with `=`, `+`, `-`,
/// `@`, a tab or a carriage return, so a spreadsheet does not run it as a formula.
fn unformula(text: &str) -> &str {
    crate::csv_safe::unguard_formula(text).trim()
}

fn present(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

/// One `@`, something either side, a dot in the domain, no spaces.
fn looks_like_email(text: &str) -> bool {
    let mut parts = text.split('@');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(local), Some(domain), None) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !text.chars().any(char::is_whitespace)
        }
        _ => false,
    }
}

fn texts(record: &csv::ByteRecord) -> Option<Vec<String>> {
    record.iter().map(|f| std::str::from_utf8(f).ok().map(str::to_owned)).collect()
}

/// Where the reader is in the file, in lines: the line breaks before `offset`.
struct Lines<'b> {
    bytes: &'b [u8],
    offset: usize,
    newlines: usize,
}

impl Lines<'_> {
    /// The line (from 1) a record starts on, counted in the bytes themselves: the reader's
    /// own line count can lag by one after a CRLF line end, and its offset can point at
    /// the line ends (and blank lines) before the record. Records come in file order, so
    /// the count goes on from the record before (counting from the start each time took
    /// minutes for 40,000 rows).
    fn at(&mut self, position: Option<&csv::Position>) -> usize {
        let offset = position
            .and_then(|p| usize::try_from(p.byte()).ok())
            .unwrap_or(0)
            .min(self.bytes.len());
        if offset < self.offset {
            (self.offset, self.newlines) = (0, 0);
        }
        let between = self.bytes.get(self.offset..offset).unwrap_or_default();
        self.newlines += between.iter().filter(|b| **b == b'\n').count();
        self.offset = offset;
        let ends = self.bytes.get(offset..).unwrap_or_default();
        let blank = ends.iter().take_while(|b| matches!(b, b'\r' | b'\n')).filter(|b| **b == b'\n');
        self.newlines + blank.count() + 1
    }
}

const CANNOT_READ: &str = "this line cannot be read as CSV";

fn csv_problem(lines: &mut Lines<'_>, e: &csv::Error) -> PhishProblem {
    problem(lines.at(e.position()), CANNOT_READ)
}

fn not_utf8(line: usize) -> PhishProblem {
    problem(line, "this line is not UTF-8 text: save the file as CSV UTF-8")
}

fn problem(line: usize, message: impl Into<String>) -> PhishProblem {
    PhishProblem { line, message: message.into() }
}

#[cfg(test)]
#[path = "phishing_tests.rs"]
mod tests;
