//! `caregiver risk ...`: the risk register (docs/risk.md).

use std::path::PathBuf;

use clap::Subcommand;

use super::assets::AssetFormat;
use super::training::ReportFormatArg;
use super::{Auth, Result, import_register, print_json, say, write_file};

#[derive(Debug, Subcommand)]
pub enum RiskCommand {
    /// Import the risk register from CSV (docs/risk.md), replacing it (admins). Every bad
    /// row is reported as FILE:line N: message; nothing is imported while any row is bad,
    /// unless --skip-bad-rows.
    Import {
        file: PathBuf,
        #[arg(long)]
        skip_bad_rows: bool,
    },
    /// List the risks in priority order: impact on patient care first, then the score
    /// (admins and incident leads).
    List {
        #[arg(long)]
        json: bool,
    },
    /// Export the risk register (admins).
    Export {
        #[arg(long, value_enum)]
        format: AssetFormat,
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Write the printable report: the heat map and the register in priority order with
    /// its flags (html), or the same list with scores and flags (csv) (admins and incident
    /// leads).
    Report {
        #[arg(long, value_enum)]
        format: ReportFormatArg,
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
}

pub fn run(auth: &Auth, cmd: RiskCommand) -> Result {
    match cmd {
        RiskCommand::Import { file, skip_bad_rows } => {
            let app = auth.signed_in()?;
            import_register(&file, "risks", |bytes| app.import_risks(bytes, skip_bad_rows))?;
        }
        RiskCommand::List { json } => {
            let list = auth.signed_in()?.risks()?;
            if json {
                print_json(&list);
                return Ok(());
            }
            if list.is_empty() {
                say("No risk to list.");
            }
            for v in &list {
                let r = &v.risk;
                let mut flags = Vec::new();
                if v.treatment_overdue {
                    flags.push("treatment OVERDUE");
                }
                if v.review_due {
                    flags.push("review due");
                }
                let flags = if flags.is_empty() {
                    String::new()
                } else {
                    format!(" [{}]", flags.join(", "))
                };
                say(&format!(
                    "score {:>2} (L{} x I{}), patient impact {}, {}: {:<20} {} through {}; {} by {}{flags}",
                    v.score,
                    r.likelihood,
                    r.impact,
                    r.patient_impact,
                    r.status.as_str(),
                    r.id,
                    r.threat,
                    r.vulnerability,
                    r.treatment.as_str(),
                    r.due.map_or_else(|| "no date".to_owned(), |d| d.to_string()),
                ));
            }
        }
        RiskCommand::Export { format: AssetFormat::Csv, out } => {
            let export = auth.signed_in()?.export_risks()?;
            write_file(&out, &export.bytes)?;
            say(&format!("Exported the risk register to {}", out.display()));
        }
        RiskCommand::Report { format, out } => {
            write_file(&out, &auth.signed_in()?.risk_report(format.into())?.bytes)?;
            say(&format!("Wrote the risk report to {}", out.display()));
        }
    }
    Ok(())
}
