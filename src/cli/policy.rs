//! `caregiver policy ...`: the written security policies (playbooks/policies/README.md).

use std::path::PathBuf;

use caregiver::Error;
use caregiver::app::App;
use caregiver::app::policies::standing_words;
use clap::Subcommand;

use super::training::ReportFormatArg;
use super::{Auth, Result, paths, print_json, say, warn, write_file};

#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Check policy files; every problem is printed as FILE:LINE:COLUMN: message.
    Validate {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// The policies in force, and where you stand on those for you.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Read a policy: the version in force, or an earlier one kept on this workstation.
    Show {
        id: String,
        #[arg(long)]
        version: Option<u32>,
        #[arg(long)]
        json: bool,
    },
    /// Acknowledge the version in force of a policy for you, under your own passphrase.
    Ack { id: String },
    /// Write a policy to print, its version and effective date on every page.
    Print {
        id: String,
        #[arg(long)]
        version: Option<u32>,
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Write the acknowledgment report by policy and department (admins and leads).
    Report {
        #[arg(long, value_enum)]
        format: ReportFormatArg,
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
}

pub fn run(auth: &Auth, cmd: PolicyCommand) -> Result {
    match cmd {
        PolicyCommand::Validate { paths: list } => {
            if let Err(e) = App::validate_policies(&paths(&list)) {
                if let Error::PolicyInvalid { diagnostics } = &e {
                    diagnostics.iter().for_each(|d| warn(&d.to_string()));
                }
                return Err(e);
            }
            say("All policies are valid.");
        }
        PolicyCommand::List { json } => {
            let list = auth.signed_in()?.policies()?;
            if json {
                print_json(&list);
                return Ok(());
            }
            for p in &list {
                let mine = p
                    .mine
                    .as_ref()
                    .map_or_else(|| "not addressed to you".to_owned(), standing_words);
                say(&format!(
                    "{:<24} v{:<3} effective {}  {}: {mine}",
                    p.id, p.version, p.effective, p.title
                ));
            }
        }
        PolicyCommand::Show { id, version, json } => {
            let page = auth.signed_in()?.policy(&id, version)?;
            if json {
                print_json(&page);
                return Ok(());
            }
            let s = &page.summary;
            say(&format!(
                "{} (version {}{})",
                s.title,
                page.shown,
                if page.in_force { ", in force" } else { ", no longer in force" }
            ));
            for (v, effective, superseded) in &page.versions {
                let until =
                    superseded.map_or_else(|| "in force".to_owned(), |d| format!("until {d}"));
                say(&format!("  version {v}: effective {effective}, {until}"));
            }
            say("");
            say(&page.text);
            say("");
            page.sources.iter().for_each(|src| say(&format!("Source: {src}")));
            if let Some(m) = &s.mine {
                say(&format!("You: {}", standing_words(m)));
            }
        }
        PolicyCommand::Ack { id } => {
            let ack = auth.signed_in()?.acknowledge_policy(&id)?;
            say(&format!("{} acknowledged {id} version {}.", ack.user, ack.version));
        }
        PolicyCommand::Print { id, version, out } => {
            write_file(&out, &auth.signed_in()?.print_policy(&id, version)?.bytes)?;
            say(&format!("Wrote the policy to print to {}", out.display()));
        }
        PolicyCommand::Report { format, out } => {
            write_file(&out, &auth.signed_in()?.policy_report(format.into())?.bytes)?;
            say(&format!("Wrote the policy report to {}", out.display()));
        }
    }
    Ok(())
}
