//! `caregiver init`, `user ...`, `emergency-code ...`, `settings ...`, `rekey`, `backup`
//! and `restore`: the store and the people who open it.

use std::path::PathBuf;
use std::time::Instant;

use caregiver::app::admin::NewUser;
use caregiver::store::Role;
use clap::Subcommand;
use zeroize::Zeroizing;

use super::{Auth, Result, ask_new_passphrase, print_json, read_secret_file, say};

/// A role, as typed.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum RoleArg {
    Clinician,
    Staff,
    Lead,
    Admin,
}

impl From<RoleArg> for Role {
    fn from(r: RoleArg) -> Role {
        match r {
            RoleArg::Clinician => Role::Clinician,
            RoleArg::Staff => Role::Staff,
            RoleArg::Lead => Role::Lead,
            RoleArg::Admin => Role::Admin,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a user with a first passphrase, which they change at their first unlock.
    Add {
        name: String,
        #[arg(long, value_enum)]
        role: RoleArg,
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
pub enum EmergencyCommand {
    /// Set or replace the ward's emergency code; an old code stops working.
    Set {
        #[arg(long, value_name = "FILE")]
        code_file: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum SettingsCommand {
    /// Show the settings.
    Show,
    /// Lock the desktop app after this many idle minutes (1 to 120).
    IdleLock { minutes: u32 },
    /// The time zone people read times in on this workstation (an IANA name such as
    /// America/New_York), for one whose system zone is wrong; `system` for the system's.
    TimeZone { zone: String },
    /// How long before a legal clock is due its reminders come: one to six lead times such
    /// as 7d 1d 4h (days, hours, minutes).
    ClockReminders {
        #[arg(required = true)]
        lead: Vec<String>,
    },
    /// The organisation's profile the legal clocks' rules look at: each state or territory
    /// it operates in (`--state CA`, repeated), and its traits (`--trait publicly-traded`,
    /// `--trait business-associate`). Replaces the profile; with no option, none of
    /// either (rules for a state or a trait then do not apply).
    Organisation {
        #[arg(long = "state", value_name = "CODE")]
        states: Vec<String>,
        #[arg(long = "trait", value_name = "TRAIT")]
        traits: Vec<String>,
    },
    /// The fleet folder this workstation publishes its log into (a full path: a mapped
    /// share or a USB stick); `none` for none. See docs/fleet.md.
    FleetDir { path: String },
}

/// `caregiver init`: a new store and its first admin; prints the recovery key once.
pub fn init(auth: &Auth, admin: &str) -> Result {
    let passphrase = match &auth.passphrase_file {
        Some(f) => read_secret_file(f, "passphrase")?,
        None => ask_new_passphrase(admin)?,
    };
    let mut app = auth.app()?;
    let recovery = app.setup(admin, &passphrase, Instant::now())?;
    say(&format!("Created the store at {}", app.store_path().display()));
    say("");
    say("RECOVERY KEY (shown once: print it, and lock it away with the admin records):");
    // Built in one buffer of the right size, so no copy is left behind unwiped.
    let mut line = Zeroizing::new(String::with_capacity(2 + recovery.as_str().len()));
    line.push_str("  ");
    line.push_str(recovery.as_str());
    say(&line);
    say("");
    say("Whoever holds it can reset any passphrase on this store.");
    Ok(())
}

pub fn run(auth: &Auth, cmd: UserCommand) -> Result {
    match cmd {
        UserCommand::Add { name, role, new_passphrase_file, department } => {
            let first = read_secret_file(&new_passphrase_file, "new passphrase")?;
            let role = Role::from(role);
            auth.signed_in()?.add_user(NewUser {
                name: &name,
                role,
                first_passphrase: &first,
                department: department.as_deref(),
            })?;
            say(&format!(
                "Added a user with the {} role; they set their own passphrase at first unlock.",
                role.as_str()
            ));
        }
        UserCommand::List { json } => {
            let users = auth.signed_in()?.users()?;
            if json {
                print_json(&users);
            } else {
                let width = users.iter().map(|u| u.name.chars().count()).max().unwrap_or(0);
                for u in &users {
                    let note =
                        if u.must_change_passphrase { "  (must change passphrase)" } else { "" };
                    let dept =
                        u.department.as_deref().map(|d| format!("  {d}")).unwrap_or_default();
                    say(&format!("{:width$}  {:<9}{dept}{note}", u.name, u.role.as_str()));
                }
            }
        }
        UserCommand::Department { name, department } => {
            auth.signed_in()?.set_department(&name, &department)?;
            say("Department set.");
        }
        UserCommand::Remove { name } => {
            auth.signed_in()?.remove_user(&name)?;
            say("Removed the user and their unlock slot.");
        }
        UserCommand::Passwd { name, new_passphrase_file, recovery_key_file } => {
            let new = read_secret_file(&new_passphrase_file, "new passphrase")?;
            let mut app = match recovery_key_file {
                Some(f) => {
                    let key = read_secret_file(&f, "recovery key")?;
                    // Read in place, never copied: a file that is not text holds no
                    // recovery key, and reads as an empty one, which is refused.
                    let key = std::str::from_utf8(&key).unwrap_or_default();
                    let mut app = auth.app()?;
                    app.unlock_with_recovery_key(&name, key, Instant::now())?;
                    app
                }
                None => auth.signed_in()?,
            };
            app.set_passphrase(&name, &new)?;
            say("Passphrase changed.");
        }
    }
    Ok(())
}

pub fn run_emergency(auth: &Auth, cmd: EmergencyCommand) -> Result {
    let EmergencyCommand::Set { code_file } = cmd;
    let code = read_secret_file(&code_file, "emergency code")?;
    auth.signed_in()?.set_emergency_code(&code)?;
    say("Emergency code set. Print it for the ward; any earlier code no longer works.");
    Ok(())
}

pub fn run_settings(auth: &Auth, cmd: SettingsCommand) -> Result {
    match cmd {
        SettingsCommand::Show => {
            let app = auth.signed_in()?;
            let s = app.settings()?;
            say(&format!("idle-lock  {} minutes", s.idle_lock_minutes));
            let zone = app.zone();
            let how = if s.time_zone.is_some() { "set by an admin" } else { "the system's" };
            say(&format!("time-zone  {} ({how}; now {})", zone.name(), zone.clock(app.now())));
            let managed = app.managed_view();
            if let Some(by) = &managed.managed_by {
                let locked =
                    if managed.forbid_local_changes { "; local changes forbidden" } else { "" };
                say(&format!("managed-by  {by}{locked}"));
            }
            if let Some(problem) = &managed.problem {
                say(&format!("managed-by  none: {problem}"));
            }
            say(&format!(
                "clock-reminders  {} before a legal clock is due",
                caregiver::app::deadlines::lead_words(&s.clock_reminders)
            ));
            say(&format!("organisation  {}", organisation_words(&app.organisation()?)));
            match (app.fleet_dir()?, app.fleet_last_published()?) {
                (None, _) => say("fleet-dir  none"),
                (Some(d), None) => say(&format!("fleet-dir  {} (not published yet)", d.display())),
                (Some(d), Some(at)) => say(&format!(
                    "fleet-dir  {} (last published {})",
                    d.display(),
                    app.zone().minute(at)
                )),
            }
        }
        SettingsCommand::Organisation { states, traits } => {
            let set = auth.signed_in()?.set_organisation(&states, &traits)?;
            say(&format!(
                "The legal clocks now read the organisation as: {}.",
                organisation_words(&set)
            ));
        }
        SettingsCommand::ClockReminders { lead } => {
            let set = auth.signed_in()?.set_clock_reminders(&lead.join(" "))?;
            say(&format!(
                "Legal clocks now remind {} before they are due, and when overdue.",
                caregiver::app::deadlines::lead_words(&set)
            ));
        }
        SettingsCommand::TimeZone { zone } => {
            let mut app = auth.signed_in()?;
            let zone = (zone != "system").then_some(zone);
            app.set_time_zone(zone.as_deref())?;
            let zone = app.zone();
            say(&format!(
                "Times on this workstation now read in {} (now {}).",
                zone.name(),
                zone.clock(app.now())
            ));
        }
        SettingsCommand::FleetDir { path } => {
            let mut app = auth.signed_in()?;
            let dir = (path != "none").then_some(path);
            app.set_fleet_dir(dir.as_deref())?;
            match app.fleet_dir()? {
                Some(d) => {
                    say(&format!("This workstation publishes its log into {}.", d.display()))
                }
                None => say("This workstation publishes its log into no fleet folder."),
            }
        }
        SettingsCommand::IdleLock { minutes } => {
            auth.signed_in()?.set_idle_lock_minutes(minutes)?;
            say(&format!("The desktop app now locks after {minutes} idle minutes."));
        }
    }
    Ok(())
}

pub fn rekey(auth: &Auth) -> Result {
    auth.signed_in()?.rotate_data_key()?;
    say("Data key rotated: every record is now sealed under the new key.");
    Ok(())
}

/// `caregiver recovery-key`: a new recovery key, printed once.
pub fn new_recovery_key(auth: &Auth) -> Result {
    let key = auth.signed_in()?.new_recovery_key()?;
    say("New recovery key (the old one no longer opens anything). Print it and lock it away:");
    let mut line = Zeroizing::new(String::with_capacity(2 + key.as_str().len()));
    line.push_str("  ");
    line.push_str(key.as_str());
    say(&line);
    Ok(())
}

pub fn backup(auth: &Auth, file: &std::path::Path) -> Result {
    auth.signed_in()?.backup(file)?;
    say(&format!("Backup written to {}", file.display()));
    Ok(())
}

pub fn restore(auth: &Auth, file: &std::path::Path) -> Result {
    let name = auth.name()?;
    let passphrase = auth.passphrase(name)?;
    let mut app = auth.app()?;
    let restored = app.restore(file, name, &passphrase)?;
    say(&format!("Restored {} from {}", app.store_path().display(), file.display()));
    let relation = match (&restored.replaced, restored.same_store) {
        (None, _) => "there was no store in place".to_owned(),
        (Some(_), true) => "the same store as the one it replaced".to_owned(),
        (Some(old), false) => format!("a DIFFERENT store from the one it replaced ({old})"),
    };
    say(&format!("The backup is of store {}: {relation}.", restored.store_id));
    say(&format!("Its admins: {}", restored.admins.join(", ")));
    Ok(())
}

/// The organisation's profile in words: `states CA, NY; publicly traded; insurer notice
/// window 72 hours`.
fn organisation_words(o: &caregiver::incident::clocks::Organisation) -> String {
    let states = match &o.jurisdictions {
        None => "states not set (clocks for one state stay undecided)".to_owned(),
        Some(l) if l.is_empty() => "no state".to_owned(),
        Some(l) => format!("states {}", l.join(", ")),
    };
    let traits = match &o.traits {
        None => "traits not set".to_owned(),
        Some(l) if l.is_empty() => "no trait".to_owned(),
        Some(l) => l.join(", "),
    };
    let windows: Vec<String> = o
        .windows
        .iter()
        .map(|(role, span)| format!("{role} notice window {}", span.words()))
        .collect();
    let windows = if windows.is_empty() {
        "no notice window in the contact list".to_owned()
    } else {
        windows.join(", ")
    };
    format!("{states}; {traits}; {windows}")
}
