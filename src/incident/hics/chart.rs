//! The HICS 207 Incident Organization Chart, drawn by the core as one SVG picture from the
//! positions held (the same list the 203 prints): the Incident Commander on top, the
//! command staff below, then a column per section with its positions. Text is escaped by
//! maud as it is drawn; no font file, no script; `role="img"` with an `aria-label`.

use maud::html;

use super::{COMMAND, SECTIONS, section};
use crate::incident::Assignment;

const WIDTH: u32 = 960;
const BOX_H: u32 = 46;
const GAP: u32 = 14;
const ROW: u32 = BOX_H + 34;

/// One box: the position in bold, who holds it below.
fn boxed(x: u32, y: u32, w: u32, title: &str, person: &str) -> maud::Markup {
    let cx = x + w / 2;
    html! {
        g {
            rect x=(x) y=(y) width=(w) height=(BOX_H) rx="4" fill="#fff" stroke="#000" stroke-width="1.2" {}
            text x=(cx) y=(y + 19) text-anchor="middle" font-size="13" font-weight="bold" { (clip(title, w)) }
            text x=(cx) y=(y + 37) text-anchor="middle" font-size="13" { (clip(person, w)) }
        }
    }
}

/// A label cut to what fits a box `w` wide (about 7.5 px a character at 13 px, bold).
fn clip(text: &str, w: u32) -> String {
    let fits = usize::try_from(w.saturating_sub(8) * 2 / 15).unwrap_or(20).max(4);
    if text.chars().count() <= fits {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(fits.saturating_sub(1)).collect();
    cut.push('\u{2026}');
    cut
}

/// Boxes of width `w` for `n` items, centred across the chart: their left edges.
fn spread(n: u32, w: u32) -> Vec<u32> {
    let total = n * w + n.saturating_sub(1) * GAP;
    let start = WIDTH.saturating_sub(total) / 2;
    (0..n).map(|i| start + i * (w + GAP)).collect()
}

/// The chart of the positions held.
pub fn svg(held: &[&Assignment]) -> String {
    let ic = held.iter().find(|a| a.position == "incident-commander");
    let staff: Vec<&&Assignment> = held
        .iter()
        .filter(|a| section(&a.position) == COMMAND && a.position != "incident-commander")
        .collect();
    let columns: Vec<(&str, Vec<&&Assignment>)> = SECTIONS[1..]
        .iter()
        .map(|s| (*s, held.iter().filter(|a| section(&a.position) == *s).collect::<Vec<_>>()))
        .filter(|(_, list)| !list.is_empty())
        .collect();
    let staff_w = if staff.is_empty() {
        0
    } else {
        (WIDTH / u32::try_from(staff.len()).unwrap_or(1)).min(190) - GAP
    };
    let col_w = if columns.is_empty() {
        0
    } else {
        (WIDTH / u32::try_from(columns.len()).unwrap_or(1)).min(200) - GAP
    };
    let deepest = columns.iter().map(|(_, l)| l.len()).max().unwrap_or(0);
    let sections_y = 20 + ROW * 2;
    let height = match u32::try_from(deepest).unwrap_or(0) {
        0 => sections_y + 10,
        n => sections_y + 34 + ROW * (n - 1) + BOX_H + 10,
    };
    let label = format!("HICS 207 Incident Organization Chart: {} positions held", held.len());
    let ic_x = (WIDTH - 220) / 2;
    let svg = html! {
        svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label=(label)
            viewBox={ "0 0 " (WIDTH) " " (height) } width=(WIDTH) height=(height)
            font-family="DejaVu Sans, sans-serif" {
            title { (label) }
            (boxed(ic_x, 20, 220, "Incident Commander", ic.map_or("(not assigned)", |a| a.person.as_str())))
            @if !staff.is_empty() || !columns.is_empty() {
                line x1=(WIDTH / 2) y1=(20 + BOX_H) x2=(WIDTH / 2) y2=(sections_y - 17) stroke="#000" {}
            }
            @for (x, a) in spread(u32::try_from(staff.len()).unwrap_or(0), staff_w).into_iter().zip(&staff) {
                line x1=(x + staff_w / 2) y1=(20 + ROW - 10) x2=(x + staff_w / 2) y2=(20 + ROW) stroke="#000" {}
                (boxed(x, 20 + ROW, staff_w, &a.name, &a.person))
            }
            @if !staff.is_empty() {
                @let xs = spread(u32::try_from(staff.len()).unwrap_or(0), staff_w);
                line x1=(xs.first().copied().unwrap_or(0) + staff_w / 2) y1=(20 + ROW - 10)
                     x2=(xs.last().copied().unwrap_or(0) + staff_w / 2) y2=(20 + ROW - 10) stroke="#000" {}
            }
            @let xs = spread(u32::try_from(columns.len()).unwrap_or(0), col_w);
            @if let (Some(first), Some(last)) = (xs.first(), xs.last()) {
                line x1=(first + col_w / 2) y1=(sections_y - 17) x2=(last + col_w / 2) y2=(sections_y - 17) stroke="#000" {}
            }
            @for (x, (name, list)) in xs.iter().zip(&columns) {
                line x1=(x + col_w / 2) y1=(sections_y - 17) x2=(x + col_w / 2) y2=(sections_y) stroke="#000" {}
                rect x=(x) y=(sections_y) width=(col_w) height="24" fill="#ddd" stroke="#000" {}
                text x=(x + col_w / 2) y=(sections_y + 17) text-anchor="middle" font-size="13" font-weight="bold" { (clip(name, col_w)) }
                @for (n, a) in list.iter().enumerate() {
                    (boxed(*x, sections_y + 34 + ROW * u32::try_from(n).unwrap_or(0), col_w, &a.name, &a.person))
                }
            }
        }
    };
    svg.into_string()
}
