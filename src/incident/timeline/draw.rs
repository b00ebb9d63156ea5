//! The timeline drawn with plotters' SVG backend, then the tooltip layer plotters cannot
//! draw (a `<title>` per lane, mark and deadline) added over it.

use maud::html;
use plotters::coord::Shift;
use plotters::drawing::{DrawingArea, DrawingAreaErrorKind};
use plotters::element::{Circle, DashedPathElement, PathElement, Polygon, Rectangle, Text};
use plotters::prelude::SVGBackend;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{Color, FontDesc, FontFamily, FontStyle, RGBColor, ShapeStyle, TextStyle};

use super::layout::*;
use super::{MarkKind, Timeline};
use crate::{Error, Result};

// Okabe & Ito's palette, told apart by most colour-blind readers; shapes tell the kinds apart
// in any case, in grey print too.
const INK: RGBColor = RGBColor(0x1A, 0x1A, 0x1A);
const ORANGE: RGBColor = RGBColor(0xE6, 0x9F, 0x00);
const SKY_BLUE: RGBColor = RGBColor(0x56, 0xB4, 0xE9);
const GREEN: RGBColor = RGBColor(0x00, 0x9E, 0x73);
const YELLOW: RGBColor = RGBColor(0xF0, 0xE4, 0x42);
const BLUE: RGBColor = RGBColor(0x00, 0x72, 0xB2);
const VERMILLION: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
const PURPLE: RGBColor = RGBColor(0xCC, 0x79, 0xA7);
const DARK_GREY: RGBColor = RGBColor(0x55, 0x55, 0x55);
const MID_GREY: RGBColor = RGBColor(0x80, 0x80, 0x80);
const MUTED: RGBColor = RGBColor(0x4D, 0x4D, 0x4D);
const GRID: RGBColor = RGBColor(0xC8, 0xC8, 0xC8);
const LANE_EVEN: RGBColor = RGBColor(0xEE, 0xF0, 0xF3);
const LANE_ODD: RGBColor = RGBColor(0xFF, 0xFF, 0xFF);
const LANE_RULE: RGBColor = RGBColor(0xD6, 0xD9, 0xDE);
pub(super) const WHITE: RGBColor = RGBColor(0xFF, 0xFF, 0xFF);

impl MarkKind {
    fn colour(self) -> RGBColor {
        match self {
            MarkKind::Started => BLUE,
            MarkKind::Done => GREEN,
            MarkKind::Skipped => VERMILLION,
            MarkKind::Decision => PURPLE,
            MarkKind::Note => DARK_GREY,
            MarkKind::Call => ORANGE,
            MarkKind::Assigned => SKY_BLUE,
            MarkKind::Observation => INK,
            MarkKind::Closed => INK,
            MarkKind::Other => MID_GREY,
        }
    }
}

/// The drawing, on plotters' drawing area.
pub(super) struct Canvas<'a> {
    pub(super) area: DrawingArea<SVGBackend<'a>, Shift>,
}

pub(super) fn drawing<E: std::error::Error + Send + Sync>(e: DrawingAreaErrorKind<E>) -> Error {
    Error::Invalid { what: "timeline", reason: format!("could not be drawn: {e}") }
}

#[derive(Clone, Copy)]
struct Font {
    px: f64,
    bold: bool,
    colour: RGBColor,
    h: HPos,
    v: VPos,
}

impl Font {
    fn new(px: f64, colour: RGBColor) -> Font {
        Font { px, bold: false, colour, h: HPos::Left, v: VPos::Center }
    }
    fn bold(self) -> Font {
        Font { bold: true, ..self }
    }
    fn anchor(self, h: HPos, v: VPos) -> Font {
        Font { h, v, ..self }
    }
}

impl Canvas<'_> {
    fn text(&self, s: &str, at: (i32, i32), f: Font) -> Result<()> {
        let style = if f.bold { FontStyle::Bold } else { FontStyle::Normal };
        // Plotters' SVG backend writes font-size as size / 1.24.
        let font = FontDesc::new(FontFamily::SansSerif, f.px * 1.24, style);
        let style = TextStyle { font, color: f.colour.to_backend_color(), pos: Pos::new(f.h, f.v) };
        self.area.draw(&Text::new(s, at, style)).map_err(drawing)
    }

    fn rect(&self, a: (i32, i32), b: (i32, i32), style: ShapeStyle) -> Result<()> {
        self.area.draw(&Rectangle::new([a, b], style)).map_err(drawing)
    }

    fn path(&self, points: Vec<(i32, i32)>, style: ShapeStyle) -> Result<()> {
        self.area.draw(&PathElement::new(points, style)).map_err(drawing)
    }

    fn polygon(&self, points: Vec<(i32, i32)>, colour: RGBColor) -> Result<()> {
        self.area.draw(&Polygon::new(points.clone(), colour.filled())).map_err(drawing)?;
        // A thin dark outline keeps pale fills visible on a grey band and in grey print.
        let mut outline = points;
        if let Some(first) = outline.first().copied() {
            outline.push(first);
        }
        self.path(outline, INK.mix(0.55).stroke_width(1))
    }

    fn dashed(
        &self,
        from: (i32, i32),
        to: (i32, i32),
        dash: i32,
        gap: i32,
        s: ShapeStyle,
    ) -> Result<()> {
        self.area.draw(&DashedPathElement::new(vec![from, to], dash, gap, s)).map_err(drawing)
    }

    fn circle(&self, at: (i32, i32), r: i32, style: ShapeStyle) -> Result<()> {
        self.area.draw(&Circle::new(at, r, style)).map_err(drawing)
    }

    fn shape(
        &self,
        shape: Shape,
        (x, y): (i32, i32),
        lane_top: i32,
        lane_bottom: i32,
    ) -> Result<()> {
        match shape {
            Shape::Mark(kind) => self.mark(kind, (x, y)),
            Shape::Deadline(met) => {
                let (colour, width, dash, gap) = deadline_style(met);
                self.dashed((x, lane_top), (x, lane_bottom), dash, gap, colour.stroke_width(width))
            }
        }
    }

    fn mark(&self, kind: MarkKind, (x, y): (i32, i32)) -> Result<()> {
        let c = kind.colour();
        match kind {
            MarkKind::Started => self.polygon(vec![(x - 5, y - 7), (x + 7, y), (x - 5, y + 7)], c),
            MarkKind::Done => {
                self.circle((x, y), 6, c.filled())?;
                self.circle((x, y), 6, INK.mix(0.55).stroke_width(1))
            }
            MarkKind::Skipped => {
                let s = c.stroke_width(3);
                self.path(vec![(x - 5, y - 5), (x + 5, y + 5)], s)?;
                self.path(vec![(x - 5, y + 5), (x + 5, y - 5)], s)
            }
            MarkKind::Decision => {
                self.polygon(vec![(x, y - 8), (x + 8, y), (x, y + 8), (x - 8, y)], c)
            }
            MarkKind::Note => self
                .polygon(vec![(x - 5, y - 5), (x + 5, y - 5), (x + 5, y + 5), (x - 5, y + 5)], c),
            MarkKind::Call => self.polygon(vec![(x, y - 8), (x + 7, y + 5), (x - 7, y + 5)], c),
            MarkKind::Assigned => self.circle((x, y), 5, c.stroke_width(3)),
            MarkKind::Observation => {
                let s = c.stroke_width(3);
                self.path(vec![(x - 6, y), (x + 6, y)], s)?;
                self.path(vec![(x, y - 6), (x, y + 6)], s)
            }
            MarkKind::Closed => {
                self.rect((x - 2, y - 9), (x + 2, y + 9), c.filled())?;
                self.polygon(vec![(x + 2, y - 9), (x + 10, y - 5), (x + 2, y - 1)], c)
            }
            MarkKind::Other => self.path(
                vec![
                    (x - 5, y - 5),
                    (x + 5, y - 5),
                    (x + 5, y + 5),
                    (x - 5, y + 5),
                    (x - 5, y - 5),
                ],
                c.stroke_width(2),
            ),
        }
    }
}

fn deadline_style(met: Option<bool>) -> (RGBColor, u32, i32, i32) {
    match met {
        None => (BLUE, 2, 6, 4),
        Some(true) => (GREEN, 2, 3, 4),
        Some(false) => (VERMILLION, 3, 10, 3),
    }
}

pub(super) fn draw(c: &Canvas, t: &Timeline, l: &Layout, overlay: &mut String) -> Result<()> {
    if t.drill {
        drill_band(c, 0)?;
        drill_band(c, l.y_drill_foot)?;
    }
    // Heading.
    let title = shorten(&clean(&t.title), 80);
    c.text(
        &title,
        (MARGIN, l.y_title),
        Font::new(TITLE_PX, INK).bold().anchor(HPos::Left, VPos::Top),
    )?;
    c.text(
        &span_line(t),
        (MARGIN, l.y_title + 30),
        Font::new(TEXT_PX, MUTED).anchor(HPos::Left, VPos::Top),
    )?;

    // Legend.
    for item in &l.legend {
        let y = l.y_legend + item.row * LEGEND_ROW_H + LEGEND_ROW_H / 2;
        c.shape(item.shape, (item.x + 8, y), y - 9, y + 9)?;
        c.text(&item.text, (item.x + 22, y), Font::new(TEXT_PX, INK))?;
    }

    // Lanes: alternating bands, names at the left.
    let lanes_bottom = l.y_lanes + l.lanes_h;
    if t.lanes.is_empty() {
        c.rect((MARGIN, l.y_lanes), (LANES_X1, lanes_bottom), LANE_EVEN.filled())?;
    }
    for (i, name) in t.lanes.iter().enumerate() {
        let top = lane_y(l.y_lanes, i) - LANE_H / 2;
        let fill = if i % 2 == 0 { LANE_EVEN } else { LANE_ODD };
        c.rect((MARGIN, top), (LANES_X1, top + LANE_H), fill.filled())?;
        let name = clean(name);
        if let Some(shown) = fit(&name, LANE_NAME_W - 8, LANE_PX) {
            c.text(&shown, (MARGIN + 6, top + LANE_H / 2), Font::new(LANE_PX, INK))?;
        }
        overlay_rect(overlay, (MARGIN, top), (PLOT_X0 - MARGIN, LANE_H), &format!("Lane: {name}"));
    }
    c.path(vec![(MARGIN, l.y_lanes), (LANES_X1, l.y_lanes)], LANE_RULE.stroke_width(1))?;
    c.path(vec![(MARGIN, lanes_bottom), (LANES_X1, lanes_bottom)], LANE_RULE.stroke_width(1))?;
    c.path(vec![(PLOT_X0, l.y_lanes), (PLOT_X0, lanes_bottom)], LANE_RULE.stroke_width(1))?;

    // Time axis, above and below the lanes, with a light grid through them.
    c.text(
        &t.zone.format(t.range().0, "%Z"),
        (MARGIN + 6, l.y_axis_top + 1),
        Font::new(TEXT_PX, MUTED).bold().anchor(HPos::Left, VPos::Top),
    )?;
    for tick in &l.ticks {
        c.path(vec![(tick.x, l.y_lanes), (tick.x, lanes_bottom)], GRID.stroke_width(1))?;
        c.path(vec![(tick.x, l.y_lanes - 3), (tick.x, l.y_lanes)], MUTED.stroke_width(1))?;
        c.path(vec![(tick.x, lanes_bottom), (tick.x, lanes_bottom + 3)], MUTED.stroke_width(1))?;
        let top = Font::new(TEXT_PX, INK).anchor(HPos::Center, VPos::Top);
        c.text(&tick.time, (tick.x, l.y_axis_top + 1), top)?;
        c.text(&tick.time, (tick.x, l.y_axis_bottom), top)?;
        if let Some(date) = &tick.date {
            let small = Font::new(LABEL_PX, MUTED).anchor(HPos::Center, VPos::Top);
            c.text(date, (tick.x, l.y_axis_top + 16), small)?;
            c.text(date, (tick.x, l.y_axis_bottom + 15), small)?;
        }
    }

    // Deadlines: dashed lines from their label down through the lanes.
    for d in &l.deadlines {
        let (colour, width, dash, gap) = deadline_style(d.met);
        let top = match &d.text {
            Some((_, row, _)) => l.y_deadlines + row * DEADLINE_ROW_H + 2,
            None => l.y_lanes,
        };
        c.dashed((d.x, top), (d.x, lanes_bottom), dash, gap, colour.stroke_width(width))?;
        overlay_rect(overlay, (d.x - 4, top), (8, lanes_bottom - top), &d.tooltip);
    }
    // Their words over every line, on white, so a later line never crosses them.
    for d in &l.deadlines {
        let Some((text, row, anchor)) = &d.text else { continue };
        let (colour, ..) = deadline_style(d.met);
        let y = l.y_deadlines + row * DEADLINE_ROW_H + DEADLINE_ROW_H / 2;
        let w = text_w(text, LABEL_PX);
        let (x, x0, x1) = match anchor {
            HPos::Right => (d.x - 4, d.x - 6 - w, d.x - 2),
            _ => (d.x + 4, d.x + 2, d.x + 6 + w),
        };
        c.rect((x0, y - 7), (x1, y + 7), WHITE.filled())?;
        let mut f = Font::new(LABEL_PX, colour).anchor(*anchor, VPos::Center);
        if d.met == Some(false) {
            f = f.bold();
        }
        c.text(text, (x, y), f)?;
    }

    // Marks, then their words.
    if t.marks.is_empty() {
        let y = l.y_lanes + l.lanes_h / 2;
        let msg = if t.lanes.is_empty() {
            "Nothing recorded yet"
        } else {
            "Nothing recorded yet: no entries in this incident's log"
        };
        let x = (PLOT_X0 + PLOT_X1) / 2;
        let half = text_w(msg, 15.0) / 2 + 14;
        c.rect((x - half, y - 14), (x + half, y + 14), WHITE.filled())?;
        c.rect((x - half, y - 14), (x + half, y + 14), GRID.stroke_width(1))?;
        c.text(msg, (x, y), Font::new(15.0, MUTED).bold().anchor(HPos::Center, VPos::Center))?;
    }
    // Under each mark's words, a patch of its lane's colour hides the grid and deadline lines.
    for m in &l.marks {
        let Some((text, side)) = &m.text else { continue };
        let w = text_w(text, LABEL_PX);
        let (x0, x1) = match side {
            HPos::Right => (m.x - 11 - w, m.x - 8),
            _ => (m.x + 8, m.x + 11 + w),
        };
        let band = if m.lane % 2 == 0 { LANE_EVEN } else { LANE_ODD };
        c.rect((x0, m.y - 6), (x1, m.y + 6), band.mix(0.8).filled())?;
    }
    for m in &l.marks {
        c.mark(m.kind, (m.x, m.y))?;
    }
    for m in &l.marks {
        match &m.text {
            Some((text, HPos::Right)) => c.text(
                text,
                (m.x - 10, m.y),
                Font::new(LABEL_PX, INK).anchor(HPos::Right, VPos::Center),
            )?,
            Some((text, _)) => c.text(text, (m.x + 10, m.y), Font::new(LABEL_PX, INK))?,
            None => {}
        }
        overlay_mark(overlay, m);
    }

    // Foot.
    let zone = t.zone.name();
    let foot = if t.marks.is_empty() {
        format!("Times in {zone}.")
    } else {
        format!(
            "Times in {zone}. {} entries; the numbers match the numbered list of entries.",
            t.marks.len()
        )
    };
    c.text(
        &foot,
        (MARGIN, l.y_footer + 4),
        Font::new(LABEL_PX, MUTED).anchor(HPos::Left, VPos::Top),
    )?;
    Ok(())
}

fn drill_band(c: &Canvas, y: i32) -> Result<()> {
    c.rect((0, y), (W, y + DRILL_BAND_H), YELLOW.filled())?;
    // Black stripes at both ends: the band still reads as a warning in grey print.
    for i in 0..6 {
        for x in [i * 14, W - 84 + i * 14] {
            let stripe =
                vec![(x, y + DRILL_BAND_H), (x + 7, y + DRILL_BAND_H), (x + 14, y), (x + 7, y)];
            c.area.draw(&Polygon::new(stripe, INK.filled())).map_err(drawing)?;
        }
    }
    c.text(
        "DRILL — an exercise, not a real incident",
        (W / 2, y + DRILL_BAND_H / 2),
        Font::new(16.0, INK).bold().anchor(HPos::Center, VPos::Center),
    )
}

/// "28 Nov 2026 09:30 EST – 14:05 EST (4 h 35 min)", in the timeline's zone.
fn span_line(t: &Timeline) -> String {
    let (lo, hi) = t.range();
    let z = &t.zone;
    let same_day = z.format(lo, "%F") == z.format(hi, "%F");
    let from = z.format(lo, "%d %b %Y %H:%M %Z");
    let to = z.format(hi, if same_day { "%H:%M %Z" } else { "%d %b %Y %H:%M %Z" });
    format!("{from} – {to} ({})", crate::words::duration(hi.signed_duration_since(lo)))
}

fn overlay_rect(out: &mut String, (x, y): (i32, i32), (w, h): (i32, i32), title: &str) {
    let rect = html! { rect x=(x) y=(y) width=(w) height=(h) { title { (clean(title)) } } };
    out.push_str(&rect.into_string());
    out.push('\n');
}

fn overlay_mark(out: &mut String, m: &PlacedMark) {
    let circle = html! {
        circle class="mark" data-kind=(m.kind.name().to_lowercase()) data-n=(m.number)
            data-lane=(m.lane) cx=(m.x) cy=(m.y) r="9" { title { (clean(&m.tooltip)) } }
    };
    out.push_str(&circle.into_string());
    out.push('\n');
}

/// Adds the document's title and the tooltip layer to plotters' SVG.
pub(super) fn finish(svg: String, t: &Timeline, overlay: &str) -> Result<String> {
    let broken =
        || Error::Invalid { what: "timeline", reason: "the drawing is not an SVG document".into() };
    let open_end = svg.find('>').ok_or_else(broken)? + 1;
    let close = svg.rfind("</svg>").ok_or_else(broken)?;
    let (head, rest) = svg.split_at(open_end);
    let body = rest.get(..close.saturating_sub(open_end)).ok_or_else(broken)?;
    let tail = rest.get(close.saturating_sub(open_end)..).ok_or_else(broken)?;
    let drill = if t.drill { "DRILL: " } else { "" };
    let mut out = String::with_capacity(svg.len() + overlay.len() + 256);
    out.push_str(head);
    let desc = format!("{}; {} entries in {} lanes", span_line(t), t.marks.len(), t.lanes.len());
    let about = html! {
        "\n" title { (clean(&format!("{drill}Timeline: {}", t.title))) } "\n" desc { (desc) } "\n"
    };
    out.push_str(&about.into_string());
    out.push_str(body);
    // Transparent shapes over the drawing: each holds the full text of what lies under it.
    out.push_str("<g class=\"tooltips\" fill=\"#000\" fill-opacity=\"0\" stroke=\"none\">\n");
    out.push_str(overlay);
    out.push_str("</g>\n");
    out.push_str(tail);
    Ok(out)
}
