//! Customer engagements (seed 004): a logged interaction with a subject,
//! date, contact, duration, who made it, its type and an optional follow-up.

use crate::{ContactId, CustomerId, EngagementId, Invalid, TaskId, UserId};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub const SUBJECT_MAX: usize = 200;
pub const NOTES_MAX: usize = 10_000;
pub const TYPE_MAX: usize = 50;
pub const TYPES_MAX: usize = 30;
pub const HOURS_MAX: i64 = 24;

/// The contact types a new organisation starts with.
pub const DEFAULT_TYPES: [&str; 4] = ["Call", "Email", "Meeting", "Site visit"];

/// What an engagement says; also what its audit log compares.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct EngagementFields {
    pub subject: String,
    /// The day it took place.
    pub date: NaiveDate,
    /// One of the customer's contacts ("company contact").
    pub contact_id: Option<ContactId>,
    pub duration_minutes: Option<i64>,
    /// The team member who engaged.
    pub contacted_by: UserId,
    /// One of the organisation's engagement types.
    pub contact_type: Option<String>,
    pub follow_up: bool,
    pub follow_up_assignee: Option<UserId>,
    pub follow_up_date: Option<NaiveDate>,
    /// Completed engagements are shown greyed.
    pub follow_up_completed: bool,
    pub notes: String,
}

/// A stored engagement.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Engagement {
    pub id: EngagementId,
    pub customer_id: CustomerId,
    #[serde(flatten)]
    pub fields: EngagementFields,
    /// The follow-up task, while `follow_up` is set.
    pub task_id: Option<TaskId>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A new engagement. `subject`, `date` and `contacted_by` are mandatory;
/// they are optional here only so a request missing several learns all.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EngagementInput {
    pub subject: Option<String>,
    pub date: Option<NaiveDate>,
    pub contact_id: Option<ContactId>,
    /// 0–24.
    pub duration_hours: Option<i64>,
    /// 0–59.
    pub duration_minutes: Option<i64>,
    pub contacted_by: Option<UserId>,
    pub contact_type: Option<String>,
    #[serde(default)]
    pub follow_up: bool,
    pub follow_up_assignee: Option<UserId>,
    pub follow_up_date: Option<NaiveDate>,
    #[serde(default)]
    pub follow_up_completed: bool,
    pub notes: Option<String>,
}

/// A partial change; `null` clears an optional field.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EngagementPatch {
    pub version: i64,
    pub subject: Option<String>,
    pub date: Option<NaiveDate>,
    #[serde(default, deserialize_with = "crate::wire::present")]
    #[schema(value_type = Option<String>, format = Uuid)]
    pub contact_id: Option<Option<ContactId>>,
    #[serde(default, deserialize_with = "crate::wire::present")]
    #[schema(value_type = Option<i64>)]
    pub duration_hours: Option<Option<i64>>,
    #[serde(default, deserialize_with = "crate::wire::present")]
    #[schema(value_type = Option<i64>)]
    pub duration_minutes: Option<Option<i64>>,
    pub contacted_by: Option<UserId>,
    #[serde(default, deserialize_with = "crate::wire::present")]
    #[schema(value_type = Option<String>)]
    pub contact_type: Option<Option<String>>,
    pub follow_up: Option<bool>,
    #[serde(default, deserialize_with = "crate::wire::present")]
    #[schema(value_type = Option<String>, format = Uuid)]
    pub follow_up_assignee: Option<Option<UserId>>,
    #[serde(default, deserialize_with = "crate::wire::present")]
    #[schema(value_type = Option<NaiveDate>)]
    pub follow_up_date: Option<Option<NaiveDate>>,
    pub follow_up_completed: Option<bool>,
    #[serde(default, deserialize_with = "crate::wire::present")]
    #[schema(value_type = Option<String>)]
    pub notes: Option<Option<String>>,
}

fn text(raw: Option<&str>) -> Option<String> {
    raw.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.replace("\r\n", "\n"))
}

impl EngagementInput {
    /// Checks every field and names each bad or missing one.
    pub fn validate(&self) -> Result<EngagementFields, Invalid> {
        let mut errors = Invalid::default();
        let subject = text(self.subject.as_deref());
        match &subject {
            None => errors.push("subject", "is required"),
            Some(s) if s.chars().count() > SUBJECT_MAX => errors.push(
                "subject",
                format!("is longer than {SUBJECT_MAX} characters"),
            ),
            Some(_) => {}
        }
        if self.date.is_none() {
            errors.push("date", "is required");
        }
        if self.contacted_by.is_none() {
            errors.push("contacted_by", "is required");
        }
        if let Some(h) = self.duration_hours
            && !(0..=HOURS_MAX).contains(&h)
        {
            errors.push(
                "duration_hours",
                format!("must be between 0 and {HOURS_MAX}"),
            );
        }
        if let Some(m) = self.duration_minutes
            && !(0..=59).contains(&m)
        {
            errors.push("duration_minutes", "must be between 0 and 59");
        }
        let duration = match (self.duration_hours, self.duration_minutes) {
            (None, None) => None,
            (h, m) => Some(h.unwrap_or(0) * 60 + m.unwrap_or(0)),
        };
        let contact_type = text(self.contact_type.as_deref());
        if contact_type
            .as_ref()
            .is_some_and(|t| t.chars().count() > TYPE_MAX)
        {
            errors.push(
                "contact_type",
                format!("is longer than {TYPE_MAX} characters"),
            );
        }
        let notes = text(self.notes.as_deref()).unwrap_or_default();
        if notes.chars().count() > NOTES_MAX {
            errors.push("notes", format!("is longer than {NOTES_MAX} characters"));
        }
        if self.follow_up_completed && !self.follow_up {
            errors.push("follow_up_completed", "needs follow_up");
        }
        match (subject, self.date, self.contacted_by) {
            (Some(subject), Some(date), Some(contacted_by)) if errors.0.is_empty() => {
                Ok(EngagementFields {
                    subject,
                    date,
                    contact_id: self.contact_id,
                    duration_minutes: duration,
                    contacted_by,
                    contact_type,
                    follow_up: self.follow_up,
                    follow_up_assignee: self.follow_up_assignee,
                    follow_up_date: self.follow_up_date,
                    follow_up_completed: self.follow_up_completed,
                    notes,
                })
            }
            _ => Err(errors),
        }
    }
}

impl EngagementFields {
    /// The form/API input that would produce these fields.
    pub fn as_input(&self) -> EngagementInput {
        EngagementInput {
            subject: Some(self.subject.clone()),
            date: Some(self.date),
            contact_id: self.contact_id,
            duration_hours: self.duration_minutes.map(|m| m / 60),
            duration_minutes: self.duration_minutes.map(|m| m % 60),
            contacted_by: Some(self.contacted_by),
            contact_type: self.contact_type.clone(),
            follow_up: self.follow_up,
            follow_up_assignee: self.follow_up_assignee,
            follow_up_date: self.follow_up_date,
            follow_up_completed: self.follow_up_completed,
            notes: Some(self.notes.clone()),
        }
    }

    /// The stored fields with the patch laid over them, validated again.
    pub fn patched(&self, p: &EngagementPatch) -> Result<EngagementFields, Invalid> {
        let mut input = self.as_input();
        if let Some(s) = &p.subject {
            input.subject = Some(s.clone());
        }
        if let Some(d) = p.date {
            input.date = Some(d);
        }
        if let Some(c) = p.contact_id {
            input.contact_id = c;
        }
        if p.duration_hours.is_some() || p.duration_minutes.is_some() {
            input.duration_hours = p.duration_hours.flatten();
            input.duration_minutes = p.duration_minutes.flatten();
        }
        if let Some(u) = p.contacted_by {
            input.contacted_by = Some(u);
        }
        if let Some(t) = &p.contact_type {
            input.contact_type = t.clone();
        }
        if let Some(f) = p.follow_up {
            input.follow_up = f;
            if !f {
                input.follow_up_completed = false;
            }
        }
        if let Some(a) = p.follow_up_assignee {
            input.follow_up_assignee = a;
        }
        if let Some(d) = p.follow_up_date {
            input.follow_up_date = d;
        }
        if let Some(c) = p.follow_up_completed {
            input.follow_up_completed = c;
        }
        if let Some(n) = &p.notes {
            input.notes = n.clone();
        }
        input.validate()
    }
}

/// An organisation's engagement types, as `PUT /api/v1/engagement-types`
/// sends them: trimmed, none empty, no duplicates (ignoring case).
pub fn clean_types(raw: &[String]) -> Result<Vec<String>, Invalid> {
    let mut out: Vec<String> = Vec::new();
    let mut errors = Invalid::default();
    for (i, t) in raw.iter().enumerate() {
        let t = t.trim();
        let field = format!("types[{i}]");
        if t.is_empty() {
            errors.push(field, "is empty");
        } else if t.chars().count() > TYPE_MAX {
            errors.push(field, format!("is longer than {TYPE_MAX} characters"));
        } else if out.iter().any(|o| o.to_lowercase() == t.to_lowercase()) {
            errors.push(field, "is listed twice");
        } else {
            out.push(t.to_string());
        }
    }
    if raw.is_empty() {
        errors.push("types", "needs at least one type");
    }
    if raw.len() > TYPES_MAX {
        errors.push("types", format!("holds at most {TYPES_MAX} types"));
    }
    errors.or_ok(out)
}

/// Duration as the list shows it: "1 h 30 min".
pub fn duration_label(minutes: Option<i64>) -> String {
    match minutes {
        None => String::new(),
        Some(m) if m >= 60 && m % 60 == 0 => format!("{} h", m / 60),
        Some(m) if m >= 60 => format!("{} h {} min", m / 60, m % 60),
        Some(m) => format!("{m} min"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(e: &Invalid) -> Vec<&str> {
        e.0.iter().map(|f| f.field.as_str()).collect()
    }

    #[test]
    fn every_missing_mandatory_field_is_named() {
        let err = EngagementInput::default().validate().unwrap_err();
        assert_eq!(fields(&err), ["subject", "date", "contacted_by"]);
        let blank = EngagementInput {
            subject: Some("  ".into()),
            ..Default::default()
        };
        assert!(fields(&blank.validate().unwrap_err()).contains(&"subject"));
    }

    #[test]
    fn duration_is_stored_in_minutes_and_round_trips() {
        let input = EngagementInput {
            subject: Some(" Boiler quote ".into()),
            date: NaiveDate::from_ymd_opt(2025, 3, 4),
            contacted_by: Some(UserId::new()),
            duration_hours: Some(1),
            duration_minutes: Some(30),
            ..Default::default()
        };
        let f = input.validate().unwrap();
        assert_eq!(f.subject, "Boiler quote");
        assert_eq!(f.duration_minutes, Some(90));
        assert_eq!(f.as_input().validate().unwrap(), f);
        assert_eq!(duration_label(f.duration_minutes), "1 h 30 min");
        let bad = EngagementInput {
            duration_minutes: Some(75),
            ..input
        };
        assert_eq!(fields(&bad.validate().unwrap_err()), ["duration_minutes"]);
    }

    #[test]
    fn types_are_cleaned_and_unique() {
        let ok = clean_types(&["Call".into(), " Demo ".into()]).unwrap();
        assert_eq!(ok, ["Call", "Demo"]);
        let err = clean_types(&["Call".into(), "call".into(), "".into()]).unwrap_err();
        assert_eq!(fields(&err), ["types[1]", "types[2]"]);
    }
}
