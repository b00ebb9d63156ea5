//! Pack verification on any input (a pack from outside): an answer, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

const KEY: [u8; 32] = [7; 32];

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = caregiver::playbook::pack::verify(text, &KEY, chrono::DateTime::UNIX_EPOCH);
    }
});
