//! The form checks, table-driven: each type's good values and how they are kept, then each
//! problem with its stable code and message. No message holds the value it refuses.

use super::*;

const SHA256: &str = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

/// (type, as typed, as kept)
#[test]
fn good_values_are_kept_in_one_form() {
    let long_label = "a".repeat(63);
    let table: Vec<(IocType, String, String)> = vec![
        (IocType::Sha256, SHA256.to_uppercase(), SHA256.into()),
        (IocType::Sha256, format!("  {SHA256}\n"), SHA256.into()),
        (
            IocType::Sha1,
            "A9993E364706816ABA3E25717850C26C9CD0D89D".into(),
            "a9993e364706816aba3e25717850c26c9cd0d89d".into(),
        ),
        (
            IocType::Md5,
            "900150983cd24fb0d6963f7d28e17f72".into(),
            "900150983cd24fb0d6963f7d28e17f72".into(),
        ),
        (IocType::Ipv4, "192.0.2.10".into(), "192.0.2.10".into()),
        (IocType::Ipv4, "0.0.0.0".into(), "0.0.0.0".into()),
        (IocType::Ipv4, "255.255.255.255".into(), "255.255.255.255".into()),
        (IocType::Ipv4, "198.51.100.0/24".into(), "198.51.100.0/24".into()),
        (IocType::Ipv4, "192.0.2[.]10".into(), "192.0.2.10".into()),
        (IocType::Ipv6, "2001:DB8:0:0:0:0:0:1".into(), "2001:db8::1".into()),
        (IocType::Ipv6, "[2001:db8::1]".into(), "2001:db8::1".into()),
        (IocType::Ipv6, "2001:db8::/32".into(), "2001:db8::/32".into()),
        (IocType::Ipv6, "::ffff:192.0.2.1".into(), "::ffff:192.0.2.1".into()),
        (IocType::Domain, "Evil.Example.".into(), "evil.example".into()),
        (IocType::Domain, "c2[.]evil-site[.]example".into(), "c2.evil-site.example".into()),
        (
            IocType::Domain,
            "_dmarc.xn--bcher-kva.example".into(),
            "_dmarc.xn--bcher-kva.example".into(),
        ),
        (IocType::Domain, format!("{long_label}.example"), format!("{long_label}.example")),
        (
            IocType::Url,
            "hxxps://Evil[.]Example/Pay?x=1#a".into(),
            "https://evil.example/Pay?x=1#a".into(),
        ),
        (IocType::Url, "http://192.0.2.10:8080/a".into(), "http://192.0.2.10:8080/a".into()),
        (IocType::Url, "HTTP://[2001:DB8::1]:443/".into(), "http://[2001:db8::1]:443/".into()),
        (IocType::Url, "ftp://user@files/x".into(), "ftp://user@files/x".into()),
        (IocType::Url, "https://evil.example".into(), "https://evil.example".into()),
        (IocType::FileName, "invoice.pdf.exe".into(), "invoice.pdf.exe".into()),
        (IocType::FileName, "README [1].txt".into(), "README [1].txt".into()),
        (IocType::Account, "Ops@Evil.Example".into(), "Ops@evil.example".into()),
        (IocType::Account, "ops[@]evil[.]example".into(), "ops@evil.example".into()),
        (IocType::Account, "HOSPITAL\\svc-backup".into(), "HOSPITAL\\svc-backup".into()),
        (IocType::Account, "jdoe".into(), "jdoe".into()),
    ];
    for (kind, typed, kept) in table {
        assert_eq!(kind.check(&typed).unwrap_or_else(|e| panic!("{typed:?}: {e}")), kept);
    }
}

/// (type, as typed, problem code, message)
#[test]
fn each_problem_is_named_with_its_code() {
    let long = "a".repeat(MAX_VALUE_CHARS + 1);
    let long_label = format!("{}.example", "a".repeat(64));
    let long_domain = format!("{}.example", ["abcdefghij"; 25].join("."));
    let table: Vec<(IocType, String, &str, &str)> = vec![
        (IocType::Sha256, "".into(), "empty", "is empty"),
        (IocType::Sha256, "   ".into(), "empty", "is empty"),
        (IocType::Url, long, "too_long", "is longer than 2048 characters"),
        (
            IocType::FileName,
            "bad\u{7}name".into(),
            "control_character",
            "character 4 is a control character",
        ),
        (
            IocType::Sha256,
            SHA256[..63].into(),
            "hash_length",
            "is 63 hexadecimal digits long; SHA-256 is 64",
        ),
        (
            IocType::Sha256,
            format!("{SHA256}0"),
            "hash_length",
            "is 65 hexadecimal digits long; SHA-256 is 64",
        ),
        (IocType::Sha1, SHA256.into(), "hash_length", "is 64 hexadecimal digits long; SHA-1 is 40"),
        (
            IocType::Md5,
            "900150983cd24fb0d6963f7d28e17f7g".into(),
            "not_hex",
            "character 32 is not a hexadecimal digit (0-9, a-f)",
        ),
        (
            IocType::Sha256,
            format!("sha256:{SHA256}"),
            "not_hex",
            "character 1 is not a hexadecimal digit (0-9, a-f)",
        ),
        (
            IocType::Ipv4,
            "192.0.2".into(),
            "ipv4_parts",
            "has 3 parts; an IPv4 address has 4 (like 203.0.113.5)",
        ),
        (
            IocType::Ipv4,
            "192.0.2.1.5".into(),
            "ipv4_parts",
            "has 5 parts; an IPv4 address has 4 (like 203.0.113.5)",
        ),
        (IocType::Ipv4, "192..2.1".into(), "ipv4_part_empty", "part 2 is empty"),
        (IocType::Ipv4, "192.0.2.x".into(), "ipv4_not_a_number", "part 4 is not a number"),
        (IocType::Ipv4, "192.0.2.256".into(), "ipv4_part_range", "part 4 is over 255"),
        (IocType::Ipv4, "1000.0.2.1".into(), "ipv4_part_range", "part 1 is over 255"),
        (
            IocType::Ipv4,
            "192.0.02.1".into(),
            "ipv4_leading_zero",
            "part 3 starts with 0 (some tools read that as octal)",
        ),
        (IocType::Ipv4, "-1.0.0.1".into(), "ipv4_not_a_number", "part 1 is not a number"),
        (
            IocType::Ipv4,
            "192.0.2.0/33".into(),
            "ipv4_prefix",
            "the prefix after / must be a number from 0 to 32",
        ),
        (
            IocType::Ipv4,
            "192.0.2.0/08".into(),
            "ipv4_prefix",
            "the prefix after / must be a number from 0 to 32",
        ),
        (
            IocType::Ipv4,
            "2001:db8::1".into(),
            "ipv4_is_ipv6",
            "is an IPv6 address: give it the type ipv6",
        ),
        (
            IocType::Ipv4,
            "localhost".into(),
            "ipv4_parts",
            "has 1 part; an IPv4 address has 4 (like 203.0.113.5)",
        ),
        (
            IocType::Ipv6,
            "2001:db8::g".into(),
            "ipv6_form",
            "is not an IPv6 address (like 2001:db8::1)",
        ),
        (
            IocType::Ipv6,
            "2001:db8:::1".into(),
            "ipv6_form",
            "is not an IPv6 address (like 2001:db8::1)",
        ),
        (
            IocType::Ipv6,
            "fe80::1%eth0".into(),
            "ipv6_form",
            "is not an IPv6 address (like 2001:db8::1)",
        ),
        (
            IocType::Ipv6,
            "192.0.2.10".into(),
            "ipv6_is_ipv4",
            "is an IPv4 address: give it the type ipv4",
        ),
        (
            IocType::Ipv6,
            "2001:db8::/129".into(),
            "ipv6_prefix",
            "the prefix after / must be a number from 0 to 128",
        ),
        (
            IocType::Domain,
            "localhost".into(),
            "domain_one_label",
            "has one label; a domain name has at least two (like example.org)",
        ),
        (
            IocType::Domain,
            "evil..example".into(),
            "domain_label_empty",
            "label 2 is empty (two dots in a row, or a dot first)",
        ),
        (
            IocType::Domain,
            ".evil.example".into(),
            "domain_label_empty",
            "label 1 is empty (two dots in a row, or a dot first)",
        ),
        (IocType::Domain, long_label, "domain_label_length", "label 1 is over 63 characters"),
        (IocType::Domain, long_domain, "domain_length", "is longer than 253 characters"),
        (
            IocType::Domain,
            "evil.exa$mple".into(),
            "domain_character",
            "character 9 is not a letter, a digit, a hyphen or a dot",
        ),
        (
            IocType::Domain,
            "evil.ex_ample".into(),
            "domain_character",
            "character 8 is not a letter, a digit, a hyphen or a dot",
        ),
        (
            IocType::Domain,
            "-evil.example".into(),
            "domain_hyphen",
            "label 1 starts or ends with a hyphen",
        ),
        (
            IocType::Domain,
            "bücher.example".into(),
            "domain_not_ascii",
            "character 2 is not ASCII: write the name in its xn-- form",
        ),
        (
            IocType::Domain,
            "192.0.2.10".into(),
            "domain_is_ip",
            "is an IP address: give it the type ipv4",
        ),
        (
            IocType::Domain,
            "evil.123".into(),
            "domain_numeric_tld",
            "ends in a number: an IP address has the type ipv4",
        ),
        (
            IocType::Url,
            "evil.example/pay".into(),
            "url_scheme",
            "has no scheme: write it with http://, https:// or another scheme",
        ),
        (
            IocType::Url,
            "1http://evil.example".into(),
            "url_scheme",
            "the part before :// is not a scheme name (like https)",
        ),
        (
            IocType::Url,
            "http://evil.example/a b".into(),
            "url_space",
            "character 22 is a space: write it as %20",
        ),
        (IocType::Url, "http:///path".into(), "url_host", "has no host after ://"),
        (
            IocType::Url,
            "http://evil..example/".into(),
            "url_host",
            "the host label 2 is empty (two dots in a row, or a dot first)",
        ),
        (IocType::Url, "http://192.0.2.300/".into(), "url_host", "the host part 4 is over 255"),
        (IocType::Url, "http://[2001:db8::1/".into(), "url_host", "the host's [ has no ]"),
        (
            IocType::Url,
            "http://evil.example:99999/".into(),
            "url_port",
            "the port after the host must be a number from 1 to 65535",
        ),
        (
            IocType::Url,
            "http://evil.example:0/".into(),
            "url_port",
            "the port after the host must be a number from 1 to 65535",
        ),
        (
            IocType::FileName,
            "C:\\Users\\x\\invoice.exe".into(),
            "file_name_path",
            "holds a / or a \\: give the file's name, not its path",
        ),
        (
            IocType::FileName,
            "/tmp/x".into(),
            "file_name_path",
            "holds a / or a \\: give the file's name, not its path",
        ),
        (IocType::FileName, "..".into(), "file_name_dots", "is . or .., not a file's name"),
        (
            IocType::FileName,
            "é".repeat(128),
            "too_long",
            "is longer than 255 bytes, which no file system allows",
        ),
        (IocType::Account, "j doe".into(), "account_space", "character 2 is a space"),
        (
            IocType::Account,
            "@evil.example".into(),
            "email_local",
            "the part before @ must be 1 to 64 characters",
        ),
        (
            IocType::Account,
            "a(b)@evil.example".into(),
            "email_local",
            "character 2 before @ is not allowed in an email address",
        ),
        (
            IocType::Account,
            "ops@localhost".into(),
            "email_domain",
            "the part after @ has one label; a domain name has at least two (like example.org)",
        ),
    ];
    for (kind, typed, code, reason) in table {
        let e = kind.check(&typed).expect_err(&typed);
        assert_eq!(e.code(), "indicator_invalid", "{typed:?}");
        let Error::IndicatorInvalid { what, problem, reason: got } = &e else { panic!("{e:?}") };
        assert_eq!((*what, *problem, got.as_str()), (kind.label(), code, reason), "{typed:?}");
        assert_eq!(e.to_string(), format!("{}: {reason} ({code})", kind.label()));
        // The message names the problem, never the value refused.
        if typed.trim().len() > 3 {
            assert!(!e.to_string().contains(typed.trim()), "{e} echoes {typed:?}");
        }
    }
}

#[test]
fn types_markings_and_confidence_read_as_typed() {
    assert_eq!(IocType::of("FILE_NAME").unwrap(), IocType::FileName);
    assert_eq!(IocType::of(" ipv4 ").unwrap(), IocType::Ipv4);
    let e = IocType::of("ip").unwrap_err();
    assert_eq!(
        e.to_string(),
        "indicator type: use one of sha256, sha1, md5, ipv4, ipv6, domain, url, file-name, account"
    );

    // TLP 2.0, in its order: RED is the least shareable.
    for (typed, tlp) in [
        ("clear", Tlp::Clear),
        ("TLP:GREEN", Tlp::Green),
        ("Amber", Tlp::Amber),
        ("amber+strict", Tlp::AmberStrict),
        ("TLP:AMBER+STRICT", Tlp::AmberStrict),
        ("amber-strict", Tlp::AmberStrict),
        ("red", Tlp::Red),
    ] {
        assert_eq!(Tlp::of(typed).unwrap(), tlp, "{typed}");
    }
    assert!(Tlp::Clear < Tlp::Green && Tlp::Green < Tlp::Amber);
    assert!(Tlp::Amber < Tlp::AmberStrict && Tlp::AmberStrict < Tlp::Red);
    assert_eq!(
        Tlp::of("white").unwrap_err().to_string(),
        "TLP marking: TLP 2.0 has no WHITE: it became CLEAR"
    );
    assert_eq!(
        Tlp::of("orange").unwrap_err().to_string(),
        "TLP marking: use one of clear, green, amber, amber+strict, red"
    );
    assert_eq!(serde_json::to_string(&Tlp::AmberStrict).unwrap(), "\"amber+strict\"");
    assert_eq!(Tlp::AmberStrict.label(), "TLP:AMBER+STRICT");

    for (typed, value, words) in [
        ("low", 15, "low"),
        ("Medium", 50, "medium"),
        ("high", 85, "high"),
        ("none", 0, "none"),
        ("0", 0, "none"),
        ("29", 29, "low"),
        ("30", 30, "medium"),
        ("70", 70, "high"),
        ("100", 100, "high"),
    ] {
        let c = Confidence::of(typed).unwrap();
        assert_eq!((c.value(), c.words()), (value, words), "{typed}");
    }
    assert_eq!(Confidence::of("85").unwrap().to_string(), "85 (high)");
    assert_eq!(serde_json::to_string(&Confidence::of("high").unwrap()).unwrap(), "85");
    assert_eq!(serde_json::from_str::<Confidence>("100").unwrap().value(), 100);
    assert!(serde_json::from_str::<Confidence>("101").is_err());
    for bad in ["101", "-1", "sure", ""] {
        assert_eq!(
            Confidence::of(bad).unwrap_err().to_string(),
            "confidence: use low, medium, high or a number from 0 to 100",
            "{bad}"
        );
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 2000, failure_persistence: None, ..Default::default() })]

    /// Any text, of any type: an answer, never a panic; a value kept checks to itself, and
    /// an error never holds the text it refuses.
    #[test]
    fn any_text_gets_an_answer_and_a_kept_value_is_stable(
        kind in proptest::sample::select(IocType::ALL),
        text in proptest::prop_oneof![
            "\\PC*",
            "[a-fA-F0-9]{0,70}",
            "[a-z0-9.:/@_\\[\\] -]{0,40}",
            "(hxxps?|https?|ftp)://[a-z0-9.\\[\\]@-]{0,24}(:[0-9]{1,6})?(/[a-z%']{0,6})?",
        ],
    ) {
        match kind.check(&text) {
            Ok(kept) => proptest::prop_assert_eq!(kind.check(&kept).ok(), Some(kept)),
            Err(e) => {
                proptest::prop_assert_eq!(e.code(), "indicator_invalid");
                let t = text.trim();
                if t.chars().count() > 8 {
                    proptest::prop_assert!(!e.to_string().contains(t), "{} echoes {:?}", e, t);
                }
            }
        }
    }
}
