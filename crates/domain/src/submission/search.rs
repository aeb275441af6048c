//! What a free-text search of submissions may ask for.

/// The longest search text accepted, in characters.
pub const QUERY_MAX_CHARS: usize = 200;
/// Words beyond this many are ignored.
pub const QUERY_MAX_WORDS: usize = 10;

/// A search text longer than [`QUERY_MAX_CHARS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueryTooLong;

/// The lower-cased words a search matches on: every one must appear.
pub fn search_words(text: &str) -> Result<Vec<String>, QueryTooLong> {
    if text.chars().count() > QUERY_MAX_CHARS {
        return Err(QueryTooLong);
    }
    Ok(text
        .to_lowercase()
        .split_whitespace()
        .take(QUERY_MAX_WORDS)
        .map(str::to_owned)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_lower_cased_and_capped() {
        let text = "Falls  PREVENTION a b c d e f g h i j";
        let words = search_words(text).expect("short enough");
        assert_eq!(words.len(), QUERY_MAX_WORDS);
        assert_eq!(&words[..2], ["falls", "prevention"]);
    }

    #[test]
    fn text_over_the_limit_is_refused() {
        assert_eq!(
            search_words(&"é".repeat(QUERY_MAX_CHARS)).map(|w| w.len()),
            Ok(1)
        );
        assert_eq!(
            search_words(&"é".repeat(QUERY_MAX_CHARS + 1)),
            Err(QueryTooLong)
        );
    }
}
