//! The system's clock: the one place that reads the time of day. Only the front ends (the
//! CLI and the desktop shell) construct it; everything below takes the clock it is given.

use chrono::{DateTime, Utc};

use crate::clock::Clock;

/// The computer's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

impl SystemClock {
    /// The system's clock, ready to share.
    pub fn shared() -> crate::clock::SharedClock {
        std::sync::Arc::new(SystemClock)
    }
}
