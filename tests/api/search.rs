//! Full-text search and related work, through HTTP, on either database.

use hub_tests::{TestApp, TestMember, case_study, spawn_app};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| i["id"].as_str().map(str::to_owned))
        .collect()
}

/// A draft by `author` with these words in its title, summary and learning section.
async fn draft(
    app: &TestApp,
    author: &TestMember,
    title: &str,
    summary: &str,
    learning: &str,
) -> String {
    let mut body = case_study(title);
    body["summary"] = json!(summary);
    body["sections"]["learning"] = json!(learning);
    let created = app.create_submission(&author.token, &body).await;
    created["id"].as_str().expect("created").to_owned()
}

async fn search(app: &TestApp, token: &str, query: &str) -> Value {
    let (status, _, page) = app
        .get(
            &format!("/api/v1/submissions?mine=true&{query}"),
            Some(token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{query}: {page}");
    page
}

fn q(text: &str) -> String {
    format!("q={}", urlencode(text))
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn stems_phrases_and_exclusions_match_as_people_expect() {
    let app = spawn_app().await;
    let author = app.member().await;
    let falls = draft(
        &app,
        &author,
        "Falls clinic",
        "A weekly clinic.",
        "Start small",
    )
    .await;
    let falling = draft(
        &app,
        &author,
        "Home visits",
        "Fewer people falling at home.",
        "Start small",
    )
    .await;
    let hip = draft(
        &app,
        &author,
        "Hip protectors",
        "Protectors for hips.",
        "Fall risk is shared by the care home team",
    )
    .await;
    let other = draft(
        &app,
        &author,
        "Wellbeing stories",
        "Stories.",
        "Listen first",
    )
    .await;

    let mut found = ids(&search(&app, &author.token, &q("fall")).await);
    found.sort();
    let mut expected = vec![falls.clone(), falling.clone(), hip.clone()];
    expected.sort();
    assert_eq!(found, expected, "fall finds falls, falling and fall");
    assert!(!found.contains(&other));

    assert_eq!(
        ids(&search(&app, &author.token, &q("\"care home\"")).await),
        vec![hip.clone()]
    );
    assert!(
        ids(&search(&app, &author.token, &q("\"home care\"")).await).is_empty(),
        "a phrase keeps its order"
    );
    let mut without = ids(&search(&app, &author.token, &q("fall -protectors")).await);
    without.sort();
    let mut expected = vec![falls.clone(), falling.clone()];
    expected.sort();
    assert_eq!(without, expected);
    assert_eq!(
        ids(&search(&app, &author.token, &q("falls -\"weekly clinic\"")).await).len(),
        2
    );
    // Tag labels are searched: the case study's practice area is "Primary care".
    assert_eq!(
        ids(&search(&app, &author.token, &q("primary")).await).len(),
        4
    );
    // Other filters combine with the search.
    assert!(
        ids(&search(
            &app,
            &author.token,
            &format!("{}&kind=improvement_journey", q("fall"))
        )
        .await)
        .is_empty()
    );

    let (status, _, problem) = app
        .get(
            &format!("/api/v1/submissions?{}", q("-falls")),
            Some(&author.token),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "q");
}

#[tokio::test]
async fn a_title_match_ranks_above_a_newer_body_only_match() {
    let app = spawn_app().await;
    let author = app.member().await;
    let in_title = draft(
        &app,
        &author,
        "Telehealth reviews",
        "Video calls.",
        "Start small",
    )
    .await;
    let in_body = draft(
        &app,
        &author,
        "Remote work",
        "Calls.",
        "Telehealth saved travel",
    )
    .await;

    let page = search(&app, &author.token, &q("telehealth")).await;
    assert_eq!(
        ids(&page),
        vec![in_title, in_body],
        "relevance before recency"
    );
    let ranks: Vec<f64> = page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["match"]["rank"].as_f64().expect("rank"))
        .collect();
    assert!(ranks[0] > ranks[1], "{ranks:?}");
    let (_, _, plain) = app
        .get("/api/v1/submissions?mine=true", Some(&author.token))
        .await;
    assert!(
        plain["items"][0].get("match").is_none(),
        "no match without q"
    );
}

#[tokio::test]
async fn snippets_mark_matches_and_escape_everything_else() {
    let app = spawn_app().await;
    let author = app.member().await;
    draft(
        &app,
        &author,
        "<script>alert('x')</script> Falls & trips",
        "Plain.",
        "Start small",
    )
    .await;
    draft(
        &app,
        &author,
        "Stroke units when 1 < 2 > 0",
        "Plain.",
        "Start small",
    )
    .await;

    for (word, escaped) in [("falls", "&amp;"), ("stroke", "&lt;")] {
        let page = search(&app, &author.token, &q(word)).await;
        let snippet = page["items"][0]["match"]["snippet"]
            .as_str()
            .expect("snippet");
        assert!(
            snippet
                .to_lowercase()
                .contains(&format!("<mark>{word}</mark>")),
            "{snippet}"
        );
        assert!(snippet.contains(escaped), "{snippet}");
        assert_eq!(
            snippet.matches("<mark>").count(),
            snippet.matches("</mark>").count()
        );
        let unmarked = snippet.replace("<mark>", "").replace("</mark>", "");
        assert!(
            !unmarked.contains(['<', '>']),
            "only marks are markup: {snippet}"
        );
    }
}

#[tokio::test]
async fn paging_a_search_one_at_a_time_sees_each_match_once_in_order() {
    let app = spawn_app().await;
    let author = app.member().await;
    // Equal texts rank equal: ties are broken by newest, then id.
    for _ in 0..4 {
        draft(
            &app,
            &author,
            "Sensory rooms",
            "Quiet spaces.",
            "Start small",
        )
        .await;
    }
    draft(&app, &author, "Rooms", "Sensory checks.", "Start small").await;
    draft(
        &app,
        &author,
        "Sensory sensory sensory",
        "Sensory.",
        "Sensory",
    )
    .await;
    draft(&app, &author, "Unrelated", "Nothing.", "Start small").await;

    let all = ids(&search(&app, &author.token, &format!("{}&limit=100", q("sensory"))).await);
    assert_eq!(all.len(), 6);
    let mut paged = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let query = match &cursor {
            Some(c) => format!("{}&limit=1&cursor={c}", q("sensory")),
            None => format!("{}&limit=1", q("sensory")),
        };
        let page = search(&app, &author.token, &query).await;
        paged.extend(ids(&page));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
        assert!(paged.len() <= 6, "paging never ends: {paged:?}");
    }
    assert_eq!(paged, all, "each match exactly once, in the same order");
}

#[tokio::test]
async fn malicious_search_text_is_never_a_server_error() {
    let app = spawn_app().await;
    let author = app.member().await;
    draft(
        &app,
        &author,
        "Cut waits by 50% in clinic_a",
        "Plain.",
        "Start small",
    )
    .await;
    for text in [
        "\"",
        "\"\"",
        "(",
        ")",
        "falls)",
        "NEAR(falls clinic)",
        "falls NEAR clinic",
        "*",
        "falls*",
        ":",
        "title:falls",
        "-",
        "--",
        "- -",
        "^falls",
        "AND",
        "OR NOT",
        "falls OR",
        "' OR '1'='1",
        "\\",
        "%",
        "_",
        "{}[]",
        "\u{E000}\u{E001}",
        "é\u{301}",
        "🙂 falls",
        "a:b:c",
        "\"unterminated",
    ] {
        let (status, _, body) = app
            .get(
                &format!("/api/v1/submissions?mine=true&{}", q(text)),
                Some(&author.token),
            )
            .await;
        assert!(
            status == StatusCode::OK || status == StatusCode::UNPROCESSABLE_ENTITY,
            "{text:?}: {status} {body}"
        );
    }
    let (status, _, _) = app
        .get(
            "/api/v1/submissions?mine=true&q=falls%00",
            Some(&author.token),
        )
        .await;
    assert!(status.is_client_error(), "NUL: {status}");
    assert_eq!(ids(&search(&app, &author.token, &q("50%")).await).len(), 1);
    let (status, _, problem) = app
        .get(
            &format!("/api/v1/submissions?{}", q(&"a".repeat(201))),
            Some(&author.token),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
}

#[tokio::test]
async fn search_keeps_to_what_the_caller_may_see() {
    let app = spawn_app().await;
    let author = app.member().await;
    let other = app.member().await;
    draft(
        &app,
        &author,
        "Vocational rehab secret",
        "Plain.",
        "Start small",
    )
    .await;

    let (status, _, page) = app
        .get(
            &format!("/api/v1/submissions?{}", q("vocational")),
            Some(&other.token),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(ids(&page).is_empty(), "another's draft is never found");
}

async fn publish(app: &TestApp, author: &TestMember, reviewer: &TestMember, body: Value) -> String {
    app.published(author, reviewer, &body).await
}

#[tokio::test]
async fn related_work_is_published_visible_and_never_itself() {
    let app = spawn_app().await;
    let author = app.member().await;
    let reviewer = app.reviewer().await;
    let reader = app.member().await;
    let mut source = case_study("Stroke rehabilitation at home");
    source["practice_areas"] = json!(["neurological_practice"]);
    let source_id = publish(&app, &author, &reviewer, source.clone()).await;
    let mut close = case_study("Stroke rehabilitation in the community");
    close["practice_areas"] = json!(["neurological_practice"]);
    let close_id = publish(&app, &author, &reviewer, close.clone()).await;
    let far_id = publish(
        &app,
        &author,
        &reviewer,
        case_study("Schools sensory rooms"),
    )
    .await;
    // A draft just like the source: its author's own, never anyone's related work.
    let hidden = app.create_submission(&author.token, &close).await["id"]
        .as_str()
        .expect("draft")
        .to_owned();

    let (status, _, related) = app
        .get(
            &format!("/api/v1/submissions/{source_id}/related"),
            Some(&reader.token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{related}");
    let found = ids(&related);
    assert_eq!(found.first(), Some(&close_id), "{related}");
    assert!(
        found.contains(&far_id),
        "a shared priority still relates: {related}"
    );
    assert!(!found.contains(&source_id));
    assert!(!found.contains(&hidden));

    let (status, _, _) = app
        .get(
            &format!("/api/v1/submissions/{hidden}/related"),
            Some(&reader.token),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "an invisible source is 404");
    let (status, _, own) = app
        .get(
            &format!("/api/v1/submissions/{hidden}/related?limit=1"),
            Some(&author.token),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ids(&own).len(), 1);
    assert!(!ids(&own).contains(&hidden));
    for bad in ["0", "21", "x"] {
        let (status, _, problem) = app
            .get(
                &format!("/api/v1/submissions/{source_id}/related?limit={bad}"),
                Some(&reader.token),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert_eq!(problem["errors"][0]["field"], "limit");
    }
}

#[tokio::test]
async fn an_edit_and_a_delete_keep_the_index_in_step() {
    let app = spawn_app().await;
    let author = app.member().await;
    let id = draft(&app, &author, "Frailty hub", "Plain.", "Start small").await;
    assert_eq!(
        ids(&search(&app, &author.token, &q("frailty")).await),
        vec![id.clone()]
    );

    let (status, _, changed) = app
        .send(
            app.request(
                reqwest::Method::PATCH,
                &format!("/api/v1/submissions/{id}"),
                Some(&author.token),
            )
            .header("If-Match", "\"1\"")
            .json(&json!({"title": "Discharge hub"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert!(ids(&search(&app, &author.token, &q("frailty")).await).is_empty());
    assert_eq!(
        ids(&search(&app, &author.token, &q("discharge")).await),
        vec![id.clone()]
    );

    let (status, _, _) = app
        .send(
            app.request(
                reqwest::Method::DELETE,
                &format!("/api/v1/submissions/{id}"),
                Some(&author.token),
            )
            .header("If-Match", "\"2\""),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(ids(&search(&app, &author.token, &q("discharge")).await).is_empty());
}

#[tokio::test]
async fn more_matches_than_are_ranked_list_the_newest_each_once_and_rare_words_still_find_old_work()
{
    // More matches than the search ranks: PostgreSQL finds them by testing
    // the newest rows one by one; a word only the oldest work holds is found
    // through the index instead. Either way the newest matches, each once.
    use domain::submission::search::SEARCH_CANDIDATES;
    let app = spawn_app().await;
    let author = app.member().await;
    let mut oldest = Vec::new();
    for n in 0..3 {
        let title = format!("Gait clinic {n}");
        oldest.push(
            draft(
                &app,
                &author,
                &title,
                "Balance and gait.",
                "Ergonomics audit",
            )
            .await,
        );
    }
    let newer_count = SEARCH_CANDIDATES as usize + 5;
    let mut newer = std::collections::HashSet::new();
    for chunk in (0..newer_count).collect::<Vec<_>>().chunks(16) {
        let made = futures_util::future::join_all(chunk.iter().map(|n| {
            let title = format!("Gait group {n}");
            let author = &author;
            let app = &app;
            async move { draft(app, author, &title, "Balance and gait.", "Start small").await }
        }))
        .await;
        newer.extend(made);
    }
    assert_eq!(newer.len(), newer_count);

    let mut paged = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let query = match &cursor {
            Some(c) => format!("{}&limit=100&cursor={c}", q("gait")),
            None => format!("{}&limit=100", q("gait")),
        };
        let page = search(&app, &author.token, &query).await;
        paged.extend(ids(&page));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
        assert!(paged.len() <= newer_count, "paging never ends");
    }
    assert_eq!(
        paged.len(),
        SEARCH_CANDIDATES as usize,
        "the newest matches are ranked"
    );
    let distinct: std::collections::HashSet<&String> = paged.iter().collect();
    assert_eq!(distinct.len(), paged.len(), "each match once");
    assert!(
        paged.iter().all(|id| newer.contains(id)),
        "older matches give way to the newest"
    );

    let mut rare = ids(&search(
        &app,
        &author.token,
        &format!("{}&limit=100", q("ergonomics")),
    )
    .await);
    rare.sort();
    oldest.sort();
    assert_eq!(rare, oldest, "a word only old work holds still finds it");
}
