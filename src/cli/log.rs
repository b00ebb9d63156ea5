//! `caregiver log ...`: the workstation's signed activity log.

use std::path::PathBuf;

use caregiver::Error;
use caregiver::app::records;
use clap::Subcommand;

use super::{Auth, Result, read_text, say, write_file};

#[derive(Debug, Subcommand)]
pub enum LogCommand {
    /// Check an exported bundle: no store, no passphrase. Names the entry that breaks.
    Verify { bundle: PathBuf },
    /// Export the whole log as a bundle (incident leads and admins).
    Export {
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Bring another workstation's bundle into the merged, read-only timeline.
    Import { bundle: PathBuf },
    /// The merged timeline of this workstation and every imported log.
    Timeline {
        #[arg(long, value_name = "ID")]
        incident: Option<String>,
    },
}

pub fn run(auth: &Auth, cmd: LogCommand) -> Result {
    match cmd {
        LogCommand::Verify { bundle } => {
            let file = std::fs::File::open(&bundle).map_err(Error::io("open", &bundle))?;
            let v = records::verify_bundle(std::io::BufReader::new(file))?;
            say(&format!(
                "ok: log {} verifies: {} entries, {} signed checkpoints, head {}",
                v.log, v.entries, v.checkpoints, v.head
            ));
        }
        LogCommand::Import { bundle } => {
            let done = auth.signed_in()?.import_log(&read_text(&bundle)?)?;
            say(&format!(
                "Imported log {}: {} new entries, {} already here",
                done.log, done.new_entries, done.already_present
            ));
        }
        LogCommand::Timeline { incident } => {
            for e in auth.signed_in()?.merged_timeline(incident.as_deref())? {
                say(&format!(
                    "{}  {}  {:>5}  {:<16} {:<20} {}",
                    e.time.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                    e.log,
                    e.seq,
                    e.actor,
                    e.event.kind(),
                    e.incident.unwrap_or_default()
                ));
            }
        }
        LogCommand::Export { out } => {
            let (bytes, count) = auth.signed_in()?.export_log()?;
            write_file(&out, &bytes)?;
            say(&format!("Exported {count} entries to {}", out.display()));
        }
    }
    Ok(())
}
