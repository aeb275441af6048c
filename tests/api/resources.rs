//! Impact-evaluation resources: admins publish files typed by evaluation
//! approach, members list and download them, and the quarterly summary counts
//! downloads and distinct members (a count of people, withheld from 1 to 4).

use crate::webhooks::{deliveries, receiver, register_for, wait_for};
use chrono::{Datelike, NaiveDate, TimeZone, Utc};
use hub_tests::multipart::{Part, content_type, file_part, form, pdf, text_part};
use hub_tests::{TestApp, TestMember, spawn_app, spawn_app_with};
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sha2::Digest;

const RESOURCES: &str = "/api/v1/resources";

async fn publish_form(
    app: &TestApp,
    token: &str,
    parts: Vec<Part<'_>>,
) -> (StatusCode, HeaderMap, Value) {
    app.send(
        app.request(Method::POST, RESOURCES, Some(token))
            .header("content-type", content_type())
            .body(form(parts)),
    )
    .await
}

fn parts<'a>(title: &str, approach: &str, description: &str, file: Vec<u8>) -> Vec<Part<'a>> {
    vec![
        file_part("sroi workbook.pdf", "application/pdf", file),
        text_part("title", title),
        text_part("approach", approach),
        text_part("description", description),
    ]
}

/// Publishes a resource that must be accepted; returns its id.
async fn publish(app: &TestApp, admin: &TestMember, title: &str, approach: &str) -> String {
    let (status, _, body) = publish_form(
        app,
        &admin.token,
        parts(title, approach, "How to value what changed", pdf()),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["id"].as_str().expect("an id").to_owned()
}

/// Downloads a resource as `token`; returns the status and the bytes.
async fn download(app: &TestApp, token: &str, id: &str) -> (StatusCode, HeaderMap, Vec<u8>) {
    let response = app
        .request(
            Method::GET,
            &format!("{RESOURCES}/{id}/download"),
            Some(token),
        )
        .send()
        .await
        .expect("the download answers");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.bytes().await.expect("the body").to_vec();
    (status, headers, bytes)
}

fn field_codes(problem: &Value) -> Vec<(String, String)> {
    problem["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("no field errors in {problem}"))
        .iter()
        .map(|e| {
            (
                e["field"].as_str().expect("a field").to_owned(),
                e["code"].as_str().expect("a code").to_owned(),
            )
        })
        .collect()
}

#[actix_web::test]
async fn admins_publish_resources_that_members_list_filter_and_download() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let member = app.member().await;

    let (status, headers, created) = publish_form(
        &app,
        &admin.token,
        parts(
            "Social return on investment workbook",
            "economic",
            "Values outcomes in pounds.\nWith worked examples.",
            pdf(),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["id"].as_str().expect("an id");
    assert_eq!(
        headers.get("location").and_then(|v| v.to_str().ok()),
        Some(format!("{RESOURCES}/{id}").as_str())
    );
    assert_eq!(created["title"], "Social return on investment workbook");
    assert_eq!(created["approach"], "economic");
    assert_eq!(created["media_type"], "application/pdf");
    assert_eq!(created["file_name"], "sroi workbook.pdf");
    assert_eq!(created["size_bytes"], pdf().len());
    assert_eq!(
        created["download_url"],
        format!("{RESOURCES}/{id}/download")
    );
    let social = publish(&app, &admin, "Wellbeing interview guide", "social").await;

    let (status, _, all) = app.get(RESOURCES, Some(&member.token)).await;
    assert_eq!(status, StatusCode::OK, "{all}");
    let ids: Vec<&str> = all
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    assert_eq!(ids, vec![social.as_str(), id], "newest first");
    let (_, _, economic) = app
        .get(
            &format!("{RESOURCES}?approach=economic"),
            Some(&member.token),
        )
        .await;
    assert_eq!(economic.as_array().map(Vec::len), Some(1), "{economic}");
    assert_eq!(economic[0]["id"], id);
    let (status, _, one) = app
        .get(&format!("{RESOURCES}/{id}"), Some(&member.token))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(one, created);

    let (status, headers, bytes) = download(&app, &member.token, id).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bytes, pdf());
    assert_eq!(
        headers.get("content-type").and_then(|v| v.to_str().ok()),
        Some("application/pdf")
    );
    let disposition = headers
        .get("content-disposition")
        .and_then(|v| v.to_str().ok())
        .expect("a Content-Disposition");
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    let tag = format!("\"{}\"", hex::encode(sha2::Sha256::digest(pdf())));
    assert_eq!(
        headers.get("etag").and_then(|v| v.to_str().ok()),
        Some(tag.as_str())
    );
    let unchanged = app
        .request(
            Method::GET,
            &format!("{RESOURCES}/{id}/download"),
            Some(&member.token),
        )
        .header("if-none-match", &tag)
        .send()
        .await
        .expect("an answer");
    assert_eq!(unchanged.status(), StatusCode::NOT_MODIFIED);

    // The member's data export lists the download (the 304 was none).
    let (status, _, export) = app
        .get("/api/v1/members/me/export", Some(&member.token))
        .await;
    assert_eq!(status, StatusCode::OK, "{export}");
    let downloads = export["resource_downloads"]
        .as_array()
        .expect("a list of downloads");
    assert_eq!(downloads.len(), 1, "{export}");
    assert_eq!(downloads[0]["resource_id"], id);
    let (_, _, admins) = app
        .get("/api/v1/members/me/export", Some(&admin.token))
        .await;
    assert_eq!(admins["resource_downloads"], serde_json::json!([]));
}

#[actix_web::test]
async fn a_published_resource_is_told_to_every_member_in_the_feed_and_to_webhooks() {
    let app = spawn_app_with(&[("HUB_WEBHOOK_POLL_MS", "50")]).await;
    let admin = app.admin().await;
    let member = app.member().await;
    let (url, received) = receiver(vec![]).await;
    let (webhook, _) = register_for(&app, &admin.token, &url, "resource.published").await;
    let (refused, _, problem) = publish_form(
        &app,
        &admin.token,
        parts("Refused", "monetary", "No such approach", pdf()),
    )
    .await;
    assert_eq!(refused, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");

    let id = publish(&app, &admin, "Outcome star guide", "experiential").await;

    for token in [&member.token, &admin.token] {
        let (status, _, feed) = app.get("/api/v1/events", Some(token)).await;
        assert_eq!(status, StatusCode::OK, "{feed}");
        let items = feed["items"].as_array().expect("a page of events");
        assert_eq!(items.len(), 1, "only the published resource: {feed}");
        assert_eq!(items[0]["type"], "resource.published");
        assert_eq!(items[0]["resource_id"], id.as_str());
        assert!(items[0].get("submission_id").is_none(), "{feed}");
        assert!(items[0]["status"].is_null(), "{feed}");
    }

    wait_for("the resource's delivery", async || {
        deliveries(&app, &admin.token, &webhook).await["items"][0]["state"] == "delivered"
    })
    .await;
    let got = received.lock().expect("the receiver's log").clone();
    assert_eq!(got.len(), 1, "sent once");
    assert_eq!(
        got[0].headers.get("hub-event").map(String::as_str),
        Some("resource.published")
    );
    let payload: Value = serde_json::from_slice(&got[0].body).expect("a JSON payload");
    assert_eq!(payload["event"]["type"], "resource.published");
    assert_eq!(payload["event"]["resource_id"], id.as_str());
}

#[actix_web::test]
async fn only_admins_publish_and_every_refusal_names_what_is_wrong() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let member = app.member().await;

    let (status, _, problem) = publish_form(
        &app,
        &member.token,
        parts("Guide", "social", "A guide", pdf()),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");
    let (status, _, _) = app
        .send(
            app.request(Method::POST, RESOURCES, None)
                .header("content-type", content_type())
                .body(form(parts("Guide", "social", "A guide", pdf()))),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let (status, _, problem) = publish_form(
        &app,
        &admin.token,
        vec![file_part("guide.pdf", "application/pdf", pdf())],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(
        field_codes(&problem),
        vec![
            ("title".to_owned(), "required".to_owned()),
            ("description".to_owned(), "required".to_owned()),
            ("approach".to_owned(), "required".to_owned()),
        ]
    );
    let (status, _, problem) = publish_form(
        &app,
        &admin.token,
        parts("Guide", "financial", "A guide", pdf()),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(
        field_codes(&problem),
        vec![("approach".to_owned(), "unknown_code".to_owned())]
    );
    let (status, _, problem) = publish_form(
        &app,
        &admin.token,
        vec![
            text_part("title", "Guide"),
            text_part("approach", "social"),
            text_part("description", "A guide"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(
        field_codes(&problem),
        vec![("file".to_owned(), "required".to_owned())]
    );
    let (status, _, problem) = publish_form(
        &app,
        &admin.token,
        parts("Guide", "social", "A guide", Vec::new()),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(
        field_codes(&problem),
        vec![("file".to_owned(), "empty".to_owned())]
    );
    let mut exe = b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0\xb8\0".to_vec();
    exe.extend(std::iter::repeat_n(0u8, 400));
    let (status, _, problem) =
        publish_form(&app, &admin.token, parts("Guide", "social", "A guide", exe)).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{problem}");
    let mut extra = parts("Guide", "social", "A guide", pdf());
    extra.push(text_part("caption", "not here"));
    let (status, _, problem) = publish_form(&app, &admin.token, extra).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(
        field_codes(&problem),
        vec![("caption".to_owned(), "unknown_field".to_owned())]
    );
    let (status, _, problem) = publish_form(
        &app,
        &admin.token,
        parts(&"t".repeat(201), "social", "A guide", pdf()),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(
        field_codes(&problem),
        vec![("title".to_owned(), "too_long".to_owned())]
    );
    let (status, _, _) = app
        .post(RESOURCES, Some(&admin.token), &json!({"title": "Guide"}))
        .await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);

    let (status, _, problem) = app
        .get(
            &format!("{RESOURCES}?approach=financial"),
            Some(&member.token),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(field_codes(&problem)[0].0, "approach");
    let unknown = uuid::Uuid::now_v7();
    let (status, _, _) = app
        .get(&format!("{RESOURCES}/{unknown}"), Some(&member.token))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = download(&app, &member.token, &unknown.to_string()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = app.get(RESOURCES, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let (_, _, listed) = app.get(RESOURCES, Some(&admin.token)).await;
    assert_eq!(listed, json!([]), "no refused form left a resource behind");
}

/// This calendar quarter as `2026-Q4`, and an instant in the quarter before.
fn quarters() -> (String, chrono::DateTime<Utc>) {
    let today = Utc::now().date_naive();
    let q = today.month0() / 3;
    let start = NaiveDate::from_ymd_opt(today.year(), q * 3 + 1, 1).expect("a day");
    let before = start - chrono::Duration::days(20);
    let at = Utc.from_utc_datetime(&before.and_hms_opt(12, 0, 0).expect("noon"));
    (format!("{}-Q{}", today.year(), q + 1), at)
}

#[actix_web::test]
async fn the_summary_counts_downloads_and_withholds_small_counts_of_members() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let economic = publish(&app, &admin, "SROI workbook", "economic").await;
    let social = publish(&app, &admin, "Wellbeing interview guide", "social").await;
    let mut members = Vec::new();
    for _ in 0..7 {
        members.push(app.member().await);
    }
    for (i, member) in members.iter().enumerate() {
        let id = if i == 6 { &social } else { &economic };
        let (status, _, _) = download(&app, &member.token, id).await;
        assert_eq!(status, StatusCode::OK);
    }
    let (status, _, _) = download(&app, &members[0].token, &economic).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "a repeated download counts as a download"
    );
    // Two members' downloads were in the quarter before.
    let (quarter, before) = quarters();
    for member in &members[5..] {
        app.execute(
            "UPDATE resource_downloads SET downloaded_at = $1 WHERE member_id = $2",
            vec![before.into(), member.id.into()],
        )
        .await;
    }
    // Erasure leaves the counts of past downloads as they were.
    let (status, _, _) = app.erase(&members[1].token).await;
    assert_eq!(status, StatusCode::NO_CONTENT);

    let path = format!("/api/v1/reports/quarterly/{quarter}");
    let (status, _, report) = app.get(&path, Some(&admin.token)).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let r = &report["resources"];
    assert_eq!(r["downloads"]["count"], 6, "{r}");
    assert_eq!(r["downloads"]["previous_quarter"], 2);
    assert_eq!(r["downloads"]["change"], 4);
    let people = &r["distinct_members"];
    assert_eq!(people["count"], 5, "{people}");
    assert_eq!(
        people["previous_quarter"],
        Value::Null,
        "2 members are withheld"
    );
    assert_eq!(people["change"], Value::Null);
    assert_eq!(people["suppressed"], true);
    let by_approach: Vec<(String, i64, i64)> = r["by_approach"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|row| {
            (
                row["key"].as_str().expect("a key").to_owned(),
                row["count"].as_i64().expect("a count"),
                row["previous_quarter"].as_i64().expect("a previous count"),
            )
        })
        .collect();
    assert_eq!(
        by_approach,
        vec![
            ("economic".to_owned(), 6, 1),
            ("social".to_owned(), 0, 1),
            ("experiential".to_owned(), 0, 0),
        ]
    );

    let (status, _, csv) = app
        .get(&format!("{path}?format=csv"), Some(&admin.token))
        .await;
    assert_eq!(status, StatusCode::OK);
    let csv = csv.as_str().expect("CSV text");
    let line = |dimension: &str, key: &str| -> String {
        let start = format!("{quarter},resources,{dimension},{key},");
        csv.lines()
            .find(|l| l.starts_with(&start))
            .unwrap_or_else(|| panic!("no CSV line {start}: {csv}"))
            .to_owned()
    };
    assert!(
        line("downloads", "downloads").ends_with(",6,2,0,4"),
        "{csv}"
    );
    assert!(
        line("by_approach", "economic").ends_with(",6,1,0,5"),
        "{csv}"
    );
    let members_line = line("distinct_members", "distinct_members");
    assert!(members_line.contains(",5,"), "{members_line}");
    assert!(
        !members_line.contains(",2,"),
        "the withheld 2 is not published: {members_line}"
    );
}
