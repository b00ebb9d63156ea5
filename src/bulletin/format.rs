//! The threat bulletin file format (documented in `docs/bulletins.md`) and its checker:
//! one TOML file, every problem as `file:line:column: message`.

use chrono::NaiveDate;
use serde::Deserialize;

use super::{Affected, Bulletin, SEVERITIES};
use crate::checker::{Checker, Diagnostic, S};
use crate::kev::matching::VersionRange;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBulletin {
    id: S<String>,
    title: S<String>,
    severity: S<String>,
    issued: S<String>,
    expires: S<String>,
    source: S<String>,
    text: S<String>,
    audience: S<crate::policy::format::RawAudience>,
    #[serde(default)]
    affected: Vec<S<RawAffected>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAffected {
    vendor: S<String>,
    product: S<String>,
    versions: Option<S<String>>,
    #[serde(default)]
    cves: Vec<S<String>>,
}

fn date(c: &mut Checker<'_>, raw: &S<String>, key: &str) -> NaiveDate {
    NaiveDate::parse_from_str(raw.get_ref().trim(), "%Y-%m-%d").unwrap_or_else(|_| {
        c.span(raw, format!("`{key}` must be a date, YYYY-MM-DD, not `{}`", raw.get_ref()));
        NaiveDate::MIN
    })
}

/// Parses and checks one bulletin. `file` names it in every diagnostic.
pub fn parse(file: &str, text: &str) -> Result<Bulletin, Vec<Diagnostic>> {
    let mut c = Checker::new(file, text);
    let Some(raw) = c.read::<RawBulletin>() else { return Err(c.failed()) };
    let id = c.id(&raw.id, "bulletin id", "hc3-2026-0412");
    let title = c.text_required(&raw.title, "`title`");
    let severity = c.one_of(&raw.severity, "severity", &SEVERITIES);
    let issued = date(&mut c, &raw.issued, "issued");
    let expires = date(&mut c, &raw.expires, "expires");
    if expires <= issued && issued != NaiveDate::MIN && expires != NaiveDate::MIN {
        c.span(&raw.expires, "`expires` must come after `issued`");
    }
    let source = c.text_required(&raw.source, "`source`");
    let body = c.text_required(&raw.text, "`text`");
    let audience = crate::policy::format::check_audience(&mut c, &raw.audience);
    let mut affected = Vec::new();
    for p in &raw.affected {
        let p = p.get_ref();
        let versions = p.versions.as_ref().and_then(|v| {
            let range = VersionRange::parse(v.get_ref());
            if range.is_none() {
                c.span(
                    v,
                    format!(
                        "`versions` must be a version or a range like \">= 2.0, < 2.5\", not `{}`",
                        v.get_ref()
                    ),
                );
            }
            range.map(|_| v.get_ref().trim().to_owned())
        });
        let cves = p
            .cves
            .iter()
            .map(|cve| {
                if !crate::kev::is_cve(cve.get_ref()) {
                    c.span(cve, format!("`{}` is not a CVE id like CVE-2024-21887", cve.get_ref()));
                }
                cve.get_ref().clone()
            })
            .collect();
        affected.push(Affected {
            vendor: c.text_required(&p.vendor, "`vendor`"),
            product: c.text_required(&p.product, "`product`"),
            versions,
            cves,
        });
    }
    let bulletin =
        Bulletin { id, title, severity, issued, expires, source, text: body, audience, affected };
    c.finish(bulletin)
}
