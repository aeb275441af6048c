//! Which kind of file the bytes are, judged by the bytes alone: the name and
//! media type a client sends are never trusted.

use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// The kinds of file a submission may carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MediaType {
    Pdf,
    Png,
    Jpeg,
    Webp,
    Csv,
    Xlsx,
    Docx,
    Pptx,
    PlainText,
}

/// The bytes are not one of the allowed kinds of file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UnsupportedContent {
    #[error("the file is empty")]
    Empty,
    #[error(
        "Office documents with macros are not accepted; save it as a .docx, .xlsx or .pptx without macros"
    )]
    Macros,
    #[error("this is a ZIP archive but not a Word, Excel or PowerPoint document")]
    OtherArchive,
    #[error(
        "text files must be UTF-8 without control characters, and web pages or scripts are not accepted"
    )]
    UnsafeText,
    #[error(
        "the content is not an allowed kind of file (PDF, PNG, JPEG, WebP, CSV, XLSX, DOCX, PPTX or plain text)"
    )]
    Unknown,
}

impl MediaType {
    pub const ALL: [MediaType; 9] = [
        MediaType::Pdf,
        MediaType::Png,
        MediaType::Jpeg,
        MediaType::Webp,
        MediaType::Csv,
        MediaType::Xlsx,
        MediaType::Docx,
        MediaType::Pptx,
        MediaType::PlainText,
    ];

    /// The IANA media type served in `Content-Type`.
    pub fn mime(self) -> &'static str {
        match self {
            MediaType::Pdf => "application/pdf",
            MediaType::Png => "image/png",
            MediaType::Jpeg => "image/jpeg",
            MediaType::Webp => "image/webp",
            MediaType::Csv => "text/csv; charset=utf-8",
            MediaType::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            MediaType::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            MediaType::Pptx => {
                "application/vnd.openxmlformats-officedocument.presentationml.presentation"
            }
            MediaType::PlainText => "text/plain; charset=utf-8",
        }
    }

    /// The stable code stored and shown in lists.
    pub fn as_str(self) -> &'static str {
        match self {
            MediaType::Pdf => "pdf",
            MediaType::Png => "png",
            MediaType::Jpeg => "jpeg",
            MediaType::Webp => "webp",
            MediaType::Csv => "csv",
            MediaType::Xlsx => "xlsx",
            MediaType::Docx => "docx",
            MediaType::Pptx => "pptx",
            MediaType::PlainText => "plain_text",
        }
    }

    /// File name extensions that honestly describe this kind; the first is the usual one.
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            MediaType::Pdf => &["pdf"],
            MediaType::Png => &["png"],
            MediaType::Jpeg => &["jpg", "jpeg"],
            MediaType::Webp => &["webp"],
            MediaType::Xlsx => &["xlsx"],
            MediaType::Docx => &["docx"],
            MediaType::Pptx => &["pptx"],
            MediaType::Csv | MediaType::PlainText => &["txt", "csv", "tsv", "md", "text", "log"],
        }
    }

    /// Judges the whole file's bytes.
    pub fn sniff(bytes: &[u8]) -> Result<MediaType, UnsupportedContent> {
        if bytes.is_empty() {
            return Err(UnsupportedContent::Empty);
        }
        if bytes.starts_with(b"%PDF-") {
            return Ok(MediaType::Pdf);
        }
        if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            return Ok(MediaType::Png);
        }
        if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            return Ok(MediaType::Jpeg);
        }
        if bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP" {
            return Ok(MediaType::Webp);
        }
        if bytes.starts_with(b"PK\x03\x04") {
            return office_document(bytes);
        }
        text(bytes)
    }
}

impl FromStr for MediaType {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|m| m.as_str() == s).ok_or(())
    }
}

/// An Office Open XML document is a ZIP whose central directory names its parts.
fn office_document(bytes: &[u8]) -> Result<MediaType, UnsupportedContent> {
    let names = zip_entry_names(bytes).ok_or(UnsupportedContent::OtherArchive)?;
    let has = |wanted: &str| names.iter().any(|n| n.as_slice() == wanted.as_bytes());
    if names
        .iter()
        .any(|n| n.to_ascii_lowercase().ends_with(b"vbaproject.bin"))
    {
        return Err(UnsupportedContent::Macros);
    }
    if !has("[Content_Types].xml") {
        return Err(UnsupportedContent::OtherArchive);
    }
    if has("word/document.xml") {
        Ok(MediaType::Docx)
    } else if has("xl/workbook.xml") {
        Ok(MediaType::Xlsx)
    } else if has("ppt/presentation.xml") {
        Ok(MediaType::Pptx)
    } else {
        Err(UnsupportedContent::OtherArchive)
    }
}

fn u16_at(bytes: &[u8], at: usize) -> Option<usize> {
    let b = bytes.get(at..at + 2)?;
    Some(usize::from(u16::from_le_bytes([b[0], b[1]])))
}

fn u32_at(bytes: &[u8], at: usize) -> Option<usize> {
    let b = bytes.get(at..at + 4)?;
    usize::try_from(u32::from_le_bytes([b[0], b[1], b[2], b[3]])).ok()
}

/// The entry names in a ZIP's central directory, or `None` when it is not a readable ZIP.
fn zip_entry_names(bytes: &[u8]) -> Option<Vec<Vec<u8>>> {
    const END: &[u8] = b"PK\x05\x06";
    const ENTRY: &[u8] = b"PK\x01\x02";
    // The end record is 22 bytes plus a comment of at most 65535.
    let earliest = bytes.len().saturating_sub(22 + 65_535);
    let end = (earliest..=bytes.len().checked_sub(22)?)
        .rev()
        .find(|&i| bytes.get(i..i + 4) == Some(END))?;
    let count = u16_at(bytes, end + 10)?;
    let mut at = u32_at(bytes, end + 16)?;
    let mut names = Vec::with_capacity(count);
    for _ in 0..count {
        if bytes.get(at..at + 4)? != ENTRY {
            return None;
        }
        let name_len = u16_at(bytes, at + 28)?;
        let extra_len = u16_at(bytes, at + 30)?;
        let comment_len = u16_at(bytes, at + 32)?;
        names.push(bytes.get(at + 46..at + 46 + name_len)?.to_vec());
        at += 46 + name_len + extra_len + comment_len;
    }
    Some(names)
}

/// UTF-8 text with no control characters but tab, line breaks and form feed;
/// markup that a browser would run or render is refused.
fn text(bytes: &[u8]) -> Result<MediaType, UnsupportedContent> {
    let text = std::str::from_utf8(bytes).map_err(|_| UnsupportedContent::Unknown)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\u{c}'))
    {
        return Err(UnsupportedContent::UnsafeText);
    }
    let head: String = text
        .trim_start()
        .chars()
        .take(64)
        .collect::<String>()
        .to_ascii_lowercase();
    const MARKUP: [&str; 7] = [
        "<!doctype",
        "<html",
        "<script",
        "<svg",
        "<?xml",
        "<head",
        "<body",
    ];
    if MARKUP.iter().any(|m| head.starts_with(m)) {
        return Err(UnsupportedContent::UnsafeText);
    }
    Ok(if looks_like_csv(text) {
        MediaType::Csv
    } else {
        MediaType::PlainText
    })
}

/// At least two rows, each with the same number (two or more) of comma-separated fields.
fn looks_like_csv(text: &str) -> bool {
    let mut widths = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(field_count);
    let Some(first) = widths.next() else {
        return false;
    };
    let mut rows = 1;
    for width in widths {
        if width != first {
            return false;
        }
        rows += 1;
    }
    first >= 2 && rows >= 2
}

/// Fields in one CSV line, honouring double quotes.
fn field_count(line: &str) -> usize {
    let mut quoted = false;
    let mut fields = 1;
    for c in line.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => fields += 1,
            _ => {}
        }
    }
    fields
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A minimal ZIP holding empty entries with these names, as a real archiver lays them out.
    pub(crate) fn zip_with(names: &[&str]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut central = Vec::new();
        for name in names {
            let offset = u32::try_from(out.len()).unwrap_or(0);
            let name_len = u16::try_from(name.len()).unwrap_or(0);
            out.extend_from_slice(b"PK\x03\x04");
            out.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
            out.extend_from_slice(&[0; 12]);
            out.extend_from_slice(&name_len.to_le_bytes());
            out.extend_from_slice(&[0, 0]);
            out.extend_from_slice(name.as_bytes());
            central.extend_from_slice(b"PK\x01\x02");
            central.extend_from_slice(&[20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
            central.extend_from_slice(&[0; 12]);
            central.extend_from_slice(&name_len.to_le_bytes());
            central.extend_from_slice(&[0; 12]);
            central.extend_from_slice(&offset.to_le_bytes());
            central.extend_from_slice(name.as_bytes());
        }
        let start = u32::try_from(out.len()).unwrap_or(0);
        let size = u32::try_from(central.len()).unwrap_or(0);
        let count = u16::try_from(names.len()).unwrap_or(0);
        out.extend_from_slice(&central);
        out.extend_from_slice(b"PK\x05\x06\0\0\0\0");
        out.extend_from_slice(&count.to_le_bytes());
        out.extend_from_slice(&count.to_le_bytes());
        out.extend_from_slice(&size.to_le_bytes());
        out.extend_from_slice(&start.to_le_bytes());
        out.extend_from_slice(&[0, 0]);
        out
    }

    #[test]
    fn images_and_pdf_are_known_by_their_signatures() {
        assert_eq!(MediaType::sniff(b"%PDF-1.7\n%..."), Ok(MediaType::Pdf));
        assert_eq!(
            MediaType::sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
            Ok(MediaType::Png)
        );
        assert_eq!(
            MediaType::sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]),
            Ok(MediaType::Jpeg)
        );
        assert_eq!(
            MediaType::sniff(b"RIFF\x24\0\0\0WEBPVP8 "),
            Ok(MediaType::Webp)
        );
    }

    #[test]
    fn office_documents_are_told_apart_by_their_parts() {
        let doc = zip_with(&["[Content_Types].xml", "_rels/.rels", "word/document.xml"]);
        let sheet = zip_with(&["[Content_Types].xml", "xl/workbook.xml"]);
        let slides = zip_with(&["[Content_Types].xml", "ppt/presentation.xml"]);
        assert_eq!(MediaType::sniff(&doc), Ok(MediaType::Docx));
        assert_eq!(MediaType::sniff(&sheet), Ok(MediaType::Xlsx));
        assert_eq!(MediaType::sniff(&slides), Ok(MediaType::Pptx));
    }

    #[test]
    fn other_archives_macros_and_broken_zips_are_refused() {
        let plain_zip = zip_with(&["payload.exe"]);
        let macros = zip_with(&[
            "[Content_Types].xml",
            "word/document.xml",
            "word/vbaProject.bin",
        ]);
        let mut truncated = zip_with(&["[Content_Types].xml", "word/document.xml"]);
        truncated.truncate(truncated.len() - 30);
        assert_eq!(
            MediaType::sniff(&plain_zip),
            Err(UnsupportedContent::OtherArchive)
        );
        assert_eq!(MediaType::sniff(&macros), Err(UnsupportedContent::Macros));
        assert_eq!(
            MediaType::sniff(&truncated),
            Err(UnsupportedContent::OtherArchive)
        );
    }

    #[test]
    fn executables_and_binary_data_are_refused() {
        let exe = b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0";
        assert_eq!(MediaType::sniff(exe), Err(UnsupportedContent::Unknown));
        assert_eq!(
            MediaType::sniff(b"\x7fELF\x02\x01\x01"),
            Err(UnsupportedContent::UnsafeText)
        );
        assert_eq!(
            MediaType::sniff(&[0xC3, 0x28, 0xA0]),
            Err(UnsupportedContent::Unknown)
        );
        assert_eq!(MediaType::sniff(b""), Err(UnsupportedContent::Empty));
    }

    #[test]
    fn web_pages_and_svg_are_refused_even_as_text() {
        for page in [
            "<!DOCTYPE html><html><script>alert(1)</script>",
            "  <html><body>hi</body></html>",
            "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>",
            "\u{feff}<script>x()</script>",
        ] {
            assert_eq!(
                MediaType::sniff(page.as_bytes()),
                Err(UnsupportedContent::UnsafeText),
                "{page}"
            );
        }
    }

    #[test]
    fn text_is_csv_when_its_rows_line_up() {
        let csv = "week,falls,visits\n1,14,3\n2,\"12, adjusted\",9\n";
        assert_eq!(MediaType::sniff(csv.as_bytes()), Ok(MediaType::Csv));
        let prose = "Lessons learned\nStart small, then spread.\nAsk people first.\n";
        assert_eq!(MediaType::sniff(prose.as_bytes()), Ok(MediaType::PlainText));
        assert_eq!(
            MediaType::sniff("Café notes\twith tabs\r\n".as_bytes()),
            Ok(MediaType::PlainText)
        );
    }

    #[test]
    fn codes_round_trip() {
        for media_type in MediaType::ALL {
            assert_eq!(media_type.as_str().parse(), Ok(media_type));
        }
    }
}
