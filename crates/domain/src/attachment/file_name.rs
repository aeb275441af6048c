use super::MediaType;

/// A file name safe to store and to offer for download: no folders, no control
/// or bidirectional-override characters, no characters file systems refuse,
/// at most 200 characters, and an extension that matches the content (a
/// dishonest one is replaced).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileName(String);

impl FileName {
    pub const MAX_CHARS: usize = 200;
    const FALLBACK_STEM: &'static str = "attachment";

    /// Cleans whatever name a client sent (or none) for a file whose content is `media_type`.
    pub fn clean(raw: Option<&str>, media_type: MediaType) -> Self {
        let raw = raw.unwrap_or_default();
        let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
        let cleaned: String = last
            .chars()
            .filter(|c| !c.is_control() && !is_invisible_override(*c))
            .map(|c| {
                if matches!(c, '<' | '>' | ':' | '"' | '|' | '?' | '*') {
                    '_'
                } else {
                    c
                }
            })
            .collect();
        let cleaned = cleaned.trim().trim_matches('.').trim();
        let (stem, extension) = match cleaned.rsplit_once('.') {
            Some((stem, ext)) if !stem.trim().is_empty() => (stem.trim_end(), Some(ext)),
            _ => (cleaned, None),
        };
        let stem = if stem.is_empty() {
            Self::FALLBACK_STEM
        } else {
            stem
        };
        let honest = extension
            .map(str::to_ascii_lowercase)
            .filter(|e| media_type.extensions().contains(&e.as_str()));
        let extension = honest.unwrap_or_else(|| media_type.extensions()[0].to_owned());
        let room = Self::MAX_CHARS - extension.chars().count() - 1;
        let stem: String = stem.chars().take(room).collect();
        Self(format!("{}.{extension}", stem.trim_end()))
    }

    /// A name read back from storage, where it was cleaned on the way in.
    pub fn from_stored(name: String) -> Self {
        Self(name)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Characters that reorder or hide text, used to disguise `exe.pdf` as `fdp.exe`.
fn is_invisible_override(c: char) -> bool {
    matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clean(raw: &str, media_type: MediaType) -> String {
        FileName::clean(Some(raw), media_type).as_str().to_owned()
    }

    #[test]
    fn folders_are_dropped() {
        assert_eq!(clean("../../etc/passwd.pdf", MediaType::Pdf), "passwd.pdf");
        assert_eq!(
            clean("C:\\Users\\ot\\poster.png", MediaType::Png),
            "poster.png"
        );
        assert_eq!(clean("/", MediaType::Pdf), "attachment.pdf");
    }

    #[test]
    fn control_override_and_reserved_characters_are_removed() {
        assert_eq!(
            clean("run\u{0}chart\r\n.png", MediaType::Png),
            "runchart.png"
        );
        assert_eq!(
            clean("report\u{202e}fdp.exe", MediaType::Pdf),
            "reportfdp.pdf"
        );
        assert_eq!(
            clean("a\"b<c>:d|e?f*.txt", MediaType::PlainText),
            "a_b_c__d_e_f_.txt"
        );
    }

    #[test]
    fn the_extension_follows_the_content_not_the_name() {
        assert_eq!(clean("setup.exe", MediaType::Pdf), "setup.pdf");
        assert_eq!(clean("photo.JPEG", MediaType::Jpeg), "photo.jpeg");
        assert_eq!(clean("chart.png", MediaType::Jpeg), "chart.jpg");
        assert_eq!(clean("data.csv", MediaType::PlainText), "data.csv");
        assert_eq!(clean("README", MediaType::PlainText), "README.txt");
    }

    #[test]
    fn hidden_blank_and_missing_names_get_a_plain_one() {
        assert_eq!(clean(".bashrc", MediaType::PlainText), "bashrc.txt");
        assert_eq!(clean("   ", MediaType::Pdf), "attachment.pdf");
        assert_eq!(clean("...pdf", MediaType::Pdf), "pdf.pdf");
        assert_eq!(
            FileName::clean(None, MediaType::Docx).as_str(),
            "attachment.docx"
        );
    }

    #[test]
    fn long_names_are_cut_keeping_the_extension() {
        let name = clean(&format!("{}.pdf", "é".repeat(500)), MediaType::Pdf);
        assert_eq!(name.chars().count(), FileName::MAX_CHARS);
        assert!(name.ends_with("é.pdf"));
    }
}
