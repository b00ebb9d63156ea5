//! The asset register on paper: the assets in restore order with their recovery objectives,
//! dependencies and downtime procedure, the overdue and unsupported ones, and how far behind
//! each tier is, dated, for the binder kept for when the network is down.

use chrono::NaiveDate;
use maud::html;

use super::{Asset, Filter, KevFlags, TIERS, behind_by_tier, list};
use crate::Result;
use crate::charts::{Bar, percent_bars};
use crate::html::{page, picture, table};

/// How far behind the fleet is, by tier, as the core draws it: the share of each tier's
/// assets behind the latest version, with how many are behind and overdue in words beside
/// each bar (the unsupported ones are in the table beside it).
pub fn behind_chart(assets: &[Asset], today: NaiveDate) -> Result<String> {
    let bars: Vec<Bar> = behind_by_tier(assets, today)
        .into_iter()
        .map(|(t, n, behind, over, _)| {
            let name = TIERS.iter().find(|(k, _)| *k == t).map_or("", |(_, w)| w);
            let name = name.split(':').next().unwrap_or(name);
            Bar {
                label: format!("Tier {t}: {name}"),
                percent: if n == 0 { 0.0 } else { behind as f64 * 100.0 / n as f64 },
                words: format!("{behind} of {n} behind, {over} overdue"),
            }
        })
        .collect();
    percent_bars("Assets behind the latest version, by tier", &bars)
}

/// The printable register on `today`, with the KEV entries each asset is past due on;
/// `printed` says when, in the workstation's zone.
pub fn html(assets: &[Asset], today: NaiveDate, printed: &str, kev: &KevFlags) -> Result<String> {
    let chart = behind_chart(assets, today)?;
    let all = list(assets, Filter::default(), today, kev);
    let overdue = list(assets, Filter { overdue: true, tier: None }, today, kev);
    let opt = |o: &Option<String>| o.clone().unwrap_or_default();
    let hours = |h: Option<u32>| h.map(|h| format!("{h} h")).unwrap_or_default();
    let rows = all.iter().map(|v| {
        let a = &v.asset;
        [
            a.restore_order.map(|n| n.to_string()).unwrap_or_default(),
            a.id.clone(),
            a.name.clone(),
            a.kind.as_str().to_owned(),
            a.tier.to_string(),
            hours(a.rto_hours),
            hours(a.rpo_hours),
            a.depends_on.join(", "),
            opt(&a.downtime_playbook),
            opt(&a.location),
            v.patch_words.clone(),
        ]
    });
    let late = overdue.iter().map(|v| {
        let a = &v.asset;
        [
            a.id.clone(),
            a.name.clone(),
            opt(&a.owner),
            v.patch_words.clone(),
            opt(&a.compensating_controls),
        ]
    });
    let tiers = behind_by_tier(assets, today).into_iter().map(|(t, n, behind, over, eos)| {
        [t.to_string(), n.to_string(), behind.to_string(), over.to_string(), eos.to_string()]
    });
    let body = html! {
        h1 { "Asset register" }
        p { "Printed " (printed) ". For incident leads and admins: it lists weaknesses." }
        h2 { "In the agreed restore order" }
        (table(&["Order", "Id", "Name", "Kind", "Tier", "RTO", "RPO", "Needs", "Downtime playbook", "Location", "Patch status"], rows))
        h2 { "Overdue or unsupported" }
        @if overdue.is_empty() { p { "None." } } @else {
            (table(&["Id", "Name", "Owner", "Patch status", "Compensating controls"], late))
        }
        h2 { "How far behind, by tier" }
        (picture(&chart))
        (table(&["Tier", "Assets", "Behind", "Overdue", "Unsupported"], tiers))
    };
    Ok(page("Asset register", body))
}
