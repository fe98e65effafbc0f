//! The lead record: a prospect who has not yet had a job done (seed 000).

use super::money::{DEFAULT_CURRENCY, parse_currency};
use super::score::ScoreLine;
use crate::contact::{Email, Phone};
use crate::customers::clean_text;
use crate::jobs::LineItemInput;
use crate::wire::present;
use crate::{CustomerId, Invalid, LeadId, PipelineId, StageId, UserId};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// Where a lead came from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LeadSource {
    WebForm,
    Chat,
    Whatsapp,
    Phone,
    #[default]
    Manual,
    Referral,
    Other,
}

impl LeadSource {
    pub const ALL: [LeadSource; 7] = [
        LeadSource::WebForm,
        LeadSource::Chat,
        LeadSource::Whatsapp,
        LeadSource::Phone,
        LeadSource::Manual,
        LeadSource::Referral,
        LeadSource::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LeadSource::WebForm => "web_form",
            LeadSource::Chat => "chat",
            LeadSource::Whatsapp => "whatsapp",
            LeadSource::Phone => "phone",
            LeadSource::Manual => "manual",
            LeadSource::Referral => "referral",
            LeadSource::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<LeadSource> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            LeadSource::WebForm => "Web form",
            LeadSource::Chat => "Chat",
            LeadSource::Whatsapp => "WhatsApp",
            LeadSource::Phone => "Phone",
            LeadSource::Manual => "Manual",
            LeadSource::Referral => "Referral",
            LeadSource::Other => "Other",
        }
    }
}

/// The fields a person edits, after validation; serialised, what the audit
/// log compares.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct LeadFields {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub business_name: Option<String>,
    /// Lower-cased.
    pub email: Option<String>,
    /// E.164.
    pub phone: Option<String>,
    /// Where the work would be done, as typed.
    pub service_address: Option<String>,
    pub source: LeadSource,
    /// The salesperson working the lead.
    pub owner_id: Option<UserId>,
    /// Expected deal value in minor units of `currency` (cents for USD).
    pub value_minor: i64,
    /// ISO 4217, e.g. `USD`.
    pub currency: String,
    pub expected_close_date: Option<NaiveDate>,
    pub notes: Option<String>,
    /// Why the lead was lost; set only while it is on a lost stage.
    pub lost_reason: Option<String>,
}

/// A stored lead.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Lead {
    pub id: LeadId,
    pub pipeline_id: PipelineId,
    pub stage_id: StageId,
    /// 0-based order within the stage's column.
    pub position: i64,
    #[serde(flatten)]
    pub fields: LeadFields,
    pub display_name: String,
    /// 0–100, from the lead's signals.
    pub score: i64,
    /// Score above 70.
    pub hot: bool,
    pub score_breakdown: Vec<ScoreLine>,
    /// The customer the lead became, or matched on capture.
    pub customer_id: Option<CustomerId>,
    /// The order (job) the lead converted into.
    #[schema(value_type = Option<String>, format = Uuid)]
    pub order_id: Option<Uuid>,
    pub won_at: Option<DateTime<Utc>>,
    pub lost_at: Option<DateTime<Utc>>,
    /// When it arrived on its current stage.
    pub stage_entered_at: DateTime<Utc>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Lead {
    /// The line items of the job a won lead becomes: its deal value as one
    /// service line, or none when no value was agreed.
    pub fn agreed_work(&self) -> Vec<LineItemInput> {
        if self.fields.value_minor <= 0 {
            return vec![];
        }
        vec![LineItemInput {
            kind: Some("service".into()),
            description: Some(format!("Agreed work for {}", self.display_name)),
            quantity: Some(1.0),
            unit_price_minor: Some(self.fields.value_minor),
            currency: Some(self.fields.currency.clone()),
        }]
    }
}

/// A new lead as a client sends it.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LeadInput {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub business_name: Option<String>,
    pub email: Option<String>,
    /// Any written form; read in the organisation's region without a country code.
    pub phone: Option<String>,
    pub service_address: Option<String>,
    /// Defaults to `manual`.
    pub source: Option<LeadSource>,
    pub owner_id: Option<UserId>,
    /// Defaults to 0.
    pub value_minor: Option<i64>,
    /// Defaults to `USD`.
    pub currency: Option<String>,
    pub expected_close_date: Option<NaiveDate>,
    pub notes: Option<String>,
    /// Defaults to the default pipeline.
    pub pipeline_id: Option<PipelineId>,
    /// Defaults to the pipeline's first open stage.
    pub stage_id: Option<StageId>,
    /// Required when `stage_id` is a lost stage.
    pub lost_reason: Option<String>,
}

/// A partial update; absent fields stay, `null` clears. Stages change
/// through `move`, not here.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LeadPatch {
    pub version: i64,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub first_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub last_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub business_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub service_address: Option<Option<String>>,
    pub source: Option<LeadSource>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, format = Uuid)]
    pub owner_id: Option<Option<UserId>>,
    pub value_minor: Option<i64>,
    pub currency: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<NaiveDate>)]
    pub expected_close_date: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub notes: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub lost_reason: Option<Option<String>>,
}

/// Where to put a card on the board.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LeadMove {
    pub stage_id: StageId,
    /// 0-based place in the stage's column; absent or past the end appends.
    pub position: Option<i64>,
    /// Required when `stage_id` is a lost stage.
    pub lost_reason: Option<String>,
}

impl LeadMove {
    /// The reason, trimmed; an empty one counts as none.
    pub fn reason(&self) -> Result<Option<String>, Invalid> {
        let mut errors = Invalid::default();
        let reason = clean_text(
            "lost_reason",
            self.lost_reason.as_deref(),
            REASON_MAX,
            &mut errors,
        );
        errors.or_ok(reason)
    }
}

const NAME_MAX: usize = 200;
const ADDRESS_MAX: usize = 500;
pub const NOTES_MAX: usize = 10_000;
const REASON_MAX: usize = 500;
/// A trillion dollars in cents: beyond any home-service deal, far inside i64.
const VALUE_MAX: i64 = 100_000_000_000_000;

fn contact(
    field: &str,
    raw: Option<&str>,
    parse: impl Fn(&str) -> Result<String, &'static str>,
    errors: &mut Invalid,
) -> Option<String> {
    let raw = raw.map(str::trim).filter(|s| !s.is_empty())?;
    match parse(raw) {
        Ok(v) => Some(v),
        Err(why) => {
            errors.push(field, why);
            None
        }
    }
}

/// The raw values every way of making a lead shares.
pub struct Draft<'a> {
    pub first_name: Option<&'a str>,
    pub last_name: Option<&'a str>,
    pub business_name: Option<&'a str>,
    pub email: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub service_address: Option<&'a str>,
    pub source: LeadSource,
    pub owner_id: Option<UserId>,
    pub value_minor: i64,
    pub currency: &'a str,
    pub expected_close_date: Option<NaiveDate>,
    pub notes: Option<&'a str>,
    pub lost_reason: Option<&'a str>,
}

impl Draft<'_> {
    /// Validates every field and reports all problems together.
    pub fn validate(&self, region: &str) -> Result<LeadFields, Invalid> {
        let mut errors = Invalid::default();
        let text = |field: &str, raw: Option<&str>, max, errors: &mut Invalid| {
            clean_text(field, raw, max, errors)
        };
        let first_name = text("first_name", self.first_name, NAME_MAX, &mut errors);
        let last_name = text("last_name", self.last_name, NAME_MAX, &mut errors);
        let business_name = text("business_name", self.business_name, NAME_MAX, &mut errors);
        let email = contact(
            "email",
            self.email,
            |r| Email::parse(r).map(Email::into_string),
            &mut errors,
        );
        let phone = contact(
            "phone",
            self.phone,
            |r| Phone::parse(r, region).map(Phone::into_string),
            &mut errors,
        );
        let service_address = text(
            "service_address",
            self.service_address,
            ADDRESS_MAX,
            &mut errors,
        );
        let notes = text("notes", self.notes, NOTES_MAX, &mut errors);
        let lost_reason = text("lost_reason", self.lost_reason, REASON_MAX, &mut errors);
        if errors.0.is_empty()
            && [&first_name, &last_name, &business_name, &email, &phone]
                .iter()
                .all(|f| f.is_none())
        {
            errors.push(
                "first_name",
                "a lead needs a name, business name, phone or email",
            );
        }
        if !(0..=VALUE_MAX).contains(&self.value_minor) {
            errors.push("value_minor", "must be 0 or more, in minor units");
        }
        let currency = match parse_currency(self.currency) {
            Ok(c) => c,
            Err(why) => {
                errors.push("currency", why);
                String::new()
            }
        };
        if let Some(d) = self.expected_close_date
            && !(1900..=2200).contains(&chrono::Datelike::year(&d))
        {
            errors.push("expected_close_date", "is not a plausible date");
        }
        errors.or_ok(LeadFields {
            first_name,
            last_name,
            business_name,
            email,
            phone,
            service_address,
            source: self.source,
            owner_id: self.owner_id,
            value_minor: self.value_minor,
            currency,
            expected_close_date: self.expected_close_date,
            notes,
            lost_reason,
        })
    }
}

impl LeadInput {
    pub fn validate(&self, region: &str) -> Result<LeadFields, Invalid> {
        Draft {
            first_name: self.first_name.as_deref(),
            last_name: self.last_name.as_deref(),
            business_name: self.business_name.as_deref(),
            email: self.email.as_deref(),
            phone: self.phone.as_deref(),
            service_address: self.service_address.as_deref(),
            source: self.source.unwrap_or_default(),
            owner_id: self.owner_id,
            value_minor: self.value_minor.unwrap_or(0),
            currency: self.currency.as_deref().unwrap_or(DEFAULT_CURRENCY),
            expected_close_date: self.expected_close_date,
            notes: self.notes.as_deref(),
            lost_reason: self.lost_reason.as_deref(),
        }
        .validate(region)
    }
}

impl LeadFields {
    /// The stored fields with a patch laid over them, validated as a whole.
    pub fn patched(&self, patch: &LeadPatch, region: &str) -> Result<LeadFields, Invalid> {
        fn pick<'a>(new: &'a Option<Option<String>>, old: &'a Option<String>) -> Option<&'a str> {
            match new {
                Some(v) => v.as_deref(),
                None => old.as_deref(),
            }
        }
        Draft {
            first_name: pick(&patch.first_name, &self.first_name),
            last_name: pick(&patch.last_name, &self.last_name),
            business_name: pick(&patch.business_name, &self.business_name),
            email: pick(&patch.email, &self.email),
            phone: pick(&patch.phone, &self.phone),
            service_address: pick(&patch.service_address, &self.service_address),
            source: patch.source.unwrap_or(self.source),
            owner_id: patch.owner_id.unwrap_or(self.owner_id),
            value_minor: patch.value_minor.unwrap_or(self.value_minor),
            currency: patch.currency.as_deref().unwrap_or(&self.currency),
            expected_close_date: patch
                .expected_close_date
                .unwrap_or(self.expected_close_date),
            notes: pick(&patch.notes, &self.notes),
            lost_reason: pick(&patch.lost_reason, &self.lost_reason),
        }
        .validate(region)
    }

    /// A person's name, else the business, else how to reach them.
    pub fn display_name(&self) -> String {
        let person = [self.first_name.as_deref(), self.last_name.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        if !person.is_empty() {
            return person;
        }
        [&self.business_name, &self.email, &self.phone]
            .into_iter()
            .find_map(|f| f.clone())
            .unwrap_or_else(|| "Unnamed lead".to_string())
    }

    /// Lower-cased names, email and phone digits for the search box.
    pub fn search_text(&self) -> String {
        let digits: String = self
            .phone
            .as_deref()
            .unwrap_or_default()
            .chars()
            .filter(char::is_ascii_digit)
            .collect();
        [
            self.first_name.as_deref(),
            self.last_name.as_deref(),
            self.business_name.as_deref(),
            self.email.as_deref(),
            Some(&digits),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> LeadInput {
        LeadInput {
            first_name: Some(" Dana ".into()),
            phone: Some("(512) 555-0101".into()),
            value_minor: Some(450_000),
            currency: Some("usd".into()),
            ..Default::default()
        }
    }

    #[test]
    fn valid_input_is_normalised() {
        let f = input().validate("US").unwrap();
        assert_eq!(f.first_name.as_deref(), Some("Dana"));
        assert_eq!(f.phone.as_deref(), Some("+15125550101"));
        assert_eq!(f.currency, "USD");
        assert_eq!(f.source, LeadSource::Manual);
        assert_eq!(f.display_name(), "Dana");
    }

    #[test]
    fn every_bad_field_is_named() {
        let bad = LeadInput {
            email: Some("nope".into()),
            phone: Some("12".into()),
            value_minor: Some(-5),
            currency: Some("dollars".into()),
            ..Default::default()
        };
        let err = bad.validate("US").unwrap_err();
        let fields: Vec<_> = err.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["email", "phone", "value_minor", "currency"]);
    }

    #[test]
    fn a_lead_needs_some_way_to_name_or_reach_them() {
        let err = LeadInput::default().validate("US").unwrap_err();
        assert_eq!(err.0[0].field, "first_name");
        let only_email = LeadInput {
            email: Some("x@example.com".into()),
            ..Default::default()
        };
        assert_eq!(
            only_email.validate("US").unwrap().display_name(),
            "x@example.com"
        );
    }

    #[test]
    fn a_patch_keeps_absent_fields_and_clears_nulls() {
        let f = input().validate("US").unwrap();
        let patch: LeadPatch =
            serde_json::from_str(r#"{"version":1,"phone":null,"email":"d@example.com"}"#).unwrap();
        let p = f.patched(&patch, "US").unwrap();
        assert_eq!(p.phone, None);
        assert_eq!(p.email.as_deref(), Some("d@example.com"));
        assert_eq!(p.first_name.as_deref(), Some("Dana"));
        assert_eq!(p.value_minor, 450_000);
    }
}
