//! `caregiver bulletin ...`: signed threat bulletins (docs/bulletins.md).

use std::path::PathBuf;

use caregiver::Error;
use caregiver::app::bulletins::{BulletinView, sign_bulletin, validate_bulletin};
use clap::Subcommand;

use super::{Auth, Result, print_json, read_text, say, warn, write_file};

#[derive(Debug, Subcommand)]
pub enum BulletinCommand {
    /// Check a bulletin file; every problem is printed as FILE:LINE:COLUMN: message.
    Validate { file: PathBuf },
    /// Sign a bulletin file with the organisation's signing key (the one packs are signed
    /// with): the file to import on the workstations.
    Sign {
        file: PathBuf,
        #[arg(long, value_name = "KEY_FILE")]
        key: PathBuf,
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Import a signed bulletin (admins): refused when forged, signed by another key than
    /// the one pinned, or expired.
    Import { file: PathBuf },
    /// The bulletins on this workstation, newest first; admins and incident leads also see
    /// the assets each affects and how many have read it.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Acknowledge a bulletin addressed to you, under your own passphrase.
    Ack { id: String },
}

fn problems(e: Error) -> Error {
    if let Error::BulletinInvalid { diagnostics } = &e {
        diagnostics.iter().for_each(|d| warn(&d.to_string()));
    }
    e
}

fn line(b: &BulletinView) -> String {
    let mut flags = Vec::new();
    if b.expired {
        flags.push("expired".to_owned());
    }
    if b.for_me {
        flags.push(if b.acknowledged { "read".to_owned() } else { "TO READ".to_owned() });
    }
    if let Some((read, of)) = b.receipts {
        flags.push(format!("read by {read} of {of}"));
    }
    let b2 = &b.bulletin;
    format!(
        "{:<22} {:<8} {} (issued {}, expires {}) [{}]",
        b2.id,
        b2.severity,
        b2.title,
        b2.issued,
        b2.expires,
        flags.join("; ")
    )
}

pub fn run(auth: &Auth, cmd: BulletinCommand) -> Result {
    match cmd {
        BulletinCommand::Validate { file } => {
            validate_bulletin(&file.display().to_string(), &read_text(&file)?).map_err(problems)?;
            say("The bulletin is valid.");
        }
        BulletinCommand::Sign { file, key, out } => {
            let signed =
                sign_bulletin(&file.display().to_string(), &read_text(&file)?, &read_text(&key)?)
                    .map_err(problems)?;
            write_file(&out, signed.as_bytes())?;
            say(&format!("Signed the bulletin into {}", out.display()));
        }
        BulletinCommand::Import { file } => {
            let b = auth.signed_in()?.import_bulletin(&read_text(&file)?).map_err(problems)?;
            say(&format!("Imported {}", line(&b)));
            if let (Some(words), Some(ids)) = (&b.assets_words, &b.assets) {
                say(&format!(
                    "  {words}{}",
                    if ids.is_empty() { String::new() } else { format!(": {}", ids.join(", ")) }
                ));
            }
        }
        BulletinCommand::List { json } => {
            let list = auth.signed_in()?.bulletins()?;
            if json {
                print_json(&list);
                return Ok(());
            }
            if list.is_empty() {
                say("No bulletin on this workstation.");
            }
            for b in &list {
                say(&line(b));
                if let (Some(words), Some(ids)) = (&b.assets_words, &b.assets) {
                    say(&format!(
                        "  {words}{}",
                        if ids.is_empty() {
                            String::new()
                        } else {
                            format!(": {}", ids.join(", "))
                        }
                    ));
                }
            }
        }
        BulletinCommand::Ack { id } => {
            let b = auth.signed_in()?.acknowledge_bulletin(&id)?;
            say(&format!("Read: {}", b.bulletin.title));
        }
    }
    Ok(())
}
