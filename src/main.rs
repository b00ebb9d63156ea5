//! `caregiver`: the command-line face of the core. Every capability of the desktop app is
//! reachable here, so it can be scripted, tested and used on a machine with no display.

use std::io::Write;
use std::process::ExitCode;

use caregiver::{Error, playbook};
use clap::{Parser, Subcommand};

/// Caregiver Playbook: what to do next when a cyber incident or an IT outage hits.
#[derive(Debug, Parser)]
#[command(name = "caregiver", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Read the playbooks.
    #[command(subcommand)]
    Playbook(PlaybookCommand),
}

#[derive(Debug, Subcommand)]
enum PlaybookCommand {
    /// List the playbooks in force (the same list as the app's home screen).
    List {
        /// Print JSON for scripts: `[{"id": ..., "title": ...}]`.
        #[arg(long)]
        json: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // stderr only: stdout stays clean for scripts.
            eprintln!("caregiver: error[{}]: {e}", e.code());
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<(), Error> {
    let mut out = std::io::stdout().lock();
    match cli.command {
        Command::Playbook(PlaybookCommand::List { json }) => {
            let list = playbook::embedded_summaries()?;
            if json {
                let text = serde_json::to_string_pretty(&list).unwrap_or_else(|_| "[]".into());
                print_or_ignore_broken_pipe(&mut out, &text);
            } else {
                let width = list.iter().map(|p| p.id.len()).max().unwrap_or(0);
                for p in &list {
                    print_or_ignore_broken_pipe(&mut out, &format!("{:width$}  {}", p.id, p.title));
                }
            }
        }
    }
    Ok(())
}

/// `caregiver playbook list | head -1` must not panic when the reader goes away.
fn print_or_ignore_broken_pipe(out: &mut impl Write, line: &str) {
    let _ = writeln!(out, "{line}");
}
