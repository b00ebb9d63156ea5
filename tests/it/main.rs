//! Integration tests of the core crate and the `caregiver` CLI: one test binary, with a
//! module per area (see ARCHITECTURE.md). Every test runs on real parts in temp folders.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod assets;
mod attacker;
mod attribution;
mod breach;
mod bulletin;
mod checkpoints;
mod cli;
mod clockrules;
mod commands;
mod contacts;
mod deploy;
mod exercise;
mod fleet;
mod forensics;
mod forensics_iocs;
mod forged_playbooks;
mod hicp;
mod hics;
mod incident;
mod incident_bundle;
mod insider;
mod kev;
mod keys;
mod log;
mod pack;
mod policy;
mod rules;
mod siem;
mod store;
mod support;
mod tampering;
mod training;
