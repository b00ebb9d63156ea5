//! The contact tree importers (CSV and vCard) on any bytes: every problem as a line, never
//! a panic; and what they accept writes and reads back the same.
#![no_main]

use caregiver::contacts::{csv, vcard};
use libfuzzer_sys::fuzz_target;

const TYPES: &[&str] = &["ransomware", "phishing"];

fuzz_target!(|data: &[u8]| {
    // A file over a limit (more rows than a tree may hold) is an error, not a panic.
    for parsed in [csv::parse(data, TYPES), vcard::parse(data, TYPES)].into_iter().flatten() {
        let contacts = parsed.into_contacts();
        if let Ok(bytes) = csv::write(&contacts) {
            let back = csv::parse(&bytes, TYPES).map(|p| p.into_contacts());
            assert_eq!(back.ok(), Some(contacts), "CSV round trip");
        }
    }
});
