//! Library search over 10,000 generated steps (`cargo bench --bench playbook`), and loading
//! the playbooks in force from a signed pack.
//!
//! The pack is the default one copied (with new ids) until it holds 10,000 steps. Criterion
//! measures each query's mean; the end of the run prints the p95 of every query over
//! repeated searches, against the 5 ms target. Then: a load of the playbooks in force from
//! an imported signed pack in a real store (its signature and every file's SHA-256 checked,
//! every playbook parsed: once per pack), against parsing the same files alone (what a
//! load did before packs were kept signed), and a call that finds the load cached.

// A benchmark has no caller to report an error to: a failed setup must stop the run loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use caregiver::playbook::view::SearchIndex;
use caregiver::playbook::{Playbook, embedded};
use criterion::Criterion;

const QUERIES: &[&str] =
    &["ransom", "ehr down", "clicked a link", "laptop stolen", "call the service desk", "zzzz"];
const STEPS: usize = 10_000;

fn generated_pack() -> Vec<Playbook> {
    let base = embedded().unwrap();
    let mut out = Vec::new();
    let mut steps = 0;
    let mut copy = 0;
    while steps < STEPS {
        for p in &base {
            if steps >= STEPS {
                break;
            }
            let mut p = p.clone();
            p.id = format!("{}-{copy}", p.id);
            p.title = format!("{} ({copy})", p.title);
            steps += p.steps.len();
            out.push(p);
        }
        copy += 1;
    }
    out
}

fn main() {
    load_summary();
    let pack = generated_pack();
    let steps: usize = pack.iter().map(|p| p.steps.len()).sum();
    let started = Instant::now();
    let index = SearchIndex::new(&pack);
    let build = started.elapsed();

    let mut c = Criterion::default()
        .sample_size(30)
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_millis(500))
        .configure_from_args();
    let mut group = c.benchmark_group("playbook_search");
    for q in QUERIES {
        group.bench_function(*q, |b| b.iter(|| black_box(index.search(black_box(q)))));
    }
    group.finish();
    c.final_summary();

    println!("\n== playbook search summary ==");
    println!(
        "{} playbooks, {steps} steps; index built in {:.1} ms",
        pack.len(),
        build.as_secs_f64() * 1e3
    );
    for q in QUERIES {
        let mut times: Vec<Duration> = (0..200)
            .map(|_| {
                let t = Instant::now();
                black_box(index.search(black_box(q)));
                t.elapsed()
            })
            .collect();
        times.sort();
        let p95 = times[times.len() * 95 / 100];
        let hits = index.search(q).len();
        let verdict = if p95 < Duration::from_millis(5) { "met" } else { "MISSED" };
        println!(
            "search {q:?}: p95 {:.2} ms (target < 5 ms: {verdict}), median {:.2} ms, {hits} hits",
            p95.as_secs_f64() * 1e3,
            times[times.len() / 2].as_secs_f64() * 1e3
        );
    }
}

/// Median of `n` timed runs of `f`.
fn median(n: usize, mut f: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..n)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    times.sort();
    times[times.len() / 2]
}

fn load_summary() {
    use caregiver::app::{App, SystemClock, library};
    use caregiver::playbook::pack::{self, PackedPlaybook};

    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("pack");
    std::fs::create_dir(&dir).unwrap();
    let defaults = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("playbooks");
    let mut files = Vec::new();
    for entry in std::fs::read_dir(&defaults).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".toml") {
            let text = std::fs::read_to_string(entry.path()).unwrap();
            std::fs::write(dir.join(&name), &text).unwrap();
            files.push(PackedPlaybook { file: name, text });
        }
    }
    let clock = SystemClock::shared();
    let (key, public) = library::new_pack_key().unwrap();
    let (_, signed) = library::sign_pack(&dir, &key, Some(1), 365, clock.now()).unwrap();
    let store = tmp.path().join("store.db");
    let pass = b"correct horse battery staple";
    let mut app = App::new(store, clock, Instant::now());
    app.setup("Ada Admin", pass, Instant::now()).unwrap();
    app.trust_pack_key(&public).unwrap();
    app.import_pack(&signed).unwrap();

    let parse = median(50, || {
        black_box(pack::in_force(black_box(&files)).unwrap());
    });
    let key_bytes = pack::read_public_key(&public).unwrap();
    let now = app.now();
    let verify = median(50, || {
        black_box(pack::verify(black_box(&signed), &key_bytes, now).unwrap());
    });
    // A load: the cache is dropped by an import; here by locking and unlocking, timed
    // apart from the unlock.
    let mut loads = Vec::new();
    for _ in 0..10 {
        app.lock();
        app.unlock("Ada Admin", pass, Instant::now()).unwrap();
        let t = Instant::now();
        black_box(app.in_force().unwrap());
        loads.push(t.elapsed());
    }
    loads.sort();
    let load = loads[loads.len() / 2];
    let cached = median(500, || {
        black_box(app.in_force().unwrap());
    });
    println!(
        "\n== loading the playbooks in force ({} files, {} bytes signed) ==",
        files.len(),
        signed.len()
    );
    println!(
        "parse the files over the built-in pack (the load before signed packs): {:.2} ms",
        parse.as_secs_f64() * 1e3
    );
    println!(
        "verify the signed pack (Ed25519, SHA-256 of each file, parse): {:.2} ms",
        verify.as_secs_f64() * 1e3
    );
    println!(
        "load in force from the store (read, verify, parse, merge): {:.2} ms, once per pack",
        load.as_secs_f64() * 1e3
    );
    println!(
        "in force when cached (two clear versions read): {:.3} ms per call",
        cached.as_secs_f64() * 1e3
    );
}
