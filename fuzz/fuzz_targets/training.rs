//! The training module checker and the phishing results reader on any input: an answer,
//! never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = caregiver::training::parse("fuzz.toml", text);
    }
    let _ = caregiver::training::phishing::parse_results(data);
});
