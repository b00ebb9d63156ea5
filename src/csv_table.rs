//! Reading a CSV file of records with a header row naming the columns, the way every
//! import of the app reads one (contacts, assets): the columns in any order, named in any
//! case with spaces or dashes for underscores; a byte order mark, `;` for `,` (a
//! spreadsheet in some languages), and UTF-16 files told to be saved as UTF-8; blank rows
//! and rows of empty cells skipped; each row's cells unguarded of the `'` the app's own
//! exports put before a formula-like cell ([`crate::csv_safe`]); every problem of the
//! header or a row reported as [`RowProblem`] at its line, and a file of more rows than
//! its kind allows refused at the line where it goes over.
//!
//! # A quote that is never closed
//!
//! The csv crate, like RFC 4180, lets a quoted cell run over several lines, and at the end
//! of the file it quietly ends a quoted cell that was never closed: one cut-off quote can
//! swallow the rest of the file into one cell. So before the csv crate reads a row, a small
//! scanner that follows the same quoting rules finds where each row starts and ends and
//! where each quoted cell opens. A quoted cell that runs over a line break is taken to be
//! cut off, and reported at the line where its quote opens, when
//! - the file ends inside it; or
//! - its "closing" quote is followed by more text, not by the end of the cell (a cut-off
//!   quote runs on to the next quote in the file, which usually opens a later cell:
//!   `...,"Line one`); or
//! - its row has the wrong number of cells.
//!
//! Reading then starts again on the line after the one where the quote opened, so the
//! rows the quote swallowed are read (and checked) as rows of their own. What a row's
//! cells mean, and the checks of a row and of the rows together, are the importer's.

use std::fmt;

use ::csv::StringRecord;
use serde::Serialize;

use chrono::NaiveDate;

use crate::Result;
use crate::csv_safe::unguard;
use crate::limits::{MAX_COLUMNS, quoted, too_many_rows};

/// One problem (or warning) at a line of an imported file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowProblem {
    /// 1-based line in the file: where the row or card starts, or the exact line of a
    /// syntax problem.
    pub line: usize,
    pub message: String,
}

impl fmt::Display for RowProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// The byte order mark a CSV file may start with (and the app's exports do, for Excel).
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The columns of a kind of file: each one a field of its records.
pub trait Columns: Copy + Eq + Sized + 'static {
    /// Every field, in the order an export writes the columns.
    const ALL: &'static [Self];
    /// The columns a file must have.
    const REQUIRED: &'static [&'static str];
    /// The file as messages name it: `contacts file`.
    const FILE: &'static str;
    /// With its article, for a sentence: `a contacts file`.
    const FILE_WITH_ARTICLE: &'static str;
    /// The most rows a file may hold.
    const MAX_ROWS: usize;

    /// Its column's name.
    fn column(self) -> &'static str;

    /// Another name a header may give a column (`organization` for `organisation`).
    fn alias(_name: &str) -> Option<&'static str> {
        None
    }
}

/// One row read: its line, and each known column's cell, trimmed and unguarded.
#[derive(Debug)]
pub struct TableRow<C> {
    pub line: usize,
    pub values: Vec<(C, String)>,
    /// Problems at a line of their own (text that is not UTF-8 on the row's second line):
    /// they leave the row out.
    pub located: Vec<RowProblem>,
}

/// What a file gave: its rows, and the problems of the header and of rows that could not
/// be read (which are not among `rows`).
#[derive(Debug)]
pub struct Table<C> {
    pub rows: Vec<TableRow<C>>,
    pub problems: Vec<RowProblem>,
}

/// Reads a file: its rows, or the header's problems when the header cannot be used (then
/// nothing else is read). A file of more than `C::MAX_ROWS` rows is an error.
pub fn read<C: Columns>(bytes: &[u8]) -> Result<std::result::Result<Table<C>, Vec<RowProblem>>> {
    match Reader::<C>::new(bytes) {
        Ok(mut reader) => reader.read_rows().map(Ok),
        Err(problems) => Ok(Err(problems)),
    }
}

/// Reads a whole file that is refused on any problem (an answers file, a catalogue): its
/// size checked, its rows, or the header's problems as the refusal.
pub fn read_strict<C: Columns>(bytes: &[u8]) -> Result<Table<C>> {
    crate::limits::check_file_size(C::FILE, bytes)?;
    read::<C>(bytes)?.map_err(rejected)
}

/// A file refused for its problems: each at its line, the first ones listed.
pub fn rejected(mut problems: Vec<RowProblem>) -> crate::Error {
    problems.sort_by_key(|p| p.line);
    let problems = crate::limits::Listed::of(problems.into_iter().map(|p| p.to_string()));
    crate::Error::ImportRejected { problems }
}

/// Writes records as every CSV the app exports is written: UTF-8 with a byte order mark and
/// CRLF line ends (what Excel opens correctly), a header of `C`'s columns in order, quoting
/// only where needed, each cell guarded against formulas ([`crate::csv_safe`]); `what`
/// names the file in an error.
pub fn write<C: Columns, T>(
    records: &[T],
    cell: impl Fn(&T, C) -> String,
    what: &'static str,
) -> Result<Vec<u8>> {
    let failed = |e: ::csv::Error| crate::Error::Invalid { what, reason: e.to_string() };
    let mut out = BOM.to_vec();
    {
        let mut writer = ::csv::WriterBuilder::new()
            .terminator(::csv::Terminator::CRLF)
            .quote_style(::csv::QuoteStyle::Necessary)
            .from_writer(&mut out);
        writer.write_record(C::ALL.iter().map(|c| c.column())).map_err(failed)?;
        for r in records {
            crate::csv_safe::write_row(&mut writer, C::ALL.iter().map(|&c| cell(r, c)))
                .map_err(failed)?;
        }
        writer.flush().map_err(|e| failed(e.into()))?;
    }
    Ok(out)
}

/// A cell that holds a whole number up to a million, or nothing; else a problem naming
/// `column`.
pub fn number(text: &str, column: &str, problems: &mut Vec<String>) -> Option<u32> {
    if text.is_empty() {
        return None;
    }
    let n = text.parse::<u32>().ok().filter(|n| *n <= 1_000_000);
    if n.is_none() {
        problems.push(format!("`{column}` must be a whole number, not `{}`", quoted(text)));
    }
    n
}

/// A cell that holds a date like 2026-12-31, or nothing; else a problem naming `column`.
pub fn date(text: &str, column: &str, problems: &mut Vec<String>) -> Option<NaiveDate> {
    if text.is_empty() {
        return None;
    }
    let day = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok();
    if day.is_none() {
        problems.push(format!("`{column}` must be a date like 2026-12-31, not `{}`", quoted(text)));
    }
    day
}

/// A cell that holds yes or no (y/n, true/false, 1/0; blank: no); else a problem naming
/// `column`.
pub fn yes_no(text: &str, column: &str, problems: &mut Vec<String>) -> bool {
    match text.to_lowercase().as_str() {
        "" | "no" | "n" | "false" | "0" => false,
        "yes" | "y" | "true" | "1" => true,
        _ => {
            problems.push(format!("`{column}` must be yes or no, not `{}`", quoted(text)));
            false
        }
    }
}

/// The column names, joined.
fn names_of<C: Columns>(separator: &str) -> String {
    C::ALL.iter().map(|c| c.column()).collect::<Vec<_>>().join(separator)
}

/// A header cell as a column name: `Work Phone` and `work-phone` are `work_phone`.
fn column_form<C: Columns>(name: &str) -> String {
    let name: String = name
        .trim()
        .chars()
        .map(|c| if c == ' ' || c == '-' { '_' } else { c.to_ascii_lowercase() })
        .collect();
    C::alias(&name).map_or(name, str::to_owned)
}

/// The CSV reader: the scanner, the header's columns, and what it found.
struct Reader<'a, C: Columns> {
    scanner: Scanner<'a>,
    cells: Cells,
    /// For each cell of a row, the field it holds (`None`: an ignored column).
    columns: Vec<Option<C>>,
    problems: Vec<RowProblem>,
}

impl<'a, C: Columns> Reader<'a, C> {
    /// Reads the header. A header that cannot be used is the only problem.
    fn new(bytes: &'a [u8]) -> std::result::Result<Self, Vec<RowProblem>> {
        let at_1 = |message: &str| vec![RowProblem { line: 1, message: message.to_owned() }];
        if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
            return Err(at_1(
                "the file is UTF-16 text (\"Unicode text\"): save it as \"CSV UTF-8\" instead",
            ));
        }
        let bytes = bytes.strip_prefix(BOM).unwrap_or(bytes);
        let first_line = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
        let delimiter =
            if !first_line.contains(&b',') && first_line.contains(&b';') { b';' } else { b',' };
        let mut scanner = Scanner::new(bytes, delimiter);
        let Some(header) = scanner.next_record() else {
            return Err(at_1("the file is empty: its first line must name the columns"));
        };
        let line = header.line;
        let at = |message: String| RowProblem { line, message };
        if header.unclosed.is_some() || !header.multiline.is_empty() {
            return Err(vec![at(
                "a column name opens a quote that is not closed on its line".into()
            )]);
        }
        let Some(raw) = bytes.get(header.start..header.end) else {
            return Err(vec![at("the column names cannot be read".into())]);
        };
        if std::str::from_utf8(raw).is_err() {
            return Err(vec![at(
                "the column names are not UTF-8 text: save the file as \"CSV UTF-8\"".into(),
            )]);
        }
        let mut cells = Cells::new(delimiter);
        let Some(names) = cells.read(raw) else {
            return Err(vec![at("the column names cannot be read".into())]);
        };

        if names.len() > MAX_COLUMNS {
            return Err(vec![at(format!(
                "the first line names more than {MAX_COLUMNS} columns: {} has {}",
                C::FILE_WITH_ARTICLE,
                C::ALL.len()
            ))]);
        }
        let mut reader: Reader<'a, C> =
            Reader { scanner, cells, columns: Vec::new(), problems: Vec::new() };
        let mut unknown = Vec::new();
        let mut fatal = Vec::new();
        for name in &names {
            let wanted = column_form::<C>(name);
            let field = C::ALL.iter().copied().find(|f| f.column() == wanted);
            match field {
                Some(f) if reader.columns.contains(&Some(f)) => {
                    fatal.push(at(format!("the column `{}` appears twice", f.column())));
                    reader.columns.push(None);
                }
                Some(f) => reader.columns.push(Some(f)),
                None => {
                    if !wanted.is_empty() {
                        unknown.push(quoted(&wanted));
                    }
                    reader.columns.push(None);
                }
            }
        }
        if reader.columns.iter().all(Option::is_none) && fatal.is_empty() {
            // Perhaps a first row of contacts: say nothing of its cells.
            return Err(vec![at(format!(
                "the first line must name the columns (none of its cells is a column name), \
                 for example {}",
                names_of::<C>(",")
            ))]);
        }
        for required in C::REQUIRED {
            if !reader.columns.iter().flatten().any(|f| f.column() == *required) {
                fatal.push(at(format!("the column `{required}` is missing")));
            }
        }
        let mut problems: Vec<RowProblem> = unknown
            .into_iter()
            .map(|name| {
                at(format!(
                    "unknown column `{name}` (its cells were ignored): the columns are {}",
                    names_of::<C>(", ")
                ))
            })
            .collect();
        if !fatal.is_empty() {
            fatal.append(&mut problems);
            return Err(fatal);
        }
        reader.problems = problems;
        Ok(reader)
    }

    fn read_rows(&mut self) -> Result<Table<C>> {
        let width = self.columns.len();
        let mut rows = Vec::new();
        let mut read = 0;
        while let Some(record) = self.scanner.next_record() {
            read += 1;
            if read > C::MAX_ROWS {
                return Err(too_many_rows(C::FILE, record.line, C::MAX_ROWS, "rows"));
            }
            let cut_off = record.unclosed.or_else(|| {
                let ragged = record.multiline.iter().find(|q| !q.closed_cleanly);
                let miscounted = record.multiline.first().filter(|_| record.cells != width);
                ragged.or(miscounted).map(|q| q.open_line)
            });
            if let Some(line) = cut_off {
                self.problems.push(RowProblem {
                    line,
                    message: "a quoted cell opens on this line and is not closed: add the \
                              closing quote (\")"
                        .into(),
                });
                self.scanner.restart_at_line(line + 1);
                continue;
            }
            if let Some(row) = self.read_row(&record, width) {
                rows.push(row);
            }
        }
        Ok(Table { rows, problems: std::mem::take(&mut self.problems) })
    }

    /// Reads one row; `None` when it is blank or cannot be read (the problem is noted).
    fn read_row(&mut self, record: &RawRecord, width: usize) -> Option<TableRow<C>> {
        let line = record.line;
        let raw = self.scanner.bytes.get(record.start..record.end)?;
        let mut located = Vec::new();
        if let Err(e) = std::str::from_utf8(raw) {
            // Read on with the bad bytes replaced, so that the row's id is known and its
            // other problems are reported too; the row is left out.
            let before = raw.get(..e.valid_up_to()).unwrap_or_default();
            located.push(RowProblem {
                line: line + before.iter().filter(|&&b| b == b'\n').count(),
                message: "the text is not UTF-8 (an accented letter saved in another encoding?): \
                          save the file as \"CSV UTF-8\""
                    .into(),
            });
        }
        let Some(cells) = self.cells.read(raw) else {
            self.problems.push(RowProblem { line, message: "the row cannot be read".into() });
            return None;
        };
        if cells.iter().all(|c| c.trim().is_empty()) {
            return None;
        }
        if cells.len() != width {
            self.problems.extend(located);
            self.problems.push(wrong_width(line, cells.len(), width));
            return None;
        }
        let values = self
            .columns
            .iter()
            .zip(cells.iter())
            .filter_map(|(field, text)| field.map(|f| (f, unguard(text.trim()).to_owned())))
            .collect();
        Some(TableRow { line, values, located })
    }
}

fn wrong_width(line: usize, cells: usize, width: usize) -> RowProblem {
    RowProblem { line, message: format!("the row has {cells} cells, the header has {width}") }
}

/// Reads the cells of one row's bytes, each row on its own, with the parser the csv crate
/// runs (`csv_core`), built once and reset for each row: building one takes longer than
/// reading a row (a new `csv::Reader` for each row was a third of an import's time).
#[derive(Debug)]
struct Cells {
    parser: csv_core::Reader,
    out: Vec<u8>,
    ends: Vec<usize>,
}

impl Cells {
    fn new(delimiter: u8) -> Self {
        let parser = csv_core::ReaderBuilder::new().delimiter(delimiter).build();
        Cells { parser, out: Vec::new(), ends: Vec::new() }
    }

    /// The cells of one row's bytes, as `csv::Reader` reads them; bytes that are not
    /// UTF-8 are read as U+FFFD. `None` when the bytes hold no row.
    fn read(&mut self, raw: &[u8]) -> Option<StringRecord> {
        use csv_core::ReadRecordResult::{End, InputEmpty, OutputEndsFull, OutputFull, Record};
        self.parser.reset();
        // A row's cells are never longer than its bytes, nor more than its bytes plus one.
        self.out.resize(raw.len() + 1, 0);
        self.ends.resize(raw.len() + 2, 0);
        let (mut input, mut nout, mut nend) = (raw, 0, 0);
        loop {
            let out = self.out.get_mut(nout..).unwrap_or_default();
            let ends = self.ends.get_mut(nend..).unwrap_or_default();
            let (result, nin, o, e) = self.parser.read_record(input, out, ends);
            input = input.get(nin..).unwrap_or_default();
            (nout, nend) = (nout + o, nend + e);
            match result {
                // Then an empty input: the end of the row.
                InputEmpty => {}
                OutputFull => self.out.resize(self.out.len() * 2, 0),
                OutputEndsFull => self.ends.resize(self.ends.len() * 2, 0),
                Record => break,
                End => return None,
            }
        }
        let mut start = 0;
        let ends = self.ends.get(..nend)?;
        Some(
            ends.iter()
                .map(|&end| {
                    let cell = self.out.get(start..end).unwrap_or_default();
                    start = end;
                    String::from_utf8_lossy(cell)
                })
                .collect::<StringRecord>(),
        )
    }
}

/// Where one row lies in the file, as the scanner found it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct RawRecord {
    /// The line where the row starts.
    line: usize,
    /// Its bytes, without the line end.
    start: usize,
    end: usize,
    /// How many cells it has.
    cells: usize,
    /// Quoted cells that run over a line break.
    multiline: Vec<MultilineCell>,
    /// The line where a quote opens that the file ends inside.
    unclosed: Option<usize>,
}

/// A quoted cell that runs over a line break.
#[derive(Debug, Clone, PartialEq, Eq)]
struct MultilineCell {
    cell: usize,
    /// The line where its quote opens.
    open_line: usize,
    /// Whether its closing quote is followed by the end of the cell (`"...",` or `"..."` at
    /// the end of the line), as a closing quote is. A cut-off quote runs on to the next
    /// quote in the file, usually one that opens a cell: `..."Line one`.
    closed_cleanly: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    StartCell,
    Unquoted,
    Quoted,
    /// A quote inside a quoted cell: the end of the quote, or the first of `""`.
    QuoteInQuoted,
}

/// Finds rows and quoted cells by the csv crate's rules (RFC 4180 with `\n`, `\r\n` or
/// `\r` line ends, a quote opens only at the start of a cell, `""` inside quotes is a
/// quote, blank lines are skipped).
#[derive(Debug)]
struct Scanner<'a> {
    bytes: &'a [u8],
    delimiter: u8,
    at: usize,
    line: usize,
    /// Where each line starts.
    line_starts: Vec<usize>,
}

impl<'a> Scanner<'a> {
    fn new(bytes: &'a [u8], delimiter: u8) -> Self {
        let mut line_starts = vec![0];
        line_starts
            .extend(bytes.iter().enumerate().filter(|(_, b)| **b == b'\n').map(|(i, _)| i + 1));
        Scanner { bytes, delimiter, at: 0, line: 1, line_starts }
    }

    /// Goes on from the start of line `line` (1-based); past the end, nothing is left.
    fn restart_at_line(&mut self, line: usize) {
        match line.checked_sub(1).and_then(|i| self.line_starts.get(i)) {
            Some(&start) => {
                self.at = start;
                self.line = line;
            }
            None => self.at = self.bytes.len(),
        }
    }

    fn byte(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    /// Steps over a line end (`\n`, `\r\n` or `\r`).
    fn skip_line_end(&mut self) {
        if self.byte() == Some(b'\r') {
            self.at += 1;
        }
        if self.byte() == Some(b'\n') {
            self.at += 1;
            self.line += 1;
        }
    }

    fn next_record(&mut self) -> Option<RawRecord> {
        while matches!(self.byte(), Some(b'\n' | b'\r')) {
            self.skip_line_end();
        }
        self.byte()?;
        let mut record = RawRecord {
            line: self.line,
            start: self.at,
            end: self.at,
            cells: 1,
            multiline: Vec::new(),
            unclosed: None,
        };
        let mut state = State::StartCell;
        let mut cell = 0;
        let mut quote_line = self.line;
        loop {
            let Some(b) = self.byte() else {
                record.end = self.at;
                if state == State::Quoted {
                    record.unclosed = Some(quote_line);
                }
                break;
            };
            let line_end = b == b'\n' || b == b'\r';
            if line_end && state != State::Quoted {
                record.end = self.at;
                self.skip_line_end();
                break;
            }
            match state {
                State::StartCell | State::Unquoted | State::QuoteInQuoted
                    if b == self.delimiter =>
                {
                    cell += 1;
                    state = State::StartCell;
                }
                State::StartCell if b == b'"' => {
                    state = State::Quoted;
                    quote_line = self.line;
                }
                State::StartCell => state = State::Unquoted,
                State::Unquoted => {}
                State::Quoted if b == b'"' => state = State::QuoteInQuoted,
                State::Quoted => {
                    if b == b'\n' {
                        self.line += 1;
                        if record.multiline.last().map(|q| q.cell) != Some(cell) {
                            record.multiline.push(MultilineCell {
                                cell,
                                open_line: quote_line,
                                closed_cleanly: true,
                            });
                        }
                    }
                }
                State::QuoteInQuoted if b == b'"' => state = State::Quoted,
                State::QuoteInQuoted => {
                    // Text after the closing quote: the csv crate keeps it in the cell.
                    if let Some(q) = record.multiline.last_mut().filter(|q| q.cell == cell) {
                        q.closed_cleanly = false;
                    }
                    state = State::Unquoted;
                }
            }
            self.at += 1;
        }
        record.cells = cell + 1;
        Some(record)
    }
}
