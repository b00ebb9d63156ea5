//! `caregiver deploy`: what IT checks before it pushes a managed configuration.

use std::path::PathBuf;

use caregiver::managed;
use clap::Subcommand;

use super::{Result, now, say, warn};

#[derive(Debug, Subcommand)]
pub enum DeployCommand {
    /// Check a managed configuration (managed.toml, the signed pack and its keys, the
    /// settings) as a workstation will read it; every problem named with its file.
    Check {
        /// The folder (default: this platform's system-wide place, as workstations look).
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

pub fn run(cmd: DeployCommand) -> Result {
    let DeployCommand::Check { dir } = cmd;
    let dir = dir.unwrap_or_else(managed::system_dir);
    match managed::check(&dir, now()) {
        Ok(m) => {
            say(&format!(
                "ok: {} is a managed configuration, managed by {}",
                dir.display(),
                m.managed_by
            ));
            match &m.pack {
                Some(managed::ManagedPack { info, .. }) => say(&format!(
                    "pack version {}, {} playbooks, expires {}",
                    info.version,
                    info.playbooks.len(),
                    info.expires.format("%Y-%m-%d")
                )),
                None => say("no pack: the built-in pack stays in force"),
            }
            say(&format!("{} signing key(s) trusted", m.keys.len()));
            if m.policy.forbid_local_changes {
                say("local admins may not change the managed pack, keys or settings");
            }
            Ok(())
        }
        Err(problems) => {
            problems.iter().for_each(|d| warn(&d.to_string()));
            Err(caregiver::Error::Invalid {
                what: "managed configuration",
                reason: format!("{} problem(s) in {}", problems.len(), dir.display()),
            })
        }
    }
}
