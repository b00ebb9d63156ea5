//! The contact tree importers (CSV and vCard) on any bytes: every problem as a line, never
//! a panic; and what they accept writes and reads back the same.
#![no_main]

use caregiver::contacts::{csv, vcard};
use libfuzzer_sys::fuzz_target;

const TYPES: &[&str] = &["ransomware", "phishing"];

fuzz_target!(|data: &[u8]| {
    for parsed in [csv::parse(data, TYPES), vcard::parse(data, TYPES)] {
        let contacts = parsed.into_contacts();
        if let Ok(bytes) = csv::write(&contacts) {
            assert_eq!(csv::parse(&bytes, TYPES).into_contacts(), contacts, "CSV round trip");
        }
    }
});
