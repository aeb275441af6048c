//! The words of each mail: plain English, a text and an HTML part, naming
//! the hub and the work, and no one's personal data but the recipient's own.

use domain::notification::MailKind;

/// The hub's name as mails give it.
pub const HUB_NAME: &str = "Innovation hub";

/// What a mail says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Composed {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// What a mail is built from.
#[derive(Debug, Clone, Default)]
pub struct MailFacts<'a> {
    pub title: &'a str,
    /// Where the work can be found.
    pub link: &'a str,
    pub comments: &'a [String],
    /// The one-click link that turns this kind off; `None` for transactional mail.
    pub unsubscribe: Option<&'a str>,
}

/// Escapes text for HTML.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A title fit for a subject line: one line, no control characters, not too long.
fn one_line(text: &str) -> String {
    let flat: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let flat = flat.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() > 120 {
        format!("{}…", flat.chars().take(119).collect::<String>())
    } else {
        flat
    }
}

/// Paragraphs of a mail, each either text or a link.
enum Part {
    Text(String),
    Link(String, String),
    List(Vec<String>),
}

fn render(subject: String, parts: &[Part], footer: &[Part]) -> Composed {
    let mut text = String::from("Hello,\n\n");
    let mut html =
        String::from("<!DOCTYPE html><html><body style=\"font-family: sans-serif\"><p>Hello,</p>");
    for part in parts.iter().chain(footer) {
        match part {
            Part::Text(words) => {
                text.push_str(words);
                text.push_str("\n\n");
                html.push_str(&format!("<p>{}</p>", escape_html(words)));
            }
            Part::Link(words, url) => {
                text.push_str(&format!("{words}: {url}\n\n"));
                html.push_str(&format!(
                    "<p><a href=\"{}\">{}</a></p>",
                    escape_html(url),
                    escape_html(words)
                ));
            }
            Part::List(items) => {
                html.push_str("<ul>");
                for item in items {
                    text.push_str(&format!("  - {}\n", item.trim()));
                    html.push_str(&format!("<li>{}</li>", escape_html(item.trim())));
                }
                text.push('\n');
                html.push_str("</ul>");
            }
        }
    }
    text.push_str(&format!("The {HUB_NAME}\n"));
    html.push_str(&format!("<p>The {HUB_NAME}</p></body></html>"));
    Composed {
        subject,
        text,
        html,
    }
}

/// The mail of `kind` from `facts`.
pub fn compose(kind: MailKind, facts: &MailFacts<'_>) -> Composed {
    let title = one_line(facts.title);
    let quoted = format!("\u{201c}{title}\u{201d}");
    let (subject, parts, why) = match kind {
        MailKind::Published => (
            format!("Published on the {HUB_NAME}: {title}"),
            vec![
                Part::Text(format!(
                    "Good news: your work {quoted} has been reviewed and published on the {HUB_NAME}. Every member can now read it and learn from it."
                )),
                Part::Link("Read it on the hub".into(), facts.link.into()),
            ],
            "decisions about your work",
        ),
        MailKind::ChangesRequested => {
            let mut parts = vec![Part::Text(format!(
                "A reviewer has asked for changes to your work {quoted} before it can be published on the {HUB_NAME}."
            ))];
            if facts.comments.is_empty() {
                parts.push(Part::Text("The reviewer left no comments.".into()));
            } else {
                parts.push(Part::Text("The reviewer's comments:".into()));
                parts.push(Part::List(facts.comments.to_vec()));
            }
            parts.push(Part::Link(
                "Edit it and submit it again".into(),
                facts.link.into(),
            ));
            (
                format!("Changes requested: {title}"),
                parts,
                "decisions about your work",
            )
        }
        MailKind::Rejected => (
            format!("Not accepted for publication: {title}"),
            vec![
                Part::Text(format!(
                    "Your work {quoted} has been reviewed and was not accepted for publication on the {HUB_NAME}. Its review is in the hub."
                )),
                Part::Link("See the review".into(), facts.link.into()),
            ],
            "decisions about your work",
        ),
        MailKind::Adopted => (
            format!("Your work has been adopted: {title}"),
            vec![
                Part::Text(format!(
                    "A member of the {HUB_NAME} has reported adopting your work {quoted} in their organisation. Thank you for sharing it."
                )),
                Part::Link("See it on the hub".into(), facts.link.into()),
            ],
            "reports that your work was adopted",
        ),
        MailKind::ReviewQueue => (
            format!("Ready for review: {title}"),
            vec![
                Part::Text(format!(
                    "{quoted} has been submitted to the {HUB_NAME} and is waiting in the review queue."
                )),
                Part::Link("Open it".into(), facts.link.into()),
            ],
            "work entering the review queue",
        ),
        MailKind::ErasureConfirmation => (
            format!("Your {HUB_NAME} account has been erased"),
            vec![
                Part::Text(format!(
                    "As you asked, your {HUB_NAME} account has been erased: your personal data and demographics are removed and your drafts deleted. Work you had submitted stays on the hub under \"Former member\"."
                )),
                Part::Text(
                    "This confirms your request. It is sent whatever your mail choices, it cannot be unsubscribed from, and no further mail will follow: this address is no longer kept."
                        .into(),
                ),
            ],
            "",
        ),
    };
    let footer = match facts.unsubscribe {
        Some(link) if kind.category().is_some() => vec![
            Part::Text(format!(
                "You get this mail because you chose to hear of {why}."
            )),
            Part::Link("Stop these mails (one click)".into(), link.into()),
        ],
        _ => Vec::new(),
    };
    render(subject, &parts, &footer)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts<'a>(comments: &'a [String]) -> MailFacts<'a> {
        MailFacts {
            title: "Falls <prevention> & \"more\"",
            link: "https://hub.example.org/api/v1/submissions/1",
            comments,
            unsubscribe: Some("https://hub.example.org/api/v1/unsubscribe?token=abc"),
        }
    }

    #[test]
    fn html_escapes_titles_and_comments() {
        let comments = vec!["Add <b>data</b> & measures".to_owned()];
        let mail = compose(MailKind::ChangesRequested, &facts(&comments));
        assert!(
            mail.html
                .contains("Falls &lt;prevention&gt; &amp; &quot;more&quot;")
        );
        assert!(
            mail.html
                .contains("Add &lt;b&gt;data&lt;/b&gt; &amp; measures")
        );
        assert!(!mail.html.contains("<b>data"));
        assert!(mail.text.contains("Add <b>data</b> & measures"));
        assert_eq!(
            mail.subject,
            "Changes requested: Falls <prevention> & \"more\""
        );
    }

    #[test]
    fn every_mail_names_the_hub_the_work_and_its_link() {
        for kind in [
            MailKind::Published,
            MailKind::ChangesRequested,
            MailKind::Rejected,
            MailKind::Adopted,
            MailKind::ReviewQueue,
        ] {
            let mail = compose(kind, &facts(&[]));
            assert!(mail.text.contains(HUB_NAME), "{kind}");
            assert!(mail.text.contains("Falls <prevention>"), "{kind}");
            assert!(mail.text.contains("/api/v1/submissions/1"), "{kind}");
            assert!(mail.text.contains("unsubscribe?token=abc"), "{kind}");
            assert!(mail.html.contains("unsubscribe?token=abc"), "{kind}");
        }
    }

    #[test]
    fn the_erasure_confirmation_offers_no_unsubscribe() {
        let mail = compose(MailKind::ErasureConfirmation, &facts(&[]));
        assert!(!mail.text.contains("unsubscribe?token"));
        assert!(mail.text.contains("cannot be unsubscribed from"));
    }

    #[test]
    fn subjects_are_one_line() {
        let mut f = facts(&[]);
        f.title = "Line one\r\nBcc: someone@example.org";
        let mail = compose(MailKind::Published, &f);
        assert!(!mail.subject.contains('\n'));
        assert!(!mail.subject.contains('\r'));
    }
}
