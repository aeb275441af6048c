//! One definition per measure, and quarters in the UK's civil time.
//!
//! Mean and median quality are those of the latest score of each counted
//! submission, in the headline, the matrices, the trend and the series alike;
//! quarters run from midnight to midnight in `Europe/London`, in the summary
//! and in the list filter alike.

use domain::quarter::Quarter;
use hub_tests::{TestApp, TestMember, case_study, rollups_equal_recount, spawn_app};
use persistence::SeaReportRepository;
use reqwest::StatusCode;
use serde_json::Value;

async fn reports(app: &TestApp) -> SeaReportRepository {
    let db = persistence::connect(&app.database_url, 2)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    SeaReportRepository::new(db.connection)
}

async fn summary(app: &TestApp, admin: &TestMember, quarter: &str) -> Value {
    let (status, _, report) = app
        .get(
            &format!("/api/v1/reports/quarterly/{quarter}"),
            Some(&admin.token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{quarter}: {report}");
    report
}

fn cell<'a>(matrix: &'a Value, row: &str, column: &str) -> &'a Value {
    matrix["cells"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["row"] == row && c["column"] == column)
        .unwrap_or_else(|| panic!("no cell {row} × {column}"))
}

/// Every mean and median quality the summary and the series publish for
/// `quarter`: headline mean, headline median, matrix cell, trend point,
/// series point.
async fn quality_everywhere(app: &TestApp, admin: &TestMember, quarter: &str) -> [Value; 5] {
    let report = summary(app, admin, quarter).await;
    let (status, _, series) = app
        .get(
            &format!("/api/v1/reports/quarterly?from={quarter}&to={quarter}"),
            Some(&admin.token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{series}");
    let trend = report["priority_trend"]
        .as_array()
        .and_then(|t| t.last())
        .cloned()
        .expect("the test expected this value to be present");
    assert_eq!(trend["quarter"], quarter);
    [
        report["quality"]["mean_quality"].clone(),
        report["quality"]["median_quality"].clone(),
        cell(&report["gap_matrix"], "optimising_ot", "primary_care")["mean_quality"].clone(),
        trend["mean_quality"].clone(),
        series["quarters"][0]["mean_quality"].clone(),
    ]
}

#[tokio::test]
async fn a_submission_reviewed_twice_counts_once_with_its_latest_score_everywhere() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let reviewer = app.reviewer().await;
    let first = app.member().await;
    let second = app.member().await;
    let quarter = Quarter::calendar_containing(chrono::Utc::now());
    // Changes requested with 2 in every criterion, then published with 5.
    let twice = app
        .submitted(&first.token, &case_study("Reviewed twice"))
        .await;
    let (claimed, body) = app.claim(&reviewer.token, &twice).await;
    assert_eq!(claimed, StatusCode::OK, "{body}");
    let (reviewed, body) = app
        .review(&reviewer.token, &twice, "request_changes", 2)
        .await;
    assert_eq!(reviewed, StatusCode::CREATED, "{body}");
    let (resubmitted, body) = app.submit(&first.token, &twice).await;
    assert_eq!(resubmitted, StatusCode::OK, "{body}");
    let (claimed, body) = app.claim(&reviewer.token, &twice).await;
    assert_eq!(claimed, StatusCode::OK, "{body}");
    let (published, body) = app.review(&reviewer.token, &twice, "publish", 5).await;
    assert_eq!(published, StatusCode::CREATED, "{body}");
    // Another in the same cell, reviewed once with 3.
    let once = app
        .submitted(&second.token, &case_study("Reviewed once"))
        .await;
    let (claimed, body) = app.claim(&reviewer.token, &once).await;
    assert_eq!(claimed, StatusCode::OK, "{body}");
    let (published, body) = app.review(&reviewer.token, &once, "publish", 3).await;
    assert_eq!(published, StatusCode::CREATED, "{body}");

    let kept_by_writes = quality_everywhere(&app, &admin, &quarter.to_string()).await;
    let report = summary(&app, &admin, &quarter.to_string()).await;
    app.recount_rollups().await;
    let recounted = quality_everywhere(&app, &admin, &quarter.to_string()).await;

    // Latest scores 5 and 3: mean 4, median 4. Averaging the three reviews
    // made (2, 5, 3) would give 3.33 and 3.
    let four = Value::from(4.0);
    assert_eq!(
        kept_by_writes,
        [(); 5].map(|_| four.clone()),
        "headline mean, headline median, matrix cell, trend, series"
    );
    assert_eq!(recounted, kept_by_writes, "a rebuild of the rollups agrees");
    assert_eq!(report["quality"]["reviews"], 3, "reviews made are counted");
    assert_eq!(report["quality"]["scored_submissions"], 2);
    assert!(
        report["quality"]["mean_completeness"]
            .as_f64()
            .is_some_and(|c| c > 0.5),
        "{}",
        report["quality"]
    );
    let rule = report["counting_rule"]
        .as_str()
        .expect("the test expected this value to be present");
    assert!(rule.contains("latest quality score"), "{rule}");
    let figures = rollups_equal_recount(&reports(&app).await, quarter, "two reviews").await;
    assert_eq!(figures.quality_scores, vec![3.0, 5.0]);
    assert_eq!(figures.reviews, 3);
}

#[tokio::test]
async fn quarters_are_bounded_in_uk_civil_time_in_the_summary_and_the_list() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let author = app.member().await;
    let mut ids = Vec::new();
    for instant in [
        // 23:59:59 on 30 June in London (BST): the second quarter.
        "2026-06-30T22:59:59Z",
        // 00:30 on 1 July in London (BST): the third quarter.
        "2026-06-30T23:30:00Z",
        // 23:30 on 31 December in London (GMT, no offset): the fourth.
        "2026-12-31T23:30:00Z",
    ] {
        let id = app.submitted(&author.token, &case_study(instant)).await;
        app.backdate(&id, instant).await;
        ids.push(id);
    }
    let listed = |quarter: &'static str| {
        let app = &app;
        let admin = &admin;
        async move {
            let (status, _, page) = app
                .get(
                    &format!("/api/v1/submissions?quarter={quarter}&limit=100"),
                    Some(&admin.token),
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{page}");
            page["items"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|s| s["id"].as_str().map(str::to_owned))
                .collect::<Vec<_>>()
        }
    };

    let mut totals = Vec::new();
    for quarter in ["2026-Q2", "2026-Q3", "2026-Q4", "2027-Q1", "FY2026-Q2"] {
        let report = summary(&app, &admin, quarter).await;
        totals.push(report["headline"][0]["count"].as_i64().unwrap_or(-1));
    }
    let q3 = summary(&app, &admin, "2026-Q3").await;

    assert_eq!(totals, [1, 1, 1, 0, 1]);
    assert_eq!(listed("2026-Q2").await, [ids[0].clone()]);
    assert_eq!(listed("2026-Q3").await, [ids[1].clone()]);
    assert_eq!(listed("2026-Q4").await, [ids[2].clone()]);
    assert_eq!(listed("FY2026-Q2").await, [ids[1].clone()]);
    assert_eq!(q3["starts_at"], "2026-06-30T23:00:00.000000Z");
    assert_eq!(q3["ends_at"], "2026-09-30T23:00:00.000000Z");
    assert_eq!(q3["time_zone"], "Europe/London");
    let rule = q3["counting_rule"]
        .as_str()
        .expect("the test expected this value to be present");
    assert!(rule.contains("Europe/London"), "{rule}");
    let (status, _, series) = app
        .get(
            "/api/v1/reports/quarterly?from=2026-Q2&to=2026-Q4",
            Some(&admin.token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{series}");
    let by_quarter: Vec<i64> = series["quarters"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|q| q["submissions"].as_i64())
        .collect();
    assert_eq!(by_quarter, [1, 1, 1]);
    let repository = reports(&app).await;
    for quarter in ["2026-Q2", "2026-Q3", "2026-Q4"] {
        let quarter: Quarter = quarter.parse().unwrap_or_else(|e| panic!("{e}"));
        let figures = rollups_equal_recount(&repository, quarter, "UK quarters").await;
        assert_eq!(figures.total, 1, "{quarter}");
    }
}

#[tokio::test]
async fn every_export_states_the_time_zone_on_its_cover() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let fetch = |path: String| {
        let app = &app;
        let admin = &admin;
        async move {
            let answer = app
                .request(reqwest::Method::GET, &path, Some(&admin.token))
                .send()
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(answer.status(), StatusCode::OK, "{path}");
            answer
                .bytes()
                .await
                .unwrap_or_else(|e| panic!("{e}"))
                .to_vec()
        }
    };

    let csv = String::from_utf8(fetch("/api/v1/reports/quarterly/2026-Q3?format=csv".into()).await)
        .expect("the test expected this value to be present");
    let svg = String::from_utf8(fetch("/api/v1/reports/quarterly/2026-Q3?format=svg".into()).await)
        .expect("the test expected this value to be present");
    let series = String::from_utf8(
        fetch("/api/v1/reports/quarterly?from=2026-Q2&to=2026-Q3&format=csv".into()).await,
    )
    .expect("the test expected this value to be present");
    let xlsx = fetch("/api/v1/reports/quarterly/2026-Q3?format=xlsx".into()).await;

    assert!(
        csv.lines()
            .nth(3)
            .is_some_and(|l| l.starts_with("2026-Q3,cover,time_zone,Europe/London,")),
        "{csv}"
    );
    assert!(
        svg.contains("Quarters in UK civil time (Europe/London)"),
        "{svg}"
    );
    assert!(
        series
            .lines()
            .any(|l| l.starts_with("2026-Q2,time_zone,Europe/London,")),
        "{series}"
    );
    use calamine::Reader as _;
    let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx))
        .unwrap_or_else(|e| panic!("{e}"));
    let cover = book
        .worksheet_range("Cover")
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        cover
            .rows()
            .any(|row| row.iter().any(|c| c.to_string().contains("Europe/London"))),
        "the cover sheet names the time zone"
    );
}
