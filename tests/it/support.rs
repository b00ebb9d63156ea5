//! Shared fixtures: run the real `caregiver` binary with an isolated environment.

use std::path::Path;
use std::process::{Command, Output};

/// A `caregiver` command whose HOME and data folders point into `tmp`, so a test can
/// never touch the real user's data.
pub fn caregiver(tmp: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_caregiver"));
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", tmp.join("home"))
        .env("XDG_DATA_HOME", tmp.join("xdg-data"))
        .env("CAREGIVER_DATA_DIR", tmp.join("data"))
        .env("LANG", "C.UTF-8");
    cmd
}

/// Runs `cmd` and returns (exit code, stdout, stderr) as text.
pub fn run(cmd: &mut Command) -> (i32, String, String) {
    let Output { status, stdout, stderr } = cmd.output().expect("spawn caregiver");
    (
        status.code().unwrap_or(-1),
        String::from_utf8(stdout).expect("stdout is UTF-8"),
        String::from_utf8(stderr).expect("stderr is UTF-8"),
    )
}
