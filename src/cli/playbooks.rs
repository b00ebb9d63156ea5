//! `caregiver playbook ...` and `caregiver pack ...`.

use std::path::PathBuf;

use caregiver::app::library;
use caregiver::playbook::Playbook;
use clap::Subcommand;
use zeroize::Zeroizing;

use super::{Auth, Result, paths, print_json, read_text, say, warn, when, write_file};

#[derive(Debug, Subcommand)]
pub enum PlaybookCommand {
    /// List the playbooks in force (the same list as the app's home screen).
    List {
        /// Print JSON for scripts: `[{"id": ..., "title": ...}]`.
        #[arg(long)]
        json: bool,
    },
    /// Check playbook files (or folders of them): every problem as file:line:column: message.
    Validate {
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
    },
    /// Show a playbook by phase, or one role's job action sheet.
    Show {
        id: String,
        /// A role id (`it-lead`) or name (`IT/IS Lead`): show its job action sheet.
        #[arg(long, value_name = "ROLE")]
        role: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum PackCommand {
    /// Make a signing key: writes the secret key to KEYFILE and prints the public key.
    Keygen {
        #[arg(long, value_name = "KEYFILE")]
        out: PathBuf,
    },
    /// Sign the playbooks (*.toml) in DIR into a pack; each must pass the checker first.
    Sign {
        dir: PathBuf,
        #[arg(long, value_name = "KEYFILE")]
        key: PathBuf,
        #[arg(long, value_name = "PACK")]
        out: PathBuf,
        /// Must grow with every pack (default: the time of signing, as YYYYMMDDhhmmss).
        #[arg(long, value_name = "N")]
        pack_version: Option<u64>,
        /// Days until the pack expires.
        #[arg(long, default_value_t = 365, value_name = "DAYS")]
        valid_days: u32,
    },
    /// Check a pack against a public key (base64, or a file holding it); needs no store.
    Verify {
        pack: PathBuf,
        #[arg(long, value_name = "PUBKEY")]
        pubkey: String,
    },
    /// Pin the public key that signs this organisation's packs (admins).
    Trust { pubkey: String },
    /// Import a signed pack into the store (admins); it then takes precedence.
    Import { pack: PathBuf },
    /// Show which pack is in force.
    Status,
}

/// The playbooks in force: with `--user`, the store's imported pack over the built-in
/// one; without, the built-in pack. An imported pack that does not verify is never shown:
/// the built-in pack is, with a warning on stderr saying what failed (the exit code stays
/// 0: the playbooks printed are the built-in ones, which are sound).
fn in_force(auth: &Auth) -> Result<Vec<Playbook>> {
    match auth.user {
        None => library::built_in(),
        Some(_) => {
            let app = auth.signed_in()?;
            let list = app.in_force()?.to_vec();
            if let Some(e) = app.pack_warning()? {
                warn(&format!("caregiver: warning[{}]: {e}", e.code()));
            }
            Ok(list)
        }
    }
}

pub fn run(auth: &Auth, cmd: PlaybookCommand) -> Result {
    match cmd {
        PlaybookCommand::List { json } => {
            let list = library::summaries(&in_force(auth)?);
            if json {
                print_json(&list);
            } else {
                let width = list.iter().map(|p| p.id.len()).max().unwrap_or(0);
                for p in &list {
                    say(&format!("{:width$}  {}", p.id, p.title));
                }
            }
        }
        PlaybookCommand::Validate { paths: list } => {
            if let Err(e) = library::validate_playbooks(&paths(&list)) {
                if let caregiver::Error::PlaybookInvalid { diagnostics } = &e {
                    diagnostics.iter().for_each(|d| warn(&d.to_string()));
                }
                return Err(e);
            }
            say("ok: no problems found");
        }
        PlaybookCommand::Show { id, role } => {
            print!("{}", library::sheet_text(&in_force(auth)?, &id, role.as_deref())?);
        }
    }
    Ok(())
}

pub fn run_pack(auth: &Auth, cmd: PackCommand) -> Result {
    let now = super::now();
    match cmd {
        PackCommand::Keygen { out } => {
            let (secret, public) = library::new_pack_key()?;
            super::write_new_private_file(&out, secret.as_bytes())?;
            say(&format!(
                "Signing key written to {} (keep it off the workstations).",
                out.display()
            ));
            say("Public key (pin it on each workstation with `caregiver pack trust`):");
            say(&public);
        }
        PackCommand::Sign { dir, key, out, pack_version, valid_days } => {
            let key_text = Zeroizing::new(read_text(&key)?);
            let (version, signed) =
                library::sign_pack(&dir, &key_text, pack_version, valid_days, now)?;
            write_file(&out, signed.as_bytes())?;
            say(&format!("Pack version {version} written to {}", out.display()));
        }
        PackCommand::Verify { pack, pubkey } => {
            let info = library::verify_pack(&read_text(&pack)?, &pubkey, now)?;
            say(&format!(
                "ok: pack version {}, signed {}, expires {}, {} playbooks",
                info.version,
                when(&caregiver::words::Zone::system(), info.created),
                info.expires.format("%Y-%m-%d"),
                info.playbooks.len()
            ));
        }
        PackCommand::Trust { pubkey } => {
            auth.signed_in()?.trust_pack_key(&pubkey)?;
            say("Pack signing key pinned: only packs it signed will be imported.");
        }
        PackCommand::Import { pack } => {
            let info = auth.signed_in()?.import_pack(&read_text(&pack)?)?;
            say(&format!(
                "Imported pack version {} ({} playbooks); it is now in force.",
                info.version,
                info.playbooks.len()
            ));
        }
        PackCommand::Status => match auth.signed_in()?.pack_info()? {
            Some(info) => {
                let zone = auth.signed_in()?.zone();
                say(&format!(
                    "pack version {} in force, signed {}, expires {}, imported {}",
                    info.version,
                    info.created.format("%Y-%m-%d"),
                    info.expires.format("%Y-%m-%d"),
                    info.imported.map_or_else(String::new, |t| when(&zone, t))
                ))
            }
            None => say("no pack imported: the built-in default pack is in force"),
        },
    }
    Ok(())
}
