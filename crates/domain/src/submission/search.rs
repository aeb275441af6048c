//! Free-text search of submissions: what a search may ask for, how it is read
//! (words, "quoted phrases", `-excluded` words), how each database's engine is
//! asked, how matches are ranked and shown, and what makes work related.

/// The longest search text accepted, in characters.
pub const QUERY_MAX_CHARS: usize = 200;
/// Terms (words or phrases) beyond this many are ignored.
pub const QUERY_MAX_WORDS: usize = 10;
/// Relevance is ranked within this many of the newest matches a list holds
/// (newest by creation on PostgreSQL; on SQLite by the order rows entered
/// the table, the same for work created through the service); a word found
/// in most of the hub would otherwise rank every match on every page.
/// Within the set, the order is relevance, then newest.
pub const SEARCH_CANDIDATES: u64 = 200;

/// How much a match counts in each part of a submission: a title match ranks
/// above a summary match, which ranks above a match anywhere else.
pub const TITLE_WEIGHT: f64 = 1.0;
pub const SUMMARY_WEIGHT: f64 = 0.4;
pub const BODY_WEIGHT: f64 = 0.2;

/// The marks an engine puts around matched words in a snippet before the
/// snippet is escaped: characters of Unicode's private use area that no
/// escaping touches.
pub const MARK_START: char = '\u{E000}';
pub const MARK_END: char = '\u{E001}';

/// A search text longer than [`QUERY_MAX_CHARS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueryTooLong;

/// Why a search text cannot be searched for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryError {
    TooLong,
    /// Only excluded terms: nothing says what to find.
    NothingToFind,
}

/// One word or phrase of a search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchTerm {
    /// The words, in order: one for a word, more for a phrase.
    pub words: Vec<String>,
    /// Work that has this term is left out.
    pub excluded: bool,
}

/// A parsed search: every included term must match, no excluded one may.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery {
    terms: Vec<SearchTerm>,
}

/// A word as the engines' tokenizers see it: letters and digits only.
fn words_of(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

impl SearchQuery {
    /// Reads `text` as web search engines do: words must all match (stemmed),
    /// `"a phrase"` matches those words in order, a leading `-` excludes a
    /// word or phrase. Anything else (operators, brackets, `*`, `:`) is only
    /// a separator between words. `None` for blank text (no search); text
    /// with no word in it (`%`, `*`) is a search that finds nothing.
    pub fn parse(text: &str) -> Result<Option<Self>, QueryError> {
        if text.chars().count() > QUERY_MAX_CHARS {
            return Err(QueryError::TooLong);
        }
        let mut terms = Vec::new();
        let mut rest = text;
        while let Some(start) = rest.find(|c: char| !c.is_whitespace()) {
            rest = &rest[start..];
            let excluded = rest.starts_with('-');
            if excluded {
                rest = &rest[1..];
            }
            let raw;
            if let Some(inner) = rest.strip_prefix('"') {
                let end = inner.find('"').unwrap_or(inner.len());
                raw = &inner[..end];
                rest = inner.get(end + 1..).unwrap_or("");
            } else {
                let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
                raw = &rest[..end];
                rest = &rest[end..];
            }
            let words = words_of(raw);
            if !words.is_empty() {
                terms.push(SearchTerm { words, excluded });
            }
        }
        terms.truncate(QUERY_MAX_WORDS);
        if text.trim().is_empty() {
            return Ok(None);
        }
        if !terms.is_empty() && terms.iter().all(|t| t.excluded) {
            return Err(QueryError::NothingToFind);
        }
        Ok(Some(Self { terms }))
    }

    /// Any of `words` (used to find work like a title): never fails.
    pub fn any_of(text: &str) -> Option<Self> {
        let mut words = words_of(text);
        words.sort();
        words.dedup();
        words.retain(|w| w.chars().count() > 2);
        words.truncate(QUERY_MAX_WORDS);
        (!words.is_empty()).then(|| Self {
            terms: words
                .into_iter()
                .map(|w| SearchTerm {
                    words: vec![w],
                    excluded: false,
                })
                .collect(),
        })
    }

    pub fn terms(&self) -> &[SearchTerm] {
        &self.terms
    }

    /// A search with no word in it: it finds nothing.
    pub fn finds_nothing(&self) -> bool {
        self.terms.is_empty()
    }

    /// The search in PostgreSQL's `websearch_to_tsquery` syntax, every term
    /// quoted so that no word is read as an operator.
    pub fn to_websearch(&self) -> String {
        self.terms
            .iter()
            .map(|t| {
                format!(
                    "{}\"{}\"",
                    if t.excluded { "-" } else { "" },
                    t.words.join(" ")
                )
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The search as a PostgreSQL `to_tsquery` text matching any included
    /// term (for related work); words are letters and digits only.
    pub fn to_tsquery_any(&self) -> String {
        self.included()
            .map(|t| {
                let phrase = t.words.join(" <-> ");
                format!("({phrase})")
            })
            .collect::<Vec<_>>()
            .join(" | ")
    }

    /// The search as an SQLite FTS5 `MATCH` expression: each term a quoted
    /// string (a quote inside doubled), included terms joined by `AND`,
    /// excluded ones taken away with `NOT`. No user text is ever syntax.
    pub fn to_fts5(&self) -> String {
        self.fts5_joined(" AND ")
    }

    /// Like [`Self::to_fts5`], matching any included term.
    pub fn to_fts5_any(&self) -> String {
        self.fts5_joined(" OR ")
    }

    fn included(&self) -> impl Iterator<Item = &SearchTerm> {
        self.terms.iter().filter(|t| !t.excluded)
    }

    fn fts5_joined(&self, join: &str) -> String {
        let quote = |t: &SearchTerm| format!("\"{}\"", t.words.join(" ").replace('"', "\"\""));
        let included: Vec<String> = self.included().map(quote).collect();
        let excluded: Vec<String> = self
            .terms
            .iter()
            .filter(|t| t.excluded)
            .map(quote)
            .collect();
        let mut expression = format!("({})", included.join(join));
        if !excluded.is_empty() {
            expression = format!("{expression} NOT ({})", excluded.join(" OR "));
        }
        expression
    }
}

/// The lower-cased words a search matches on (kept for callers that only
/// need the words).
pub fn search_words(text: &str) -> Result<Vec<String>, QueryTooLong> {
    if text.chars().count() > QUERY_MAX_CHARS {
        return Err(QueryTooLong);
    }
    Ok(words_of(text).into_iter().take(QUERY_MAX_WORDS).collect())
}

/// How a listed submission matched a search.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchMatch {
    /// Higher is more relevant; comparable within one search only.
    pub rank: f64,
    /// Plain text around the match, HTML-escaped, matched words in `<mark>`.
    pub snippet: String,
}

/// Turns an engine's snippet, with matched words between [`MARK_START`] and
/// [`MARK_END`], into HTML: everything escaped, the marks as `<mark>` and
/// `</mark>`, always balanced (a stray mark is dropped).
pub fn snippet_html(marked: &str) -> String {
    let mut html = String::with_capacity(marked.len() + 16);
    let mut open = false;
    for c in marked.chars() {
        match c {
            MARK_START if !open => {
                html.push_str("<mark>");
                open = true;
            }
            MARK_END if open => {
                html.push_str("</mark>");
                open = false;
            }
            MARK_START | MARK_END => {}
            '&' => html.push_str("&amp;"),
            '<' => html.push_str("&lt;"),
            '>' => html.push_str("&gt;"),
            '"' => html.push_str("&quot;"),
            '\'' => html.push_str("&#39;"),
            c if c.is_control() && c != '\n' && c != '\t' => {}
            c => html.push(c),
        }
    }
    if open {
        html.push_str("</mark>");
    }
    html
}

/// Work related to a submission: the most requested results first.
pub const RELATED_DEFAULT: u64 = 5;
pub const RELATED_MAX: u64 = 20;
/// How many candidates, newest first, each way of being alike (shared tags,
/// shared title words) brings before they are scored.
pub const RELATED_POOL: u64 = 200;

/// What a candidate shares with the submission it may be related to.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Likeness {
    pub shared_priorities: u32,
    pub shared_practice_areas: u32,
    pub shared_topics: u32,
    /// The engine's relevance of the candidate to the source's title words,
    /// relative to the best such match among the candidates: 0 (none) to 1.
    pub text_rank: f64,
}

impl Likeness {
    /// A shared practice area or topic says more than a shared priority
    /// (there are only four priorities); title words add up to three points.
    pub fn score(&self) -> f64 {
        f64::from(self.shared_priorities)
            + 2.0 * f64::from(self.shared_practice_areas)
            + 2.0 * f64::from(self.shared_topics)
            + 3.0 * self.text_rank.clamp(0.0, 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> SearchQuery {
        SearchQuery::parse(text)
            .expect("parses")
            .expect("has terms")
    }

    #[test]
    fn words_are_lower_cased_and_capped() {
        let text = "Falls  PREVENTION a b c d e f g h i j";
        let words = search_words(text).expect("short enough");
        assert_eq!(words.len(), QUERY_MAX_WORDS);
        assert_eq!(&words[..2], ["falls", "prevention"]);
        assert_eq!(parsed(text).terms().len(), QUERY_MAX_WORDS);
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
        assert_eq!(
            SearchQuery::parse(&"a".repeat(QUERY_MAX_CHARS + 1)),
            Err(QueryError::TooLong)
        );
    }

    #[test]
    fn phrases_and_exclusions_are_read() {
        let query = parsed(r#"falls "Hip Protectors" -stroke -"care home""#);
        assert_eq!(
            query.terms(),
            [
                SearchTerm {
                    words: vec!["falls".into()],
                    excluded: false
                },
                SearchTerm {
                    words: vec!["hip".into(), "protectors".into()],
                    excluded: false
                },
                SearchTerm {
                    words: vec!["stroke".into()],
                    excluded: true
                },
                SearchTerm {
                    words: vec!["care".into(), "home".into()],
                    excluded: true
                },
            ]
        );
        assert_eq!(
            query.to_fts5(),
            r#"("falls" AND "hip protectors") NOT ("stroke" OR "care home")"#
        );
        assert_eq!(
            query.to_websearch(),
            r#""falls" "hip protectors" -"stroke" -"care home""#
        );
    }

    #[test]
    fn operators_and_punctuation_are_never_syntax() {
        for text in [
            r#"falls NEAR(x y) OR title:abc* ^"#,
            r#"" "" """ ("#,
            "a\u{0}b",
            r#"-"unterminated phrase"#,
            "col:\"x\" AND (y OR z)",
            "'; DROP TABLE submissions; --",
        ] {
            if let Ok(Some(query)) = SearchQuery::parse(text)
                && !query.finds_nothing()
            {
                let fts = query.to_fts5();
                // Every quote the expression holds opens or closes a term.
                let inner: Vec<&str> = fts.split('"').skip(1).step_by(2).collect();
                for term in inner {
                    assert!(
                        term.chars().all(|c| c.is_alphanumeric() || c == ' '),
                        "{fts}"
                    );
                }
                assert!(!query.to_websearch().contains(['(', ':', '*', '\u{0}']));
            }
        }
        let wordless = SearchQuery::parse(r#"" "" * : ( )"#).expect("parses");
        assert!(wordless.is_some_and(|q| q.finds_nothing()));
        assert_eq!(SearchQuery::parse("   "), Ok(None));
    }

    #[test]
    fn only_exclusions_find_nothing() {
        assert_eq!(
            SearchQuery::parse("-falls -\"care home\""),
            Err(QueryError::NothingToFind)
        );
    }

    #[test]
    fn any_of_a_title_keeps_distinct_longer_words() {
        let query = SearchQuery::any_of("Falls at home: a falls clinic").expect("words");
        assert_eq!(query.to_fts5_any(), r#"("clinic" OR "falls" OR "home")"#);
        assert_eq!(query.to_tsquery_any(), "(clinic) | (falls) | (home)");
        assert!(SearchQuery::any_of("a: b").is_none());
    }

    #[test]
    fn snippets_escape_everything_but_the_marks() {
        let marked = format!("<script>{MARK_START}falls{MARK_END} & \"x\"</script>");
        assert_eq!(
            snippet_html(&marked),
            "&lt;script&gt;<mark>falls</mark> &amp; &quot;x&quot;&lt;/script&gt;"
        );
    }

    #[test]
    fn snippet_marks_are_always_balanced() {
        let marked = format!("{MARK_END}a {MARK_START}b {MARK_START}c");
        assert_eq!(snippet_html(&marked), "a <mark>b c</mark>");
    }

    #[test]
    fn shared_areas_count_more_than_a_shared_priority() {
        let priority = Likeness {
            shared_priorities: 1,
            ..Likeness::default()
        };
        let area = Likeness {
            shared_practice_areas: 1,
            ..Likeness::default()
        };
        let text = Likeness {
            text_rank: 5.0,
            ..Likeness::default()
        };
        assert!(area.score() > priority.score());
        assert_eq!(text.score(), 3.0);
    }
}
