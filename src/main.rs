//! `caregiver`: the command-line face of the core. Every capability of the desktop app is
//! reachable here, so it can be scripted, tested and used on a machine with no display.
//! This file is the wiring: the commands, and which module of `src/cli/` runs each. Each
//! of those parses its arguments, calls the application layer and prints.
//!
//! Passphrases never come from argv: from the terminal without echo, or from a file.

mod cli;

use std::{path::PathBuf, process::ExitCode};

use clap::{Parser, Subcommand};

/// Caregiver Playbook: what to do next when a cyber incident or an IT outage hits.
#[derive(Debug, Parser)]
#[command(name = "caregiver", version, about, long_about = None)]
struct Cli {
    #[command(flatten)]
    auth: cli::Auth,
    #[command(subcommand)]
    command: Command,
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
    Playbook(cli::playbooks::PlaybookCommand),
    /// Manage users (admins), or change your own passphrase.
    #[command(subcommand)]
    User(cli::users::UserCommand),
    /// The ward's emergency (break-glass) code.
    #[command(subcommand, name = "emergency-code")]
    EmergencyCode(cli::users::EmergencyCommand),
    /// Rotate the data key: re-seal every record under a new key (admins).
    Rekey,
    /// Make a new recovery key and print it once; the old one stops working (admins).
    #[command(name = "recovery-key")]
    RecoveryKey,
    /// Write a consistent, still-encrypted copy of the store to FILE (admins).
    Backup { file: PathBuf },
    /// Replace the store with the backup FILE (an admin of both); says whose it is.
    Restore { file: PathBuf },
    /// Workstation settings (admins change them).
    #[command(subcommand)]
    Settings(cli::users::SettingsCommand),
    /// Signed playbook packs: make a key, sign, verify, pin the key, import.
    #[command(subcommand)]
    Pack(cli::playbooks::PackCommand),
    /// The workstation's tamper-evident activity log.
    #[command(subcommand)]
    Log(cli::log::LogCommand),
    /// Run an incident: start a playbook, act on its steps, take notes, close it.
    #[command(subcommand)]
    Incident(cli::incidents::IncidentCommand),
    /// Breaches: the privacy officer's risk assessment, and the breach register.
    #[command(subcommand)]
    Breach(cli::breach::BreachCommand),
    /// The contact tree: people and outside parties to call, and who calls whom.
    #[command(subcommand)]
    Contacts(cli::contacts::ContactsCommand),
    /// Show the call tree (for one incident type: a playbook id).
    #[command(subcommand)]
    Calltree(cli::contacts::CalltreeCommand),
    /// Security training: modules, assignments, acknowledgments, phishing simulations.
    #[command(subcommand)]
    Training(cli::training::TrainingCommand),
    /// Managed deployment: check the configuration IT pushes to every workstation.
    #[command(subcommand)]
    Deploy(cli::deploy::DeployCommand),
    /// The asset register: systems, data and devices, restore order and patch status.
    #[command(subcommand)]
    Assets(cli::assets::AssetsCommand),
    /// The risk register: threats, vulnerabilities, scores and treatments, by priority.
    #[command(subcommand)]
    Risk(cli::risk::RiskCommand),
    /// The HICP self-assessment: the ten HHS 405(d) practices, scored, gaps to risks.
    #[command(subcommand)]
    Hicp(cli::hicp::HicpCommand),
    /// CISA's Known Exploited Vulnerabilities catalogue, matched against the asset register.
    #[command(subcommand)]
    Kev(cli::kev::KevCommand),
    /// The written security policies: read, acknowledge, print, and who has acknowledged.
    #[command(subcommand)]
    Policy(cli::policy::PolicyCommand),
    /// Signed threat bulletins: sign, import, read and acknowledge.
    #[command(subcommand)]
    Bulletin(cli::bulletin::BulletinCommand),
    /// Exercises: tabletop packages with timed injects, run as drills, evaluated.
    #[command(subcommand)]
    Exercise(cli::exercise::ExerciseCommand),
    /// The corrective actions of exercises' improvement plans, tracked to closure.
    #[command(subcommand)]
    Actions(cli::exercise::ActionsCommand),
    /// An incident's evidence: items with their SHA-256, the chain of custody, the form.
    #[command(subcommand)]
    Evidence(cli::forensics::EvidenceCommand),
    /// An incident's indicators of compromise, with their TLP markings; CSV and STIX export.
    #[command(subcommand)]
    Ioc(cli::forensics::IocCommand),
    /// The fleet folder: publish this workstation's log; collect every workstation's (admins).
    #[command(subcommand)]
    Fleet(cli::fleet::FleetCommand),
    /// SIEM forwarding: the log as RFC 5424 syslog over TLS to the hospital's SIEM.
    #[command(subcommand)]
    Siem(cli::siem::SiemCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // stderr only: stdout stays clean for scripts.
            cli::warn(&format!("caregiver: error[{}]: {e}", e.code()));
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> cli::Result {
    let auth = &cli.auth;
    match cli.command {
        Command::Init { admin } => cli::users::init(auth, &admin),
        Command::Playbook(cmd) => cli::playbooks::run(auth, cmd),
        Command::Pack(cmd) => cli::playbooks::run_pack(auth, cmd),
        Command::User(cmd) => cli::users::run(auth, cmd),
        Command::EmergencyCode(cmd) => cli::users::run_emergency(auth, cmd),
        Command::Settings(cmd) => cli::users::run_settings(auth, cmd),
        Command::Rekey => cli::users::rekey(auth),
        Command::RecoveryKey => cli::users::new_recovery_key(auth),
        Command::Backup { file } => cli::users::backup(auth, &file),
        Command::Restore { file } => cli::users::restore(auth, &file),
        Command::Log(cmd) => cli::log::run(auth, cmd),
        Command::Incident(cmd) => cli::incidents::run(auth, cmd),
        Command::Breach(cmd) => cli::breach::run(auth, cmd),
        Command::Contacts(cmd) => cli::contacts::run(auth, cmd),
        Command::Calltree(cmd) => cli::contacts::run_calltree(auth, cmd),
        Command::Training(cmd) => cli::training::run(auth, cmd),
        Command::Deploy(cmd) => cli::deploy::run(cmd),
        Command::Assets(cmd) => cli::assets::run(auth, cmd),
        Command::Risk(cmd) => cli::risk::run(auth, cmd),
        Command::Hicp(cmd) => cli::hicp::run(auth, cmd),
        Command::Kev(cmd) => cli::kev::run(auth, cmd),
        Command::Policy(cmd) => cli::policy::run(auth, cmd),
        Command::Bulletin(cmd) => cli::bulletin::run(auth, cmd),
        Command::Exercise(cmd) => cli::exercise::run(auth, cmd),
        Command::Actions(cmd) => cli::exercise::run_actions(auth, cmd),
        Command::Evidence(cmd) => cli::forensics::run_evidence(auth, cmd),
        Command::Ioc(cmd) => cli::forensics::run_ioc(auth, cmd),
        Command::Fleet(cmd) => cli::fleet::run(auth, cmd),
        Command::Siem(cmd) => cli::siem::run(auth, cmd),
    }
}
