//! Indicators of compromise with the real CLI on a real store: each type checked for its
//! form (a bad value named with its problem's code, a non-zero exit, nothing written); the
//! exports never hold an indicator marked above the highest marking asked for; the STIX
//! bundle validates against OASIS's STIX 2.1 JSON schemas, kept in
//! `tests/fixtures/stix2.1/` (from oasis-open/cti-stix2-json-schemas); clinicians read none.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use jsonschema::{Retrieve, Uri};
use serde_json::{Value, json};

use crate::insider::Ward;

const LENA: &str = "Lena Lead";
const LENA_PASS: &[u8] = b"lena's own passphrase";

/// Where OASIS's schemas say they are, and where the fixtures keep them.
const SCHEMA_BASE: &str =
    "http://raw.githubusercontent.com/oasis-open/cti-stix2-json-schemas/stix2.1/schemas/";

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/stix2.1")
}

/// Resolves the schemas' references to the fixtures, never to the network, and notes
/// which files were read.
struct Fixtures(Mutex<Vec<String>>);

impl Retrieve for Fixtures {
    fn retrieve(
        &self,
        uri: &Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let uri = uri.as_str().replacen("https://", "http://", 1);
        let rel =
            uri.strip_prefix(SCHEMA_BASE).ok_or_else(|| format!("not a STIX schema: {uri}"))?;
        self.0.lock().unwrap().push(rel.to_owned());
        let text = std::fs::read_to_string(fixtures().join(rel))?;
        Ok(serde_json::from_str(&text)?)
    }
}

/// The STIX 2.1 bundle schema's validator, its references read from the fixtures.
fn bundle_validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(fixtures().join("common/bundle.json")).unwrap(),
    )
    .unwrap();
    jsonschema::options()
        .with_retriever(Fixtures(Mutex::new(Vec::new())))
        .build(&schema)
        .expect("the bundle schema and every schema it names load from the fixtures")
}

fn assert_valid(validator: &jsonschema::Validator, bundle: &Value) {
    let errors: Vec<String> =
        validator.iter_errors(bundle).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "not valid STIX 2.1:\n{}\n{bundle:#}", errors.join("\n"));
}

/// A ward with Lena (lead) and Cleo (clinician), and an incident of Lena's.
fn ward() -> (Ward, String) {
    let ward = Ward::with_admin();
    ward.add(LENA, "lead", LENA_PASS);
    ward.add("Cleo Clinician", "clinician", b"cleo's own passphrase");
    let id = ward.as_user(LENA, LENA_PASS, &["incident", "start", "ransomware"]).trim().to_owned();
    (ward, id)
}

/// One of each type, at each marking, as the CLI takes them.
const EVERY_KIND: [(&str, &str, &str); 10] = [
    ("sha256", "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD", "clear"),
    ("sha1", "a9993e364706816aba3e25717850c26c9cd0d89d", "green"),
    ("md5", "900150983cd24fb0d6963f7d28e17f72", "amber"),
    ("ipv4", "203.0.113[.]9", "red"),
    ("ipv6", "2001:DB8::1", "amber+strict"),
    ("domain", "c2.evil[.]example", "TLP:GREEN"),
    ("url", "hxxps://evil[.]example/pay?id=1&x='2'", "amber"),
    ("file-name", "=HYPERLINK(\"x\").exe", "clear"),
    ("account", "ops@evil.example", "amber"),
    ("account", "HOSPITAL\\svc-backup", "red"),
];

#[test]
fn every_type_is_checked_and_a_bad_value_is_named_with_nothing_written() {
    let (ward, id) = ward();
    let lena = |args: &[&str]| ward.as_user_run(LENA, LENA_PASS, args);
    for (n, (kind, value, tlp)) in EVERY_KIND.iter().enumerate() {
        let (code, out, err) =
            lena(&["ioc", "add", &id, kind, value, "--tlp", tlp, "--source", "EDR"]);
        assert_eq!(code, 0, "{kind} {value}: {err}");
        assert_eq!(out.trim(), format!("{id}-I{}", n + 1));
    }
    let before = lena(&["ioc", "list", &id]).1;
    for (args, code, said) in [
        (
            vec!["ipv4", "203.0.113.256"],
            1,
            "error[indicator_invalid]: IPv4 address: part 4 is over 255 (ipv4_part_range)",
        ),
        (
            vec!["sha256", "abc"],
            1,
            "error[indicator_invalid]: SHA-256 file hash: is 3 hexadecimal digits long; SHA-256 is 64 (hash_length)",
        ),
        (vec!["domain", "localhost"], 1, "(domain_one_label)"),
        (vec!["url", "evil.example/x"], 1, "(url_scheme)"),
        (vec!["ip", "203.0.113.1"], 1, "error[invalid_input]: indicator type: use one of sha256"),
        (vec!["ipv4", "203.0.113.1", "--tlp", "white"], 1, "TLP 2.0 has no WHITE: it became CLEAR"),
        (
            vec!["ipv4", "203.0.113.1", "--confidence", "very"],
            1,
            "confidence: use low, medium, high or a number from 0 to 100",
        ),
        (
            vec!["ipv4", "203.0.113.1", "--first-seen", "yesterday"],
            1,
            "first seen: write it as 2026-11-28T06:30",
        ),
        (vec!["ipv4", "203.0.113.9"], 1, "this IPv4 address is already recorded as"),
        (vec!["ipv4"], 2, "VALUE"),
    ] {
        let mut all = vec!["ioc", "add", &id];
        all.extend(args.iter().copied());
        let (got, out, err) = lena(&all);
        assert_eq!(got, code, "{args:?}: {err}");
        assert!(err.contains(said), "{args:?}: {err}");
        assert!(out.is_empty(), "{out}");
        // The value refused is not in the message.
        if code == 1 && args.len() > 1 && args[1].len() > 4 {
            assert!(!err.contains(args[1]), "{err}");
        }
    }
    assert_eq!(lena(&["ioc", "list", &id]).1, before, "nothing was written");

    // Clinicians read no indicator; staff are refused adding them.
    let (code, _, err) =
        ward.as_user_run("Cleo Clinician", b"cleo's own passphrase", &["ioc", "list", &id]);
    assert_eq!(code, 1);
    assert!(err.contains("error[permission_denied]: only admins, incident leads and staff may read indicators of compromise"), "{err}");
    let list = lena(&["ioc", "list", &id, "--json"]).1;
    let list: Value = serde_json::from_str(&list).unwrap();
    assert_eq!(list[3]["value"], "203.0.113.9");
    assert_eq!(list[3]["tlp"], "red");
    assert_eq!(list[6]["value"], "https://evil.example/pay?id=1&x='2'");
}

#[test]
fn a_red_indicator_never_reaches_a_green_export_and_the_bundle_is_valid_stix() {
    let (ward, id) = ward();
    let lena = |args: &[&str]| ward.as_user(LENA, LENA_PASS, args);
    for (kind, value, tlp) in EVERY_KIND {
        lena(&[
            "ioc",
            "add",
            &id,
            kind,
            value,
            "--tlp",
            tlp,
            "--confidence",
            "medium",
            "--first-seen",
            "2026-11-27T22:15:00Z",
            "--source",
            "EDR",
        ]);
    }
    let validator = bundle_validator();
    let red = ["203.0.113.9", "svc-backup"];
    for (max, written) in
        [("clear", 2), ("green", 4), ("amber", 7), ("amber+strict", 8), ("red", 10)]
    {
        for format in ["csv", "stix"] {
            let out = ward.path(&format!("iocs-{max}.{format}"));
            let said =
                lena(&["ioc", "export", &id, "--format", format, "--tlp-max", max, "--out", &out]);
            assert!(
                said.starts_with(&format!("Exported {written} indicators marked up to")),
                "{said}"
            );
            let text = std::fs::read_to_string(&out).unwrap();
            if max != "red" {
                for value in red {
                    assert!(!text.contains(value), "{max} {format} holds a RED value:\n{text}");
                }
                assert!(
                    !text.contains("TLP:RED")
                        && !text.contains("e828b379-4e03-4974-9ac4-e53a884c97c1"),
                    "{text}"
                );
            }
            if format == "stix" {
                let bundle: Value = serde_json::from_str(&text).unwrap();
                assert_valid(&validator, &bundle);
                let indicators = bundle["objects"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|o| o["type"] == "indicator")
                    .count();
                assert_eq!(indicators, written);
            } else {
                assert_eq!(text.lines().count(), written + 1, "{text}");
                assert!(
                    text.contains(",'=HYPERLINK(\"\"x\"\").exe,")
                        || text.contains("\"'=HYPERLINK(\"\"x\"\").exe\""),
                    "guarded: {text}"
                );
            }
        }
    }
    // The whole bundle, every type and marking: valid, its patterns as STIX writes them.
    let text = std::fs::read_to_string(ward.path("iocs-red.stix")).unwrap();
    let bundle: Value = serde_json::from_str(&text).unwrap();
    let patterns: Vec<&str> = bundle["objects"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|o| o["pattern"].as_str())
        .collect();
    assert!(patterns.contains(&"[file:hashes.'SHA-256' = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad']"));
    assert!(patterns.contains(&"[url:value = 'https://evil.example/pay?id=1&x=\\'2\\'']"));
    assert!(patterns.contains(&"[user-account:account_login = 'HOSPITAL\\\\svc-backup']"));
    let markings: Vec<&str> = bundle["objects"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["type"] == "marking-definition")
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    assert_eq!(markings, ["TLP:CLEAR", "TLP:GREEN", "TLP:AMBER", "TLP:AMBER+STRICT", "TLP:RED"]);
    // The same export again: the same bytes (deterministic ids).
    let again = ward.path("again.stix");
    lena(&["ioc", "export", &id, "--format", "stix", "--tlp-max", "red", "--out", &again]);
    assert_eq!(std::fs::read_to_string(&again).unwrap(), text);

    // The validator does check: a bundle with an indicator missing its pattern, or a bad
    // marking id, is refused.
    let mut broken = bundle.clone();
    let objects = broken["objects"].as_array_mut().unwrap();
    let at = objects.iter().position(|o| o["type"] == "indicator").unwrap();
    objects[at].as_object_mut().unwrap().remove("pattern");
    assert!(!validator.is_valid(&broken));
    let mut broken = bundle.clone();
    broken["objects"][at]["object_marking_refs"] = json!(["marking-definition--not-a-uuid"]);
    assert!(!validator.is_valid(&broken));

    // A marking TLP 2.0 does not have: refused, no file.
    let none = ward.path("none.csv");
    let (code, _, err) = ward.as_user_run(
        LENA,
        LENA_PASS,
        &["ioc", "export", &id, "--format", "csv", "--tlp-max", "orange", "--out", &none],
    );
    assert_eq!(code, 1);
    assert!(
        err.contains("TLP marking: use one of clear, green, amber, amber+strict, red"),
        "{err}"
    );
    assert!(!Path::new(&none).exists());
}

/// The fixtures hold what validating needs and nothing more.
#[test]
fn the_stix_fixtures_are_the_files_the_bundle_schema_reads() {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(fixtures().join("common/bundle.json")).unwrap(),
    )
    .unwrap();
    let read = std::sync::Arc::new(Fixtures(Mutex::new(Vec::new())));
    struct Shared(std::sync::Arc<Fixtures>);
    impl Retrieve for Shared {
        fn retrieve(
            &self,
            uri: &Uri<String>,
        ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
            self.0.retrieve(uri)
        }
    }
    jsonschema::options().with_retriever(Shared(read.clone())).build(&schema).unwrap();
    let mut wanted: Vec<String> = read.0.lock().unwrap().clone();
    wanted.push("common/bundle.json".into());
    wanted.sort();
    wanted.dedup();
    let mut held = Vec::new();
    for dir in std::fs::read_dir(fixtures()).unwrap().flatten().filter(|d| d.path().is_dir()) {
        for f in std::fs::read_dir(dir.path()).unwrap().flatten() {
            held.push(format!(
                "{}/{}",
                dir.file_name().to_string_lossy(),
                f.file_name().to_string_lossy()
            ));
        }
    }
    held.sort();
    assert_eq!(held, wanted);
}
