//! A job's life: scheduled → en route → in progress → completed, or
//! cancelled with a reason. Completed and cancelled are final.

use crate::customers::clean_text;
use crate::history::Actor;
use crate::{Invalid, StatusChangeId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    Scheduled,
    EnRoute,
    InProgress,
    Completed,
    Cancelled,
}

impl JobStatus {
    pub const ALL: [JobStatus; 5] = [
        JobStatus::Scheduled,
        JobStatus::EnRoute,
        JobStatus::InProgress,
        JobStatus::Completed,
        JobStatus::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Scheduled => "scheduled",
            JobStatus::EnRoute => "en_route",
            JobStatus::InProgress => "in_progress",
            JobStatus::Completed => "completed",
            JobStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<JobStatus> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            JobStatus::Scheduled => "Scheduled",
            JobStatus::EnRoute => "En route",
            JobStatus::InProgress => "In progress",
            JobStatus::Completed => "Completed",
            JobStatus::Cancelled => "Cancelled",
        }
    }

    /// Completed and cancelled jobs never change again.
    pub fn is_final(self) -> bool {
        matches!(self, JobStatus::Completed | JobStatus::Cancelled)
    }

    /// The statuses a job may move to from this one. A dispatcher may
    /// record a finished visit straight from scheduled; a technician who
    /// turned back puts an en-route job back to scheduled.
    pub fn next(self) -> &'static [JobStatus] {
        use JobStatus::*;
        match self {
            Scheduled => &[EnRoute, InProgress, Completed, Cancelled],
            EnRoute => &[Scheduled, InProgress, Cancelled],
            InProgress => &[Completed, Cancelled],
            Completed | Cancelled => &[],
        }
    }

    /// The word for the timeline: "Job AC tune-up … en route".
    pub fn verb(self) -> &'static str {
        match self {
            JobStatus::Scheduled => "back to scheduled",
            JobStatus::EnRoute => "technician en route",
            JobStatus::InProgress => "started",
            JobStatus::Completed => "completed",
            JobStatus::Cancelled => "cancelled",
        }
    }
}

/// The body of `POST /api/v1/jobs/{id}/status`.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusInput {
    /// scheduled, en_route, in_progress, completed or cancelled.
    pub status: Option<String>,
    /// Required when cancelling; kept in the status history.
    pub reason: Option<String>,
}

const REASON_MAX: usize = 500;

/// Whether a job may move from `from` as asked; returns the new status and
/// the cleaned reason, or names `status` / `reason`.
pub fn transition(
    from: JobStatus,
    input: &StatusInput,
) -> Result<(JobStatus, Option<String>), Invalid> {
    let mut errors = Invalid::default();
    let reason = clean_text("reason", input.reason.as_deref(), REASON_MAX, &mut errors);
    let to = match input.status.as_deref().map(str::trim) {
        None | Some("") => {
            errors.push("status", "is required");
            None
        }
        Some(raw) => match JobStatus::parse(raw) {
            None => {
                errors.push(
                    "status",
                    "must be scheduled, en_route, in_progress, completed or cancelled",
                );
                None
            }
            Some(to) if from.is_final() => {
                errors.push(
                    "status",
                    format!("the job is {}; it cannot change any more", from.as_str()),
                );
                Some(to)
            }
            Some(to) if to == from => {
                errors.push("status", format!("the job is already {}", from.as_str()));
                Some(to)
            }
            Some(to) if !from.next().contains(&to) => {
                let allowed: Vec<&str> = from.next().iter().map(|s| s.as_str()).collect();
                errors.push(
                    "status",
                    format!(
                        "a {} job can move to {}, not {}",
                        from.as_str(),
                        allowed.join(", "),
                        to.as_str()
                    ),
                );
                Some(to)
            }
            Some(to) => Some(to),
        },
    };
    if to == Some(JobStatus::Cancelled)
        && reason.is_none()
        && !errors.0.iter().any(|e| e.field == "reason")
    {
        errors.push("reason", "is required to cancel a job");
    }
    match to {
        Some(to) if errors.0.is_empty() => Ok((to, reason)),
        _ => Err(errors),
    }
}

/// One line of a job's status history.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct StatusChange {
    pub id: StatusChangeId,
    /// Absent for the job's creation.
    pub from: Option<JobStatus>,
    pub to: JobStatus,
    pub reason: Option<String>,
    pub actor: Actor,
    pub at: DateTime<Utc>,
}

/// Where a job sits on the customer card (seed 001: "past, upcoming,
/// cancelled").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum JobGroup {
    Upcoming,
    Past,
    Cancelled,
}

impl JobGroup {
    pub fn parse(s: &str) -> Option<JobGroup> {
        match s {
            "upcoming" => Some(JobGroup::Upcoming),
            "past" => Some(JobGroup::Past),
            "cancelled" => Some(JobGroup::Cancelled),
            _ => None,
        }
    }
}

/// Cancelled jobs are cancelled; completed ones are past; an open job is
/// upcoming until its scheduled end has gone by, then past (overdue, its
/// status still shows it open).
pub fn group(status: JobStatus, scheduled_end: DateTime<Utc>, now: DateTime<Utc>) -> JobGroup {
    match status {
        JobStatus::Cancelled => JobGroup::Cancelled,
        JobStatus::Completed => JobGroup::Past,
        _ if scheduled_end < now => JobGroup::Past,
        _ => JobGroup::Upcoming,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use JobStatus::*;
    use chrono::Duration;

    fn to(status: &str) -> StatusInput {
        StatusInput {
            status: Some(status.into()),
            reason: None,
        }
    }

    fn fields(r: Result<(JobStatus, Option<String>), Invalid>) -> Vec<String> {
        r.unwrap_err().0.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn the_usual_day_of_a_job() {
        assert_eq!(transition(Scheduled, &to("en_route")).unwrap().0, EnRoute);
        assert_eq!(
            transition(EnRoute, &to("in_progress")).unwrap().0,
            InProgress
        );
        assert_eq!(
            transition(InProgress, &to("completed")).unwrap().0,
            Completed
        );
        assert_eq!(transition(EnRoute, &to("scheduled")).unwrap().0, Scheduled);
    }

    #[test]
    fn final_statuses_never_change() {
        for from in [Completed, Cancelled] {
            assert!(from.next().is_empty());
            for s in JobStatus::ALL {
                let input = StatusInput {
                    status: Some(s.as_str().into()),
                    reason: Some("because".into()),
                };
                assert_eq!(fields(transition(from, &input)), ["status"]);
            }
        }
    }

    #[test]
    fn illegal_moves_and_nonsense_name_status() {
        assert_eq!(fields(transition(InProgress, &to("scheduled"))), ["status"]);
        assert_eq!(fields(transition(InProgress, &to("en_route"))), ["status"]);
        assert_eq!(fields(transition(Scheduled, &to("scheduled"))), ["status"]);
        assert_eq!(fields(transition(Scheduled, &to("done"))), ["status"]);
        assert_eq!(
            fields(transition(Scheduled, &StatusInput::default())),
            ["status"]
        );
    }

    #[test]
    fn cancelling_needs_a_reason() {
        assert_eq!(fields(transition(Scheduled, &to("cancelled"))), ["reason"]);
        let input = StatusInput {
            status: Some("cancelled".into()),
            reason: Some("  Customer away  ".into()),
        };
        assert_eq!(
            transition(EnRoute, &input).unwrap(),
            (Cancelled, Some("Customer away".into()))
        );
    }

    #[test]
    fn every_allowed_move_is_accepted_and_no_other() {
        for from in JobStatus::ALL {
            for target in JobStatus::ALL {
                let input = StatusInput {
                    status: Some(target.as_str().into()),
                    reason: Some("r".into()),
                };
                assert_eq!(
                    transition(from, &input).is_ok(),
                    from.next().contains(&target),
                    "{from:?} → {target:?}"
                );
            }
        }
    }

    #[test]
    fn groups() {
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let later = now + Duration::hours(2);
        let earlier = now - Duration::hours(2);
        assert_eq!(group(Scheduled, later, now), JobGroup::Upcoming);
        assert_eq!(group(InProgress, later, now), JobGroup::Upcoming);
        assert_eq!(group(Scheduled, earlier, now), JobGroup::Past);
        assert_eq!(group(Completed, later, now), JobGroup::Past);
        assert_eq!(group(Cancelled, later, now), JobGroup::Cancelled);
        assert_eq!(group(Cancelled, earlier, now), JobGroup::Cancelled);
    }
}
