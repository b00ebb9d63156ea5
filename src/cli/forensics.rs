//! `caregiver evidence ...` and `caregiver ioc ...`: an incident's forensic record, its
//! evidence and their chain of custody, its indicators of compromise and their exports.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use caregiver::app::App;
use caregiver::app::incidents::parse_time;
use caregiver::forensics::custody::TransferState;
use caregiver::forensics::evidence::{EvidenceKind, EvidenceView, NewEvidence};
use caregiver::forensics::hash::{FileHash, HashProgress};
use caregiver::forensics::indicators::{Format, Indicator, NewIndicator};
use caregiver::forensics::ioc::{Confidence, IocType, Tlp};
use caregiver::forensics::summary::{FindingsChange, Summary};
use caregiver::words::{Zone, counted};
use clap::{Subcommand, ValueEnum};

use super::{Auth, Result, print_json, say, warn, write_file};

#[derive(Debug, Subcommand)]
pub enum EvidenceCommand {
    /// Add an evidence item to an incident (incident leads and admins): its file, hashed
    /// here with SHA-256, or the SHA-256 another tool made. Prints the item's id; you hold
    /// it first.
    #[command(group(clap::ArgGroup::new("hashed").args(["file", "hash"])))]
    Add {
        /// The incident.
        id: String,
        /// The evidence file (an image, an export, a photo): hashed as it is read.
        #[arg(long, value_name = "PATH")]
        file: Option<PathBuf>,
        /// The SHA-256 a write-blocker or imaging tool reported (64 hexadecimal digits).
        #[arg(long, value_name = "SHA256", requires = "tool")]
        hash: Option<String>,
        /// The tool that made --hash.
        #[arg(long, value_name = "TEXT", requires = "hash")]
        tool: Option<String>,
        /// What it is, in words.
        #[arg(long, value_name = "TEXT")]
        what: String,
        /// disk-image, memory-capture, log-export, ransom-note-photo, usb-stick, paper or
        /// other (default).
        #[arg(long, value_name = "KIND")]
        kind: Option<String>,
        /// Where it is kept (a safe, a locker, a share).
        #[arg(long, value_name = "TEXT")]
        kept_at: Option<String>,
        /// The asset it came from: its id or asset tag in the asset register.
        #[arg(long, value_name = "TAG")]
        asset: Option<String>,
        /// Who collected it (default: you).
        #[arg(long, value_name = "NAME")]
        collected_by: Option<String>,
        /// When it was collected (RFC 3339, or 2026-11-28T06:30 on this workstation's
        /// clock; default: now).
        #[arg(long, value_name = "TIME")]
        collected: Option<String>,
    },
    /// Hand an item you hold to another user of this workstation: pending until they
    /// confirm it.
    Transfer {
        item: String,
        #[arg(long, value_name = "NAME")]
        to: String,
        #[arg(long, value_name = "TEXT")]
        purpose: String,
        /// The item's condition as you hand it over (sealed bag intact, ...).
        #[arg(long, value_name = "TEXT")]
        condition: Option<String>,
    },
    /// Confirm a hand-over addressed to you: you hold the item from now.
    Confirm {
        item: String,
        /// The condition it arrived in.
        #[arg(long, value_name = "TEXT")]
        condition: Option<String>,
    },
    /// Hash a file again and say whether it still matches the item (the check is logged);
    /// exits non-zero when it does not.
    Verify {
        item: String,
        #[arg(long, value_name = "PATH")]
        file: PathBuf,
    },
    /// An incident's evidence items and who holds each (yours only, unless you are an
    /// incident lead or admin).
    List {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Write an item's printable chain-of-custody form (HTML).
    Form {
        item: String,
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// The forensics summary of an incident: systems affected, first and last malicious
    /// activity, how it got in, the data affected (incident leads and admins).
    Summary {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Record what the investigation found (incident leads and admins); an empty value
    /// clears it.
    Findings {
        id: String,
        /// How the attacker got in.
        #[arg(long, value_name = "TEXT")]
        how_it_got_in: Option<String>,
        /// The data affected.
        #[arg(long, value_name = "TEXT")]
        data_affected: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FormatArg {
    Csv,
    Stix,
}

#[derive(Debug, Subcommand)]
pub enum IocCommand {
    /// Record an indicator of compromise (incident leads and admins). TYPE: sha256, sha1,
    /// md5, ipv4, ipv6, domain, url, file-name or account. Prints its id.
    Add {
        id: String,
        #[arg(value_name = "TYPE")]
        kind: String,
        value: String,
        /// Its TLP 2.0 marking: clear, green, amber, amber+strict (default) or red.
        #[arg(long, value_name = "LEVEL")]
        tlp: Option<String>,
        /// Where it came from (an EDR alert, the outside firm's report).
        #[arg(long, value_name = "TEXT")]
        source: Option<String>,
        /// low, medium, high, or 0 to 100.
        #[arg(long, value_name = "LEVEL")]
        confidence: Option<String>,
        /// When it was first seen (RFC 3339, or 2026-11-28T06:30 on this workstation's
        /// clock).
        #[arg(long, value_name = "TIME")]
        first_seen: Option<String>,
        /// The asset it was found on: its id or asset tag in the asset register.
        #[arg(long, value_name = "TAG")]
        asset: Option<String>,
    },
    /// An incident's indicators (not for clinicians).
    List {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Export the indicators marked up to LEVEL, as CSV or a STIX 2.1 bundle; those marked
    /// above it are left out (incident leads and admins).
    Export {
        id: String,
        #[arg(long, value_enum)]
        format: FormatArg,
        #[arg(long, value_name = "LEVEL")]
        tlp_max: String,
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
}

/// Hashes a file with a progress line on stderr: rewritten in place on a terminal, a line
/// per quarter otherwise.
fn hash_with_progress(path: &Path) -> Result<FileHash> {
    let name = path.display().to_string();
    let terminal = std::io::stderr().is_terminal();
    let mut shown: Option<u8> = None;
    let hashed = App::hash_file(path, |p: HashProgress| {
        let Some(pct) = p.percent() else { return };
        let step = if terminal { pct } else { pct / 25 * 25 };
        if shown == Some(step) {
            return;
        }
        shown = Some(step);
        let total = p.total.unwrap_or_default();
        let line = format!("hashing {name}: {pct}% of {}", size(total));
        if terminal {
            eprint!("\r{line}");
        } else {
            warn(&line);
        }
    });
    if terminal && shown.is_some() {
        eprintln!();
    }
    hashed
}

/// A size in bytes as people read it.
fn size(bytes: u64) -> String {
    let units = [("GB", 1e9), ("MB", 1e6), ("kB", 1e3)];
    match units.iter().find(|(_, n)| bytes as f64 >= *n) {
        Some((unit, n)) => format!("{:.1} {unit}", bytes as f64 / n),
        None => format!("{bytes} bytes"),
    }
}

/// A list as JSON, or each item shown, or `none` when it is empty.
fn listed<T: serde::Serialize>(list: &[T], json: bool, none: &str, show: impl Fn(&T)) {
    if json {
        print_json(&list);
    } else if list.is_empty() {
        say(none);
    } else {
        list.iter().for_each(show);
    }
}

fn show_item(v: &EvidenceView, zone: &Zone) {
    let (i, c) = (&v.item, &v.custody);
    say(&format!("{}  {}  {}", i.id, i.kind.label(), i.description));
    if let Some(h) = &i.hash {
        say(&format!("  SHA-256 {} ({})", h.sha256, h.made_by()));
    }
    let since = c.since.map(|t| zone.minute(t)).unwrap_or_default();
    let mut held = format!("  held by {} since {since}", c.holder);
    if let Some(t) = c.pending() {
        held.push_str(&format!("; hand-over to {} PENDING since {}", t.to, zone.minute(t.at)));
    }
    say(&held);
    let kept = i.kept_at.as_deref().map(|k| format!("; kept at {k}")).unwrap_or_default();
    let asset = i.asset.as_ref().map(|a| format!("; from {}", a.words())).unwrap_or_default();
    say(&format!("  collected by {} at {}{kept}{asset}", i.collected_by, zone.minute(i.collected)));
    for t in &c.transfers {
        let state = match &t.state {
            TransferState::Pending => "PENDING".to_owned(),
            TransferState::Confirmed { at, .. } => format!("confirmed {}", zone.minute(*at)),
            TransferState::Withdrawn { by } => format!("withdrawn (entry {by})"),
        };
        say(&format!("  {}  {} -> {}: {} [{state}]", zone.minute(t.at), t.from, t.to, t.purpose));
    }
    for k in &c.checks {
        let result = if k.matches { "matches" } else { "DOES NOT MATCH" };
        say(&format!("  checked by {} at {}: {result}", k.by, zone.minute(k.at)));
    }
    for n in &c.not_counted {
        warn(&format!("warning[custody_entry_not_counted]: {}: {n}", i.id));
    }
}

fn show_summary(s: &Summary, zone: &Zone) {
    let when =
        |t: Option<chrono::DateTime<chrono::Utc>>| t.map_or("-".to_owned(), |t| zone.minute(t));
    say(&format!("Forensics summary of {}", s.incident));
    if s.systems_affected.is_empty() {
        say("  systems affected: none named by evidence or indicators");
    }
    for sys in &s.systems_affected {
        let named: Vec<&str> =
            sys.evidence.iter().chain(&sys.indicators).map(String::as_str).collect();
        say(&format!("  system affected: {} ({})", sys.asset, named.join(", ")));
    }
    say(&format!("  first malicious activity: {}", when(s.first_malicious)));
    say(&format!("  last malicious activity: {}", when(s.last_malicious)));
    say(&format!("  how it got in: {}", s.entry_vector.as_deref().unwrap_or("not recorded")));
    say(&format!("  data affected: {}", s.data_affected.as_deref().unwrap_or("not recorded")));
    say(&format!(
        "  evidence: {}, {} pending{}",
        counted(s.evidence_items, "item", "items"),
        counted(s.pending_transfers, "hand-over", "hand-overs"),
        if s.mismatched.is_empty() {
            String::new()
        } else {
            format!("; DOES NOT MATCH: {}", s.mismatched.join(", "))
        }
    ));
    let by: Vec<String> = s.by_tlp.iter().map(|(t, n)| format!("{n} {t}")).collect();
    say(&format!("  indicators: {} ({})", s.indicators, by.join(", ")));
}

pub fn run_evidence(auth: &Auth, cmd: EvidenceCommand) -> Result {
    let app = auth.signed_in()?;
    let zone = &app.zone();
    match cmd {
        EvidenceCommand::Add {
            id,
            file,
            hash,
            tool,
            what,
            kind,
            kept_at,
            asset,
            collected_by,
            collected,
        } => {
            let new = NewEvidence {
                kind: kind.as_deref().map(EvidenceKind::of).transpose()?,
                description: what,
                kept_at,
                collected_by,
                collected: parse_time(collected.as_deref(), zone, "collection time")?,
                asset,
                hash: match (file, hash) {
                    (Some(path), _) => Some(caregiver::forensics::evidence::EvidenceHash::of_file(
                        &hash_with_progress(&path)?,
                    )),
                    (None, Some(sha256)) => {
                        Some(App::hash_from_tool(&sha256, tool.as_deref().unwrap_or_default())?)
                    }
                    (None, None) => None,
                },
            };
            let v = app.add_evidence(&id, new)?;
            say(&v.item.id);
            if let Some(h) = &v.item.hash {
                warn(&format!("SHA-256 {} ({})", h.sha256, h.made_by()));
            }
        }
        EvidenceCommand::Transfer { item, to, purpose, condition } => {
            let v = app.transfer_evidence(&item, &to, &purpose, condition.as_deref())?;
            let to = v.custody.pending().map_or(to, |t| t.to.clone());
            say(&format!(
                "Handed {item} to {to}: pending until {to} confirms it (caregiver evidence confirm {item})."
            ));
        }
        EvidenceCommand::Confirm { item, condition } => {
            let v = app.confirm_evidence(&item, condition.as_deref())?;
            say(&format!("Confirmed: {} holds {item} now.", v.custody.holder));
        }
        EvidenceCommand::Verify { item, file } => {
            let hashed = hash_with_progress(&file)?;
            let check = app.verify_evidence(&item, &hashed)?;
            if let Some(mismatch) = check.mismatch() {
                return Err(mismatch);
            }
            say(&format!("{item}: the file matches (SHA-256 {}).", check.found));
        }
        EvidenceCommand::List { id, json } => {
            listed(&app.evidence(&id)?, json, "No evidence item you may see.", |v| {
                show_item(v, zone)
            });
        }
        EvidenceCommand::Form { item, out } => {
            let form = app.custody_form(&item)?;
            write_file(&out, &form.bytes)?;
            say(&format!("Wrote the chain-of-custody form of {item} to {}", out.display()));
        }
        EvidenceCommand::Summary { id, json } => {
            let s = app.forensics_summary(&id)?;
            if json { print_json(&s) } else { show_summary(&s, zone) }
        }
        EvidenceCommand::Findings { id, how_it_got_in, data_affected } => {
            let change = FindingsChange { entry_vector: how_it_got_in, data_affected };
            show_summary(&app.record_findings(&id, &change)?, zone);
        }
    }
    Ok(())
}

fn show_indicator(i: &Indicator, zone: &Zone) {
    let mut line = format!("{}  {}  {}  {}", i.id, i.tlp.label(), i.kind.key(), i.value);
    if let Some(c) = i.confidence {
        line.push_str(&format!("  confidence {c}"));
    }
    if let Some(t) = i.first_seen {
        line.push_str(&format!("  first seen {}", zone.minute(t)));
    }
    if let Some(s) = &i.source {
        line.push_str(&format!("  source {s}"));
    }
    if let Some(a) = &i.asset {
        line.push_str(&format!("  on {}", a.words()));
    }
    say(&line);
}

pub fn run_ioc(auth: &Auth, cmd: IocCommand) -> Result {
    let app = auth.signed_in()?;
    let zone = &app.zone();
    match cmd {
        IocCommand::Add { id, kind, value, tlp, source, confidence, first_seen, asset } => {
            let new = NewIndicator {
                kind: IocType::of(&kind)?,
                value,
                tlp: tlp.as_deref().map(Tlp::of).transpose()?,
                source,
                first_seen: parse_time(first_seen.as_deref(), zone, "first seen")?,
                confidence: confidence.as_deref().map(Confidence::of).transpose()?,
                asset,
            };
            say(&app.add_indicator(&id, new)?.id);
        }
        IocCommand::List { id, json } => {
            listed(&app.indicators(&id)?, json, "No indicator recorded.", |i| {
                show_indicator(i, zone)
            });
        }
        IocCommand::Export { id, format, tlp_max, out } => {
            let tlp_max = Tlp::of(&tlp_max)?;
            let format = match format {
                FormatArg::Csv => Format::Csv,
                FormatArg::Stix => Format::Stix,
            };
            let done = app.export_indicators(&id, format, tlp_max)?;
            write_file(&out, &done.export.bytes)?;
            let indicators = |n| counted(n, "indicator", "indicators");
            say(&format!(
                "Exported {} marked up to {} to {}",
                indicators(done.written),
                tlp_max.label(),
                out.display()
            ));
            if done.left_out > 0 {
                warn(&format!(
                    "note: {} marked above {} left out",
                    indicators(done.left_out),
                    tlp_max.label()
                ));
            }
        }
    }
    Ok(())
}
