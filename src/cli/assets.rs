//! `caregiver assets ...`: the asset register (docs/assets.md).

use std::path::PathBuf;

use caregiver::Error;
use caregiver::assets::Filter;
use caregiver::words::count;
use clap::{Subcommand, ValueEnum};

use super::{Auth, Result, print_json, read_import, say, warn_listed, write_file};

/// The register's file formats.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum AssetFormat {
    Csv,
}

#[derive(Debug, Subcommand)]
pub enum AssetsCommand {
    /// Import the asset register from CSV (docs/assets.md), replacing it (admins). Every
    /// bad row is reported as FILE:line N: message; nothing is imported while any row is
    /// bad, unless --skip-bad-rows (then each skipped row is reported).
    Import {
        file: PathBuf,
        #[arg(long)]
        skip_bad_rows: bool,
    },
    /// List the assets in restore order, with patch status (admins and incident leads).
    List {
        #[arg(long)]
        json: bool,
        /// Only the assets whose patch is overdue, or that are past their end of support.
        #[arg(long)]
        overdue: bool,
        /// Only one clinical priority tier (1 life-critical to 4).
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(1..=4))]
        tier: Option<u8>,
    },
    /// Export the asset register (admins).
    Export {
        #[arg(long, value_enum)]
        format: AssetFormat,
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
}

pub fn run(auth: &Auth, cmd: AssetsCommand) -> Result {
    match cmd {
        AssetsCommand::Import { file, skip_bad_rows } => {
            let bytes = read_import(&file)?;
            let shown = file.display();
            let preview = match auth.signed_in()?.import_assets(&bytes, skip_bad_rows) {
                Err(Error::ImportRejected { problems }) => {
                    warn_listed(&problems, "problems", |p| format!("{shown}:{p}"));
                    return Err(Error::ImportRejected { problems });
                }
                other => other?,
            };
            warn_listed(&preview.problems, "problems", |p| format!("{shown}:{p} (skipped)"));
            say(&format!(
                "Imported {} assets ({} new, {} changed, {} removed){}.",
                preview.good,
                preview.added,
                preview.changed,
                preview.removed,
                if preview.problems.is_empty() {
                    String::new()
                } else {
                    format!("; skipped {} bad rows, listed above", count(preview.bad_rows))
                }
            ));
        }
        AssetsCommand::List { json, overdue, tier } => {
            let list = auth.signed_in()?.assets(Filter { overdue, tier })?;
            if json {
                print_json(&list);
                return Ok(());
            }
            if list.is_empty() {
                say("No asset to list.");
            }
            for v in &list {
                let a = &v.asset;
                let order = a.restore_order.map_or_else(|| "-".to_owned(), |n| n.to_string());
                let mut patch = match (v.patch.current, v.patch.days_behind) {
                    (Some(true), _) => "current".to_owned(),
                    (Some(false), Some(d)) => format!("{d} days behind"),
                    (Some(false), None) => "behind".to_owned(),
                    (None, _) => "version unknown".to_owned(),
                };
                if v.patch.overdue {
                    patch.push_str(", OVERDUE");
                }
                if v.patch.unsupported {
                    patch.push_str(", UNSUPPORTED");
                }
                if a.vendor_validated_only {
                    patch.push_str(", vendor-validated patches only");
                }
                say(&format!("{order:>4}  tier {}  {:<24} {:<32} {patch}", a.tier, a.id, a.name));
            }
        }
        AssetsCommand::Export { format: AssetFormat::Csv, out } => {
            let app = auth.signed_in()?;
            let export = app.export_assets()?;
            write_file(&out, &export.bytes)?;
            say(&format!("Exported the asset register to {}", out.display()));
        }
    }
    Ok(())
}
