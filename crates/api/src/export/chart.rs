//! A line chart of submissions by workforce priority over the last eight
//! quarters, written as SVG by hand so that every piece of text has a place
//! inside the picture and the output is the same byte for byte each time.

use super::Labels;
use domain::quarter::{CIVIL_TIME_ZONE, QUARTER_BOUNDS_RULE};
use domain::report::QuarterlyReport;
use std::fmt::Write as _;

const COLOURS: [&str; 4] = ["#005eb8", "#009639", "#ed8b00", "#ae2573"];
pub const WIDTH: i64 = 900;
pub const HEIGHT: i64 = 540;
const LEFT: i64 = 80;
const RIGHT: i64 = WIDTH - 40;
const TOP: i64 = 70;
const BOTTOM: i64 = 380;
/// Room either side of the first and last quarter for their labels.
const INSET: i64 = 40;
const LEGEND_TOP: i64 = 430;
const LEGEND_ROW: i64 = 24;

/// Where a value axis runs and its tick step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Axis {
    pub low: i64,
    pub high: i64,
    pub step: i64,
}

/// A value axis for counts from `min` to `max`: from 0 unless every value sits
/// well above 0 (the smallest above half the largest), then from a round number
/// just below the smallest; ticks on 1, 2 or 5 × a power of ten.
pub fn axis(min: i64, max: i64) -> Axis {
    let (min, max) = (min.max(0), max.max(0));
    let from_zero = min * 2 <= max;
    let span = if from_zero { max } else { max - min }.max(1);
    let rough = (span as f64 / 5.0).max(1.0);
    let power = 10f64.powi(rough.log10().floor() as i32);
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|s| *s >= rough)
        .unwrap_or(10.0 * power)
        .round()
        .max(1.0) as i64;
    let low = if from_zero {
        0
    } else {
        ((min - 1).max(0) / step) * step
    };
    let mut high = (max + step - 1) / step * step;
    if high <= low {
        high = low + step;
    }
    if high == max && !from_zero {
        high += step;
    }
    Axis { low, high, step }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

pub fn svg(report: &QuarterlyReport, labels: &Labels) -> anyhow::Result<Vec<u8>> {
    let points = &report.priority_trend;
    let mut priorities: Vec<String> = report
        .breakdowns
        .iter()
        .find(|b| b.dimension == "priority")
        .map(|b| b.rows.iter().map(|r| r.key.clone()).collect())
        .unwrap_or_default();
    for point in points {
        for priority in point.by_priority.keys() {
            if !priorities.contains(priority) {
                priorities.push(priority.clone());
            }
        }
    }
    let values: Vec<i64> = points
        .iter()
        .flat_map(|p| {
            priorities
                .iter()
                .map(|k| p.by_priority.get(k).copied().unwrap_or(0))
        })
        .collect();
    let axis = axis(
        values.iter().copied().min().unwrap_or(0),
        values.iter().copied().max().unwrap_or(0),
    );
    let n = points.len() as i64;
    let x_of = |i: i64| {
        if n <= 1 {
            (LEFT + RIGHT) / 2
        } else {
            LEFT + INSET + i * (RIGHT - LEFT - 2 * INSET) / (n - 1)
        }
    };
    let y_of = |v: i64| BOTTOM - (v - axis.low) * (BOTTOM - TOP) / (axis.high - axis.low);

    let mut out = String::new();
    let title = format!("Submissions by workforce priority, to {}", report.quarter);
    writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" role="img" aria-labelledby="title">"#
    )?;
    writeln!(out, r#"<title id="title">{}</title>"#, escape(&title))?;
    writeln!(out, r#"<desc>{}</desc>"#, escape(QUARTER_BOUNDS_RULE))?;
    writeln!(
        out,
        r##"<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>"##
    )?;
    writeln!(
        out,
        r#"<text class="title" x="{}" y="30" font-size="20" text-anchor="middle">{}</text>"#,
        WIDTH / 2,
        escape(&title)
    )?;
    writeln!(
        out,
        r#"<text class="time-zone" x="{}" y="50" font-size="12" text-anchor="middle">Quarters in UK civil time ({CIVIL_TIME_ZONE})</text>"#,
        WIDTH / 2
    )?;
    writeln!(
        out,
        r#"<text class="axis-title" x="{LEFT}" y="{}" font-size="13" text-anchor="start">Submissions</text>"#,
        TOP - 16
    )?;
    let mut tick = axis.low;
    while tick <= axis.high {
        let y = y_of(tick);
        writeln!(
            out,
            r##"<line x1="{LEFT}" y1="{y}" x2="{RIGHT}" y2="{y}" stroke="#e0e0e0" stroke-width="1"/>"##
        )?;
        writeln!(
            out,
            r#"<text class="y-label" x="{}" y="{}" font-size="12" text-anchor="end">{tick}</text>"#,
            LEFT - 8,
            y + 4
        )?;
        tick += axis.step;
    }
    writeln!(
        out,
        r##"<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{BOTTOM}" stroke="#000000" stroke-width="1"/>"##
    )?;
    writeln!(
        out,
        r##"<line x1="{LEFT}" y1="{BOTTOM}" x2="{RIGHT}" y2="{BOTTOM}" stroke="#000000" stroke-width="1"/>"##
    )?;
    for (i, point) in points.iter().enumerate() {
        let x = x_of(i as i64);
        writeln!(
            out,
            r##"<line x1="{x}" y1="{BOTTOM}" x2="{x}" y2="{}" stroke="#000000" stroke-width="1"/>"##,
            BOTTOM + 5
        )?;
        writeln!(
            out,
            r#"<text class="x-label" x="{x}" y="{}" font-size="12" text-anchor="middle">{}</text>"#,
            BOTTOM + 22,
            escape(&point.quarter)
        )?;
    }
    for (i, priority) in priorities.iter().enumerate() {
        let colour = COLOURS[i % COLOURS.len()];
        let path: Vec<String> = points
            .iter()
            .enumerate()
            .map(|(x, p)| {
                let v = p.by_priority.get(priority).copied().unwrap_or(0);
                format!("{},{}", x_of(x as i64), y_of(v))
            })
            .collect();
        writeln!(
            out,
            r#"<polyline class="series" data-key="{}" points="{}" fill="none" stroke="{colour}" stroke-width="2"/>"#,
            escape(priority),
            path.join(" ")
        )?;
        let y = LEGEND_TOP + i as i64 * LEGEND_ROW;
        writeln!(
            out,
            r#"<line x1="{LEFT}" y1="{y}" x2="{}" y2="{y}" stroke="{colour}" stroke-width="3"/>"#,
            LEFT + 28
        )?;
        writeln!(
            out,
            r#"<text class="legend" data-key="{}" x="{}" y="{}" font-size="14" text-anchor="start">{}</text>"#,
            escape(priority),
            LEFT + 38,
            y + 5,
            escape(&labels.get("priority", priority))
        )?;
    }
    writeln!(out, "</svg>")?;
    Ok(out.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::{Axis, axis};

    #[test]
    fn the_value_axis_starts_at_zero_unless_every_value_sits_well_above_it() {
        assert_eq!(
            axis(0, 0),
            Axis {
                low: 0,
                high: 1,
                step: 1
            }
        );
        assert_eq!(
            axis(3, 17),
            Axis {
                low: 0,
                high: 20,
                step: 5
            }
        );
        assert_eq!(
            axis(430, 520),
            Axis {
                low: 420,
                high: 540,
                step: 20
            }
        );
        let high = axis(431, 519);
        assert!(high.low > 0 && high.low <= 431 && high.high >= 519);
    }
}
