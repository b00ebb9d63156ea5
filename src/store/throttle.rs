//! The growing delay after failed unlocks. Counts live in the store, so a restart does not
//! reset them. The first few failures are free (people mistype); after that each failure
//! doubles the wait, up to a cap.

use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, params};

use crate::{Error, Result};

/// Which door the failures were at. Emergency access has its own count, so somebody
/// guessing at user passphrases never delays a nurse with the ward's code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    Unlock,
    Emergency,
}

impl Gate {
    fn as_str(self) -> &'static str {
        match self {
            Gate::Unlock => "unlock",
            Gate::Emergency => "emergency",
        }
    }

    fn cap(self) -> Duration {
        match self {
            Gate::Unlock => Duration::from_secs(300),
            // Short: a clinician may need the playbook now.
            Gate::Emergency => Duration::from_secs(30),
        }
    }
}

/// Failures allowed before any delay.
pub const FREE_FAILURES: u32 = 3;

/// How long to wait after `failures` consecutive failures: none for the first
/// [`FREE_FAILURES`], then 1 s, 2 s, 4 s ... up to the gate's cap.
pub fn delay_after(gate: Gate, failures: u32) -> Duration {
    if failures < FREE_FAILURES {
        return Duration::ZERO;
    }
    let doublings = (failures - FREE_FAILURES).min(16);
    Duration::from_secs(1u64 << doublings).min(gate.cap())
}

fn load(conn: &Connection, gate: Gate) -> Result<(u32, i64)> {
    Ok(conn
        .query_row(
            "SELECT failures, last_failure FROM throttle WHERE gate = ?1",
            [gate.as_str()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()
        .map_err(Error::sql("read the failed-unlock count"))?
        .unwrap_or((0, 0)))
}

/// Refuses an attempt made before the delay since the last failure has passed.
pub(super) fn check(conn: &Connection, gate: Gate, now_ms: i64) -> Result<()> {
    let (failures, last) = load(conn, gate)?;
    let wait_until = last.saturating_add(delay_after(gate, failures).as_millis() as i64);
    if now_ms < wait_until {
        let wait_secs = ((wait_until - now_ms) as u64).div_ceil(1000);
        return Err(Error::Throttled { wait_secs });
    }
    Ok(())
}

pub(super) fn fail(conn: &Connection, gate: Gate, now_ms: i64) -> Result<()> {
    conn.execute(
        "INSERT INTO throttle (gate, failures, last_failure) VALUES (?1, 1, ?2)
         ON CONFLICT (gate) DO UPDATE SET failures = failures + 1, last_failure = excluded.last_failure",
        params![gate.as_str(), now_ms],
    )
    .map_err(Error::sql("count a failed unlock"))?;
    Ok(())
}

pub(super) fn reset(conn: &Connection, gate: Gate) -> Result<()> {
    conn.execute("DELETE FROM throttle WHERE gate = ?1", [gate.as_str()])
        .map_err(Error::sql("reset the failed-unlock count"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_delay_grows_then_caps() {
        let table = [
            (Gate::Unlock, 0, 0),
            (Gate::Unlock, 2, 0),
            (Gate::Unlock, 3, 1),
            (Gate::Unlock, 4, 2),
            (Gate::Unlock, 6, 8),
            (Gate::Unlock, 11, 256),
            (Gate::Unlock, 12, 300),
            (Gate::Unlock, 1000, 300),
            (Gate::Emergency, 3, 1),
            (Gate::Emergency, 9, 30),
        ];
        for (gate, failures, secs) in table {
            assert_eq!(
                delay_after(gate, failures),
                Duration::from_secs(secs),
                "{gate:?} {failures}"
            );
        }
    }

    #[test]
    fn attempts_inside_the_delay_are_refused_and_the_count_survives_reopening() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("t.db");
        {
            let mut conn = Connection::open(&path).unwrap();
            crate::store::schema::migrate(&mut conn).unwrap();
            for _ in 0..4 {
                fail(&conn, Gate::Unlock, 10_000).unwrap();
            }
        }
        let conn = Connection::open(&path).unwrap();
        // 4 failures: 2 s from the last one.
        let err = check(&conn, Gate::Unlock, 11_000).unwrap_err();
        assert!(matches!(err, Error::Throttled { wait_secs: 1 }), "{err:?}");
        check(&conn, Gate::Unlock, 12_000).unwrap();
        check(&conn, Gate::Emergency, 10_000).unwrap();
        reset(&conn, Gate::Unlock).unwrap();
        check(&conn, Gate::Unlock, 10_000).unwrap();
    }
}
