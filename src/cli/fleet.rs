//! `caregiver fleet ...`: the fleet folder (docs/fleet.md). `publish` is what the window
//! does at unlock, lock and every few minutes; `collect`, `status`, `enroll` and `accept`
//! are the admin's.

use std::path::PathBuf;

use caregiver::fleet::collect::{Report, Workstation};
use clap::Subcommand;

use super::{Auth, Result, print_json, say, warn};

#[derive(Debug, Subcommand)]
pub enum FleetCommand {
    /// Publish this workstation's new log entries, its key and its status into the fleet
    /// folder (`caregiver settings fleet-dir PATH`, or IT's managed configuration).
    Publish,
    /// Collect every workstation's log from DIR: each segment checked against the
    /// workstation's key and imported once; what was refused and why (admins).
    Collect {
        dir: PathBuf,
        /// Workstations not published for this many days are named.
        #[arg(long, value_name = "N", default_value_t = 7)]
        stale_days: u32,
        /// Pin no key on first collection: collect only enrolled workstations.
        #[arg(long)]
        require_enrolled: bool,
        #[arg(long)]
        json: bool,
    },
    /// The workstations of the fleet folder (DIR, else the one in force): when each last
    /// published, the pack each has in force, its key, the entries collected (admins).
    Status {
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
        #[arg(long, value_name = "N", default_value_t = 7)]
        stale_days: u32,
        #[arg(long)]
        json: bool,
    },
    /// Trust a workstation's key from a copy taken on it (`caregiver log key --out
    /// key.pem` there): ID is its folder's name (its log id) (admins).
    Enroll {
        id: String,
        #[arg(long, value_name = "FILE")]
        key: String,
    },
    /// Accept the new key a workstation's folder showed at the last collection, once the
    /// change is confirmed with the workstation (admins).
    Accept { id: String },
}

pub fn run(auth: &Auth, cmd: FleetCommand) -> Result {
    match cmd {
        FleetCommand::Publish => {
            let app = auth.signed_in()?;
            // A newer signed pack in the folder first, so the status says it is in force.
            match app.pick_up_fleet_pack() {
                Ok(Some(picked)) => say(&format!(
                    "Picked up pack version {} from the fleet folder; it is in force{}.",
                    picked.version,
                    if picked.imported { "" } else { " until an admin's sign-in takes it in" }
                )),
                Ok(None) => {}
                Err(e) => eprintln!("caregiver: warning: the fleet folder's packs: {e}"),
            }
            let p = app.publish_fleet()?;
            match p.segment {
                Some((first, last)) => say(&format!(
                    "Published entries {first} to {last} into {} ({} entries in all).",
                    p.folder.display(),
                    p.entries
                )),
                None => say(&format!(
                    "Nothing new to publish; the status in {} is brought up to date ({} entries).",
                    p.folder.display(),
                    p.entries
                )),
            }
        }
        FleetCommand::Collect { dir, stale_days, require_enrolled, json } => {
            let app = auth.signed_in()?;
            let report = app.collect_fleet(&dir, stale_days, require_enrolled)?;
            if json {
                print_json(&report);
            } else {
                print_report(&app, &report, true);
            }
        }
        FleetCommand::Status { dir, stale_days, json } => {
            let app = auth.signed_in()?;
            let report = app.fleet_status(dir.as_deref(), stale_days)?;
            if json {
                print_json(&report);
            } else {
                print_report(&app, &report, false);
            }
        }
        FleetCommand::Enroll { id, key } => {
            let fingerprint = auth.signed_in()?.enroll_workstation(&id, &key)?;
            say(&format!("Workstation {id} enrolled with the key {fingerprint}."));
        }
        FleetCommand::Accept { id } => {
            let fingerprint = auth.signed_in()?.accept_workstation_key(&id)?;
            say(&format!("Workstation {id}'s new key {fingerprint} is accepted."));
        }
    }
    Ok(())
}

fn print_report(app: &caregiver::app::App, r: &Report, collected: bool) {
    let zone = app.zone();
    say(&format!("{} workstation(s) in {}", r.workstations.len(), r.dir.display()));
    for w in &r.workstations {
        let published = w.last_published.map_or_else(
            || "never published".to_owned(),
            |t| format!("published {}", zone.minute(t)),
        );
        let pack =
            w.pack_version.map_or_else(|| "built-in pack".to_owned(), |v| format!("pack v{v}"));
        let this = if w.this_workstation { " (this workstation)" } else { "" };
        say(&format!(
            "{}{this}: {published}, {pack}, {} entries collected",
            w.workstation, w.entries
        ));
        if collected && !w.this_workstation {
            say(&format!(
                "  imported {} new entries from {} segment(s); {} segment(s) collected before",
                w.imported, w.segments, w.already_collected
            ));
        }
        report_problems(w, r.stale_days);
    }
}

fn report_problems(w: &Workstation, stale_days: u32) {
    if w.stale {
        say(&format!("  STALE: not published for {stale_days} days or more"));
    }
    for warning in &w.warnings {
        warn(&format!("warning: {}: {warning}", w.workstation));
    }
    for r in &w.refused {
        let code = serde_json::to_value(r.code).ok();
        let code = code.as_ref().and_then(|c| c.as_str()).unwrap_or("refused");
        say(&format!("  REFUSED {} [{code}]: {}", r.file, r.reason));
    }
}
