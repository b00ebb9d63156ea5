//! `caregiver siem ...`: forwarding the activity log to the hospital's SIEM as RFC 5424
//! syslog over TLS (docs/siem.md). `set` and `off` are the admin's; `forward` is what the
//! window does every few minutes.

use std::path::{Path, PathBuf};

use caregiver::app::siem::{BATCH, PEM_LIMIT, SiemSetting, host_and_port};
use caregiver::{Error, words};
use clap::Subcommand;
use zeroize::Zeroizing;

use super::{Auth, Result, print_json, say, warn};

#[derive(Debug, Subcommand)]
pub enum SiemCommand {
    /// Forward the log to the SIEM at HOST:PORT over TLS (RFC 5425), its certificate checked
    /// against the CA in FILE and the host name (admins). Notes, observations and other
    /// typed text go as their kind and hash only, unless --send-text.
    Set {
        /// The SIEM's syslog-over-TLS listener, such as siem.example.org:6514.
        target: String,
        /// The CA certificate(s) the SIEM's certificate chains to (PEM).
        #[arg(long, value_name = "FILE")]
        ca: PathBuf,
        /// For mutual TLS: this workstation's certificate (PEM), with --client-key.
        #[arg(long, value_name = "FILE", requires = "client_key")]
        client_cert: Option<PathBuf>,
        /// ... and its private key (PEM); kept sealed, never shown.
        #[arg(long, value_name = "FILE", requires = "client_cert")]
        client_key: Option<PathBuf>,
        /// Send the text people typed (notes, observations, reasons, messages) too: they
        /// may hold patient information.
        #[arg(long)]
        send_text: bool,
        /// Plain TCP with no TLS, for a lab only: never in production (the log would cross
        /// the network readable and unauthenticated). --ca is still read but not used.
        #[arg(long)]
        insecure_plain_tcp: bool,
    },
    /// Stop forwarding (admins). How far it got is kept.
    Off,
    /// The SIEM set, the entries forwarded, when last, and the entries waiting.
    Status {
        #[arg(long)]
        json: bool,
    },
    /// Send the entries waiting, then say how many.
    Forward {
        /// Entries sent per connection.
        #[arg(long, value_name = "N", default_value_t = BATCH)]
        batch: usize,
        #[arg(long)]
        json: bool,
    },
}

pub fn run(auth: &Auth, cmd: SiemCommand) -> Result {
    match cmd {
        SiemCommand::Set { target, ca, client_cert, client_key, send_text, insecure_plain_tcp } => {
            let (host, port) = host_and_port(&target)?;
            let setting = SiemSetting {
                host,
                port,
                ca_pem: read_pem(&ca)?,
                client_cert_pem: client_cert.as_deref().map(read_pem).transpose()?,
                client_key_pem: client_key
                    .as_deref()
                    .map(read_pem)
                    .transpose()?
                    .map(Zeroizing::new),
                send_text,
                plain_tcp: insecure_plain_tcp,
            };
            let name = auth.signed_in()?.set_siem(setting)?;
            if insecure_plain_tcp {
                warn(
                    "warning: plain TCP: the log crosses the network readable and unchecked; for a lab only",
                );
            }
            let text = if send_text { "with the text people typed" } else { "typed text withheld" };
            say(&format!("The log is forwarded to {name} ({text}): `caregiver siem forward`."));
        }
        SiemCommand::Off => {
            auth.signed_in()?.siem_off()?;
            say("SIEM forwarding is off.");
        }
        SiemCommand::Status { json } => {
            let app = auth.signed_in()?;
            let s = app.siem_status()?;
            if json {
                print_json(&s);
                return Ok(());
            }
            let Some(target) = &s.target else {
                say(&format!("No SIEM is set; {} entries would wait.", s.waiting));
                return Ok(());
            };
            let how = match (s.tls, s.mutual_tls) {
                (false, _) => "plain TCP (lab only)",
                (true, false) => "TLS",
                (true, true) => "mutual TLS",
            };
            let text = if s.send_text { "typed text sent" } else { "typed text withheld" };
            say(&format!("SIEM: {target}, {how}, {text}"));
            let last =
                s.last_forwarded.map_or_else(|| "never".to_owned(), |t| app.zone().minute(t));
            say(&format!(
                "Forwarded: {} entries (last {last}); waiting: {}",
                words::count(usize::try_from(s.forwarded).unwrap_or(usize::MAX)),
                words::count(usize::try_from(s.waiting).unwrap_or(usize::MAX))
            ));
        }
        SiemCommand::Forward { batch, json } => {
            let f = auth.signed_in()?.forward_siem(batch)?;
            if json {
                print_json(&f);
            } else {
                say(&format!(
                    "Forwarded {} entries to {} ({} in all; {} waiting).",
                    f.sent, f.target, f.entries, f.waiting
                ));
            }
        }
    }
    Ok(())
}

/// A certificate or key file, as text, at most [`PEM_LIMIT`] bytes.
fn read_pem(path: &Path) -> Result<String> {
    use std::io::Read;
    let mut bytes = Zeroizing::new(Vec::new());
    std::fs::File::open(path)
        .and_then(|f| f.take(PEM_LIMIT as u64 + 1).read_to_end(&mut bytes))
        .map_err(Error::io("read", path))?;
    if bytes.len() > PEM_LIMIT {
        return Err(Error::Invalid {
            what: "certificate file",
            reason: format!("{} is over 1 MB: not a PEM certificate or key", path.display()),
        });
    }
    String::from_utf8(bytes.to_vec()).map_err(|_| Error::Invalid {
        what: "certificate file",
        reason: format!("{} is not PEM text", path.display()),
    })
}
