//! The asset register as CSV (documented in `docs/assets.md`): one asset a row, a header
//! naming the columns, read as every import reads CSV ([`crate::csv_table`]) and written as
//! every CSV the app writes is ([`crate::csv_safe`]: formula-like cells guarded, which the
//! reader takes off again, so an export imports back to the same register).
//!
//! Every problem of a row is reported at its line: a missing or bad id, name, kind or
//! tier; a number, date or yes/no that is not one; a text too long; a downtime playbook
//! not in force; the same id twice (at the later row); a dependency on an asset the file
//! does not hold; a dependency loop (at each row in it). A row is left out with its
//! problems, and so is every row that depends on a row left out, until nothing changes:
//! what remains can be stored as it is. Nothing is imported while there is a problem,
//! unless the admin chooses to skip the bad rows (the same rules as the contact import).

use std::collections::HashMap;

use chrono::NaiveDate;

use super::{Asset, AssetKind, TIERS};
use crate::Result;
use crate::checker::is_valid_id;
use crate::csv_table::{self, Columns, RowProblem, date, number, yes_no};
use crate::limits::{MAX_NOTES_CHARS, MAX_TEXT_CHARS};

/// The most assets one file may hold.
pub const MAX_ASSETS: usize = 100_000;

/// The separator of ids in `depends_on`.
pub const LIST_SEPARATOR: char = ';';

/// The columns, in the order [`write`] writes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Id,
    Name,
    Kind,
    Owner,
    Location,
    NetworkSegment,
    Tier,
    RtoHours,
    RpoHours,
    RestoreOrder,
    DependsOn,
    DowntimePlaybook,
    Make,
    Model,
    AssetTag,
    Os,
    OsVersion,
    Firmware,
    EndOfSupport,
    Mds2OnFile,
    SbomOnFile,
    CompensatingControls,
    InstalledVersion,
    LatestVersion,
    LastPatched,
    VendorValidatedOnly,
}

impl Columns for Field {
    const ALL: &'static [Field] = &[
        Field::Id,
        Field::Name,
        Field::Kind,
        Field::Owner,
        Field::Location,
        Field::NetworkSegment,
        Field::Tier,
        Field::RtoHours,
        Field::RpoHours,
        Field::RestoreOrder,
        Field::DependsOn,
        Field::DowntimePlaybook,
        Field::Make,
        Field::Model,
        Field::AssetTag,
        Field::Os,
        Field::OsVersion,
        Field::Firmware,
        Field::EndOfSupport,
        Field::Mds2OnFile,
        Field::SbomOnFile,
        Field::CompensatingControls,
        Field::InstalledVersion,
        Field::LatestVersion,
        Field::LastPatched,
        Field::VendorValidatedOnly,
    ];
    const REQUIRED: &'static [&'static str] = &["id", "name", "kind", "tier"];
    const FILE: &'static str = "assets file";
    const FILE_WITH_ARTICLE: &'static str = "an assets file";
    const MAX_ROWS: usize = MAX_ASSETS;

    fn column(self) -> &'static str {
        match self {
            Field::Id => "id",
            Field::Name => "name",
            Field::Kind => "kind",
            Field::Owner => "owner",
            Field::Location => "location",
            Field::NetworkSegment => "network_segment",
            Field::Tier => "tier",
            Field::RtoHours => "rto_hours",
            Field::RpoHours => "rpo_hours",
            Field::RestoreOrder => "restore_order",
            Field::DependsOn => "depends_on",
            Field::DowntimePlaybook => "downtime_playbook",
            Field::Make => "make",
            Field::Model => "model",
            Field::AssetTag => "asset_tag",
            Field::Os => "os",
            Field::OsVersion => "os_version",
            Field::Firmware => "firmware",
            Field::EndOfSupport => "end_of_support",
            Field::Mds2OnFile => "mds2_on_file",
            Field::SbomOnFile => "sbom_on_file",
            Field::CompensatingControls => "compensating_controls",
            Field::InstalledVersion => "installed_version",
            Field::LatestVersion => "latest_version",
            Field::LastPatched => "last_patched",
            Field::VendorValidatedOnly => "vendor_validated_only",
        }
    }

    fn alias(name: &str) -> Option<&'static str> {
        match name {
            "serial" | "serial_number" => Some("asset_tag"),
            "segment" => Some("network_segment"),
            _ => None,
        }
    }
}

/// What an import found: the assets that can be stored, in file order with their lines,
/// and every problem by line (the first 100 listed by the caller, the rest counted).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    pub assets: Vec<(usize, Asset)>,
    pub problems: Vec<RowProblem>,
}

fn blank() -> Asset {
    Asset {
        id: String::new(),
        name: String::new(),
        kind: AssetKind::System,
        owner: None,
        location: None,
        network_segment: None,
        tier: 0,
        rto_hours: None,
        rpo_hours: None,
        restore_order: None,
        depends_on: Vec::new(),
        downtime_playbook: None,
        make: None,
        model: None,
        asset_tag: None,
        os: None,
        os_version: None,
        firmware: None,
        end_of_support: None,
        mds2_on_file: false,
        sbom_on_file: false,
        compensating_controls: None,
        installed_version: None,
        latest_version: None,
        last_patched: None,
        vendor_validated_only: false,
    }
}

/// Reads and checks a file; `playbooks` are the ids a `downtime_playbook` may name.
pub fn parse(bytes: &[u8], playbooks: &[&str]) -> Result<Parsed> {
    crate::limits::check_file_size(Field::FILE, bytes)?;
    let table = match csv_table::read::<Field>(bytes)? {
        Ok(table) => table,
        Err(problems) => return Ok(Parsed { assets: Vec::new(), problems }),
    };
    let mut problems = table.problems;
    let mut rows = Vec::with_capacity(table.rows.len());
    for r in table.rows {
        let mut asset = blank();
        let mut found = Vec::new();
        for (field, text) in &r.values {
            set_field(&mut asset, *field, text, playbooks, &mut found);
        }
        for (what, text) in [("id", &asset.id), ("name", &asset.name)] {
            if text.is_empty() {
                found.push(format!("`{what}` is empty"));
            }
        }
        if !asset.id.is_empty() && !is_valid_id(&asset.id) {
            found.push(format!(
                "id `{}` must be lower-case letters, digits and dashes, like `ehr-production`",
                crate::limits::quoted(&asset.id)
            ));
        }
        let bad = !found.is_empty() || !r.located.is_empty();
        problems.extend(r.located);
        problems.extend(found.into_iter().map(|message| RowProblem { line: r.line, message }));
        rows.push((r.line, asset, bad));
    }
    check_across(&mut rows, &mut problems);
    problems.sort_by_key(|p| p.line);
    let assets = rows.into_iter().filter(|(_, _, bad)| !bad).map(|(l, a, _)| (l, a)).collect();
    Ok(Parsed { assets, problems })
}

/// Sets one field from its cell, noting what is wrong with it.
fn set_field(
    a: &mut Asset,
    field: Field,
    text: &str,
    playbooks: &[&str],
    problems: &mut Vec<String>,
) {
    let column = field.column();
    let limit = if field == Field::CompensatingControls { MAX_NOTES_CHARS } else { MAX_TEXT_CHARS };
    if text.chars().count() > limit {
        problems.push(format!("`{column}` is longer than {limit} characters"));
        return;
    }
    let opt = || (!text.is_empty()).then(|| text.to_owned());
    match field {
        Field::Id => a.id = text.to_owned(),
        Field::Name => a.name = text.to_owned(),
        Field::Kind => match AssetKind::ALL.iter().find(|(n, _)| *n == text.to_lowercase()) {
            Some((_, k)) => a.kind = *k,
            None => problems.push(format!(
                "unknown kind `{}`: use system, data-set or medical-device",
                crate::limits::quoted(text)
            )),
        },
        Field::Tier => {
            match text.parse::<u8>().ok().filter(|t| TIERS.iter().any(|(n, _)| n == t)) {
                Some(t) => a.tier = t,
                None if text.is_empty() => {
                    problems.push("`tier` is empty: 1 (life-critical) to 4".into())
                }
                None => problems.push(format!(
                    "unknown tier `{}`: tiers are 1 (life-critical) to 4",
                    crate::limits::quoted(text)
                )),
            }
        }
        Field::RtoHours => a.rto_hours = number(text, column, problems),
        Field::RpoHours => a.rpo_hours = number(text, column, problems),
        Field::RestoreOrder => a.restore_order = number(text, column, problems),
        Field::DependsOn => {
            a.depends_on = text
                .split(LIST_SEPARATOR)
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect();
        }
        Field::DowntimePlaybook => {
            if !text.is_empty() && !playbooks.contains(&text) {
                problems.push(format!(
                    "`downtime_playbook` `{}` is not a playbook in force",
                    crate::limits::quoted(text)
                ));
            }
            a.downtime_playbook = opt();
        }
        Field::EndOfSupport => a.end_of_support = date(text, column, problems),
        Field::LastPatched => a.last_patched = date(text, column, problems),
        Field::Mds2OnFile => a.mds2_on_file = yes_no(text, column, problems),
        Field::SbomOnFile => a.sbom_on_file = yes_no(text, column, problems),
        Field::VendorValidatedOnly => a.vendor_validated_only = yes_no(text, column, problems),
        Field::Owner => a.owner = opt(),
        Field::Location => a.location = opt(),
        Field::NetworkSegment => a.network_segment = opt(),
        Field::Make => a.make = opt(),
        Field::Model => a.model = opt(),
        Field::AssetTag => a.asset_tag = opt(),
        Field::Os => a.os = opt(),
        Field::OsVersion => a.os_version = opt(),
        Field::Firmware => a.firmware = opt(),
        Field::CompensatingControls => a.compensating_controls = opt(),
        Field::InstalledVersion => a.installed_version = opt(),
        Field::LatestVersion => a.latest_version = opt(),
    }
}

/// The checks across rows: ids used twice, dependencies on assets the file does not hold
/// or on a row left out, and loops. Linear in the rows and their dependencies.
fn check_across(rows: &mut [(usize, Asset, bool)], problems: &mut Vec<RowProblem>) {
    let mut first: HashMap<String, usize> = HashMap::with_capacity(rows.len());
    for (i, (line, a, bad)) in rows.iter_mut().enumerate() {
        if a.id.is_empty() {
            continue;
        }
        if first.contains_key(&a.id) {
            problems.push(RowProblem {
                line: *line,
                message: format!("the id `{}` is also used by an earlier row", a.id),
            });
            *bad = true;
        } else {
            first.insert(a.id.clone(), i);
        }
    }
    for (line, a, bad) in rows.iter_mut() {
        for d in &a.depends_on {
            if *d == a.id {
                problems.push(RowProblem { line: *line, message: "it depends on itself".into() });
                *bad = true;
            } else if !first.contains_key(d) {
                problems.push(RowProblem {
                    line: *line,
                    message: format!(
                        "`depends_on` names `{}`, which no row of the file is",
                        crate::limits::quoted(d)
                    ),
                });
                *bad = true;
            }
        }
    }
    mark_loops(rows, &first, problems);
    // Rows that need a row left out are left out too, until nothing changes.
    loop {
        let left_out: Vec<bool> = rows.iter().map(|(_, _, bad)| *bad).collect();
        let mut changed = false;
        for (line, a, bad) in rows.iter_mut() {
            if *bad {
                continue;
            }
            if let Some(d) = a
                .depends_on
                .iter()
                .find(|d| first.get(*d).is_some_and(|&j| left_out.get(j) == Some(&true)))
            {
                problems.push(RowProblem {
                    line: *line,
                    message: format!("left out: it depends on `{d}`, a row with problems"),
                });
                *bad = true;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
}

/// Each row in a dependency loop is a problem of its own: one walk over the graph.
#[allow(clippy::indexing_slicing)] // every index comes from `first`, built from `rows`
fn mark_loops(
    rows: &mut [(usize, Asset, bool)],
    first: &HashMap<String, usize>,
    problems: &mut Vec<RowProblem>,
) {
    // 0: not seen, 1: on the walk's path, 2: done.
    let mut state = vec![0u8; rows.len()];
    let mut in_loop = vec![false; rows.len()];
    for start in 0..rows.len() {
        if state[start] != 0 {
            continue;
        }
        let mut path: Vec<(usize, usize)> = vec![(start, 0)];
        state[start] = 1;
        while let Some(&mut (node, ref mut next)) = path.last_mut() {
            let deps = &rows[node].1.depends_on;
            if *next < deps.len() {
                let dep = first.get(&deps[*next]).copied();
                *next += 1;
                match dep.map(|d| (d, state[d])) {
                    Some((d, 0)) => {
                        state[d] = 1;
                        path.push((d, 0));
                    }
                    Some((d, 1)) => {
                        // A loop: every node on the path from `d` on.
                        let from = path.iter().position(|(n, _)| *n == d).unwrap_or(0);
                        for (n, _) in &path[from..] {
                            in_loop[*n] = true;
                        }
                    }
                    _ => {}
                }
            } else {
                state[node] = 2;
                path.pop();
            }
        }
    }
    for (i, (line, a, bad)) in rows.iter_mut().enumerate() {
        if in_loop[i] {
            problems.push(RowProblem {
                line: *line,
                message: format!("`{}` is in a dependency loop: an asset cannot need itself, even through others", a.id),
            });
            *bad = true;
        }
    }
}

/// Writes the register as CSV: every column in order, UTF-8 with a byte order mark and
/// CRLF line ends, formula-like cells guarded.
pub fn write(assets: &[Asset]) -> Result<Vec<u8>> {
    csv_table::write::<Field, Asset>(assets, cell, "assets CSV")
}

fn cell(a: &Asset, field: Field) -> String {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let num = |v: Option<u32>| v.map(|n| n.to_string()).unwrap_or_default();
    let day =
        |v: Option<NaiveDate>| v.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default();
    let yes = |v: bool| if v { "yes" } else { "no" }.to_owned();
    match field {
        Field::Id => a.id.clone(),
        Field::Name => a.name.clone(),
        Field::Kind => a.kind.as_str().to_owned(),
        Field::Owner => text(&a.owner),
        Field::Location => text(&a.location),
        Field::NetworkSegment => text(&a.network_segment),
        Field::Tier => a.tier.to_string(),
        Field::RtoHours => num(a.rto_hours),
        Field::RpoHours => num(a.rpo_hours),
        Field::RestoreOrder => num(a.restore_order),
        Field::DependsOn => a.depends_on.join(&LIST_SEPARATOR.to_string()),
        Field::DowntimePlaybook => text(&a.downtime_playbook),
        Field::Make => text(&a.make),
        Field::Model => text(&a.model),
        Field::AssetTag => text(&a.asset_tag),
        Field::Os => text(&a.os),
        Field::OsVersion => text(&a.os_version),
        Field::Firmware => text(&a.firmware),
        Field::EndOfSupport => day(a.end_of_support),
        Field::Mds2OnFile => yes(a.mds2_on_file),
        Field::SbomOnFile => yes(a.sbom_on_file),
        Field::CompensatingControls => text(&a.compensating_controls),
        Field::InstalledVersion => text(&a.installed_version),
        Field::LatestVersion => text(&a.latest_version),
        Field::LastPatched => day(a.last_patched),
        Field::VendorValidatedOnly => yes(a.vendor_validated_only),
    }
}
