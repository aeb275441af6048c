#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::fakes::{Hub, member};
use super::*;
use crate::actor::Context;
use crate::member::Role;
use crate::submission::{EvidenceSource, Status};
use uuid::Uuid;

fn service(hub: &Arc<Hub>) -> SubmissionService {
    SubmissionService::new(
        hub.clone(),
        hub.clone(),
        hub.clone(),
        Arc::new(Taxonomy::reference()),
    )
}

fn as_member(n: u128, role: Role) -> Context {
    Context::new(Actor::new(member(n), role), None)
}

#[test]
fn an_expected_version_resolves_against_what_is_stored() {
    assert_eq!(ExpectedVersion::Any.against(4), Some(4));
    assert_eq!(ExpectedVersion::OneOf(vec![3, 4]).against(4), Some(4));
    assert_eq!(ExpectedVersion::OneOf(vec![3]).against(4), Some(3));
    assert_eq!(ExpectedVersion::OneOf(vec![]).against(4), None);
}

#[tokio::test]
async fn drafts_of_others_are_as_if_they_did_not_exist() {
    let hub = Hub::new();
    let draft = hub.holds(member(1), Status::Draft);

    let by_admin = service(&hub)
        .visible(as_member(2, Role::Admin).actor, draft)
        .await;

    assert!(matches!(by_admin, Err(AccessError::NotFound)));
}

#[tokio::test]
async fn only_the_author_changes_their_work_and_only_while_it_is_editable() {
    let hub = Hub::new();
    let submitted = hub.holds(member(1), Status::Submitted);
    let published = hub.holds(member(1), Status::Published);
    let any = || Some(ExpectedVersion::Any);

    let by_author = service(&hub)
        .update(&as_member(1, Role::Member), submitted, any(), |c| c)
        .await;
    let by_other = service(&hub)
        .update(&as_member(2, Role::Member), published, any(), |c| c)
        .await;

    assert!(matches!(
        by_author,
        Err(UpdateError::NotEditable(Status::Submitted))
    ));
    assert!(matches!(
        by_other,
        Err(UpdateError::Access(AccessError::NotAuthor))
    ));
    assert!(hub.writes().is_empty());
}

#[tokio::test]
async fn a_change_needs_the_version_last_read() {
    let hub = Hub::new();
    let draft = hub.holds(member(1), Status::Draft);
    let ctx = as_member(1, Role::Member);
    let service = service(&hub);
    let update = |expected| service.update(&ctx, draft, expected, |c| c);

    let missing = update(None).await;
    let unnamed = update(Some(ExpectedVersion::OneOf(vec![]))).await;
    let stale = update(Some(ExpectedVersion::OneOf(vec![7]))).await;

    assert!(matches!(missing, Err(UpdateError::VersionRequired)));
    assert!(matches!(
        unnamed,
        Err(UpdateError::NotAVersion { stored: 1 })
    ));
    assert!(matches!(
        stale,
        Err(UpdateError::VersionMismatch { current: 1 })
    ));
    assert!(hub.writes().is_empty());
}

#[tokio::test]
async fn cited_work_must_be_published() {
    let hub = Hub::new();
    let unpublished = hub.holds(member(2), Status::Submitted);
    let mut content = Content::default();
    content.evidence_sources.push(EvidenceSource {
        citation: None,
        url: None,
        submission_id: Some(unpublished.0),
    });

    let created = service(&hub)
        .create(
            &as_member(1, Role::Member),
            SubmissionKind::CaseStudy,
            content,
            None,
        )
        .await;

    let Err(CreateError::Invalid(errors)) = created else {
        panic!("expected the citation to be refused");
    };
    assert!(
        errors
            .errors()
            .iter()
            .any(|e| e.field == "evidence_sources[0].submission_id"
                && e.code == "unknown_submission")
    );
    assert!(hub.writes().is_empty());
}

#[tokio::test]
async fn only_drafts_are_deleted_and_the_rest_must_be_withdrawn() {
    let hub = Hub::new();
    let submitted = hub.holds(member(1), Status::Submitted);

    let deleted = service(&hub)
        .delete_draft(&as_member(1, Role::Member), submitted, None)
        .await;

    assert!(matches!(
        deleted,
        Err(DeleteError::NotADraft(Status::Submitted))
    ));
}

#[tokio::test]
async fn the_lifecycle_refuses_what_it_does_not_allow_naming_the_status() {
    let hub = Hub::new();
    let published = hub.holds(member(1), Status::Published);

    let withdrawn = service(&hub)
        .withdraw(&as_member(1, Role::Member), published, None)
        .await;

    assert!(matches!(
        withdrawn,
        Err(TransitionError::Illegal {
            current: Status::Published,
            ..
        })
    ));
}

#[tokio::test]
async fn a_comment_is_checked_before_anything_is_read() {
    let hub = Hub::new();

    let submitted = service(&hub)
        .submit(
            &as_member(1, Role::Member),
            SubmissionId(Uuid::nil()),
            Some("x".repeat(2_001)),
        )
        .await;

    assert!(matches!(submitted, Err(TransitionError::Invalid(_))));
}

#[tokio::test]
async fn history_is_for_the_author_reviewers_and_admins() {
    let hub = Hub::new();
    let published = hub.holds(member(1), Status::Published);

    let by_member = service(&hub)
        .history(&as_member(2, Role::Member), published)
        .await;
    let by_reviewer = service(&hub)
        .history(&as_member(3, Role::Reviewer), published)
        .await;

    assert!(matches!(by_member, Err(AccessError::NotInWorkflow)));
    assert!(by_reviewer.is_ok());
}

#[tokio::test]
async fn demographics_are_recorded_at_the_first_submit_only() {
    let hub = Hub::new();
    let id = hub.holds(member(1), Status::Draft);
    hub.change(id, |s| {
        s.content.title = "Title".into();
        s.content.summary = "Summary".into();
        s.content.sections.context = Some("Context".into());
        s.content.sections.approach = Some("Approach".into());
        s.content.sections.outcomes = Some("Outcomes".into());
        s.content.sections.learning = Some("Learning".into());
        s.content.priorities = vec!["value_and_impact".into()];
    });
    let author = as_member(1, Role::Member);

    service(&hub).submit(&author, id, None).await.unwrap();
    assert_eq!(hub.recorded_demographics(), vec![id]);

    hub.change(id, |s| s.status = Status::ChangesRequested);
    service(&hub).submit(&author, id, None).await.unwrap();
    assert_eq!(
        hub.recorded_demographics(),
        vec![id],
        "a resubmission keeps the first record"
    );
}

#[tokio::test]
async fn related_work_is_the_most_alike_published_never_itself_nor_hidden() {
    let hub = Hub::new();
    let tag = |id: SubmissionId, areas: &[&str]| {
        hub.change(id, |s| {
            s.content.priorities = vec!["optimising_ot".into()];
            s.content.practice_areas = areas.iter().map(|a| (*a).to_owned()).collect();
        });
    };
    let source = hub.holds(member(1), Status::Published);
    tag(source, &["schools", "mental_health"]);
    let close = hub.holds(member(2), Status::Published);
    tag(close, &["schools", "mental_health"]);
    let far = hub.holds(member(2), Status::Published);
    tag(far, &[]);
    let hidden = hub.holds(member(2), Status::Draft);
    tag(hidden, &["schools", "mental_health"]);

    let related = service(&hub)
        .related(&as_member(3, Role::Member), source, 5)
        .await
        .unwrap();

    let ids: Vec<SubmissionId> = related.iter().map(|s| s.id).collect();
    assert_eq!(ids, vec![close, far]);
    let hidden_source = service(&hub)
        .related(&as_member(3, Role::Member), hidden, 5)
        .await;
    assert!(matches!(hidden_source, Err(AccessError::NotFound)));
}
