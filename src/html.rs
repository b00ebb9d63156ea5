//! The printable HTML pages (the after-action review, the HICS 214 Activity Log, the training
//! compliance report): one frame, one stylesheet and a few helpers, for templates written
//! with maud.
//!
//! Why maud: its `html!` templates are Rust, checked when the crate builds, and every value
//! put in one is escaped unless it is wrapped in [`PreEscaped`]. So what a person typed (an
//! incident's title, a name, a note, a skip's reason) cannot become markup, and there is one
//! escaper in the core, maud's. The only values written as they are: the stylesheet below
//! and the pictures the core draws itself (the timeline, the training charts), through
//! [`picture`]; those escape their own text as they draw it.

use maud::{DOCTYPE, Markup, PreEscaped, html};

/// The stylesheet every page shares. Paper is A4 or US letter, whichever the printer holds:
/// the page sets no size, and its margins and full-width tables fit both (A4 is the
/// narrower, letter the shorter). On paper, table headings repeat on each page, rows are not
/// split across pages, and a heading stays with what follows it.
const CSS: &str = r#"
@page { size: auto; margin: 15mm 12mm; }
body { font-family: system-ui, "DejaVu Sans", sans-serif; font-size: 11pt; color: #000;
       margin: 1.5cm; }
@media print { body { margin: 0; } }
h1 { font-size: 15pt; margin: 0 0 0.5em; }
h2 { font-size: 12pt; margin: 1.2em 0 0.4em; break-after: avoid; }
table { border-collapse: collapse; width: 100%; margin-bottom: 0.8em; }
th, td { border: 1px solid #000; padding: 3px 6px; text-align: left; vertical-align: top; }
th { background: #eee; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
svg { max-width: 100%; height: auto; break-inside: avoid; }
.drill { border: 2px solid #000; padding: 0 4px; }
.anchor { font-size: 8pt; word-break: break-all; }
"#;

/// A whole page: the doctype, the head (its title, the shared stylesheet) and `body`.
pub fn page(title: &str, body: Markup) -> String {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                title { (title) }
                style { (PreEscaped(CSS)) }
            }
            body { (body) }
        }
    }
    .into_string()
}

/// The "DRILL" mark set after a title when the incident was an exercise; nothing otherwise.
pub fn drill(drill: bool) -> Markup {
    html! {
        @if drill { " " strong.drill { "DRILL" } }
    }
}

/// A table of text: a heading row, then one row per item, each cell escaped.
pub fn table<R, C>(head: &[&str], rows: impl IntoIterator<Item = R>) -> Markup
where
    R: IntoIterator<Item = C>,
    C: AsRef<str>,
{
    html! {
        table {
            thead { tr { @for h in head { th { (h) } } } }
            tbody {
                @for row in rows {
                    tr { @for cell in row { td { (cell.as_ref()) } } }
                }
            }
        }
    }
}

/// The log's anchor at a report's foot: its last checkpoint and its key's fingerprint, a
/// line each, so paper anchors the electronic log.
pub fn anchor(anchor: &crate::log::Anchor) -> Markup {
    let [checkpoint, key, check] = anchor.lines();
    html! {
        p.anchor { (checkpoint) br; (key) br; (check) }
    }
}

/// A picture the core drew (plotters' SVG: the timeline, a chart), put in as it is. Only for
/// the core's own drawings, which escape the text they hold; never for text a person typed.
pub fn picture(svg: &str) -> PreEscaped<&str> {
    PreEscaped(svg)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The hostile text each report's test puts in a name, a note or a title.
    pub(crate) const HOSTILE: &str = "<script>alert(1)</script> \"quoted\" & 'single'";

    /// The anchor the reports' tests print.
    pub(crate) fn anchor() -> crate::log::Anchor {
        crate::log::Anchor {
            log: "ws-1".into(),
            size: 5,
            head: "ab12".into(),
            fingerprint: "0123 4567".into(),
        }
    }

    /// Asserts a report ends with the log's anchor.
    pub(crate) fn assert_anchored(page: &str) {
        let foot = format!("{}</body></html>", super::anchor(&anchor()).into_string());
        assert!(page.ends_with(&foot), "no anchor at the foot:\n{page}");
    }

    /// Asserts `page` holds `HOSTILE` escaped, at least `times` times, and never raw.
    pub(crate) fn assert_escaped(page: &str, times: usize) {
        assert!(!page.contains("<script"), "raw markup in the page:\n{page}");
        let escaped = "&lt;script&gt;alert(1)&lt;/script&gt; &quot;quoted&quot; &amp; 'single'";
        let found = page.matches(escaped).count();
        assert!(found >= times, "escaped {found} times, wanted {times}:\n{page}");
    }

    #[test]
    fn the_frame_escapes_its_title_and_holds_the_stylesheet() {
        let page = page(HOSTILE, html! { p { (HOSTILE) } });
        assert!(
            page.starts_with("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">")
        );
        assert!(
            page.contains("@page { size: auto;")
                && page.contains("thead { display: table-header-group; }")
        );
        assert_escaped(&page, 2);
    }

    #[test]
    fn tables_escape_every_cell_and_pictures_go_in_as_drawn() {
        let t = table(&["Name", "Note"], [[HOSTILE, "plain"], ["plain", HOSTILE]]).into_string();
        assert!(t.starts_with(
            "<table><thead><tr><th>Name</th><th>Note</th></tr></thead><tbody><tr><td>"
        ));
        assert_escaped(&t, 2);
        let empty = table(&["Only"], Vec::<[&str; 1]>::new()).into_string();
        assert_eq!(empty, "<table><thead><tr><th>Only</th></tr></thead><tbody></tbody></table>");
        let svg = "<svg><text>a &amp; b</text></svg>";
        assert_eq!(html! { (picture(svg)) }.into_string(), svg);
        assert_eq!(drill(true).into_string(), " <strong class=\"drill\">DRILL</strong>");
        assert_eq!(drill(false).into_string(), "");
    }

    /// The anchor's three lines, a line each.
    #[test]
    fn the_anchor_prints_the_checkpoint_the_fingerprint_and_how_to_check() {
        assert_eq!(
            super::anchor(&anchor()).into_string(),
            "<p class=\"anchor\">Activity log ws-1, last checkpoint: 5 entries, head ab12.<br>\
             Signed by the workstation key with fingerprint 0123 4567.<br>\
             To check an export against this page, run caregiver log verify on it: it must print \
             this fingerprint, and the export must hold a checkpoint at 5 entries with this \
             head.</p>"
        );
    }
}
