//! Every CSV file the app writes (the training report, an incident's HICS 214 CSV, the
//! contact tree) goes through here, so no cell runs as a formula when a spreadsheet opens
//! the file (CSV injection). As OWASP advises, a cell that starts with `=`, `+`, `-`, `@`,
//! a tab or a carriage return is written with a `'` in front: a spreadsheet shows it as
//! text. A cell that starts with `'` gets one too, so the guard comes off again without
//! doubt: [`unguard`] takes off exactly the `'` that [`guard`] put in front, and a file
//! the app wrote reads back as it was (a phone number `+1 555 0100` stays one).
//!
//! Other tools guard the same way but do not double a leading `'` (GoPhish's results
//! export): [`unguard_formula`] takes their guard off.
//!
//! Its own module, beside `html.rs` (the one HTML escaper), because it is the one rule for
//! a file format that several domains write and read; `words.rs` is how times read.

use std::borrow::Cow;

/// Whether a cell starting with `c` would be taken for a formula by a spreadsheet.
pub fn formula_start(c: char) -> bool {
    matches!(c, '=' | '+' | '-' | '@' | '\t' | '\r')
}

/// A cell [`guard`] puts a `'` in front of: a formula's start, or a `'` of its own.
fn guarded_start(c: char) -> bool {
    formula_start(c) || c == '\''
}

/// The cell as written: with a `'` in front if it starts like a formula or with `'`.
pub fn guard(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(guarded_start) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// Takes off the `'` that [`guard`] put in front.
pub fn unguard(cell: &str) -> &str {
    strip_guard(cell, guarded_start)
}

/// Takes off a `'` in front of a formula's start, as tools that guard only formulas write
/// it.
pub fn unguard_formula(cell: &str) -> &str {
    strip_guard(cell, formula_start)
}

fn strip_guard(cell: &str, guarded: fn(char) -> bool) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(guarded) => rest,
        _ => cell,
    }
}

/// Writes one row, every cell guarded.
pub fn write_row<W: std::io::Write>(
    writer: &mut csv::Writer<W>,
    cells: impl IntoIterator<Item = impl AsRef<str>>,
) -> csv::Result<()> {
    writer.write_record(cells.into_iter().map(|c| guard(c.as_ref()).into_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn formulas_are_guarded_and_the_guard_comes_off() {
        // (cell, as written)
        let table = [
            ("=1+2", "'=1+2"),
            ("+1 555 0100", "'+1 555 0100"),
            ("-5", "'-5"),
            ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("'quoted", "''quoted"),
            ("'", "''"),
            ("Ada = admin", "Ada = admin"),
            ("555-0100", "555-0100"),
            ("", ""),
        ];
        for (cell, written) in table {
            assert_eq!(guard(cell), written, "{cell:?}");
            assert_eq!(unguard(written), cell, "{written:?}");
        }
        // A `'` the app did not put there stays.
        assert_eq!(unguard("'Ohana"), "'Ohana");
        // Tools that guard only formulas: a doubled `'` is theirs to keep.
        assert_eq!(unguard_formula("'=1+2"), "=1+2");
        assert_eq!(unguard_formula("''x"), "''x");
    }

    #[test]
    fn a_row_is_written_guarded() {
        let mut w = csv::Writer::from_writer(Vec::new());
        write_row(&mut w, ["=1+2", "+1 555 0100", "plain"]).unwrap();
        assert_eq!(w.into_inner().unwrap(), b"'=1+2,'+1 555 0100,plain\n");
    }

    proptest! {
        #[test]
        fn the_guard_always_comes_off(cell in any::<String>()) {
            let written = guard(&cell);
            prop_assert_eq!(unguard(&written), cell.as_str());
            prop_assert!(!written.starts_with(formula_start));
        }
    }
}
