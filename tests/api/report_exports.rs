//! The quarterly summary's exports as people read them: labels beside codes,
//! money in pounds, matrices as grids, a quarter on every CSV line, a series in
//! CSV and XLSX, and a chart whose text stays inside the picture.

use hub_tests::{TestApp, TestMember, case_study, journey, spawn_app};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::collections::BTreeMap;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const INVESTMENT_PENCE: i64 = 2_769_041_332;

struct Dataset {
    app: TestApp,
    admin: TestMember,
}

/// Two submissions under every priority in each of the eight quarters to
/// 2025-Q3, and in 2025-Q3 a published case study (optimising OT, primary care)
/// with a follow-up reporting £27,690,413.32 of investment.
async fn dataset() -> Dataset {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let reviewer = app.reviewer().await;
    let authors = [app.member().await, app.member().await];
    let quarters = [
        "2023-11-15",
        "2024-02-15",
        "2024-05-15",
        "2024-08-15",
        "2024-11-15",
        "2025-02-15",
        "2025-05-15",
        "2025-08-15",
    ];
    let mut moved = Vec::new();
    for (i, day) in quarters.iter().enumerate() {
        for (j, author) in authors.iter().enumerate() {
            let mut body = journey(&format!("Journey {i}.{j}"));
            body["priorities"] = json!([
                "optimising_ot",
                "value_and_impact",
                "retention_and_career",
                "workforce_planning"
            ]);
            let id = app.submitted(&author.token, &body).await;
            moved.push((id, format!("{day}T10:00:00Z")));
        }
    }
    let mut with_recommendation = case_study("Published with a follow-up");
    with_recommendation["recommendations"] =
        json!([{"text": "Spread first-contact OT", "adoption_status": "proposed"}]);
    let published = app
        .published(&authors[0], &reviewer, &with_recommendation)
        .await;
    moved.push((published.clone(), "2025-07-02T08:00:00Z".to_owned()));
    for (id, when) in &moved {
        let when: chrono::DateTime<chrono::Utc> = when.parse().unwrap();
        let id: uuid::Uuid = id.parse().unwrap();
        app.execute(
            "UPDATE submissions SET submitted_at = $1 WHERE id = $2",
            vec![when.into(), id.into()],
        )
        .await;
    }
    app.recount_rollups().await;
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
            &json!({"adoption_status": "adopted_locally", "investment_pence": INVESTMENT_PENCE, "occurred_on": "2025-09-30"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{event}");
    Dataset { app, admin }
}

async fn fetch(
    app: &TestApp,
    admin: &TestMember,
    path: &str,
    accept: Option<&str>,
) -> (StatusCode, String, Vec<u8>) {
    let mut request = app.request(Method::GET, path, Some(&admin.token));
    if let Some(accept) = accept {
        request = request.header("accept", accept);
    }
    let response = request.send().await.unwrap_or_else(|e| panic!("{e}"));
    let status = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_else(|| panic!("an answer without Content-Type ({status})"));
    (
        status,
        content_type,
        response.bytes().await.unwrap().to_vec(),
    )
}

/// Code → label of a vocabulary of `GET /taxonomy` (`priorities`, `practice_areas`, …).
async fn vocabulary(app: &TestApp, name: &str) -> Vec<(String, String)> {
    let (status, _, taxonomy) = app.get("/api/v1/taxonomy", None).await;
    assert_eq!(status, StatusCode::OK);
    taxonomy[name]
        .as_array()
        .unwrap_or_else(|| panic!("no {name} in {taxonomy}"))
        .iter()
        .map(|t| {
            (
                t["code"].as_str().unwrap().to_owned(),
                t["label"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn records(bytes: &[u8]) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes)
        .records()
        .map(|r| {
            r.unwrap_or_else(|e| panic!("{e}"))
                .iter()
                .map(str::to_owned)
                .collect()
        })
        .collect()
}

fn is_quarter(raw: &str) -> bool {
    raw.parse::<domain::quarter::Quarter>().is_ok()
}

fn workbook(bytes: Vec<u8>) -> calamine::Xlsx<std::io::Cursor<Vec<u8>>> {
    calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap_or_else(|e| panic!("{e}"))
}

fn text(cell: Option<&calamine::Data>) -> String {
    // An empty cell reads as "", as a spreadsheet shows it.
    cell.map_or_else(String::new, ToString::to_string)
}

#[tokio::test]
async fn csv_has_a_quarter_on_every_line_labels_beside_codes_pounds_and_grids() {
    let Dataset { app, admin } = dataset().await;
    let priorities = vocabulary(&app, "priorities").await;
    let practice_areas = vocabulary(&app, "practice_areas").await;
    let evidence_types = vocabulary(&app, "evidence_types").await;

    let (status, content_type, body) = fetch(
        &app,
        &admin,
        "/api/v1/reports/quarterly/2025-Q3?format=csv",
        None,
    )
    .await;

    assert_eq!(status, StatusCode::OK);
    assert!(content_type.starts_with("text/csv"), "{content_type}");
    let rows = records(&body);
    let headers: Vec<&Vec<String>> = rows.iter().filter(|r| r[0] == "quarter").collect();
    assert_eq!(
        headers.len(),
        4 + evidence_types.len(),
        "figures, money, one grid per matrix and one per evidence type of the cube"
    );
    assert_eq!(
        headers[0],
        &[
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
    for row in &rows {
        assert!(
            row[0] == "quarter" || is_quarter(&row[0]),
            "a line without its quarter: {row:?}"
        );
        assert!(
            row.iter().all(|cell| !cell.contains('|')),
            "a matrix as a long list: {row:?}"
        );
        if row.get(1).is_some_and(|s| s != "trend") && row[0] != "quarter" {
            assert_eq!(row[0], "2025-Q3", "{row:?}");
        }
    }
    let find = |section: &str, dimension: &str, key: &str| {
        rows.iter()
            .find(|r| r[1] == section && r[2] == dimension && r[3] == key)
            .unwrap_or_else(|| panic!("no {section}/{dimension}/{key} line"))
    };
    assert_eq!(
        find("breakdowns", "priority", "optimising_ot"),
        &[
            "2025-Q3",
            "breakdowns",
            "priority",
            "optimising_ot",
            "Optimising occupational therapy",
            "3",
            "2",
            "2",
            "1"
        ]
    );
    assert_eq!(
        find("breakdowns", "practice_area", "primary_care")[4],
        "Primary care"
    );
    let trend: Vec<&Vec<String>> = rows
        .iter()
        .filter(|r| r[1] == "trend" && r[2] == "priority" && r[3] == "value_and_impact")
        .collect();
    assert_eq!(trend.len(), 8);
    assert_eq!(trend[0][0], "2023-Q4");
    assert_eq!(trend[0][4], "Demonstrating value and impact");

    let money_header = headers[1];
    assert_eq!(money_header[5], "investment_gbp");
    assert!(money_header.iter().skip(5).all(|h| h.ends_with("_gbp")));
    let money = find("recommendations", "investment", "investment_gbp");
    assert_eq!(money[5], "27690413.32");
    assert_eq!(money[6], "0.00");
    assert!(
        !rows
            .iter()
            .flatten()
            .any(|c| c.contains("investment_pence") || c == "2769041332"),
        "money left in pence"
    );

    let grid_header = headers[2];
    assert_eq!(
        grid_header[..5],
        ["quarter", "matrix", "measure", "priority", "priority_label"]
    );
    let codes: Vec<&String> = grid_header[5..].iter().collect();
    assert_eq!(
        codes,
        practice_areas.iter().map(|(c, _)| c).collect::<Vec<_>>()
    );
    let gap_rows: Vec<&Vec<String>> = rows
        .iter()
        .filter(|r| r[0] != "quarter" && r[1] == "gap_matrix")
        .collect();
    assert_eq!(gap_rows[0][2], "practice_area_label");
    assert_eq!(
        gap_rows[0][5..].iter().collect::<Vec<_>>(),
        practice_areas.iter().map(|(_, l)| l).collect::<Vec<_>>()
    );
    let counts: Vec<&&Vec<String>> = gap_rows.iter().filter(|r| r[2] == "count").collect();
    assert_eq!(
        counts
            .iter()
            .map(|r| (r[3].clone(), r[4].clone()))
            .collect::<Vec<_>>(),
        priorities
    );
    let column = |code: &str| 5 + practice_areas.iter().position(|(c, _)| c == code).unwrap();
    assert_eq!(counts[0][column("primary_care")], "1");
    assert_eq!(counts[0][column("community_rehabilitation")], "2");
    assert_eq!(counts[1][column("primary_care")], "0");
    let gaps: Vec<&&Vec<String>> = gap_rows.iter().filter(|r| r[2] == "gap").collect();
    assert_eq!(gaps[1][column("primary_care")], "yes");
    assert_eq!(gaps[1][column("community_rehabilitation")], "no");

    let cube_header = headers[4];
    assert_eq!(cube_header[3], "priority");
    assert_eq!(
        cube_header[5..].iter().collect::<Vec<_>>(),
        practice_areas.iter().map(|(c, _)| c).collect::<Vec<_>>()
    );
    let cube = |measure: &str| -> Vec<&Vec<String>> {
        rows.iter()
            .filter(|r| r[0] != "quarter" && r[1] == "evidence_cube_economic" && r[2] == measure)
            .collect()
    };
    let cube_counts = cube("count");
    assert_eq!(cube_counts[0][3], "optimising_ot");
    assert_eq!(cube_counts[0][column("community_rehabilitation")], "2");
    assert_eq!(cube_counts[0][column("primary_care")], "0");
    assert_eq!(cube("falling_year_on_year").len(), priorities.len());
    assert_eq!(
        cube("same_quarter_last_year")[0][column("community_rehabilitation")],
        "2"
    );
}

#[tokio::test]
async fn xlsx_has_a_grid_sheet_per_matrix_labels_and_money_in_pounds() {
    use calamine::Reader as _;
    let Dataset { app, admin } = dataset().await;
    let priorities = vocabulary(&app, "priorities").await;
    let practice_areas = vocabulary(&app, "practice_areas").await;
    let evidence_types = vocabulary(&app, "evidence_types").await;

    let (status, content_type, body) = fetch(
        &app,
        &admin,
        "/api/v1/reports/quarterly/2025-Q3",
        Some(XLSX),
    )
    .await;

    assert_eq!(status, StatusCode::OK);
    assert_eq!(content_type, XLSX);
    let mut book = workbook(body);
    let sheets = book.sheet_names();
    for sheet in [
        "Cover",
        "breakdowns",
        "recommendations",
        "gap_matrix",
        "evidence_matrix",
        "evidence_cube_economic",
        "evidence_cube_social",
        "trend",
    ] {
        assert!(
            sheets.iter().any(|s| s == sheet),
            "{sheet} missing from {sheets:?}"
        );
    }
    for (sheet, columns, (row, column), expected) in [
        (
            "gap_matrix",
            &practice_areas,
            ("optimising_ot", "community_rehabilitation"),
            2.0,
        ),
        (
            "gap_matrix",
            &practice_areas,
            ("optimising_ot", "primary_care"),
            1.0,
        ),
        (
            "evidence_matrix",
            &evidence_types,
            ("workforce_planning", "economic"),
            2.0,
        ),
    ] {
        let grid = book
            .worksheet_range(sheet)
            .unwrap_or_else(|e| panic!("{e}"));
        let heading: Vec<String> = (0..columns.len())
            .map(|c| text(grid.get_value((0, c as u32 + 2))))
            .collect();
        let codes: Vec<String> = (0..columns.len())
            .map(|c| text(grid.get_value((1, c as u32 + 2))))
            .collect();
        assert_eq!(
            heading,
            columns.iter().map(|(_, l)| l.clone()).collect::<Vec<_>>(),
            "{sheet}"
        );
        assert_eq!(
            codes,
            columns.iter().map(|(c, _)| c.clone()).collect::<Vec<_>>(),
            "{sheet}"
        );
        let rows: Vec<(String, String)> = (0..priorities.len())
            .map(|r| {
                (
                    text(grid.get_value((r as u32 + 2, 1))),
                    text(grid.get_value((r as u32 + 2, 0))),
                )
            })
            .collect();
        assert_eq!(
            rows, priorities,
            "{sheet}: a row per priority, code beside label"
        );
        let r = priorities.iter().position(|(c, _)| c == row).unwrap() as u32 + 2;
        let c = columns.iter().position(|(code, _)| code == column).unwrap() as u32 + 2;
        assert_eq!(
            grid.get_value((r, c)),
            Some(&calamine::Data::Float(expected)),
            "{sheet} {row} × {column}"
        );
    }

    let breakdowns = book.worksheet_range("breakdowns").unwrap();
    let labelled = breakdowns
        .rows()
        .find(|r| text(r.get(1)) == "retention_and_career")
        .map(|r| text(r.get(2)));
    assert_eq!(
        labelled.as_deref(),
        Some("Retention and career development")
    );

    let recommendations = book.worksheet_range("recommendations").unwrap();
    let at = recommendations
        .rows()
        .position(|r| text(r.get(1)) == "investment_gbp")
        .expect("an investment_gbp line") as u32
        + recommendations.start().unwrap().0;
    assert_eq!(
        recommendations.get_value((at, 3)),
        Some(&calamine::Data::Float(27_690_413.32))
    );
    let styles = book.worksheet_style("recommendations").unwrap();
    for column in 3..7 {
        let format = styles
            .get((at, column))
            .and_then(|s| s.number_format.as_ref())
            .map(|f| f.format_code.clone());
        assert!(
            format.as_deref().is_some_and(|f| f.contains('£')),
            "column {column} of the money line is formatted {format:?}"
        );
    }
    assert!(
        !recommendations
            .rows()
            .any(|r| r.iter().any(|c| *c == "investment_pence")),
        "money left in pence"
    );
}

#[tokio::test]
async fn the_series_answers_csv_and_xlsx_by_format_and_by_accept() {
    use calamine::Reader as _;
    let Dataset { app, admin } = dataset().await;
    let series = "/api/v1/reports/quarterly?from=2025-Q1&to=2025-Q3";

    let (csv_status, csv_type, csv_body) =
        fetch(&app, &admin, &format!("{series}&format=csv"), None).await;
    let (accept_status, accept_type, accept_body) =
        fetch(&app, &admin, series, Some("text/csv")).await;
    let (xlsx_status, xlsx_type, xlsx_body) = fetch(&app, &admin, series, Some(XLSX)).await;
    let (json_status, json_type, json_body) = fetch(&app, &admin, series, None).await;
    let (svg_status, _, svg_body) =
        fetch(&app, &admin, &format!("{series}&format=svg"), None).await;

    assert_eq!(csv_status, StatusCode::OK);
    assert!(csv_type.starts_with("text/csv"), "{csv_type}");
    assert_eq!((accept_status, &accept_body), (StatusCode::OK, &csv_body));
    assert!(accept_type.starts_with("text/csv"), "{accept_type}");
    let rows = records(&csv_body);
    assert_eq!(rows[0], ["quarter", "measure", "key", "label", "value"]);
    assert!(
        rows[1..]
            .iter()
            .all(|r| ["2025-Q1", "2025-Q2", "2025-Q3"].contains(&r[0].as_str()))
    );
    let find = |quarter: &str, measure: &str, key: &str| {
        rows.iter()
            .find(|r| r[0] == quarter && r[1] == measure && r[2] == key)
            .unwrap_or_else(|| panic!("no {quarter} {measure} {key}"))
            .clone()
    };
    assert_eq!(
        find("2025-Q3", "priority", "optimising_ot"),
        [
            "2025-Q3",
            "priority",
            "optimising_ot",
            "Optimising occupational therapy",
            "3"
        ]
    );
    assert_eq!(find("2025-Q2", "submissions", "submissions")[4], "2");
    assert_eq!(find("2025-Q3", "kind", "case_study")[3], "case study");

    assert_eq!(xlsx_status, StatusCode::OK);
    assert_eq!(xlsx_type, XLSX);
    let mut book = workbook(xlsx_body);
    let sheet = book
        .worksheet_range("series")
        .unwrap_or_else(|e| panic!("{e}"));
    let codes: Vec<String> = sheet
        .rows()
        .nth(1)
        .unwrap()
        .iter()
        .map(ToString::to_string)
        .collect();
    let labels: Vec<String> = sheet
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(ToString::to_string)
        .collect();
    let column = codes
        .iter()
        .position(|c| c == "priority:optimising_ot")
        .expect("a column per priority");
    assert_eq!(labels[column], "Optimising occupational therapy");
    let quarters: Vec<String> = sheet.rows().skip(2).map(|r| r[0].to_string()).collect();
    assert_eq!(quarters, ["2025-Q1", "2025-Q2", "2025-Q3"]);
    assert_eq!(
        sheet.rows().nth(4).unwrap()[column],
        calamine::Data::Float(3.0)
    );

    assert_eq!(json_status, StatusCode::OK);
    assert!(json_type.starts_with("application/json"), "{json_type}");
    let json: Value = serde_json::from_slice(&json_body).unwrap();
    assert_eq!(json["quarters"].as_array().map(Vec::len), Some(3));
    assert_eq!(svg_status, StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = serde_json::from_slice(&svg_body).unwrap();
    assert_eq!(problem["errors"][0]["field"], "format");
}

#[tokio::test]
async fn the_chart_keeps_its_text_inside_the_picture_labels_its_legend_and_fits_its_axis() {
    let Dataset { app, admin } = dataset().await;
    let priorities = vocabulary(&app, "priorities").await;

    let (status, content_type, body) = fetch(
        &app,
        &admin,
        "/api/v1/reports/quarterly/2025-Q3?format=svg",
        None,
    )
    .await;

    assert_eq!(status, StatusCode::OK);
    assert_eq!(content_type, "image/svg+xml");
    let svg = String::from_utf8(body).unwrap();
    let document = roxmltree::Document::parse(&svg).unwrap_or_else(|e| panic!("{e}"));
    let root = document.root_element();
    let view_box: Vec<f64> = root
        .attribute("viewBox")
        .expect("a viewBox")
        .split_whitespace()
        .map(|n| n.parse().unwrap())
        .collect();
    let [left, top, width, height] = view_box[..] else {
        panic!("{view_box:?}")
    };
    let texts: Vec<roxmltree::Node> = root
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .collect();
    assert!(texts.len() > 10);
    for t in &texts {
        let number = |name: &str| t.attribute(name).map_or(0.0, |v| v.parse::<f64>().unwrap());
        let (x, y, size) = (number("x"), number("y"), number("font-size"));
        let content = t
            .text()
            .unwrap_or_else(|| panic!("an empty text element at x={x}"));
        // A generous width for sans-serif: 0.6 em a character.
        let extent = content.chars().count() as f64 * size * 0.6;
        let (from, to) = match t.attribute("text-anchor") {
            Some("middle") => (x - extent / 2.0, x + extent / 2.0),
            Some("end") => (x - extent, x),
            _ => (x, x + extent),
        };
        assert!(
            from >= left && to <= left + width && y - size >= top && y <= top + height,
            "{content:?} at ({x}, {y}) leaves the viewBox {view_box:?}"
        );
    }
    let legend: Vec<(String, String)> = texts
        .iter()
        .filter(|t| t.attribute("class") == Some("legend"))
        .map(|t| {
            (
                t.attribute("data-key").unwrap().to_owned(),
                t.text().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(legend, priorities, "the legend shows each priority's label");
    let x_labels: Vec<&str> = texts
        .iter()
        .filter(|t| t.attribute("class") == Some("x-label"))
        .map(|t| t.text().unwrap())
        .collect();
    assert_eq!(x_labels.first(), Some(&"2023-Q4"));
    assert_eq!(x_labels.last(), Some(&"2025-Q3"));
    let ticks: BTreeMap<i64, ()> = texts
        .iter()
        .filter(|t| t.attribute("class") == Some("y-label"))
        .map(|t| (t.text().unwrap().parse().unwrap(), ()))
        .collect();
    let (lowest, highest) = (*ticks.keys().next().unwrap(), *ticks.keys().last().unwrap());
    assert!(
        lowest > 0 && lowest <= 2 && highest >= 3,
        "every line sits between 2 and 3, the axis runs {lowest}..{highest}"
    );
}
