//! `caregiver kev ...`: CISA's Known Exploited Vulnerabilities catalogue against the
//! asset register.

use std::path::PathBuf;

use caregiver::Error;
use clap::Subcommand;

use super::{Auth, Result, print_json, read_import, say, warn_listed};

#[derive(Debug, Subcommand)]
pub enum KevCommand {
    /// Import CISA's KEV catalogue as its published CSV, replacing the last (admins). Every
    /// bad row is reported as FILE:line N: message, and nothing is imported while one is.
    Import { file: PathBuf },
    /// The catalogue's entries that affect assets of the register, those past their due
    /// date first (admins and incident leads).
    List {
        #[arg(long)]
        json: bool,
    },
}

pub fn run(auth: &Auth, cmd: KevCommand) -> Result {
    match cmd {
        KevCommand::Import { file } => {
            let bytes = read_import(&file)?;
            match auth.signed_in()?.import_kev(&bytes) {
                Err(Error::ImportRejected { problems }) => {
                    warn_listed(&problems, "problems", |p| format!("{}:{p}", file.display()));
                    return Err(Error::ImportRejected { problems });
                }
                other => say(&format!("Imported the KEV catalogue: {} entries.", other?)),
            }
        }
        KevCommand::List { json } => {
            let view = auth.signed_in()?.kev_matches()?;
            if json {
                print_json(&view);
                return Ok(());
            }
            let Some(imported) = view.imported else {
                say("No KEV catalogue imported yet: caregiver kev import FILE.");
                return Ok(());
            };
            say(&format!(
                "KEV catalogue imported {imported}: {} entries, {} affecting the register.",
                view.entries,
                view.matches.len()
            ));
            for m in &view.matches {
                let e = &m.entry;
                let due = e.due.map_or_else(|| "no due date".to_owned(), |d| format!("due {d}"));
                let flags = [(m.overdue, "OVERDUE"), (e.ransomware, "ransomware")]
                    .into_iter()
                    .filter_map(|(on, w)| on.then_some(w))
                    .collect::<Vec<_>>()
                    .join(", ");
                let flags = if flags.is_empty() { String::new() } else { format!(" [{flags}]") };
                say(&format!("{} {}: {}; {due}{flags}", e.cve, e.name, m.words));
                say(&format!("  assets: {}", m.assets.join(", ")));
                say(&format!("  action: {}", e.required_action));
            }
        }
    }
    Ok(())
}
