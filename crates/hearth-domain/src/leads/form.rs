//! Web forms on the business's own site that post leads into a pipeline.

use super::lead::{Draft, LeadFields, LeadSource};
use super::money::DEFAULT_CURRENCY;
use crate::customers::clean_text;
use crate::{Invalid, LeadFormId, PipelineId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The hidden field bots fill in and people never see.
pub const HONEYPOT: &str = "website";

/// A capture form's settings.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct LeadForm {
    pub id: LeadFormId,
    pub pipeline_id: PipelineId,
    pub name: String,
    /// Public: it is in the page that embeds the form. Identifies the form,
    /// grants nothing else.
    pub public_key: String,
    /// Sites allowed to post from a script (CORS); empty allows any.
    pub allowed_origins: Vec<String>,
    /// Where a browser goes after a plain HTML post; without it, a thank-you page.
    pub redirect_url: Option<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LeadFormInput {
    #[schema(pattern = "\\S")]
    pub name: String,
    /// Defaults to the default pipeline.
    pub pipeline_id: Option<PipelineId>,
    #[serde(default)]
    pub allowed_origins: Vec<String>,
    pub redirect_url: Option<String>,
}

/// Validated form settings.
#[derive(Clone, Debug, PartialEq)]
pub struct FormSettings {
    pub name: String,
    pub allowed_origins: Vec<String>,
    pub redirect_url: Option<String>,
}

impl LeadFormInput {
    pub fn validate(&self) -> Result<FormSettings, Invalid> {
        let mut errors = Invalid::default();
        let name = clean_text("name", Some(&self.name), 120, &mut errors);
        if name.is_none() && errors.0.is_empty() {
            errors.push("name", "is empty");
        }
        if self.allowed_origins.len() > 10 {
            errors.push("allowed_origins", "at most 10 origins");
        }
        let mut origins = Vec::new();
        for (i, raw) in self.allowed_origins.iter().enumerate() {
            match parse_origin(raw) {
                Some(o) if !origins.contains(&o) => origins.push(o),
                Some(_) => {}
                None => errors.push(
                    format!("allowed_origins[{i}]"),
                    "is not an origin such as https://www.example.com",
                ),
            }
        }
        let redirect_url = match self.redirect_url.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(url) if is_web_url(url) => Some(url.to_string()),
            Some(_) => {
                errors.push("redirect_url", "is not an http(s) URL");
                None
            }
        };
        errors.or_ok(FormSettings {
            name: name.unwrap_or_default(),
            allowed_origins: origins,
            redirect_url,
        })
    }
}

/// `https://Example.com:8443/` → `https://example.com:8443`, as browsers
/// send the `Origin` header; `None` for anything else.
pub fn parse_origin(raw: &str) -> Option<String> {
    let raw = raw.trim().trim_end_matches('/').to_ascii_lowercase();
    let (scheme, rest) = raw.split_once("://")?;
    if !matches!(scheme, "http" | "https") || rest.is_empty() || rest.len() > 253 {
        return None;
    }
    let (host, port) = match rest.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (rest, None),
    };
    let host_ok = !host.is_empty()
        && !host.starts_with('.')
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
    let port_ok = port.is_none_or(|p| p.parse::<u16>().is_ok_and(|n| n > 0));
    (host_ok && port_ok).then_some(raw)
}

fn is_web_url(url: &str) -> bool {
    (url.starts_with("https://") || url.starts_with("http://"))
        && url.len() <= 2000
        && !url.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// What a visitor typed, after validation.
#[derive(Clone, Debug, PartialEq)]
pub enum Submission {
    /// A bot filled in the honeypot: answer as if accepted, store nothing.
    Spam,
    Lead(Box<LeadFields>),
}

const EXTRA_FIELDS_MAX: usize = 20;

/// Reads a submission's fields (in the order posted). Our field names are
/// taken as meant; any others the site adds (say `service_type`) are kept
/// in the notes so nothing the visitor typed is lost.
pub fn parse_submission(pairs: &[(String, String)], region: &str) -> Result<Submission, Invalid> {
    let mut errors = Invalid::default();
    let mut known: Vec<(&str, String)> = Vec::new();
    let mut extras: Vec<(String, String)> = Vec::new();
    for (key, value) in pairs {
        let value = value.trim();
        let canonical = match key.as_str() {
            "first_name" | "last_name" | "name" | "business_name" | "email" | "phone"
            | "message" | HONEYPOT => Some(key.as_str()),
            "company" => Some("business_name"),
            "address" | "service_address" => Some("service_address"),
            "notes" => Some("message"),
            _ => None,
        };
        match canonical {
            Some(k) => match known.iter_mut().find(|(n, _)| *n == k) {
                Some((_, v)) if !value.is_empty() => *v = format!("{v}, {value}"),
                Some(_) => {}
                None => known.push((k, value.to_string())),
            },
            None if value.is_empty() => {}
            None => {
                let key_ok = (1..=64).contains(&key.len())
                    && key
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "_-. ".contains(c));
                if !key_ok {
                    errors.push(
                        key.chars().take(64).collect::<String>(),
                        "is not a field name (letters, digits, _ - . only)",
                    );
                } else {
                    extras.push((key.clone(), value.to_string()));
                }
            }
        }
    }
    let get = |k: &str| {
        known
            .iter()
            .find(|(n, _)| *n == k)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    };
    if get(HONEYPOT).is_some() {
        return Ok(Submission::Spam);
    }
    if extras.len() > EXTRA_FIELDS_MAX {
        errors.push("body", format!("at most {EXTRA_FIELDS_MAX} extra fields"));
    }
    let mut notes = get("message").unwrap_or_default().to_string();
    for (key, value) in &extras {
        if let Some(v) = clean_text(key, Some(value), 2000, &mut errors) {
            if !notes.is_empty() {
                notes.push('\n');
            }
            notes.push_str(&format!("{}: {v}", key.replace('_', " ")));
        }
    }
    let (split_first, split_last) = match get("name").map(|n| n.split_once(char::is_whitespace)) {
        Some(Some((f, l))) => (Some(f), Some(l.trim())),
        Some(None) => (get("name"), None),
        None => (None, None),
    };
    let fields = Draft {
        first_name: get("first_name").or(split_first),
        last_name: get("last_name").or(split_last),
        business_name: get("business_name"),
        email: get("email"),
        phone: get("phone"),
        service_address: get("service_address"),
        source: LeadSource::WebForm,
        owner_id: None,
        value_minor: 0,
        currency: DEFAULT_CURRENCY,
        expected_close_date: None,
        notes: Some(notes.as_str()).filter(|n| !n.is_empty()),
        lost_reason: None,
    }
    .validate(region);
    let no_contact = "give an email address or a phone number";
    match fields {
        Ok(f) => {
            if f.email.is_none() && f.phone.is_none() {
                errors.push("email", no_contact);
            }
            if errors.0.is_empty() {
                return Ok(Submission::Lead(Box::new(f)));
            }
        }
        Err(e) => {
            for mut err in e.0 {
                if err.field == "first_name" && get("name").is_some() {
                    err.field = "name".to_string();
                }
                if err.field == "notes" {
                    err.field = "message".to_string();
                }
                // A form needs a way to reply more than it needs a name.
                if err.message.starts_with("a lead needs") {
                    errors.push("email", no_contact);
                } else {
                    errors.0.push(err);
                }
            }
            if get("email").is_none() && get("phone").is_none() {
                errors.push("email", no_contact);
            }
        }
    }
    Err(dedup(errors))
}

fn dedup(mut errors: Invalid) -> Invalid {
    let mut seen = Vec::new();
    errors.0.retain(|e| {
        let new = !seen.contains(&e.field);
        seen.push(e.field.clone());
        new
    });
    errors
}

/// HTML to paste into a site: a plain form (works without script) that
/// posts to `action_url`, with the honeypot hidden from people.
pub fn embed_snippet(action_url: &str) -> String {
    let action = html_escape(action_url);
    format!(
        r#"<form method="post" action="{action}" accept-charset="utf-8">
  <label>Name <input name="name" autocomplete="name" required></label>
  <label>Phone <input name="phone" type="tel" autocomplete="tel"></label>
  <label>Email <input name="email" type="email" autocomplete="email"></label>
  <label>Address <input name="address" autocomplete="street-address"></label>
  <label>How can we help? <textarea name="message" rows="4"></textarea></label>
  <div aria-hidden="true" style="position:absolute;left:-10000px"><input name="{HONEYPOT}" tabindex="-1" autocomplete="off"></div>
  <button type="submit">Send</button>
</form>"#
    )
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_typical_submission_becomes_a_web_form_lead() {
        let s = parse_submission(
            &pairs(&[
                ("name", "Rosa Diaz Parker"),
                ("phone", "512 555 0199"),
                ("message", "AC is blowing warm air"),
                ("service_type", "Repair"),
                (HONEYPOT, ""),
            ]),
            "US",
        )
        .unwrap();
        let Submission::Lead(f) = s else {
            panic!("not spam")
        };
        assert_eq!(f.first_name.as_deref(), Some("Rosa"));
        assert_eq!(f.last_name.as_deref(), Some("Diaz Parker"));
        assert_eq!(f.phone.as_deref(), Some("+15125550199"));
        assert_eq!(f.source, LeadSource::WebForm);
        assert_eq!(
            f.notes.as_deref(),
            Some("AC is blowing warm air\nservice type: Repair")
        );
    }

    #[test]
    fn the_honeypot_marks_spam() {
        let s = parse_submission(
            &pairs(&[
                ("name", "Bot"),
                ("email", "bot@x.com"),
                (HONEYPOT, "http://spam"),
            ]),
            "US",
        );
        assert_eq!(s.unwrap(), Submission::Spam);
    }

    #[test]
    fn bad_submissions_name_the_field() {
        let err = parse_submission(&pairs(&[("name", "Ann")]), "US").unwrap_err();
        assert_eq!(err.0[0].field, "email");
        let err =
            parse_submission(&pairs(&[("name", "Ann"), ("email", "nope")]), "US").unwrap_err();
        assert_eq!(err.0[0].field, "email");
        let err =
            parse_submission(&pairs(&[("email", "a@b.com"), ("<script>", "x")]), "US").unwrap_err();
        assert_eq!(err.0[0].field, "<script>");
    }

    #[test]
    fn origins_are_normalised() {
        assert_eq!(
            parse_origin("https://WWW.Example.com/").as_deref(),
            Some("https://www.example.com")
        );
        assert_eq!(
            parse_origin("http://localhost:3000").as_deref(),
            Some("http://localhost:3000")
        );
        assert!(parse_origin("ftp://example.com").is_none());
        assert!(parse_origin("https://example.com/path").is_none());
        assert!(parse_origin("example.com").is_none());
    }

    #[test]
    fn the_snippet_posts_to_the_form_and_hides_the_honeypot() {
        let html = embed_snippet("https://crm.example.com/hooks/forms/lf_abc");
        assert!(html.contains(r#"action="https://crm.example.com/hooks/forms/lf_abc""#));
        assert!(html.contains(r#"name="website" tabindex="-1""#));
    }
}
