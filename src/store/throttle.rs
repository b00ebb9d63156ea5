//! The growing delay after failed unlocks. Counts live in the store, so a restart does not
//! reset them. The first few failures are free (people mistype); after that each failure
//! doubles the wait, up to a cap.
//!
//! A user unlock goes through two counts: the name's own, by the salted tag of the name
//! typed (a name that does not exist is counted the same way, so the delay never tells
//! whether a name exists), and the count of every failed user unlock, which starts only
//! after many more failures and stays short. So one person's failures delay that name, and
//! somebody trying many names slows every unlock a little, never locks everyone out for
//! long. Emergency access has a count of its own. A successful unlock clears its name's
//! count and the count of every failure.

use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, params};

use crate::{Error, Result};

/// Which count the failures are in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    /// One name's failed user unlocks (passphrase or recovery key).
    Unlock,
    /// Every failed user unlock, whatever the name.
    AllUnlocks,
    /// Emergency access: its own count, so somebody guessing at user passphrases never
    /// delays a nurse with the ward's code.
    Emergency,
}

impl Gate {
    fn as_str(self) -> &'static str {
        match self {
            Gate::Unlock => "unlock",
            Gate::AllUnlocks => "all_unlocks",
            Gate::Emergency => "emergency",
        }
    }

    /// Failures allowed before any delay.
    fn free(self) -> u32 {
        match self {
            Gate::Unlock | Gate::Emergency => FREE_FAILURES,
            Gate::AllUnlocks => FREE_FAILURES_OF_ALL,
        }
    }

    fn cap(self) -> Duration {
        match self {
            Gate::Unlock => Duration::from_secs(300),
            // Short: a clinician may need the playbook now.
            Gate::Emergency => Duration::from_secs(30),
            // Short: it delays everyone.
            Gate::AllUnlocks => Duration::from_secs(10),
        }
    }
}

/// Failures of one name (or of emergency access) allowed before any delay.
pub const FREE_FAILURES: u32 = 3;
/// Failed user unlocks of every name together allowed before any delay.
pub const FREE_FAILURES_OF_ALL: u32 = 20;

/// How long to wait after `failures` consecutive failures: none for the gate's free
/// failures, then 1 s, 2 s, 4 s ... up to the gate's cap.
pub fn delay_after(gate: Gate, failures: u32) -> Duration {
    let free = gate.free();
    if failures < free {
        return Duration::ZERO;
    }
    let doublings = (failures - free).min(16);
    Duration::from_secs(1u64 << doublings).min(gate.cap())
}

/// One count: a gate, and for [`Gate::Unlock`] the tag of the name tried (empty for the
/// others).
#[derive(Debug, Clone, Copy)]
pub(super) struct Count<'a> {
    gate: Gate,
    tag: &'a [u8],
}

/// The counts a user unlock as the name with tag `tag` goes through.
pub(super) fn user_counts(tag: &[u8]) -> [Count<'_>; 2] {
    [Count { gate: Gate::Unlock, tag }, Count { gate: Gate::AllUnlocks, tag: &[] }]
}

/// The count emergency access goes through.
pub(super) const EMERGENCY: [Count<'static>; 1] = [Count { gate: Gate::Emergency, tag: &[] }];

fn load(conn: &Connection, count: Count<'_>) -> Result<(u32, i64)> {
    Ok(conn
        .prepare_cached(
            "SELECT failures, last_failure FROM failed_unlocks WHERE gate = ?1 AND name_tag = ?2",
        )
        .and_then(|mut st| {
            st.query_row(params![count.gate.as_str(), count.tag], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()
        })
        .map_err(Error::sql("read the failed-unlock count"))?
        .unwrap_or((0, 0)))
}

/// Refuses an attempt made before the delay of any of `counts` has passed since its last
/// failure, saying the longest wait.
pub(super) fn check(conn: &Connection, counts: &[Count<'_>], now_ms: i64) -> Result<()> {
    let mut wait_ms = 0i64;
    for &count in counts {
        let (failures, last) = load(conn, count)?;
        let wait_until = last.saturating_add(delay_after(count.gate, failures).as_millis() as i64);
        wait_ms = wait_ms.max(wait_until.saturating_sub(now_ms));
    }
    if wait_ms > 0 {
        return Err(Error::Throttled { wait_secs: (wait_ms as u64).div_ceil(1000) });
    }
    Ok(())
}

/// Counts a failure in each of `counts`, in one transaction.
pub(super) fn fail(conn: &Connection, counts: &[Count<'_>], now_ms: i64) -> Result<()> {
    let tx = conn.unchecked_transaction().map_err(Error::sql("count a failed unlock"))?;
    for count in counts {
        tx.execute(
            "INSERT INTO failed_unlocks (gate, name_tag, failures, last_failure) VALUES (?1, ?2, 1, ?3)
             ON CONFLICT (gate, name_tag) DO UPDATE
             SET failures = failures + 1, last_failure = excluded.last_failure",
            params![count.gate.as_str(), count.tag, now_ms],
        )
        .map_err(Error::sql("count a failed unlock"))?;
    }
    tx.commit().map_err(Error::sql("count a failed unlock"))
}

/// Clears each of `counts`.
pub(super) fn reset(conn: &Connection, counts: &[Count<'_>]) -> Result<()> {
    for count in counts {
        conn.execute(
            "DELETE FROM failed_unlocks WHERE gate = ?1 AND name_tag = ?2",
            params![count.gate.as_str(), count.tag],
        )
        .map_err(Error::sql("reset the failed-unlock count"))?;
    }
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
            (Gate::AllUnlocks, 19, 0),
            (Gate::AllUnlocks, 20, 1),
            (Gate::AllUnlocks, 23, 8),
            (Gate::AllUnlocks, 24, 10),
            (Gate::AllUnlocks, 1000, 10),
        ];
        for (gate, failures, secs) in table {
            assert_eq!(
                delay_after(gate, failures),
                Duration::from_secs(secs),
                "{gate:?} {failures}"
            );
        }
    }

    fn migrated(path: &std::path::Path) -> Connection {
        let mut conn = Connection::open(path).unwrap();
        crate::store::schema::migrate(&mut conn).unwrap();
        conn
    }

    #[test]
    fn attempts_inside_the_delay_are_refused_and_the_count_survives_reopening() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("t.db");
        let ada = user_counts(b"ada");
        {
            let conn = migrated(&path);
            for _ in 0..4 {
                fail(&conn, &ada, 10_000).unwrap();
            }
        }
        let conn = Connection::open(&path).unwrap();
        // 4 failures: 2 s from the last one.
        let err = check(&conn, &ada, 11_000).unwrap_err();
        assert!(matches!(err, Error::Throttled { wait_secs: 1 }), "{err:?}");
        check(&conn, &ada, 12_000).unwrap();
        check(&conn, &EMERGENCY, 10_000).unwrap();
        reset(&conn, &ada).unwrap();
        check(&conn, &ada, 10_000).unwrap();
    }

    /// One name's failures delay that name only; failures of many names delay every name,
    /// but only after many of them, and briefly.
    #[test]
    fn each_name_has_its_count_and_all_of_them_a_slower_one() {
        let tmp = tempfile::tempdir().unwrap();
        let conn = migrated(&tmp.path().join("t.db"));
        let now = 1_000_000;
        for _ in 0..10 {
            fail(&conn, &user_counts(b"ada"), now).unwrap();
        }
        assert!(matches!(
            check(&conn, &user_counts(b"ada"), now),
            Err(Error::Throttled { wait_secs: 128 })
        ));
        check(&conn, &user_counts(b"bob"), now).unwrap();
        check(&conn, &EMERGENCY, now).unwrap();
        // Ten more names, once each: 20 failures in all.
        for i in 0..10u8 {
            fail(&conn, &user_counts(&[i]), now).unwrap();
        }
        let err = check(&conn, &user_counts(b"bob"), now).unwrap_err();
        assert!(matches!(err, Error::Throttled { wait_secs: 1 }), "{err:?}");
        check(&conn, &user_counts(b"bob"), now + 1000).unwrap();
        // However many, everyone waits at most the short cap.
        for i in 0..100u8 {
            fail(&conn, &user_counts(&[i, i]), now).unwrap();
        }
        let err = check(&conn, &user_counts(b"bob"), now).unwrap_err();
        assert!(matches!(err, Error::Throttled { wait_secs: 10 }), "{err:?}");
        check(&conn, &EMERGENCY, now).unwrap();
        // A success clears its name and the count of all.
        reset(&conn, &user_counts(b"bob")).unwrap();
        check(&conn, &user_counts(b"carol"), now).unwrap();
        assert!(check(&conn, &user_counts(b"ada"), now).is_err());
    }

    /// Stores from before schema 5 kept one shared count: it becomes the count of all.
    #[test]
    fn the_old_shared_count_becomes_the_count_of_all() {
        let tmp = tempfile::tempdir().unwrap();
        let mut conn = Connection::open(tmp.path().join("t.db")).unwrap();
        let tx = conn.transaction().unwrap();
        for (i, sql) in crate::store::schema::MIGRATIONS.iter().take(4).enumerate() {
            tx.execute_batch(sql).unwrap();
            tx.pragma_update(None, "user_version", i as i64 + 1).unwrap();
        }
        tx.execute("INSERT INTO throttle VALUES ('unlock', 25, 5000), ('emergency', 4, 5000)", [])
            .unwrap();
        tx.commit().unwrap();
        crate::store::schema::migrate(&mut conn).unwrap();
        assert!(matches!(
            check(&conn, &user_counts(b"ada"), 5000),
            Err(Error::Throttled { wait_secs: 10 })
        ));
        assert!(matches!(check(&conn, &EMERGENCY, 5000), Err(Error::Throttled { wait_secs: 2 })));
    }
}
