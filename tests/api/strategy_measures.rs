//! The quarterly summary's strategy measures on a known dataset: business
//! cases presented at idea clinics, adoptions by other organisations and
//! inclusions in reports, each figure checked exactly, against the previous
//! quarter, and in the CSV export.

use chrono::{Datelike, NaiveDate};
use hub_tests::{TestApp, TestMember, business_case, case_study, spawn_app};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// This calendar quarter as `2026-Q4`, a day inside it and a day inside the previous one.
fn quarters() -> (String, NaiveDate, NaiveDate) {
    let today = chrono::Utc::now().date_naive();
    let q = (today.month0() / 3) as i32;
    let start = NaiveDate::from_ymd_opt(today.year(), (q * 3 + 1) as u32, 1).expect("a day");
    let in_previous = start - chrono::Duration::days(20);
    (format!("{}-Q{}", today.year(), q + 1), today, in_previous)
}

async fn created(app: &TestApp, token: &str, path: &str, body: Value) -> Value {
    let (status, _, answer) = app.post(path, Some(token), &body).await;
    assert_eq!(status, StatusCode::CREATED, "{path}: {answer}");
    answer
}

async fn clinic(app: &TestApp, admin: &TestMember, held_on: NaiveDate) -> String {
    created(
        app,
        &admin.token,
        "/api/v1/idea-clinics",
        json!({"title": format!("Clinic {held_on}"), "held_on": held_on, "nation": "england"}),
    )
    .await["id"]
        .as_str()
        .expect("id")
        .to_owned()
}

async fn present(app: &TestApp, admin: &TestMember, clinic: &str, case: &str, feasibility: &str) {
    created(
        app,
        &admin.token,
        &format!("/api/v1/idea-clinics/{clinic}/presentations"),
        json!({"submission_id": case, "feasibility": feasibility, "adoption_likelihood": 3, "panel_notes": "Noted"}),
    )
    .await;
}

async fn adopt(
    app: &TestApp,
    id: &str,
    organisation: &str,
    kind: &str,
    nation: &str,
    pence: Option<i64>,
) {
    let partner = app.member().await;
    created(
        app,
        &partner.token,
        &format!("/api/v1/submissions/{id}/adoptions"),
        json!({"organisation": organisation, "organisation_type": kind, "nation": nation,
               "adopted_on": chrono::Utc::now().date_naive(), "investment_pence": pence}),
    )
    .await;
}

async fn include(app: &TestApp, admin: &TestMember, id: &str, title: &str, scope: &str) {
    let mut body = json!({"report_title": title, "scope": scope, "nation": "england",
                          "published_on": chrono::Utc::now().date_naive()});
    if scope == "regional" {
        body["region"] = json!("north_west");
    }
    created(
        app,
        &admin.token,
        &format!("/api/v1/submissions/{id}/inclusions"),
        body,
    )
    .await;
}

/// `(key, count, previous_quarter)` of each row.
fn counts(rows: &Value) -> Vec<(String, i64, i64)> {
    rows.as_array()
        .expect("rows")
        .iter()
        .map(|r| {
            (
                r["key"].as_str().expect("key").to_owned(),
                r["count"].as_i64().expect("count"),
                r["previous_quarter"].as_i64().expect("previous"),
            )
        })
        .collect()
}

fn row(key: &str, count: i64, previous: i64) -> (String, i64, i64) {
    (key.to_owned(), count, previous)
}

#[tokio::test]
async fn the_summary_counts_clinics_spread_and_inclusions_exactly() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let author = app.member().await;
    let reviewer = app.reviewer().await;
    let (quarter, today, in_previous) = quarters();
    let first = app
        .submitted(&author.token, &business_case("First case"))
        .await;
    let second = app
        .submitted(&author.token, &business_case("Second case"))
        .await;
    let (a, b, c) = (
        clinic(&app, &admin, today).await,
        clinic(&app, &admin, today).await,
        clinic(&app, &admin, in_previous).await,
    );
    present(&app, &admin, &a, &first, "high").await;
    present(&app, &admin, &a, &second, "low").await;
    present(&app, &admin, &b, &first, "high").await;
    present(&app, &admin, &c, &second, "medium").await;
    let work = app
        .published(&author, &reviewer, &case_study("Spread"))
        .await;
    let other = app
        .published(&author, &reviewer, &case_study("Also included"))
        .await;
    adopt(
        &app,
        &work,
        "Northshire Trust",
        "nhs_trust",
        "england",
        Some(1000),
    )
    .await;
    adopt(
        &app,
        &work,
        "  northshire trust ",
        "nhs_trust",
        "england",
        None,
    )
    .await;
    adopt(
        &app,
        &work,
        "Glasgow Council",
        "local_authority",
        "scotland",
        Some(500),
    )
    .await;
    include(&app, &admin, &work, "State of OT", "national").await;
    include(&app, &admin, &work, "North West report", "regional").await;
    include(&app, &admin, &other, "state of OT", "national").await;

    let (status, _, report) = app
        .get(
            &format!("/api/v1/reports/quarterly/{quarter}"),
            Some(&admin.token),
        )
        .await;
    let (csv_status, _, csv) = app
        .get(
            &format!("/api/v1/reports/quarterly/{quarter}?format=csv"),
            Some(&admin.token),
        )
        .await;

    assert_eq!(status, StatusCode::OK, "{report}");
    let m = &report;
    let clinics = &m["idea_clinics"];
    assert_eq!(clinics["clinics_held"]["count"], 2);
    assert_eq!(clinics["clinics_held"]["previous_quarter"], 1);
    assert_eq!(clinics["business_cases_presented"]["count"], 3);
    assert_eq!(clinics["business_cases_presented"]["previous_quarter"], 1);
    assert_eq!(
        counts(&clinics["by_feasibility"]),
        vec![row("high", 2, 0), row("medium", 0, 1), row("low", 1, 0)]
    );
    let spread = &m["spread"];
    assert_eq!(spread["adoptions_reported"]["count"], 3);
    assert_eq!(spread["organisations"]["count"], 2);
    assert_eq!(spread["investment_pence"]["count"], 1500);
    let by_type = counts(&spread["by_organisation_type"]);
    assert!(by_type.contains(&row("nhs_trust", 2, 0)), "{by_type:?}");
    assert!(
        by_type.contains(&row("local_authority", 1, 0)),
        "{by_type:?}"
    );
    assert_eq!(by_type.iter().map(|r| r.1).sum::<i64>(), 3);
    let by_nation = counts(&spread["by_nation"]);
    assert!(by_nation.contains(&row("england", 2, 0)), "{by_nation:?}");
    assert!(by_nation.contains(&row("scotland", 1, 0)), "{by_nation:?}");
    let inclusions = &m["inclusions"];
    assert_eq!(inclusions["examples_included"]["count"], 2);
    assert_eq!(inclusions["reports"]["count"], 2);
    assert_eq!(
        counts(&inclusions["by_scope"]),
        vec![row("national", 2, 0), row("regional", 1, 0)]
    );
    assert_eq!(csv_status, StatusCode::OK);
    let csv = csv.as_str().expect("CSV text");
    let line = |section: &str, dimension: &str, key: &str| -> String {
        let start = format!("{quarter},{section},{dimension},{key},");
        csv.lines()
            .find(|l| l.starts_with(&start))
            .unwrap_or_else(|| panic!("no CSV line {start}: {csv}"))
            .to_owned()
    };
    assert!(line("idea_clinics", "clinics_held", "clinics_held").ends_with(",2,1,0,1"));
    assert!(line("spread", "organisations", "organisations").ends_with(",2,0,0,2"));
    assert!(line("spread", "investment", "investment_gbp").contains(",15.00,"));
    assert!(line("inclusions", "by_scope", "regional").ends_with(",1,0,0,1"));
}
