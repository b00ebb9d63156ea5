//! The time, injected. Nothing below the application layer reads the system's clock: the
//! store, the log and every domain take the time from a [`Clock`] they are given (or as a
//! `now` argument), so incident, deadline, reminder and training flows run on a
//! [`FakeClock`] in tests. The system's clock is `crate::app::SystemClock`, which only the
//! front ends construct.

use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, Duration, Utc};

/// Where the time comes from.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// Now, in UTC.
    fn now(&self) -> DateTime<Utc>;
}

/// A clock shared by the store, its sessions and the application layer.
pub type SharedClock = Arc<dyn Clock>;

/// A clock that stands still until it is moved: for tests, and for replaying a scenario.
#[derive(Debug)]
pub struct FakeClock(Mutex<DateTime<Utc>>);

impl FakeClock {
    /// A fake clock showing `start`, ready to share.
    pub fn starting_at(start: DateTime<Utc>) -> Arc<FakeClock> {
        Arc::new(FakeClock(Mutex::new(start)))
    }

    /// Sets the time.
    pub fn set(&self, to: DateTime<Utc>) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = to;
    }

    /// Moves the time on by `by`.
    pub fn advance(&self, by: Duration) {
        let mut t = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        *t += by;
    }
}

impl Clock for FakeClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fake_clock_moves_only_when_told() {
        let t0 = DateTime::parse_from_rfc3339("2026-11-28T06:00:00Z").unwrap().to_utc();
        let clock = FakeClock::starting_at(t0);
        assert_eq!(clock.now(), t0);
        clock.advance(Duration::minutes(15));
        assert_eq!(clock.now(), t0 + Duration::minutes(15));
        clock.set(t0);
        assert_eq!(clock.now(), t0);
    }
}
