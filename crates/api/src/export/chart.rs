use domain::report::QuarterlyReport;
use plotters::prelude::*;

const COLOURS: [RGBColor; 4] = [
    RGBColor(0, 94, 184),
    RGBColor(0, 150, 57),
    RGBColor(237, 139, 0),
    RGBColor(174, 37, 115),
];

/// A line chart of submissions by workforce priority over the last eight quarters.
pub fn svg(report: &QuarterlyReport) -> anyhow::Result<Vec<u8>> {
    let points = &report.priority_trend;
    let priorities: Vec<String> = report
        .breakdowns
        .iter()
        .find(|b| b.dimension == "priority")
        .map(|b| b.rows.iter().map(|r| r.key.clone()).collect())
        .unwrap_or_default();
    let max = points
        .iter()
        .flat_map(|p| p.by_priority.values())
        .copied()
        .max()
        .unwrap_or(0)
        .max(1);
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (900, 480)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| anyhow::anyhow!("{e}"))?;
        let last = points.len().saturating_sub(1).max(1) as i32;
        let mut chart = ChartBuilder::on(&root)
            .caption(
                format!("Submissions by workforce priority, to {}", report.quarter),
                ("sans-serif", 20),
            )
            .margin(16)
            .x_label_area_size(36)
            .y_label_area_size(48)
            .build_cartesian_2d(0..last, 0..(max + max / 10 + 1))
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let labels: Vec<String> = points.iter().map(|p| p.quarter.clone()).collect();
        chart
            .configure_mesh()
            .x_labels(labels.len().max(1))
            .x_label_formatter(&|i| {
                labels
                    .get(usize::try_from(*i).unwrap_or(usize::MAX))
                    .cloned()
                    .unwrap_or_default()
            })
            .y_desc("Submissions")
            .draw()
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        for (i, priority) in priorities.iter().enumerate() {
            let colour = COLOURS[i % COLOURS.len()];
            let series = points
                .iter()
                .enumerate()
                .map(|(x, p)| (x as i32, p.by_priority.get(priority).copied().unwrap_or(0)));
            chart
                .draw_series(LineSeries::new(series, colour.stroke_width(2)))
                .map_err(|e| anyhow::anyhow!("{e}"))?
                .label(priority.clone())
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], colour.stroke_width(2))
                });
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        root.present().map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    Ok(out.into_bytes())
}
