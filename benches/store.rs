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
//! After them (not in a filtered or `--test` run), the unlock of a store of 20,000 records
//! and 100,000 log entries against its target: key derivation + under 50 ms. Last, what
//! AES-256-GCM alone costs a batch and a read (their floors: the highest ratios a store that
//! seals each record could reach on this machine).
//!
//! The two sides of a pair alternate: every operation Criterion times on one side follows an
//! operation of the other, so both see the same disk, page cache, WAL and machine load. At
//! the end `main` prints the sealed/plain throughput ratios and the unlock split computed
//! from the estimates Criterion has just written, then the same figures from the medians of
//! every alternated operation (a drift-proof cross-check: both sides timed in the same
//! windows).

// A benchmark has no caller to report an error to: a failed setup must stop the run loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use caregiver::app::SystemClock;
use caregiver::crypto::{PBKDF2_ITERATIONS, SALT_LEN, SecretKey};
use caregiver::store::{Kind, Record, Session, Store};
use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, SamplingMode, Throughput};
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

/// The floors for sealed/plain throughput (issue 15).
const SINGLE_TARGET: Option<f64> = Some(0.9);
const BATCH_TARGET: Option<f64> = Some(0.85);
const READ_TARGET: Option<f64> = Some(0.8);

/// An incident note as the app keeps it: about 200 bytes of text, a time and an author.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Note {
    at: String,
    author: String,
    text: String,
}

/// Sealed as incident records: the kind with the most rows on a busy workstation.
impl Record for Note {
    const KIND: Kind = Kind::Incident;
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
CREATE INDEX records_by_kind_and_id ON records (kind, record_id);";

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
    let (session, _recovery) =
        Store::create(&dir.join("store.db"), ADMIN, PASSPHRASE, SystemClock::shared()).unwrap();
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
    tally: Tally,
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
            tally: Tally::default(),
            _dir: dir,
        }
    }

    fn sealed_put(&mut self) -> Duration {
        self.next_sealed += 1;
        let id = note_id(self.next_sealed);
        time(|| self.session.put(&id, &self.note).unwrap())
    }

    /// What a fair plain app does: serialise, then one auto-committed INSERT.
    fn plain_put(&mut self) -> Duration {
        self.next_plain += 1;
        let id = note_id(self.next_plain);
        time(|| {
            let body = serde_json::to_vec(&self.note).unwrap();
            let mut stmt = self.plain.prepare_cached(PLAIN_INSERT).unwrap();
            stmt.execute(params![id, "incident_note", "main", 1_i64, body]).unwrap()
        })
    }

    fn sealed_batch(&mut self) -> Duration {
        let ids: Vec<String> =
            (self.next_sealed + 1..=self.next_sealed + BATCH).map(note_id).collect();
        self.next_sealed += BATCH;
        let note = &self.note;
        time(|| self.session.put_many(ids.iter().map(|id| (id.as_str(), note))).unwrap())
    }

    fn plain_batch(&mut self) -> Duration {
        let ids: Vec<String> =
            (self.next_plain + 1..=self.next_plain + BATCH).map(note_id).collect();
        self.next_plain += BATCH;
        let note = &self.note;
        time(|| insert_batch(&mut self.plain, &ids, |_| serde_json::to_vec(note).unwrap()))
    }

    fn sealed_list(&mut self) -> Duration {
        time(|| {
            let records = self.session.list::<Note>().unwrap();
            assert_eq!(records.len() as u64, READ_ROWS);
            records
        })
    }

    /// The same query as the store's, then `serde_json::from_slice` into the same struct.
    fn plain_list(&mut self) -> Duration {
        time(|| {
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
            records
        })
    }
}

impl Paired for Pair {
    fn tally(&mut self) -> &mut Tally {
        &mut self.tally
    }
}

/// One transaction of the plain table's inserts, one per id, each with the body `body` makes
/// for it: the plain batch, and the batch's floor's sealed one.
fn insert_batch(conn: &mut Connection, ids: &[String], mut body: impl FnMut(&str) -> Vec<u8>) {
    let tx = conn.transaction().unwrap();
    {
        let mut stmt = tx.prepare_cached(PLAIN_INSERT).unwrap();
        for id in ids {
            stmt.execute(params![id, "incident_note", "main", 1_i64, body(id)]).unwrap();
        }
    }
    tx.commit().unwrap()
}

/// Times `f`, keeping its result alive until the clock has stopped.
fn time<T>(f: impl FnOnce() -> T) -> Duration {
    let start = Instant::now();
    let out = black_box(f());
    let elapsed = start.elapsed();
    drop(out);
    elapsed
}

/// Every operation a paired group ran, timed, on each side: the ones Criterion timed and
/// their untimed partners alike.
#[derive(Debug, Default)]
struct Tally {
    first: Vec<Duration>,
    second: Vec<Duration>,
}

/// State shared by the two sides of a pair.
trait Paired {
    fn tally(&mut self) -> &mut Tally;
}

/// An operation of one side of a pair; it times itself.
type Op<S> = fn(&mut S) -> Duration;

/// Registers the two benchmarks of a pair in `group`. Each iteration of either runs the
/// other side's operation first (untimed by Criterion), then its own.
fn bench_pair<S: Paired>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    state: &mut S,
    (first_name, first): (&str, Op<S>),
    (second_name, second): (&str, Op<S>),
) {
    group.bench_function(first_name, |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let partner = second(state);
                state.tally().second.push(partner);
                let own = first(state);
                state.tally().first.push(own);
                total += own;
            }
            total
        })
    });
    group.bench_function(second_name, |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let partner = first(state);
                state.tally().first.push(partner);
                let own = second(state);
                state.tally().second.push(own);
                total += own;
            }
            total
        })
    });
}

/// A store made once, unlocked again and again.
struct Unlock {
    path: PathBuf,
    salt: [u8; SALT_LEN],
    tally: Tally,
    _dir: TempDir,
}

impl Unlock {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.db");
        drop(sealed_store(dir.path()));
        Unlock { path, salt: [7u8; SALT_LEN], tally: Tally::default(), _dir: dir }
    }

    fn derive_key(&mut self) -> Duration {
        time(|| SecretKey::from_passphrase(black_box(PASSPHRASE), &self.salt, PBKDF2_ITERATIONS))
    }

    /// Closing the store (and SQLite's checkpoint on close) is left out of the timing.
    fn open_and_unlock(&mut self) -> Duration {
        time(|| {
            Store::open(&self.path, SystemClock::shared())
                .unwrap()
                .unlock(ADMIN, PASSPHRASE)
                .unwrap()
        })
    }

    fn open_only(&mut self) -> Duration {
        time(|| Store::open(&self.path, SystemClock::shared()).unwrap())
    }
}

impl Paired for Unlock {
    fn tally(&mut self) -> &mut Tally {
        &mut self.tally
    }
}

/// The unlock of a large store: 20,000 records and 100,000 log entries. The unlock checks
/// the store's sealed state against the tables (`src/store/state.rs`): one pass over the
/// records' clear columns, the log's last row only. Target: key derivation + under 50 ms.
/// Not a Criterion group (making the store takes a while): eleven unlocks and eleven key
/// derivations, alternated, and the difference of their medians.
fn large_unlock() {
    const RECORDS: u64 = 20_000;
    const ENTRIES: u64 = 100_000;
    const TARGET_MS: f64 = 50.0;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    let made = Instant::now();
    {
        let session = sealed_store(dir.path());
        let note = sample_note();
        let ids: Vec<String> = (0..RECORDS).map(note_id).collect();
        session.put_many(ids.iter().map(|id| (id.as_str(), &note))).unwrap();
        let text = caregiver::events::Event::Note { text: note.text.clone() };
        session
            .write(|w| {
                for _ in 0..ENTRIES {
                    w.append(None, &text)?;
                }
                Ok(())
            })
            .unwrap();
    }
    let made = made.elapsed();
    let mut unlock = Unlock { path, salt: [7u8; SALT_LEN], tally: Tally::default(), _dir: dir };
    let (mut unlocks, mut derives, mut checks) = (Vec::new(), Vec::new(), Vec::new());
    let session = Store::open(&unlock.path, SystemClock::shared())
        .unwrap()
        .unlock(ADMIN, PASSPHRASE)
        .unwrap();
    for _ in 0..11 {
        unlocks.push(unlock.open_and_unlock());
        derives.push(unlock.derive_key());
        checks.push(time(|| session.check_state().unwrap()));
    }
    let ms = |t: &[Duration]| median_ns(t).unwrap_or(f64::NAN) / 1e6;
    let rest = ms(&unlocks) - ms(&derives);
    println!(
        "large unlock ({RECORDS} records, {ENTRIES} log entries; made in {:.1} s): open + unlock {:.1} ms = key derivation {:.1} ms + the rest {rest:.1} ms (target < {TARGET_MS} ms: {}); the state's check alone {:.1} ms",
        made.as_secs_f64(),
        ms(&unlocks),
        ms(&derives),
        if rest < TARGET_MS { "met" } else { "MISSED" },
        ms(&checks),
    );
}

// ---------------------------------------------------------------------------------------
// The groups.

fn bench_unlock(c: &mut Criterion) -> Tally {
    let mut unlock = Unlock::new();
    let mut group = c.benchmark_group(GROUP_UNLOCK);
    // Each iteration takes a good part of a second: few samples, one flat batch each.
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    bench_pair(
        &mut group,
        &mut unlock,
        ("derive_key", Unlock::derive_key),
        ("open_and_unlock", Unlock::open_and_unlock),
    );
    // Small next to the rest: alone, not alternated.
    group.sample_size(20).measurement_time(Duration::from_secs(2));
    group.bench_function("open_only", |b| {
        b.iter_custom(|iters| (0..iters).map(|_| unlock.open_only()).sum())
    });
    group.finish();
    unlock.tally
}

/// Runs a sealed/plain pair in its own group, on fresh stores.
fn bench_sealed_plain(
    c: &mut Criterion,
    name: &str,
    mut pair: Pair,
    elements: u64,
    measurement_secs: u64,
    (sealed, plain): (Op<Pair>, Op<Pair>),
) -> Tally {
    let mut group = c.benchmark_group(name);
    group
        .throughput(Throughput::Elements(elements))
        .sample_size(30)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(measurement_secs));
    bench_pair(&mut group, &mut pair, ("sealed", sealed), ("plain", plain));
    group.finish();
    pair.tally
}

fn bench_put_single(c: &mut Criterion) -> Tally {
    let ops = (Pair::sealed_put as Op<Pair>, Pair::plain_put as Op<Pair>);
    bench_sealed_plain(c, GROUP_SINGLE, Pair::new(), 1, 10, ops)
}

fn bench_put_batch(c: &mut Criterion) -> Tally {
    let ops = (Pair::sealed_batch as Op<Pair>, Pair::plain_batch as Op<Pair>);
    bench_sealed_plain(c, GROUP_BATCH, Pair::new(), BATCH, 10, ops)
}

fn bench_read(c: &mut Criterion) -> Tally {
    let mut pair = Pair::new();
    for _ in 0..READ_ROWS / BATCH {
        pair.sealed_batch();
        pair.plain_batch();
    }
    let ops = (Pair::sealed_list as Op<Pair>, Pair::plain_list as Op<Pair>);
    bench_sealed_plain(c, GROUP_READ, pair, READ_ROWS, 6, ops)
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

fn verdict(ratio: f64, target: Option<f64>) -> String {
    match target {
        Some(t) if ratio >= t => format!("target >= {t}: met"),
        Some(t) => format!("target >= {t}: MISSED"),
        None => "no target".to_owned(),
    }
}

/// Prints sealed/plain throughput for one group; `target` is the floor, if it set one.
fn ratio_line(dir: &Path, group: &str, what: &str, target: Option<f64>, run_start: SystemTime) {
    let (Some(sealed), Some(plain)) =
        (estimate(dir, group, "sealed", run_start), estimate(dir, group, "plain", run_start))
    else {
        return;
    };
    // Throughput is the inverse of the time per iteration.
    let ratio = plain.point / sealed.point;
    println!(
        "ratio {what}: sealed/plain throughput = {ratio:.2} ({}; {:.2}..{:.2} from the 95% CIs); \
         sealed {:.1} us, plain {:.1} us per iteration",
        verdict(ratio, target),
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
    ratio_line(&dir, GROUP_SINGLE, "single-row durable commit", SINGLE_TARGET, run_start);
    ratio_line(&dir, GROUP_BATCH, "batch of 100 in one transaction", BATCH_TARGET, run_start);
    ratio_line(&dir, GROUP_READ, "read of 1,000 records", READ_TARGET, run_start);
    let derive = estimate(&dir, GROUP_UNLOCK, "derive_key", run_start);
    let unlock = estimate(&dir, GROUP_UNLOCK, "open_and_unlock", run_start);
    let open = estimate(&dir, GROUP_UNLOCK, "open_only", run_start);
    if let (Some(derive), Some(unlock)) = (derive, unlock) {
        let ms = |ns: f64| ns / 1e6;
        println!(
            "unlock: open + unlock {:.1} ms = key derivation (PBKDF2-HMAC-SHA256, {} \
             iterations) {:.1} ms + the rest {:.1} ms ({:.1}..{:.1} ms from the 95% CIs)",
            ms(unlock.point),
            PBKDF2_ITERATIONS,
            ms(derive.point),
            ms(unlock.point - derive.point),
            ms(unlock.low - derive.high),
            ms(unlock.high - derive.low),
        );
        if let Some(open) = open {
            println!("unlock: of the rest, Store::open alone {:.2} ms", ms(open.point));
        }
    }
}

/// The median of `times` in nanoseconds, if there are enough for it to mean something (a
/// `--test` run does one iteration of each benchmark).
fn median_ns(times: &[Duration]) -> Option<f64> {
    if times.len() < 10 {
        return None;
    }
    let mut sorted = times.to_vec();
    sorted.sort_unstable();
    sorted.get(sorted.len() / 2).map(|d| d.as_nanos() as f64)
}

/// The cross-check: the same figures from the medians of every alternated operation, so
/// both sides come from the same time windows whatever the machine did meanwhile.
fn paired_summary(unlock: &Tally, pairs: [(&str, &Tally, Option<f64>); 3]) {
    println!("-- cross-check from the medians of all alternated operations (same windows) --");
    for (what, tally, target) in pairs {
        let (Some(sealed), Some(plain)) = (median_ns(&tally.first), median_ns(&tally.second))
        else {
            continue;
        };
        println!(
            "paired {what}: sealed/plain throughput = {:.2} ({}; sealed {:.1} us, plain {:.1} us; \
             {} and {} operations)",
            plain / sealed,
            verdict(plain / sealed, target),
            sealed / 1e3,
            plain / 1e3,
            tally.first.len(),
            tally.second.len(),
        );
    }
    if let (Some(derive), Some(unlock_ns)) = (median_ns(&unlock.first), median_ns(&unlock.second)) {
        println!(
            "paired unlock: open + unlock {:.1} ms = key derivation {:.1} ms + the rest {:.1} ms \
             ({} and {} operations)",
            unlock_ns / 1e6,
            derive / 1e6,
            (unlock_ns - derive) / 1e6,
            unlock.first.len(),
            unlock.second.len(),
        );
    }
}

/// What AES-256-GCM alone costs a read of 1,000 records: each note sealed as the store
/// seals it (its binding, a fresh nonce) and opened 1,000 at a time into one reused buffer,
/// as `Session::list` opens them; the median of 200 rounds. With the plain read's median,
/// the highest read ratio any store sealing each record could reach here.
fn aead_floor(read: &Tally) {
    use caregiver::crypto::{Binding, SealingKey};
    let key = SealingKey::new(1, &SecretKey::generate().unwrap()).unwrap();
    let plain = serde_json::to_vec(&sample_note()).unwrap();
    let ids: Vec<String> = (0..READ_ROWS).map(note_id).collect();
    fn bind(id: &str) -> Binding<'_> {
        Binding { domain: "record", table: "incident", row: id, version: 1 }
    }
    let sealed: Vec<Vec<u8>> = ids.iter().map(|id| key.seal(&bind(id), &plain).unwrap()).collect();
    let mut scratch = zeroize::Zeroizing::new(Vec::new());
    let rounds: Vec<Duration> = (0..200)
        .map(|_| {
            time(|| {
                for (id, blob) in ids.iter().zip(&sealed) {
                    black_box(key.open_in(&bind(id), blob, &mut scratch).unwrap().len());
                }
            })
        })
        .collect();
    let (Some(aead), Some(plain_read)) = (median_ns(&rounds), median_ns(&read.second)) else {
        return;
    };
    println!(
        "read: AES-256-GCM opening alone {:.1} us per 1,000 records (ring, median of 200); with the \
         plain read's {:.1} us, a store that seals each record reads at most {:.2} of plain here",
        aead / 1e3,
        plain_read / 1e3,
        plain_read / (plain_read + aead)
    );
}

/// What sealing alone costs a batch of 100: the plain batch, and the same batch with each
/// note sealed as the store seals it (padded JSON, AES-256-GCM under its record binding,
/// a fresh nonce) into the same table, alternated for 300 rounds in files of their own.
/// Nothing else the store keeps (its state, the role and key checks): the highest batch
/// ratio a store that seals each record could reach here. Skipped unless the batch group
/// ran in full.
fn batch_floor(batch: &Tally) {
    use caregiver::crypto::{Binding, CryptoError, SealingKey, pad_tail};
    if median_ns(&batch.second).is_none() {
        return;
    }
    let key = SealingKey::new(1, &SecretKey::generate().unwrap()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (plain_dir, sealed_dir) = (dir.path().join("plain"), dir.path().join("sealed"));
    std::fs::create_dir(&plain_dir).unwrap();
    std::fs::create_dir(&sealed_dir).unwrap();
    let (mut plain, mut sealed) = (plain_db(&plain_dir), plain_db(&sealed_dir));
    let note = sample_note();
    let mut next = 0_u64;
    let mut rounds = Tally::default();
    for _ in 0..300 {
        let ids: Vec<String> = (next + 1..=next + BATCH).map(note_id).collect();
        next += BATCH;
        rounds
            .second
            .push(time(|| insert_batch(&mut plain, &ids, |_| serde_json::to_vec(&note).unwrap())));
        rounds.first.push(time(|| {
            insert_batch(&mut sealed, &ids, |id| {
                let at = Binding { domain: "record", table: "incident", row: id, version: 1 };
                key.seal_with(&at, 128, |buf| {
                    let start = buf.len();
                    serde_json::to_writer(&mut *buf, &note).unwrap();
                    pad_tail(buf, start, 64);
                    Ok::<_, CryptoError>(())
                })
                .unwrap()
            })
        }));
    }
    let (Some(sealed_ns), Some(plain_ns)) = (median_ns(&rounds.first), median_ns(&rounds.second))
    else {
        return;
    };
    println!(
        "batch: sealing alone (each note sealed as the store seals it, into the plain table; no \
         state, no role or key checks) {:.1} us against plain {:.1} us per 100 (medians of 300 \
         alternated): a store that seals each record writes a batch at most {:.2} of plain here",
        sealed_ns / 1e3,
        plain_ns / 1e3,
        plain_ns / sealed_ns
    );
}

fn main() {
    let run_start = SystemTime::now();
    let mut c = Criterion::default().configure_from_args();
    let unlock = bench_unlock(&mut c);
    let single = bench_put_single(&mut c);
    let batch = bench_put_batch(&mut c);
    let read = bench_read(&mut c);
    c.final_summary();
    // A smoke run (`--test`) or a filtered one skips it.
    if std::env::args().skip(1).all(|a| a == "--bench") {
        large_unlock();
    }
    summary(run_start);
    paired_summary(
        &unlock,
        [
            ("single-row durable commit", &single, SINGLE_TARGET),
            ("batch of 100 in one transaction", &batch, BATCH_TARGET),
            ("read of 1,000 records", &read, READ_TARGET),
        ],
    );
    batch_floor(&batch);
    aead_floor(&read);
}
