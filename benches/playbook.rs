//! Library search over 10,000 generated steps (`cargo bench --bench playbook`).
//!
//! The pack is the default one copied (with new ids) until it holds 10,000 steps. Criterion
//! measures each query's mean; the end of the run prints the p95 of every query over
//! repeated searches, against the 5 ms target.

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
