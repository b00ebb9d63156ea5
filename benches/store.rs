//! Criterion benchmarks of the encrypted store (`cargo bench --bench store`).
//!
//! Four groups, each pairing the sealed store with a plain rusqlite baseline measured in the
//! same run (see `benches/README.md` for the method and how to read the summary):
//!
//! - `store_unlock`: PBKDF2 alone, `Store::open` alone, and `Store::open` + `unlock`.
//! - `store_put_single`: one durable auto-committed row per iteration.
//! - `store_put_batch`: 100 rows in one transaction per iteration.
//! - `store_read`: all 1,000 rows of a kind, deserialised.
//!
//! Sealed and plain of a pair alternate: every timed operation of one side is preceded by an
//! untimed operation of the other, so both see the same disk, page cache and WAL state.
//! At the end `main` prints the sealed/plain throughput ratios and the unlock split, computed
//! from the estimates Criterion has just written.

// A benchmark has no caller to report an error to: a failed setup must stop the run loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use caregiver::crypto::{PBKDF2_ITERATIONS, SALT_LEN, SecretKey};
use caregiver::store::{Kind, Session, Store};
use criterion::{Criterion, SamplingMode, Throughput};
use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};
use tempfile::TempDir;

const ADMIN: &str = "Bench Admin";
const PASSPHRASE: &[u8] = b"correct horse battery staple";
const BATCH: u64 = 100;
const READ_ROWS: u64 = 1_000;

const GROUP_UNLOCK: &str = "store_unlock";
const GROUP_SINGLE: &str = "store_put_single";
const GROUP_BATCH: &str = "store_put_batch";
const GROUP_READ: &str = "store_read";

/// An incident note as the app keeps it: about 200 bytes of text, a time and an author.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Note {
    at: String,
    author: String,
    text: String,
}

fn sample_note() -> Note {
    Note {
        at: "2025-03-14T09:26:53Z".into(),
        author: "Charge nurse, ward 4B".into(),
        text: "EHR down since 09:10. Switched ward 4B to paper charts and downtime MAR. \
               Pharmacy informed by phone; next medication round at 10:00 from the printed \
               list. Lab results come by runner. Bed 12 transfer held until systems return."
            .into(),
    }
}

fn note_id(n: u64) -> String {
    format!("note-{n:010}")
}

// ---------------------------------------------------------------------------------------
// The plain baseline: the same table shape in its own SQLite file, the same pragmas.

/// The plain twin of the store's `records` table (same columns, constraints and index), with
/// the JSON in the clear.
const PLAIN_SCHEMA: &str = "
CREATE TABLE records (
  record_id TEXT PRIMARY KEY,
  kind      TEXT NOT NULL,
  scope     TEXT NOT NULL CHECK (scope IN ('main', 'ward')),
  version   INTEGER NOT NULL,
  body      BLOB NOT NULL
) STRICT;
CREATE INDEX records_by_kind ON records (kind);";

const PLAIN_INSERT: &str =
    "INSERT INTO records (record_id, kind, scope, version, body) VALUES (?1, ?2, ?3, ?4, ?5)";

const PLAIN_SELECT: &str =
    "SELECT record_id, version, body FROM records WHERE kind = ?1 ORDER BY record_id";

/// Opens a plain database with exactly the pragmas the store's `connect` sets.
fn plain_db(dir: &Path) -> Connection {
    let conn = Connection::open(dir.join("plain.db")).unwrap();
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0)).unwrap();
    assert!(mode.eq_ignore_ascii_case("wal"), "journal mode is {mode}");
    conn.execute_batch(
        "PRAGMA synchronous = FULL; PRAGMA temp_store = MEMORY; PRAGMA secure_delete = ON; \
         PRAGMA foreign_keys = ON;",
    )
    .unwrap();
    conn.execute_batch(PLAIN_SCHEMA).unwrap();
    conn
}

/// A fresh store with its admin unlocked, in `dir`.
fn sealed_store(dir: &Path) -> Session {
    let (session, _recovery) = Store::create(&dir.join("store.db"), ADMIN, PASSPHRASE).unwrap();
    session
}

/// One sealed store and one plain database side by side in one temp dir (so on one
/// filesystem), with a counter for fresh record ids on each side.
struct Pair {
    session: Session,
    plain: Connection,
    note: Note,
    next_sealed: u64,
    next_plain: u64,
    _dir: TempDir,
}

impl Pair {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        Pair {
            session: sealed_store(dir.path()),
            plain: plain_db(dir.path()),
            note: sample_note(),
            next_sealed: 0,
            next_plain: 0,
            _dir: dir,
        }
    }

    fn sealed_put(&mut self) {
        self.next_sealed += 1;
        let id = note_id(self.next_sealed);
        black_box(self.session.put(Kind::IncidentNote, &id, &self.note).unwrap());
    }

    /// What a fair plain app does: serialise, then one auto-committed INSERT.
    fn plain_put(&mut self) {
        self.next_plain += 1;
        let id = note_id(self.next_plain);
        let body = serde_json::to_vec(&self.note).unwrap();
        let mut stmt = self.plain.prepare_cached(PLAIN_INSERT).unwrap();
        black_box(stmt.execute(params![id, "incident_note", "main", 1_i64, body]).unwrap());
    }

    fn sealed_batch(&mut self) {
        let ids: Vec<String> =
            (self.next_sealed + 1..=self.next_sealed + BATCH).map(note_id).collect();
        self.next_sealed += BATCH;
        let note = &self.note;
        self.session
            .put_many(Kind::IncidentNote, ids.iter().map(|id| (id.as_str(), note)))
            .unwrap();
    }

    fn plain_batch(&mut self) {
        let ids: Vec<String> =
            (self.next_plain + 1..=self.next_plain + BATCH).map(note_id).collect();
        self.next_plain += BATCH;
        let tx = self.plain.transaction().unwrap();
        {
            let mut stmt = tx.prepare_cached(PLAIN_INSERT).unwrap();
            for id in &ids {
                let body = serde_json::to_vec(&self.note).unwrap();
                stmt.execute(params![id, "incident_note", "main", 1_i64, body]).unwrap();
            }
        }
        tx.commit().unwrap();
    }

    fn sealed_list(&mut self) {
        let records = self.session.list::<Note>(Kind::IncidentNote).unwrap();
        assert_eq!(records.len() as u64, READ_ROWS);
        black_box(records);
    }

    fn plain_list(&mut self) {
        let mut stmt = self.plain.prepare_cached(PLAIN_SELECT).unwrap();
        let rows = stmt
            .query_map(["incident_note"], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get::<_, Vec<u8>>(2)?))
            })
            .unwrap();
        let mut records = Vec::new();
        for row in rows {
            let (id, version, body) = row.unwrap();
            let note: Note = serde_json::from_slice(&body).unwrap();
            records.push((id, version, note));
        }
        assert_eq!(records.len() as u64, READ_ROWS);
        black_box(records);
    }
}

/// Runs `iters` iterations of `timed`, each just after an untimed run of `partner` (the
/// other side of the pair), and returns the time spent in `timed` alone.
fn alternating<S>(
    state: &mut S,
    iters: u64,
    timed: fn(&mut S) -> Duration,
    partner: fn(&mut S) -> Duration,
) -> Duration {
    let mut total = Duration::ZERO;
    for _ in 0..iters {
        partner(state);
        total += timed(state);
    }
    total
}

/// Times one call of `op` on `state`.
fn time_one<S>(state: &mut S, op: fn(&mut S)) -> Duration {
    let start = Instant::now();
    op(state);
    start.elapsed()
}

/// A store made once, unlocked again and again.
struct Unlock {
    path: PathBuf,
    salt: [u8; SALT_LEN],
    _dir: TempDir,
}

impl Unlock {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.db");
        drop(sealed_store(dir.path()));
        Unlock { path, salt: [7u8; SALT_LEN], _dir: dir }
    }

    fn derive_key(&mut self) -> Duration {
        let start = Instant::now();
        let key = SecretKey::from_passphrase(black_box(PASSPHRASE), &self.salt, PBKDF2_ITERATIONS);
        let elapsed = start.elapsed();
        drop(black_box(key));
        elapsed
    }

    /// Closing the store (and SQLite's checkpoint on close) is left out of the timing.
    fn open_and_unlock(&mut self) -> Duration {
        let start = Instant::now();
        let session = Store::open(&self.path).unwrap().unlock(ADMIN, PASSPHRASE).unwrap();
        let elapsed = start.elapsed();
        drop(black_box(session));
        elapsed
    }

    fn open_only(&mut self) -> Duration {
        let start = Instant::now();
        let store = Store::open(&self.path).unwrap();
        let elapsed = start.elapsed();
        drop(black_box(store));
        elapsed
    }
}

// ---------------------------------------------------------------------------------------
// The groups.

fn bench_unlock(c: &mut Criterion) {
    let mut unlock = Unlock::new();
    let mut group = c.benchmark_group(GROUP_UNLOCK);
    // Each iteration takes a good part of a second: few samples, one flat batch each.
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    group.bench_function("derive_key", |b| {
        b.iter_custom(|iters| {
            alternating(&mut unlock, iters, Unlock::derive_key, Unlock::open_and_unlock)
        })
    });
    group.bench_function("open_and_unlock", |b| {
        b.iter_custom(|iters| {
            alternating(&mut unlock, iters, Unlock::open_and_unlock, Unlock::derive_key)
        })
    });
    // Small next to the rest: alone, not alternated.
    group.sample_size(20).measurement_time(Duration::from_secs(2));
    group.bench_function("open_only", |b| {
        b.iter_custom(|iters| (0..iters).map(|_| unlock.open_only()).sum())
    });
    group.finish();
}

fn bench_put_single(c: &mut Criterion) {
    let mut pair = Pair::new();
    let mut group = c.benchmark_group(GROUP_SINGLE);
    group
        .throughput(Throughput::Elements(1))
        .sample_size(30)
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(10));
    group.bench_function("sealed", |b| {
        b.iter_custom(|iters| {
            alternating(
                &mut pair,
                iters,
                |p| time_one(p, Pair::sealed_put),
                |p| time_one(p, Pair::plain_put),
            )
        })
    });
    group.bench_function("plain", |b| {
        b.iter_custom(|iters| {
            alternating(
                &mut pair,
                iters,
                |p| time_one(p, Pair::plain_put),
                |p| time_one(p, Pair::sealed_put),
            )
        })
    });
    group.finish();
}

fn bench_put_batch(c: &mut Criterion) {
    let mut pair = Pair::new();
    let mut group = c.benchmark_group(GROUP_BATCH);
    group
        .throughput(Throughput::Elements(BATCH))
        .sample_size(30)
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(10));
    group.bench_function("sealed", |b| {
        b.iter_custom(|iters| {
            alternating(
                &mut pair,
                iters,
                |p| time_one(p, Pair::sealed_batch),
                |p| time_one(p, Pair::plain_batch),
            )
        })
    });
    group.bench_function("plain", |b| {
        b.iter_custom(|iters| {
            alternating(
                &mut pair,
                iters,
                |p| time_one(p, Pair::plain_batch),
                |p| time_one(p, Pair::sealed_batch),
            )
        })
    });
    group.finish();
}

fn bench_read(c: &mut Criterion) {
    let mut pair = Pair::new();
    for _ in 0..READ_ROWS / BATCH {
        pair.sealed_batch();
        pair.plain_batch();
    }
    let mut group = c.benchmark_group(GROUP_READ);
    group
        .throughput(Throughput::Elements(READ_ROWS))
        .sample_size(30)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(6));
    group.bench_function("sealed", |b| {
        b.iter_custom(|iters| {
            alternating(
                &mut pair,
                iters,
                |p| time_one(p, Pair::sealed_list),
                |p| time_one(p, Pair::plain_list),
            )
        })
    });
    group.bench_function("plain", |b| {
        b.iter_custom(|iters| {
            alternating(
                &mut pair,
                iters,
                |p| time_one(p, Pair::plain_list),
                |p| time_one(p, Pair::sealed_list),
            )
        })
    });
    group.finish();
}

// ---------------------------------------------------------------------------------------
// The summary, from the estimates Criterion wrote in this run.

/// Where Criterion writes its results: the same order of preference as Criterion's own.
fn criterion_dir() -> PathBuf {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return PathBuf::from(home);
    }
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"))
        .join("criterion")
}

/// Criterion's headline estimate of the time per iteration (the one it prints: the slope
/// for linear sampling, the mean for flat sampling) with its 95% confidence interval, in ns.
#[derive(Debug, Clone, Copy)]
struct Estimate {
    point: f64,
    low: f64,
    high: f64,
}

/// The estimate Criterion wrote for `group/bench` in this run, or `None` if the benchmark
/// did not run (a filtered or `--test` run): an older file is not from this run.
fn estimate(dir: &Path, group: &str, bench: &str, run_start: SystemTime) -> Option<Estimate> {
    let path = dir.join(group).join(bench).join("new").join("estimates.json");
    let modified = std::fs::metadata(&path).and_then(|m| m.modified()).ok()?;
    if modified < run_start {
        return None;
    }
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).ok()?).ok()?;
    let typical = json.get("slope").filter(|s| !s.is_null()).or_else(|| json.get("mean"))?;
    let ci = typical.get("confidence_interval")?;
    Some(Estimate {
        point: typical.get("point_estimate")?.as_f64()?,
        low: ci.get("lower_bound")?.as_f64()?,
        high: ci.get("upper_bound")?.as_f64()?,
    })
}

fn ratio_line(dir: &Path, group: &str, what: &str, target: f64, run_start: SystemTime) {
    let (Some(sealed), Some(plain)) =
        (estimate(dir, group, "sealed", run_start), estimate(dir, group, "plain", run_start))
    else {
        return;
    };
    // Throughput is the inverse of time per iteration.
    let ratio = plain.point / sealed.point;
    let verdict = if ratio >= target { "met" } else { "MISSED" };
    println!(
        "ratio {what}: sealed/plain throughput = {ratio:.2} (from the 95% CIs {:.2}..{:.2}; \
         target >= {target}: {verdict}); sealed {:.1} us, plain {:.1} us per iteration",
        plain.low / sealed.high,
        plain.high / sealed.low,
        sealed.point / 1e3,
        plain.point / 1e3,
    );
}

fn summary(run_start: SystemTime) {
    // Allow for a file-system clock coarser than `SystemTime::now`.
    let run_start = run_start.checked_sub(Duration::from_secs(1)).unwrap_or(run_start);
    let dir = criterion_dir();
    println!("\n== store benchmark summary (from {}) ==", dir.display());
    ratio_line(&dir, GROUP_SINGLE, "single-row durable commit", 0.8, run_start);
    ratio_line(&dir, GROUP_BATCH, "batch of 100 in one transaction", 0.5, run_start);
    ratio_line(&dir, GROUP_READ, "read of 1,000 records", 0.5, run_start);
    let derive = estimate(&dir, GROUP_UNLOCK, "derive_key", run_start);
    let unlock = estimate(&dir, GROUP_UNLOCK, "open_and_unlock", run_start);
    let open = estimate(&dir, GROUP_UNLOCK, "open_only", run_start);
    if let (Some(derive), Some(unlock)) = (derive, unlock) {
        let ms = |ns: f64| ns / 1e6;
        println!(
            "unlock: open + unlock {:.1} ms = key derivation (PBKDF2-HMAC-SHA256, {} \
             iterations) {:.1} ms + the rest {:.1} ms",
            ms(unlock.point),
            PBKDF2_ITERATIONS,
            ms(derive.point),
            ms(unlock.point - derive.point),
        );
        if let Some(open) = open {
            println!(
                "unlock: of the rest, Store::open {:.1} ms, unlock minus key derivation {:.1} ms",
                ms(open.point),
                ms(unlock.point - derive.point - open.point),
            );
        }
    }
}

fn main() {
    let run_start = SystemTime::now();
    let mut c = Criterion::default().configure_from_args();
    bench_unlock(&mut c);
    bench_put_single(&mut c);
    bench_put_batch(&mut c);
    bench_read(&mut c);
    c.final_summary();
    summary(run_start);
}
