//! The summary's maths on known figures, apart from HTTP and the database:
//! what goes in is counted by hand, what comes out is the JSON a client reads.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use crate::quarter::Quarter;
use crate::taxonomy::{AI_DIGITAL_TOPIC, Taxonomy, Term, Vocabulary};
use serde_json::{Value, json};
use std::collections::BTreeMap;

fn taxonomy() -> Taxonomy {
    let term = |vocabulary, code: &str, label: &str| {
        (
            vocabulary,
            Term {
                code: code.into(),
                label: label.into(),
                number: None,
                parent: None,
            },
        )
    };
    Taxonomy::from_terms([
        term(Vocabulary::Priority, "p1", "Priority one"),
        term(Vocabulary::Priority, "p2", "Priority two"),
        term(Vocabulary::PracticeArea, "a1", "Area one"),
        term(Vocabulary::PracticeArea, "a2", "Area two"),
        term(Vocabulary::EvidenceType, "e1", "Economic"),
        term(
            Vocabulary::Topic,
            AI_DIGITAL_TOPIC,
            "AI and digital healthcare",
        ),
        term(Vocabulary::Nation, "england", "England"),
        term(Vocabulary::Region, "london", "London"),
        term(Vocabulary::CareerStage, "early", "Early career"),
        term(Vocabulary::CareerStage, "late", "Late career"),
        term(Vocabulary::LevelOfPractice, "novice", "Novice"),
        term(Vocabulary::Sector, "charity", "Charity"),
    ])
}

fn counts(pairs: &[(&str, i64)]) -> CountMap {
    pairs.iter().map(|(k, n)| ((*k).to_owned(), *n)).collect()
}

fn by(dimensions: &[(&str, &[(&str, i64)])]) -> BTreeMap<String, CountMap> {
    dimensions
        .iter()
        .map(|(d, pairs)| ((*d).to_owned(), counts(pairs)))
        .collect()
}

fn cell(count: i64, quality_sum: f64, quality_n: i64) -> Cell {
    Cell {
        count,
        quality_sum,
        quality_n,
    }
}

/// The reported quarter: 12 submissions, 4 reviews of 3 scored ones, 3 submitters.
fn now() -> QuarterFigures {
    QuarterFigures {
        total: 12,
        by: by(&[
            ("kind", &[("improvement_journey", 7), ("case_study", 5)]),
            ("priority", &[("p1", 9), ("p2", 3)]),
            ("practice_area", &[("a1", 10)]),
            ("topic", &[(AI_DIGITAL_TOPIC, 4)]),
            ("nation", &[("england", 12)]),
            ("region", &[("london", 6)]),
        ]),
        priority_practice_area: [
            (("p1".into(), "a1".into()), cell(6, 10.0, 3)),
            (("p2".into(), "a1".into()), cell(1, 0.0, 0)),
        ]
        .into(),
        reviews: 4,
        quality_scores: vec![4.0, 3.0, 3.0],
        mean_completeness: Some(0.75),
        submitters: SubmitterFigures {
            distinct: 3,
            first_time: 7,
            by: by(&[
                (
                    "career_stage",
                    &[("early", 6), ("late", 2), (crate::member::NOT_STATED, 9)],
                ),
                ("region", &[("london", 12)]),
            ]),
        },
        members_joined: 4,
        ai_submissions: 4,
        ai_submitters: SubmitterFigures {
            distinct: 2,
            first_time: 0,
            by: by(&[(
                "job_title",
                &[("ot lead", 5), (crate::member::NOT_STATED, 1)],
            )]),
        },
        adoption_reported: counts(&[("adopted_locally", 2)]),
        investments_reported: 1,
        investment_pence: 50_000,
        citing_submissions: 2,
        hub_items_cited: 3,
        ..QuarterFigures::default()
    }
}

/// The previous quarter: more in the busiest cell, one lower review.
fn previous() -> QuarterFigures {
    QuarterFigures {
        total: 8,
        by: by(&[
            ("kind", &[("improvement_journey", 6)]),
            ("priority", &[("p1", 4)]),
        ]),
        priority_practice_area: [(("p1".into(), "a1".into()), cell(8, 0.0, 0))].into(),
        reviews: 1,
        quality_scores: vec![2.0],
        mean_completeness: Some(0.5),
        members_joined: 1,
        ai_submissions: 1,
        ..QuarterFigures::default()
    }
}

/// The same quarter a year before: a few submissions, no reviews.
fn year_before() -> QuarterFigures {
    QuarterFigures {
        total: 5,
        ..QuarterFigures::default()
    }
}

fn report_with(figures: [&QuarterFigures; 3], gap_threshold: u64) -> Value {
    let quarter: Quarter = "2025-Q2".parse().unwrap();
    let options = ReportOptions {
        gap_threshold,
        generated_at: "2025-07-02T09:00:00.000000Z".into(),
    };
    let report = build_report(quarter, figures, Vec::new(), &taxonomy(), &options);
    serde_json::to_value(report).unwrap()
}

fn report() -> Value {
    report_with([&now(), &previous(), &year_before()], 2)
}

fn row(key: &str, label: &str, counts: [i64; 3]) -> Value {
    json!({
        "key": key,
        "label": label,
        "count": counts[0],
        "previous_quarter": counts[1],
        "same_quarter_last_year": counts[2],
        "change": counts[0] - counts[1],
    })
}

/// The rows of the breakdown of `dimension` in a list of breakdowns.
fn rows_of<'a>(breakdowns: &'a Value, dimension: &str) -> &'a Value {
    breakdowns
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["dimension"] == dimension)
        .map(|b| &b["rows"])
        .unwrap()
}

fn breakdown<'a>(report: &'a Value, dimension: &str) -> &'a Value {
    rows_of(&report["breakdowns"], dimension)
}

#[test]
fn the_quarter_is_compared_with_the_previous_one_and_the_same_one_a_year_before() {
    let report = report();

    assert_eq!(report["quarter"], "2025-Q2");
    assert_eq!(report["previous_quarter"], "2025-Q1");
    assert_eq!(report["same_quarter_last_year"], "2024-Q2");
    assert_eq!(
        report["starts_at"], "2025-03-31T23:00:00.000000Z",
        "midnight on 1 April in London (BST)"
    );
    assert_eq!(report["ends_at"], "2025-06-30T23:00:00.000000Z");
    assert_eq!(report["time_zone"], "Europe/London");
    assert_eq!(report["generated_at"], "2025-07-02T09:00:00.000000Z");
    assert_eq!(report["gap_threshold"], 2);
}

#[test]
fn headline_rows_carry_each_quarters_count_and_the_change() {
    let report = report();

    assert_eq!(
        report["headline"],
        json!([
            row("submissions", "Submissions counted", [12, 8, 5]),
            row(
                "improvement_journeys",
                "Improvement journeys submitted",
                [7, 6, 0]
            ),
            row("reviews", "Reviews made", [4, 1, 0]),
        ])
    );
}

#[test]
fn breakdowns_list_every_code_of_the_taxonomy_even_when_none_was_counted() {
    let report = report();

    assert_eq!(
        breakdown(&report, "kind"),
        &json!([
            row("improvement_journey", "improvement journey", [7, 6, 0]),
            row("case_study", "case study", [5, 0, 0]),
            row("impact_example", "impact example", [0, 0, 0]),
            row("business_case", "business case", [0, 0, 0]),
        ])
    );
    assert_eq!(
        breakdown(&report, "priority"),
        &json!([
            row("p1", "Priority one", [9, 4, 0]),
            row("p2", "Priority two", [3, 0, 0]),
        ])
    );
    assert_eq!(
        breakdown(&report, "practice_area"),
        &json!([
            row("a1", "Area one", [10, 0, 0]),
            row("a2", "Area two", [0, 0, 0]),
        ])
    );
}

#[test]
fn cells_under_the_threshold_are_gaps_and_cells_below_last_quarter_are_falling() {
    let report = report();
    let matrix = &report["gap_matrix"];

    assert_eq!(matrix["rows_dimension"], "priority");
    assert_eq!(matrix["columns_dimension"], "practice_area");
    assert_eq!(
        matrix["cells"],
        json!([
            {"row": "p1", "column": "a1", "count": 6, "previous_quarter": 8, "same_quarter_last_year": 0, "mean_quality": 3.33},
            {"row": "p1", "column": "a2", "count": 0, "previous_quarter": 0, "same_quarter_last_year": 0, "mean_quality": null},
            {"row": "p2", "column": "a1", "count": 1, "previous_quarter": 0, "same_quarter_last_year": 0, "mean_quality": null},
            {"row": "p2", "column": "a2", "count": 0, "previous_quarter": 0, "same_quarter_last_year": 0, "mean_quality": null},
        ])
    );
    assert_eq!(
        matrix["gaps"],
        json!([
            {"row": "p1", "column": "a2", "count": 0},
            {"row": "p2", "column": "a1", "count": 1},
            {"row": "p2", "column": "a2", "count": 0},
        ])
    );
    assert_eq!(
        matrix["falling"],
        json!([{"row": "p1", "column": "a1", "count": 6}])
    );
    assert_eq!(
        report["evidence_matrix"]["gaps"],
        json!([
            {"row": "p1", "column": "e1", "count": 0},
            {"row": "p2", "column": "e1", "count": 0},
        ])
    );
}

#[test]
fn a_threshold_of_zero_finds_no_gaps() {
    let report = report_with([&now(), &previous(), &year_before()], 0);

    assert_eq!(report["gap_matrix"]["gaps"], json!([]));
    assert_eq!(report["evidence_matrix"]["gaps"], json!([]));
}

#[test]
fn quality_is_the_mean_and_median_of_the_latest_scores_of_counted_work_rounded_to_two_places() {
    let report = report();

    assert_eq!(
        report["quality"],
        json!({
            "reviews": 4,
            "scored_submissions": 3,
            "mean_quality": 3.33,
            "median_quality": 3.0,
            "mean_completeness": 0.75,
            "previous_quarter_mean_quality": 2.0,
            "same_quarter_last_year_mean_quality": null,
            "previous_quarter_mean_completeness": 0.5,
            "same_quarter_last_year_mean_completeness": null,
            "trend": "rising",
        })
    );
}

#[test]
fn the_quality_trend_compares_with_the_previous_quarter_only() {
    let trend = |now: &[f64], before: &[f64]| {
        let figures = |scores: &[f64]| QuarterFigures {
            quality_scores: scores.to_vec(),
            ..QuarterFigures::default()
        };
        let report = report_with([&figures(now), &figures(before), &figures(&[5.0])], 1);
        report["quality"]["trend"].as_str().unwrap().to_owned()
    };

    assert_eq!(trend(&[3.0], &[4.0]), "falling");
    assert_eq!(trend(&[3.0, 4.0], &[3.5]), "steady");
    assert_eq!(trend(&[3.0], &[]), "unknown");
    assert_eq!(trend(&[], &[3.0]), "unknown");
}

#[test]
fn counts_of_people_from_one_to_four_are_withheld() {
    let report = report();
    let community = &report["community"];

    assert_eq!(
        community["distinct_submitters"],
        json!({"key": "distinct_submitters", "count": null, "suppressed": true})
    );
    assert_eq!(
        community["first_time_submitters"],
        json!({"key": "first_time_submitters", "count": 7, "suppressed": false})
    );
    assert_eq!(
        community["members_joined"],
        json!({
            "key": "members_joined",
            "label": "Members who joined",
            "count": null,
            "previous_quarter": null,
            "same_quarter_last_year": 0,
            "change": null,
            "suppressed": true,
        }),
        "members who joined are people: 4 and 1 are withheld, and the change with them"
    );
}

#[test]
fn members_joined_publish_a_change_only_between_published_counts() {
    let joined = |now, previous, year_before| {
        let figures = |members_joined| QuarterFigures {
            members_joined,
            ..QuarterFigures::default()
        };
        let report = report_with(
            [&figures(now), &figures(previous), &figures(year_before)],
            1,
        );
        report["community"]["members_joined"].clone()
    };

    let shown = joined(9, 6, 0);
    assert_eq!(
        (
            &shown["count"],
            &shown["previous_quarter"],
            &shown["change"],
            &shown["suppressed"]
        ),
        (&json!(9), &json!(6), &json!(3), &json!(false))
    );
    let small_before = joined(9, 2, 5);
    assert_eq!(small_before["count"], 9);
    assert_eq!(small_before["previous_quarter"], Value::Null);
    assert_eq!(
        small_before["change"],
        Value::Null,
        "9 - change would give 2"
    );
    let small_now = joined(3, 7, 0);
    assert_eq!(small_now["count"], Value::Null);
    assert_eq!(small_now["change"], Value::Null, "7 + change would give 3");
}

#[test]
fn a_withheld_demographic_never_stands_alone_in_its_sum() {
    let report = report();
    let submitters_by = &report["community"]["submitters_by"];

    // The total (3) is withheld too, so `late` is one of two unknowns in its sum.
    assert_eq!(
        rows_of(submitters_by, "career_stage"),
        &json!([
            {"key": "early", "count": 6, "suppressed": false},
            {"key": "late", "count": null, "suppressed": true},
            {"key": "prefer_not_to_say", "count": 0, "suppressed": false},
            {"key": "not_stated", "count": 9, "suppressed": false},
        ])
    );
    assert_eq!(
        rows_of(submitters_by, "region"),
        &json!([
            {"key": "london", "count": 12, "suppressed": false},
            {"key": "prefer_not_to_say", "count": 0, "suppressed": false},
            {"key": "not_stated", "count": 0, "suppressed": false},
        ])
    );
    let dimensions: Vec<&str> = submitters_by
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["dimension"].as_str().unwrap())
        .collect();
    assert_eq!(
        dimensions,
        [
            "career_stage",
            "level_of_practice",
            "sector",
            "nation",
            "region"
        ]
    );
}

#[test]
fn ai_and_digital_work_is_counted_with_its_submitters_by_job_title_as_written() {
    let report = report();
    let ai = &report["ai_digital"];

    assert_eq!(
        ai["submissions"],
        row(
            "ai_digital_submissions",
            "AI and digital healthcare submissions",
            [4, 1, 0]
        )
    );
    assert_eq!(
        ai["submitters"],
        json!({"key": "ai_digital_submitters", "count": null, "suppressed": true})
    );
    assert_eq!(
        rows_of(&ai["submitters_by"], "job_title"),
        &json!([
            {"key": "not_stated", "count": null, "suppressed": true},
            {"key": "ot lead", "count": 5, "suppressed": false},
        ])
    );
}

#[test]
fn follow_ups_and_citations_are_compared_like_submissions() {
    let report = report();

    assert_eq!(
        report["recommendations"]["adoption_reported"],
        json!([
            row("proposed", "proposed", [0, 0, 0]),
            row("adopted_locally", "adopted locally", [2, 0, 0]),
            row("adopted_by_partner", "adopted by partner", [0, 0, 0]),
            row("rolled_out", "rolled out", [0, 0, 0]),
        ])
    );
    assert_eq!(
        report["recommendations"]["investment_pence"],
        row(
            "investment_pence",
            "Investment reported (GBP pence)",
            [50_000, 0, 0]
        )
    );
    assert_eq!(
        report["citations"]["hub_items_cited"],
        row("hub_items_cited", "Hub items cited", [3, 0, 0])
    );
}

#[test]
fn a_trend_point_takes_its_quarters_headline_withholding_few_submitters() {
    let quarter: Quarter = "FY2025-Q1".parse().unwrap();
    let point = TrendPoint::new(&quarter, &now().headline());

    assert_eq!(
        serde_json::to_value(point).unwrap(),
        json!({
            "quarter": "FY2025-Q1",
            "submissions": 12,
            "distinct_submitters": null,
            "mean_quality": 3.33,
            "by_priority": {"p1": 9, "p2": 3},
            "by_kind": {"case_study": 5, "improvement_journey": 7},
        })
    );
}

#[test]
fn a_snapshot_differs_from_the_live_summary_only_where_a_figure_changed() {
    let quarter: Quarter = "2025-Q2".parse().unwrap();
    let options = ReportOptions {
        gap_threshold: 2,
        generated_at: "2025-07-02T09:00:00.000000Z".into(),
    };
    let build = |now: &QuarterFigures, trend: Vec<TrendPoint>| {
        build_report(
            quarter,
            [now, &previous(), &year_before()],
            trend,
            &taxonomy(),
            &options,
        )
    };
    let frozen = build(&now(), Vec::new());
    let one_more = QuarterFigures { total: 13, ..now() };
    let trend = vec![TrendPoint::new(&quarter, &one_more.headline())];

    let live = build(&one_more, trend);

    assert_eq!(
        differences(&live, &frozen),
        vec![Difference {
            section: "headline".into(),
            dimension: "headline".into(),
            key: "submissions".into(),
            snapshot: Some("12".into()),
            live: Some("13".into()),
        }]
    );
    assert_eq!(differences(&frozen, &frozen), Vec::new());
}

fn cube_figures(cells: &[((&str, &str, &str), i64)]) -> QuarterFigures {
    QuarterFigures {
        evidence_cube: cells
            .iter()
            .map(|((p, a, e), n)| (((*p).into(), (*a).into(), (*e).into()), *n))
            .collect(),
        ..QuarterFigures::default()
    }
}

#[test]
fn the_cube_has_every_combination_with_gaps_and_both_kinds_of_falling() {
    let now = cube_figures(&[(("p1", "a1", "e1"), 3), (("p2", "a2", "e1"), 1)]);
    let previous = cube_figures(&[(("p1", "a1", "e1"), 4)]);
    let year_before = cube_figures(&[(("p2", "a1", "e1"), 2), (("p1", "a1", "e1"), 3)]);
    let mut year_before = year_before;
    year_before.priority_practice_area = [(("p2".into(), "a1".into()), cell(2, 0.0, 0))].into();

    let report = report_with([&now, &previous, &year_before], 2);
    let cube = &report["evidence_cube"];

    let cell = |p: &str, a: &str, counts: [i64; 3]| {
        json!({"priority": p, "practice_area": a, "evidence_type": "e1",
               "count": counts[0], "previous_quarter": counts[1], "same_quarter_last_year": counts[2]})
    };
    assert_eq!(
        cube["cells"],
        json!([
            cell("p1", "a1", [3, 4, 3]),
            cell("p1", "a2", [0, 0, 0]),
            cell("p2", "a1", [0, 0, 2]),
            cell("p2", "a2", [1, 0, 0]),
        ])
    );
    let named = |p: &str, a: &str, count: i64| json!({"priority": p, "practice_area": a, "evidence_type": "e1", "count": count});
    assert_eq!(
        cube["gaps"],
        json!([
            named("p1", "a2", 0),
            named("p2", "a1", 0),
            named("p2", "a2", 1)
        ])
    );
    assert_eq!(cube["falling"], json!([named("p1", "a1", 3)]));
    assert_eq!(cube["falling_year_on_year"], json!([named("p2", "a1", 0)]));
    assert_eq!(
        report["gap_matrix"]["falling_year_on_year"],
        json!([{"row": "p2", "column": "a1", "count": 0}])
    );
    assert_eq!(report["gap_matrix"]["falling"], json!([]));
}

#[test]
fn a_summary_frozen_before_the_cube_still_loads() {
    let mut frozen = report();
    frozen.as_object_mut().unwrap().remove("evidence_cube");
    for matrix in ["gap_matrix", "evidence_matrix"] {
        frozen[matrix]
            .as_object_mut()
            .unwrap()
            .remove("falling_year_on_year");
    }

    let loaded: QuarterlyReport = serde_json::from_value(frozen).unwrap();

    assert_eq!(loaded.evidence_cube, Cube::default());
    assert!(loaded.gap_matrix.falling_year_on_year.is_empty());
    assert!(!loaded.gap_matrix.falling.is_empty());
}
