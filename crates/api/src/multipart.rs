//! Reading `multipart/form-data` uploads: one file field and a few named
//! text fields, each refused by name as soon as it passes its limit, so that
//! no form is read further than it may go.

use crate::error::ApiError;
use crate::extract::next_chunk;
use actix_multipart::{Field, Multipart};
use actix_web::http::header::{self, HeaderMap};
use bytes::{Bytes, BytesMut};
use std::collections::BTreeMap;
use std::time::Duration;

/// A text field a form takes, with the most characters it may hold.
#[derive(Debug, Clone, Copy)]
pub struct TextField {
    pub name: &'static str,
    pub max_chars: usize,
}

/// What a form held: the file (with the name the client gave) and the text fields sent.
#[derive(Debug, Default)]
pub struct Form {
    pub file: Option<(Bytes, Option<String>)>,
    pub texts: BTreeMap<&'static str, String>,
}

/// The form's fields in words, for refusals: `'file' and 'caption'`.
fn field_list(texts: &[TextField]) -> String {
    let mut names: Vec<String> = std::iter::once("'file'".to_owned())
        .chain(texts.iter().map(|t| format!("'{}'", t.name)))
        .collect();
    match names.len() {
        1 => names.remove(0),
        _ => {
            let last = names.pop().unwrap_or_default();
            format!("{} and {last}", names.join(", "))
        }
    }
}

/// Refuses a body that is not `multipart/form-data`.
pub fn check_multipart(headers: &HeaderMap, texts: &[TextField]) -> Result<(), ApiError> {
    let essence = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase());
    if essence.as_deref() == Some("multipart/form-data") {
        Ok(())
    } else {
        Err(ApiError::UnsupportedMediaType(format!(
            "send the form as multipart/form-data with the fields {}",
            field_list(texts)
        )))
    }
}

/// The body's declared length, when it has one.
pub fn declared_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
}

fn malformed(error: actix_multipart::MultipartError) -> ApiError {
    ApiError::BadRequest(format!("the multipart body could not be read: {error}"))
}

/// Reads the form, giving up as soon as the file passes `room` bytes or a
/// text field passes its limit; unknown and repeated fields are refused by name.
pub async fn read_form(
    mut multipart: Multipart,
    room: u64,
    idle: Duration,
    too_large: impl Fn() -> ApiError,
    texts: &[TextField],
) -> Result<Form, ApiError> {
    let mut form = Form::default();
    while let Some(field) = next_chunk(&mut multipart, idle).await? {
        let mut field = field.map_err(malformed)?;
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            if form.file.is_some() {
                return Err(duplicate("file"));
            }
            let file_name = file_name_of(&field);
            let bytes = read_field(&mut field, room, idle, &too_large).await?;
            form.file = Some((bytes, file_name));
            continue;
        }
        let Some(text) = texts.iter().find(|t| t.name == name) else {
            let shown: String = name.chars().take(60).collect();
            return Err(ApiError::validation(
                &shown,
                "unknown_field",
                format!("the form takes only {}", field_list(texts)),
            ));
        };
        if form.texts.contains_key(text.name) {
            return Err(duplicate(text.name));
        }
        let bytes = read_field(&mut field, 4 * text.max_chars as u64 + 64, idle, &|| {
            ApiError::validation(
                text.name,
                "too_long",
                format!("must be at most {} characters", text.max_chars),
            )
        })
        .await?;
        let value = String::from_utf8(bytes.to_vec())
            .map_err(|_| ApiError::validation(text.name, "invalid_value", "must be UTF-8 text"))?;
        form.texts.insert(text.name, value);
    }
    Ok(form)
}

fn duplicate(name: &str) -> ApiError {
    ApiError::validation(name, "duplicate", format!("send '{name}' at most once"))
}

fn file_name_of(field: &Field) -> Option<String> {
    let disposition = field.content_disposition()?;
    disposition.get_filename().map(str::to_owned).or_else(|| {
        disposition
            .get_filename_ext()
            .and_then(|ext| String::from_utf8(ext.value.clone()).ok())
    })
}

async fn read_field(
    field: &mut Field,
    limit: u64,
    idle: Duration,
    too_large: &impl Fn() -> ApiError,
) -> Result<Bytes, ApiError> {
    let mut buffer = BytesMut::new();
    while let Some(chunk) = next_chunk(field, idle).await? {
        let chunk = chunk.map_err(malformed)?;
        if (buffer.len() + chunk.len()) as u64 > limit {
            return Err(too_large());
        }
        buffer.extend_from_slice(&chunk);
    }
    Ok(buffer.freeze())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_name_every_field_the_form_takes() {
        assert_eq!(field_list(&[]), "'file'");
        let caption = TextField {
            name: "caption",
            max_chars: 500,
        };
        assert_eq!(field_list(&[caption]), "'file' and 'caption'");
        let title = TextField {
            name: "title",
            max_chars: 200,
        };
        assert_eq!(
            field_list(&[title, caption]),
            "'file', 'title' and 'caption'"
        );
    }
}
