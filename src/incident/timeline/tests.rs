//! The timeline's tests: the picture parses, names what it shows, escapes what people
//! typed, and never panics on odd spans or bad lanes.

use super::layout::*;
use super::*;
use chrono::TimeZone;

fn at(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 28, h, m, 0).unwrap()
}

fn sample() -> Timeline {
    let lanes = vec![
        "Incident Commander".to_owned(),
        "IT Section Chief".to_owned(),
        "Liaison Officer".to_owned(),
        "WS-ED-04 (Emergency Dept)".to_owned(),
    ];
    let m = |h, mi, lane, kind, label: &str| Mark {
        time: at(h, mi),
        lane,
        kind,
        label: label.to_owned(),
    };
    let marks = vec![
        m(9, 30, 0, MarkKind::Started, "Started the playbook “Ransomware”"),
        m(9, 34, 0, MarkKind::Assigned, "IT Section Chief: Sam Rivera"),
        m(9, 38, 1, MarkKind::Done, "Isolate affected hosts from the network"),
        m(9, 41, 1, MarkKind::Observation, "Ransom note on 3 file servers"),
        m(9, 47, 2, MarkKind::Call, "Called the FBI field office"),
        m(9, 52, 0, MarkKind::Decision, "Go to EHR downtime procedures: yes"),
        m(9, 53, 3, MarkKind::Note, "Downtime forms handed out in ED"),
        m(10, 5, 1, MarkKind::Skipped, "Restore from backup (reason: backups not yet verified)"),
        m(10, 6, 1, MarkKind::Done, "Preserve memory images"),
        m(10, 7, 1, MarkKind::Done, "Collect firewall logs"),
        m(10, 40, 2, MarkKind::Call, "Cyber insurance hotline"),
        m(11, 15, 3, MarkKind::Other, "Printer queue cleared"),
        m(12, 50, 0, MarkKind::Closed, "Incident closed"),
    ];
    Timeline {
        title: "Ransomware — 20261128-0930-a1b2c3".to_owned(),
        drill: true,
        start: at(9, 30),
        end: at(12, 50),
        lanes,
        marks,
        zone: crate::words::Zone::UTC,
        deadlines: vec![
            DeadlineMark {
                time: at(10, 30),
                label: "Notify the CISO (60 min)".into(),
                met: Some(true),
            },
            DeadlineMark {
                time: at(11, 30),
                label: "Report to HHS within 2 h".into(),
                met: Some(false),
            },
            DeadlineMark { time: at(12, 30), label: "Board briefing".into(), met: None },
            DeadlineMark { time: at(18, 0), label: "Outside the range".into(), met: None },
        ],
    }
}

fn parse(svg: &str) -> roxmltree::Document<'_> {
    roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("not XML: {e}\n{svg}"))
}

fn texts(doc: &roxmltree::Document) -> Vec<String> {
    doc.descendants()
        .filter(|n| n.has_tag_name("text") || n.has_tag_name("title"))
        .map(|n| n.text().unwrap_or_default().trim().to_owned())
        .collect()
}

fn count_marks(doc: &roxmltree::Document) -> usize {
    doc.descendants().filter(|n| n.attribute("class") == Some("mark")).count()
}

#[test]
fn sample_parses_and_names_every_lane() {
    let t = sample();
    let svg = render_svg(&t).unwrap();
    let doc = parse(&svg);
    let root = doc.root_element();
    assert!(root.has_tag_name("svg"));
    assert_eq!(root.attribute("width"), Some("960"));
    let texts = texts(&doc);
    for lane in &t.lanes {
        // Drawn at the left (cut short if need be), and whole in its tooltip.
        let start: String = lane.chars().take(12).collect();
        assert!(texts.iter().any(|s| s.starts_with(&start)), "lane {lane} missing");
        assert!(texts.iter().any(|s| *s == format!("Lane: {lane}")), "lane {lane} title");
    }
    assert_eq!(count_marks(&doc), t.marks.len());
    // Every mark carries its whole label.
    for m in &t.marks {
        assert!(texts.iter().any(|s| s.ends_with(&m.label)), "no title for {}", m.label);
    }
    // Clock times on the axis.
    assert!(texts.iter().any(|s| s == "10:00"), "{texts:?}");
}

#[test]
fn one_shape_per_mark() {
    // Seven Done marks: seven circles for them plus the legend's, outline aside.
    let mut t = sample();
    t.deadlines.clear();
    t.marks = (0..7)
        .map(|i| Mark {
            time: at(10, i * 5),
            lane: 1,
            kind: MarkKind::Done,
            label: format!("step {i}"),
        })
        .collect();
    let svg = render_svg(&t).unwrap();
    let doc = parse(&svg);
    let green = doc
        .descendants()
        .filter(|n| n.has_tag_name("circle") && n.attribute("fill") == Some("#009E73"))
        .count();
    assert_eq!(green, 7 + 1);
    assert_eq!(count_marks(&doc), 7);
}

#[test]
fn deadlines_inside_the_range_only_and_missed_ones_stand_out() {
    let t = sample();
    let svg = render_svg(&t).unwrap();
    let doc = parse(&svg);
    let texts = texts(&doc);
    assert!(texts.iter().any(|s| s.contains("MISSED: Report to HHS")), "{texts:?}");
    assert!(texts.iter().any(|s| s.contains("met: Notify the CISO")));
    assert!(!texts.iter().any(|s| s.contains("Outside the range")));
    assert!(t.shows(&t.deadlines[0]) && !t.shows(&t.deadlines[3]));
    // The missed one is drawn thicker, in vermillion.
    assert!(svg.contains("stroke=\"#D55E00\" stroke-width=\"3\""));
}

#[test]
fn hostile_text_is_escaped() {
    let hostile = "</text><script>alert('x')</script> & \"q\" \u{0}\u{1b}]]>";
    let mut t = sample();
    t.title = hostile.to_owned();
    t.lanes[0] = hostile.to_owned();
    t.marks[0].label = hostile.to_owned();
    t.deadlines[0].label = hostile.to_owned();
    let svg = render_svg(&t).unwrap();
    assert!(!svg.contains("<script"));
    let doc = parse(&svg);
    assert_eq!(doc.descendants().filter(|n| n.has_tag_name("script")).count(), 0);
    // The text comes back as written, control characters aside.
    let expected = "</text><script>alert('x')</script> & \"q\" \u{FFFD}\u{FFFD}]]>";
    let texts = texts(&doc);
    assert!(texts.iter().any(|s| s == expected), "{texts:?}");
    assert!(texts.iter().any(|s| s.ends_with(expected)));
}

#[test]
fn drill_is_marked_and_a_real_incident_is_not() {
    let t = sample();
    let svg = render_svg(&t).unwrap();
    let doc = parse(&svg);
    let drill = texts(&doc).iter().filter(|s| s.starts_with("DRILL")).count();
    assert!(drill >= 2, "a band at the top and the foot, and the title");
    let real = Timeline { drill: false, ..t };
    let svg = render_svg(&real).unwrap();
    assert!(!svg.contains("DRILL"));
}

#[test]
fn empty_timelines_say_so() {
    let t = Timeline {
        title: "Phishing — 20261128-0930-000000".into(),
        drill: false,
        start: at(9, 30),
        end: at(9, 30),
        lanes: vec![],
        marks: vec![],
        zone: crate::words::Zone::UTC,
        deadlines: vec![],
    };
    let svg = render_svg(&t).unwrap();
    let doc = parse(&svg);
    assert!(texts(&doc).iter().any(|s| s.starts_with("Nothing recorded yet")));
    assert_eq!(count_marks(&doc), 0);

    let with_lanes = Timeline { lanes: vec!["Incident Commander".into()], ..t };
    let doc_svg = render_svg(&with_lanes).unwrap();
    let doc = parse(&doc_svg);
    assert!(texts(&doc).iter().any(|s| s.starts_with("Nothing recorded yet")));
}

#[test]
fn short_and_odd_spans_render() {
    let mut t = sample();
    t.deadlines.clear();
    // Zero span, seconds, an end before the start, days, years.
    for (start, end) in [
        (at(10, 0), at(10, 0)),
        (at(10, 0), at(10, 0) + chrono::TimeDelta::seconds(7)),
        (at(12, 0), at(9, 0)),
        (at(9, 0), at(9, 0) + chrono::TimeDelta::days(9)),
        (at(9, 0), at(9, 0) + chrono::TimeDelta::days(3000)),
    ] {
        t.start = start;
        t.end = end;
        t.marks.iter_mut().for_each(|m| m.time = start);
        let svg = render_svg(&t).unwrap();
        let doc = parse(&svg);
        assert_eq!(count_marks(&doc), t.marks.len());
        // Tick labels are centred; each is drawn above and below the lanes.
        let ticks = doc
            .descendants()
            .filter(|n| n.has_tag_name("text") && n.attribute("text-anchor") == Some("middle"))
            .count();
        assert!(ticks >= 4, "{start} – {end}: too few ticks");
    }
    // The extremes chrono allows.
    t.start = DateTime::<Utc>::MIN_UTC;
    t.end = DateTime::<Utc>::MAX_UTC;
    parse(&render_svg(&t).unwrap());
}

#[test]
fn tick_spacing_follows_the_span() {
    let base = at(9, 0).timestamp_millis();
    for (span, first, count) in [
        (MIN_SPAN_MS, "09:00:00", 7),
        (20 * MINUTE, "09:00", 5),
        (3 * HOUR + 20 * MINUTE, "09:00", 7),
        (30 * HOUR, "12:00", 5),
        (9 * DAY, "29 Nov 2026", 5),
    ] {
        let (ticks, _) = ticks(&Scale { t0: base, t1: base + span, zone: crate::words::Zone::UTC });
        let labels: Vec<&str> = ticks.iter().map(|t| t.time.as_str()).collect();
        assert_eq!(labels.len(), count, "{labels:?}");
        assert_eq!(labels.first(), Some(&first));
        assert!(ticks.windows(2).all(|w| w[0].x < w[1].x));
    }
    // Across midnight, the date is shown under the first tick and at each new day.
    let (ticks, dated) =
        ticks(&Scale { t0: base + 12 * HOUR, t1: base + 18 * HOUR, zone: crate::words::Zone::UTC });
    assert!(dated);
    let dates: Vec<&str> = ticks.iter().filter_map(|t| t.date.as_deref()).collect();
    assert_eq!(dates, ["28 Nov", "29 Nov"]);
}

fn huge() -> Timeline {
    let lanes: Vec<String> =
        (0..30).map(|i| format!("Workstation WS-{i:02} with a long name here")).collect();
    let marks: Vec<Mark> = (0..500)
        .map(|i| Mark {
            time: at(8, 0) + chrono::TimeDelta::seconds(i * 37 % 20_000),
            lane: (i as usize * 7) % 30,
            kind: MarkKind::ALL[i as usize % MarkKind::ALL.len()],
            label: format!("Entry number {i} with some words to it"),
        })
        .collect();
    Timeline {
        title: "30 lanes, 500 entries, 20 deadlines".into(),
        drill: false,
        start: at(8, 0),
        end: at(14, 0),
        lanes,
        marks,
        zone: crate::words::Zone::UTC,
        deadlines: (0..20)
            .map(|i| DeadlineMark {
                time: at(8, 10) + chrono::TimeDelta::minutes(i64::from(i) * 17),
                label: format!("Deadline {i}"),
                met: [None, Some(true), Some(false)].get(i as usize % 3).copied().flatten(),
            })
            .collect(),
    }
}

#[test]
fn many_lanes_and_marks_render() {
    let svg = render_svg(&huge()).unwrap();
    let doc = parse(&svg);
    assert_eq!(count_marks(&doc), 500);
    let height: u32 = doc.root_element().attribute("height").unwrap().parse().unwrap();
    assert!(height > 30 * LANE_H as u32);
}

#[test]
fn bad_lanes_are_errors_not_panics() {
    let mut t = sample();
    t.marks[2].lane = 99;
    let e = render_svg(&t).unwrap_err();
    assert_eq!(e.code(), "invalid_input");
    assert!(e.to_string().contains("mark 3"), "{e}");

    let mut t = sample();
    t.lanes = (0..=MAX_LANES).map(|i| i.to_string()).collect();
    assert_eq!(render_svg(&t).unwrap_err().code(), "invalid_input");
}

#[test]
fn text_helpers() {
    assert_eq!(shorten("abcdef", 4), "abc…");
    assert_eq!(shorten("abc", 4), "abc");
    assert_eq!(fit("a long label", 10, 11.0), None);
    assert_eq!(clean("a\nb\u{7}"), "a b\u{FFFD}");
}

/// Writes `target/timeline-sample.svg` (and the 30-lane stress picture) to look at:
/// `cargo test --lib timeline::tests::write_samples -- --ignored`, then
/// `rsvg-convert target/timeline-sample.svg -o target/timeline-sample.png`.
#[test]
#[ignore]
fn write_samples() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target");
    let dir = std::env::var_os("CARGO_TARGET_DIR").map_or(dir, std::path::PathBuf::from);
    std::fs::create_dir_all(&dir).unwrap();
    let t = sample();
    std::fs::write(dir.join("timeline-sample.svg"), render_svg(&t).unwrap()).unwrap();
    let real = Timeline { drill: false, deadlines: vec![], ..t.clone() };
    std::fs::write(dir.join("timeline-real.svg"), render_svg(&real).unwrap()).unwrap();
    let days = Timeline {
        end: at(9, 30) + chrono::TimeDelta::hours(60),
        marks: t
            .marks
            .iter()
            .enumerate()
            .map(|(i, m)| Mark {
                time: m.time + chrono::TimeDelta::hours(4 * i as i64),
                ..m.clone()
            })
            .collect(),
        deadlines: vec![],
        ..t.clone()
    };
    std::fs::write(dir.join("timeline-days.svg"), render_svg(&days).unwrap()).unwrap();
    let empty = Timeline { marks: vec![], deadlines: vec![], end: at(9, 31), ..t };
    std::fs::write(dir.join("timeline-empty.svg"), render_svg(&empty).unwrap()).unwrap();
    std::fs::write(dir.join("timeline-huge.svg"), render_svg(&huge()).unwrap()).unwrap();
}
