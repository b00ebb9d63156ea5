//! An incident's timeline as an SVG picture, for the after-action review: the desktop window
//! shows it and the HTML report prints it, the same picture in both.
//!
//! Time runs left to right (clock times in the workstation's zone, `Timeline::zone`); each lane (a HICS position or a workstation)
//! is a horizontal band. Each entry is a mark whose shape tells its kind (a colour-blind-safe
//! palette doubles it, never alone); deadlines are dashed vertical lines. Marks are numbered
//! from 1 in the order of [`Timeline::marks`]: the report numbers its list of entries the
//! same way, so a mark too crowded for its words still leads to them. Each mark, lane and
//! deadline also carries its full text in an SVG `<title>` (a tooltip in the window).
//!
//! Drawn with plotters' SVG backend (text is written as `<text>`, so no font file is read).
//! Plotters cannot attach a `<title>` to a shape, so the tooltips are a layer of transparent
//! shapes appended after plotters' drawing, written with maud (which escapes their text, as
//! it does in the printed reports).
//!
//! `layout` works out where everything goes (the time scale, the ticks, the rows of each
//! lane, the legend and the deadlines' labels); `draw` draws it with plotters and adds the
//! tooltip layer.

mod draw;
mod layout;
#[cfg(test)]
mod tests;

use chrono::{DateTime, Utc};
use plotters::drawing::IntoDrawingArea;
use plotters::prelude::SVGBackend;

use crate::{Error, Result};
use draw::{Canvas, WHITE, draw, drawing, finish};
use layout::Layout;

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
    /// The zone the clock times read in (the workstation's).
    pub zone: crate::words::Zone,
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
