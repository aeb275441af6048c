//! Every JSON answer (`application/json`, `application/problem+json`) ends
//! with a newline, so a terminal prompt never lands on its last line and line
//! tools see a whole line. Added here, outside every other middleware, so
//! handlers, replayed idempotent answers and cached reads all get it alike.

use actix_web::body::{BodySize, BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::CONTENT_TYPE;
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Appends `\n` to the body of every JSON answer.
pub async fn end_json_with_newline(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    // The layers inside answer every error as a response of their own, so
    // none reaches here as an `Err` to be written without the newline.
    let response = next.call(req).await?.map_into_boxed_body();
    if !is_json(&response) {
        return Ok(response);
    }
    Ok(response.map_body(|_, body| match body.try_into_bytes() {
        // Most answers are whole in memory: one that already ends a line (a
        // frozen snapshot, kept with its newline) is left exactly as it is.
        Ok(bytes) if bytes.is_empty() || bytes.ends_with(b"\n") => BoxBody::new(bytes),
        Ok(bytes) => BoxBody::new(WithNewline::new(BoxBody::new(bytes))),
        Err(body) => BoxBody::new(WithNewline::new(body)),
    }))
}

fn is_json(response: &ServiceResponse<BoxBody>) -> bool {
    let Some(value) = response.headers().get(CONTENT_TYPE) else {
        return false;
    };
    let essence = value
        .to_str()
        .unwrap_or_default()
        .split(';')
        .next()
        .unwrap_or_default()
        .trim();
    essence.eq_ignore_ascii_case("application/json")
        || essence.eq_ignore_ascii_case("application/problem+json")
}

/// A body followed by one `\n`; an empty body (`204`, `304`) stays empty.
struct WithNewline {
    inner: BoxBody,
    /// Nothing (more) to send: the body was empty, or the newline went out.
    done: bool,
}

impl WithNewline {
    fn new(inner: BoxBody) -> Self {
        let done = matches!(inner.size(), BodySize::None | BodySize::Sized(0));
        Self { inner, done }
    }
}

impl MessageBody for WithNewline {
    type Error = Box<dyn std::error::Error>;

    fn size(&self) -> BodySize {
        if self.done {
            return BodySize::None;
        }
        match self.inner.size() {
            BodySize::Sized(0) | BodySize::None => BodySize::None,
            BodySize::Sized(n) => BodySize::Sized(n + 1),
            BodySize::Stream => BodySize::Stream,
        }
    }

    fn poll_next(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Self::Error>>> {
        if self.done {
            return Poll::Ready(None);
        }
        match Pin::new(&mut self.inner).poll_next(cx) {
            Poll::Ready(None) => {
                self.done = true;
                Poll::Ready(Some(Ok(Bytes::from_static(b"\n"))))
            }
            Poll::Ready(Some(Err(error))) => Poll::Ready(Some(Err(error))),
            Poll::Ready(Some(Ok(chunk))) => Poll::Ready(Some(Ok(chunk))),
            Poll::Pending => Poll::Pending,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::body::to_bytes;

    #[actix_web::test]
    async fn a_body_gains_one_newline_and_its_length_counts_it() {
        let body = WithNewline::new(BoxBody::new(Bytes::from_static(b"{\"a\":1}")));
        assert_eq!(body.size(), BodySize::Sized(8));
        let bytes = to_bytes(body).await.map_err(|e| e.to_string());
        assert_eq!(bytes, Ok(Bytes::from_static(b"{\"a\":1}\n")));
    }

    #[actix_web::test]
    async fn an_empty_body_stays_empty() {
        let body = WithNewline::new(BoxBody::new(()));
        assert_eq!(body.size(), BodySize::None);
        let bytes = to_bytes(body).await.map_err(|e| e.to_string());
        assert_eq!(bytes, Ok(Bytes::new()));
    }
}
