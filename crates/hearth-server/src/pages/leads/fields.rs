//! The lead form: what a browser posts, read into API input, and shown back
//! with what is wrong.

use chrono::NaiveDate;
use hearth_domain::leads::money::{DEFAULT_CURRENCY, money_input, parse_money};
use hearth_domain::leads::{Lead, LeadInput, LeadPatch, LeadSource};
use hearth_domain::{Invalid, PipelineId, UserId};
use serde::Deserialize;

/// One input, with what was typed and what is wrong with it.
pub struct Field {
    pub name: &'static str,
    pub label: &'static str,
    /// `text`, `tel`, `email`, `date`, `textarea` or `select`.
    pub kind: &'static str,
    pub value: String,
    pub error: Option<String>,
    /// For selects: (value, label).
    pub options: Vec<(String, String)>,
}

/// The form as posted: every field a string.
#[derive(Deserialize, Default)]
pub struct LeadForm {
    #[serde(rename = "_csrf", default)]
    pub csrf: String,
    pub version: Option<i64>,
    #[serde(default)]
    pub first_name: String,
    #[serde(default)]
    pub last_name: String,
    #[serde(default)]
    pub business_name: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub service_address: String,
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub owner_id: String,
    #[serde(default)]
    pub value: String,
    #[serde(default)]
    pub currency: String,
    #[serde(default)]
    pub expected_close_date: String,
    #[serde(default)]
    pub notes: String,
    #[serde(default)]
    pub pipeline_id: String,
    /// Ticked after the duplicate check blocked the lead: create it anyway.
    #[serde(default)]
    pub allow_duplicate: bool,
}

fn text(s: &str) -> Option<String> {
    Some(s.trim().to_string()).filter(|s| !s.is_empty())
}

impl LeadForm {
    pub fn from_lead(l: &Lead) -> LeadForm {
        let f = &l.fields;
        LeadForm {
            csrf: String::new(),
            version: Some(l.version),
            first_name: f.first_name.clone().unwrap_or_default(),
            last_name: f.last_name.clone().unwrap_or_default(),
            business_name: f.business_name.clone().unwrap_or_default(),
            phone: f.phone.clone().unwrap_or_default(),
            email: f.email.clone().unwrap_or_default(),
            service_address: f.service_address.clone().unwrap_or_default(),
            source: f.source.as_str().to_string(),
            owner_id: f.owner_id.map(|o| o.to_string()).unwrap_or_default(),
            value: money_input(f.value_minor, &f.currency),
            currency: f.currency.clone(),
            expected_close_date: f
                .expected_close_date
                .map(|d| d.to_string())
                .unwrap_or_default(),
            notes: f.notes.clone().unwrap_or_default(),
            pipeline_id: l.pipeline_id.to_string(),
            allow_duplicate: false,
        }
    }

    /// The typed values as API input; unreadable ones are reported like any
    /// other bad field.
    pub fn parse(&self, region: &str) -> Result<LeadInput, Invalid> {
        let mut errors = Invalid::default();
        let currency = text(&self.currency).unwrap_or_else(|| DEFAULT_CURRENCY.to_string());
        let value_minor = match parse_money(&self.value, &currency.to_ascii_uppercase()) {
            Ok(v) => Some(v),
            Err(why) => {
                errors.push("value", why);
                None
            }
        };
        let expected_close_date = match self.expected_close_date.trim() {
            "" => None,
            raw => match NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
                Ok(d) => Some(d),
                Err(_) => {
                    errors.push("expected_close_date", "is not a date (YYYY-MM-DD)");
                    None
                }
            },
        };
        let source = match self.source.trim() {
            "" => None,
            raw => match LeadSource::parse(raw) {
                Some(s) => Some(s),
                None => {
                    errors.push("source", "is not a lead source");
                    None
                }
            },
        };
        let owner_id = match self.owner_id.trim() {
            "" => None,
            raw => match raw.parse::<UserId>() {
                Ok(u) => Some(u),
                Err(_) => {
                    errors.push("owner_id", "is not a user");
                    None
                }
            },
        };
        let pipeline_id = self.pipeline_id.trim().parse::<PipelineId>().ok();
        let input = LeadInput {
            first_name: text(&self.first_name),
            last_name: text(&self.last_name),
            business_name: text(&self.business_name),
            email: text(&self.email),
            phone: text(&self.phone),
            service_address: text(&self.service_address),
            source,
            owner_id,
            value_minor,
            currency: Some(currency),
            expected_close_date,
            notes: text(&self.notes),
            pipeline_id,
            stage_id: None,
            lost_reason: None,
        };
        if errors.0.is_empty() {
            return Ok(input);
        }
        // Show every problem at once, not only the ones the form caught.
        if let Err(more) = input.validate(region) {
            for e in more.0 {
                if !errors.0.iter().any(|known| known.field == e.field) {
                    errors.0.push(e);
                }
            }
        }
        Err(errors)
    }

    /// The form shows every field, so every field is sent: empty clears it.
    pub fn patch(&self, input: LeadInput) -> LeadPatch {
        LeadPatch {
            version: self.version.unwrap_or(-1),
            first_name: Some(input.first_name),
            last_name: Some(input.last_name),
            business_name: Some(input.business_name),
            email: Some(input.email),
            phone: Some(input.phone),
            service_address: Some(input.service_address),
            source: input.source,
            owner_id: Some(input.owner_id),
            value_minor: input.value_minor,
            currency: input.currency,
            expected_close_date: Some(input.expected_close_date),
            notes: Some(input.notes),
            lost_reason: None,
        }
    }

    pub fn fields(&self, errors: &Invalid, owners: &[(UserId, String)]) -> Vec<Field> {
        let error = |name: &str| {
            errors
                .0
                .iter()
                .find(|e| e.field == name || (name == "value" && e.field == "value_minor"))
                .map(|e| e.message.clone())
        };
        let field = |name, label, kind, value: &String| Field {
            name,
            label,
            kind,
            value: value.clone(),
            error: error(name),
            options: Vec::new(),
        };
        let mut sources = field("source", "Source", "select", &self.source);
        sources.options = LeadSource::ALL
            .iter()
            .map(|s| (s.as_str().to_string(), s.label().to_string()))
            .collect();
        if sources.value.is_empty() {
            sources.value = LeadSource::Manual.as_str().to_string();
        }
        let mut owner = field("owner_id", "Owner", "select", &self.owner_id);
        owner.options = std::iter::once((String::new(), "Nobody yet".to_string()))
            .chain(
                owners
                    .iter()
                    .map(|(id, name)| (id.to_string(), name.clone())),
            )
            .collect();
        let mut currency = field("currency", "Currency", "text", &self.currency);
        if currency.value.is_empty() {
            currency.value = DEFAULT_CURRENCY.to_string();
        }
        vec![
            field("first_name", "First name", "text", &self.first_name),
            field("last_name", "Last name", "text", &self.last_name),
            field(
                "business_name",
                "Business name",
                "text",
                &self.business_name,
            ),
            field("phone", "Phone", "tel", &self.phone),
            field("email", "Email", "email", &self.email),
            field(
                "service_address",
                "Service address",
                "text",
                &self.service_address,
            ),
            sources,
            owner,
            field("value", "Deal value", "text", &self.value),
            currency,
            field(
                "expected_close_date",
                "Expected close",
                "date",
                &self.expected_close_date,
            ),
            field("notes", "Notes", "textarea", &self.notes),
        ]
    }
}
