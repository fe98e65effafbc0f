//! Tasks: follow-ups a team member must do by a time, optionally about a
//! customer or lead, some created from an engagement's follow-up.

use crate::{CustomerId, EngagementId, Invalid, LeadId, TaskId, UserId};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub const TITLE_MAX: usize = 200;

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Task {
    pub id: TaskId,
    pub customer_id: Option<CustomerId>,
    pub lead_id: Option<LeadId>,
    pub title: String,
    pub assignee_id: Option<UserId>,
    pub due_at: Option<DateTime<Utc>>,
    pub remind_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    /// Set when the task is an engagement's follow-up.
    pub engagement_id: Option<EngagementId>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Task {
    /// Open and past its due time.
    pub fn is_overdue(&self, now: DateTime<Utc>) -> bool {
        self.completed_at.is_none() && self.due_at.is_some_and(|d| d < now)
    }
}

#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskInput {
    #[schema(pattern = "\\S")]
    pub title: String,
    pub customer_id: Option<CustomerId>,
    pub lead_id: Option<LeadId>,
    pub assignee_id: Option<UserId>,
    pub due_at: Option<DateTime<Utc>>,
    pub remind_at: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskPatch {
    pub version: i64,
    #[schema(pattern = "\\S")]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "crate::wire::present")]
    #[schema(value_type = Option<String>, format = Uuid)]
    pub assignee_id: Option<Option<UserId>>,
    #[serde(default, deserialize_with = "crate::wire::present")]
    #[schema(value_type = Option<DateTime<Utc>>)]
    pub due_at: Option<Option<DateTime<Utc>>>,
    #[serde(default, deserialize_with = "crate::wire::present")]
    #[schema(value_type = Option<DateTime<Utc>>)]
    pub remind_at: Option<Option<DateTime<Utc>>>,
    /// `true` completes the task, `false` reopens it.
    pub completed: Option<bool>,
}

/// A task title: trimmed, 1–200 characters.
pub fn clean_title(raw: &str) -> Result<String, Invalid> {
    let t = raw.trim();
    if t.is_empty() {
        return Err(Invalid::field("title", "is required"));
    }
    if t.chars().count() > TITLE_MAX {
        return Err(Invalid::field(
            "title",
            format!("is longer than {TITLE_MAX} characters"),
        ));
    }
    Ok(t.to_string())
}

/// A follow-up date is due by the end of that day (UTC).
pub fn due_by_end_of(date: NaiveDate) -> DateTime<Utc> {
    let end = NaiveTime::from_hms_opt(23, 59, 59).unwrap_or_default();
    date.and_time(end).and_utc()
}

/// The title of an engagement's follow-up task.
pub fn follow_up_title(subject: &str) -> String {
    let title = format!("Follow up: {subject}");
    title.chars().take(TITLE_MAX).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_required_and_bounded() {
        assert_eq!(clean_title("  Call back ").unwrap(), "Call back");
        assert_eq!(clean_title(" ").unwrap_err().0[0].field, "title");
        assert!(clean_title(&"x".repeat(201)).is_err());
        assert_eq!(follow_up_title(&"y".repeat(300)).chars().count(), TITLE_MAX);
    }

    #[test]
    fn overdue_means_open_and_past_due() {
        let day = NaiveDate::from_ymd_opt(2025, 1, 2).unwrap();
        let due = due_by_end_of(day);
        let mut t = Task {
            id: TaskId::new(),
            customer_id: None,
            lead_id: None,
            title: "x".into(),
            assignee_id: None,
            due_at: Some(due),
            remind_at: None,
            completed_at: None,
            engagement_id: None,
            version: 1,
            created_at: due,
            updated_at: due,
        };
        assert!(!t.is_overdue(day.and_hms_opt(12, 0, 0).unwrap().and_utc()));
        assert!(t.is_overdue(due + chrono::Duration::seconds(2)));
        t.completed_at = Some(due);
        assert!(!t.is_overdue(due + chrono::Duration::days(1)));
    }
}
