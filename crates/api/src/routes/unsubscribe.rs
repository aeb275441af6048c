//! One-click unsubscribe (RFC 8058): the link in every notification mail
//! turns that kind of mail off without signing in.

use crate::dto::notification::UnsubscribedView;
use crate::error::{ApiError, Problem};
use crate::mail::compose::{HUB_NAME, escape_html};
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{HttpResponse, get, post, web};
use domain::notification::{Category, TokenError, UnsubscribeError};
use serde::Deserialize;
use utoipa::IntoParams;

/// The signed link's token.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnsubscribeQuery {
    /// The token from the mail's link: names the member and the kind of
    /// mail, signed by the hub, valid for 90 days; 55 characters of base64url.
    #[param(
        required = true,
        example = "AZNW5x0Jc2iFqDM0Z5sVdAEAAAAAaKzL3mRw5cPwvMg1aJ7R6ZbMkc9Zt2Q"
    )]
    token: Option<String>,
}

impl UnsubscribeQuery {
    fn token(&self) -> Result<&str, ApiError> {
        self.token
            .as_deref()
            .filter(|t| !t.is_empty() && t.len() <= 200)
            .ok_or_else(|| ApiError::BadRequest(TokenError::Malformed.to_string()))
    }
}

fn token_error(error: TokenError) -> ApiError {
    match error {
        TokenError::Malformed => ApiError::BadRequest(error.to_string()),
        TokenError::Forged => ApiError::Refused {
            code: "invalid_link",
            detail: error.to_string(),
        },
        TokenError::Expired => ApiError::Gone(format!(
            "{error}; change your mail choices in the {HUB_NAME} instead"
        )),
    }
}

fn unsubscribe_error(error: UnsubscribeError) -> ApiError {
    match error {
        UnsubscribeError::Token(error) => token_error(error),
        UnsubscribeError::Gone => ApiError::NotFound(error.to_string()),
        UnsubscribeError::Write(error) => error.into(),
        UnsubscribeError::Storage(error) => error.into(),
    }
}

fn described(category: Category) -> &'static str {
    match category {
        Category::Decisions => "decisions about your work",
        Category::Adoptions => "reports that your work was adopted",
        Category::ReviewQueue => "work entering the review queue",
    }
}

/// Turn off the kind of mail a link names (one click, RFC 8058).
///
/// Mail clients POST `List-Unsubscribe=One-Click` here; the body is not
/// needed, the signed token is the authority, and no sign-in is asked for.
/// Doing it again changes nothing more. The erasure confirmation is
/// transactional and has no such link.
#[utoipa::path(
    tag = "notifications",
    params(UnsubscribeQuery),
    responses(
        (status = 200, description = "That kind of mail is now off", body = UnsubscribedView),
        (status = 400, description = "The token is missing or not shaped as the hub makes them", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token was altered or not signed by the hub (`invalid_link`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "The member the link names has erased their account", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "The link has expired (after 90 days)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The token holds a character no link can carry (e.g. NUL)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/unsubscribe")]
#[tracing::instrument(skip_all)]
pub async fn unsubscribe(
    state: web::Data<AppState>,
    query: web::Query<UnsubscribeQuery>,
) -> Result<HttpResponse, ApiError> {
    let done = state
        .notification_service
        .unsubscribe(query.token()?, chrono::Utc::now())
        .await
        .map_err(unsubscribe_error)?;
    tracing::info!(category = done.category.as_str(), "unsubscribed by link");
    Ok(HttpResponse::Ok().json(UnsubscribedView::from(done)))
}

/// A small page confirming what the link turns off, with the button that does it.
///
/// Opening the link changes nothing (link scanners open links too): the
/// page's button sends the one-click POST.
#[utoipa::path(
    tag = "notifications",
    params(UnsubscribeQuery),
    responses(
        (status = 200, description = "A page with the button that turns the mail off", body = String, content_type = "text/html"),
        (status = 400, description = "The token is missing or not shaped as the hub makes them", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token was altered or not signed by the hub (`invalid_link`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "The member the link names has erased their account", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "The link has expired (after 90 days)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The token holds a character no link can carry (e.g. NUL)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/unsubscribe")]
#[tracing::instrument(skip_all)]
pub async fn unsubscribe_page(
    state: web::Data<AppState>,
    query: web::Query<UnsubscribeQuery>,
) -> Result<HttpResponse, ApiError> {
    let token = query.token()?;
    let link = state
        .notification_service
        .check(token, chrono::Utc::now())
        .map_err(token_error)?;
    let page = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{HUB_NAME}: stop mails</title></head>\
         <body><h1>{HUB_NAME}</h1><p>Stop mails about {}?</p>\
         <form method=\"post\" action=\"?token={}\"><input type=\"hidden\" name=\"List-Unsubscribe\" value=\"One-Click\">\
         <button type=\"submit\">Stop these mails</button></form></body></html>",
        described(link.category),
        escape_html(token),
    );
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; form-action 'self'",
        ))
        .body(page))
}
