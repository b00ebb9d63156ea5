//! An evidence item's chain-of-custody form, as printable HTML (through `html::page`, so
//! everything a person typed is escaped): what the item is and its SHA-256, every
//! hand-over with its state (a pending one marked PENDING), every check of its file, rows
//! to sign by hand for hand-overs outside the app (to the FBI, to an outside firm), and the
//! activity log's last checkpoint with the item's entries it covers, so the paper anchors
//! the electronic chain: a later export of the log must hold the same checkpoint.

use chrono::{DateTime, Utc};
use maud::html;

use super::custody::TransferState;
use super::evidence::EvidenceView;
use crate::html;
use crate::incident::Incident;
use crate::log::Anchor;
use crate::words::Zone;

/// Blank rows for hand-overs signed on paper.
const PAPER_ROWS: usize = 5;

/// The form of one item, its times in `zone`.
pub fn html(
    view: &EvidenceView,
    incident: &Incident,
    anchor: &Anchor,
    prepared_by: &str,
    (now, zone): (DateTime<Utc>, &Zone),
) -> String {
    let item = &view.item;
    let c = &view.custody;
    let at = |t: DateTime<Utc>| zone.minute(t);
    let hash = item.hash.as_ref().map_or_else(
        || "none recorded (a physical item)".to_owned(),
        |h| format!("{} ({})", h.sha256, h.made_by()),
    );
    let added =
        c.added.as_ref().map(|a| format!("{} at {} (log entry {})", a.by, at(a.at), a.entry));
    let since = c.since.map(at).unwrap_or_default();
    let holder = match c.pending() {
        Some(t) => format!(
            "{} since {since}; a hand-over to {} is PENDING (not yet confirmed)",
            c.holder, t.to
        ),
        None => format!("{} since {since}", c.holder),
    };
    let covered: Vec<String> =
        c.entries.iter().filter(|e| **e <= anchor.size).map(u64::to_string).collect();
    let after: Vec<String> =
        c.entries.iter().filter(|e| **e > anchor.size).map(u64::to_string).collect();
    let body = html! {
        h1 { "CHAIN OF CUSTODY" }
        table {
            tr { th { "Incident" } td { (incident.title) (html::drill(incident.drill)) br; "Incident " (incident.id) } }
            tr { th { "Item" } td { strong { (item.id) } } }
            tr { th { "What it is" } td { (item.kind.label()) } }
            tr { th { "Description" } td { (item.description) } }
            tr { th { "Where it is kept" } td { (item.kept_at.as_deref().unwrap_or("-")) } }
            tr { th { "Collected" } td { (item.collected_by) ", " (at(item.collected)) } }
            tr { th { "From asset" } td { (item.asset.as_ref().map_or_else(|| "-".to_owned(), super::AssetRef::words)) } }
            tr { th { "SHA-256" } td { (hash) } }
            tr { th { "Added to the record" } td { (added.unwrap_or_default()) } }
            tr { th { "Held now by" } td { (holder) } }
        }
        h2 { "Hand-overs" }
        (html::table(
            &["#", "Date and time", "From", "To", "Purpose", "Condition", "Status", "Log entry"],
            c.transfers.iter().enumerate().map(|(n, t)| {
                let status = match &t.state {
                    TransferState::Pending => format!("PENDING: {} has not confirmed it", t.to),
                    TransferState::Confirmed { entry, at: when, condition } => format!(
                        "Confirmed by {} at {} (entry {entry}){}",
                        t.to,
                        at(*when),
                        condition.as_ref().map(|c| format!(", received {c}")).unwrap_or_default()
                    ),
                    TransferState::Withdrawn { by } => format!("Withdrawn: replaced by entry {by}"),
                };
                [
                    (n + 1).to_string(),
                    at(t.at),
                    t.from.clone(),
                    t.to.clone(),
                    t.purpose.clone(),
                    t.condition.clone().unwrap_or_default(),
                    status,
                    t.entry.to_string(),
                ]
            }),
        ))
        @if c.transfers.is_empty() { p { "No hand-over: held by " (c.holder) " since it was added." } }
        h2 { "Checks of the file" }
        @if c.checks.is_empty() {
            p { "The file was not checked again since it was added." }
        } @else {
            (html::table(
                &["Date and time", "By", "Result", "SHA-256 found", "Log entry"],
                c.checks.iter().map(|k| [
                    at(k.at),
                    k.by.clone(),
                    (if k.matches { "matches" } else { "DOES NOT MATCH" }).to_owned(),
                    k.sha256.clone(),
                    k.entry.to_string(),
                ]),
            ))
        }
        @if !c.not_counted.is_empty() {
            h2 { "Entries not counted" }
            ul { @for n in &c.not_counted { li { (n) } } }
        }
        h2 { "Hand-overs on paper" }
        (html::table(
            &["Date and time", "Released by (name, signature)", "Received by (name, signature)", "Purpose", "Condition"],
            (0..PAPER_ROWS).map(|_| ["\u{a0}"; 5]),
        ))
        p {
            "Prepared by " (prepared_by) " at " (at(now)) " (" (zone.name()) "). "
            "This item's log entries: " (c.entries.iter().map(u64::to_string).collect::<Vec<_>>().join(", "))
            @if after.is_empty() {
                "; the checkpoint below covers all of them."
            } @else {
                "; the checkpoint below covers " (covered.join(", ")) ", not " (after.join(", ")) "."
            }
        }
        (html::anchor(anchor))
    };
    html::page(&format!("Chain of custody: {}", item.id), body)
}
