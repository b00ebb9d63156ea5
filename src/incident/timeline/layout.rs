//! Where everything of the timeline goes, worked out before anything is drawn: the time
//! scale and its ticks, the legend, the deadlines' labels, each mark's row in its lane and
//! how much of its words fit.

use chrono::{DateTime, Utc};
use plotters::style::text_anchor::HPos;

use super::{DeadlineMark, Mark, MarkKind, Timeline};

// Layout, in pixels.
pub(super) const W: i32 = 960;
pub(super) const MARGIN: i32 = 16;
pub(super) const LANE_NAME_W: i32 = 184;
pub(super) const PLOT_X0: i32 = MARGIN + LANE_NAME_W + 8;
pub(super) const PLOT_X1: i32 = W - 28;
/// The lanes' bands run past the time axis, to give the last marks' words room.
pub(super) const LANES_X1: i32 = W - 8;
/// Room kept inside the plot's edges so a mark at either end is drawn whole.
const PLOT_PAD: i32 = 12;
pub(super) const LANE_H: i32 = 42;
/// Vertical offsets of the rows of a lane.
const SLOTS: [i32; 3] = [0, -12, 12];
pub(super) const DRILL_BAND_H: i32 = 30;
pub(super) const TITLE_PX: f64 = 19.0;
pub(super) const TEXT_PX: f64 = 12.0;
pub(super) const LABEL_PX: f64 = 11.0;
pub(super) const LANE_PX: f64 = 12.5;
pub(super) const DEADLINE_ROW_H: i32 = 16;
const MAX_DEADLINE_ROWS: usize = 4;
pub(super) const LEGEND_ROW_H: i32 = 22;
/// The longest label drawn on the picture, in characters (the tooltip holds it whole).
const MAX_LABEL_CHARS: usize = 30;
/// The mean width of a character of a sans-serif face, in ems (DejaVu Sans is about this wide;
/// most faces are narrower).
const CHAR_EM: f64 = 0.56;
/// A span shorter than this is drawn as this much, centred on it.
pub(super) const MIN_SPAN_MS: i64 = 60_000;

/// Where everything goes, worked out before anything is drawn.
pub(super) struct Layout {
    pub(super) ticks: Vec<Tick>,
    pub(super) legend: Vec<LegendItem>,
    pub(super) deadlines: Vec<PlacedDeadline>,
    pub(super) marks: Vec<PlacedMark>,
    pub(super) y_title: i32,
    pub(super) y_legend: i32,
    pub(super) y_deadlines: i32,
    pub(super) y_axis_top: i32,
    pub(super) y_lanes: i32,
    pub(super) lanes_h: i32,
    pub(super) y_axis_bottom: i32,
    pub(super) y_footer: i32,
    pub(super) y_drill_foot: i32,
    pub(super) height: u32,
}

pub(super) struct Scale {
    pub(super) t0: i64,
    pub(super) t1: i64,
    /// The zone ticks and times read in.
    pub(super) zone: crate::words::Zone,
}

impl Scale {
    fn x(&self, ms: i64) -> i32 {
        let span = (self.t1 as f64 - self.t0 as f64).max(1.0);
        let f = ((ms as f64 - self.t0 as f64) / span).clamp(0.0, 1.0);
        let (a, b) = (f64::from(PLOT_X0 + PLOT_PAD), f64::from(PLOT_X1 - PLOT_PAD));
        (a + f * (b - a)).round() as i32
    }
}

pub(super) struct Tick {
    pub(super) x: i32,
    pub(super) time: String,
    pub(super) date: Option<String>,
}

pub(super) struct LegendItem {
    pub(super) shape: Shape,
    pub(super) text: String,
    pub(super) x: i32,
    pub(super) row: i32,
}

#[derive(Clone, Copy)]
pub(super) enum Shape {
    Mark(MarkKind),
    Deadline(Option<bool>),
}

pub(super) struct PlacedDeadline {
    pub(super) x: i32,
    pub(super) met: Option<bool>,
    /// The text drawn and its row, when there is room for it.
    pub(super) text: Option<(String, i32, HPos)>,
    pub(super) tooltip: String,
}

pub(super) struct PlacedMark {
    pub(super) number: usize,
    pub(super) kind: MarkKind,
    pub(super) lane: usize,
    pub(super) x: i32,
    pub(super) y: i32,
    /// The words drawn beside the mark, and on which side of them the mark is.
    pub(super) text: Option<(String, HPos)>,
    pub(super) tooltip: String,
}

impl Layout {
    pub(super) fn new(t: &Timeline) -> Layout {
        let (lo, hi) = t.range();
        let (mut t0, mut t1) = (lo.timestamp_millis(), hi.timestamp_millis());
        if t1.saturating_sub(t0) < MIN_SPAN_MS {
            let mid = t0 / 2 + t1 / 2;
            t0 = mid.saturating_sub(MIN_SPAN_MS / 2);
            t1 = mid.saturating_add(MIN_SPAN_MS / 2);
        }
        let scale = Scale { t0, t1, zone: t.zone };
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

pub(super) fn lane_y(y_lanes: i32, lane: usize) -> i32 {
    y_lanes + i32::try_from(lane).unwrap_or(0) * LANE_H + LANE_H / 2
}

const SECOND: i64 = 1000;
pub(super) const MINUTE: i64 = 60 * SECOND;
pub(super) const HOUR: i64 = 60 * MINUTE;
pub(super) const DAY: i64 = 24 * HOUR;
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
pub(super) fn ticks(s: &Scale) -> (Vec<Tick>, bool) {
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
    // Round times on the zone's clock (its offset at the start: a daylight-saving change
    // inside the span moves later ticks by its hour, still labelled as they read).
    let offset = DateTime::from_timestamp_millis(s.t0).map_or(0, |t| s.zone.offset_ms(t));
    let mut ms = s.t0.saturating_add(offset).div_euclid(step).saturating_mul(step) - offset;
    if ms < s.t0 {
        ms = ms.saturating_add(step);
    }
    let mut last_date = None;
    while ms <= s.t1 && out.len() < 64 {
        let Some(at) = DateTime::from_timestamp_millis(ms) else { break };
        let date = s.zone.format(at, "%d %b");
        let show_date = with_dates && last_date.as_ref() != Some(&date);
        last_date = Some(date.clone());
        out.push(Tick {
            x: s.x(ms),
            time: s.zone.format(at, format),
            date: show_date.then_some(date),
        });
        ms = ms.saturating_add(step);
    }
    // A span too short or oddly placed for any round tick still gets its two ends.
    if out.is_empty() {
        for ms in [s.t0, s.t1] {
            if let Some(at) = DateTime::from_timestamp_millis(ms) {
                out.push(Tick { x: s.x(ms), time: s.zone.format(at, "%H:%M:%S"), date: None });
            }
        }
    }
    let dated = out.iter().any(|t| t.date.is_some());
    (out, dated)
}

pub(super) fn legend(t: &Timeline) -> Vec<LegendItem> {
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
        let text =
            format!("{} {}: {}", clock(d.time, &t.zone), deadline_word(d.met), shorten(&label, 40));
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
            format!("Deadline {} ({}): {label}", t.zone.second(d.time), deadline_word(d.met));
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
                    "{number}. {} · {} · {lane_name}: {label}",
                    t.zone.second(sm.mark.time),
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

pub(super) fn clock(t: DateTime<Utc>, zone: &crate::words::Zone) -> String {
    zone.format(t, "%H:%M")
}

/// Text fit for XML 1.0 and one line: control characters become spaces or U+FFFD.
/// Plotters escapes `<`, `>`, `&` and quotes when it writes, and maud the tooltip layer.
pub(super) fn clean(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\t' | '\n' | '\r' => ' ',
            '\u{FFFE}' | '\u{FFFF}' => '\u{FFFD}',
            c if c.is_control() => '\u{FFFD}',
            c => c,
        })
        .collect()
}

/// A rough width of text in a sans-serif face: enough to keep labels apart.
pub(super) fn text_w(s: &str, px: f64) -> i32 {
    let n = s.chars().count().min(10_000) as f64;
    (n * px * CHAR_EM).ceil() as i32
}

/// At most `max` characters, with an ellipsis when cut.
pub(super) fn shorten(s: &str, max: usize) -> String {
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
pub(super) fn fit(s: &str, room: i32, px: f64) -> Option<String> {
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
