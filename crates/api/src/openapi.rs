//! The OpenAPI 3.1 document: paths come from the handlers' `#[utoipa::path]`.

use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, OpenApi as Document, Ref, RefOr, Response, ResponseBuilder};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Innovation hub submission service",
        description = "Occupational therapists submit improvement journeys, case studies and impact examples, \
tag them to the Workforce Strategy's four priorities, and admins pull quarterly summaries of evidence trends and gaps.\n\n\
Errors are `application/problem+json` (RFC 9457). Send `Authorization: Bearer <access_token>` from `POST /api/v1/auth/login`, or a personal access token \
(`hub_pat_…`, from `POST /api/v1/members/me/tokens`) limited to its scopes: `submissions:read` for reads of submissions, \
reviews and events, `submissions:write` for changes to them, `reports:read` for reports; a call outside them gets 403.\n\n\
Every `/api/` call is rate limited per member (a member's sessions and personal access tokens share one budget; \
per address without a known credential), counted across every replica: answers carry `RateLimit-Limit`, \
`RateLimit-Remaining` and `RateLimit-Reset`; over the limit the answer is 429 problem+json with `Retry-After`. \
If the shared count cannot be reached the answer is 503 problem+json with `Retry-After`: `database_unavailable` when limits are counted in PostgreSQL, `limits_unavailable` when they are counted in Redis.",
        version = "1.0.0",
        license(name = "MIT OR Apache-2.0"),
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "auth", description = "Registration and access tokens"),
        (name = "members", description = "Profiles, demographics and roles"),
        (name = "taxonomy", description = "The strategy's vocabulary"),
        (name = "submissions", description = "Improvement journeys, case studies, impact examples and business cases"),
        (name = "reviews", description = "Review queue, claims, rubric reviews, history and revisions"),
        (name = "recommendations", description = "Adoption and investment reported after publication"),
        (name = "spread", description = "Adoption of published work by other organisations, and its inclusion in national and regional reports"),
        (name = "idea clinics", description = "Idea clinics where business cases are presented to a panel"),
        (name = "resources", description = "Impact-evaluation resources admins publish and members download (each download counted)"),
        (name = "audit", description = "The append-only audit log"),
        (name = "reports", description = "Quarterly summaries of evidence trends and gaps, series and snapshots"),
        (name = "attachments", description = "Posters, reports, run-chart images and data files on submissions"),
        (name = "webhooks", description = "Signed deliveries of lifecycle events to registered endpoints"),
        (name = "notifications", description = "Email notifications: each member's choices and one-click unsubscribe links"),
        (name = "health", description = "Liveness, readiness and metrics"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT or hub_pat_ personal access token")
                    .build(),
            ),
        );
    }
}

/// The whole document, as served and as committed in `openapi/openapi.json`:
/// JSON, because the constraints declared on it (such as `if`/`then` on a
/// submission's kind) are keywords utoipa's model does not hold.
pub fn document() -> serde_json::Value {
    use utoipa_actix_web::AppExt;
    let (_, api) = actix_web::App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(crate::routes::configure)
        .split_for_parts();
    let mut api = api;
    document_slow_bodies(&mut api);
    document_common_problems(&mut api);
    document_outages(&mut api);
    document_rate_limits(&mut api);
    document_keys_in_use(&mut api);
    let mut value = serde_json::to_value(&api).unwrap_or_default();
    crate::constraints::declare(&mut value);
    document_links(&mut value);
    document_anonymous_access(&mut value);
    value
}

/// Operations open to anyone say so with an empty security requirement, so
/// that a reader can tell "no credentials needed" from "forgotten"; the
/// server is the one serving the document; the licence names its SPDX
/// expression.
fn document_anonymous_access(document: &mut serde_json::Value) {
    if let Some(serde_json::Value::Object(paths)) = document.get_mut("paths") {
        for item in paths
            .values_mut()
            .filter_map(serde_json::Value::as_object_mut)
        {
            for operation in item
                .values_mut()
                .filter_map(serde_json::Value::as_object_mut)
            {
                operation
                    .entry("security")
                    .or_insert_with(|| serde_json::json!([{}]));
            }
        }
    }
    document["servers"] =
        serde_json::json!([{"url": "/", "description": "The service serving this document"}]);
    document["info"]["license"]["identifier"] = "MIT OR Apache-2.0".into();
}

/// What a created resource leads to: the operations that read, change and
/// delete it, so a client (or a fuzzer's stateful phase) can follow them.
/// (operation id, status, [(linked operation id, link name)]).
type Links = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

const LINKS: [Links; 2] = [
    (
        "create_submission",
        "201",
        &[
            ("get_submission", "GetSubmission"),
            ("update_submission", "UpdateSubmission"),
            ("delete_submission", "DeleteSubmission"),
            ("submit_submission", "SubmitSubmission"),
            ("withdraw_submission", "WithdrawSubmission"),
            ("get_history", "GetHistory"),
            ("list_attachments", "ListAttachments"),
        ],
    ),
    ("create_token", "201", &[("revoke_token", "RevokeToken")]),
];

fn document_links(document: &mut serde_json::Value) {
    let Some(serde_json::Value::Object(paths)) = document.get_mut("paths") else {
        return;
    };
    let parameters_of: std::collections::BTreeMap<String, Vec<String>> = paths
        .values()
        .filter_map(serde_json::Value::as_object)
        .flat_map(|item| item.values())
        .filter_map(|operation| {
            let id = operation.get("operationId")?.as_str()?.to_owned();
            let names = operation
                .get("parameters")
                .and_then(serde_json::Value::as_array)
                .into_iter()
                .flatten()
                .filter(|p| {
                    matches!(p["in"].as_str(), Some("path" | "header")) && p["required"] == true
                })
                .filter_map(|p| Some(format!("{}.{}", p["in"].as_str()?, p["name"].as_str()?)))
                .collect();
            Some((id, names))
        })
        .collect();
    for item in paths
        .values_mut()
        .filter_map(serde_json::Value::as_object_mut)
    {
        for operation in item.values_mut() {
            let id = operation
                .get("operationId")
                .and_then(serde_json::Value::as_str)
                .map(str::to_owned);
            for (source, status, targets) in LINKS {
                if id.as_deref() != Some(source) {
                    continue;
                }
                let Some(serde_json::Value::Object(response)) =
                    operation.pointer_mut(&format!("/responses/{status}"))
                else {
                    continue;
                };
                let links = response
                    .entry("links")
                    .or_insert_with(|| serde_json::json!({}));
                for (target, name) in targets {
                    let mut parameters = serde_json::Map::new();
                    for parameter in parameters_of.get(*target).into_iter().flatten() {
                        let expression = match parameter.as_str() {
                            "path.id" => "$response.body#/id",
                            "header.If-Match" => "$response.header.ETag",
                            _ => continue,
                        };
                        parameters.insert(parameter.clone(), expression.into());
                    }
                    links[*name] =
                        serde_json::json!({"operationId": target, "parameters": parameters});
                }
            }
        }
    }
}

/// Operations that answer without the database.
const WITHOUT_DATABASE: [&str; 3] = ["/health/live", "/metrics", "/api/v1/openapi.json"];

fn retry_after(description: &str) -> utoipa::openapi::Header {
    utoipa::openapi::HeaderBuilder::new()
        .schema(Some(
            utoipa::openapi::ObjectBuilder::new().schema_type(utoipa::openapi::Type::Integer),
        ))
        .description(Some(description))
        .build()
}

/// A problem+json answer, optionally with `Retry-After`.
fn problem(description: &str, retry: bool) -> RefOr<Response> {
    let mut response = ResponseBuilder::new().description(description);
    if retry {
        response = response.header(
            "Retry-After",
            retry_after("Seconds to wait before retrying"),
        );
    }
    RefOr::T(
        response
            .content(
                "application/problem+json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("Problem")))
                    .build(),
            )
            .build(),
    )
}

/// Every operation of the document, with its path.
fn operations(api: &mut Document) -> impl Iterator<Item = (&String, &mut Operation)> {
    api.paths.paths.iter_mut().flat_map(|(path, item)| {
        [
            &mut item.get,
            &mut item.post,
            &mut item.put,
            &mut item.patch,
            &mut item.delete,
        ]
        .into_iter()
        .flatten()
        .map(move |operation| (path, operation))
    })
}

/// Documents `status` on `operation` unless it says something of its own.
fn answers(operation: &mut Operation, status: &str, response: &RefOr<Response>) {
    operation
        .responses
        .responses
        .entry(status.to_owned())
        .or_insert_with(|| response.clone());
}

/// Every operation that needs the database answers 503
/// `database_unavailable` with `Retry-After` while it is out of reach.
fn document_outages(api: &mut Document) {
    let unavailable = problem(
        "The database is unavailable (`database_unavailable`); retry after `Retry-After` seconds",
        true,
    );
    for (path, operation) in operations(api) {
        if !WITHOUT_DATABASE.contains(&path.as_str()) {
            answers(operation, "503", &unavailable);
        }
    }
}

/// The answers every operation of a kind can give, written once: 401 where
/// the operation needs credentials, and 400, 413 and 415 where it reads a
/// JSON body. An operation that says more about one of them keeps its own.
fn document_common_problems(api: &mut Document) {
    let unauthorized = problem("No valid access token", false);
    let body_problems = [
        ("400", problem("The body is not valid JSON", false)),
        ("413", problem("The body is too large", false)),
        ("415", problem("The body is not JSON", false)),
    ];
    for (_, operation) in operations(api) {
        let secured = operation
            .security
            .as_ref()
            .is_some_and(|requirements| !requirements.is_empty());
        let reads_json = operation
            .request_body
            .as_ref()
            .is_some_and(|body| match body {
                RefOr::T(body) => body.content.contains_key("application/json"),
                RefOr::Ref(_) => false,
            });
        if secured {
            answers(operation, "401", &unauthorized);
        }
        if reads_json {
            for (status, response) in &body_problems {
                answers(operation, status, response);
            }
        }
    }
}

/// Every `/api/` operation is rate limited per member (or per address) and
/// may answer 429 with `Retry-After`.
fn document_rate_limits(api: &mut Document) {
    let limited = problem(
        "Too many requests (`too_many_requests`); retry after `Retry-After` seconds",
        true,
    );
    for (path, operation) in operations(api) {
        if path.starts_with("/api/") {
            answers(operation, "429", &limited);
        }
    }
}

/// A POST's 409 may be `idempotency_key_in_use`, which says when to retry.
fn document_keys_in_use(api: &mut Document) {
    for item in api.paths.paths.values_mut() {
        let Some(operation) = item.post.as_mut() else {
            continue;
        };
        if let Some(RefOr::T(conflict)) = operation.responses.responses.get_mut("409") {
            conflict
                .headers
                .entry("Retry-After".to_owned())
                .or_insert_with(|| {
                    RefOr::T(retry_after(
                        "With `idempotency_key_in_use`: seconds left on the lease of the request holding the key",
                    ))
                });
        }
    }
}

/// Every operation that reads a body may answer 408 when the client pauses
/// longer than the server's client timeout while sending it.
fn document_slow_bodies(api: &mut Document) {
    let timeout = problem(
        "The body stopped arriving: a pause longer than the client timeout",
        false,
    );
    for (_, operation) in operations(api) {
        if operation.request_body.is_some() {
            answers(operation, "408", &timeout);
        }
    }
}

/// The document as pretty JSON with a trailing newline.
pub fn document_json() -> String {
    let mut json = serde_json::to_string_pretty(&document()).unwrap_or_default();
    json.push('\n');
    json
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_document_survives_its_own_json() {
        let (_, api) = {
            use utoipa_actix_web::AppExt;
            actix_web::App::new()
                .into_utoipa_app()
                .openapi(<super::ApiDoc as utoipa::OpenApi>::openapi())
                .configure(crate::routes::configure)
                .split_for_parts()
        };
        let value = serde_json::to_value(&api).unwrap();
        let back: Result<utoipa::openapi::OpenApi, _> = serde_json::from_value(value);
        assert!(back.is_ok(), "{:?}", back.err());
    }
}
