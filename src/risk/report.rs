//! The risk register's pictures and printable report: the 5 by 5 heat map of the open
//! risks (likelihood up, impact across), drawn by the core with plotters' SVG backend like
//! the incident timeline (text is written as `<text>`, so no font file is read); the
//! register in priority order as one printable HTML page ([`crate::html::page`]); and the
//! same list, with its scores and flags, as CSV ([`crate::csv_table::write`]).
//!
//! Each cell of the map is coloured by its score band (Okabe and Ito's colour-blind-safe
//! palette) and also carries its count and its band in words, so nothing rests on colour
//! alone. Plotters cannot attach a `<title>` to a shape, so each cell's tooltip ("Likelihood
//! 4, impact 5: 1 risk") is a transparent rectangle laid over the drawing, written with
//! maud, as the timeline's are.

use chrono::{DateTime, NaiveDate, Utc};
use maud::html;
use plotters::drawing::DrawingAreaErrorKind;
use plotters::element::{Rectangle, Text};
use plotters::prelude::{IntoDrawingArea, SVGBackend};
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{Color, FontDesc, FontFamily, FontStyle, RGBColor, TextStyle};

use super::{Risk, RiskView, Status, heat, prioritised};
use crate::csv_table::{self, Columns};
use crate::{Error, Result, html as page};

/// A score's band: low 1 to 4, medium 5 to 9, high 10 to 15, critical 16 to 25.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Band {
    Low,
    Medium,
    High,
    Critical,
}

impl Band {
    pub const ALL: [Band; 4] = [Band::Low, Band::Medium, Band::High, Band::Critical];

    pub fn of(score: u8) -> Band {
        match score {
            0..=4 => Band::Low,
            5..=9 => Band::Medium,
            10..=15 => Band::High,
            _ => Band::Critical,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Band::Low => "low",
            Band::Medium => "medium",
            Band::High => "high",
            Band::Critical => "critical",
        }
    }

    fn range(self) -> &'static str {
        match self {
            Band::Low => "1-4",
            Band::Medium => "5-9",
            Band::High => "10-15",
            Band::Critical => "16-25",
        }
    }

    // Okabe & Ito: sky blue, yellow, orange, vermillion; black text reads on each.
    fn colour(self) -> RGBColor {
        match self {
            Band::Low => RGBColor(0x56, 0xB4, 0xE9),
            Band::Medium => RGBColor(0xF0, 0xE4, 0x42),
            Band::High => RGBColor(0xE6, 0x9F, 0x00),
            Band::Critical => RGBColor(0xD5, 0x5E, 0x00),
        }
    }
}

const INK: RGBColor = RGBColor(0x11, 0x14, 0x18);
const WHITE: RGBColor = RGBColor(0xFF, 0xFF, 0xFF);
const W: i32 = 640;
const H: i32 = 600;
const CELL: i32 = 80;
const LEFT: i32 = 170;
const TOP: i32 = 70;
const LIKELIHOOD: [&str; 5] = ["rare", "unlikely", "possible", "likely", "almost certain"];
const IMPACT: [&str; 5] = ["negligible", "minor", "moderate", "major", "severe"];

fn drawing<E: std::error::Error + Send + Sync>(e: DrawingAreaErrorKind<E>) -> Error {
    Error::Invalid { what: "heat map", reason: format!("could not be drawn: {e}") }
}

fn plural(n: usize) -> String {
    format!("{n} risk{}", if n == 1 { "" } else { "s" })
}

/// A cell's tooltip: "Likelihood 4, impact 5: 1 risk".
pub fn cell_title(likelihood: usize, impact: usize, count: usize) -> String {
    format!("Likelihood {likelihood}, impact {impact}: {}", plural(count))
}

/// The heat map of the open risks as a standalone SVG document (`role="img"`, with an
/// `aria-label` saying what it shows). Closed risks are not counted.
pub fn heat_map_svg(risks: &[Risk]) -> String {
    draw(risks).unwrap_or_else(|e| {
        let words = html! { text x="10" y="20" { (e.to_string()) } }.into_string();
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"The heat map \
             could not be drawn\" width=\"{W}\" height=\"40\">{words}</svg>"
        )
    })
}

fn draw(risks: &[Risk]) -> Result<String> {
    let grid = heat(risks);
    let open: usize = grid.iter().flatten().sum();
    let mut by_band = [0usize; 4];
    let mut svg = String::new();
    let mut overlay = String::new();
    {
        let area = SVGBackend::with_string(&mut svg, (W as u32, H as u32)).into_drawing_area();
        area.fill(&WHITE).map_err(drawing)?;
        let text = |s: &str, at: (i32, i32), px: f64, bold: bool, h: HPos| {
            let style = if bold { FontStyle::Bold } else { FontStyle::Normal };
            // Plotters' SVG backend writes font-size as size / 1.24.
            let font = FontDesc::new(FontFamily::SansSerif, px * 1.24, style);
            let colour = INK.to_backend_color();
            let style = TextStyle { font, color: colour, pos: Pos::new(h, VPos::Center) };
            area.draw(&Text::new(s.to_owned(), at, style)).map_err(drawing)
        };
        text("Risk heat map: open risks", (W / 2, 20), 18.0, true, HPos::Center)?;
        text("Likelihood", (LEFT - 12, TOP - 14), 13.0, true, HPos::Right)?;
        for ((l, counts), words) in (1..=5usize).zip(grid).zip(LIKELIHOOD) {
            let row = 5 - l as i32;
            let y = TOP + row * CELL;
            let name = format!("{l} {words}");
            text(&name, (LEFT - 10, y + CELL / 2), 13.0, false, HPos::Right)?;
            for (i, count) in (1..=5usize).zip(counts) {
                let x = LEFT + (i as i32 - 1) * CELL;
                let band = Band::of((l * i) as u8);
                if let Some(n) = by_band.get_mut(band as usize) {
                    *n += count;
                }
                let fill = band.colour().mix(if count == 0 { 0.35 } else { 1.0 });
                area.draw(&Rectangle::new([(x, y), (x + CELL, y + CELL)], fill.filled()))
                    .map_err(drawing)?;
                let edge = INK.stroke_width(1);
                area.draw(&Rectangle::new([(x, y), (x + CELL, y + CELL)], edge))
                    .map_err(drawing)?;
                let centre = x + CELL / 2;
                text(&count.to_string(), (centre, y + 32), 24.0, count > 0, HPos::Center)?;
                text(band.name(), (centre, y + 62), 11.0, false, HPos::Center)?;
                let cell = html! {
                    rect class="cell" data-likelihood=(l) data-impact=(i) data-count=(count)
                        data-band=(band.name()) x=(x) y=(y) width=(CELL) height=(CELL)
                        { title { (cell_title(l, i, count)) } }
                };
                overlay.push_str(&cell.into_string());
                overlay.push('\n');
            }
        }
        let below = TOP + 5 * CELL;
        for (i, words) in (1..=5i32).zip(IMPACT) {
            let x = LEFT + (i - 1) * CELL + CELL / 2;
            text(&i.to_string(), (x, below + 14), 13.0, false, HPos::Center)?;
            text(words, (x, below + 30), 11.0, false, HPos::Center)?;
        }
        text("Impact", (LEFT + 5 * CELL / 2, below + 52), 13.0, true, HPos::Center)?;
        // The legend: each band's colour, name and scores.
        let y = below + 84;
        for (k, band) in Band::ALL.iter().enumerate() {
            let x = 20 + k as i32 * 155;
            area.draw(&Rectangle::new([(x, y - 9), (x + 18, y + 9)], band.colour().filled()))
                .map_err(drawing)?;
            area.draw(&Rectangle::new([(x, y - 9), (x + 18, y + 9)], INK.stroke_width(1)))
                .map_err(drawing)?;
            let words = format!("{} (score {})", band.name(), band.range());
            text(&words, (x + 24, y), 12.0, false, HPos::Left)?;
        }
        let closed = risks.iter().filter(|r| r.status == Status::Closed).count();
        let foot = format!(
            "Score = likelihood x impact. {} open counted; {} closed not shown.",
            plural(open),
            closed
        );
        text(&foot, (20, y + 32), 12.0, false, HPos::Left)?;
        area.present().map_err(drawing)?;
    }
    let [low, medium, high, critical] = by_band;
    let label = format!(
        "Risk heat map of {} by likelihood and impact: {critical} critical, {high} high, \
         {medium} medium, {low} low",
        plural(open),
    );
    finish(&svg, &label, &overlay)
}

/// Adds the accessible name, the document's title and the tooltip layer to plotters' SVG.
fn finish(svg: &str, label: &str, overlay: &str) -> Result<String> {
    let broken =
        || Error::Invalid { what: "heat map", reason: "the drawing is not an SVG document".into() };
    let rest = svg.strip_prefix("<svg").ok_or_else(broken)?;
    let open_end = rest.find('>').ok_or_else(broken)? + 1;
    let close = rest.rfind("</svg>").ok_or_else(broken)?;
    let (attrs, body) = (&rest[..open_end], &rest[open_end..close]);
    let about = html! { "\n" title { (label) } "\n" };
    let aria = html! { svg role="img" aria-label=(label) {} }.into_string();
    // `<svg role="img" aria-label="...">` without its closing `></svg>`, then plotters' own
    // attributes.
    let aria = aria.strip_suffix("></svg>").ok_or_else(broken)?;
    Ok(format!(
        "{aria}{attrs}{}{body}<g class=\"tooltips\" fill=\"#000\" fill-opacity=\"0\" \
         stroke=\"none\">\n{overlay}</g>\n</svg>\n",
        about.into_string()
    ))
}

fn day(d: Option<NaiveDate>) -> String {
    d.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default()
}

/// The register as one printable page: the heat map, then every risk in priority order on
/// `today`, with its score and flags.
pub fn html(
    risks: &[Risk],
    today: NaiveDate,
    prepared_by: &str,
    (now, zone): (DateTime<Utc>, &crate::words::Zone),
) -> String {
    let list = prioritised(risks, today);
    let open = list.iter().filter(|v| v.risk.status != Status::Closed).count();
    let rows = list.iter().enumerate().map(|(n, v)| {
        let r = &v.risk;
        [
            (n + 1).to_string(),
            r.id.clone(),
            r.threat.clone(),
            r.vulnerability.clone(),
            r.assets.join(", "),
            r.likelihood.to_string(),
            r.impact.to_string(),
            format!("{} ({})", v.score, Band::of(v.score).name()),
            v.patient_words.to_owned(),
            r.owner.clone().unwrap_or_default(),
            r.treatment.as_str().to_owned(),
            r.plan.clone().unwrap_or_default(),
            day(r.due),
            r.status.as_str().to_owned(),
            day(r.next_review),
            v.flags.clone(),
        ]
    });
    let head = [
        "#",
        "ID",
        "Threat",
        "Vulnerability",
        "Assets",
        "L",
        "I",
        "Score",
        "Patient impact",
        "Owner",
        "Treatment",
        "Plan",
        "Due",
        "Status",
        "Next review",
        "Flags",
    ];
    let body = html! {
        h1 { "Risk register" }
        p {
            "Prepared " (zone.minute(now)) " by " (prepared_by) ", as the register stands on "
            (today.format("%Y-%m-%d")) ": " (plural(list.len())) ", " (open) " open. "
            "It lists weaknesses: keep the paper as you would the register."
        }
        h2 { "Heat map" }
        (page::picture(&heat_map_svg(risks)))
        h2 { "The register, in priority order" }
        p {
            "Open risks first; among them the impact on patient care weighs first, then the "
            "score (likelihood x impact), then the due date. L: likelihood, I: impact (1 to 5)."
        }
        (page::table(&head, rows))
    };
    page::page("Risk register", body)
}

/// The report's CSV columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Rank,
    Id,
    Threat,
    Vulnerability,
    Assets,
    Likelihood,
    Impact,
    Score,
    Band,
    PatientImpact,
    Owner,
    Treatment,
    Plan,
    Due,
    Status,
    NextReview,
    TreatmentOverdue,
    ReviewDue,
}

impl Columns for Column {
    const ALL: &'static [Column] = &[
        Column::Rank,
        Column::Id,
        Column::Threat,
        Column::Vulnerability,
        Column::Assets,
        Column::Likelihood,
        Column::Impact,
        Column::Score,
        Column::Band,
        Column::PatientImpact,
        Column::Owner,
        Column::Treatment,
        Column::Plan,
        Column::Due,
        Column::Status,
        Column::NextReview,
        Column::TreatmentOverdue,
        Column::ReviewDue,
    ];
    const REQUIRED: &'static [&'static str] = &[];
    const FILE: &'static str = "risk report";
    const FILE_WITH_ARTICLE: &'static str = "a risk report";
    const MAX_ROWS: usize = super::csv::MAX_RISKS;

    fn column(self) -> &'static str {
        match self {
            Column::Rank => "rank",
            Column::Id => "id",
            Column::Threat => "threat",
            Column::Vulnerability => "vulnerability",
            Column::Assets => "assets",
            Column::Likelihood => "likelihood",
            Column::Impact => "impact",
            Column::Score => "score",
            Column::Band => "band",
            Column::PatientImpact => "patient_impact",
            Column::Owner => "owner",
            Column::Treatment => "treatment",
            Column::Plan => "plan",
            Column::Due => "due",
            Column::Status => "status",
            Column::NextReview => "next_review",
            Column::TreatmentOverdue => "treatment_overdue",
            Column::ReviewDue => "review_due",
        }
    }
}

/// The register in priority order on `today` as CSV: its rank, score, band and flags.
pub fn csv_report(risks: &[Risk], today: NaiveDate) -> Result<Vec<u8>> {
    let list: Vec<(usize, RiskView)> = prioritised(risks, today).into_iter().enumerate().collect();
    csv_table::write::<Column, (usize, RiskView)>(&list, csv_cell, "risk report")
}

fn csv_cell((n, v): &(usize, RiskView), c: Column) -> String {
    let r = &v.risk;
    let yes = |b: bool| if b { "yes" } else { "no" }.to_owned();
    match c {
        Column::Rank => (n + 1).to_string(),
        Column::Id => r.id.clone(),
        Column::Threat => r.threat.clone(),
        Column::Vulnerability => r.vulnerability.clone(),
        Column::Assets => r.assets.join(";"),
        Column::Likelihood => r.likelihood.to_string(),
        Column::Impact => r.impact.to_string(),
        Column::Score => v.score.to_string(),
        Column::Band => Band::of(v.score).name().to_owned(),
        Column::PatientImpact => r.patient_impact.to_string(),
        Column::Owner => r.owner.clone().unwrap_or_default(),
        Column::Treatment => r.treatment.as_str().to_owned(),
        Column::Plan => r.plan.clone().unwrap_or_default(),
        Column::Due => day(r.due),
        Column::Status => r.status.as_str().to_owned(),
        Column::NextReview => day(r.next_review),
        Column::TreatmentOverdue => yes(v.treatment_overdue),
        Column::ReviewDue => yes(v.review_due),
    }
}

#[cfg(test)]
mod tests;
