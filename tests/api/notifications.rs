//! Email notifications: decisions, the review queue and erasure are mailed
//! through a real SMTP conversation (a sink the test starts on 127.0.0.1),
//! members choose what they get, and a one-click link turns a kind off.

use domain::MemberId;
use domain::notification::{Category, UnsubscribeKey};
use hub_tests::smtp::{ReceivedMail, SmtpSink};
use hub_tests::{
    Answer, JWT_SECRET, TestApp, TestMember, case_study, rubric, spawn_app, spawn_app_on,
    spawn_app_with,
};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::time::Duration;
use uuid::Uuid;

const PUBLIC_URL: &str = "https://hub.example.org";
const WAIT: Duration = Duration::from_secs(20);

fn mail_settings(sink: &SmtpSink, poll_ms: &str) -> Vec<(&'static str, String)> {
    vec![
        ("HUB_SMTP_URL", sink.url()),
        (
            "HUB_MAIL_FROM",
            "Innovation hub <hub@example.org>".to_owned(),
        ),
        ("HUB_PUBLIC_URL", PUBLIC_URL.to_owned()),
        ("HUB_MAIL_POLL_MS", poll_ms.to_owned()),
        ("HUB_READ_CACHE", "off".to_owned()),
    ]
}

fn borrowed<'a>(settings: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    settings.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

async fn mailing_app() -> (TestApp, SmtpSink) {
    let sink = SmtpSink::start().await;
    let settings = mail_settings(&sink, "50");
    let app = spawn_app_with(&borrowed(&settings)).await;
    (app, sink)
}

fn title(what: &str) -> String {
    format!("{what} {}", Uuid::new_v4().simple())
}

/// Submits and claims a case study; returns its id.
async fn in_review(
    app: &TestApp,
    author: &TestMember,
    reviewer: &TestMember,
    title: &str,
) -> String {
    let id = app.submitted(&author.token, &case_study(title)).await;
    app.claim(&reviewer.token, &id)
        .await
        .expect_status(StatusCode::OK);
    id
}

async fn decide(app: &TestApp, reviewer: &TestMember, id: &str, body: &Value) {
    app.post(
        &format!("/api/v1/submissions/{id}/reviews"),
        Some(&reviewer.token),
        body,
    )
    .await
    .expect_status(StatusCode::CREATED);
}

async fn set_preferences(app: &TestApp, member: &TestMember, body: Value) -> Value {
    let (status, _, answer) = app
        .send(
            app.request(
                Method::PUT,
                "/api/v1/members/me/notifications",
                Some(&member.token),
            )
            .json(&body),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    answer
}

/// The path and query of a link in a mail, on the test's own service.
fn on_app(url: &str) -> String {
    url.strip_prefix(PUBLIC_URL)
        .unwrap_or_else(|| panic!("{url} is not under {PUBLIC_URL}"))
        .to_owned()
}

fn subjects(mails: &[ReceivedMail]) -> Vec<String> {
    mails
        .iter()
        .map(|m| {
            m.header("Subject")
                .expect("the test expected this value to be present")
        })
        .collect()
}

/// Publishes a sentinel's work and waits for its mail: anything planned
/// before it has been sent (or skipped) by then.
async fn settle(app: &TestApp, sink: &SmtpSink, reviewer: &TestMember) {
    let sentinel = app.member().await;
    let id = in_review(app, &sentinel, reviewer, &title("Sentinel")).await;
    decide(app, reviewer, &id, &rubric("publish", 4)).await;
    let mails = sink.wait_for(&sentinel.email, 1, WAIT).await;
    assert_eq!(mails.len(), 1, "the sentinel's mail did not arrive");
}

#[tokio::test]
async fn each_decision_is_mailed_to_the_author_with_a_one_click_link() {
    // Arrange
    let (app, sink) = mailing_app().await;
    let author = app.member().await;
    let reviewer = app.reviewer().await;
    let published = title("Falls prevention in care homes");
    let changed = title("First-contact OT <clinics> & more");
    let rejected = title("Sensory rooms");
    let first = in_review(&app, &author, &reviewer, &published).await;
    let second = in_review(&app, &author, &reviewer, &changed).await;
    let third = in_review(&app, &author, &reviewer, &rejected).await;

    // Act
    decide(&app, &reviewer, &first, &rubric("publish", 4)).await;
    let mut changes = rubric("request_changes", 2);
    changes["overall_comment"] = json!("Please add the run chart");
    changes["comments"] = json!({"measurement_and_data": "Say how falls were counted"});
    decide(&app, &reviewer, &second, &changes).await;
    decide(&app, &reviewer, &third, &rubric("reject", 1)).await;

    // Assert
    let mails = sink.wait_for(&author.email, 3, WAIT).await;
    let mut got = subjects(&mails);
    got.sort();
    let mut expected = vec![
        format!("Published on the Innovation hub: {published}"),
        format!("Changes requested: {changed}"),
        format!("Not accepted for publication: {rejected}"),
    ];
    expected.sort();
    assert_eq!(got, expected);
    for mail in &mails {
        assert_eq!(mail.to, vec![author.email.clone()]);
        assert_eq!(mail.from, "hub@example.org");
        let link = mail
            .unsubscribe_url()
            .expect("the test expected this value to be present");
        assert!(
            link.starts_with(&format!("{PUBLIC_URL}/api/v1/unsubscribe?token=")),
            "{link}"
        );
        assert_eq!(
            mail.header("List-Unsubscribe-Post").as_deref(),
            Some("List-Unsubscribe=One-Click")
        );
        assert!(
            mail.header("Content-Type")
                .expect("the test expected this value to be present")
                .starts_with("multipart/alternative")
        );
        let body = mail.body_text();
        assert!(body.contains("text/plain") && body.contains("text/html"));
        assert!(
            !body.contains(&reviewer.email),
            "a reviewer's address leaked"
        );
    }
    let change_mail = mails
        .iter()
        .find(|m| {
            m.header("Subject")
                .expect("the test expected this value to be present")
                .starts_with("Changes requested")
        })
        .unwrap_or_else(|| panic!("no changes-requested mail"));
    let body = change_mail.body_text();
    assert!(body.contains("Please add the run chart"), "{body}");
    assert!(body.contains("Say how falls were counted"), "{body}");
    assert!(
        body.contains("&lt;clinics&gt; &amp; more"),
        "the HTML part escapes the title: {body}"
    );
    assert!(body.contains(&format!("{PUBLIC_URL}/api/v1/submissions/{second}")));
    assert!(
        sink.to(&reviewer.email).is_empty(),
        "the reviewer did not opt in"
    );
}

#[tokio::test]
async fn reviewers_who_opt_in_hear_of_work_entering_the_queue() {
    // Arrange
    let (app, sink) = mailing_app().await;
    let watching = app.reviewer().await;
    let quiet = app.reviewer().await;
    let author = app.member().await;
    let answer = set_preferences(
        &app,
        &watching,
        json!({"decisions": true, "adoptions": true, "review_queue": true}),
    )
    .await;
    assert_eq!(answer["review_queue"], true);
    let queued = title("Community rehab after discharge");

    // Act
    app.submitted(&author.token, &case_study(&queued)).await;

    // Assert
    let mails = sink.wait_for(&watching.email, 1, WAIT).await;
    assert_eq!(
        subjects(&mails),
        vec![format!("Ready for review: {queued}")]
    );
    assert!(mails[0].unsubscribe_url().is_some());
    assert!(!mails[0].body_text().contains(&author.email));
    settle(&app, &sink, &watching).await;
    assert!(sink.to(&quiet.email).is_empty(), "the queue is opt-in");
    assert!(
        sink.to(&author.email).is_empty(),
        "submitting mails no one the author"
    );
    // The sentinel's own submission is queued too; its mail to the reviewer
    // may be sent after the sentinel's decision mail, so it is waited for.
    assert_eq!(
        sink.wait_for(&watching.email, 2, WAIT).await.len(),
        2,
        "one queue mail, then the sentinel's"
    );
}

#[tokio::test]
async fn members_who_opt_out_and_those_who_click_the_link_get_no_more() {
    // Arrange
    let (app, sink) = mailing_app().await;
    let reviewer = app.reviewer().await;
    let opted_out = app.member().await;
    let clicker = app.member().await;
    set_preferences(
        &app,
        &opted_out,
        json!({"decisions": false, "adoptions": true, "review_queue": false}),
    )
    .await;
    let first = in_review(&app, &clicker, &reviewer, &title("First")).await;
    decide(&app, &reviewer, &first, &rubric("publish", 4)).await;
    let mails = sink.wait_for(&clicker.email, 1, WAIT).await;
    assert_eq!(mails.len(), 1);
    let link = on_app(
        &mails[0]
            .unsubscribe_url()
            .expect("the test expected this value to be present"),
    );

    // Act: the page the link opens changes nothing; the one-click POST does.
    let page = app.client.get(app.url(&link)).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("decisions about your work")
    );
    let clicked = app
        .client
        .post(app.url(&link))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(clicked.status(), StatusCode::OK);
    let clicked: Value = clicked.json().await.unwrap();
    assert_eq!(clicked["unsubscribed"], "decisions");
    let second = in_review(&app, &clicker, &reviewer, &title("Second")).await;
    decide(&app, &reviewer, &second, &rubric("publish", 4)).await;
    let third = in_review(&app, &opted_out, &reviewer, &title("Third")).await;
    decide(&app, &reviewer, &third, &rubric("reject", 1)).await;

    // Assert
    settle(&app, &sink, &reviewer).await;
    assert_eq!(sink.to(&clicker.email).len(), 1, "nothing after the click");
    assert!(sink.to(&opted_out.email).is_empty());
    let (_, _, prefs) = app
        .get("/api/v1/members/me/notifications", Some(&clicker.token))
        .await;
    assert_eq!(
        prefs,
        json!({"decisions": false, "adoptions": true, "review_queue": false})
    );
}

#[tokio::test]
async fn bad_and_expired_links_are_refused_as_problems() {
    // Arrange
    let app = spawn_app().await;
    let member = app.member().await;
    let key = UnsubscribeKey::derive(JWT_SECRET.as_bytes());
    let expired = key.sign(
        MemberId(member.id),
        Category::Adoptions,
        chrono::Utc::now() - chrono::Duration::seconds(5),
    );
    let forged = UnsubscribeKey::derive(b"not the hub's secret, but long enough").sign(
        MemberId(member.id),
        Category::Adoptions,
        chrono::Utc::now() + chrono::Duration::days(1),
    );

    // Act + Assert
    for (token, status) in [
        (expired.as_str(), StatusCode::GONE),
        (forged.as_str(), StatusCode::FORBIDDEN),
        ("garbage", StatusCode::BAD_REQUEST),
    ] {
        for method in [Method::GET, Method::POST] {
            let response = app
                .client
                .request(
                    method.clone(),
                    app.url(&format!("/api/v1/unsubscribe?token={token}")),
                )
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), status, "{method} {token}");
            assert_eq!(
                response.headers()["content-type"],
                "application/problem+json"
            );
        }
    }
    let (status, _, _) = app.post("/api/v1/unsubscribe", None, &json!({})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "no token at all");
    let (_, _, prefs) = app
        .get("/api/v1/members/me/notifications", Some(&member.token))
        .await;
    assert_eq!(prefs["adoptions"], true, "nothing was turned off");
}

#[tokio::test]
async fn preferences_default_and_are_replaced_whole() {
    // Arrange
    let app = spawn_app().await;
    let member = app.member().await;

    // Act
    let (status, _, defaults) = app
        .get("/api/v1/members/me/notifications", Some(&member.token))
        .await;
    let (partial, _, problem) = app
        .send(
            app.request(
                Method::PUT,
                "/api/v1/members/me/notifications",
                Some(&member.token),
            )
            .json(&json!({"decisions": false})),
        )
        .await;
    let (anonymous, _, _) = app.get("/api/v1/members/me/notifications", None).await;

    // Assert
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        defaults,
        json!({"decisions": true, "adoptions": true, "review_queue": false})
    );
    assert_eq!(partial, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert!(problem.to_string().contains("adoptions"), "{problem}");
    assert_eq!(anonymous, StatusCode::UNAUTHORIZED);
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    use sea_orm::{ConnectionTrait, Statement};
    let db = persistence::connect(&app.database_url, 1).await.unwrap();
    let backend = db.connection.get_database_backend();
    let row = db
        .connection
        .query_one_raw(Statement::from_string(backend, sql.to_owned()))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

#[tokio::test]
async fn erasure_is_confirmed_to_the_address_being_erased_and_then_forgotten() {
    // Arrange
    let (app, sink) = mailing_app().await;
    let member = app.member().await;
    set_preferences(
        &app,
        &member,
        json!({"decisions": false, "adoptions": false, "review_queue": false}),
    )
    .await;

    // Act
    app.erase(&member.token)
        .await
        .expect_status(StatusCode::NO_CONTENT);

    // Assert: sent whatever the choices, with no unsubscribe link.
    let mails = sink.wait_for(&member.email, 1, WAIT).await;
    assert_eq!(
        subjects(&mails),
        vec!["Your Innovation hub account has been erased".to_owned()]
    );
    assert_eq!(mails[0].header("List-Unsubscribe"), None);
    assert!(mails[0].body_text().contains("cannot be unsubscribed from"));
    let deadline = tokio::time::Instant::now() + WAIT;
    while count(
        &app,
        "SELECT COUNT(*) FROM mail_deliveries WHERE email IS NOT NULL",
    )
    .await
        > 0
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the address was kept after sending"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

#[tokio::test]
async fn without_smtp_nothing_is_planned_and_no_address_is_kept() {
    // Arrange
    let app = spawn_app().await;
    let member = app.member().await;

    // Act
    app.erase(&member.token)
        .await
        .expect_status(StatusCode::NO_CONTENT);

    // Assert
    assert_eq!(count(&app, "SELECT COUNT(*) FROM mail_deliveries").await, 0);
}

#[tokio::test]
async fn a_mail_planned_before_a_restart_is_sent_once_by_the_replicas_after_it() {
    // Arrange: this instance looks for mail once, at start, before the event.
    let sink = SmtpSink::start().await;
    let idle = mail_settings(&sink, "600000");
    let app = spawn_app_with(&borrowed(&idle)).await;
    let author = app.member().await;
    let reviewer = app.reviewer().await;
    let id = in_review(&app, &author, &reviewer, &title("Restart")).await;
    decide(&app, &reviewer, &id, &rubric("publish", 4)).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        sink.to(&author.email).is_empty(),
        "nothing is sent before the restart"
    );

    // Act: two new instances on the same database, both sending.
    let busy = mail_settings(&sink, "20");
    let _first = spawn_app_on(&app.database_url, &borrowed(&busy)).await;
    let _second = spawn_app_on(&app.database_url, &borrowed(&busy)).await;

    // Assert
    let mails = sink.wait_for(&author.email, 1, WAIT).await;
    assert_eq!(mails.len(), 1);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(sink.to(&author.email).len(), 1, "sent exactly once");
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM mail_deliveries WHERE state = 'sent'"
        )
        .await,
        1
    );
}

#[tokio::test]
async fn a_mail_the_server_refuses_for_now_is_retried_with_backoff_and_sent_once() {
    // Arrange: the server is busy for the first two attempts.
    let (app, sink) = mailing_app().await;
    let author = app.member().await;
    let reviewer = app.reviewer().await;
    let id = in_review(&app, &author, &reviewer, &title("Retried")).await;
    sink.refuse_next(2);

    // Act
    decide(&app, &reviewer, &id, &rubric("publish", 4)).await;
    // Backoff waits 2 s, then 4 s, before the third attempt.
    let mails = sink.wait_for(&author.email, 1, WAIT).await;
    tokio::time::sleep(Duration::from_millis(500)).await;

    // Assert
    assert_eq!(sink.refused(), 2, "both refusals were met");
    assert_eq!(
        sink.to(&author.email).len(),
        1,
        "sent once: {:?}",
        subjects(&mails)
    );
    let sent = count(
        &app,
        "SELECT COUNT(*) FROM mail_deliveries WHERE state = 'sent'",
    )
    .await;
    let attempts = count(
        &app,
        "SELECT CAST(MAX(attempts) AS BIGINT) FROM mail_deliveries WHERE state = 'sent'",
    )
    .await;
    assert_eq!(
        (sent, attempts),
        (1, 3),
        "one mail, sent at the third attempt"
    );
}
