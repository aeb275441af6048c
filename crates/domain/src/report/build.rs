use super::figures::{Cell, QuarterFigures, SubmitterFigures};
use super::measures::{MEASURES_RULE, median, round2};
use super::suppress::{Sum, protect};
use super::*;
use crate::member::NOT_STATED;
use crate::quarter::{QUARTER_BOUNDS_RULE, Quarter};
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
        falling_year_on_year: Vec::new(),
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
                    .then(|| round2(now.quality_sum / now.quality_n as f64)),
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
                out.falling.push(reference.clone());
            }
            if now.count < year_before.count {
                out.falling_year_on_year.push(reference);
            }
            out.cells.push(cell);
        }
    }
    out
}

/// The evidence cube: every priority × practice area × evidence type, with
/// the matrices' rules for gaps and falling cells.
fn cube(
    priorities: &[(String, String)],
    practice_areas: &[(String, String)],
    evidence_types: &[(String, String)],
    figures: [&QuarterFigures; 3],
    gap_threshold: u64,
) -> Cube {
    let mut out = Cube::default();
    for (priority, _) in priorities {
        for (area, _) in practice_areas {
            for (evidence, _) in evidence_types {
                let key = (priority.clone(), area.clone(), evidence.clone());
                let [now, previous, year_before] =
                    figures.map(|f| f.evidence_cube.get(&key).copied().unwrap_or(0));
                let reference = CubeCellRef {
                    priority: priority.clone(),
                    practice_area: area.clone(),
                    evidence_type: evidence.clone(),
                    count: now,
                };
                if (now as u64) < gap_threshold {
                    out.gaps.push(reference.clone());
                }
                if now < previous {
                    out.falling.push(reference.clone());
                }
                if now < year_before {
                    out.falling_year_on_year.push(reference);
                }
                out.cells.push(CubeCell {
                    priority: priority.clone(),
                    practice_area: area.clone(),
                    evidence_type: evidence.clone(),
                    count: now,
                    previous_quarter: previous,
                    same_quarter_last_year: year_before,
                });
            }
        }
    }
    out
}

/// Every count of people one summary publishes, with the sums that tie them,
/// so that they are suppressed together (see `suppress`).
#[derive(Default)]
struct PeopleTable {
    counts: Vec<i64>,
    sums: Vec<Sum>,
}

/// Where one group's counts (all submitters, or those of AI work) stand in
/// the table: its total, then each dimension's keys.
struct PeopleCells {
    total: usize,
    dimensions: Vec<(String, Vec<(String, usize)>)>,
}

impl PeopleTable {
    fn cell(&mut self, count: i64) -> usize {
        self.counts.push(count);
        self.counts.len() - 1
    }

    /// Lays out a group: each dimension adds up to the group's total, and
    /// where regions are laid out beside nations, a nation's regions add up
    /// to the nation.
    fn group(
        &mut self,
        figures: &SubmitterFigures,
        dimensions: &[(&str, Option<Vocabulary>)],
        taxonomy: &Taxonomy,
    ) -> PeopleCells {
        let total = self.cell(figures.distinct);
        let mut laid = Vec::new();
        for (dimension, vocabulary) in dimensions {
            let counts = figures.by.get(*dimension).cloned().unwrap_or_default();
            let cells: Vec<(String, usize)> = breakdown_keys(&counts, *vocabulary, taxonomy)
                .into_iter()
                .map(|key| {
                    let count = counts.get(&key).copied().unwrap_or(0);
                    (key, self.cell(count))
                })
                .collect();
            self.sums.push(Sum {
                total,
                parts: cells.iter().map(|(_, c)| *c).collect(),
            });
            laid.push(((*dimension).to_owned(), cells));
        }
        let find = |name: &str| laid.iter().find(|(d, _)| d == name).map(|(_, c)| c);
        if let (Some(nations), Some(regions)) = (find("nation"), find("region")) {
            for (nation, nation_cell) in nations {
                let parts: Vec<usize> = taxonomy
                    .terms(Vocabulary::Region)
                    .iter()
                    .filter(|t| t.parent.as_deref() == Some(nation.as_str()))
                    .filter_map(|t| regions.iter().find(|(k, _)| *k == t.code).map(|(_, c)| *c))
                    .collect();
                if !parts.is_empty() {
                    self.sums.push(Sum {
                        total: *nation_cell,
                        parts,
                    });
                }
            }
        }
        PeopleCells {
            total,
            dimensions: laid,
        }
    }
}

/// A dimension's keys: its vocabulary with "prefer not to say" and "not
/// stated", or for free text the values given and "not stated".
fn breakdown_keys(
    counts: &BTreeMap<String, i64>,
    vocabulary: Option<Vocabulary>,
    taxonomy: &Taxonomy,
) -> Vec<String> {
    match vocabulary {
        Some(v) => taxonomy
            .terms(v)
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
    }
}

/// The table's counts as published: withheld ones `null`.
struct Published<'a> {
    counts: &'a [i64],
    withheld: Vec<bool>,
}

impl Published<'_> {
    /// The count as published: `None` when withheld.
    fn count(&self, cell: usize) -> Option<i64> {
        (!self.withheld[cell]).then_some(self.counts[cell])
    }

    fn row(&self, key: &str, cell: usize) -> PeopleRow {
        PeopleRow {
            key: key.into(),
            count: self.count(cell),
            suppressed: self.withheld[cell],
        }
    }

    fn breakdowns(&self, cells: &PeopleCells) -> Vec<PeopleBreakdown> {
        cells
            .dimensions
            .iter()
            .map(|(dimension, keys)| PeopleBreakdown {
                dimension: dimension.clone(),
                rows: keys
                    .iter()
                    .map(|(key, cell)| self.row(key, *cell))
                    .collect(),
            })
            .collect()
    }
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
            now.reviews,
            previous.reviews,
            year_before.reviews,
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
    let mut people = PeopleTable::default();
    let everyone = people.group(&now.submitters, &DEMOGRAPHICS, taxonomy);
    let first_time = people.cell(now.submitters.first_time);
    let ai = people.group(&now.ai_submitters, &ai_dimensions, taxonomy);
    let published = Published {
        withheld: protect(&people.counts, &people.sums),
        counts: &people.counts,
    };
    // The trend repeats this quarter's submitters: withheld there as here.
    let mut priority_trend = priority_trend;
    for point in priority_trend
        .iter_mut()
        .filter(|p| p.quarter == quarter.to_string())
    {
        point.distinct_submitters = published.count(everyone.total);
    }
    QuarterlyReport {
        quarter: quarter.to_string(),
        previous_quarter: quarter.previous().to_string(),
        same_quarter_last_year: quarter.same_quarter_last_year().to_string(),
        starts_at: crate::timestamp::format(&quarter.start()),
        ends_at: crate::timestamp::format(&quarter.end()),
        time_zone: crate::quarter::CIVIL_TIME_ZONE.to_owned(),
        generated_at: options.generated_at.clone(),
        counting_rule: format!(
            "{QUARTER_BOUNDS_RULE} Submissions whose first submission time falls in the quarter and that are not drafts or withdrawn; reviews made in the quarter. {MEASURES_RULE} Recommendations of submissions counted in the quarter or earlier, each once, by its latest adoption status reported on or before the quarter's last day (the status written in the submission is its first report, at first submission); investment reported in follow-ups dated in the quarter plus investment written in submissions counted in it. People are counted once each, by the demographics recorded with their earliest submission counted in the quarter, as they were when it was first submitted (an erased member's as not stated). Counts of people from 1 to 4 are withheld, and with them the smallest further counts needed so that none withheld can be worked out from the totals, the breakdowns and each nation's regions."
        ),
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
        evidence_cube: cube(
            &priorities,
            &practice_areas,
            &evidence_types,
            figures,
            options.gap_threshold,
        ),
        quality: Quality {
            reviews: now.reviews,
            scored_submissions: now.quality_scores.len() as i64,
            mean_quality,
            median_quality: median(&now.quality_scores),
            mean_completeness: now.mean_completeness,
            previous_quarter_mean_quality: previous_mean,
            same_quarter_last_year_mean_quality: year_before.mean_quality(),
            previous_quarter_mean_completeness: previous.mean_completeness,
            same_quarter_last_year_mean_completeness: year_before.mean_completeness,
            trend: direction(mean_quality, previous_mean),
        },
        community: Community {
            distinct_submitters: published.row("distinct_submitters", everyone.total),
            first_time_submitters: published.row("first_time_submitters", first_time),
            members_joined: PeopleComparison::new(
                "members_joined",
                "Members who joined",
                now.members_joined,
                previous.members_joined,
                year_before.members_joined,
            ),
            submitters_by: published.breakdowns(&everyone),
        },
        ai_digital: AiDigital {
            submissions: Row::new(
                "ai_digital_submissions",
                "AI and digital healthcare submissions",
                now.ai_submissions,
                previous.ai_submissions,
                year_before.ai_submissions,
            ),
            submitters: published.row("ai_digital_submitters", ai.total),
            submitters_by: published.breakdowns(&ai),
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
            hub_items_cited: Row::new(
                "hub_items_cited",
                "Hub items cited",
                now.hub_items_cited,
                previous.hub_items_cited,
                year_before.hub_items_cited,
            ),
        },
        priority_trend,
        strategy_measures: Default::default(),
    }
}
