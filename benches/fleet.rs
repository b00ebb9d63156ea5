//! The fleet simulation (`cargo bench --bench fleet`; issue 22): a fleet folder of
//! workstations, each with its key, its status and its signed log published as segments the
//! way `caregiver fleet publish` writes them, collected by the real `caregiver fleet collect`
//! into a fresh admin's store, in a child process whose time and peak memory are measured.
//!
//! - 500 workstations of 2,000 entries each (target: collected in under 60 s);
//! - the same per workstation with 100 workstations, for the peak memory (target: flat in
//!   the number of workstations: collecting streams one segment at a time);
//! - the baseline, in the same run: `sha256sum` of every segment file of the 500, the cost
//!   of only reading the bytes once;
//! - collecting the 500 again (nothing new: one listing per workstation, no segment read).
//!
//! `cargo bench --bench fleet -- 50 200` runs with 50 and 200 workstations instead.

// A benchmark has no caller to report an error to: a failed setup must stop the run loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use caregiver::contacts::calltree::Outcome;
use caregiver::events::Event;
use caregiver::fleet::{Status, segment_name};
use caregiver::log::{
    Author, DeviceKey, GENESIS, LogSigner, Position, entry_line, kind_and_payload, line_hash,
};
use caregiver::store::CHECKPOINT_EVERY;

/// Entries per workstation.
const ENTRIES: u64 = 2_000;
/// Entries per segment: a publish every few minutes brings a few dozen to a few hundred.
const PER_SEGMENT: u64 = 200;
const ADMIN: &str = "Ada Admin";
const PASSPHRASE: &str = "correct horse battery staple";

/// The kinds a ward's log holds most, as the app writes them.
fn entry(seq: u64) -> (String, serde_json::Value) {
    let event = match seq % 4 {
        0 => Event::Note { text: format!("{seq}: downtime binder in use on ward 4") },
        1 => Event::StepDone { step: format!("step-{}", seq % 20) },
        2 => Event::CallMade {
            contact: "c12".into(),
            name: "Biomed on call".into(),
            outcome: Outcome::Reached,
        },
        _ => Event::TrainingAcknowledged {
            module: "downtime-procedures".into(),
            score: None,
            title: "Downtime procedures".into(),
            version: 1,
        },
    };
    kind_and_payload(&event).unwrap()
}

/// Writes one workstation's folder: `key.pem`, `status.json` and its segments, each opening
/// (after the first) with the signed checkpoint that closed the one before. Returns the
/// segment files.
fn write_workstation(fleet: &Path, n: usize) -> Vec<PathBuf> {
    let (key, _) = DeviceKey::generate().unwrap();
    let seed = caregiver::crypto::SecretKey::generate().unwrap();
    let person = LogSigner::from_seed(&seed, key.log_id()).unwrap();
    let signer =
        serde_json::to_string(&key.certify(&format!("Nurse {n}"), person.public())).unwrap();
    let folder = fleet.join(key.log_id());
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(folder.join("key.pem"), key.public().pem()).unwrap();
    let now = chrono::Utc::now();
    let status =
        Status { log: key.log_id().into(), published: now, entries: ENTRIES, pack_version: None };
    std::fs::write(folder.join("status.json"), serde_json::to_vec(&status).unwrap()).unwrap();
    let mut head = GENESIS.to_owned();
    let mut opening: Option<String> = None;
    let mut files = Vec::new();
    for first in (1..=ENTRIES).step_by(PER_SEGMENT as usize) {
        let last = (first + PER_SEGMENT - 1).min(ENTRIES);
        let path = folder.join(segment_name(first, last));
        let mut out = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        writeln!(out, "{}", key.header_line()).unwrap();
        writeln!(out, "{signer}").unwrap();
        if let Some(cp) = &opening {
            writeln!(out, "{cp}").unwrap();
        }
        for seq in first..=last {
            let at = Position { log: key.log_id(), seq, prev: &head };
            let time = now - chrono::Duration::seconds((ENTRIES - seq) as i64 * 60);
            let by = Author { actor: &format!("Nurse {n}"), role: "clinician", time };
            let (kind, payload) = entry(seq);
            let line = entry_line(at, by, None, &kind, &payload, None).unwrap();
            head = line_hash(&line);
            writeln!(out, "{line}").unwrap();
            if seq % CHECKPOINT_EVERY == 0 && seq != last {
                let cp = serde_json::to_string(&person.checkpoint(seq, &head)).unwrap();
                writeln!(out, "{cp}").unwrap();
            }
        }
        let cp = serde_json::to_string(&person.checkpoint(last, &head)).unwrap();
        writeln!(out, "{cp}").unwrap();
        out.flush().unwrap();
        opening = Some(cp);
        files.push(path);
    }
    files
}

/// A fleet folder of `workstations`, written on both cores. Returns every segment file.
fn write_fleet(fleet: &Path, workstations: usize) -> Vec<PathBuf> {
    std::fs::create_dir_all(fleet).unwrap();
    let half = workstations / 2;
    std::thread::scope(|s| {
        let a = s.spawn(|| (0..half).flat_map(|n| write_workstation(fleet, n)).collect::<Vec<_>>());
        let mut files: Vec<PathBuf> =
            (half..workstations).flat_map(|n| write_workstation(fleet, n)).collect();
        files.extend(a.join().unwrap());
        files
    })
}

fn caregiver(tmp: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_caregiver"));
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", tmp.join("home"))
        .env("CAREGIVER_DATA_DIR", tmp.join("data"))
        .env("CAREGIVER_MANAGED_DIR", tmp.join("managed"))
        .env("LANG", "C.UTF-8");
    cmd
}

/// A fresh admin's store, made with the CLI.
fn admin_store(tmp: &Path, name: &str) -> PathBuf {
    let store = tmp.join(format!("{name}.db"));
    let pass = tmp.join("pass");
    std::fs::write(&pass, PASSPHRASE).unwrap();
    let status = caregiver(tmp)
        .arg("--store")
        .arg(&store)
        .args(["init", "--admin", ADMIN, "--passphrase-file"])
        .arg(&pass)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    store
}

/// What one collection measured.
struct Collected {
    took: Duration,
    peak_kib: i64,
    imported: u64,
    refused: usize,
}

/// Runs `caregiver fleet collect` in a child of a child of this process, so the peak
/// resident memory read (its waited children's) is that collection's alone.
fn collect(tmp: &Path, store: &Path, fleet: &Path) -> Collected {
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["--collect-child", tmp.to_str().unwrap(), store.to_str().unwrap()])
        .arg(fleet)
        .stderr(Stdio::inherit())
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let mut parts = text.split_whitespace().map(|p| p.parse::<f64>().unwrap());
    let mut next = || parts.next().unwrap();
    Collected {
        took: Duration::from_secs_f64(next()),
        peak_kib: next() as i64,
        imported: next() as u64,
        refused: next() as usize,
    }
}

/// The child: runs the collection, prints "seconds peak_kib imported refused".
fn collect_child(tmp: &Path, store: &Path, fleet: &Path) {
    let start = Instant::now();
    let out = caregiver(tmp)
        .arg("--store")
        .arg(store)
        .args(["--user", ADMIN, "--passphrase-file"])
        .arg(tmp.join("pass"))
        .args(["fleet", "collect"])
        .arg(fleet)
        .arg("--json")
        .stderr(Stdio::inherit())
        .output()
        .unwrap();
    let took = start.elapsed();
    assert!(out.status.success());
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let peak = nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_CHILDREN)
        .unwrap()
        .max_rss();
    let all = report["workstations"].as_array().unwrap();
    let imported: u64 = all.iter().map(|w| w["imported"].as_u64().unwrap()).sum();
    let refused: usize = all.iter().map(|w| w["refused"].as_array().unwrap().len()).sum();
    println!("{} {peak} {imported} {refused}", took.as_secs_f64());
}

fn sha256sum_all(files: &[PathBuf]) -> Duration {
    let start = Instant::now();
    for chunk in files.chunks(500) {
        let status = Command::new("sha256sum").args(chunk).stdout(Stdio::null()).status().unwrap();
        assert!(status.success());
    }
    start.elapsed()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--list" || a == "--test") {
        return; // cargo test --benches / --list: nothing to measure
    }
    if let Some(i) = args.iter().position(|a| a == "--collect-child") {
        let p = |k: usize| PathBuf::from(&args[i + k]);
        return collect_child(&p(1), &p(2), &p(3));
    }
    let sizes: Vec<usize> = args.iter().skip(1).filter_map(|a| a.parse().ok()).collect();
    let (small, large) = match sizes[..] {
        [a, b] => (a, b),
        _ => (100, 500),
    };
    let tmp = tempfile::tempdir().unwrap();
    let tmp = tmp.path();
    println!("== fleet benchmark: {small} and {large} workstations x {ENTRIES} entries ==");
    let t = Instant::now();
    let small_fleet = tmp.join("fleet-small");
    write_fleet(&small_fleet, small);
    let large_fleet = tmp.join("fleet-large");
    let files = write_fleet(&large_fleet, large);
    let bytes: u64 = files.iter().map(|f| std::fs::metadata(f).unwrap().len()).sum();
    println!(
        "written: {} segments, {:.0} MB in the large folder ({:.1} s to make both)",
        files.len(),
        bytes as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );

    let small_run = collect(tmp, &admin_store(tmp, "small"), &small_fleet);
    let store = admin_store(tmp, "large");
    let large_run = collect(tmp, &store, &large_fleet);
    let again = collect(tmp, &store, &large_fleet);
    let baseline = sha256sum_all(&files);
    for (w, run) in [(small, &small_run), (large, &large_run)] {
        assert_eq!(run.refused, 0);
        assert_eq!(run.imported, w as u64 * ENTRIES);
    }
    assert_eq!(again.imported, 0);
    let entries = large as u64 * ENTRIES;
    println!(
        "collect {large} x {ENTRIES} = {entries} entries: {:.1} s ({:.0} entries/s; target < 60 s: {}); sha256sum of the same segments: {:.2} s; ratio {:.0}x",
        large_run.took.as_secs_f64(),
        entries as f64 / large_run.took.as_secs_f64(),
        if large_run.took < Duration::from_secs(60) { "met" } else { "MISSED" },
        baseline.as_secs_f64(),
        large_run.took.as_secs_f64() / baseline.as_secs_f64()
    );
    println!(
        "collect {small} x {ENTRIES}: {:.1} s; time per entry {large} vs {small} workstations: {:.2}x",
        small_run.took.as_secs_f64(),
        (large_run.took.as_secs_f64() / large as f64)
            / (small_run.took.as_secs_f64() / small as f64)
    );
    println!(
        "peak memory of `caregiver fleet collect`: {small} workstations {} KiB, {large} workstations {} KiB ({:.2}x for {:.0}x the workstations)",
        small_run.peak_kib,
        large_run.peak_kib,
        large_run.peak_kib as f64 / small_run.peak_kib as f64,
        large as f64 / small as f64
    );
    println!(
        "collect the {large} again (nothing new): {:.2} s, peak {} KiB; the admin's store: {:.0} MB",
        again.took.as_secs_f64(),
        again.peak_kib,
        std::fs::metadata(&store).unwrap().len() as f64 / 1e6
    );
}
