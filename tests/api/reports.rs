use hub_tests::Answer;
use hub_tests::{TestApp, TestMember, case_study, journey, spawn_app};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::collections::BTreeMap;

fn at(raw: &str) -> chrono::DateTime<chrono::Utc> {
    raw.parse().unwrap_or_else(|e| panic!("{raw}: {e}"))
}

fn uuid(raw: &str) -> uuid::Uuid {
    raw.parse().unwrap_or_else(|e| panic!("{raw}: {e}"))
}

async fn submitted_at(app: &TestApp, author: &TestMember, body: &Value, when: &str) -> String {
    let id = app.submitted(&author.token, body).await;
    app.backdate(&id, when).await;
    id
}

fn breakdown(report: &Value, dimension: &str) -> BTreeMap<String, (i64, i64, i64, i64)> {
    report["breakdowns"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|b| b["dimension"] == dimension)
        .map(|b| {
            b["rows"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|r| {
                    let n = |k: &str| r[k].as_i64().unwrap_or(-1);
                    (
                        r["key"].as_str().unwrap().to_owned(),
                        (
                            n("count"),
                            n("previous_quarter"),
                            n("same_quarter_last_year"),
                            n("change"),
                        ),
                    )
                })
                .filter(|(_, counts): &(String, (i64, i64, i64, i64))| counts != &(0, 0, 0, 0))
                .collect()
        })
        .unwrap()
}

fn people(section: &Value, dimension: &str) -> BTreeMap<String, (Option<i64>, bool)> {
    section["submitters_by"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|b| b["dimension"] == dimension)
        .map(|b| {
            b["rows"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|r| r["count"] != 0)
                .map(|r| {
                    (
                        r["key"].as_str().unwrap().to_owned(),
                        (
                            r["count"].as_i64(),
                            r["suppressed"].as_bool().unwrap_or(false),
                        ),
                    )
                })
                .collect()
        })
        .unwrap()
}

fn cell(matrix: &Value, row: &str, column: &str) -> Value {
    matrix["cells"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["row"] == row && c["column"] == column)
        .cloned()
        .unwrap()
}

/// A known quarter: 2025-Q3 against 2025-Q2 and 2024-Q3.
struct Known {
    app: TestApp,
    admin: TestMember,
}

async fn known_dataset() -> Known {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let reviewer = app.reviewer().await;
    let mut authors = Vec::new();
    for i in 0..6 {
        let author = app.member().await;
        let stage = if i == 5 { "early" } else { "mid" };
        let (status, _, body) = app
            .patch("/api/v1/members/me", Some(&author.token), None, &json!({"career_stage": stage, "region": "london", "job_title": if i < 2 { "Clinical Lead OT" } else { "occupational therapist" }}))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        authors.push(author);
    }
    for member in &authors[4..6] {
        app.execute(
            "UPDATE members SET created_at = $1 WHERE id = $2",
            vec![at("2025-07-15T10:00:00Z").into(), member.id.into()],
        )
        .await;
    }
    // 2025-Q3: one journey (AI topic, economic evidence) and six case studies, one published and reviewed.
    submitted_at(
        &app,
        &authors[0],
        &journey("Q3 journey"),
        "2025-08-01T09:00:00Z",
    )
    .await;
    let mut with_recommendation = case_study("Q3 published");
    with_recommendation["recommendations"] =
        json!([{"text": "Spread first-contact OT", "adoption_status": "proposed"}]);
    let published = app
        .published(&authors[2], &reviewer, &with_recommendation)
        .await;
    app.backdate(&published, "2025-07-02T08:00:00Z").await;
    app.execute(
        "UPDATE reviews SET created_at = $1 WHERE submission_id = $2",
        vec![at("2025-08-15T12:00:00Z").into(), uuid(&published).into()],
    )
    .await;
    app.recount_rollups().await;
    for (i, author) in authors.iter().enumerate() {
        if i == 2 {
            continue;
        }
        let mut body = case_study(&format!("Q3 case study {i}"));
        if i == 3 {
            body["evidence_sources"] = json!([{"submission_id": published}]);
        }
        submitted_at(&app, author, &body, "2025-09-30T22:59:59Z").await;
    }
    // Not counted: a withdrawn one and a draft in the quarter.
    let withdrawn = submitted_at(
        &app,
        &authors[1],
        &case_study("Withdrawn"),
        "2025-08-10T00:00:00Z",
    )
    .await;
    app.withdraw(&authors[1].token, &withdrawn)
        .await
        .expect_status(StatusCode::OK);
    app.create_submission(&authors[1].token, &case_study("Draft"))
        .await;
    // 2025-Q2: two case studies by author 0, one in schools.
    submitted_at(
        &app,
        &authors[0],
        &case_study("Q2 a"),
        "2025-05-10T00:00:00Z",
    )
    .await;
    let mut schools = case_study("Q2 schools");
    schools["practice_areas"] = json!(["schools"]);
    submitted_at(&app, &authors[0], &schools, "2025-06-30T22:59:59Z").await;
    // 2024-Q3: one journey by author 1.
    submitted_at(
        &app,
        &authors[1],
        &journey("Year before"),
        "2024-06-30T23:00:00Z",
    )
    .await;
    // Follow-up dated in the quarter.
    let (_, _, view) = app
        .get(
            &format!("/api/v1/submissions/{published}"),
            Some(&admin.token),
        )
        .await;
    let rid = view["recommendations"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, _, event) = app
        .post(
            &format!("/api/v1/submissions/{published}/recommendations/{rid}/events"),
            Some(&admin.token),
            &json!({"adoption_status": "adopted_locally", "investment_pence": 1000, "occurred_on": "2025-09-30"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{event}");
    Known { app, admin }
}

#[tokio::test]
async fn every_figure_of_a_known_quarter_is_exact() {
    let Known { app, admin } = known_dataset().await;

    let (status, headers, report) = app
        .get("/api/v1/reports/quarterly/2025-Q3", Some(&admin.token))
        .await;

    assert_eq!(status, StatusCode::OK, "{report}");
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    assert_eq!(report["quarter"], "2025-Q3");
    assert_eq!(report["previous_quarter"], "2025-Q2");
    assert_eq!(report["same_quarter_last_year"], "2024-Q3");
    assert_eq!(report["headline"][0]["count"], 7);
    assert_eq!(report["headline"][0]["previous_quarter"], 2);
    assert_eq!(report["headline"][0]["same_quarter_last_year"], 1);
    assert_eq!(report["headline"][0]["change"], 5);
    let kinds = breakdown(&report, "kind");
    assert_eq!(kinds["case_study"], (6, 2, 0, 4));
    assert_eq!(kinds["improvement_journey"], (1, 0, 1, 1));
    let priorities = breakdown(&report, "priority");
    assert_eq!(priorities["optimising_ot"], (7, 2, 1, 5));
    assert_eq!(priorities["value_and_impact"], (1, 0, 1, 1));
    let areas = breakdown(&report, "practice_area");
    assert_eq!(areas["primary_care"], (6, 1, 0, 5));
    assert_eq!(areas["schools"], (0, 1, 0, -1));
    assert_eq!(areas["community_rehabilitation"], (1, 0, 1, 1));
    assert_eq!(
        breakdown(&report, "evidence_type")["economic"],
        (1, 0, 1, 1)
    );
    assert_eq!(
        breakdown(&report, "topic")["ai_digital_healthcare"],
        (1, 0, 1, 1)
    );
    assert_eq!(breakdown(&report, "nation")["england"], (6, 2, 0, 4));
    assert_eq!(
        breakdown(&report, "region")["scottish_eastern"],
        (1, 0, 1, 1)
    );

    let matrix = &report["gap_matrix"];
    assert_eq!(cell(matrix, "optimising_ot", "primary_care")["count"], 6);
    assert_eq!(
        cell(matrix, "optimising_ot", "primary_care")["mean_quality"],
        4.0
    );
    assert_eq!(
        cell(matrix, "optimising_ot", "community_rehabilitation")["count"],
        1
    );
    assert_eq!(matrix["gaps"].as_array().map(Vec::len), Some(4 * 13 - 3));
    let falling: Vec<(&str, &str)> = matrix["falling"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| (c["row"].as_str().unwrap(), c["column"].as_str().unwrap()))
        .collect();
    assert_eq!(falling, vec![("optimising_ot", "schools")]);
    assert_eq!(
        cell(&report["evidence_matrix"], "value_and_impact", "economic")["count"],
        1
    );

    assert_eq!(report["quality"]["reviews"], 1);
    assert_eq!(report["quality"]["scored_submissions"], 1);
    assert_eq!(report["quality"]["mean_quality"], 4.0);
    assert_eq!(report["quality"]["median_quality"], 4.0);
    assert!(
        report["quality"]["mean_completeness"]
            .as_f64()
            .is_some_and(|c| c > 0.5)
    );
    assert!(report["quality"]["previous_quarter_mean_quality"].is_null());

    let community = &report["community"];
    assert_eq!(community["distinct_submitters"]["count"], 6);
    assert_eq!(
        community["first_time_submitters"]["count"],
        Value::Null,
        "4 first-timers are withheld"
    );
    assert_eq!(community["first_time_submitters"]["suppressed"], true);
    assert_eq!(
        community["members_joined"]["count"],
        Value::Null,
        "2 members joined: people, withheld"
    );
    assert_eq!(community["members_joined"]["suppressed"], true);
    let stages = people(community, "career_stage");
    assert_eq!(stages["early"], (None, true), "1 is withheld");
    assert_eq!(
        stages["mid"],
        (None, true),
        "5 is withheld too, or early could be worked out from the total"
    );
    assert_eq!(people(community, "region")["london"], (Some(6), false));

    let ai = &report["ai_digital"];
    assert_eq!(ai["submissions"]["count"], 1);
    assert_eq!(ai["submitters"]["suppressed"], true);
    assert_eq!(people(ai, "job_title")["clinical lead ot"], (None, true));

    let recommendations = &report["recommendations"];
    let adopted = recommendations["adoption_reported"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|r| r["key"] == "adopted_locally")
        .cloned()
        .unwrap();
    assert_eq!(adopted["count"], 1);
    assert_eq!(recommendations["investments_reported"]["count"], 1);
    assert_eq!(recommendations["investment_pence"]["count"], 1000);
    assert_eq!(
        report["citations"]["submissions_citing_the_hub"]["count"],
        1
    );
    assert_eq!(report["citations"]["hub_items_cited"]["count"], 1);

    let trend = report["priority_trend"].as_array().cloned().unwrap();
    assert_eq!(trend.len(), 8);
    assert_eq!(trend[0]["quarter"], "2023-Q4");
    assert_eq!(trend[7]["quarter"], "2025-Q3");
    assert_eq!(trend[7]["by_priority"]["optimising_ot"], 7);
    assert_eq!(trend[3]["by_priority"]["value_and_impact"], 1, "2024-Q3");

    let (_, _, wider) = app
        .get(
            "/api/v1/reports/quarterly/2025-Q3?gap_threshold=2",
            Some(&admin.token),
        )
        .await;
    assert_eq!(
        wider["gap_matrix"]["gaps"].as_array().map(Vec::len),
        Some(4 * 13 - 1)
    );
}

#[tokio::test]
async fn report_counts_match_a_naive_recount_of_the_listed_submissions() {
    let Known { app, admin } = known_dataset().await;

    let (_, _, report) = app
        .get("/api/v1/reports/quarterly/2025-Q3", Some(&admin.token))
        .await;
    let (_, _, listed) = app
        .get(
            "/api/v1/submissions?quarter=2025-Q3&limit=100",
            Some(&admin.token),
        )
        .await;

    let items: Vec<Value> = listed["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|s| s["status"] != "withdrawn" && s["status"] != "draft")
        .cloned()
        .collect();
    let mut naive: BTreeMap<(String, String), i64> = BTreeMap::new();
    for item in &items {
        *naive
            .entry(("kind".into(), item["kind"].as_str().unwrap().into()))
            .or_default() += 1;
        for (dimension, field) in [
            ("priority", "priorities"),
            ("practice_area", "practice_areas"),
            ("topic", "topics"),
            ("evidence_type", "evidence_types"),
        ] {
            for code in item[field].as_array().into_iter().flatten() {
                *naive
                    .entry((dimension.into(), code.as_str().unwrap().into()))
                    .or_default() += 1;
            }
        }
        for dimension in ["nation", "region"] {
            if let Some(code) = item[dimension].as_str() {
                *naive.entry((dimension.into(), code.into())).or_default() += 1;
            }
        }
    }
    let mut reported: BTreeMap<(String, String), i64> = BTreeMap::new();
    for dimension in [
        "kind",
        "priority",
        "practice_area",
        "topic",
        "evidence_type",
        "nation",
        "region",
    ] {
        for (key, (count, ..)) in breakdown(&report, dimension) {
            if count > 0 {
                reported.insert((dimension.into(), key), count);
            }
        }
    }
    assert_eq!(
        report["headline"][0]["count"].as_i64(),
        Some(items.len() as i64)
    );
    assert_eq!(reported, naive);
}

#[tokio::test]
async fn the_quarter_list_holds_exactly_what_the_summary_counts() {
    let Known { app, admin } = known_dataset().await;

    let (_, _, report) = app
        .get("/api/v1/reports/quarterly/2025-Q3", Some(&admin.token))
        .await;
    let (status, _, listed) = app
        .get(
            "/api/v1/submissions?quarter=2025-Q3&limit=100",
            Some(&admin.token),
        )
        .await;
    let (_, _, withdrawn) = app
        .get(
            "/api/v1/submissions?quarter=2025-Q3&status=withdrawn&limit=100",
            Some(&admin.token),
        )
        .await;

    assert_eq!(status, StatusCode::OK, "{listed}");
    let statuses: Vec<&str> = listed["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|s| s["status"].as_str().unwrap())
        .collect();
    assert_eq!(report["headline"][0]["key"], "submissions");
    assert_eq!(
        report["headline"][0]["count"].as_i64(),
        Some(statuses.len() as i64),
        "{statuses:?}"
    );
    assert!(!statuses.contains(&"withdrawn"));
    let withdrawn: Vec<(&str, &str)> = withdrawn["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|s| (s["title"].as_str().unwrap(), s["status"].as_str().unwrap()))
        .collect();
    assert_eq!(withdrawn, [("Withdrawn", "withdrawn")]);
}

#[tokio::test]
async fn calendar_and_financial_quarter_boundaries_count_each_instant_once() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let author = app.member().await;
    for instant in [
        // The last second of March and the first of April in London (BST).
        "2025-03-31T22:59:59Z",
        "2025-03-31T23:00:00Z",
        // The last second of the year and the first of the next (GMT).
        "2024-12-31T23:59:59Z",
        "2025-01-01T00:00:00Z",
        "2024-02-29T12:00:00Z",
    ] {
        submitted_at(&app, &author, &case_study(instant), instant).await;
    }

    let mut totals = BTreeMap::new();
    for quarter in [
        "2025-Q1",
        "2025-Q2",
        "2024-Q4",
        "2024-Q1",
        "FY2024-Q4",
        "FY2025-Q1",
        "FY2024-Q3",
        "FY2023-Q4",
    ] {
        let (status, _, report) = app
            .get(
                &format!("/api/v1/reports/quarterly/{quarter}"),
                Some(&admin.token),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{quarter}: {report}");
        totals.insert(
            quarter,
            report["headline"][0]["count"].as_i64().unwrap_or(-1),
        );
    }

    assert_eq!(totals["2025-Q1"], 2, "1 January and 31 March");
    assert_eq!(totals["2025-Q2"], 1, "1 April");
    assert_eq!(totals["2024-Q4"], 1, "31 December");
    assert_eq!(totals["2024-Q1"], 1, "the leap day");
    assert_eq!(totals["FY2024-Q4"], 2, "January to March 2025");
    assert_eq!(totals["FY2025-Q1"], 1, "from 1 April 2025");
    assert_eq!(totals["FY2024-Q3"], 1, "October to December 2024");
    assert_eq!(totals["FY2023-Q4"], 1, "the leap day of 2024");
}

#[tokio::test]
async fn csv_xlsx_and_svg_exports_read_back() {
    let Known { app, admin } = known_dataset().await;

    let csv = app
        .request(
            Method::GET,
            "/api/v1/reports/quarterly/2025-Q3?format=csv",
            Some(&admin.token),
        )
        .send()
        .await;
    let csv = csv.unwrap_or_else(|e| panic!("{e}"));
    let csv_disposition = csv.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    let csv_bytes = csv.bytes().await.unwrap();
    let xlsx = app
        .request(
            Method::GET,
            "/api/v1/reports/quarterly/2025-Q3",
            Some(&admin.token),
        )
        .header(
            "accept",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let xlsx_type = xlsx.headers()["content-type"].to_str().unwrap().to_owned();
    let xlsx_bytes = xlsx.bytes().await.unwrap();
    let svg = app
        .request(
            Method::GET,
            "/api/v1/reports/quarterly/2025-Q3",
            Some(&admin.token),
        )
        .header("accept", "image/svg+xml")
        .send()
        .await;
    let svg_text = svg.unwrap_or_else(|e| panic!("{e}")).text().await.unwrap();

    assert_eq!(
        csv_disposition,
        "attachment; filename=\"innovation-hub-2025-Q3.csv\""
    );
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(csv_bytes.as_ref());
    let header: Vec<String> = reader
        .headers()
        .map(|h| h.iter().map(str::to_owned).collect())
        .unwrap();
    assert_eq!(
        header,
        [
            "quarter",
            "section",
            "dimension",
            "key",
            "label",
            "count",
            "previous_quarter",
            "same_quarter_last_year",
            "change"
        ]
    );
    let records: Vec<csv::StringRecord> = reader
        .records()
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("{e}"));
    let find = |section: &str, dimension: &str, key: &str| {
        records
            .iter()
            .find(|r| &r[1] == section && &r[2] == dimension && &r[3] == key)
            .map(|r| r.iter().map(str::to_owned).collect::<Vec<_>>())
    };
    assert_eq!(
        find("breakdowns", "priority", "optimising_ot"),
        Some(
            vec![
                "2025-Q3",
                "breakdowns",
                "priority",
                "optimising_ot",
                "Optimising occupational therapy",
                "7",
                "2",
                "1",
                "5"
            ]
            .into_iter()
            .map(str::to_owned)
            .collect()
        )
    );
    assert_eq!(
        find("community", "submitters_by_career_stage", "early")
            .map(|r| (r[4].clone(), r[5].clone())),
        Some(("Early career".to_owned(), "<5".to_owned()))
    );
    assert_eq!(
        find("community", "distinct_submitters", "distinct_submitters").map(|r| r[5].clone()),
        Some("6".to_owned())
    );
    assert_eq!(
        find("recommendations", "investment", "investment_gbp").map(|r| r[5].clone()),
        Some("10.00".to_owned())
    );

    assert!(xlsx_type.starts_with("application/vnd.openxmlformats"));
    use calamine::Reader as _;
    let mut workbook: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx_bytes.to_vec()))
            .unwrap_or_else(|e| panic!("{e}"));
    let sheets = workbook.sheet_names();
    assert_eq!(sheets[0], "Cover");
    for section in [
        "headline",
        "breakdowns",
        "gap_matrix",
        "evidence_matrix",
        "quality",
        "community",
        "ai_digital",
        "recommendations",
        "citations",
        "trend",
    ] {
        assert!(
            sheets.iter().any(|s| s == section),
            "{section} sheet missing from {sheets:?}"
        );
    }
    let cover = workbook
        .worksheet_range("Cover")
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(cover.rows().any(|r| r.iter().any(|c| *c == "2025-Q3")));

    let document = roxmltree::Document::parse(&svg_text)
        .unwrap_or_else(|e| panic!("SVG is not well-formed XML: {e}"));
    assert_eq!(document.root_element().tag_name().name(), "svg");
    assert!(
        svg_text.contains(">Optimising occupational therapy</text>")
            && svg_text.contains("2025-Q3")
    );
}

#[tokio::test]
async fn snapshots_freeze_ended_quarters_and_re_export_byte_for_byte() {
    let Known { app, admin } = known_dataset().await;
    let author = app.member().await;

    let (open_quarter, _, problem) = app
        .post(
            &format!("/api/v1/reports/quarterly/{}/snapshots", current_quarter()),
            Some(&admin.token),
            &json!({}),
        )
        .await;
    let (created, headers, snapshot) = app
        .post(
            "/api/v1/reports/quarterly/2025-Q3/snapshots",
            Some(&admin.token),
            &json!({}),
        )
        .await;
    let location = headers["location"].to_str().unwrap().to_owned();
    let before = every_format(&app, &admin, &location).await;
    submitted_at(
        &app,
        &author,
        &case_study("Late arrival"),
        "2025-08-20T00:00:00Z",
    )
    .await;
    let after = every_format(&app, &admin, &location).await;
    let (_, _, live) = app
        .get("/api/v1/reports/quarterly/2025-Q3", Some(&admin.token))
        .await;
    let (_, _, list) = app
        .get(
            "/api/v1/reports/quarterly/2025-Q3/snapshots",
            Some(&admin.token),
        )
        .await;

    assert_eq!(open_quarter, StatusCode::CONFLICT);
    assert_eq!(problem["code"], "quarter_not_ended");
    assert_eq!(created, StatusCode::CREATED, "{snapshot}");
    assert_eq!(before, after, "every format re-exports byte for byte");
    use sha2::Digest;
    assert_eq!(
        snapshot["content_hash"].as_str().unwrap(),
        hex::encode(sha2::Sha256::digest(&before[0]))
    );
    let frozen: Value = serde_json::from_slice(&before[0]).unwrap();
    assert_eq!(frozen["headline"][0]["count"], 7);
    assert_eq!(live["headline"][0]["count"], 8);
    let comparison = &live["compared_with_latest_snapshot"];
    assert_eq!(comparison["snapshot_id"], snapshot["id"]);
    assert!(comparison["differences"].as_array().is_some_and(|d| {
        d.iter()
            .any(|x| x["section"] == "headline" && x["snapshot"] == "7" && x["live"] == "8")
    }));
    assert_eq!(list.as_array().map(Vec::len), Some(1));
}

/// A snapshot's bytes in each format.
async fn every_format(app: &TestApp, admin: &TestMember, location: &str) -> Vec<Vec<u8>> {
    let mut exports = Vec::new();
    for format in ["json", "csv", "xlsx", "svg"] {
        let response = app
            .request(
                Method::GET,
                &format!("{location}?format={format}"),
                Some(&admin.token),
            )
            .send()
            .await;
        exports.push(
            response
                .unwrap_or_else(|e| panic!("{e}"))
                .bytes()
                .await
                .unwrap()
                .to_vec(),
        );
    }
    exports
}

fn current_quarter() -> String {
    let now = chrono::Utc::now();
    format!(
        "{}-Q{}",
        chrono::Datelike::year(&now),
        chrono::Datelike::month0(&now) / 3 + 1
    )
}

#[tokio::test]
async fn reports_are_for_admins_only_and_check_their_input() {
    let Known { app, admin } = known_dataset().await;
    let member = app.member().await;
    let reviewer = app.reviewer().await;

    let (as_member, _, _) = app
        .get("/api/v1/reports/quarterly/2025-Q3", Some(&member.token))
        .await;
    let (as_reviewer, _, _) = app
        .get("/api/v1/reports/quarterly/2025-Q3", Some(&reviewer.token))
        .await;
    let (snapshot_as_reviewer, _, _) = app
        .post(
            "/api/v1/reports/quarterly/2025-Q2/snapshots",
            Some(&reviewer.token),
            &json!({}),
        )
        .await;
    let (series_as_member, _, _) = app
        .get(
            "/api/v1/reports/quarterly?from=2025-Q1&to=2025-Q3",
            Some(&member.token),
        )
        .await;
    let (bad_quarter, _, problem) = app
        .get("/api/v1/reports/quarterly/2025-Q5", Some(&admin.token))
        .await;
    let (bad_format, _, _) = app
        .get(
            "/api/v1/reports/quarterly/2025-Q3?format=pdf",
            Some(&admin.token),
        )
        .await;

    assert_eq!(as_member, StatusCode::FORBIDDEN);
    assert_eq!(as_reviewer, StatusCode::FORBIDDEN);
    assert_eq!(snapshot_as_reviewer, StatusCode::FORBIDDEN);
    assert_eq!(series_as_member, StatusCode::FORBIDDEN);
    assert_eq!(bad_quarter, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["field"], "quarter");
    assert_eq!(bad_format, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn the_series_gives_headline_counts_per_quarter() {
    let Known { app, admin } = known_dataset().await;

    let (status, _, series) = app
        .get(
            "/api/v1/reports/quarterly?from=2024-Q3&to=2025-Q3",
            Some(&admin.token),
        )
        .await;
    let (mismatched, _, _) = app
        .get(
            "/api/v1/reports/quarterly?from=2024-Q3&to=FY2025-Q3",
            Some(&admin.token),
        )
        .await;

    assert_eq!(status, StatusCode::OK, "{series}");
    let totals: Vec<i64> = series["quarters"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|q| q["submissions"].as_i64())
        .collect();
    assert_eq!(totals, vec![1, 0, 0, 2, 7]);
    assert_eq!(series["quarters"][4]["distinct_submitters"], 6);
    assert_eq!(series["quarters"][4]["mean_quality"], 4.0);
    assert_eq!(mismatched, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn a_snapshot_is_served_exactly_as_stored_with_its_hash() {
    use sha2::Digest;
    let app = spawn_app().await;
    let admin = app.admin().await;
    let (created, _, snapshot) = app
        .post(
            "/api/v1/reports/quarterly/2025-Q3/snapshots",
            Some(&admin.token),
            &json!({}),
        )
        .await;
    assert_eq!(created, StatusCode::CREATED, "{snapshot}");
    let id = snapshot["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/reports/quarterly/2025-Q3/snapshots/{id}");
    let fetch = || async {
        let response = app
            .request(reqwest::Method::GET, &path, Some(&admin.token))
            .send()
            .await
            .unwrap();
        let hash = response.headers()["x-content-sha256"]
            .to_str()
            .unwrap()
            .to_owned();
        (hash, response.bytes().await.unwrap())
    };

    let (hash, body) = fetch().await;
    assert!(body.ends_with(b"}\n"), "a JSON answer ends with a newline");
    assert_eq!(hash, hex::encode(sha2::Sha256::digest(&body)));

    // One frozen before answers ended with a newline keeps its bytes and hash.
    let older = body[..body.len() - 1].to_vec();
    let older_hash = hex::encode(sha2::Sha256::digest(&older));
    app.execute(
        "UPDATE report_snapshots SET body = $1, content_hash = $2 WHERE id = $3",
        vec![
            String::from_utf8(older.clone()).unwrap().into(),
            older_hash.clone().into(),
            id.parse::<uuid::Uuid>().unwrap().into(),
        ],
    )
    .await;
    let (hash, body) = fetch().await;
    assert_eq!(body.as_ref(), older.as_slice());
    assert_eq!(hash, older_hash);
}

type CubeKey = (String, String, String);

fn cube_key(c: &Value) -> CubeKey {
    let s = |k: &str| c[k].as_str().unwrap().to_owned();
    (s("priority"), s("practice_area"), s("evidence_type"))
}

fn cube_list(cube: &Value, list: &str) -> Vec<CubeKey> {
    let mut keys: Vec<CubeKey> = cube[list]
        .as_array()
        .into_iter()
        .flatten()
        .map(cube_key)
        .collect();
    keys.sort();
    keys
}

fn key(p: &str, a: &str, e: &str) -> CubeKey {
    (p.to_owned(), a.to_owned(), e.to_owned())
}

#[tokio::test]
async fn the_evidence_cube_counts_every_combination_and_finds_gaps_and_falls() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let author = app.member().await;
    let evidence = |types: &[&str]| {
        json!(
            types
                .iter()
                .map(|t| json!({"evidence_type": t, "description": "Measured"}))
                .collect::<Vec<_>>()
        )
    };
    // 2025-Q3: two journeys (optimising OT and value and impact, community
    // rehabilitation, economic) and one (optimising OT, community
    // rehabilitation and primary care, economic and social evidence).
    for i in 0..2 {
        submitted_at(
            &app,
            &author,
            &journey(&format!("Q3 {i}")),
            "2025-08-01T09:00:00Z",
        )
        .await;
    }
    let mut wider = journey("Q3 wider");
    wider["priorities"] = json!(["optimising_ot"]);
    wider["practice_areas"] = json!(["community_rehabilitation", "primary_care"]);
    wider["impact_evidence"] = evidence(&["economic", "social"]);
    submitted_at(&app, &author, &wider, "2025-09-30T22:59:59Z").await;
    // Not counted: withdrawn, and a draft.
    let withdrawn =
        submitted_at(&app, &author, &journey("Withdrawn"), "2025-08-10T00:00:00Z").await;
    app.withdraw(&author.token, &withdrawn)
        .await
        .expect_status(StatusCode::OK);
    app.create_submission(&author.token, &journey("Draft"))
        .await;
    // 2025-Q2: a journey in schools.
    let mut schools = journey("Q2 schools");
    schools["practice_areas"] = json!(["schools"]);
    submitted_at(&app, &author, &schools, "2025-06-30T22:59:59Z").await;
    // 2024-Q3: value and impact in mental health, with social evidence.
    let mut year_before = journey("Year before");
    year_before["priorities"] = json!(["value_and_impact"]);
    year_before["practice_areas"] = json!(["mental_health"]);
    year_before["impact_evidence"] = evidence(&["social"]);
    submitted_at(&app, &author, &year_before, "2024-06-30T23:00:00Z").await;

    let (status, _, report) = app
        .get("/api/v1/reports/quarterly/2025-Q3", Some(&admin.token))
        .await;

    assert_eq!(status, StatusCode::OK, "{report}");
    let cube = &report["evidence_cube"];
    let cells = cube["cells"].as_array().cloned().unwrap();
    // 4 priorities × 13 practice areas × 3 evidence types.
    assert_eq!(cells.len(), 4 * 13 * 3);
    let figures: BTreeMap<CubeKey, (i64, i64, i64)> = cells
        .iter()
        .map(|c| {
            let n = |k: &str| c[k].as_i64().unwrap();
            (
                cube_key(c),
                (
                    n("count"),
                    n("previous_quarter"),
                    n("same_quarter_last_year"),
                ),
            )
        })
        .filter(|(_, n)| *n != (0, 0, 0))
        .collect();
    let (oo, vi) = ("optimising_ot", "value_and_impact");
    let (cr, pc) = ("community_rehabilitation", "primary_care");
    assert_eq!(
        figures,
        BTreeMap::from([
            (key(oo, cr, "economic"), (3, 0, 0)),
            (key(vi, cr, "economic"), (2, 0, 0)),
            (key(oo, cr, "social"), (1, 0, 0)),
            (key(oo, pc, "economic"), (1, 0, 0)),
            (key(oo, pc, "social"), (1, 0, 0)),
            (key(oo, "schools", "economic"), (0, 1, 0)),
            (key(vi, "schools", "economic"), (0, 1, 0)),
            (key(vi, "mental_health", "social"), (0, 0, 1)),
        ])
    );
    assert_eq!(cube_list(cube, "gaps").len(), 4 * 13 * 3 - 5);
    assert_eq!(
        cube_list(cube, "falling"),
        vec![
            key(oo, "schools", "economic"),
            key(vi, "schools", "economic")
        ]
    );
    assert_eq!(
        cube_list(cube, "falling_year_on_year"),
        vec![key(vi, "mental_health", "social")]
    );
    let pairs = |matrix: &Value, list: &str| -> Vec<(String, String)> {
        matrix[list]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| {
                (
                    c["row"].as_str().unwrap().to_owned(),
                    c["column"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    assert_eq!(
        pairs(&report["gap_matrix"], "falling_year_on_year"),
        vec![(vi.to_owned(), "mental_health".to_owned())]
    );
    assert_eq!(
        pairs(&report["evidence_matrix"], "falling_year_on_year"),
        vec![(vi.to_owned(), "social".to_owned())]
    );

    let (_, _, stricter) = app
        .get(
            "/api/v1/reports/quarterly/2025-Q3?gap_threshold=3",
            Some(&admin.token),
        )
        .await;
    let gaps = cube_list(&stricter["evidence_cube"], "gaps");
    assert_eq!(gaps.len(), 4 * 13 * 3 - 1);
    assert!(!gaps.contains(&key(oo, cr, "economic")));
    assert!(gaps.contains(&key(vi, cr, "economic")));
}
