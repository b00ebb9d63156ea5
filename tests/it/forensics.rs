//! Evidence and its chain of custody with the real CLI on a real store: a lead adds a file
//! (hashed as `sha256sum` hashes it), hands it to a staff member, who sees it pending and
//! confirms it under their own unlock; the form prints it with the log's checkpoint; the
//! exported log verifies. Custody cannot be changed or removed unseen: each way of trying
//! (an entry deleted, an entry's sealed bytes changed, a bundle's line edited, the item's
//! record re-sealed by an insider) is caught. And a 1 GiB file hashes to `sha256sum`'s
//! answer.

use std::io::{Seek, SeekFrom, Write};
use std::path::Path;
use std::process::Command;

use caregiver::crypto::Binding;
use caregiver::store::{Scope, rewrite_as_key_holder};
use rusqlite::params;
use serde_json::Value;

use crate::insider::{ADMIN, ADMIN_PASS, Insider, Ward};
use crate::support::{caregiver, run};

pub(crate) const LENA: &str = "Lena Lead";
pub(crate) const LENA_PASS: &[u8] = b"lena's own passphrase";
const SAM: &str = "Sam Staff";
const SAM_PASS: &[u8] = b"sam's own passphrase 9";

/// `sha256sum FILE`'s answer.
pub(crate) fn sha256sum(file: &Path) -> String {
    let out = Command::new("sha256sum").arg(file).output().expect("sha256sum runs");
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap().split_whitespace().next().unwrap().to_owned()
}

/// A ward with Ada (admin), Lena (lead) and Sam (staff), and an incident Lena leads.
pub(crate) fn ward() -> (Ward, String) {
    let ward = Ward::with_admin();
    ward.add(LENA, "lead", LENA_PASS);
    ward.add(SAM, "staff", SAM_PASS);
    let id = ward.as_user(LENA, LENA_PASS, &["incident", "start", "ransomware"]).trim().to_owned();
    (ward, id)
}

/// Lena adds a 3 MB file as evidence: (item id, the file).
pub(crate) fn add_image(ward: &Ward, id: &str) -> (String, String) {
    let image = ward.path("ws12.img");
    let bytes: Vec<u8> =
        (0..3_000_017u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    std::fs::write(&image, bytes).unwrap();
    let (code, out, err) = ward.as_user_run(
        LENA,
        LENA_PASS,
        &[
            "evidence",
            "add",
            id,
            "--file",
            &image,
            "--what",
            "Disk image of WS-12",
            "--kind",
            "disk-image",
            "--kept-at",
            "Safe 2",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("hashing ") && err.contains("100% of 3.0 MB"), "a progress line: {err}");
    (out.trim().to_owned(), image)
}

#[test]
fn a_lead_hands_evidence_over_and_the_receiver_confirms_on_the_cli() {
    let (ward, id) = ward();
    let (item, image) = add_image(&ward, &id);
    assert_eq!(item, format!("{id}-E1"));
    let lena = |args: &[&str]| ward.as_user(LENA, LENA_PASS, args);
    let sam = |args: &[&str]| ward.as_user(SAM, SAM_PASS, args);
    let list = lena(&["evidence", "list", &id]);
    assert!(list.contains(&format!("SHA-256 {}", sha256sum(Path::new(&image)))), "{list}");
    assert!(list.contains("held by Lena Lead since"), "{list}");

    // A hash from a write-blocker's report, with its tool; a bad one is named, nothing added.
    let out = lena(&[
        "evidence",
        "add",
        &id,
        "--hash",
        &"AB".repeat(32),
        "--tool",
        "Tableau TX1",
        "--what",
        "Server image",
    ]);
    assert_eq!(out.trim(), format!("{id}-E2"));
    let (code, _, err) = ward.as_user_run(
        LENA,
        LENA_PASS,
        &["evidence", "add", &id, "--hash", "abc", "--tool", "FTK", "--what", "x"],
    );
    assert_eq!(code, 1);
    assert!(
        err.contains(
            "error[invalid_input]: SHA-256: is 3 hexadecimal digits long; a SHA-256 is 64"
        ),
        "{err}"
    );
    let (code, _, err) = ward.as_user_run(
        LENA,
        LENA_PASS,
        &["evidence", "add", &id, "--hash", &"ab".repeat(32), "--what", "x"],
    );
    assert_eq!(code, 2, "clap wants the tool: {err}");
    let (code, _, err) = ward.as_user_run(
        LENA,
        LENA_PASS,
        &[
            "evidence",
            "add",
            &id,
            "--file",
            &image,
            "--hash",
            &"ab".repeat(32),
            "--tool",
            "t",
            "--what",
            "x",
        ],
    );
    assert_eq!(code, 2, "a file or a hash, not both: {err}");
    let (code, _, err) = ward.as_user_run(
        LENA,
        LENA_PASS,
        &["evidence", "add", &id, "--what", "x", "--kind", "laptop"],
    );
    assert_eq!(code, 1);
    assert!(err.contains("kind of evidence: use one of disk-image, memory-capture"), "{err}");
    let (code, _, err) = ward.as_user_run(SAM, SAM_PASS, &["evidence", "add", &id, "--what", "x"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("error[permission_denied]: only admins and incident leads may add evidence"),
        "{err}"
    );
    assert_eq!(lena(&["evidence", "list", &id, "--json"]).matches("\"description\"").count(), 2);

    // Lena hands the image to Sam: pending, in both their lists and on the form.
    let out = lena(&[
        "evidence",
        "transfer",
        &item,
        "--to",
        "sam staff",
        "--purpose",
        "imaging",
        "--condition",
        "sealed bag 114",
    ]);
    assert!(out.contains("pending until Sam Staff confirms it"), "{out}");
    assert!(lena(&["evidence", "list", &id]).contains("hand-over to Sam Staff PENDING"));
    let theirs = sam(&["evidence", "list", &id]);
    assert!(theirs.contains("PENDING") && !theirs.contains(&format!("{id}-E2")), "{theirs}");
    let form = ward.path("custody.html");
    lena(&["evidence", "form", &item, "--out", &form]);
    let html = std::fs::read_to_string(&form).unwrap();
    assert!(html.contains("PENDING: Sam Staff has not confirmed it"), "{html}");
    assert!(
        html.contains("Activity log ") && html.contains("the checkpoint below covers all of them"),
        "{html}"
    );
    let (code, _, err) = ward.as_user_run(LENA, LENA_PASS, &["evidence", "confirm", &item]);
    assert_eq!(code, 1);
    assert!(err.contains("only the person it is addressed to may confirm this hand-over"), "{err}");

    // Sam confirms under his own unlock, checks the file, and it matches; a changed file
    // does not (a non-zero exit), and both checks are logged.
    assert!(
        sam(&["evidence", "confirm", &item, "--condition", "seal intact"])
            .contains("Sam Staff holds")
    );
    let out = sam(&["evidence", "verify", &item, "--file", &image]);
    assert!(out.contains("the file matches"), "{out}");
    let mut f = std::fs::OpenOptions::new().write(true).open(&image).unwrap();
    f.write_all(b"X").unwrap();
    drop(f);
    let (code, _, err) =
        ward.as_user_run(SAM, SAM_PASS, &["evidence", "verify", &item, "--file", &image]);
    assert_eq!(code, 1);
    assert!(
        err.contains(&format!(
            "error[evidence_mismatch]: the file does not match evidence item {item}"
        )),
        "{err}"
    );
    let list = lena(&["evidence", "list", &id]);
    assert!(list.contains("held by Sam Staff") && list.contains("DOES NOT MATCH"), "{list}");
    lena(&["evidence", "form", &item, "--out", &form]);
    let html = std::fs::read_to_string(&form).unwrap();
    assert!(html.contains("Confirmed by Sam Staff at") && html.contains("seal intact"), "{html}");

    // The lead records how it got in; the summary says so.
    lena(&["evidence", "findings", &id, "--how-it-got-in", "Phishing email to the ward clerk"]);
    let summary = lena(&["evidence", "summary", &id]);
    assert!(summary.contains("how it got in: Phishing email to the ward clerk"), "{summary}");
    assert!(
        summary.contains("evidence: 2 items, 0 hand-overs pending; DOES NOT MATCH: "),
        "{summary}"
    );

    // The HICS 214 shows the hand-over; the log (and so the chain) verifies.
    let hics = ward.path("hics.html");
    lena(&["incident", "export", &id, "--format", "html", "--out", &hics]);
    let hics = std::fs::read_to_string(&hics).unwrap();
    assert!(
        hics.contains(&format!(
            "Evidence handed over: {item} from Lena Lead to Sam Staff for imaging"
        )),
        "{hics}"
    );
    let bundle = ward.path("log.jsonl");
    lena(&["log", "export", "--out", &bundle]);
    let (code, out, err) = run(caregiver(ward.tmp.path()).args(["log", "verify", &bundle]));
    assert_eq!(code, 0, "{out}{err}");
}

/// One entry of a bundle, as JSON.
fn lines_of(bundle: &str) -> Vec<Value> {
    bundle.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

#[test]
fn a_custody_entry_changed_or_removed_is_seen() {
    let (ward, id) = ward();
    let (item, _) = add_image(&ward, &id);
    ward.as_user(
        LENA,
        LENA_PASS,
        &["evidence", "transfer", &item, "--to", SAM, "--purpose", "imaging"],
    );
    ward.as_user(SAM, SAM_PASS, &["evidence", "confirm", &item]);
    let seq = |kind: &str| -> i64 {
        let bundle = ward.path("probe.jsonl");
        ward.as_user(LENA, LENA_PASS, &["log", "export", "--out", &bundle]);
        let text = std::fs::read_to_string(&bundle).unwrap();
        lines_of(&text).iter().find(|l| l["kind"] == kind).unwrap()["seq"].as_i64().unwrap()
    };
    let (transfer, confirm) = (seq("custody_transferred"), seq("custody_confirmed"));

    // 1. An edited bundle: the hand-over now names someone else. The chain breaks.
    let bundle = ward.path("log.jsonl");
    ward.as_user(LENA, LENA_PASS, &["log", "export", "--out", &bundle]);
    let text = std::fs::read_to_string(&bundle).unwrap();
    let edited = text.replace("\"to\":\"Sam Staff\"", "\"to\":\"Ivy Insider\"");
    assert_ne!(edited, text);
    std::fs::write(&bundle, edited).unwrap();
    let (code, _, err) = run(caregiver(ward.tmp.path()).args(["log", "verify", &bundle]));
    assert_ne!(code, 0);
    assert!(err.contains("error[log_broken]"), "{err}");
    // ... and a bundle without the confirmation line breaks it too.
    let cut: Vec<&str> =
        text.lines().filter(|l| !l.contains("\"kind\":\"custody_confirmed\"")).collect();
    std::fs::write(&bundle, cut.join("\n") + "\n").unwrap();
    let (code, _, err) = run(caregiver(ward.tmp.path()).args(["log", "verify", &bundle]));
    assert_ne!(code, 0);
    assert!(err.contains("error[log_broken]"), "{err}");

    // 2. In the store, the hand-over's sealed bytes swapped for another entry's: it no
    // longer opens, and the custody cannot be read as if it had not happened.
    let conn = ward.conn();
    let original: Vec<u8> = conn
        .query_row("SELECT sealed FROM log_entries WHERE seq = ?1", [transfer], |r| r.get(0))
        .unwrap();
    conn.execute(
        "UPDATE log_entries SET sealed = (SELECT sealed FROM log_entries WHERE seq = ?1) WHERE seq = ?2",
        params![transfer - 1, transfer],
    )
    .unwrap();
    let (code, _, err) = ward.as_user_run(LENA, LENA_PASS, &["evidence", "list", &id]);
    assert_ne!(code, 0);
    assert!(
        err.contains(&format!(
            "error[log_broken]: the activity log does not verify: entry {transfer} in the store failed its integrity check"
        )),
        "{err}"
    );

    // 3. The entry put back, the confirmation deleted (the log's guard dropped and put
    // back as it was): the store's state says the log was longer, so nothing is read.
    conn.execute("UPDATE log_entries SET sealed = ?1 WHERE seq = ?2", params![original, transfer])
        .unwrap();
    let list = ward.as_user(LENA, LENA_PASS, &["evidence", "list", &id]);
    assert!(list.contains("held by Sam Staff"), "whole again: {list}");
    let triggers: Vec<(String, String)> = conn
        .prepare(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'log_entries'",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(conn.execute("DELETE FROM log_entries WHERE seq = ?1", [confirm]).is_err());
    for (name, _) in &triggers {
        conn.execute_batch(&format!("DROP TRIGGER {name}")).unwrap();
    }
    conn.execute("DELETE FROM log_entries WHERE seq >= ?1", [confirm]).unwrap();
    for (_, sql) in &triggers {
        conn.execute_batch(sql).unwrap();
    }
    drop(conn);
    let (code, _, err) = ward.as_user_run(LENA, LENA_PASS, &["evidence", "list", &id]);
    assert_ne!(code, 0);
    assert!(err.contains("error[store_tampered]") && err.contains("the activity log has"), "{err}");
}

/// An insider who holds the main key (any staff member's passphrase opens it) re-seals the
/// item's record with another SHA-256: the record no longer matches its log entry.
#[test]
fn an_evidence_record_re_sealed_by_an_insider_is_seen() {
    let (ward, id) = ward();
    let (item, _) = add_image(&ward, &id);
    let conn = ward.conn();
    let sam = Insider::open(&conn, SAM, SAM_PASS);
    let main = sam.main_key(&conn);
    let (record_id, version, sealed): (String, i64, Vec<u8>) = conn
        .query_row(
            "SELECT record_id, version, sealed FROM records WHERE kind = 'evidence'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    let at = |version| Binding { domain: "record", table: "evidence", row: &record_id, version };
    let mut doc: Value =
        serde_json::from_slice(&main.open(&at(version), &sealed).unwrap()).unwrap();
    assert_eq!(doc["id"], item);
    doc["hash"]["sha256"] = Value::String("00".repeat(32));
    let mut plain = serde_json::to_vec(&doc).unwrap();
    plain.resize(plain.len().div_ceil(64) * 64, b' ');
    let forged = main.seal(&at(version + 1), &plain).unwrap();
    conn.execute(
        "UPDATE records SET version = ?1, sealed = ?2 WHERE record_id = ?3",
        params![version + 1, forged, record_id],
    )
    .unwrap();
    rewrite_as_key_holder(&conn, Scope::Main, &main).unwrap();
    drop(conn);
    for args in [vec!["evidence", "list", &id], vec!["evidence", "form", &item, "--out", "x.html"]]
    {
        let (code, _, err) = ward.as_user_run(LENA, LENA_PASS, &args);
        assert_eq!(code, 1, "{args:?}");
        assert!(
            err.contains(&format!("error[record_damaged]: the evidence item {item} (it is not what the activity log recorded) failed its integrity check")),
            "{err}"
        );
    }
    let (code, _, _) = ward.as_user_run(ADMIN, ADMIN_PASS, &["evidence", "summary", &id]);
    assert_eq!(code, 1);
}

/// A 1 GiB file (sparse, with data written at its start, across its middle and at an
/// unaligned end) hashes to what `sha256sum` says, through the streaming hasher the CLI
/// uses; and a small file of every byte value does too.
#[test]
fn a_1_gib_file_hashes_as_sha256sum_does() {
    let tmp = tempfile::tempdir().unwrap();
    let small = tmp.path().join("small.bin");
    std::fs::write(&small, (0..=255u8).cycle().take(1_000_003).collect::<Vec<u8>>()).unwrap();
    let path = tmp.path().join("large.img");
    let size: u64 = (1 << 30) + 12_345;
    let mut f = std::fs::File::create(&path).unwrap();
    f.set_len(size).unwrap();
    let block: Vec<u8> = (0..3 * 1024 * 1024 + 7).map(|i: u32| (i ^ (i >> 7)) as u8).collect();
    for at in [0, (1 << 29) - 1_000, size - block.len() as u64] {
        f.seek(SeekFrom::Start(at)).unwrap();
        f.write_all(&block).unwrap();
    }
    drop(f);
    for file in [&small, &path] {
        let started = std::time::Instant::now();
        let mut calls = 0u64;
        let ours = caregiver::app::App::hash_file(file, |_| calls += 1).unwrap();
        let took = started.elapsed();
        let theirs = sha256sum(file);
        assert_eq!(ours.sha256, theirs, "{}", file.display());
        assert_eq!(ours.bytes, std::fs::metadata(file).unwrap().len());
        eprintln!("{}: {} bytes in {took:?}, {calls} progress calls", file.display(), ours.bytes);
    }
}
