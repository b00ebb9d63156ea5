//! `caregiver log ...`: the workstation's signed activity log.

use std::path::PathBuf;

use caregiver::Error;
use caregiver::app::records;
use clap::Subcommand;

use super::{Auth, Result, read_text, say, write_file};

#[derive(Debug, Subcommand)]
pub enum LogCommand {
    /// Check an exported bundle: no store, no passphrase. Names the entry that breaks, and
    /// the signer's fingerprint.
    Verify {
        bundle: PathBuf,
        /// The key the bundle must be signed by: a trusted copy of the workstation's public
        /// key (base64, or a PEM file such as `caregiver log key --out key.pem` writes).
        #[arg(long, value_name = "KEY")]
        pubkey: Option<String>,
    },
    /// Print this workstation's log-signing public key and its fingerprint, for an admin to
    /// keep a trusted copy (incident leads and admins).
    Key {
        /// Write the key as PEM to FILE (key.pem) instead.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Export the whole log as a bundle (incident leads and admins).
    Export {
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Check this store against a checkpoint kept away from it, to see a store copied back
    /// from an older copy: the last checkpoint of an earlier export (--bundle), or the one
    /// printed at the foot of a HICS 214 or review (--size and --head).
    Check {
        #[arg(long, value_name = "FILE", conflicts_with_all = ["size", "head"], required_unless_present_all = ["size", "head"])]
        bundle: Option<PathBuf>,
        #[arg(long, value_name = "N", requires = "head")]
        size: Option<u64>,
        #[arg(long, value_name = "HEX", requires = "size")]
        head: Option<String>,
    },
    /// Bring another workstation's bundle into the merged, read-only timeline.
    Import { bundle: PathBuf },
    /// The merged timeline of this workstation and every imported log.
    Timeline {
        #[arg(long, value_name = "ID")]
        incident: Option<String>,
    },
}

/// What verify says, on its own line, when no trusted key was given.
const NOT_CHECKED: &str = "NOT CHECKED: the signer was not checked against a trusted key, so \
    anyone could have re-signed this bundle. Check it with --pubkey KEY (a trusted copy of the \
    workstation's key: `caregiver log key --out key.pem`), or compare the fingerprint above \
    with the one printed on the incident's HICS 214 or review.";

pub fn run(auth: &Auth, cmd: LogCommand) -> Result {
    match cmd {
        LogCommand::Verify { bundle, pubkey } => {
            let file = std::fs::File::open(&bundle).map_err(Error::io("open", &bundle))?;
            let v = records::verify_bundle(std::io::BufReader::new(file), pubkey.as_deref())?;
            if v.from > 0 {
                say(&format!(
                    "a segment (docs/fleet.md): entries {} to {}, following on from the signed checkpoint at entry {}",
                    v.from + 1,
                    v.entries,
                    v.from
                ));
            }
            say(&format!(
                "ok: log {} verifies: {} entries, {} signed checkpoint{}, head {}",
                v.log,
                v.entries,
                v.checkpoints,
                if v.checkpoints == 1 { "" } else { "s" },
                v.head
            ));
            if v.signer_checked {
                say(&format!("signer: {} (the trusted key)", v.signer.fingerprint()));
            } else {
                say(&format!("signer: {}", v.signer.fingerprint()));
                say(NOT_CHECKED);
            }
            if v.people > 0 {
                say(&format!(
                    "people: {} keys certified by the signer; each entry a person's key signed \
                     is in that person's name",
                    v.people
                ));
            }
            if v.elided > 0 || v.records > 0 {
                say(&format!(
                    "incident bundle: {} entries of other incidents elided (their place in the \
                     chain kept); {} records attached, each matching the SHA-256 its entry \
                     vouches for",
                    v.elided, v.records
                ));
            }
            if v.declared > 0 {
                say(&format!(
                    "unsigned: {} entries are covered without their author's signature: their \
                     session ended without signing a checkpoint (the app was killed, or the \
                     power went), and the next person to write declared them:",
                    v.declared
                ));
                for d in &v.declarations {
                    say(&format!(
                        "  entries {} to {}, declared by {} at entry {}",
                        d.from, d.to, d.by, d.at
                    ));
                }
            }
        }
        LogCommand::Key { out } => {
            let key = auth.signed_in()?.log_key()?;
            match out {
                Some(path) => {
                    write_file(&path, key.pem().as_bytes())?;
                    say(&format!(
                        "Wrote this workstation's log-signing public key to {} (fingerprint {}). \
                         Keep a copy where this workstation's users cannot change it.",
                        path.display(),
                        key.fingerprint()
                    ));
                }
                None => {
                    say(&format!("fingerprint: {}", key.fingerprint()));
                    say(&format!("public key: {}", key.base64()));
                    say(key.pem().trim_end());
                }
            }
        }
        LogCommand::Check { bundle, size, head } => {
            let app = auth.signed_in()?;
            let (size, head) = match (bundle, size, head) {
                (Some(path), _, _) => {
                    let file = std::fs::File::open(&path).map_err(Error::io("open", &path))?;
                    app.check_against_bundle(std::io::BufReader::new(file))?
                }
                (None, Some(size), Some(head)) => {
                    app.check_anchor(None, size, head.trim())?;
                    (size, head)
                }
                _ => {
                    return Err(Error::Invalid {
                        what: "log check",
                        reason: "give --bundle FILE, or --size N and --head HEX".into(),
                    });
                }
            };
            say(&format!(
                "ok: this store's log holds the checkpoint kept away from it ({size} entries, head {head})"
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
            let app = auth.signed_in()?;
            let zone = app.zone();
            for e in app.merged_timeline(incident.as_deref())? {
                say(&format!(
                    "{}  {}  {:>5}  {:<16} {:<20} {}",
                    zone.second(e.time),
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
