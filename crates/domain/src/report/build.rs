use super::figures::{Cell, QuarterFigures, SubmitterFigures, median};
use super::suppress::suppress;
use super::*;
use crate::member::NOT_STATED;
use crate::quarter::Quarter;
use crate::submission::{AdoptionStatus, SubmissionKind};
use crate::taxonomy::{Taxonomy, Vocabulary};
use std::collections::{BTreeMap, BTreeSet};

/// How a report is built.
#[derive(Debug, Clone)]
pub struct ReportOptions {
    /// Matrix cells with fewer submissions than this are gaps.
    pub gap_threshold: u64,
    /// RFC 3339 time the figures were taken.
    pub generated_at: String,
}

const DEMOGRAPHICS: [(&str, Option<Vocabulary>); 5] = [
    ("career_stage", Some(Vocabulary::CareerStage)),
    ("level_of_practice", Some(Vocabulary::LevelOfPractice)),
    ("sector", Some(Vocabulary::Sector)),
    ("nation", Some(Vocabulary::Nation)),
    ("region", Some(Vocabulary::Region)),
];

fn terms(taxonomy: &Taxonomy, vocabulary: Vocabulary) -> Vec<(String, String)> {
    taxonomy
        .terms(vocabulary)
        .iter()
        .map(|t| (t.code.clone(), t.label.clone()))
        .collect()
}

fn rows(keys: &[(String, String)], dimension: &str, figures: [&QuarterFigures; 3]) -> Vec<Row> {
    keys.iter()
        .map(|(key, label)| {
            let [now, previous, year_before] = figures.map(|f| f.count(dimension, key));
            Row::new(key, label, now, previous, year_before)
        })
        .collect()
}

fn matrix(
    rows_dimension: &str,
    columns_dimension: &str,
    row_keys: &[(String, String)],
    column_keys: &[(String, String)],
    cells: [&BTreeMap<(String, String), Cell>; 3],
    gap_threshold: u64,
) -> Matrix {
    let mut out = Matrix {
        rows_dimension: rows_dimension.into(),
        columns_dimension: columns_dimension.into(),
        cells: Vec::new(),
        gaps: Vec::new(),
        falling: Vec::new(),
    };
    for (row, _) in row_keys {
        for (column, _) in column_keys {
            let key = (row.clone(), column.clone());
            let [now, previous, year_before] =
                cells.map(|c| c.get(&key).copied().unwrap_or_default());
            let cell = MatrixCell {
                row: row.clone(),
                column: column.clone(),
                count: now.count,
                previous_quarter: previous.count,
                same_quarter_last_year: year_before.count,
                mean_quality: (now.quality_n > 0)
                    .then(|| figures::round2(now.quality_sum / now.quality_n as f64)),
            };
            let reference = CellRef {
                row: row.clone(),
                column: column.clone(),
                count: now.count,
            };
            if (now.count as u64) < gap_threshold {
                out.gaps.push(reference.clone());
            }
            if now.count < previous.count {
                out.falling.push(reference);
            }
            out.cells.push(cell);
        }
    }
    out
}

fn people_row(key: &str, count: i64) -> PeopleRow {
    let withheld = suppress(&[count], false)[0];
    PeopleRow {
        key: key.into(),
        count: (!withheld.suppressed).then_some(count),
        suppressed: withheld.suppressed,
    }
}

fn people_breakdowns(
    figures: &SubmitterFigures,
    dimensions: &[(&str, Option<Vocabulary>)],
    taxonomy: &Taxonomy,
) -> Vec<PeopleBreakdown> {
    dimensions
        .iter()
        .map(|(dimension, vocabulary)| {
            let counts = figures.by.get(*dimension).cloned().unwrap_or_default();
            let keys: Vec<String> = match vocabulary {
                Some(v) => taxonomy
                    .terms(*v)
                    .iter()
                    .map(|t| t.code.clone())
                    .chain([
                        Taxonomy::PREFER_NOT_TO_SAY.to_owned(),
                        NOT_STATED.to_owned(),
                    ])
                    .collect(),
                None => {
                    let mut keys: BTreeSet<String> = counts
                        .keys()
                        .filter(|k| k.as_str() != NOT_STATED)
                        .cloned()
                        .collect();
                    keys.insert(NOT_STATED.to_owned());
                    keys.into_iter().collect()
                }
            };
            let values: Vec<i64> = keys
                .iter()
                .map(|k| counts.get(k).copied().unwrap_or(0))
                .collect();
            let rows = keys
                .into_iter()
                .zip(suppress(&values, true))
                .map(|(key, c)| PeopleRow {
                    key,
                    count: (!c.suppressed).then_some(c.count),
                    suppressed: c.suppressed,
                })
                .collect();
            PeopleBreakdown {
                dimension: (*dimension).to_owned(),
                rows,
            }
        })
        .collect()
}

fn direction(now: Option<f64>, before: Option<f64>) -> String {
    match (now, before) {
        (Some(a), Some(b)) if a > b => "rising",
        (Some(a), Some(b)) if a < b => "falling",
        (Some(_), Some(_)) => "steady",
        _ => "unknown",
    }
    .to_owned()
}

/// Builds the summary of `quarter` from its figures and those of the
/// previous quarter and the same quarter a year before.
pub fn build_report(
    quarter: Quarter,
    figures: [&QuarterFigures; 3],
    priority_trend: Vec<TrendPoint>,
    taxonomy: &Taxonomy,
    options: &ReportOptions,
) -> QuarterlyReport {
    let [now, previous, year_before] = figures;
    let kinds: Vec<(String, String)> = SubmissionKind::ALL
        .iter()
        .map(|k| (k.as_str().to_owned(), k.as_str().replace('_', " ")))
        .collect();
    let priorities = terms(taxonomy, Vocabulary::Priority);
    let practice_areas = terms(taxonomy, Vocabulary::PracticeArea);
    let evidence_types = terms(taxonomy, Vocabulary::EvidenceType);
    let dimensions: [(&str, Vec<(String, String)>); 7] = [
        ("kind", kinds),
        ("priority", priorities.clone()),
        ("practice_area", practice_areas.clone()),
        ("evidence_type", evidence_types.clone()),
        ("topic", terms(taxonomy, Vocabulary::Topic)),
        ("nation", terms(taxonomy, Vocabulary::Nation)),
        ("region", terms(taxonomy, Vocabulary::Region)),
    ];
    let breakdowns = dimensions
        .iter()
        .map(|(dimension, keys)| Breakdown {
            dimension: (*dimension).to_owned(),
            rows: rows(keys, dimension, figures),
        })
        .collect();
    let total = |f: &QuarterFigures| f.total;
    let headline = vec![
        Row::new(
            "submissions",
            "Submissions counted",
            total(now),
            total(previous),
            total(year_before),
        ),
        Row::new(
            "improvement_journeys",
            "Improvement journeys submitted",
            now.count("kind", "improvement_journey"),
            previous.count("kind", "improvement_journey"),
            year_before.count("kind", "improvement_journey"),
        ),
        Row::new(
            "reviews",
            "Reviews made",
            now.review_scores.len() as i64,
            previous.review_scores.len() as i64,
            year_before.review_scores.len() as i64,
        ),
    ];
    let adoption_reported = AdoptionStatus::ALL
        .iter()
        .map(|status| {
            let key = status.as_str();
            let [a, b, c] = figures.map(|f| f.adoption_reported.get(key).copied().unwrap_or(0));
            Row::new(key, &key.replace('_', " "), a, b, c)
        })
        .collect();
    let mean_quality = now.mean_quality();
    let previous_mean = previous.mean_quality();
    let mut ai_dimensions: Vec<(&str, Option<Vocabulary>)> = vec![
        ("career_stage", Some(Vocabulary::CareerStage)),
        ("region", Some(Vocabulary::Region)),
    ];
    ai_dimensions.push(("job_title", None));
    QuarterlyReport {
        quarter: quarter.to_string(),
        previous_quarter: quarter.previous().to_string(),
        same_quarter_last_year: quarter.same_quarter_last_year().to_string(),
        starts_at: crate::timestamp::format(&quarter.start()),
        ends_at: crate::timestamp::format(&quarter.end()),
        generated_at: options.generated_at.clone(),
        counting_rule: "Submissions whose first submission time falls in the quarter and that are not drafts or withdrawn; reviews made in the quarter; recommendations of submissions counted in the quarter or earlier, each once, by its latest adoption status reported on or before the quarter's last day (the status written in the submission is its first report, at first submission); investment reported in follow-ups dated in the quarter plus investment written in submissions counted in it. Counts of people from 1 to 4 are withheld, with the next smallest where one alone would be withheld.".into(),
        gap_threshold: options.gap_threshold,
        headline,
        breakdowns,
        gap_matrix: matrix(
            "priority",
            "practice_area",
            &priorities,
            &practice_areas,
            figures.map(|f| &f.priority_practice_area),
            options.gap_threshold,
        ),
        evidence_matrix: matrix(
            "priority",
            "evidence_type",
            &priorities,
            &evidence_types,
            figures.map(|f| &f.priority_evidence_type),
            options.gap_threshold,
        ),
        quality: Quality {
            reviews: now.review_scores.len() as i64,
            mean_quality,
            median_quality: median(&now.review_scores),
            mean_completeness: now.mean_completeness,
            previous_quarter_mean_quality: previous_mean,
            same_quarter_last_year_mean_quality: year_before.mean_quality(),
            previous_quarter_mean_completeness: previous.mean_completeness,
            same_quarter_last_year_mean_completeness: year_before.mean_completeness,
            trend: direction(mean_quality, previous_mean),
        },
        community: Community {
            distinct_submitters: people_row("distinct_submitters", now.submitters.distinct),
            first_time_submitters: people_row("first_time_submitters", now.submitters.first_time),
            members_joined: Row::new("members_joined", "Members who joined", now.members_joined, previous.members_joined, year_before.members_joined),
            submitters_by: people_breakdowns(&now.submitters, &DEMOGRAPHICS, taxonomy),
        },
        ai_digital: AiDigital {
            submissions: Row::new(
                "ai_digital_submissions",
                "AI and digital healthcare submissions",
                now.ai_submissions,
                previous.ai_submissions,
                year_before.ai_submissions,
            ),
            submitters: people_row("ai_digital_submitters", now.ai_submitters.distinct),
            submitters_by: people_breakdowns(&now.ai_submitters, &ai_dimensions, taxonomy),
        },
        recommendations: RecommendationFigures {
            adoption_reported,
            investments_reported: Row::new(
                "investments_reported",
                "Investments reported",
                now.investments_reported,
                previous.investments_reported,
                year_before.investments_reported,
            ),
            investment_pence: Row::new(
                "investment_pence",
                "Investment reported (GBP pence)",
                now.investment_pence,
                previous.investment_pence,
                year_before.investment_pence,
            ),
        },
        citations: Citations {
            submissions_citing_the_hub: Row::new(
                "submissions_citing_the_hub",
                "Submissions citing the hub",
                now.citing_submissions,
                previous.citing_submissions,
                year_before.citing_submissions,
            ),
            hub_items_cited: Row::new("hub_items_cited", "Hub items cited", now.hub_items_cited, previous.hub_items_cited, year_before.hub_items_cited),
        },
        priority_trend,
    }
}
