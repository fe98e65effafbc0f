//! Email open and click tracking: a pixel per email and a redirecting link
//! per web address in its text. The redirect goes only to an address stored
//! with its token, so a tracking link is never an open redirect.

use serde::{Deserialize, Serialize};

/// One tracked web address of an email.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    pub url: String,
    pub token: String,
}

/// The tokens of one email: its open pixel and its links.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tokens {
    pub open: String,
    pub links: Vec<Link>,
}

/// Path of the open pixel under the public base URL.
pub fn open_path(token: &str) -> String {
    format!("/t/o/{token}")
}

/// Path of a redirecting link under the public base URL.
pub fn click_path(token: &str) -> String {
    format!("/t/c/{token}")
}

/// Where a web address written in plain text ends: at white space or at
/// closing punctuation that more likely belongs to the sentence.
fn url_end(s: &str) -> usize {
    let end = s
        .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"'))
        .unwrap_or(s.len());
    s[..end]
        .trim_end_matches(['.', ',', ';', ':', '!', '?', ')', '\''])
        .len()
}

/// Byte ranges of the http(s) addresses in `text`, in order.
fn url_spans(text: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut from = 0;
    while let Some(found) = ["http://", "https://"]
        .iter()
        .filter_map(|p| text[from..].find(p).map(|i| from + i))
        .min()
    {
        let len = url_end(&text[found..]);
        // A bare scheme is not an address.
        if len > "https://".len() {
            spans.push((found, found + len));
        }
        from = found + len.max(1);
    }
    spans
}

/// The distinct web addresses of `text`, in order of first appearance.
pub fn links(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (a, b) in url_spans(text) {
        if !out.iter().any(|u| u == &text[a..b]) {
            out.push(text[a..b].to_string());
        }
    }
    out
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' => out.push_str("<br>\n"),
            c => out.push(c),
        }
    }
    out
}

/// The plain-text and HTML parts of an email: each tracked address becomes
/// its redirecting link, and the HTML part carries the open pixel.
pub fn render_email(body: &str, tokens: &Tokens, base_url: &str) -> (String, String) {
    let base = base_url.trim_end_matches('/');
    let tracked = |url: &str| {
        tokens
            .links
            .iter()
            .find(|l| l.url == url)
            .map(|l| format!("{base}{}", click_path(&l.token)))
    };
    let (mut text, mut html) = (
        String::new(),
        String::from("<!doctype html><html><body><p>"),
    );
    let mut last = 0;
    for (a, b) in url_spans(body) {
        let url = &body[a..b];
        text.push_str(&body[last..a]);
        html.push_str(&escape(&body[last..a]));
        match tracked(url) {
            Some(link) => {
                text.push_str(&link);
                html.push_str(&format!(
                    "<a href=\"{}\">{}</a>",
                    escape(&link),
                    escape(url)
                ));
            }
            None => {
                text.push_str(url);
                html.push_str(&escape(url));
            }
        }
        last = b;
    }
    text.push_str(&body[last..]);
    html.push_str(&escape(&body[last..]));
    html.push_str(&format!(
        "</p><img src=\"{}\" width=\"1\" height=\"1\" alt=\"\"></body></html>",
        escape(&format!("{base}{}", open_path(&tokens.open)))
    ));
    (text, html)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_addresses_without_trailing_punctuation() {
        let text = "Book at https://acme.example/book. Or see (http://acme.example/faq?q=1), \
                    again https://acme.example/book and https:// nothing";
        assert_eq!(
            links(text),
            ["https://acme.example/book", "http://acme.example/faq?q=1"]
        );
        assert!(links("no links here").is_empty());
    }

    #[test]
    fn rewrites_links_escapes_text_and_adds_the_pixel() {
        let tokens = Tokens {
            open: "OPEN".into(),
            links: vec![Link {
                url: "https://acme.example/book".into(),
                token: "CLICK".into(),
            }],
        };
        let (text, html) = render_email(
            "Hi <Grace> & co,\nbook at https://acme.example/book.",
            &tokens,
            "https://crm.example/",
        );
        assert_eq!(
            text,
            "Hi <Grace> & co,\nbook at https://crm.example/t/c/CLICK."
        );
        assert!(html.contains("Hi &lt;Grace&gt; &amp; co,<br>"));
        assert!(
            html.contains(
                "<a href=\"https://crm.example/t/c/CLICK\">https://acme.example/book</a>."
            )
        );
        assert!(html.contains("<img src=\"https://crm.example/t/o/OPEN\""));
    }
}
