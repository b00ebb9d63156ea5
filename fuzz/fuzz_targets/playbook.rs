//! The playbook parser and checker on any input: an answer, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = caregiver::playbook::parse("fuzz.toml", text);
    }
});
