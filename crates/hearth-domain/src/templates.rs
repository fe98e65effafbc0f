//! Message templates with merge fields (`{{first_name}}`), and the message a
//! user composes on the customer card.

use crate::comms::Channel;
use crate::{Invalid, TemplateId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Every merge field a template may use.
pub const FIELDS: [&str; 7] = [
    "first_name",
    "last_name",
    "full_name",
    "business_name",
    "email",
    "phone",
    "org_name",
];

/// The merge fields of reminder messages to customers, on top of [`FIELDS`].
pub const REMINDER_FIELDS: [&str; 2] = ["item", "date"];

/// The values merged into a message for one recipient; a missing value
/// merges as empty text.
#[derive(Clone, Debug, Default)]
pub struct MergeValues {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub business_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub org_name: String,
    /// Only in reminder messages: elsewhere `{{item}}` and `{{date}}` are
    /// unknown fields, so a staff template cannot use them by mistake.
    pub event: Option<EventValues>,
}

/// What a reminder message is about: `{{item}}` (the equipment, the
/// membership plan) and `{{date}}` (warranty end, renewal), written out.
#[derive(Clone, Debug, Default)]
pub struct EventValues {
    pub item: String,
    pub date: String,
}

impl MergeValues {
    fn get(&self, field: &str) -> Option<String> {
        let v = |o: &Option<String>| o.clone().unwrap_or_default();
        Some(match field {
            "first_name" => v(&self.first_name),
            "last_name" => v(&self.last_name),
            "full_name" => [&self.first_name, &self.last_name]
                .into_iter()
                .flatten()
                .map(String::as_str)
                .collect::<Vec<_>>()
                .join(" "),
            "business_name" => v(&self.business_name),
            "email" => v(&self.email),
            "phone" => v(&self.phone),
            "org_name" => self.org_name.clone(),
            "item" => self.event.as_ref()?.item.clone(),
            "date" => self.event.as_ref()?.date.clone(),
            _ => return None,
        })
    }
}

/// Why a text cannot be rendered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RenderError {
    UnknownField(String),
    Unclosed,
}

impl std::fmt::Display for RenderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RenderError::UnknownField(name) => write!(
                f,
                "uses unknown merge field {{{{{name}}}}}; known fields: {} (reminder messages also {})",
                FIELDS.join(", "),
                REMINDER_FIELDS.join(", ")
            ),
            RenderError::Unclosed => f.write_str("has a {{ without a closing }}"),
        }
    }
}

/// Replaces every `{{ field }}` in `text` by its value.
pub fn render(text: &str, values: &MergeValues) -> Result<String, RenderError> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find("{{") {
        out.push_str(&rest[..open]);
        let after = &rest[open + 2..];
        let close = after.find("}}").ok_or(RenderError::Unclosed)?;
        let name = after[..close].trim();
        let value = values
            .get(name)
            .ok_or_else(|| RenderError::UnknownField(name.to_string()))?;
        out.push_str(&value);
        rest = &after[close + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Checks a template text against the known fields without a recipient.
pub fn check(text: &str) -> Result<(), RenderError> {
    render(text, &MergeValues::default()).map(|_| ())
}

/// Checks a reminder message text, which may also use [`REMINDER_FIELDS`].
pub fn check_reminder(text: &str) -> Result<(), RenderError> {
    let values = MergeValues {
        event: Some(EventValues::default()),
        ..MergeValues::default()
    };
    render(text, &values).map(|_| ())
}

pub const NAME_MAX: usize = 100;
pub const SUBJECT_MAX: usize = 200;
/// An SMS longer than ten segments is almost certainly a mistake.
pub const SMS_MAX: usize = 1_600;

/// A stored template.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Template {
    pub id: TemplateId,
    pub name: String,
    pub channel: Channel,
    /// Email only.
    pub subject: Option<String>,
    pub body: String,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// `POST /api/v1/message-templates`.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateInput {
    /// Up to 100 characters.
    #[schema(pattern = "\\S")]
    pub name: String,
    /// `email` or `sms`.
    pub channel: Channel,
    /// Required for email, absent for SMS.
    #[serde(default)]
    pub subject: Option<String>,
    #[schema(pattern = "\\S")]
    pub body: String,
}

/// `PUT /api/v1/message-templates/{id}`: the whole template again, with
/// the version last read (stale → 409). Its own type, not `TemplateInput`
/// with an optional version, so the document says the version is needed.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateReplacement {
    pub version: i64,
    /// Up to 100 characters.
    #[schema(pattern = "\\S")]
    pub name: String,
    /// `email` or `sms`.
    pub channel: Channel,
    /// Required for email, absent for SMS.
    #[serde(default)]
    pub subject: Option<String>,
    #[schema(pattern = "\\S")]
    pub body: String,
}

impl TemplateReplacement {
    /// The version it was read at, and the template.
    pub fn split(self) -> (i64, TemplateInput) {
        let TemplateReplacement {
            version,
            name,
            channel,
            subject,
            body,
        } = self;
        let template = TemplateInput {
            name,
            channel,
            subject,
            body,
        };
        (version, template)
    }
}

/// A template or message after validation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Content {
    pub channel: Channel,
    pub subject: Option<String>,
    pub body: String,
}

fn trimmed(raw: Option<&str>) -> Option<String> {
    raw.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// The rules shared by templates, composed messages and reminder messages:
/// a channel we can send on, a subject exactly for email, lengths, and
/// merge fields that `check` knows.
fn content(
    errors: &mut Invalid,
    channel: Channel,
    subject: Option<&str>,
    body: &str,
    check: fn(&str) -> Result<(), RenderError>,
) -> Option<Content> {
    let subject = trimmed(subject);
    let body = body.trim().to_string();
    match channel {
        Channel::Email => match &subject {
            None => errors.push("subject", "is required for email"),
            Some(s) if s.chars().count() > SUBJECT_MAX => errors.push(
                "subject",
                format!("must be at most {SUBJECT_MAX} characters"),
            ),
            Some(s) => {
                if let Err(e) = check(s) {
                    errors.push("subject", e.to_string())
                }
            }
        },
        Channel::Sms => {
            if subject.is_some() {
                errors.push("subject", "must be absent for SMS");
            }
            if body.chars().count() > SMS_MAX {
                errors.push("body", format!("must be at most {SMS_MAX} characters"));
            }
        }
        _ => errors.push("channel", "must be email or sms"),
    }
    if body.is_empty() {
        errors.push("body", "is required");
    } else if body.chars().count() > crate::comms::BODY_MAX {
        errors.push(
            "body",
            format!("must be at most {} characters", crate::comms::BODY_MAX),
        );
    } else if let Err(e) = check(&body) {
        errors.push("body", e.to_string());
    }
    Some(Content {
        channel,
        subject,
        body,
    })
}

impl TemplateInput {
    pub fn validate(&self) -> Result<(String, Content), Invalid> {
        let mut errors = Invalid::default();
        let name = self.name.trim().to_string();
        if name.is_empty() {
            errors.push("name", "is required");
        } else if name.chars().count() > NAME_MAX {
            errors.push("name", format!("must be at most {NAME_MAX} characters"));
        }
        let content = content(
            &mut errors,
            self.channel,
            self.subject.as_deref(),
            &self.body,
            check,
        );
        errors.or_ok((name, content.expect("content always returns")))
    }
}

/// `POST /api/v1/customers/{id}/messages`: written out, or from a template.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MessageInput {
    /// `email` or `sms`.
    pub channel: Channel,
    /// Email only; taken from the template when absent.
    #[serde(default)]
    pub subject: Option<String>,
    /// Taken from the template when absent.
    #[serde(default)]
    pub body: Option<String>,
    #[serde(default)]
    pub template_id: Option<TemplateId>,
}

impl MessageInput {
    /// Validates the message after the template (if any) filled the gaps.
    pub fn validate(&self, template: Option<&Template>) -> Result<Content, Invalid> {
        let mut errors = Invalid::default();
        if let Some(t) = template
            && t.channel != self.channel
        {
            errors.push(
                "template_id",
                format!("is a {} template", t.channel.as_str()),
            );
        }
        let subject = self
            .subject
            .as_deref()
            .or(template.and_then(|t| t.subject.as_deref()));
        let body = self
            .body
            .as_deref()
            .or(template.map(|t| t.body.as_str()))
            .unwrap_or("");
        let content = content(&mut errors, self.channel, subject, body, check);
        errors.or_ok(content.expect("content always returns"))
    }
}

/// Validates the text of a reminder message to customers on `channel`.
/// Errors name `subject` and `body`; the caller says whose they are.
pub fn reminder_content(
    channel: Channel,
    subject: Option<&str>,
    body: &str,
) -> Result<Content, Invalid> {
    let mut errors = Invalid::default();
    let content = content(&mut errors, channel, subject, body, check_reminder);
    errors.or_ok(content.expect("content always returns"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grace() -> MergeValues {
        MergeValues {
            first_name: Some("Grace".into()),
            last_name: Some("Hopper".into()),
            org_name: "Acme Heating".into(),
            ..Default::default()
        }
    }

    #[test]
    fn merges_known_fields_and_leaves_other_text_alone() {
        let text = "Hi {{first_name}}, {{ org_name }} here. {{full_name}} / {{business_name}}.";
        assert_eq!(
            render(text, &grace()).unwrap(),
            "Hi Grace, Acme Heating here. Grace Hopper / ."
        );
        assert_eq!(render("no fields", &grace()).unwrap(), "no fields");
    }

    #[test]
    fn unknown_and_unclosed_fields_are_named() {
        assert_eq!(
            render("Hi {{nickname}}", &grace()),
            Err(RenderError::UnknownField("nickname".into()))
        );
        assert!(
            RenderError::UnknownField("nickname".into())
                .to_string()
                .contains("{{nickname}}")
        );
        assert_eq!(
            render("Hi {{first_name", &grace()),
            Err(RenderError::Unclosed)
        );
    }

    #[test]
    fn item_and_date_are_reminder_fields_only() {
        let text = "Your {{item}} warranty ends {{date}}";
        assert_eq!(
            render(text, &grace()),
            Err(RenderError::UnknownField("item".into()))
        );
        assert!(check(text).is_err());
        assert!(check_reminder(text).is_ok());
        let values = MergeValues {
            event: Some(EventValues {
                item: "Furnace".into(),
                date: "June 1, 2027".into(),
            }),
            ..grace()
        };
        assert_eq!(
            render(text, &values).unwrap(),
            "Your Furnace warranty ends June 1, 2027"
        );
        let err = reminder_content(Channel::Sms, None, "Hi {{nickname}}").unwrap_err();
        assert_eq!(err.0[0].field, "body");
    }

    #[test]
    fn email_needs_a_subject_and_sms_has_none() {
        let msg = |channel, subject: Option<&str>| MessageInput {
            channel,
            subject: subject.map(str::to_string),
            body: Some("Hello".into()),
            template_id: None,
        };
        let fields = |r: Result<Content, Invalid>| -> Vec<String> {
            r.unwrap_err().0.into_iter().map(|e| e.field).collect()
        };
        assert_eq!(
            fields(msg(Channel::Email, None).validate(None)),
            ["subject"]
        );
        assert_eq!(
            fields(msg(Channel::Sms, Some("x")).validate(None)),
            ["subject"]
        );
        assert_eq!(fields(msg(Channel::Call, None).validate(None)), ["channel"]);
        assert!(msg(Channel::Sms, None).validate(None).is_ok());
    }

    #[test]
    fn a_template_fills_what_the_message_leaves_out() {
        let t = Template {
            id: TemplateId::new(),
            name: "Reminder".into(),
            channel: Channel::Email,
            subject: Some("Your visit".into()),
            body: "See you, {{first_name}}".into(),
            version: 1,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        };
        let input = MessageInput {
            channel: Channel::Email,
            subject: None,
            body: None,
            template_id: Some(t.id),
        };
        let c = input.validate(Some(&t)).unwrap();
        assert_eq!(c.subject.as_deref(), Some("Your visit"));
        assert_eq!(c.body, "See you, {{first_name}}");
        let sms = MessageInput {
            channel: Channel::Sms,
            ..input
        };
        let err = sms.validate(Some(&t)).unwrap_err();
        assert!(err.0.iter().any(|e| e.field == "template_id"));
    }
}
