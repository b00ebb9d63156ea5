//! The contact tree from the CLI: import (CSV and vCard) with every bad row named and
//! nothing imported, or the bad rows skipped and reported; exports that import back to the
//! same tree; calls during an incident, in the HICS 214.

use std::path::Path;

use crate::support::{Workstation, over_the_size_limit};

type Ws = Workstation;

impl Workstation {
    fn contacts(&self) -> serde_json::Value {
        serde_json::from_str(&self.ok(&["contacts", "list", "--json"])).unwrap()
    }
}

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/contacts")
        .join(name)
        .to_str()
        .unwrap()
        .to_owned()
}

#[test]
fn bad_files_import_nothing_and_name_every_bad_line() {
    let ws = Ws::new();
    ws.ok(&["contacts", "import", &fixture("sample.csv")]);
    let before = ws.contacts();
    assert_eq!(before.as_array().unwrap().len(), 17);
    // (file, the lines named)
    for (file, lines) in [
        ("duplicate-people.csv", &[4][..]),
        ("cut-off-quote.csv", &[3, 6]),
        ("latin1.csv", &[3, 4]),
        ("wrong-field-count.csv", &[3, 4]),
        ("unknown-column.csv", &[1]),
        ("cycle.csv", &[2, 3]),
        ("no-end.vcf", &[6, 10, 15]),
        ("version21.vcf", &[1]),
    ] {
        let (code, _, err) = ws.run(&["contacts", "import", &fixture(file)]);
        assert_eq!(code, 1, "{file}: {err}");
        assert!(
            err.contains("error[import_rejected]") && err.contains("nothing was imported"),
            "{file}: {err}"
        );
        for line in lines {
            assert!(
                err.contains(&format!("{file}:line {line}: ")),
                "{file}: line {line} not named:\n{err}"
            );
        }
        assert_eq!(ws.contacts(), before, "{file} changed the tree");
    }
}

#[test]
fn skipped_rows_are_reported_and_the_rest_imported() {
    let ws = Ws::new();
    let (code, out, err) =
        ws.run(&["contacts", "import", &fixture("latin1.csv"), "--skip-bad-rows"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("latin1.csv:line 3: ") && err.contains("(skipped)"), "{err}");
    assert!(err.contains("latin1.csv:line 4: "), "{err}");
    assert!(out.contains("skipped 2 bad rows"), "{out}");
    let names: Vec<String> = ws
        .contacts()
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_owned())
        .collect();
    assert!(!names.is_empty());
}

#[test]
fn an_export_imports_back_to_the_same_tree() {
    let ws = Ws::new();
    ws.ok(&["contacts", "import", &fixture("sample.vcf")]);
    let first = ws.contacts();
    for (format, file) in [("csv", "tree.csv"), ("vcard", "tree.vcf")] {
        let out = ws.path(file);
        ws.ok(&["contacts", "export", "--format", format, "--out", out.to_str().unwrap()]);
        let said = ws.ok(&["contacts", "import", out.to_str().unwrap()]);
        assert!(said.contains("(0 new, 0 changed, 0 removed)"), "{format}: {said}");
        assert_eq!(ws.contacts(), first, "{format} round trip");
    }
    let tree = ws.ok(&["calltree", "show", "--incident-type", "ransomware"]);
    assert!(tree.lines().any(|l| l.starts_with("    ")), "no one calls anyone:\n{tree}");
    let (code, _, err) = ws.run(&["contacts", "export", "--format", "pdf", "--out", "x"]);
    assert_eq!(code, 2, "a mistyped format is a usage error: {err}");
    assert!(err.contains("[possible values: csv, vcard]"), "{err}");
}

#[test]
fn calls_during_an_incident_are_in_its_hics_214() {
    let ws = Ws::new();
    ws.ok(&["contacts", "import", &fixture("sample.csv")]);
    let id = ws.ok(&["incident", "start", "ransomware"]).trim().to_owned();
    let out = ws.ok(&["incident", "call", &id, "it-service-desk", "--outcome", "no-answer"]);
    assert!(out.contains("Still unreached: ") && out.contains("IT Service Desk"), "{out}");
    ws.ok(&["incident", "call", &id, "it-service-desk", "--outcome", "reached"]);
    let (code, _, err) = ws.run(&["incident", "call", &id, "nobody", "--outcome", "reached"]);
    assert_eq!(code, 1);
    assert!(err.contains("no contact `nobody`"), "{err}");
    let (code, _, err) = ws.run(&["incident", "call", &id, "it-service-desk", "--outcome", "busy"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("[possible values: reached, no-answer, left-message, wrong-number]"));
    let html = ws.path("214.html");
    ws.ok(&["incident", "export", &id, "--format", "html", "--out", html.to_str().unwrap()]);
    let html = std::fs::read_to_string(html).unwrap();
    assert!(html.contains("Call to IT Service Desk (Example Health): no answer"), "{html}");
    assert!(html.contains("Call to IT Service Desk (Example Health): reached"));
    // A note that would send patient information by text is warned about, and saved.
    let (code, _, err) =
        ws.run(&["incident", "note", &id, "Texted the patient list to the charge nurse"]);
    assert_eq!(code, 0);
    assert!(err.contains("warning[unsecure_channel]"), "{err}");
}

/// The window marks unsecure channels from `channels()` (the `list_channels` command), and
/// docs/contacts.md lists them for whoever writes an import: both follow the core's list.
#[test]
fn the_channel_list_says_which_channels_are_secure_and_the_docs_agree() {
    let list = serde_json::to_value(caregiver::contacts::channels()).unwrap();
    assert_eq!(
        list[9],
        serde_json::json!({"id": "sms", "name": "Text message (SMS)", "secure": false}),
        "the shape the window reads"
    );
    let unsecure: Vec<&str> =
        caregiver::contacts::channels().iter().filter(|c| !c.secure).map(|c| c.id).collect();
    assert_eq!(unsecure, ["public-email", "sms", "consumer-messaging"]);

    let docs =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/contacts.md"))
            .unwrap();
    let table = docs.split("### Channels").nth(1).unwrap();
    // The table's rows: from its first line to the first line that is not a row.
    let documented: Vec<(String, bool)> = table
        .lines()
        .skip_while(|line| !line.starts_with('|'))
        .take_while(|line| line.starts_with('|'))
        .filter_map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            let id = cells.get(1)?.strip_prefix('`')?.strip_suffix('`')?;
            Some((id.to_owned(), *cells.get(3)? == "yes"))
        })
        .collect();
    let core: Vec<(String, bool)> =
        caregiver::contacts::channels().iter().map(|c| (c.id.to_owned(), c.secure)).collect();
    assert_eq!(documented, core, "docs/contacts.md's channel table against the core's list");
}

/// A contacts file of `rows` rows after the header, each from `row(i)`.
fn rows(header: &str, n: usize, row: impl Fn(usize) -> String) -> String {
    let mut out = format!("{header}\n");
    (0..n).for_each(|i| out.push_str(&(row(i) + "\n")));
    out
}

/// Over a limit of size or rows: refused whole (`invalid_input`, the file and the line
/// named); a field over its length: a problem of its row (`import_rejected`). Either way
/// nothing is imported, and no message repeats a value from the file.
#[test]
fn a_file_over_a_limit_imports_nothing() {
    let ws = Ws::new();
    ws.ok(&["contacts", "import", &fixture("sample.csv")]);
    let before = ws.contacts();
    let card = |i: usize| format!("BEGIN:VCARD\nVERSION:4.0\nFN:Person {i}\nEND:VCARD");
    let long_name = "Zoë".repeat(70);
    let huge_name = "Zoë".repeat(3_000_000);
    let long_notes = format!("Nora Notes,{}", "n".repeat(2_001));
    let long_list = format!("Lee List,{}", "phone;".repeat(400));
    // (file, its text, the code, what the error says)
    let cases: Vec<(&str, String, &str, &str)> = vec![
        (
            "big.csv",
            over_the_size_limit("name"),
            "invalid_input",
            "contacts file: the file is larger than 20 MB (20,971,520 bytes)",
        ),
        (
            "rows.csv",
            rows("name", 100_001, |i| format!("Person {i}")),
            "invalid_input",
            "contacts file: line 100,002: the file has more than 100,000 rows",
        ),
        (
            "cards.vcf",
            (0..100_001).map(card).collect::<Vec<_>>().join("\n"),
            "invalid_input",
            "contacts file: line 400,001: the file has more than 100,000 cards",
        ),
        (
            "long.csv",
            format!("name\n{long_name}\n"),
            "import_rejected",
            "long.csv:line 2: name is longer than 200 characters",
        ),
        (
            "huge.csv",
            format!("name\n{huge_name}\n"),
            "import_rejected",
            "huge.csv:line 2: name is longer than 200 characters",
        ),
        (
            "notes.csv",
            format!("name,notes\n{long_notes}\n"),
            "import_rejected",
            "notes.csv:line 2: notes is longer than 2,000 characters",
        ),
        (
            "list.csv",
            format!("name,channels\n{long_list}\n"),
            "import_rejected",
            "list.csv:line 2: channels is longer than 2,000 characters",
        ),
    ];
    for (file, text, code, says) in cases {
        let path = ws.path(file);
        std::fs::write(&path, text).unwrap();
        let (exit, _, err) = ws.run(&["contacts", "import", path.to_str().unwrap()]);
        assert_eq!(exit, 1, "{file}: {err}");
        assert!(err.contains(&format!("error[{code}]")) && err.contains(says), "{file}:\n{err}");
        assert!(err.len() < 2_000 && !err.contains("Zoë"), "{file}: {} bytes:\n{err}", err.len());
        assert_eq!(ws.contacts(), before, "{file} changed the tree");
    }
}

/// However many problems a file has, the first 100 are listed and the rest counted: on
/// stderr, in the error, and when the bad rows are skipped. A loop of `called_by` through
/// 5,000 rows gives one short message a row (it once took a gigabyte).
#[test]
fn problems_past_the_first_hundred_are_counted() {
    let ws = Ws::new();
    let bad = ws.path("bad.csv");
    let text = rows("name,email", 5_000, |i| format!("Person {i},not an address"));
    std::fs::write(&bad, text + "Good Person,good@hospital.example\n").unwrap();
    let looped = ws.path("loop.csv");
    let text =
        rows("id,name,called_by", 5_000, |i| format!("c{i},Person {i},c{}", (i + 1) % 5_000));
    std::fs::write(&looped, text).unwrap();
    for (path, first) in [
        (&bad, "bad.csv:line 2: email is not an email address"),
        (
            &looped,
            "loop.csv:line 2: called_by goes round in a loop of 5,000 rows: lines 2 → 3 → 4 → \
             5 → 6 → 7 → 8 → 9 → 10 → 11 → …",
        ),
    ] {
        let (code, _, err) = ws.run(&["contacts", "import", path.to_str().unwrap()]);
        assert_eq!(code, 1, "{err}");
        let lines: Vec<&str> = err.lines().collect();
        assert!(lines[0].contains(first), "{err}");
        assert_eq!(lines.len(), 102, "100 problems, the count, the error:\n{err}");
        assert_eq!(lines[100], "… and 4,900 more problems");
        assert!(lines[101].contains("error[import_rejected]: 5,000 rows have problems"));
        assert!(lines[101].ends_with("; … and 4,900 more problems"), "{}", lines[101]);
        assert!(err.len() < 40_000, "{} bytes of errors", err.len());
    }
    let (code, out, err) =
        ws.run(&["contacts", "import", bad.to_str().unwrap(), "--skip-bad-rows"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("… and 4,900 more problems"), "{err}");
    assert!(out.contains("Imported 1 contacts") && out.contains("skipped 5,000 bad rows"), "{out}");
}
