//! `caregiver assets ...`: the asset register (docs/assets.md).

use std::path::PathBuf;

use caregiver::app::assets::RegisterPanel;
use caregiver::assets::{AssetView, Filter};
use caregiver::playbook::format::RegisterView;
use clap::{Subcommand, ValueEnum};

use super::{Auth, Result, import_register, print_json, say, write_file};

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
    /// Find a medical device by its asset tag or serial number (admins and incident leads).
    Find {
        #[arg(long, value_name = "TAG")]
        tag: String,
    },
    /// Print the register: HTML in restore order, with the overdue and unsupported assets
    /// and how far behind each tier is (admins and incident leads).
    Report {
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
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
            let app = auth.signed_in()?;
            import_register(&file, "assets", |bytes| app.import_assets(bytes, skip_bad_rows))?;
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
                say(&line(v));
            }
        }
        AssetsCommand::Find { tag } => {
            let v = auth.signed_in()?.asset_by_tag(&tag)?;
            let a = &v.asset;
            say(&line(&v));
            let text = |o: &Option<String>| o.clone().unwrap_or_else(|| "-".into());
            say(&format!(
                "  {} {} ({}), OS {} {}, firmware {}",
                text(&a.make),
                text(&a.model),
                text(&a.asset_tag),
                text(&a.os),
                text(&a.os_version),
                text(&a.firmware)
            ));
            say(&format!(
                "  location {}; segment {}; MDS2 {}; SBOM {}; end of support {}",
                text(&a.location),
                text(&a.network_segment),
                if a.mds2_on_file { "on file" } else { "not on file" },
                if a.sbom_on_file { "on file" } else { "not on file" },
                a.end_of_support.map_or_else(|| "-".into(), |d| d.to_string())
            ));
            if let Some(c) = &a.compensating_controls {
                say(&format!("  compensating controls: {c}"));
            }
        }
        AssetsCommand::Report { out } => {
            write_file(&out, &auth.signed_in()?.asset_report()?.bytes)?;
            say(&format!("Saved the asset register to print at {}", out.display()));
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

/// One asset as a line: its place in the restore order, tier, id, name and patch status.
fn line(v: &AssetView) -> String {
    let a = &v.asset;
    let order = a.restore_order.map_or_else(|| "-".to_owned(), |n| n.to_string());
    format!("{order:>4}  tier {}  {:<24} {:<32} {}", a.tier, a.id, a.name, v.patch_words)
}

/// What of the asset register the current step shows, under `incident show`.
pub fn print_panel(panel: &RegisterPanel) {
    let title = if panel.view == RegisterView::Devices {
        "medical devices"
    } else {
        "the agreed restore order"
    };
    say(&format!("asset register, {title}:"));
    match &panel.assets {
        None => say("  (the asset register is for incident leads and admins)"),
        Some(list) if list.is_empty() => say("  (none in the register)"),
        Some(list) => {
            for v in list {
                let rto = v.asset.rto_hours.map(|h| format!("; RTO {h} h")).unwrap_or_default();
                let dt = v
                    .asset
                    .downtime_playbook
                    .as_deref()
                    .map(|p| format!("; downtime: {p}"))
                    .unwrap_or_default();
                say(&format!("  {}{rto}{dt}", line(v)));
            }
        }
    }
}
