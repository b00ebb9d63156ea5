//! How times and durations read for people: one wording everywhere a person reads one (the
//! terminal, the printed reports, the timeline picture), so "3 h" in the review is "3 h" in
//! the HICS 214 and on the picture.
//!
//! A moment a person reads is in the workstation's time zone ([`Zone`]: the system's, or the
//! one an admin set for a workstation whose system zone is wrong), 24-hour, with the zone's
//! abbreviation on every time ("2026-11-28 09:30 EST"), so a page that spans a change of
//! daylight-saving time still reads right; to the minute or, where entries come seconds
//! apart, to the second. The log, the bundles and the JSON exports keep UTC (RFC 3339):
//! [`minute`] and [`second`] are UTC, for what machines read.
//!
//! A duration reads in its two largest units, the smaller left out when it is zero, and is
//! cut (not rounded) to the smaller unit: "40 s", "45 min", "3 h", "3 h 5 min", "2 d",
//! "2 d 4 h". Seconds show only under a minute, minutes only under a day. A negative
//! duration (a clock put back, a deadline passed) reads with a minus sign in front, so it
//! is never mistaken for time left.
//!
//! A count reads with a comma between thousands ("4,900", "100,000"), as the limits on
//! imports are written in the documentation.

use chrono::{DateTime, TimeDelta, Utc};
use chrono_tz::Tz;

use crate::{Error, Result};

/// The time zone people on this workstation read times in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Zone(Tz);

impl Zone {
    pub const UTC: Zone = Zone(Tz::UTC);

    /// An IANA zone by name (`America/New_York`, `Europe/London`, `UTC`).
    pub fn named(name: &str) -> Result<Zone> {
        name.trim().parse::<Tz>().map(Zone).map_err(|_| Error::Invalid {
            what: "time zone",
            reason: format!(
                "`{}` is not a time zone name such as America/New_York, America/Chicago or Europe/London",
                name.chars().take(60).collect::<String>()
            ),
        })
    }

    /// The system's zone (`TZ` if set to a zone name, else the system setting), or UTC when
    /// the system names none this build knows.
    pub fn system() -> Zone {
        std::env::var("TZ")
            .ok()
            .map(|tz| tz.trim_start_matches(':').to_owned())
            .and_then(|tz| tz.parse::<Tz>().ok())
            .or_else(|| iana_time_zone::get_timezone().ok().and_then(|n| n.parse::<Tz>().ok()))
            .map_or(Zone::UTC, Zone)
    }

    /// Its rules, for clock arithmetic.
    pub fn tz(&self) -> Tz {
        self.0
    }

    /// Its IANA name.
    pub fn name(&self) -> &'static str {
        self.0.name()
    }

    /// A moment to the minute, with the zone's abbreviation: "2026-11-28 09:30 EST".
    pub fn minute(&self, t: DateTime<Utc>) -> String {
        t.with_timezone(&self.0).format("%Y-%m-%d %H:%M %Z").to_string()
    }

    /// A moment to the second: "2026-11-28 09:30:15 EST".
    pub fn second(&self, t: DateTime<Utc>) -> String {
        t.with_timezone(&self.0).format("%Y-%m-%d %H:%M:%S %Z").to_string()
    }

    /// `t` in this zone, formatted with chrono's `fmt` (`%Z`: the abbreviation).
    pub fn format(&self, t: DateTime<Utc>, fmt: &str) -> String {
        t.with_timezone(&self.0).format(fmt).to_string()
    }

    /// How far this zone's clocks are ahead of UTC at `t`, in milliseconds.
    pub fn offset_ms(&self, t: DateTime<Utc>) -> i64 {
        use chrono::Offset;
        i64::from(t.with_timezone(&self.0).offset().fix().local_minus_utc()) * 1000
    }

    /// A date and time as a person types it on this zone's clock (`2026-11-28T06:30`, or
    /// with seconds): the moment it names. In the hour a spring change skips, the first
    /// moment after it; in the hour an autumn change repeats, the first of the two.
    pub fn local(&self, text: &str) -> Option<DateTime<Utc>> {
        use chrono::TimeZone;
        let naive = chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M")
            .or_else(|_| chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S"))
            .ok()?;
        match self.0.from_local_datetime(&naive) {
            chrono::LocalResult::Single(t) | chrono::LocalResult::Ambiguous(t, _) => {
                Some(t.to_utc())
            }
            chrono::LocalResult::None => (1..=180)
                .find_map(|m| {
                    self.0.from_local_datetime(&(naive + TimeDelta::minutes(m))).earliest()
                })
                .map(|t| t.to_utc()),
        }
    }

    /// The time of day only, with the abbreviation: "09:30 EST".
    pub fn clock(&self, t: DateTime<Utc>) -> String {
        t.with_timezone(&self.0).format("%H:%M %Z").to_string()
    }
}

/// A moment to the minute, in UTC: "2026-11-28 09:30".
pub fn minute(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M").to_string()
}

/// A moment to the second, in UTC: "2026-11-28 09:30:15".
pub fn second(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S").to_string()
}

/// A duration in words: "45 min", "3 h", "3 h 5 min", "2 d 4 h", "-10 min". Never panics.
pub fn duration(d: TimeDelta) -> String {
    seconds(d.num_seconds())
}

/// A number of minutes in words, as [`duration`] reads them (for the review's minute counts).
pub fn minutes(m: i64) -> String {
    seconds(m.saturating_mul(60))
}

/// A count with a comma between thousands: "950", "4,900", "100,000".
pub fn count(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

/// A count and its noun, singular for one: "1 indicator", "4,900 indicators".
pub fn counted(n: usize, one: &str, many: &str) -> String {
    format!("{} {}", count(n), if n == 1 { one } else { many })
}

fn seconds(secs: i64) -> String {
    let sign = if secs < 0 { "-" } else { "" };
    let secs = secs.unsigned_abs();
    let (days, hours, mins) = (secs / 86_400, secs % 86_400 / 3600, secs % 3600 / 60);
    let size = match (days, hours, mins) {
        (0, 0, 0) => format!("{secs} s"),
        (0, 0, m) => format!("{m} min"),
        (0, h, 0) => format!("{h} h"),
        (0, h, m) => format!("{h} h {m} min"),
        (d, 0, _) => format!("{d} d"),
        (d, h, _) => format!("{d} d {h} h"),
    };
    format!("{sign}{size}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    /// Local time with its abbreviation, across both daylight-saving changes of 2026 in New
    /// York: the hour that does not exist, and the one that comes twice, each read right.
    #[test]
    fn local_times_read_with_their_zone_across_daylight_saving() {
        let ny = Zone::named("America/New_York").unwrap();
        for (at, reads) in [
            ("2026-03-08T06:59:00Z", "2026-03-08 01:59 EST"),
            ("2026-03-08T07:00:00Z", "2026-03-08 03:00 EDT"),
            ("2026-11-01T05:30:00Z", "2026-11-01 01:30 EDT"),
            ("2026-11-01T06:30:00Z", "2026-11-01 01:30 EST"),
            ("2026-11-28T19:05:00Z", "2026-11-28 14:05 EST"),
        ] {
            assert_eq!(ny.minute(utc(at)), reads, "{at}");
        }
        assert_eq!(ny.second(utc("2026-11-28T19:05:07Z")), "2026-11-28 14:05:07 EST");
        assert_eq!(ny.clock(utc("2026-07-04T16:00:00Z")), "12:00 EDT");
        assert_eq!(ny.offset_ms(utc("2026-07-04T16:00:00Z")), -4 * 3_600_000);
        assert_eq!(Zone::UTC.minute(utc("2026-11-28T19:05:00Z")), "2026-11-28 19:05 UTC");
        // A time typed on New York's clock: the skipped hour moves on, the doubled one is
        // the first; nonsense is nothing.
        for (typed, at) in [
            ("2026-11-28T14:05", "2026-11-28T19:05:00Z"),
            ("2026-03-08T02:30", "2026-03-08T07:00:00Z"),
            ("2026-11-01T01:30:00", "2026-11-01T05:30:00Z"),
        ] {
            assert_eq!(ny.local(typed), Some(utc(at)), "{typed}");
        }
        assert_eq!(ny.local("28/11/2026 14:05"), None);
        let err = Zone::named("Mars/Olympus").unwrap_err().to_string();
        assert!(err.contains("`Mars/Olympus` is not a time zone name"), "{err}");
    }

    #[test]
    fn counts_read_with_commas_between_thousands() {
        for (n, words) in [
            (0, "0"),
            (999, "999"),
            (1000, "1,000"),
            (4900, "4,900"),
            (100_000, "100,000"),
            (1_234_567, "1,234,567"),
        ] {
            assert_eq!(count(n), words, "{n}");
        }
    }

    #[test]
    fn durations_read_in_their_two_largest_units() {
        let min = 60;
        let hour = 60 * min;
        let day = 24 * hour;
        for (secs, words) in [
            (0, "0 s"),
            (1, "1 s"),
            (59, "59 s"),
            (min, "1 min"),
            (min + 59, "1 min"),
            (45 * min, "45 min"),
            (59 * min + 59, "59 min"),
            (hour, "1 h"),
            (3 * hour, "3 h"),
            (3 * hour + 5 * min, "3 h 5 min"),
            (3 * hour + 5 * min + 30, "3 h 5 min"),
            (4 * hour + 35 * min, "4 h 35 min"),
            (23 * hour + 59 * min, "23 h 59 min"),
            (day, "1 d"),
            (day + 59 * min, "1 d"),
            (2 * day + 4 * hour, "2 d 4 h"),
            (2 * day + 4 * hour + 30 * min, "2 d 4 h"),
            (59 * day + 23 * hour, "59 d 23 h"),
            (-40, "-40 s"),
            (-10 * min, "-10 min"),
            (-(3 * hour), "-3 h"),
            (-(2 * day + hour), "-2 d 1 h"),
        ] {
            assert_eq!(seconds(secs), words, "{secs} s");
            assert_eq!(duration(TimeDelta::seconds(secs)), words, "{secs} s");
        }
    }

    #[test]
    fn minutes_read_as_durations() {
        for (m, words) in
            [(0, "0 s"), (5, "5 min"), (180, "3 h"), (185, "3 h 5 min"), (-90, "-1 h 30 min")]
        {
            assert_eq!(minutes(m), words);
        }
    }

    #[test]
    fn moments_read_in_utc() {
        for (time, to_minute, to_second) in [
            ("2026-11-28T09:30:15Z", "2026-11-28 09:30", "2026-11-28 09:30:15"),
            ("2026-11-28T10:30:15+01:00", "2026-11-28 09:30", "2026-11-28 09:30:15"),
            ("2026-11-28T00:10:00-01:00", "2026-11-28 01:10", "2026-11-28 01:10:00"),
        ] {
            let t = DateTime::parse_from_rfc3339(time).unwrap().to_utc();
            assert_eq!(minute(t), to_minute, "{time}");
            assert_eq!(second(t), to_second, "{time}");
        }
    }

    #[test]
    fn the_extremes_never_panic() {
        for secs in [i64::MIN, i64::MIN + 1, i64::MAX] {
            assert!(seconds(secs).contains(" d"), "{secs}");
        }
        for m in [i64::MIN, i64::MAX] {
            assert!(minutes(m).contains(" d"));
        }
        assert!(duration(TimeDelta::MAX).starts_with("106751991167 d"));
        assert!(duration(TimeDelta::MIN).starts_with("-106751991167 d"));
    }
}
