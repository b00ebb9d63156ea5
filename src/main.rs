//! `caregiver`: the command-line face of the core. Every capability of the desktop app is
//! reachable here, so it can be scripted, tested and used on a machine with no display.
//!
//! Passphrases never come from argv: from the terminal without echo, or from a file.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use caregiver::contacts::calltree;
use caregiver::incident::{export, review};
use caregiver::playbook::pack;
use caregiver::store::{Kind, Role, Session, Store};
use caregiver::{Error, incident, playbook};
use clap::{Args, Parser, Subcommand};
use zeroize::Zeroizing;

/// Caregiver Playbook: what to do next when a cyber incident or an IT outage hits.
#[derive(Debug, Parser)]
#[command(name = "caregiver", version, about, long_about = None)]
struct Cli {
    #[command(flatten)]
    auth: Auth,
    #[command(subcommand)]
    command: Command,
}

/// Where the store is and who opens it.
#[derive(Debug, Clone, Args)]
struct Auth {
    /// The store file (default: CAREGIVER_STORE, else caregiver.db in the app's data folder).
    #[arg(long, global = true, value_name = "PATH")]
    store: Option<PathBuf>,
    /// Who opens the store (or CAREGIVER_USER). In `training assign`, `--user` names who is
    /// assigned, and CAREGIVER_USER says who signs in.
    #[arg(long, global = true, value_name = "NAME", env = "CAREGIVER_USER")]
    user: Option<String>,
    /// Whether `--user` was typed on the command line (not taken from CAREGIVER_USER).
    #[arg(skip)]
    user_typed: bool,
    /// Read your passphrase from this file instead of asking on the terminal.
    #[arg(long, global = true, value_name = "FILE")]
    passphrase_file: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create a new encrypted store and its first admin; prints the recovery key once.
    Init {
        /// The first admin's name.
        #[arg(long, value_name = "NAME")]
        admin: String,
    },
    /// Read the playbooks.
    #[command(subcommand)]
    Playbook(PlaybookCommand),
    /// Manage users (admins), or change your own passphrase.
    #[command(subcommand)]
    User(UserCommand),
    /// The ward's emergency (break-glass) code.
    #[command(subcommand, name = "emergency-code")]
    EmergencyCode(EmergencyCommand),
    /// Rotate the data key: re-seal every record under a new key (admins).
    Rekey,
    /// Write a consistent, still-encrypted copy of the store to FILE (admins).
    Backup { file: PathBuf },
    /// Replace the store with the backup FILE, after checking that it opens (admins).
    Restore { file: PathBuf },
    /// Workstation settings (admins change them).
    #[command(subcommand)]
    Settings(SettingsCommand),
    /// Signed playbook packs: make a key, sign, verify, pin the key, import.
    #[command(subcommand)]
    Pack(PackCommand),
    /// The workstation's tamper-evident activity log.
    #[command(subcommand)]
    Log(LogCommand),
    /// Run an incident: start a playbook, act on its steps, take notes, close it.
    #[command(subcommand)]
    Incident(IncidentCommand),
    /// The contact tree: people and outside parties to call, and who calls whom.
    #[command(subcommand)]
    Contacts(ContactsCommand),
    /// Show the call tree (for one incident type: a playbook id).
    #[command(subcommand)]
    Calltree(CalltreeCommand),
    /// Security training: modules, assignments, acknowledgments, phishing simulations.
    #[command(subcommand)]
    Training(TrainingCommand),
}

#[derive(Debug, Subcommand)]
enum TrainingCommand {
    /// Where you stand on your modules (admins and leads: everyone), with due dates.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Read a module: its text, its checklist and its quiz.
    Show { module: String },
    /// Assign a module to a role (--role), a department (--department) or a person
    /// (--user NAME: then say who you are with CAREGIVER_USER), due on a date (admins).
    Assign {
        module: String,
        #[arg(long, value_parser = parse_role, value_name = "clinician|staff|lead|admin")]
        role: Option<Role>,
        #[arg(long, value_name = "NAME")]
        department: Option<String>,
        #[arg(long, value_name = "YYYY-MM-DD")]
        due: chrono::NaiveDate,
    },
    /// Acknowledge a module you are assigned, as yourself (--user), after its quiz.
    Ack {
        module: String,
        /// The quiz answers in order, each the number of the choice from 1: `2,1,3`.
        #[arg(long, value_name = "N,N,...", value_delimiter = ',')]
        answers: Option<Vec<usize>>,
    },
    /// The compliance report: csv, or printable html with the charts (admins and leads).
    Report {
        #[arg(long, value_name = "csv|html")]
        format: String,
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Import a simulated-phishing campaign's results (GoPhish's CSV export as it is, or
    /// email,name,clicked,reported,time); clickers are assigned the refresher (admins).
    ImportPhishing {
        file: PathBuf,
        /// The campaign's name (default: the file's name).
        #[arg(long, value_name = "NAME")]
        campaign: Option<String>,
    },
    /// Check training module files (or folders): every problem as file:line:column.
    Validate {
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
enum ContactsCommand {
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
        #[arg(long, value_name = "csv|vcard")]
        format: String,
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum CalltreeCommand {
    /// Who calls whom, with numbers, alternates and escalation times.
    Show {
        /// A playbook id: the tree for that kind of incident.
        #[arg(long, value_name = "TYPE")]
        incident_type: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum IncidentCommand {
    /// Start an incident of a playbook in force; prints the new incident's id.
    Start {
        playbook_id: String,
        /// A drill: it runs the same and is marked as a drill everywhere.
        #[arg(long)]
        drill: bool,
        /// When the problem was discovered (RFC 3339; default: now). Legal clocks run from it.
        #[arg(long, value_name = "RFC3339")]
        discovered: Option<chrono::DateTime<chrono::Utc>>,
        /// The incident lead, a user of this workstation (default: you). They hold
        /// Incident Commander.
        #[arg(long, value_name = "NAME")]
        lead: Option<String>,
    },
    /// Give a HICS position (e.g. it-lead, privacy-officer) to a person; its earlier
    /// holder hands it over. The incident's lead, incident leads and admins.
    Assign { id: String, position: String, person: String },
    /// Say that a step's reminder has been seen.
    AckTimer { id: String, step_id: String },
    /// Record a call to a contact of the tree and its outcome.
    Call {
        id: String,
        contact: String,
        #[arg(long, value_name = "reached|no-answer|left-message|wrong-number")]
        outcome: String,
    },
    /// Draw the incident's timeline (time across, one row per position) as SVG.
    Timeline {
        id: String,
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// The after-action review: steps done and skipped with reasons, time per phase,
    /// deadlines met or missed, time bands against their targets. Text, or --format
    /// html with the timeline picture, or json.
    Review {
        id: String,
        #[arg(long, value_name = "text|html|json", default_value = "text")]
        format: String,
        /// Write here instead of the terminal.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// List incidents, newest first.
    List,
    /// Where an incident stands, and what happened in it.
    Show { id: String },
    /// Act on the current step: --done, --skip REASON, or --choose ANSWER for a decision.
    #[command(group(clap::ArgGroup::new("action").required(true).args(["done", "skip", "choose"])))]
    Step {
        id: String,
        step_id: String,
        #[arg(long)]
        done: bool,
        #[arg(long, value_name = "REASON")]
        skip: Option<String>,
        #[arg(long, value_name = "CHOICE")]
        choose: Option<String>,
    },
    /// Add a note to an incident's record.
    Note { id: String, text: String },
    /// Close an incident (or end a drill).
    Close { id: String },
    /// Export an incident: html (the HICS 214 Activity Log), csv, or json (the signed
    /// evidence bundle of this workstation's log). Incident leads and admins.
    Export {
        id: String,
        #[arg(long, value_name = "html|csv|json")]
        format: String,
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum LogCommand {
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

#[derive(Debug, Subcommand)]
enum PackCommand {
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

#[derive(Debug, Subcommand)]
enum PlaybookCommand {
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
enum UserCommand {
    /// Add a user with a first passphrase, which they change at their first unlock.
    Add {
        name: String,
        #[arg(long, value_parser = parse_role, value_name = "clinician|staff|lead|admin")]
        role: Role,
        #[arg(long, value_name = "FILE")]
        new_passphrase_file: PathBuf,
        /// Their department (training is assigned and reported by department).
        #[arg(long, value_name = "NAME")]
        department: Option<String>,
    },
    /// Set or clear (with an empty name) a user's department.
    Department { name: String, department: String },
    /// List users and their roles.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Remove a user and their unlock slot.
    Remove { name: String },
    /// Set a new passphrase: your own, or (admins) reset someone else's.
    Passwd {
        name: String,
        #[arg(long, value_name = "FILE")]
        new_passphrase_file: PathBuf,
        /// Unlock with the recovery key instead of a passphrase (a forgotten passphrase).
        #[arg(long, value_name = "FILE")]
        recovery_key_file: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
enum EmergencyCommand {
    /// Set or replace the ward's emergency code; an old code stops working.
    Set {
        #[arg(long, value_name = "FILE")]
        code_file: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum SettingsCommand {
    /// Show the settings.
    Show,
    /// Lock the desktop app after this many idle minutes (1 to 120).
    IdleLock { minutes: u32 },
}

fn parse_role(s: &str) -> Result<Role, String> {
    s.parse::<Role>().map_err(|e| e.to_string())
}

fn main() -> ExitCode {
    use clap::{CommandFactory, FromArgMatches};
    let matches = Cli::command().get_matches();
    let mut cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    cli.auth.user_typed = typed(&matches, "user");
    let cli = cli;
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // stderr only: stdout stays clean for scripts.
            eprintln!("caregiver: error[{}]: {e}", e.code());
            ExitCode::FAILURE
        }
    }
}

/// Whether an argument (a global one, at any depth) was typed on the command line.
fn typed(matches: &clap::ArgMatches, id: &str) -> bool {
    let here = matches!(
        matches.try_get_raw(id).ok().flatten().and(matches.value_source(id)),
        Some(clap::parser::ValueSource::CommandLine)
    );
    here || matches.subcommand().is_some_and(|(_, sub)| typed(sub, id))
}

fn run(cli: Cli) -> Result<(), Error> {
    let auth = cli.auth;
    match cli.command {
        Command::Playbook(PlaybookCommand::List { json }) => {
            let list: Vec<_> = playbooks_in_force(&auth)?
                .into_iter()
                .map(|p| playbook::PlaybookSummary { id: p.id, title: p.title })
                .collect();
            if json {
                print_json(&list);
            } else {
                let width = list.iter().map(|p| p.id.len()).max().unwrap_or(0);
                for p in &list {
                    println_safe(&format!("{:width$}  {}", p.id, p.title));
                }
            }
        }
        Command::Playbook(PlaybookCommand::Validate { paths }) => {
            let paths: Vec<&Path> = paths.iter().map(PathBuf::as_path).collect();
            let problems = playbook::validate_paths(&paths);
            if !problems.is_empty() {
                for p in &problems {
                    eprintln!("{p}");
                }
                return Err(Error::PlaybookInvalid { diagnostics: problems });
            }
            println_safe("ok: no problems found");
        }
        Command::Playbook(PlaybookCommand::Show { id, role }) => {
            let p = playbooks_in_force(&auth)?
                .into_iter()
                .find(|p| p.id == id)
                .ok_or(Error::PlaybookNotFound { id })?;
            let text = match role {
                Some(role) => playbook::sheet::job_action_sheet(&p, &role)?,
                None => playbook::sheet::by_phase(&p),
            };
            print!("{text}");
        }
        Command::Init { admin } => {
            let path = caregiver::store::resolve_store_path(auth.store.as_deref(), None)?;
            let passphrase = match &auth.passphrase_file {
                Some(f) => read_secret_file(f, "passphrase")?,
                None => ask_new_passphrase(&admin)?,
            };
            let (_session, recovery) = Store::create(&path, &admin, &passphrase)?;
            println_safe(&format!("Created the store at {}", path.display()));
            println_safe("");
            println_safe(
                "RECOVERY KEY (shown once: print it, and lock it away with the admin records):",
            );
            println_safe(&format!("  {}", recovery.as_str()));
            println_safe("");
            println_safe("Whoever holds it can reset any passphrase on this store.");
        }
        Command::User(UserCommand::Add { name, role, new_passphrase_file, department }) => {
            let first = read_secret_file(&new_passphrase_file, "new passphrase")?;
            let mut session = unlock(&auth)?;
            session.add_user(&name, role, &first)?;
            if let Some(d) = department {
                session.set_department(&name, Some(&d))?;
            }
            println_safe(&format!(
                "Added a user with the {} role; they set their own passphrase at first unlock.",
                role.as_str()
            ));
        }
        Command::User(UserCommand::List { json }) => {
            let users = unlock(&auth)?.list_users()?;
            if json {
                print_json(&users);
            } else {
                let width = users.iter().map(|u| u.name.chars().count()).max().unwrap_or(0);
                for u in &users {
                    let note =
                        if u.must_change_passphrase { "  (must change passphrase)" } else { "" };
                    let dept =
                        u.department.as_deref().map(|d| format!("  {d}")).unwrap_or_default();
                    println_safe(&format!("{:width$}  {:<9}{dept}{note}", u.name, u.role.as_str()));
                }
            }
        }
        Command::User(UserCommand::Department { name, department }) => {
            unlock(&auth)?.set_department(&name, Some(&department))?;
            println_safe("Department set.");
        }
        Command::User(UserCommand::Remove { name }) => {
            unlock(&auth)?.remove_user(&name)?;
            println_safe("Removed the user and their unlock slot.");
        }
        Command::User(UserCommand::Passwd { name, new_passphrase_file, recovery_key_file }) => {
            let new = read_secret_file(&new_passphrase_file, "new passphrase")?;
            let mut session = match recovery_key_file {
                Some(f) => {
                    let key = read_secret_file(&f, "recovery key")?;
                    let key = String::from_utf8_lossy(&key).into_owned();
                    open_store(&auth)?.unlock_with_recovery_key(&name, &key)?
                }
                None => unlock(&auth)?,
            };
            session.change_passphrase(&name, &new)?;
            println_safe("Passphrase changed.");
        }
        Command::EmergencyCode(EmergencyCommand::Set { code_file }) => {
            let code = read_secret_file(&code_file, "emergency code")?;
            unlock(&auth)?.set_emergency_code(&code)?;
            println_safe(
                "Emergency code set. Print it for the ward; any earlier code no longer works.",
            );
        }
        Command::Rekey => {
            unlock(&auth)?.rotate_data_key()?;
            println_safe("Data key rotated: every record is now sealed under the new key.");
        }
        Command::Backup { file } => {
            unlock(&auth)?.backup(&file)?;
            println_safe(&format!("Backup written to {}", file.display()));
        }
        Command::Restore { file } => {
            let path = caregiver::store::resolve_store_path(auth.store.as_deref(), None)?;
            let name = auth.user.as_deref().ok_or_else(need_user)?;
            let passphrase = read_passphrase(&auth, name)?;
            Store::restore(&path, &file, name, &passphrase)?;
            println_safe(&format!("Restored {} from {}", path.display(), file.display()));
        }
        Command::Pack(PackCommand::Keygen { out }) => {
            let (secret, public) = pack::keygen()?;
            write_new_private_file(&out, secret.as_bytes())?;
            println_safe(&format!(
                "Signing key written to {} (keep it off the workstations).",
                out.display()
            ));
            println_safe("Public key (pin it on each workstation with `caregiver pack trust`):");
            println_safe(&public);
        }
        Command::Pack(PackCommand::Sign { dir, key, out, pack_version, valid_days }) => {
            let key_text = Zeroizing::new(
                std::fs::read_to_string(&key).map_err(Error::io("read the key file", &key))?,
            );
            let now = chrono::Utc::now();
            let version = pack_version.unwrap_or_else(|| {
                now.format("%Y%m%d%H%M%S").to_string().parse().unwrap_or_default()
            });
            let signed = pack::sign(&dir, &key_text, version, valid_days, now)?;
            write_replacing(&out, signed.as_bytes())?;
            println_safe(&format!("Pack version {version} written to {}", out.display()));
        }
        Command::Pack(PackCommand::Verify { pack: file, pubkey }) => {
            let text = std::fs::read_to_string(&file).map_err(Error::io("read the pack", &file))?;
            let key = pack::read_public_key(&pubkey)?;
            let (info, _) = pack::verify(&text, &key, chrono::Utc::now())?;
            println_safe(&format!(
                "ok: pack version {}, signed {}, expires {}, {} playbooks",
                info.version,
                info.created.format("%Y-%m-%d %H:%M UTC"),
                info.expires.format("%Y-%m-%d"),
                info.playbooks.len()
            ));
        }
        Command::Pack(PackCommand::Trust { pubkey }) => {
            let key = pack::read_public_key(&pubkey)?;
            pack::trust(&unlock(&auth)?, &key)?;
            println_safe("Pack signing key pinned: only packs it signed will be imported.");
        }
        Command::Pack(PackCommand::Import { pack: file }) => {
            let text = std::fs::read_to_string(&file).map_err(Error::io("read the pack", &file))?;
            let info = pack::import(&unlock(&auth)?, &text, chrono::Utc::now())?;
            println_safe(&format!(
                "Imported pack version {} ({} playbooks); it is now in force.",
                info.version,
                info.playbooks.len()
            ));
        }
        Command::Pack(PackCommand::Status) => match pack::status(&unlock(&auth)?)? {
            Some(info) => println_safe(&format!(
                "pack version {} in force, signed {}, expires {}, imported {}",
                info.version,
                info.created.format("%Y-%m-%d"),
                info.expires.format("%Y-%m-%d"),
                info.imported
                    .map_or_else(String::new, |t| t.format("%Y-%m-%d %H:%M UTC").to_string())
            )),
            None => println_safe("no pack imported: the built-in default pack is in force"),
        },
        Command::Log(LogCommand::Verify { bundle }) => {
            let file = std::fs::File::open(&bundle).map_err(Error::io("open", &bundle))?;
            let v = caregiver::log::verify_bundle(std::io::BufReader::new(file))?;
            println_safe(&format!(
                "ok: log {} verifies: {} entries, {} signed checkpoints, head {}",
                v.log, v.entries, v.checkpoints, v.head
            ));
        }
        Command::Log(LogCommand::Import { bundle }) => {
            let text = std::fs::read_to_string(&bundle).map_err(Error::io("read", &bundle))?;
            let done = unlock(&auth)?.import_log(&text)?;
            println_safe(&format!(
                "Imported log {}: {} new entries, {} already here",
                done.log, done.new_entries, done.already_present
            ));
        }
        Command::Log(LogCommand::Timeline { incident }) => {
            for e in unlock(&auth)?.merged_timeline(incident.as_deref())? {
                println_safe(&format!(
                    "{}  {}  {:>5}  {:<16} {:<20} {}",
                    e.time,
                    e.log,
                    e.seq,
                    e.actor,
                    e.kind,
                    e.incident.unwrap_or_default()
                ));
            }
        }
        Command::Log(LogCommand::Export { out }) => {
            let mut bytes = Vec::new();
            let count = unlock(&auth)?.export_log(&mut bytes)?;
            write_replacing(&out, &bytes)?;
            println_safe(&format!("Exported {count} entries to {}", out.display()));
        }
        Command::Incident(cmd) => run_incident(&auth, cmd)?,
        Command::Training(cmd) => run_training(&auth, cmd)?,
        Command::Contacts(ContactsCommand::Import { file, skip_bad_rows }) => {
            let bytes = std::fs::read(&file).map_err(Error::io("read", &file))?;
            let session = unlock(&auth)?;
            let playbooks: Vec<String> = {
                let imported: Vec<pack::PackedPlaybook> =
                    session.list(Kind::Playbook)?.into_iter().map(|r| r.value).collect();
                pack::in_force(&imported)?.into_iter().map(|p| p.id).collect()
            };
            let types: Vec<&str> = playbooks.iter().map(String::as_str).collect();
            let name =
                file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let shown = file.display();
            let preview = match session.import_contacts(&bytes, &name, &types, skip_bad_rows) {
                Err(Error::ImportRejected { problems }) => {
                    for p in &problems {
                        eprintln!("{shown}:{p}");
                    }
                    return Err(Error::ImportRejected { problems });
                }
                other => other?,
            };
            for p in &preview.problems {
                eprintln!("{shown}:{p} (skipped)");
            }
            for w in &preview.warnings {
                eprintln!("{shown}:{w} (warning)");
            }
            println_safe(&format!(
                "Imported {} contacts ({} new, {} changed, {} removed){}.",
                preview.good,
                preview.added,
                preview.changed,
                preview.removed,
                if preview.problems.is_empty() {
                    String::new()
                } else {
                    format!("; skipped {} bad rows, listed above", preview.problems.len())
                }
            ));
        }
        Command::Contacts(ContactsCommand::Export { format, out }) => {
            let format: caregiver::contacts::Format = format.parse()?;
            let contacts = unlock(&auth)?.contacts()?;
            write_replacing(&out, &format.write(&contacts)?)?;
            println_safe(&format!("Exported {} contacts to {}", contacts.len(), out.display()));
        }
        Command::Contacts(ContactsCommand::List { json }) => {
            let contacts = unlock(&auth)?.contacts()?;
            if json {
                print_json(&contacts);
            } else {
                for c in &contacts {
                    let phone = [&c.work_phone, &c.mobile_phone, &c.pager, &c.support_line]
                        .into_iter()
                        .flatten()
                        .next()
                        .map_or("", String::as_str);
                    println_safe(&format!(
                        "{:<24} {:<32} {:<20} {}",
                        c.id,
                        c.name,
                        phone,
                        c.role.as_deref().or(c.position.as_deref()).unwrap_or_default()
                    ));
                }
            }
        }
        Command::Calltree(CalltreeCommand::Show { incident_type }) => {
            let contacts = unlock(&auth)?.contacts()?;
            if contacts.is_empty() {
                println_safe(
                    "No contact tree yet: an admin imports one (caregiver contacts import).",
                );
            }
            println_safe(&calltree::text(
                &calltree::tree_for(&contacts, incident_type.as_deref()),
                &contacts,
            ));
        }
        Command::Settings(SettingsCommand::Show) => {
            let s = unlock(&auth)?.settings()?;
            println_safe(&format!("idle-lock  {} minutes", s.idle_lock_minutes));
        }
        Command::Settings(SettingsCommand::IdleLock { minutes }) => {
            unlock(&auth)?.set_idle_lock_minutes(minutes)?;
            println_safe(&format!("The desktop app now locks after {minutes} idle minutes."));
        }
    }
    Ok(())
}

fn run_incident(auth: &Auth, cmd: IncidentCommand) -> Result<(), Error> {
    let session = unlock(auth)?;
    let imported: Vec<pack::PackedPlaybook> =
        session.list(Kind::Playbook)?.into_iter().map(|r| r.value).collect();
    let playbooks = pack::in_force(&imported)?;
    let now = chrono::Utc::now();
    let show = |p: &incident::Progress| {
        let drill = if p.incident.drill { "  [DRILL]" } else { "" };
        println_safe(&format!("{}  {}{drill}", p.incident.id, p.incident.title));
        println_safe(&format!(
            "lead {}; discovered {}; {} done, {} skipped; {}",
            p.incident.lead,
            p.incident.discovered.format("%Y-%m-%d %H:%M UTC"),
            p.done,
            p.skipped,
            match (&p.current, p.closed) {
                (_, true) => "closed".to_owned(),
                (Some(step), false) => format!("current step: {step}"),
                (None, false) => "playbook finished: close it".to_owned(),
            }
        ));
    };
    match cmd {
        IncidentCommand::Start { playbook_id, drill, discovered, lead } => {
            let options = incident::StartOptions { drill, discovered, lead };
            let i = incident::start(&session, &playbooks, &playbook_id, options, now)?;
            println_safe(&i.id);
        }
        IncidentCommand::Assign { id, position, person } => {
            let p = incident::assign(&session, &playbooks, &id, &position, &person)?;
            for a in &p.positions {
                println_safe(&format!("{:<40} {}", a.name, a.person));
            }
        }
        IncidentCommand::Review { id, format, out } => {
            let p = incident::progress(&session, &playbooks, &id)?;
            let playbook = incident::playbook(&playbooks, &p.incident.playbook)?;
            let r = review::review(&p, playbook, now);
            let text = match format.as_str() {
                "text" => review::text(&r),
                "html" => review::html(
                    &r,
                    &incident::timeline::render_svg(&review::timeline(
                        &p, playbook, now,
                    ))?,
                    now,
                ),
                "json" => serde_json::to_string_pretty(&r)
                    .map_err(|e| Error::Invalid { what: "review", reason: e.to_string() })?,
                _ => {
                    return Err(Error::Invalid {
                        what: "format",
                        reason: "must be text, html or json".into(),
                    });
                }
            };
            match out {
                Some(path) => {
                    write_replacing(&path, text.as_bytes())?;
                    println_safe(&format!("Wrote the review of {id} to {}", path.display()));
                }
                None => println_safe(text.trim_end()),
            }
        }
        IncidentCommand::Timeline { id, out } => {
            let p = incident::progress(&session, &playbooks, &id)?;
            let playbook = incident::playbook(&playbooks, &p.incident.playbook)?;
            let svg =
                incident::timeline::render_svg(&review::timeline(&p, playbook, now))?;
            write_replacing(&out, svg.as_bytes())?;
            println_safe(&format!("Wrote the timeline of {id} to {}", out.display()));
        }
        IncidentCommand::Call { id, contact, outcome } => {
            let outcome: calltree::Outcome = outcome.parse()?;
            let p = incident::call(&session, &playbooks, &id, &contact, outcome)?;
            let contacts = session.contacts()?;
            let tree = calltree::tree_for(&contacts, Some(&p.incident.playbook));
            let status = calltree::status(&tree, &contacts, &p.calls, now);
            let unreached: Vec<&str> = status
                .iter()
                .filter(|s| !s.reached())
                .map(|s| s.node.contact.name.as_str())
                .collect();
            println_safe(&format!(
                "Recorded: {} ({}). Still unreached: {}",
                contact,
                outcome.words(),
                if unreached.is_empty() { "nobody".to_owned() } else { unreached.join(", ") }
            ));
        }
        IncidentCommand::AckTimer { id, step_id } => {
            show(&incident::acknowledge_timer(&session, &playbooks, &id, &step_id)?);
        }
        IncidentCommand::List => {
            for i in incident::list(&session)? {
                let drill = if i.drill { "  [DRILL]" } else { "" };
                println_safe(&format!(
                    "{}  {}  {}{drill}",
                    i.id,
                    i.started.format("%Y-%m-%d %H:%M"),
                    i.title
                ));
            }
        }
        IncidentCommand::Show { id } => {
            let p = incident::progress(&session, &playbooks, &id)?;
            show(&p);
            println_safe("positions:");
            for a in &p.positions {
                println_safe(&format!("  {:<40} {}", a.name, a.person));
            }
            if !p.closed {
                for t in p.timers.iter().filter(|t| !t.acknowledged) {
                    let state = if t.due <= now { "DUE" } else { "set" };
                    println_safe(&format!(
                        "  reminder {state} {} ({}): {}",
                        t.due.format("%Y-%m-%d %H:%M UTC"),
                        t.step,
                        t.say
                    ));
                }
            }
            for d in &p.deadlines {
                let state = match d.status {
                    incident::DeadlineStatus::Open if d.due < now => "MISSED".to_owned(),
                    incident::DeadlineStatus::Open => {
                        format!("open, {} left", caregiver::words::duration(d.due - now))
                    }
                    incident::DeadlineStatus::Met => "met".to_owned(),
                    incident::DeadlineStatus::Late => "met late".to_owned(),
                    incident::DeadlineStatus::Skipped => "skipped".to_owned(),
                };
                println_safe(&format!(
                    "  deadline {} ({}): {}: {state}",
                    d.due.format("%Y-%m-%d %H:%M UTC"),
                    d.step,
                    d.what
                ));
            }
            println_safe("log:");
            for e in &p.events {
                let what = [e.step.as_deref(), e.detail.as_deref()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(": ");
                println_safe(&format!(
                    "  {:>4}  {}  {:<16} {:<16} {what}",
                    e.seq, e.time, e.actor, e.kind
                ));
            }
        }
        IncidentCommand::Step { id, step_id, done, skip, choose } => {
            let action = match (done, skip, choose) {
                (_, Some(reason), _) => incident::Action::Skip(reason),
                (_, _, Some(answer)) => incident::Action::Choose(answer),
                _ => incident::Action::Done,
            };
            show(&incident::step(&session, &playbooks, &id, &step_id, action)?);
        }
        IncidentCommand::Note { id, text } => {
            for w in caregiver::contacts::channels::check(&text) {
                eprintln!("warning[unsecure_channel]: {}", w.message);
            }
            let seq = incident::note(&session, &id, &text)?;
            println_safe(&format!("Note recorded as log entry {seq}."));
        }
        IncidentCommand::Close { id } => show(&incident::close(&session, &playbooks, &id)?),
        IncidentCommand::Export { id, format, out } => {
            let format: export::Format = format.parse()?;
            let bytes = export::incident_file(&session, &playbooks, &id, format, now)?;
            write_replacing(&out, &bytes)?;
            println_safe(&format!("Exported incident {id} to {}", out.display()));
        }
    }
    Ok(())
}

fn run_training(auth: &Auth, cmd: TrainingCommand) -> Result<(), Error> {
    use caregiver::training::{self, records::Target, report};
    let modules = training::embedded()?;
    let now = chrono::Utc::now();
    let tz = chrono::Local;
    match cmd {
        TrainingCommand::Validate { paths } => {
            let paths: Vec<&Path> = paths.iter().map(PathBuf::as_path).collect();
            let problems = training::validate_paths(&paths);
            for p in &problems {
                eprintln!("{p}");
            }
            if !problems.is_empty() {
                return Err(Error::TrainingInvalid { diagnostics: problems });
            }
            println_safe("All training modules are valid.");
        }
        TrainingCommand::Show { module } => {
            let m = training::find(&module)?;
            println_safe(&format!(
                "{}  (version {}, {}; kept by {})",
                m.title, m.version, m.recurrence, m.owner
            ));
            println_safe(&format!("\n{}", m.summary));
            for sec in &m.sections {
                println_safe(&format!("\n## {}\n{}", sec.heading, sec.text));
            }
            println_safe("\nI will:");
            for c in &m.checklist {
                println_safe(&format!("  [ ] {c}"));
            }
            if let Some(q) = &m.quiz {
                println_safe(&format!("\nQuiz ({}% to pass):", q.pass_mark_percent));
                for (n, question) in q.questions.iter().enumerate() {
                    println_safe(&format!("{}. {}", n + 1, question.ask));
                    for (k, choice) in question.choices.iter().enumerate() {
                        println_safe(&format!("   {}) {choice}", k + 1));
                    }
                }
                println_safe(&format!(
                    "\nAnswer with: caregiver training ack {} --answers N,N,...",
                    m.id
                ));
            }
        }
        TrainingCommand::List { json } => {
            let items = unlock(auth)?.training_items(&modules, now, &tz)?;
            if json {
                print_json(&items);
            } else {
                for i in &items {
                    println_safe(&format!(
                        "{:<20} {:<22} {}",
                        i.user,
                        i.module,
                        report::state_words(&i.state)
                    ));
                }
            }
        }
        TrainingCommand::Assign { module, role, department, due } => {
            let (operator, target) = match (role, department, auth.user_typed) {
                (Some(r), None, _) => (auth.user.clone(), Target::Role(r)),
                (None, Some(d), _) => (auth.user.clone(), Target::Department(d)),
                (None, None, true) => {
                    // `--user NAME` is who is assigned; the admin signs in as CAREGIVER_USER.
                    let operator = std::env::var("CAREGIVER_USER").ok().filter(|u| !u.is_empty());
                    let Some(operator) = operator else {
                        return Err(Error::Invalid {
                            what: "--user",
                            reason: "in `training assign` it names who is assigned: say who you are with CAREGIVER_USER".into(),
                        });
                    };
                    (Some(operator), Target::User(auth.user.clone().unwrap_or_default()))
                }
                _ => {
                    return Err(Error::Invalid {
                        what: "assign",
                        reason: "say one of --role ROLE, --department NAME or --user NAME".into(),
                    });
                }
            };
            let signed_in = Auth { user: operator, ..auth.clone() };
            unlock(&signed_in)?.assign_training(&modules, &module, target, due, None)?;
            println_safe(&format!("Assigned {module}, due {due}."));
        }
        TrainingCommand::Ack { module, answers } => {
            let answers: Option<Vec<usize>> =
                answers.map(|a| a.into_iter().map(|n| n.saturating_sub(1)).collect());
            let ack = unlock(auth)?.acknowledge_training(&modules, &module, answers.as_deref())?;
            let score = ack
                .score
                .map(|s| format!(" (quiz: {} of {})", s.correct, s.total))
                .unwrap_or_default();
            println_safe(&format!("Acknowledged {} as {}{score}; logged.", ack.module, ack.user));
        }
        TrainingCommand::Report { format, out } => {
            let session = unlock(auth)?;
            if !matches!(session.role_now()?, Role::Admin | Role::Lead) {
                return Err(Error::PermissionDenied {
                    action: "make the training report",
                    needed: "admins and incident leads",
                });
            }
            let items = session.training_items(&modules, now, &tz)?;
            let bytes = match format.as_str() {
                "csv" => report::csv(&items)?,
                "html" => {
                    let d = report::dashboard(&items, &session.campaigns()?)?;
                    report::html(&d, &items, session.user_name(), now).into_bytes()
                }
                _ => {
                    return Err(Error::Invalid {
                        what: "format",
                        reason: "must be csv or html".into(),
                    });
                }
            };
            write_replacing(&out, &bytes)?;
            println_safe(&format!("Wrote the training report to {}", out.display()));
        }
        TrainingCommand::ImportPhishing { file, campaign } => {
            let bytes = std::fs::read(&file).map_err(Error::io("read", &file))?;
            let rows = training::phishing::parse_results(&bytes).map_err(|problems| {
                for p in &problems {
                    eprintln!("{}: {p}", file.display());
                }
                Error::Invalid {
                    what: "phishing results",
                    reason: format!("{} lines have problems; nothing was imported", problems.len()),
                }
            })?;
            let name = campaign.unwrap_or_else(|| {
                file.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default()
            });
            let today = now.with_timezone(&tz).date_naive();
            let c = unlock(auth)?.import_phishing(&modules, &name, &rows, today)?;
            println_safe(&format!(
                "Campaign \u{201c}{}\u{201d}: {} sent, {} clicked, {} reported; refresher assigned to {} people; {} rows matched no user.",
                c.name,
                c.sent,
                c.clicked,
                c.reported,
                c.clickers.len(),
                c.unmatched
            ));
        }
    }
    Ok(())
}

/// The playbooks in force: with `--user`, the store's imported pack over the built-in one;
/// without, the built-in pack.
fn playbooks_in_force(auth: &Auth) -> Result<Vec<playbook::Playbook>, Error> {
    if auth.user.is_none() {
        return playbook::embedded();
    }
    let session = unlock(auth)?;
    let imported: Vec<pack::PackedPlaybook> =
        session.list(Kind::Playbook)?.into_iter().map(|r| r.value).collect();
    pack::in_force(&imported)
}

/// Writes a new file readable by its owner only; never replaces one.
fn write_new_private_file(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(Error::io("create", path))?;
    file.write_all(bytes).and_then(|()| file.sync_all()).map_err(Error::io("write", path))
}

/// Writes a file whole or not at all: a temp file beside it, renamed over it.
fn write_replacing(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    caregiver::paths::write_replacing(path, bytes)
}

fn need_user() -> Error {
    Error::Invalid { what: "--user", reason: "say who opens the store: --user NAME".into() }
}

fn open_store(auth: &Auth) -> Result<Store, Error> {
    Store::open(&caregiver::store::resolve_store_path(auth.store.as_deref(), None)?)
}

fn unlock(auth: &Auth) -> Result<Session, Error> {
    let name = auth.user.as_deref().ok_or_else(need_user)?;
    let store = open_store(auth)?;
    let passphrase = read_passphrase(auth, name)?;
    store.unlock(name, &passphrase)
}

fn read_passphrase(auth: &Auth, name: &str) -> Result<Zeroizing<Vec<u8>>, Error> {
    match &auth.passphrase_file {
        Some(f) => read_secret_file(f, "passphrase"),
        None => ask(&format!("Passphrase for {name}: ")),
    }
}

fn ask(prompt: &str) -> Result<Zeroizing<Vec<u8>>, Error> {
    use std::io::IsTerminal;
    // A script (stdin not a terminal) must say where the secret is: never hang on a prompt.
    if !std::io::stdin().is_terminal() {
        return Err(Error::Invalid {
            what: "passphrase",
            reason: "no terminal to ask on: use --passphrase-file FILE".into(),
        });
    }
    rpassword::prompt_password(prompt).map(|s| Zeroizing::new(s.into_bytes())).map_err(|_| {
        Error::Invalid {
            what: "passphrase",
            reason: "no terminal to ask on: use --passphrase-file FILE".into(),
        }
    })
}

fn ask_new_passphrase(name: &str) -> Result<Zeroizing<Vec<u8>>, Error> {
    let first = ask(&format!("New passphrase for {name}: "))?;
    let again = ask("The same passphrase again: ")?;
    if first != again {
        return Err(Error::Invalid { what: "passphrase", reason: "the two entries differ".into() });
    }
    Ok(first)
}

/// A secret from a file: its content less one trailing line break.
fn read_secret_file(path: &Path, what: &'static str) -> Result<Zeroizing<Vec<u8>>, Error> {
    let mut bytes = Zeroizing::new(std::fs::read(path).map_err(Error::io("read the file", path))?);
    if bytes.ends_with(b"\n") {
        bytes.pop();
        if bytes.ends_with(b"\r") {
            bytes.pop();
        }
    }
    if bytes.is_empty() {
        return Err(Error::Invalid {
            what,
            reason: format!("the file {} is empty", path.display()),
        });
    }
    Ok(bytes)
}

fn print_json<T: serde::Serialize>(value: &T) {
    if let Ok(text) = serde_json::to_string_pretty(value) {
        println_safe(&text);
    }
}

/// `caregiver ... | head -1` must not panic when the reader goes away.
fn println_safe(line: &str) {
    let _ = writeln!(std::io::stdout().lock(), "{line}");
}
