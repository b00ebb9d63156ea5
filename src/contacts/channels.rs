//! Secure channels: the practice is that patient information never goes by public email
//! or consumer messaging (HIPAA's transmission security; no business associate agreement
//! covers them). [`check`] reads a note, or a step's words, and warns when it would send
//! patient information over such a channel, so the window can ask before saving and the
//! CLI can say so. It warns; it does not refuse: the person may be writing that it must
//! not be done.

use serde::Serialize;

/// An unsecure channel: (what a text may say, the channel's name).
const UNSECURE: &[(&str, &str)] = &[
    ("gmail", "public email"),
    ("yahoo", "public email"),
    ("hotmail", "public email"),
    ("outlook.com", "public email"),
    ("icloud", "public email"),
    ("aol.com", "public email"),
    ("personal email", "public email"),
    ("private email", "public email"),
    ("home email", "public email"),
    ("whatsapp", "consumer messaging"),
    ("messenger", "consumer messaging"),
    ("facebook", "consumer messaging"),
    ("telegram", "consumer messaging"),
    ("snapchat", "consumer messaging"),
    ("instagram", "consumer messaging"),
    ("imessage", "a text message"),
    ("text message", "a text message"),
    ("sms", "a text message"),
    ("texted", "a text message"),
    ("text them", "a text message"),
    ("text the", "a text message"),
];

/// Words that say patient information is involved.
const PATIENT: &[&str] = &[
    "patient",
    "mrn",
    "medical record",
    "record number",
    "date of birth",
    "dob",
    "diagnos",
    "lab result",
    "results",
    "chart",
    "prescription",
    "medication",
    "ssn",
    "social security",
    "insurance id",
    "phi",
    "health information",
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// `public email`, `consumer messaging` or `a text message`.
    pub channel: &'static str,
    pub message: String,
}

/// Whether `word` stands in `text` as a word (not inside another word), case-insensitive.
fn mentions(text: &str, word: &str) -> bool {
    let is_word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric());
    text.match_indices(word).any(|(at, _)| {
        let before = text.get(..at).and_then(|s| s.chars().next_back());
        let after = text.get(at + word.len()..).and_then(|s| s.chars().next());
        // A stem ("diagnos") may run on; whole channel names may not.
        !is_word(before) && (word.ends_with("os") || !is_word(after))
    })
}

/// The warnings for a text: one per unsecure channel it names alongside patient
/// information. Empty when it names none, or names no patient information.
pub fn check(text: &str) -> Vec<Warning> {
    let lower = text.to_lowercase();
    if !PATIENT.iter().any(|w| mentions(&lower, w)) {
        return Vec::new();
    }
    let mut out: Vec<Warning> = Vec::new();
    for (word, channel) in UNSECURE {
        if mentions(&lower, word) && !out.iter().any(|w| w.channel == *channel) {
            out.push(Warning {
                channel,
                message: format!(
                    "This names patient information and {channel}, which is not approved for \
                     patient information. Use secure messaging, the phone or organisation email."
                ),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn warns_only_for_patient_information_over_an_unsecure_channel() {
        // (text, the channels warned about)
        let cases: &[(&str, &[&str])] = &[
            ("Sent the patient list to the charge nurse's Gmail", &["public email"]),
            ("WhatsApp the lab results to Dr Lee", &["consumer messaging"]),
            ("Texted the MRN and DOB to the covering doctor", &["a text message"]),
            (
                "Patient chart photos sent by SMS and to a hotmail address",
                &["public email", "a text message"],
            ),
            ("Called the service desk; ticket 4411", &[]),
            ("Told staff by WhatsApp that the EHR is down", &[]),
            ("Faxed the patient's medication list to pharmacy", &[]),
            ("Used secure messaging for the patient handover", &[]),
            // Inside another word is not the channel ("smsc", "textile").
            ("Patient smsc gateway log checked", &[]),
            ("DIAGNOSIS codes emailed from a YAHOO account", &["public email"]),
        ];
        for (text, want) in cases {
            let got: Vec<&str> = check(text).iter().map(|w| w.channel).collect();
            assert_eq!(&got, want, "{text}");
        }
        assert!(check("Gmail the patient list").iter().all(|w| !w.message.contains("Gmail")));
    }
}
