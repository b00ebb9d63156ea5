//! The bar charts the core draws as SVG with plotters' SVG backend (the same picture in
//! the window and in the printed report): percentages as horizontal bars (training
//! completion by module and by department, the share of assets behind on patches by tier,
//! HICP scores over time and by practice), and click and report rates over phishing
//! campaigns as paired bars. Every bar carries its number in words beside it, so the
//! picture does not rely on colour or on reading a scale.

use plotters::coord::Shift;
use plotters::drawing::DrawingAreaErrorKind;
use plotters::element::{Rectangle, Text};
use plotters::prelude::{DrawingArea, IntoDrawingArea, SVGBackend};
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{Color, FontDesc, FontFamily, FontStyle, RGBColor, ShapeStyle, TextStyle};

use crate::{Error, Result};

const WIDTH: u32 = 960;
const ROW: i32 = 34;
const TOP: i32 = 56;
const LABEL_W: i32 = 300;
const INK: RGBColor = RGBColor(0x11, 0x14, 0x18);
const MUTED: RGBColor = RGBColor(0x3d, 0x46, 0x50);
const BAND: RGBColor = RGBColor(0xf2, 0xf5, 0xf8);
/// Okabe-Ito: bluish green (done, reported) and vermillion (clicked).
const GOOD: RGBColor = RGBColor(0x00, 0x9e, 0x73);
const BAD: RGBColor = RGBColor(0xd5, 0x5e, 0x00);
const BLUE: RGBColor = RGBColor(0x00, 0x72, 0xb2);

/// One bar: a label, a percentage (0 to 100) and the words beside it ("12 of 15").
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub label: String,
    pub percent: f64,
    pub words: String,
}

/// One campaign: its name, and the share who clicked and who reported (percent).
#[derive(Debug, Clone, PartialEq)]
pub struct Rates {
    pub label: String,
    pub clicked: f64,
    pub reported: f64,
}

fn drawing<E: std::error::Error + Send + Sync>(e: DrawingAreaErrorKind<E>) -> Error {
    Error::Invalid { what: "chart", reason: format!("could not be drawn: {e}") }
}

/// One line of text fit for XML (plotters escapes the markup characters).
fn clean(s: &str, max: usize) -> String {
    let one: String = s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    if one.chars().count() <= max {
        return one;
    }
    let mut cut: String = one.chars().take(max.saturating_sub(1)).collect();
    cut.push('\u{2026}');
    cut
}

struct Canvas<'a> {
    area: DrawingArea<SVGBackend<'a>, Shift>,
}

impl Canvas<'_> {
    fn text(
        &self,
        s: &str,
        at: (i32, i32),
        px: f64,
        colour: RGBColor,
        bold: bool,
        h: HPos,
    ) -> Result<()> {
        let style = if bold { FontStyle::Bold } else { FontStyle::Normal };
        // Plotters' SVG backend writes font-size as size / 1.24.
        let font = FontDesc::new(FontFamily::SansSerif, px * 1.24, style);
        let style =
            TextStyle { font, color: colour.to_backend_color(), pos: Pos::new(h, VPos::Center) };
        self.area.draw(&Text::new(s.to_owned(), at, style)).map_err(drawing)
    }

    fn rect(&self, a: (i32, i32), b: (i32, i32), style: ShapeStyle) -> Result<()> {
        self.area.draw(&Rectangle::new([a, b], style)).map_err(drawing)
    }
}

fn x_of(percent: f64, plot_w: i32) -> i32 {
    let p = if percent.is_finite() { percent.clamp(0.0, 100.0) } else { 0.0 };
    LABEL_W + (p / 100.0 * f64::from(plot_w)).round() as i32
}

fn frame(
    title: &str,
    rows: usize,
    f: impl FnOnce(&Canvas<'_>, i32) -> Result<()>,
) -> Result<String> {
    let rows = i32::try_from(rows.clamp(1, 500)).unwrap_or(500);
    let height = TOP + rows * ROW + 40;
    let mut svg = String::new();
    {
        let area = SVGBackend::with_string(&mut svg, (WIDTH, height as u32)).into_drawing_area();
        area.fill(&plotters::style::WHITE).map_err(drawing)?;
        let c = Canvas { area };
        c.text(&clean(title, 90), (16, 22), 18.0, INK, true, HPos::Left)?;
        let plot_w = WIDTH as i32 - LABEL_W - 150;
        // Gridlines at 0, 25, 50, 75 and 100 %, labelled under the rows.
        for p in [0.0, 25.0, 50.0, 75.0, 100.0] {
            let x = x_of(p, plot_w);
            c.rect((x, TOP - 6), (x + 1, TOP + rows * ROW), MUTED.mix(0.35).filled())?;
            c.text(
                &format!("{p:.0}%"),
                (x, TOP + rows * ROW + 14),
                12.0,
                MUTED,
                false,
                HPos::Center,
            )?;
        }
        f(&c, plot_w)?;
    }
    Ok(svg)
}

/// Percentages as horizontal bars, one row each, with their words beside them.
pub fn percent_bars(title: &str, bars: &[Bar]) -> Result<String> {
    frame(title, bars.len(), |c, plot_w| {
        if bars.is_empty() {
            return c.text(
                "Nothing to show yet",
                (LABEL_W, TOP + ROW / 2),
                14.0,
                MUTED,
                false,
                HPos::Left,
            );
        }
        for (i, b) in bars.iter().enumerate() {
            let y = TOP + i32::try_from(i).unwrap_or(0) * ROW;
            if i % 2 == 0 {
                c.rect((0, y), (WIDTH as i32, y + ROW), BAND.filled())?;
            }
            c.text(&clean(&b.label, 38), (16, y + ROW / 2), 14.0, INK, false, HPos::Left)?;
            let end = x_of(b.percent, plot_w);
            c.rect((LABEL_W, y + 7), (end.max(LABEL_W + 2), y + ROW - 7), GOOD.filled())?;
            let words = format!("{:.0}% · {}", b.percent.clamp(0.0, 100.0), clean(&b.words, 30));
            c.text(&words, (end + 8, y + ROW / 2), 13.0, INK, true, HPos::Left)?;
        }
        Ok(())
    })
}

/// Click and report rates per campaign, oldest first: two bars a campaign, with a legend.
pub fn campaign_rates(title: &str, campaigns: &[Rates]) -> Result<String> {
    let rows = campaigns.len() * 2;
    frame(title, rows.max(1), |c, plot_w| {
        c.rect((LABEL_W, 36), (LABEL_W + 14, 46), BAD.filled())?;
        c.text("clicked the link", (LABEL_W + 20, 41), 12.0, INK, false, HPos::Left)?;
        c.rect((LABEL_W + 160, 36), (LABEL_W + 174, 46), BLUE.filled())?;
        c.text("reported it", (LABEL_W + 180, 41), 12.0, INK, false, HPos::Left)?;
        if campaigns.is_empty() {
            return c.text(
                "No campaign imported yet",
                (LABEL_W, TOP + ROW / 2),
                14.0,
                MUTED,
                false,
                HPos::Left,
            );
        }
        for (i, r) in campaigns.iter().enumerate() {
            let y = TOP + i32::try_from(i * 2).unwrap_or(0) * ROW;
            if i % 2 == 0 {
                c.rect((0, y), (WIDTH as i32, y + 2 * ROW), BAND.filled())?;
            }
            c.text(&clean(&r.label, 38), (16, y + ROW), 14.0, INK, true, HPos::Left)?;
            for (n, (pct, colour, word)) in
                [(r.clicked, BAD, "clicked"), (r.reported, BLUE, "reported")]
                    .into_iter()
                    .enumerate()
            {
                let yy = y + i32::try_from(n).unwrap_or(0) * ROW;
                let end = x_of(pct, plot_w);
                c.rect((LABEL_W, yy + 7), (end.max(LABEL_W + 2), yy + ROW - 7), colour.filled())?;
                let words = format!("{:.0}% {word}", pct.clamp(0.0, 100.0));
                c.text(&words, (end + 8, yy + ROW / 2), 13.0, INK, true, HPos::Left)?;
            }
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_carry_their_words_and_escape_text() {
        let svg = percent_bars(
            "Completion by module",
            &[
                Bar {
                    label: "Phishing <awareness> & more".into(),
                    percent: 75.0,
                    words: "3 of 4".into(),
                },
                Bar { label: "Downtime".into(), percent: 140.0, words: "x".into() },
                Bar { label: "NaN".into(), percent: f64::NAN, words: "0 of 0".into() },
            ],
        )
        .unwrap();
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains("75% · 3 of 4"));
        assert!(svg.contains("100% · x"), "clamped");
        assert!(svg.contains("&lt;awareness&gt; &amp; more"));
        assert!(!svg.contains("<awareness>"));
        assert!(percent_bars("Empty", &[]).unwrap().contains("Nothing to show yet"));
    }

    #[test]
    fn campaigns_show_both_rates() {
        let svg = campaign_rates(
            "Phishing simulations",
            &[
                Rates { label: "2026-03 invoice".into(), clicked: 25.0, reported: 10.0 },
                Rates { label: "2026-09 parcel".into(), clicked: 12.5, reported: 40.0 },
            ],
        )
        .unwrap();
        for part in ["25% clicked", "10% reported", "12% clicked", "40% reported", "2026-09 parcel"]
        {
            assert!(svg.contains(part), "{part}");
        }
        assert!(campaign_rates("None", &[]).unwrap().contains("No campaign imported yet"));
    }

    /// Writes samples to look at: `cargo test --lib charts::tests::samples -- --ignored`.
    #[test]
    #[ignore = "writes pictures for a person to look at"]
    fn samples() {
        let dir = std::env::temp_dir();
        let bars = percent_bars(
            "Completion by department",
            &[
                Bar {
                    label: "Emergency department".into(),
                    percent: 92.0,
                    words: "23 of 25".into(),
                },
                Bar { label: "Ward 4".into(), percent: 60.0, words: "12 of 20".into() },
                Bar { label: "(no department)".into(), percent: 0.0, words: "0 of 3".into() },
            ],
        )
        .unwrap();
        std::fs::write(dir.join("chart-bars.svg"), bars).unwrap();
        let rates = campaign_rates(
            "Phishing simulations",
            &[
                Rates { label: "2026-03 invoice".into(), clicked: 25.0, reported: 10.0 },
                Rates { label: "2026-09 parcel".into(), clicked: 12.5, reported: 40.0 },
            ],
        )
        .unwrap();
        std::fs::write(dir.join("chart-rates.svg"), rates).unwrap();
    }
}
