//! An incident's timeline as an SVG picture, for the after-action review: the desktop window
//! shows it and the HTML report prints it, the same picture in both.
//!
//! Time runs left to right (clock times in UTC); each lane (a HICS position or a workstation)
//! is a horizontal band. Each entry is a mark whose shape tells its kind (a colour-blind-safe
//! palette doubles it, never alone); deadlines are dashed vertical lines. Marks are numbered
//! from 1 in the order of [`Timeline::marks`]: the report numbers its list of entries the
//! same way, so a mark too crowded for its words still leads to them. Each mark, lane and
//! deadline also carries its full text in an SVG `<title>` (a tooltip in the window).
//!
//! Drawn with plotters' SVG backend (text is written as `<text>`, so no font file is read).
//! Plotters cannot attach a `<title>` to a shape, so the tooltips are a layer of transparent
//! shapes appended after plotters' drawing, escaped here the same way plotters escapes.

use chrono::{DateTime, Utc};
use plotters::coord::Shift;
use plotters::drawing::{DrawingArea, DrawingAreaErrorKind, IntoDrawingArea};
use plotters::element::{Circle, DashedPathElement, PathElement, Polygon, Rectangle, Text};
use plotters::prelude::SVGBackend;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{Color, FontDesc, FontFamily, FontStyle, RGBColor, ShapeStyle, TextStyle};

use crate::{Error, Result};

/// What to draw. See [`render_svg`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timeline {
    /// The heading, e.g. "Ransomware — 20261128-0930-a1b2c3".
    pub title: String,
    /// Draws a "DRILL" band at the top and the foot of the picture.
    pub drill: bool,
    /// The left edge: the incident's start or its discovery, whichever is earlier.
    pub start: DateTime<Utc>,
    /// The right edge: the time it was closed, or now.
    pub end: DateTime<Utc>,
    /// One row per lane, top to bottom: a HICS position or a workstation's name.
    pub lanes: Vec<String>,
    /// The entries, numbered from 1 in this order on the picture.
    pub marks: Vec<Mark>,
    pub deadlines: Vec<DeadlineMark>,
}

/// One entry of the incident's log on the timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mark {
    pub time: DateTime<Utc>,
    /// An index into [`Timeline::lanes`].
    pub lane: usize,
    pub kind: MarkKind,
    /// The entry in words: drawn shortened where there is room, whole in its tooltip.
    pub label: String,
}

/// The kind of an entry: each has its own shape (and colour).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MarkKind {
    Started,
    Done,
    Skipped,
    Decision,
    Note,
    Call,
    Assigned,
    Observation,
    Closed,
    Other,
}

/// A deadline: drawn as a labelled dashed line when it falls within [`Timeline::range`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadlineMark {
    pub time: DateTime<Utc>,
    pub label: String,
    /// `Some(true)` met, `Some(false)` missed (drawn in a warning style), `None` not yet due
    /// or not known.
    pub met: Option<bool>,
}

/// The most lanes one picture draws: past this the picture would not be read anyway.
pub const MAX_LANES: usize = 200;

/// The picture's width in pixels; its height grows with the number of lanes.
pub const WIDTH: u32 = 960;

impl MarkKind {
    /// Every kind, in the legend's order.
    pub const ALL: [MarkKind; 10] = [
        MarkKind::Started,
        MarkKind::Done,
        MarkKind::Skipped,
        MarkKind::Decision,
        MarkKind::Note,
        MarkKind::Call,
        MarkKind::Assigned,
        MarkKind::Observation,
        MarkKind::Closed,
        MarkKind::Other,
    ];

    /// The legend's word for this kind.
    pub fn name(self) -> &'static str {
        match self {
            MarkKind::Started => "Started",
            MarkKind::Done => "Done",
            MarkKind::Skipped => "Skipped",
            MarkKind::Decision => "Decision",
            MarkKind::Note => "Note",
            MarkKind::Call => "Call",
            MarkKind::Assigned => "Assigned",
            MarkKind::Observation => "Observation",
            MarkKind::Closed => "Closed",
            MarkKind::Other => "Other",
        }
    }

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

impl Timeline {
    /// The span the picture covers: `start..end` (in either order) widened to take in every
    /// mark. Deadlines outside it are not drawn: the caller lists them.
    pub fn range(&self) -> (DateTime<Utc>, DateTime<Utc>) {
        let (mut lo, mut hi) =
            if self.start <= self.end { (self.start, self.end) } else { (self.end, self.start) };
        for m in &self.marks {
            lo = lo.min(m.time);
            hi = hi.max(m.time);
        }
        (lo, hi)
    }

    /// Whether [`render_svg`] draws this deadline (it falls within [`Timeline::range`]).
    pub fn shows(&self, deadline: &DeadlineMark) -> bool {
        let (lo, hi) = self.range();
        lo <= deadline.time && deadline.time <= hi
    }
}

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
const WHITE: RGBColor = RGBColor(0xFF, 0xFF, 0xFF);

// Layout, in pixels.
const W: i32 = 960;
const MARGIN: i32 = 16;
const LANE_NAME_W: i32 = 184;
const PLOT_X0: i32 = MARGIN + LANE_NAME_W + 8;
const PLOT_X1: i32 = W - 28;
/// The lanes' bands run past the time axis, to give the last marks' words room.
const LANES_X1: i32 = W - 8;
/// Room kept inside the plot's edges so a mark at either end is drawn whole.
const PLOT_PAD: i32 = 12;
const LANE_H: i32 = 42;
/// Vertical offsets of the rows of a lane.
const SLOTS: [i32; 3] = [0, -12, 12];
const DRILL_BAND_H: i32 = 30;
const TITLE_PX: f64 = 19.0;
const TEXT_PX: f64 = 12.0;
const LABEL_PX: f64 = 11.0;
const LANE_PX: f64 = 12.5;
const DEADLINE_ROW_H: i32 = 16;
const MAX_DEADLINE_ROWS: usize = 4;
const LEGEND_ROW_H: i32 = 22;
/// The longest label drawn on the picture, in characters (the tooltip holds it whole).
const MAX_LABEL_CHARS: usize = 30;
/// The mean width of a character of a sans-serif face, in ems (DejaVu Sans is about this wide;
/// most faces are narrower).
const CHAR_EM: f64 = 0.56;
/// A span shorter than this is drawn as this much, centred on it.
const MIN_SPAN_MS: i64 = 60_000;

/// Draws the timeline as a standalone SVG document, [`WIDTH`] pixels wide.
///
/// Never panics. Errors: a mark whose lane is not in [`Timeline::lanes`], or more than
/// [`MAX_LANES`] lanes (`invalid_input`).
pub fn render_svg(t: &Timeline) -> Result<String> {
    if t.lanes.len() > MAX_LANES {
        return Err(Error::Invalid {
            what: "timeline",
            reason: format!(
                "{} lanes is more than a picture can show ({MAX_LANES})",
                t.lanes.len()
            ),
        });
    }
    if let Some((i, m)) = t.marks.iter().enumerate().find(|(_, m)| m.lane >= t.lanes.len()) {
        return Err(Error::Invalid {
            what: "timeline mark",
            reason: format!(
                "mark {} is in lane {}, but the timeline has {} lane(s)",
                i + 1,
                m.lane,
                t.lanes.len()
            ),
        });
    }

    let layout = Layout::new(t);
    let mut svg = String::new();
    let mut overlay = String::new();
    {
        let area = SVGBackend::with_string(&mut svg, (WIDTH, layout.height)).into_drawing_area();
        let c = Canvas { area };
        c.area.fill(&WHITE).map_err(drawing)?;
        draw(&c, t, &layout, &mut overlay)?;
        c.area.present().map_err(drawing)?;
    }
    finish(svg, t, &overlay)
}

/// Where everything goes, worked out before anything is drawn.
struct Layout {
    ticks: Vec<Tick>,
    legend: Vec<LegendItem>,
    deadlines: Vec<PlacedDeadline>,
    marks: Vec<PlacedMark>,
    y_title: i32,
    y_legend: i32,
    y_deadlines: i32,
    y_axis_top: i32,
    y_lanes: i32,
    lanes_h: i32,
    y_axis_bottom: i32,
    y_footer: i32,
    y_drill_foot: i32,
    height: u32,
}

struct Scale {
    t0: i64,
    t1: i64,
}

impl Scale {
    fn x(&self, ms: i64) -> i32 {
        let span = (self.t1 as f64 - self.t0 as f64).max(1.0);
        let f = ((ms as f64 - self.t0 as f64) / span).clamp(0.0, 1.0);
        let (a, b) = (f64::from(PLOT_X0 + PLOT_PAD), f64::from(PLOT_X1 - PLOT_PAD));
        (a + f * (b - a)).round() as i32
    }
}

struct Tick {
    x: i32,
    time: String,
    date: Option<String>,
}

struct LegendItem {
    shape: Shape,
    text: String,
    x: i32,
    row: i32,
}

#[derive(Clone, Copy)]
enum Shape {
    Mark(MarkKind),
    Deadline(Option<bool>),
}

struct PlacedDeadline {
    x: i32,
    met: Option<bool>,
    /// The text drawn and its row, when there is room for it.
    text: Option<(String, i32, HPos)>,
    tooltip: String,
}

struct PlacedMark {
    number: usize,
    kind: MarkKind,
    lane: usize,
    x: i32,
    y: i32,
    /// The words drawn beside the mark, and on which side of them the mark is.
    text: Option<(String, HPos)>,
    tooltip: String,
}

impl Layout {
    fn new(t: &Timeline) -> Layout {
        let (lo, hi) = t.range();
        let (mut t0, mut t1) = (lo.timestamp_millis(), hi.timestamp_millis());
        if t1.saturating_sub(t0) < MIN_SPAN_MS {
            let mid = t0 / 2 + t1 / 2;
            t0 = mid.saturating_sub(MIN_SPAN_MS / 2);
            t1 = mid.saturating_add(MIN_SPAN_MS / 2);
        }
        let scale = Scale { t0, t1 };
        let (ticks, tick_dates) = ticks(&scale);

        let mut y = if t.drill { DRILL_BAND_H } else { 0 };
        y += 12;
        let y_title = y;
        y += 50; // title and the line under it

        let legend = legend(t);
        let legend_rows = legend.iter().map(|i| i.row + 1).max().unwrap_or(0);
        let y_legend = y;
        y += legend_rows * LEGEND_ROW_H + 8;

        let (deadlines, deadline_rows) = place_deadlines(t, &scale);
        let y_deadlines = y;
        y += deadline_rows * DEADLINE_ROW_H + if deadline_rows > 0 { 4 } else { 0 };

        let axis_h = if tick_dates { 32 } else { 18 };
        let y_axis_top = y;
        y += axis_h;
        let y_lanes = y;
        let lanes_h = if t.lanes.is_empty() { 3 * LANE_H / 2 } else { lane_count(t) * LANE_H };
        y += lanes_h;
        let y_axis_bottom = y + 4;
        y += axis_h + 6;
        let y_footer = y;
        y += 22;
        let y_drill_foot = y;
        if t.drill {
            y += DRILL_BAND_H;
        }
        let marks = place_marks(t, &scale, y_lanes);
        Layout {
            ticks,
            legend,
            deadlines,
            marks,
            y_title,
            y_legend,
            y_deadlines,
            y_axis_top,
            y_lanes,
            lanes_h,
            y_axis_bottom,
            y_footer,
            y_drill_foot,
            height: u32::try_from(y).unwrap_or(0).max(1),
        }
    }
}

fn lane_count(t: &Timeline) -> i32 {
    i32::try_from(t.lanes.len()).unwrap_or(i32::MAX / LANE_H / 2)
}

fn lane_y(y_lanes: i32, lane: usize) -> i32 {
    y_lanes + i32::try_from(lane).unwrap_or(0) * LANE_H + LANE_H / 2
}

const SECOND: i64 = 1000;
const MINUTE: i64 = 60 * SECOND;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;
const STEPS: [i64; 24] = [
    SECOND,
    2 * SECOND,
    5 * SECOND,
    10 * SECOND,
    15 * SECOND,
    30 * SECOND,
    MINUTE,
    2 * MINUTE,
    5 * MINUTE,
    10 * MINUTE,
    15 * MINUTE,
    30 * MINUTE,
    HOUR,
    2 * HOUR,
    3 * HOUR,
    6 * HOUR,
    12 * HOUR,
    DAY,
    2 * DAY,
    7 * DAY,
    14 * DAY,
    28 * DAY,
    91 * DAY,
    365 * DAY,
];

/// Clock-time ticks, spaced by the span: seconds to days. Returns whether labels carry dates.
fn ticks(s: &Scale) -> (Vec<Tick>, bool) {
    let span = s.t1.saturating_sub(s.t0).max(1);
    // About one label per 90 pixels.
    let max_ticks = i64::from((PLOT_X1 - PLOT_X0) / 90).max(2);
    let step = STEPS
        .iter()
        .copied()
        .find(|step| span / step <= max_ticks)
        .unwrap_or_else(|| (span / max_ticks / DAY + 1).saturating_mul(DAY));
    let format = if step < MINUTE {
        "%H:%M:%S"
    } else if step < DAY {
        "%H:%M"
    } else {
        "%d %b %Y"
    };
    let with_dates = step < DAY && (s.t0.div_euclid(DAY) != s.t1.div_euclid(DAY) || step >= HOUR);
    let mut out = Vec::new();
    let mut ms = s.t0.div_euclid(step).saturating_mul(step);
    if ms < s.t0 {
        ms = ms.saturating_add(step);
    }
    let mut last_date = None;
    while ms <= s.t1 && out.len() < 64 {
        let Some(at) = DateTime::from_timestamp_millis(ms) else { break };
        let date = at.format("%d %b").to_string();
        let show_date = with_dates && last_date.as_ref() != Some(&date);
        last_date = Some(date.clone());
        out.push(Tick {
            x: s.x(ms),
            time: at.format(format).to_string(),
            date: show_date.then_some(date),
        });
        ms = ms.saturating_add(step);
    }
    // A span too short or oddly placed for any round tick still gets its two ends.
    if out.is_empty() {
        for ms in [s.t0, s.t1] {
            if let Some(at) = DateTime::from_timestamp_millis(ms) {
                out.push(Tick { x: s.x(ms), time: at.format("%H:%M:%S").to_string(), date: None });
            }
        }
    }
    let dated = out.iter().any(|t| t.date.is_some());
    (out, dated)
}

fn legend(t: &Timeline) -> Vec<LegendItem> {
    let mut shapes: Vec<Shape> = MarkKind::ALL
        .iter()
        .filter(|k| t.marks.iter().any(|m| m.kind == **k))
        .map(|k| Shape::Mark(*k))
        .collect();
    let drawn: Vec<&DeadlineMark> = t.deadlines.iter().filter(|d| t.shows(d)).collect();
    for met in [None, Some(true), Some(false)] {
        if drawn.iter().any(|d| d.met == met) {
            shapes.push(Shape::Deadline(met));
        }
    }
    let mut items = Vec::new();
    let (mut x, mut row) = (MARGIN, 0);
    for shape in shapes {
        let text = match shape {
            Shape::Mark(k) => k.name().to_owned(),
            Shape::Deadline(None) => "Deadline".to_owned(),
            Shape::Deadline(Some(true)) => "Deadline met".to_owned(),
            Shape::Deadline(Some(false)) => "Deadline MISSED".to_owned(),
        };
        let w = 22 + text_w(&text, TEXT_PX) + 20;
        if x + w > W - MARGIN && x > MARGIN {
            x = MARGIN;
            row += 1;
        }
        items.push(LegendItem { shape, text, x, row });
        x += w;
    }
    items
}

fn deadline_word(met: Option<bool>) -> &'static str {
    match met {
        None => "due",
        Some(true) => "met",
        Some(false) => "MISSED",
    }
}

fn place_deadlines(t: &Timeline, s: &Scale) -> (Vec<PlacedDeadline>, i32) {
    let mut drawn: Vec<&DeadlineMark> = t.deadlines.iter().filter(|d| t.shows(d)).collect();
    drawn.sort_by_key(|d| d.time);
    // Per row, the rightmost pixel taken by a label.
    let mut rows: Vec<i32> = Vec::new();
    let mut out = Vec::new();
    for d in drawn {
        let x = s.x(d.time.timestamp_millis());
        let label = clean(&d.label);
        let text = format!("{} {}: {}", clock(d.time), deadline_word(d.met), shorten(&label, 40));
        let w = text_w(&text, LABEL_PX);
        // Labels start at their line, or end at it near the right edge.
        let (x_from, x_to, anchor) = if x + 4 + w <= W - 4 {
            (x, x + 4 + w, HPos::Left)
        } else {
            (x - 4 - w, x, HPos::Right)
        };
        let row = match rows.iter().position(|end| *end + 8 <= x_from) {
            Some(r) => Some(r),
            None if rows.len() < MAX_DEADLINE_ROWS => {
                rows.push(i32::MIN / 2);
                Some(rows.len() - 1)
            }
            None => None,
        };
        let placed = row.and_then(|r| {
            let end = rows.get_mut(r)?;
            *end = x_to;
            Some((text, i32::try_from(r).unwrap_or(0), anchor))
        });
        let tooltip =
            format!("Deadline {} UTC ({}): {label}", full_time(d.time), deadline_word(d.met));
        out.push(PlacedDeadline { x, met: d.met, text: placed, tooltip });
    }
    (out, i32::try_from(rows.len()).unwrap_or(0))
}

/// One mark of a lane while its lane is laid out.
struct Slotted<'a> {
    index: usize,
    mark: &'a Mark,
    x: i32,
    slot: usize,
    /// Words may run from here (the end of the row's previous words) ...
    left_limit: i32,
    /// ... up to here (the row's next mark, or the picture's edge).
    right_limit: i32,
}

#[derive(Clone, Copy)]
struct Row {
    /// The rightmost pixel taken by the row's last mark and its words.
    end: i32,
    last_x: i32,
    /// The row's last mark, an index into the lane's list.
    last: Option<usize>,
}

fn place_marks(t: &Timeline, s: &Scale, y_lanes: i32) -> Vec<PlacedMark> {
    let mut placed: Vec<PlacedMark> = Vec::with_capacity(t.marks.len());
    for lane in 0..t.lanes.len() {
        let mut order: Vec<(usize, &Mark)> =
            t.marks.iter().enumerate().filter(|(_, m)| m.lane == lane).collect();
        order.sort_by_key(|(i, m)| (m.time, *i));
        // Each mark goes to the first row of its lane that is clear of words and marks; when
        // none is, to the row whose last mark is furthest back, cutting that mark's words short.
        let free = Row { end: i32::MIN / 2, last_x: i32::MIN / 2, last: None };
        let mut rows = [free; SLOTS.len()];
        let mut lane_marks: Vec<Slotted> = Vec::with_capacity(order.len());
        for (index, mark) in order {
            let x = s.x(mark.time.timestamp_millis());
            let slot = rows
                .iter()
                .position(|r| r.end + 6 <= x - 8)
                .or_else(|| rows.iter().enumerate().min_by_key(|(_, r)| r.last_x).map(|(i, _)| i))
                .unwrap_or(0);
            let Some(row) = rows.get_mut(slot) else { continue };
            if let Some(prev) = row.last.and_then(|p| lane_marks.get_mut(p)) {
                prev.right_limit = prev.right_limit.min(x - 12);
            }
            let words = mark_words(index + 1, &clean(&mark.label));
            let here = lane_marks.len();
            lane_marks.push(Slotted {
                index,
                mark,
                x,
                slot,
                left_limit: row.end + 6,
                right_limit: LANES_X1 - 2,
            });
            *row = Row {
                end: (x + 10 + text_w(&words, LABEL_PX)).min(W),
                last_x: x,
                last: Some(here),
            };
        }
        let lane_name = t.lanes.get(lane).map(|l| clean(l)).unwrap_or_default();
        for (k, sm) in lane_marks.iter().enumerate() {
            let number = sm.index + 1;
            let label = clean(&sm.mark.label);
            let words = mark_words(number, &label);
            let is_last = rows.get(sm.slot).and_then(|r| r.last) == Some(k);
            let right_room = sm.right_limit - (sm.x + 10);
            let left_room = (sm.x - 10) - sm.left_limit;
            // Near the right edge, the row's last mark may have its words on its left.
            let (room, side) =
                if is_last && right_room < text_w(&words, LABEL_PX) && left_room > right_room {
                    (left_room, HPos::Right)
                } else {
                    (right_room, HPos::Left)
                };
            let text = if text_w(&words, LABEL_PX) <= room {
                Some(words)
            } else if room >= text_w(&format!("{number} abc…"), LABEL_PX) {
                fit(&words, room, LABEL_PX)
            } else if text_w(&number.to_string(), LABEL_PX) <= room {
                Some(number.to_string())
            } else {
                None
            };
            placed.push(PlacedMark {
                number,
                kind: sm.mark.kind,
                lane,
                x: sm.x,
                y: lane_y(y_lanes, lane) + SLOTS.get(sm.slot).copied().unwrap_or(0),
                text: text.map(|t| (t, side)),
                tooltip: format!(
                    "{number}. {} UTC · {} · {lane_name}: {label}",
                    full_time(sm.mark.time),
                    sm.mark.kind.name()
                ),
            });
        }
    }
    placed.sort_by_key(|p| p.number);
    placed
}

fn mark_words(number: usize, label: &str) -> String {
    format!("{number} {}", shorten(label, MAX_LABEL_CHARS))
}

/// The drawing, on plotters' drawing area.
struct Canvas<'a> {
    area: DrawingArea<SVGBackend<'a>, Shift>,
}

fn drawing<E: std::error::Error + Send + Sync>(e: DrawingAreaErrorKind<E>) -> Error {
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

fn draw(c: &Canvas, t: &Timeline, l: &Layout, overlay: &mut String) -> Result<()> {
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
        "UTC",
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
    let foot = if t.marks.is_empty() {
        "Times in UTC.".to_owned()
    } else {
        format!(
            "Times in UTC. {} entries; the numbers match the numbered list of entries.",
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

/// "28 Nov 2026 09:30 – 14:05 UTC (4 h 35 min)"
fn span_line(t: &Timeline) -> String {
    let (lo, hi) = t.range();
    let same_day = lo.date_naive() == hi.date_naive();
    let from = lo.format("%d %b %Y %H:%M").to_string();
    let to = if same_day { hi.format("%H:%M") } else { hi.format("%d %b %Y %H:%M") }.to_string();
    format!("{from} – {to} UTC ({})", duration_words(hi.signed_duration_since(lo)))
}

fn duration_words(d: chrono::TimeDelta) -> String {
    let secs = d.num_seconds().max(0);
    let (days, hours, mins) = (secs / 86_400, secs % 86_400 / 3600, secs % 3600 / 60);
    match (days, hours, mins) {
        (0, 0, 0) => format!("{secs} s"),
        (0, 0, m) => format!("{m} min"),
        (0, h, 0) => format!("{h} h"),
        (0, h, m) => format!("{h} h {m} min"),
        (d, 0, _) => format!("{d} d"),
        (d, h, _) => format!("{d} d {h} h"),
    }
}

fn clock(t: DateTime<Utc>) -> String {
    t.format("%H:%M").to_string()
}

fn full_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S").to_string()
}

/// Text fit for XML 1.0 and one line: control characters become spaces or U+FFFD.
/// Plotters escapes `<`, `>`, `&` and quotes when it writes.
fn clean(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\t' | '\n' | '\r' => ' ',
            '\u{FFFE}' | '\u{FFFF}' => '\u{FFFD}',
            c if c.is_control() => '\u{FFFD}',
            c => c,
        })
        .collect()
}

/// Escapes text for an SVG element or attribute written here (the tooltip layer).
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in clean(s).chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// A rough width of text in a sans-serif face: enough to keep labels apart.
fn text_w(s: &str, px: f64) -> i32 {
    let n = s.chars().count().min(10_000) as f64;
    (n * px * CHAR_EM).ceil() as i32
}

/// At most `max` characters, with an ellipsis when cut.
fn shorten(s: &str, max: usize) -> String {
    let s = s.trim();
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out = out.trim_end().to_owned();
    out.push('…');
    out
}

/// The text cut to fit `room` pixels, or `None` when not even a few characters fit.
fn fit(s: &str, room: i32, px: f64) -> Option<String> {
    if text_w(s, px) <= room {
        return Some(s.to_owned());
    }
    let per = px * CHAR_EM;
    let chars = (f64::from(room.max(0)) / per).floor() as usize;
    if chars < 3 {
        return None;
    }
    Some(shorten(s, chars))
}

fn overlay_rect(out: &mut String, (x, y): (i32, i32), (w, h): (i32, i32), title: &str) {
    out.push_str(&format!(
        "<rect x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"{h}\"><title>{}</title></rect>\n",
        escape(title)
    ));
}

fn overlay_mark(out: &mut String, m: &PlacedMark) {
    out.push_str(&format!(
        "<circle class=\"mark\" data-kind=\"{}\" data-n=\"{}\" data-lane=\"{}\" cx=\"{}\" cy=\"{}\" r=\"9\"><title>{}</title></circle>\n",
        m.kind.name().to_lowercase(),
        m.number,
        m.lane,
        m.x,
        m.y,
        escape(&m.tooltip)
    ));
}

/// Adds the document's title and the tooltip layer to plotters' SVG.
fn finish(svg: String, t: &Timeline, overlay: &str) -> Result<String> {
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
    out.push_str(&format!(
        "\n<title>{}</title>\n<desc>{}</desc>\n",
        escape(&format!("{drill}Timeline: {}", t.title)),
        escape(&format!("{}; {} entries in {} lanes", span_line(t), t.marks.len(), t.lanes.len()))
    ));
    out.push_str(body);
    // Transparent shapes over the drawing: each holds the full text of what lies under it.
    out.push_str("<g class=\"tooltips\" fill=\"#000\" fill-opacity=\"0\" stroke=\"none\">\n");
    out.push_str(overlay);
    out.push_str("</g>\n");
    out.push_str(tail);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 28, h, m, 0).unwrap()
    }

    fn sample() -> Timeline {
        let lanes = vec![
            "Incident Commander".to_owned(),
            "IT Section Chief".to_owned(),
            "Liaison Officer".to_owned(),
            "WS-ED-04 (Emergency Dept)".to_owned(),
        ];
        let m = |h, mi, lane, kind, label: &str| Mark {
            time: at(h, mi),
            lane,
            kind,
            label: label.to_owned(),
        };
        let marks = vec![
            m(9, 30, 0, MarkKind::Started, "Started the playbook “Ransomware”"),
            m(9, 34, 0, MarkKind::Assigned, "IT Section Chief: Sam Rivera"),
            m(9, 38, 1, MarkKind::Done, "Isolate affected hosts from the network"),
            m(9, 41, 1, MarkKind::Observation, "Ransom note on 3 file servers"),
            m(9, 47, 2, MarkKind::Call, "Called the FBI field office"),
            m(9, 52, 0, MarkKind::Decision, "Go to EHR downtime procedures: yes"),
            m(9, 53, 3, MarkKind::Note, "Downtime forms handed out in ED"),
            m(
                10,
                5,
                1,
                MarkKind::Skipped,
                "Restore from backup (reason: backups not yet verified)",
            ),
            m(10, 6, 1, MarkKind::Done, "Preserve memory images"),
            m(10, 7, 1, MarkKind::Done, "Collect firewall logs"),
            m(10, 40, 2, MarkKind::Call, "Cyber insurance hotline"),
            m(11, 15, 3, MarkKind::Other, "Printer queue cleared"),
            m(12, 50, 0, MarkKind::Closed, "Incident closed"),
        ];
        Timeline {
            title: "Ransomware — 20261128-0930-a1b2c3".to_owned(),
            drill: true,
            start: at(9, 30),
            end: at(12, 50),
            lanes,
            marks,
            deadlines: vec![
                DeadlineMark {
                    time: at(10, 30),
                    label: "Notify the CISO (60 min)".into(),
                    met: Some(true),
                },
                DeadlineMark {
                    time: at(11, 30),
                    label: "Report to HHS within 2 h".into(),
                    met: Some(false),
                },
                DeadlineMark { time: at(12, 30), label: "Board briefing".into(), met: None },
                DeadlineMark { time: at(18, 0), label: "Outside the range".into(), met: None },
            ],
        }
    }

    fn parse(svg: &str) -> roxmltree::Document<'_> {
        roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("not XML: {e}\n{svg}"))
    }

    fn texts(doc: &roxmltree::Document) -> Vec<String> {
        doc.descendants()
            .filter(|n| n.has_tag_name("text") || n.has_tag_name("title"))
            .map(|n| n.text().unwrap_or_default().trim().to_owned())
            .collect()
    }

    fn count_marks(doc: &roxmltree::Document) -> usize {
        doc.descendants().filter(|n| n.attribute("class") == Some("mark")).count()
    }

    #[test]
    fn sample_parses_and_names_every_lane() {
        let t = sample();
        let svg = render_svg(&t).unwrap();
        let doc = parse(&svg);
        let root = doc.root_element();
        assert!(root.has_tag_name("svg"));
        assert_eq!(root.attribute("width"), Some("960"));
        let texts = texts(&doc);
        for lane in &t.lanes {
            // Drawn at the left (cut short if need be), and whole in its tooltip.
            let start: String = lane.chars().take(12).collect();
            assert!(texts.iter().any(|s| s.starts_with(&start)), "lane {lane} missing");
            assert!(texts.iter().any(|s| *s == format!("Lane: {lane}")), "lane {lane} title");
        }
        assert_eq!(count_marks(&doc), t.marks.len());
        // Every mark carries its whole label.
        for m in &t.marks {
            assert!(texts.iter().any(|s| s.ends_with(&m.label)), "no title for {}", m.label);
        }
        // Clock times on the axis.
        assert!(texts.iter().any(|s| s == "10:00"), "{texts:?}");
    }

    #[test]
    fn one_shape_per_mark() {
        // Seven Done marks: seven circles for them plus the legend's, outline aside.
        let mut t = sample();
        t.deadlines.clear();
        t.marks = (0..7)
            .map(|i| Mark {
                time: at(10, i * 5),
                lane: 1,
                kind: MarkKind::Done,
                label: format!("step {i}"),
            })
            .collect();
        let svg = render_svg(&t).unwrap();
        let doc = parse(&svg);
        let green = doc
            .descendants()
            .filter(|n| n.has_tag_name("circle") && n.attribute("fill") == Some("#009E73"))
            .count();
        assert_eq!(green, 7 + 1);
        assert_eq!(count_marks(&doc), 7);
    }

    #[test]
    fn deadlines_inside_the_range_only_and_missed_ones_stand_out() {
        let t = sample();
        let svg = render_svg(&t).unwrap();
        let doc = parse(&svg);
        let texts = texts(&doc);
        assert!(texts.iter().any(|s| s.contains("MISSED: Report to HHS")), "{texts:?}");
        assert!(texts.iter().any(|s| s.contains("met: Notify the CISO")));
        assert!(!texts.iter().any(|s| s.contains("Outside the range")));
        assert!(t.shows(&t.deadlines[0]) && !t.shows(&t.deadlines[3]));
        // The missed one is drawn thicker, in vermillion.
        assert!(svg.contains("stroke=\"#D55E00\" stroke-width=\"3\""));
    }

    #[test]
    fn hostile_text_is_escaped() {
        let hostile = "</text><script>alert('x')</script> & \"q\" \u{0}\u{1b}]]>";
        let mut t = sample();
        t.title = hostile.to_owned();
        t.lanes[0] = hostile.to_owned();
        t.marks[0].label = hostile.to_owned();
        t.deadlines[0].label = hostile.to_owned();
        let svg = render_svg(&t).unwrap();
        assert!(!svg.contains("<script"));
        let doc = parse(&svg);
        assert_eq!(doc.descendants().filter(|n| n.has_tag_name("script")).count(), 0);
        // The text comes back as written, control characters aside.
        let expected = "</text><script>alert('x')</script> & \"q\" \u{FFFD}\u{FFFD}]]>";
        let texts = texts(&doc);
        assert!(texts.iter().any(|s| s == expected), "{texts:?}");
        assert!(texts.iter().any(|s| s.ends_with(expected)));
    }

    #[test]
    fn drill_is_marked_and_a_real_incident_is_not() {
        let t = sample();
        let svg = render_svg(&t).unwrap();
        let doc = parse(&svg);
        let drill = texts(&doc).iter().filter(|s| s.starts_with("DRILL")).count();
        assert!(drill >= 2, "a band at the top and the foot, and the title");
        let real = Timeline { drill: false, ..t };
        let svg = render_svg(&real).unwrap();
        assert!(!svg.contains("DRILL"));
    }

    #[test]
    fn empty_timelines_say_so() {
        let t = Timeline {
            title: "Phishing — 20261128-0930-000000".into(),
            drill: false,
            start: at(9, 30),
            end: at(9, 30),
            lanes: vec![],
            marks: vec![],
            deadlines: vec![],
        };
        let svg = render_svg(&t).unwrap();
        let doc = parse(&svg);
        assert!(texts(&doc).iter().any(|s| s.starts_with("Nothing recorded yet")));
        assert_eq!(count_marks(&doc), 0);

        let with_lanes = Timeline { lanes: vec!["Incident Commander".into()], ..t };
        let doc_svg = render_svg(&with_lanes).unwrap();
        let doc = parse(&doc_svg);
        assert!(texts(&doc).iter().any(|s| s.starts_with("Nothing recorded yet")));
    }

    #[test]
    fn short_and_odd_spans_render() {
        let mut t = sample();
        t.deadlines.clear();
        // Zero span, seconds, an end before the start, days, years.
        for (start, end) in [
            (at(10, 0), at(10, 0)),
            (at(10, 0), at(10, 0) + chrono::TimeDelta::seconds(7)),
            (at(12, 0), at(9, 0)),
            (at(9, 0), at(9, 0) + chrono::TimeDelta::days(9)),
            (at(9, 0), at(9, 0) + chrono::TimeDelta::days(3000)),
        ] {
            t.start = start;
            t.end = end;
            t.marks.iter_mut().for_each(|m| m.time = start);
            let svg = render_svg(&t).unwrap();
            let doc = parse(&svg);
            assert_eq!(count_marks(&doc), t.marks.len());
            // Tick labels are centred; each is drawn above and below the lanes.
            let ticks = doc
                .descendants()
                .filter(|n| n.has_tag_name("text") && n.attribute("text-anchor") == Some("middle"))
                .count();
            assert!(ticks >= 4, "{start} – {end}: too few ticks");
        }
        // The extremes chrono allows.
        t.start = DateTime::<Utc>::MIN_UTC;
        t.end = DateTime::<Utc>::MAX_UTC;
        parse(&render_svg(&t).unwrap());
    }

    #[test]
    fn tick_spacing_follows_the_span() {
        let base = at(9, 0).timestamp_millis();
        for (span, first, count) in [
            (MIN_SPAN_MS, "09:00:00", 7),
            (20 * MINUTE, "09:00", 5),
            (3 * HOUR + 20 * MINUTE, "09:00", 7),
            (30 * HOUR, "12:00", 5),
            (9 * DAY, "29 Nov 2026", 5),
        ] {
            let (ticks, _) = ticks(&Scale { t0: base, t1: base + span });
            let labels: Vec<&str> = ticks.iter().map(|t| t.time.as_str()).collect();
            assert_eq!(labels.len(), count, "{labels:?}");
            assert_eq!(labels.first(), Some(&first));
            assert!(ticks.windows(2).all(|w| w[0].x < w[1].x));
        }
        // Across midnight, the date is shown under the first tick and at each new day.
        let (ticks, dated) = ticks(&Scale { t0: base + 12 * HOUR, t1: base + 18 * HOUR });
        assert!(dated);
        let dates: Vec<&str> = ticks.iter().filter_map(|t| t.date.as_deref()).collect();
        assert_eq!(dates, ["28 Nov", "29 Nov"]);
    }

    fn huge() -> Timeline {
        let lanes: Vec<String> =
            (0..30).map(|i| format!("Workstation WS-{i:02} with a long name here")).collect();
        let marks: Vec<Mark> = (0..500)
            .map(|i| Mark {
                time: at(8, 0) + chrono::TimeDelta::seconds(i * 37 % 20_000),
                lane: (i as usize * 7) % 30,
                kind: MarkKind::ALL[i as usize % MarkKind::ALL.len()],
                label: format!("Entry number {i} with some words to it"),
            })
            .collect();
        Timeline {
            title: "30 lanes, 500 entries, 20 deadlines".into(),
            drill: false,
            start: at(8, 0),
            end: at(14, 0),
            lanes,
            marks,
            deadlines: (0..20)
                .map(|i| DeadlineMark {
                    time: at(8, 10) + chrono::TimeDelta::minutes(i64::from(i) * 17),
                    label: format!("Deadline {i}"),
                    met: [None, Some(true), Some(false)].get(i as usize % 3).copied().flatten(),
                })
                .collect(),
        }
    }

    #[test]
    fn many_lanes_and_marks_render() {
        let svg = render_svg(&huge()).unwrap();
        let doc = parse(&svg);
        assert_eq!(count_marks(&doc), 500);
        let height: u32 = doc.root_element().attribute("height").unwrap().parse().unwrap();
        assert!(height > 30 * LANE_H as u32);
    }

    #[test]
    fn bad_lanes_are_errors_not_panics() {
        let mut t = sample();
        t.marks[2].lane = 99;
        let e = render_svg(&t).unwrap_err();
        assert_eq!(e.code(), "invalid_input");
        assert!(e.to_string().contains("mark 3"), "{e}");

        let mut t = sample();
        t.lanes = (0..=MAX_LANES).map(|i| i.to_string()).collect();
        assert_eq!(render_svg(&t).unwrap_err().code(), "invalid_input");
    }

    #[test]
    fn text_helpers() {
        assert_eq!(shorten("abcdef", 4), "abc…");
        assert_eq!(shorten("abc", 4), "abc");
        assert_eq!(fit("a long label", 10, 11.0), None);
        assert_eq!(clean("a\nb\u{7}"), "a b\u{FFFD}");
        assert_eq!(escape("<&\"'>"), "&lt;&amp;&quot;&apos;&gt;");
        assert_eq!(duration_words(chrono::TimeDelta::minutes(275)), "4 h 35 min");
    }

    /// Writes `target/timeline-sample.svg` (and the 30-lane stress picture) to look at:
    /// `cargo test --lib timeline::tests::write_samples -- --ignored`, then
    /// `rsvg-convert target/timeline-sample.svg -o target/timeline-sample.png`.
    #[test]
    #[ignore]
    fn write_samples() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target");
        let dir = std::env::var_os("CARGO_TARGET_DIR").map_or(dir, std::path::PathBuf::from);
        std::fs::create_dir_all(&dir).unwrap();
        let t = sample();
        std::fs::write(dir.join("timeline-sample.svg"), render_svg(&t).unwrap()).unwrap();
        let real = Timeline { drill: false, deadlines: vec![], ..t.clone() };
        std::fs::write(dir.join("timeline-real.svg"), render_svg(&real).unwrap()).unwrap();
        let days = Timeline {
            end: at(9, 30) + chrono::TimeDelta::hours(60),
            marks: t
                .marks
                .iter()
                .enumerate()
                .map(|(i, m)| Mark {
                    time: m.time + chrono::TimeDelta::hours(4 * i as i64),
                    ..m.clone()
                })
                .collect(),
            deadlines: vec![],
            ..t.clone()
        };
        std::fs::write(dir.join("timeline-days.svg"), render_svg(&days).unwrap()).unwrap();
        let empty = Timeline { marks: vec![], deadlines: vec![], end: at(9, 31), ..t };
        std::fs::write(dir.join("timeline-empty.svg"), render_svg(&empty).unwrap()).unwrap();
        std::fs::write(dir.join("timeline-huge.svg"), render_svg(&huge()).unwrap()).unwrap();
    }
}
