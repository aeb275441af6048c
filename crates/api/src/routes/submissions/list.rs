use crate::auth::Caller;
use crate::cache::PageKey;
use crate::dto::submission::{SubmissionPage, SubmissionSummary};
use crate::error::{ApiError, Problem};
use crate::state::AppState;
use actix_web::http::header::ContentType;
use actix_web::{HttpRequest, HttpResponse, get, web};
use bytes::Bytes;
use domain::ValidationErrors;
use domain::pagination::{Cursor, PageSize};
use domain::quarter::Quarter;
use domain::repository::{ListOrder, SubmissionFilter};
use domain::submission::EvidenceType;
use domain::submission::search::{QUERY_MAX_CHARS, QUERY_MAX_WORDS, QueryError, SearchQuery};
use domain::submission::use_cases::ListRequest;
use domain::taxonomy::{Taxonomy, Vocabulary};
use serde::Deserialize;
use utoipa::IntoParams;

/// Filters for the list; all combine.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// `improvement_journey`, `case_study`, `impact_example` or `business_case`.
    kind: Option<String>,
    /// A lifecycle status, e.g. `published`.
    status: Option<String>,
    /// A workforce priority code.
    priority: Option<String>,
    /// A practice area code.
    practice_area: Option<String>,
    /// `economic`, `social` or `experiential`.
    evidence_type: Option<String>,
    /// A topic code, e.g. `ai_digital_healthcare`.
    topic: Option<String>,
    /// A nation code.
    nation: Option<String>,
    /// A region code.
    region: Option<String>,
    /// First submitted in this quarter: `2025-Q3` or `FY2025-Q2`. Without
    /// `status` it lists exactly what the quarterly summary counts (left
    /// draft, not withdrawn), so an admin's item count equals the summary's
    /// `submissions` headline; with `status` (e.g. `withdrawn`) it lists what
    /// is in that status now.
    quarter: Option<String>,
    /// `true` for the caller's own work only.
    mine: Option<String>,
    /// Full-text search over the title, summary, sections, recommendations
    /// and tag labels, in web-search syntax: every word must match, stemmed
    /// (`fall` finds "falls" and "falling"); `"a quoted phrase"` matches
    /// those words in order; a leading `-` excludes a word or phrase
    /// (`falls -stroke`). Other punctuation only separates words (text with
    /// no word in it finds nothing). At most
    /// 200 characters and 10 words or phrases (more are ignored); at least
    /// one word not excluded. Results come most relevant first (a title
    /// match above a summary match above any other), then newest, relevance
    /// ranked among the 200 newest matches, which are all a search lists
    /// (narrow it to reach older work); each item carries `match`.
    #[param(example = "falls -stroke \"home hazard\"")]
    q: Option<String>,
    /// Page size, 1–100 (default 20).
    limit: Option<String>,
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
}

fn code(
    errors: &mut ValidationErrors,
    taxonomy: &Taxonomy,
    field: &str,
    vocabulary: Vocabulary,
    value: Option<String>,
) -> Option<String> {
    let value = value?;
    if taxonomy.contains(vocabulary, &value) {
        Some(value)
    } else {
        errors.push(taxonomy.unknown_code(field, vocabulary, &value));
        None
    }
}

fn parsed<T>(
    errors: &mut ValidationErrors,
    field: &str,
    value: Option<String>,
    message: &str,
    parse: impl Fn(&str) -> Option<T>,
) -> Option<T> {
    let value = value?;
    let result = parse(&value);
    if result.is_none() {
        errors.add(field, "invalid_value", message);
    }
    result
}

impl ListQuery {
    pub(crate) fn into_filter(
        self,
        caller: &Caller,
        taxonomy: &Taxonomy,
    ) -> Result<ListRequest, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let kind = parsed(
            &mut e,
            "kind",
            self.kind,
            "must be improvement_journey, case_study, impact_example or business_case",
            |v| v.parse().ok(),
        );
        let status = parsed(
            &mut e,
            "status",
            self.status,
            "must be a lifecycle status such as draft or published",
            |v| v.parse().ok(),
        );
        let evidence_type = parsed(
            &mut e,
            "evidence_type",
            self.evidence_type,
            "must be economic, social or experiential",
            |v| match v {
                "economic" => Some(EvidenceType::Economic),
                "social" => Some(EvidenceType::Social),
                "experiential" => Some(EvidenceType::Experiential),
                _ => None,
            },
        );
        let quarter = parsed(
            &mut e,
            "quarter",
            self.quarter,
            "must be a quarter such as 2025-Q3 or FY2025-Q2",
            |v| v.parse::<Quarter>().ok(),
        );
        let mine = parsed(
            &mut e,
            "mine",
            self.mine,
            "must be true or false",
            |v| match v {
                "true" | "1" => Some(true),
                "false" | "0" => Some(false),
                _ => None,
            },
        );
        let limit = parsed(
            &mut e,
            "limit",
            self.limit,
            "must be a whole number from 1 to 100",
            |v| v.parse::<u64>().ok().and_then(|n| PageSize::new(Some(n))),
        );
        let cursor = parsed(
            &mut e,
            "cursor",
            self.cursor,
            "is not a cursor this service gave out",
            Cursor::decode,
        );
        let search = match self.q.as_deref().map(SearchQuery::parse) {
            Some(Err(QueryError::TooLong)) => {
                e.add(
                    "q",
                    "too_long",
                    format!("must be at most {QUERY_MAX_CHARS} characters"),
                );
                None
            }
            Some(Err(QueryError::NothingToFind)) => {
                e.add(
                    "q",
                    "nothing_to_find",
                    format!(
                        "needs at least one word to find, not only excluded ones (up to {QUERY_MAX_WORDS} are read)"
                    ),
                );
                None
            }
            Some(Ok(search)) => search,
            None => None,
        };
        let filter = SubmissionFilter {
            viewer: caller.id,
            viewer_role: caller.role,
            kind,
            status,
            priority: code(
                &mut e,
                taxonomy,
                "priority",
                Vocabulary::Priority,
                self.priority,
            ),
            practice_area: code(
                &mut e,
                taxonomy,
                "practice_area",
                Vocabulary::PracticeArea,
                self.practice_area,
            ),
            evidence_type,
            topic: code(&mut e, taxonomy, "topic", Vocabulary::Topic, self.topic),
            nation: code(&mut e, taxonomy, "nation", Vocabulary::Nation, self.nation),
            region: code(&mut e, taxonomy, "region", Vocabulary::Region, self.region),
            quarter,
            mine: mine.unwrap_or(false),
            search,
            order: ListOrder::NewestCreated,
        };
        e.into_result()?;
        Ok(ListRequest {
            filter,
            after: cursor,
            size: limit.unwrap_or_default(),
        })
    }
}

/// Submissions the caller may see, newest first, with keyset pagination.
#[utoipa::path(
    tag = "submissions",
    security(("bearer" = [])),
    params(ListQuery),
    responses(
        (status = 200, description = "One page of submissions", body = SubmissionPage),
        (status = 422, description = "Invalid filters, each named", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/submissions")]
#[tracing::instrument(skip_all, fields(member = %caller.id))]
pub async fn list_submissions(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let key = PageKey {
        viewer: caller.id,
        role: caller.role.as_str(),
        query: req.query_string().to_owned(),
    };
    if let Some(body) = state.read_cache.page(&key) {
        return Ok(json_body(body));
    }
    let ticket = state.read_cache.ticket();
    let request = query.into_inner().into_filter(&caller, &state.taxonomy)?;
    let page = state
        .submission_service
        .list(&caller.reading(), request)
        .await?;
    let body: Bytes = serde_json::to_vec(&SubmissionPage {
        items: page
            .items
            .into_iter()
            .map(SubmissionSummary::from)
            .collect(),
        next_cursor: page.next_cursor,
    })
    .map_err(|e| ApiError::Internal(anyhow::anyhow!("serializing a page: {e}")))?
    .into();
    if let Some(ticket) = ticket {
        state.read_cache.keep_page(ticket, key, body.clone());
    }
    Ok(json_body(body))
}

fn json_body(body: Bytes) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(ContentType::json())
        .body(body)
}
