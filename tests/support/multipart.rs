//! Hand-built `multipart/form-data` bodies, so tests control every byte.

/// The boundary every test form uses.
pub const BOUNDARY: &str = "hub-test-boundary-7MA4YWxkTrZu0gW";

/// The `Content-Type` of a form built by [`form`].
pub fn content_type() -> String {
    format!("multipart/form-data; boundary={BOUNDARY}")
}

/// A small but well-formed PDF.
pub fn pdf() -> Vec<u8> {
    let mut pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n".to_vec();
    pdf.extend((0..=255u8).cycle().take(3000));
    pdf.extend_from_slice(b"\n%%EOF\n");
    pdf
}

/// One part of a hand-built `multipart/form-data` body.
pub struct Part<'a> {
    pub name: &'a str,
    pub file_name: Option<&'a str>,
    pub content_type: Option<&'a str>,
    pub bytes: Vec<u8>,
}

pub fn file_part<'a>(file_name: &'a str, content_type: &'a str, bytes: Vec<u8>) -> Part<'a> {
    Part {
        name: "file",
        file_name: Some(file_name),
        content_type: Some(content_type),
        bytes,
    }
}

pub fn text_part<'a>(name: &'a str, text: &str) -> Part<'a> {
    Part {
        name,
        file_name: None,
        content_type: None,
        bytes: text.as_bytes().to_vec(),
    }
}

pub fn form(parts: Vec<Part<'_>>) -> Vec<u8> {
    let mut body = Vec::new();
    for part in parts {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        let mut disposition = format!("Content-Disposition: form-data; name=\"{}\"", part.name);
        if let Some(file_name) = part.file_name {
            disposition.push_str(&format!("; filename=\"{file_name}\""));
        }
        body.extend_from_slice(disposition.as_bytes());
        body.extend_from_slice(b"\r\n");
        if let Some(content_type) = part.content_type {
            body.extend_from_slice(format!("Content-Type: {content_type}\r\n").as_bytes());
        }
        body.extend_from_slice(b"\r\n");
        body.extend_from_slice(&part.bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}
