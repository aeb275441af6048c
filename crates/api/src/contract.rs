//! What the OpenAPI document declares, enforced before any handler runs: a
//! method the document does not declare on a known path gets 405 with
//! `Allow`, and an operation that needs credentials gets 401 when none were
//! sent, before its path, query or body is looked at.

use crate::error::ApiError;
use actix_web::ResponseError;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::AUTHORIZATION;
use actix_web::middleware::Next;
use std::sync::Arc;

/// One segment of a path template.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    Parameter,
}

/// One declared path with its operations: (method, needs credentials).
#[derive(Debug, Clone)]
struct DeclaredPath {
    segments: Vec<Segment>,
    operations: Vec<(String, bool)>,
}

/// Every path and operation the document declares.
#[derive(Debug, Clone, Default)]
pub struct Operations {
    paths: Vec<DeclaredPath>,
}

impl Operations {
    pub fn from_document(value: &serde_json::Value) -> Self {
        let mut paths = Vec::new();
        for (template, item) in value["paths"].as_object().into_iter().flatten() {
            let segments = split(template)
                .map(|s| {
                    if s.starts_with('{') && s.ends_with('}') {
                        Segment::Parameter
                    } else {
                        Segment::Literal(s.to_owned())
                    }
                })
                .collect();
            let operations = item
                .as_object()
                .into_iter()
                .flatten()
                .filter(|(method, _)| HTTP_METHODS.contains(&method.as_str()))
                .map(|(method, operation)| {
                    let secured = operation["security"].as_array().is_some_and(|s| {
                        !s.is_empty()
                            && s.iter()
                                .all(|r| r.as_object().is_some_and(|r| !r.is_empty()))
                    });
                    (method.to_uppercase(), secured)
                })
                .collect();
            paths.push(DeclaredPath {
                segments,
                operations,
            });
        }
        Self { paths }
    }

    /// The operations of the declared path `path` stands for: the one with
    /// the most literal segments among those it fits.
    fn at(&self, path: &str) -> Option<&[(String, bool)]> {
        let given: Vec<&str> = split(path).collect();
        self.paths
            .iter()
            .filter(|p| {
                p.segments.len() == given.len()
                    && p.segments.iter().zip(&given).all(|(s, g)| match s {
                        Segment::Literal(l) => l == g,
                        Segment::Parameter => !g.is_empty(),
                    })
            })
            .max_by_key(|p| {
                p.segments
                    .iter()
                    .filter(|s| matches!(s, Segment::Literal(_)))
                    .count()
            })
            .map(|p| p.operations.as_slice())
    }

    /// What to answer instead of serving `method` on `path`, if anything.
    pub fn refusal(&self, method: &str, path: &str, has_credentials: bool) -> Option<ApiError> {
        let operations = self.at(path)?;
        match operations.iter().find(|(m, _)| m == method) {
            Some((_, true)) if !has_credentials => Some(ApiError::Unauthorized(
                "send an access token or a personal access token: Authorization: Bearer <token>"
                    .into(),
            )),
            Some(_) => None,
            None => Some(ApiError::MethodNotAllowed {
                allow: operations
                    .iter()
                    .map(|(m, _)| m.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            }),
        }
    }
}

const HTTP_METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

fn split(path: &str) -> impl Iterator<Item = &str> {
    path.trim_end_matches('/').split('/').skip(1)
}

/// Refuses undeclared methods (405) and missing credentials (401) as the
/// document says, before extraction.
pub async fn enforce_operations(
    operations: Arc<Operations>,
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let has_credentials = req.headers().contains_key(AUTHORIZATION);
    if let Some(refusal) = operations.refusal(req.method().as_str(), req.path(), has_credentials) {
        let response = refusal.error_response();
        return Ok(req.into_response(response).map_into_right_body());
    }
    Ok(next.call(req).await?.map_into_left_body())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn operations() -> Operations {
        Operations::from_document(&crate::openapi::document())
    }

    #[test]
    fn an_undeclared_method_on_a_known_path_is_refused_with_what_is_allowed() {
        let refusal = operations().refusal("TRACE", "/api/v1/audit", true);
        match refusal {
            Some(ApiError::MethodNotAllowed { allow }) => assert_eq!(allow, "GET"),
            other => panic!("{other:?}"),
        }
        match operations().refusal(
            "PUT",
            "/api/v1/submissions/0193a5b0-7c1e-7d3a-9f2e-3b4c5d6e7f80",
            true,
        ) {
            Some(ApiError::MethodNotAllowed { allow }) => {
                assert!(
                    allow.contains("GET") && allow.contains("PATCH") && allow.contains("DELETE"),
                    "{allow}"
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn missing_credentials_are_refused_only_where_the_document_asks_for_them() {
        let ops = operations();
        assert!(matches!(
            ops.refusal("GET", "/api/v1/submissions/not-even-a-uuid", false),
            Some(ApiError::Unauthorized(_))
        ));
        assert!(ops.refusal("GET", "/api/v1/submissions/x", true).is_none());
        assert!(ops.refusal("POST", "/api/v1/auth/login", false).is_none());
        assert!(ops.refusal("GET", "/api/v1/taxonomy", false).is_none());
        assert!(
            ops.refusal("GET", "/api/v1/members/me", true).is_none(),
            "a literal beats a parameter"
        );
    }

    #[test]
    fn unknown_paths_are_left_to_the_router() {
        assert!(
            operations()
                .refusal("GET", "/api/v1/nothing-here", false)
                .is_none()
        );
        assert!(operations().refusal("GET", "/docs/", false).is_none());
    }
}
