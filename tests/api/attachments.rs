use async_trait::async_trait;
use domain::SubmissionId;
use domain::attachment::{
    AttachError, Attachment, AttachmentId, AttachmentLimits, AttachmentRepository, FileStore,
    FileStoreError, NewAttachment, Removal, StorageKey,
};
use domain::audit::AuditEntry;
use domain::repository::{StorageError, WriteError};
use hub_tests::Answer;
use hub_tests::multipart::{BOUNDARY, Part, file_part, form, pdf, text_part};
use hub_tests::{TestApp, case_study, spawn_app, spawn_app_changed, spawn_app_with};
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use sha2::Digest;
use std::ops::Range;
use std::sync::Arc;

fn png() -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    png.extend(std::iter::repeat_n(7u8, 500));
    png
}

/// A Windows executable's first bytes.
fn exe() -> Vec<u8> {
    let mut exe = b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0\xb8\0".to_vec();
    exe.extend(std::iter::repeat_n(0u8, 400));
    exe
}

fn attachments_path(submission: &str) -> String {
    format!("/api/v1/submissions/{submission}/attachments")
}

async fn upload_form(
    app: &TestApp,
    token: &str,
    submission: &str,
    parts: Vec<Part<'_>>,
) -> (StatusCode, HeaderMap, Value) {
    app.send(
        app.request(Method::POST, &attachments_path(submission), Some(token))
            .header(
                "content-type",
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .body(form(parts)),
    )
    .await
}

async fn upload(
    app: &TestApp,
    token: &str,
    submission: &str,
    file_name: &str,
    bytes: Vec<u8>,
) -> (StatusCode, HeaderMap, Value) {
    upload_form(
        app,
        token,
        submission,
        vec![file_part(file_name, "application/octet-stream", bytes)],
    )
    .await
}

/// Uploads a file that must be accepted; returns its id.
async fn attach(
    app: &TestApp,
    token: &str,
    submission: &str,
    name: &str,
    bytes: Vec<u8>,
) -> String {
    let (status, _, body) = upload(app, token, submission, name, bytes).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["id"].as_str().unwrap().to_owned()
}

async fn download(
    app: &TestApp,
    token: &str,
    submission: &str,
    attachment: &str,
    headers: &[(&str, &str)],
) -> (StatusCode, HeaderMap, Vec<u8>) {
    let mut request = app.request(
        Method::GET,
        &format!("{}/{attachment}", attachments_path(submission)),
        Some(token),
    );
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request
        .send()
        .await
        .unwrap_or_else(|e| panic!("download: {e}"));
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.bytes().await.unwrap().to_vec();
    (status, headers, bytes)
}

async fn draft(app: &TestApp, token: &str) -> String {
    let created = app
        .create_submission(token, &case_study("Falls poster"))
        .await;
    created["id"].as_str().unwrap().to_owned()
}

async fn stored_keys(app: &TestApp, submission: &str) -> Vec<String> {
    let id = SubmissionId(submission.parse().unwrap());
    app.files
        .keys(&StorageKey::prefix_of(id))
        .await
        .unwrap_or_else(|e| panic!("keys: {e}"))
        .into_iter()
        .map(|k| k.as_str().to_owned())
        .collect()
}

fn names(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| i["name"].as_str().map(str::to_owned))
        .collect()
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers.get(name).and_then(|v| v.to_str().ok()).unwrap()
}

/// Sets the status directly, as a reviewer's decision would (reviews are not on this branch).
async fn set_status(app: &TestApp, submission: &str, status: &str) {
    use sea_orm::ConnectionTrait;
    use sea_orm::sea_query::{Expr, ExprTrait, Query};
    let db = persistence::connect(&app.database_url, 1)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let id: uuid::Uuid = submission.parse().unwrap();
    let update = Query::update()
        .table("submissions")
        .value("status", status)
        .and_where(Expr::col("id").eq(id))
        .to_owned();
    db.connection
        .execute(&update)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    app.read_cache.forget_all();
}

#[tokio::test]
async fn an_upload_lists_and_downloads_byte_for_byte_with_its_sha256() {
    let app = spawn_app().await;
    let author = app.member().await;
    let id = draft(&app, &author.token).await;
    let poster = pdf();

    let (status, headers, created) = upload_form(
        &app,
        &author.token,
        &id,
        vec![
            file_part(
                "C:\\posters\\../Falls poster.pdf",
                "application/pdf",
                poster.clone(),
            ),
            text_part("caption", "  Poster for the regional conference "),
        ],
    )
    .await;
    let (list_status, _, list) = app.get(&attachments_path(&id), Some(&author.token)).await;
    let aid = created["id"].as_str().unwrap();
    let (got, got_headers, bytes) = download(&app, &author.token, &id, aid, &[]).await;

    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(
        header(&headers, "location"),
        format!("{}/{aid}", attachments_path(&id))
    );
    assert_eq!(created["name"], "Falls poster.pdf");
    assert_eq!(created["media_type"], "application/pdf");
    assert_eq!(created["size_bytes"], poster.len());
    assert_eq!(created["caption"], "Poster for the regional conference");
    assert!(created["uploaded_at"].is_string());
    assert_eq!(list_status, StatusCode::OK);
    assert_eq!(list["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(list["items"][0], created);
    assert_eq!(list["total_bytes"], poster.len());
    assert_eq!(got, StatusCode::OK);
    assert_eq!(bytes, poster);
    let sha256 = hex::encode(sha2::Sha256::digest(&bytes));
    assert_eq!(created["sha256"], sha256.as_str());
    assert_eq!(header(&got_headers, "etag"), format!("\"{sha256}\""));
    assert_eq!(header(&got_headers, "content-type"), "application/pdf");
    assert_eq!(
        header(&got_headers, "content-disposition"),
        "attachment; filename=\"Falls poster.pdf\"; filename*=UTF-8''Falls%20poster.pdf"
    );
    assert_eq!(header(&got_headers, "x-content-type-options"), "nosniff");
    assert_eq!(header(&got_headers, "accept-ranges"), "bytes");
    assert_eq!(stored_keys(&app, &id).await.len(), 1);
}

#[tokio::test]
async fn range_requests_return_exactly_the_bytes_asked_for() {
    let app = spawn_app().await;
    let author = app.member().await;
    let id = draft(&app, &author.token).await;
    let text: Vec<u8> = (0..100).map(|i| b'a' + (i % 26) as u8).collect();
    let aid = attach(&app, &author.token, &id, "notes.txt", text.clone()).await;
    let (_, whole_headers, _) = download(&app, &author.token, &id, &aid, &[]).await;
    let tag = header(&whole_headers, "etag").to_owned();

    let (middle, middle_headers, middle_bytes) =
        download(&app, &author.token, &id, &aid, &[("range", "bytes=10-19")]).await;
    let (tail, tail_headers, tail_bytes) =
        download(&app, &author.token, &id, &aid, &[("range", "bytes=-5")]).await;
    let (past, past_headers, _) =
        download(&app, &author.token, &id, &aid, &[("range", "bytes=200-")]).await;
    let (stale, _, stale_bytes) = download(
        &app,
        &author.token,
        &id,
        &aid,
        &[("range", "bytes=0-1"), ("if-range", "\"something-else\"")],
    )
    .await;
    let (cached, _, _) = download(&app, &author.token, &id, &aid, &[("if-none-match", &tag)]).await;

    assert_eq!(middle, StatusCode::PARTIAL_CONTENT);
    assert_eq!(header(&middle_headers, "content-range"), "bytes 10-19/100");
    assert_eq!(middle_bytes, text[10..20]);
    assert_eq!(tail, StatusCode::PARTIAL_CONTENT);
    assert_eq!(header(&tail_headers, "content-range"), "bytes 95-99/100");
    assert_eq!(tail_bytes, text[95..]);
    assert_eq!(past, StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(header(&past_headers, "content-range"), "bytes */100");
    assert_eq!(
        header(&past_headers, "content-type"),
        "application/problem+json"
    );
    assert_eq!(stale, StatusCode::OK);
    assert_eq!(stale_bytes, text);
    assert_eq!(cached, StatusCode::NOT_MODIFIED);
}

#[tokio::test]
async fn files_are_exactly_as_visible_as_their_submission() {
    let app = spawn_app().await;
    let author = app.member().await;
    let stranger = app.member().await;
    let reviewer = app.reviewer().await;
    let id = draft(&app, &author.token).await;
    let aid = attach(&app, &author.token, &id, "poster.png", png()).await;
    let file_path = format!("{}/{aid}", attachments_path(&id));

    let (stranger_list, _, stranger_body) =
        app.get(&attachments_path(&id), Some(&stranger.token)).await;
    let (stranger_get, _, _) = download(&app, &stranger.token, &id, &aid, &[]).await;
    let (stranger_upload, _, _) = upload(&app, &stranger.token, &id, "x.png", png()).await;
    let (stranger_delete, _, _) = app.delete(&file_path, Some(&stranger.token)).await;
    let (reviewer_draft, _, _) = download(&app, &reviewer.token, &id, &aid, &[]).await;
    app.submit(&author.token, &id)
        .await
        .expect_status(StatusCode::OK);
    let (reviewer_list, _, reviewer_body) =
        app.get(&attachments_path(&id), Some(&reviewer.token)).await;
    let (reviewer_get, _, reviewer_bytes) = download(&app, &reviewer.token, &id, &aid, &[]).await;
    let (reviewer_upload, _, _) = upload(&app, &reviewer.token, &id, "x.png", png()).await;
    let (stranger_submitted, _, _) = download(&app, &stranger.token, &id, &aid, &[]).await;
    let (anonymous, _, _) = app.get(&attachments_path(&id), None).await;

    assert_eq!(stranger_list, StatusCode::NOT_FOUND);
    assert_eq!(stranger_body["code"], "not_found");
    assert_eq!(stranger_get, StatusCode::NOT_FOUND);
    assert_eq!(stranger_upload, StatusCode::NOT_FOUND);
    assert_eq!(stranger_delete, StatusCode::NOT_FOUND);
    assert_eq!(reviewer_draft, StatusCode::NOT_FOUND);
    assert_eq!(reviewer_list, StatusCode::OK);
    assert_eq!(names(&reviewer_body), ["poster.png"]);
    assert_eq!(reviewer_get, StatusCode::OK);
    assert_eq!(reviewer_bytes, png());
    assert_eq!(reviewer_upload, StatusCode::FORBIDDEN);
    assert_eq!(stranger_submitted, StatusCode::NOT_FOUND);
    assert_eq!(anonymous, StatusCode::UNAUTHORIZED);
    assert_eq!(stored_keys(&app, &id).await.len(), 1);
}

#[tokio::test]
async fn a_renamed_executable_is_refused_by_its_content() {
    let app = spawn_app().await;
    let author = app.member().await;
    let id = draft(&app, &author.token).await;

    let (exe_status, exe_headers, exe_body) = upload_form(
        &app,
        &author.token,
        &id,
        vec![file_part("report.pdf", "application/pdf", exe())],
    )
    .await;
    let (page_status, _, page_body) = upload(
        &app,
        &author.token,
        &id,
        "notes.txt",
        b"<!DOCTYPE html><html><script>fetch('/api/v1/members/me')</script>".to_vec(),
    )
    .await;
    let (zip_status, _, zip_body) = upload(
        &app,
        &author.token,
        &id,
        "slides.pptx",
        b"PK\x03\x04\x14\0\0\0\0\0payload.exe".to_vec(),
    )
    .await;
    let (_, _, list) = app.get(&attachments_path(&id), Some(&author.token)).await;

    assert_eq!(exe_status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{exe_body}");
    assert_eq!(
        header(&exe_headers, "content-type"),
        "application/problem+json"
    );
    assert_eq!(exe_body["code"], "unsupported_file_type");
    assert!(
        exe_body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("PDF, PNG, JPEG"))
    );
    assert_eq!(page_status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(page_body["code"], "unsupported_file_type");
    assert_eq!(zip_status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(zip_body["code"], "unsupported_file_type");
    assert_eq!(names(&list), Vec::<String>::new());
    assert!(stored_keys(&app, &id).await.is_empty());
}

#[tokio::test]
async fn oversized_uploads_are_refused_with_413_and_nothing_is_stored() {
    let app = spawn_app_with(&[("HUB_MAX_FILE_BYTES", "2048")]).await;
    let author = app.member().await;
    let id = draft(&app, &author.token).await;
    let big = pdf();
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = form(vec![file_part(
        "big.pdf",
        "application/pdf",
        big.repeat(100),
    )])
    .chunks(4096)
    .map(|c| Ok(c.to_vec()))
    .collect();

    let (declared, _, declared_body) = upload(&app, &author.token, &id, "big.pdf", big).await;
    let (streamed, _, streamed_body) = app
        .send(
            app.request(Method::POST, &attachments_path(&id), Some(&author.token))
                .header(
                    "content-type",
                    format!("multipart/form-data; boundary={BOUNDARY}"),
                )
                .body(reqwest::Body::wrap_stream(futures_util::stream::iter(
                    chunks,
                ))),
        )
        .await;
    let (small, _, _) = upload(&app, &author.token, &id, "small.png", png()).await;

    assert_eq!(declared, StatusCode::PAYLOAD_TOO_LARGE, "{declared_body}");
    assert_eq!(declared_body["code"], "file_too_large");
    assert!(
        declared_body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("2048"))
    );
    assert_eq!(streamed, StatusCode::PAYLOAD_TOO_LARGE, "{streamed_body}");
    assert_eq!(streamed_body["code"], "file_too_large");
    assert_eq!(small, StatusCode::CREATED);
    assert_eq!(stored_keys(&app, &id).await.len(), 1);
}

#[tokio::test]
async fn a_submission_cannot_hold_more_than_its_limit() {
    let app = spawn_app_with(&[
        ("HUB_MAX_FILE_BYTES", "2048"),
        ("HUB_MAX_SUBMISSION_BYTES", "4096"),
    ])
    .await;
    let author = app.member().await;
    let id = draft(&app, &author.token).await;
    let chunk = |n: usize| "x,y\n".repeat(n / 4).into_bytes();

    let (first, _, _) = upload(&app, &author.token, &id, "a.csv", chunk(2000)).await;
    let (second, _, _) = upload(&app, &author.token, &id, "b.csv", chunk(2000)).await;
    let (third, _, third_body) = upload(&app, &author.token, &id, "c.csv", chunk(400)).await;
    let (_, _, list) = app.get(&attachments_path(&id), Some(&author.token)).await;

    assert_eq!(first, StatusCode::CREATED);
    assert_eq!(second, StatusCode::CREATED);
    assert_eq!(third, StatusCode::PAYLOAD_TOO_LARGE, "{third_body}");
    assert_eq!(third_body["code"], "submission_storage_full");
    assert_eq!(names(&list), ["a.csv", "b.csv"]);
    assert_eq!(list["items"][0]["media_type"], "text/csv");
    assert_eq!(list["max_submission_bytes"], 4096);
    assert_eq!(stored_keys(&app, &id).await.len(), 2);
}

#[tokio::test]
async fn a_member_cannot_store_more_than_their_quota_across_submissions() {
    let app = spawn_app_with(&[
        ("HUB_MAX_FILE_BYTES", "2048"),
        ("HUB_ATTACHMENT_QUOTA_BYTES", "5000"),
    ])
    .await;
    let author = app.member().await;
    let other = app.member().await;
    let first = draft(&app, &author.token).await;
    let second = draft(&app, &author.token).await;
    let theirs = draft(&app, &other.token).await;
    let chunk = |n: usize| "x,y\n".repeat(n / 4).into_bytes();

    let (a, _, _) = upload(&app, &author.token, &first, "a.csv", chunk(2000)).await;
    let (b, _, _) = upload(&app, &author.token, &second, "b.csv", chunk(2000)).await;
    let (c, _, refused) = upload(&app, &author.token, &second, "c.csv", chunk(1200)).await;
    let (fits, _, _) = upload(&app, &author.token, &second, "d.csv", chunk(1000)).await;
    let (another_member, _, _) = upload(&app, &other.token, &theirs, "e.csv", chunk(2000)).await;

    assert_eq!(a, StatusCode::CREATED);
    assert_eq!(b, StatusCode::CREATED);
    assert_eq!(c, StatusCode::PAYLOAD_TOO_LARGE, "{refused}");
    assert_eq!(refused["code"], "quota_exceeded", "{refused}");
    assert_eq!(refused["used_bytes"], 4000, "{refused}");
    assert_eq!(refused["allowed_bytes"], 5000, "{refused}");
    assert_eq!(fits, StatusCode::CREATED, "exactly up to the quota");
    assert_eq!(
        another_member,
        StatusCode::CREATED,
        "each member has their own"
    );
    assert_eq!(
        stored_keys(&app, &second).await.len(),
        2,
        "the refused file was not kept"
    );
}

#[tokio::test]
async fn concurrent_uploads_cannot_pass_the_quota_together() {
    let app = spawn_app_with(&[
        ("HUB_MAX_FILE_BYTES", "2048"),
        ("HUB_ATTACHMENT_QUOTA_BYTES", "4096"),
    ])
    .await;
    let author = app.member().await;
    let mut drafts = Vec::new();
    for _ in 0..4 {
        drafts.push(draft(&app, &author.token).await);
    }
    let chunk = "x,y\n".repeat(500).into_bytes();

    let answers = futures_util::future::join_all(
        drafts
            .iter()
            .map(|id| upload(&app, &author.token, id, "q.csv", chunk.clone())),
    )
    .await;

    let created = answers
        .iter()
        .filter(|(status, _, _)| *status == StatusCode::CREATED)
        .count();
    assert_eq!(created, 2, "two 2000-byte files fit in 4096: {answers:?}");
    assert!(answers.iter().all(
        |(status, _, body)| *status == StatusCode::CREATED || body["code"] == "quota_exceeded"
    ));
}

#[tokio::test]
async fn uploads_and_removals_are_audited_with_actor_target_and_time() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let author = app.member().await;
    let id = draft(&app, &author.token).await;
    let (status, _, file) = upload(&app, &author.token, &id, "a.csv", b"x,y\n".to_vec()).await;
    assert_eq!(status, StatusCode::CREATED, "{file}");
    let file_id = file["id"]
        .as_str()
        .expect("the test expected this value to be present");
    let (removed, _, _) = app
        .delete(
            &format!("{}/{file_id}", attachments_path(&id)),
            Some(&author.token),
        )
        .await;
    assert_eq!(removed, StatusCode::NO_CONTENT);

    let audit = app
        .get(&format!("/api/v1/audit?target_id={id}"), Some(&admin.token))
        .await
        .expect_status(StatusCode::OK);

    let entries: Vec<&Value> = audit["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["action"] == "attachment_uploaded" || e["action"] == "attachment_removed")
        .collect();
    assert_eq!(entries.len(), 2, "{audit}");
    assert_eq!(entries[0]["action"], "attachment_removed");
    for entry in entries {
        assert_eq!(entry["actor_id"], author.id.to_string().as_str());
        assert_eq!(entry["target_type"], "submission");
        assert!(entry["at"].is_string());
        assert_eq!(entry["details"]["attachment_id"], file_id);
    }
}

/// Records nothing: every insert fails as a crashed transaction would.
struct FailingInserts(Arc<dyn AttachmentRepository>);

#[async_trait]
impl AttachmentRepository for FailingInserts {
    async fn create(
        &self,
        _: NewAttachment,
        _: AttachmentLimits,
        _: &AuditEntry,
    ) -> Result<Attachment, AttachError> {
        Err(AttachError::Storage(StorageError(
            "the transaction was rolled back".into(),
        )))
    }
    async fn list_current(&self, s: SubmissionId) -> Result<Vec<Attachment>, StorageError> {
        self.0.list_current(s).await
    }
    async fn list_for_revision(
        &self,
        s: SubmissionId,
        r: i32,
    ) -> Result<Option<Vec<Attachment>>, StorageError> {
        self.0.list_for_revision(s, r).await
    }
    async fn get(
        &self,
        s: SubmissionId,
        a: AttachmentId,
    ) -> Result<Option<Attachment>, StorageError> {
        self.0.get(s, a).await
    }
    async fn current_total(&self, s: SubmissionId) -> Result<u64, StorageError> {
        self.0.current_total(s).await
    }
    async fn remove(
        &self,
        s: SubmissionId,
        a: AttachmentId,
        audit: &AuditEntry,
    ) -> Result<Removal, WriteError> {
        self.0.remove(s, a, audit).await
    }
}

#[tokio::test]
async fn a_failed_row_insert_leaves_no_file_behind() {
    let app = spawn_app_changed(&[], |mut state| {
        state.attachments = Arc::new(FailingInserts(state.attachments.clone()));
        state
    })
    .await;
    let author = app.member().await;
    let id = draft(&app, &author.token).await;

    let (status, headers, body) = upload(&app, &author.token, &id, "poster.pdf", pdf()).await;
    let (_, _, list) = app.get(&attachments_path(&id), Some(&author.token)).await;

    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(header(&headers, "content-type"), "application/problem+json");
    assert_eq!(body["code"], "internal_error");
    assert_eq!(names(&list), Vec::<String>::new());
    assert!(stored_keys(&app, &id).await.is_empty());
}

/// A store whose writes always fail, as a full disk or an unreachable bucket would.
struct FailingWrites(Arc<dyn FileStore>);

#[async_trait]
impl FileStore for FailingWrites {
    async fn put(&self, _: &StorageKey, _: bytes::Bytes) -> Result<(), FileStoreError> {
        Err(FileStoreError::Other("no space left on device".into()))
    }
    async fn get(
        &self,
        k: &StorageKey,
        r: Option<Range<u64>>,
    ) -> Result<bytes::Bytes, FileStoreError> {
        self.0.get(k, r).await
    }
    async fn delete(&self, k: &StorageKey) -> Result<(), FileStoreError> {
        self.0.delete(k).await
    }
    async fn keys(&self, prefix: &str) -> Result<Vec<StorageKey>, FileStoreError> {
        self.0.keys(prefix).await
    }
}

#[tokio::test]
async fn a_failed_file_write_records_no_row() {
    let app = spawn_app_changed(&[], |mut state| {
        state.files = Arc::new(FailingWrites(state.files.clone()));
        state
    })
    .await;
    let author = app.member().await;
    let id = draft(&app, &author.token).await;

    let (status, _, _) = upload(&app, &author.token, &id, "poster.pdf", pdf()).await;
    let (_, _, list) = app.get(&attachments_path(&id), Some(&author.token)).await;

    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(names(&list), Vec::<String>::new());
    assert!(stored_keys(&app, &id).await.is_empty());
}

#[tokio::test]
async fn deleting_a_draft_deletes_its_files() {
    let app = spawn_app().await;
    let author = app.member().await;
    let id = draft(&app, &author.token).await;
    let other = draft(&app, &author.token).await;
    attach(&app, &author.token, &id, "poster.pdf", pdf()).await;
    attach(&app, &author.token, &id, "chart.png", png()).await;
    attach(&app, &author.token, &other, "kept.png", png()).await;
    let before = stored_keys(&app, &id).await.len();

    let (status, _, _) = app
        .delete(&format!("/api/v1/submissions/{id}"), Some(&author.token))
        .await;

    assert_eq!(before, 2);
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(stored_keys(&app, &id).await.is_empty());
    assert_eq!(stored_keys(&app, &other).await.len(), 1);
}

#[tokio::test]
async fn a_revision_keeps_the_files_it_contained_after_the_author_removes_them() {
    let app = spawn_app().await;
    let author = app.member().await;
    let id = draft(&app, &author.token).await;
    let poster = attach(&app, &author.token, &id, "poster.pdf", pdf()).await;
    let chart = attach(&app, &author.token, &id, "chart.png", png()).await;
    let (submitted, _) = app.submit(&author.token, &id).await;
    let (locked, _, locked_body) = app
        .delete(
            &format!("{}/{poster}", attachments_path(&id)),
            Some(&author.token),
        )
        .await;
    set_status(&app, &id, "changes_requested").await;
    let draft_only = attach(
        &app,
        &author.token,
        &id,
        "notes.txt",
        b"Second thoughts".to_vec(),
    )
    .await;

    let (removed, _, _) = app
        .delete(
            &format!("{}/{poster}", attachments_path(&id)),
            Some(&author.token),
        )
        .await;
    let (deleted, _, _) = app
        .delete(
            &format!("{}/{draft_only}", attachments_path(&id)),
            Some(&author.token),
        )
        .await;
    let (again, _, _) = app
        .delete(
            &format!("{}/{poster}", attachments_path(&id)),
            Some(&author.token),
        )
        .await;
    let (_, _, current) = app.get(&attachments_path(&id), Some(&author.token)).await;
    let (_, _, first) = app
        .get(
            &format!("{}?revision=1", attachments_path(&id)),
            Some(&author.token),
        )
        .await;
    let (missing, _, _) = app
        .get(
            &format!("{}?revision=2", attachments_path(&id)),
            Some(&author.token),
        )
        .await;
    let (kept, _, kept_bytes) = download(&app, &author.token, &id, &poster, &[]).await;
    let (gone, _, _) = download(&app, &author.token, &id, &draft_only, &[]).await;

    assert_eq!(submitted, StatusCode::OK);
    assert_eq!(locked, StatusCode::CONFLICT);
    assert_eq!(locked_body["code"], "not_editable");
    assert_eq!(removed, StatusCode::NO_CONTENT);
    assert_eq!(deleted, StatusCode::NO_CONTENT);
    assert_eq!(again, StatusCode::NOT_FOUND);
    assert_eq!(names(&current), ["chart.png"]);
    assert_eq!(names(&first), ["poster.pdf", "chart.png"]);
    assert!(first["items"][0]["removed_at"].is_string());
    assert!(first["items"][1].get("removed_at").is_none());
    assert_eq!(first["items"][1]["id"], chart.as_str());
    assert_eq!(missing, StatusCode::NOT_FOUND);
    assert_eq!(kept, StatusCode::OK);
    assert_eq!(kept_bytes, pdf());
    assert_eq!(gone, StatusCode::NOT_FOUND);
    assert_eq!(stored_keys(&app, &id).await.len(), 2);
}

#[tokio::test]
async fn uploads_need_an_editable_submission_and_a_well_formed_form() {
    let app = spawn_app().await;
    let author = app.member().await;
    let id = draft(&app, &author.token).await;
    let submitted = draft(&app, &author.token).await;
    app.submit(&author.token, &submitted)
        .await
        .expect_status(StatusCode::OK);

    let (no_file, _, no_file_body) = upload_form(
        &app,
        &author.token,
        &id,
        vec![text_part("caption", "just words")],
    )
    .await;
    let (empty, _, empty_body) = upload(&app, &author.token, &id, "empty.pdf", Vec::new()).await;
    let (unknown, _, unknown_body) = upload_form(
        &app,
        &author.token,
        &id,
        vec![
            file_part("a.png", "image/png", png()),
            text_part("owner", "someone"),
        ],
    )
    .await;
    let (long_caption, _, long_body) = upload_form(
        &app,
        &author.token,
        &id,
        vec![
            file_part("a.png", "image/png", png()),
            text_part("caption", &"c".repeat(501)),
        ],
    )
    .await;
    let (json, _, _) = app
        .post(
            &attachments_path(&id),
            Some(&author.token),
            &serde_json::json!({"file": "x"}),
        )
        .await;
    let (locked, _, locked_body) = upload(&app, &author.token, &submitted, "a.png", png()).await;

    assert_eq!(no_file, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(no_file_body["errors"][0]["field"], "file");
    assert_eq!(empty, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(empty_body["errors"][0]["code"], "empty");
    assert_eq!(unknown, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(unknown_body["errors"][0]["field"], "owner");
    assert_eq!(long_caption, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(long_body["errors"][0]["field"], "caption");
    assert_eq!(json, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(locked, StatusCode::CONFLICT);
    assert_eq!(locked_body["current_status"], "submitted");
    assert!(stored_keys(&app, &id).await.is_empty());
    assert!(stored_keys(&app, &submitted).await.is_empty());
}

#[tokio::test]
async fn the_embedded_default_keeps_files_in_a_folder() {
    let dir = std::env::temp_dir().join(format!("hub-files-{}", uuid::Uuid::new_v4().simple()));
    let dir_text = dir.display().to_string();
    let app = spawn_app_with(&[("HUB_STORAGE", "local"), ("HUB_STORAGE_DIR", &dir_text)]).await;
    let author = app.member().await;
    let id = draft(&app, &author.token).await;

    let aid = attach(&app, &author.token, &id, "poster.pdf", pdf()).await;
    let on_disk = std::fs::read(dir.join("submissions").join(&id).join(&aid));
    let (got, _, bytes) = download(&app, &author.token, &id, &aid, &[]).await;
    let (deleted, _, _) = app
        .delete(
            &format!("{}/{aid}", attachments_path(&id)),
            Some(&author.token),
        )
        .await;
    let after = dir.join("submissions").join(&id).join(&aid).exists();
    let _ = std::fs::remove_dir_all(&dir);

    assert!(on_disk.is_ok_and(|b| b == pdf()));
    assert_eq!(got, StatusCode::OK);
    assert_eq!(bytes, pdf());
    assert_eq!(deleted, StatusCode::NO_CONTENT);
    assert!(!after);
}
