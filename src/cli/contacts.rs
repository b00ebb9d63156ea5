//! `caregiver contacts ...` and `caregiver calltree ...`.

use std::path::PathBuf;

use caregiver::Error;
use caregiver::app::contacts::ContactFile;
use caregiver::contacts::Format;
use clap::{Subcommand, ValueEnum};

use super::{Auth, Result, print_json, read_import, say, say_imported, warn_listed, write_file};

/// The contact tree's file formats.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FormatArg {
    Csv,
    Vcard,
}

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Format {
        match f {
            FormatArg::Csv => Format::Csv,
            FormatArg::Vcard => Format::Vcard,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum ContactsCommand {
    /// List the contacts, in calling order.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Import the contact tree from CSV (docs/contacts.md) or vCard 4, replacing it
    /// (admins). Every bad row is reported as FILE:line N: message; nothing is imported
    /// while any row is bad, unless --skip-bad-rows (then each skipped row is reported).
    Import {
        file: PathBuf,
        #[arg(long)]
        skip_bad_rows: bool,
    },
    /// Export the contact tree as CSV or vCard 4.
    Export {
        #[arg(long, value_enum)]
        format: FormatArg,
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum CalltreeCommand {
    /// Who calls whom, with numbers, alternates and escalation times.
    Show {
        /// A playbook id: the tree for that kind of incident.
        #[arg(long, value_name = "TYPE")]
        incident_type: Option<String>,
    },
}

pub fn run(auth: &Auth, cmd: ContactsCommand) -> Result {
    match cmd {
        ContactsCommand::Import { file, skip_bad_rows } => {
            let bytes = read_import(&file)?;
            let name =
                file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let shown = file.display();
            let contact_file = ContactFile { bytes: &bytes, name: &name };
            let preview = match auth.signed_in()?.import_contacts(contact_file, skip_bad_rows) {
                Err(Error::ImportRejected { problems }) => {
                    warn_listed(&problems, "problems", |p| format!("{shown}:{p}"));
                    return Err(Error::ImportRejected { problems });
                }
                other => other?,
            };
            warn_listed(&preview.problems, "problems", |p| format!("{shown}:{p} (skipped)"));
            warn_listed(&preview.warnings, "warnings", |w| format!("{shown}:{w} (warning)"));
            let counts = (preview.added, preview.changed, preview.removed);
            say_imported("contacts", preview.good, counts, preview.problems.total());
        }
        ContactsCommand::Export { format, out } => {
            let app = auth.signed_in()?;
            write_file(&out, &app.export_contacts(format.into())?.bytes)?;
            say(&format!("Exported {} contacts to {}", app.contacts()?.len(), out.display()));
        }
        ContactsCommand::List { json } => {
            let contacts = auth.signed_in()?.contacts()?;
            if json {
                print_json(&contacts);
            }
            for c in contacts.iter().filter(|_| !json) {
                say(&format!(
                    "{:<24} {:<32} {:<20} {}",
                    c.id,
                    c.name,
                    c.first_number().unwrap_or_default(),
                    c.role.as_deref().or(c.position.as_deref()).unwrap_or_default()
                ));
            }
        }
    }
    Ok(())
}

pub fn run_calltree(auth: &Auth, cmd: CalltreeCommand) -> Result {
    let CalltreeCommand::Show { incident_type } = cmd;
    say(&auth.signed_in()?.call_tree_text(incident_type.as_deref())?);
    Ok(())
}
