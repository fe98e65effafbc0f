//! What technicians do on a job: notes, sign-off, and who may do it.

use super::JobStatus;
use crate::auth::{Action, Role};
use crate::customers::clean_text;
use crate::history::{Actor, ActorKind};
use crate::{Invalid, JobId, JobNoteId, UserId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Whose jobs a request may work on (status, notes, photos, sign-off).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobAccess {
    /// Dispatchers, admins and owners: every job of the organisation.
    Any,
    /// A technician: the jobs they are assigned to.
    AssignedTo(UserId),
}

/// Managers work on any job; a signed-in technician on their own; nobody
/// else (sales, or a technician-role API key, which is no one in person).
pub fn job_access(role: Role, actor: &Actor) -> Option<JobAccess> {
    if role.can(Action::ManageJobs) {
        return Some(JobAccess::Any);
    }
    match (role, actor.kind, actor.id) {
        (Role::Technician, ActorKind::User, Some(id)) => Some(JobAccess::AssignedTo(UserId(id))),
        _ => None,
    }
}

impl JobAccess {
    pub fn allows(self, technicians: &[UserId]) -> bool {
        match self {
            JobAccess::Any => true,
            JobAccess::AssignedTo(user) => technicians.contains(&user),
        }
    }
}

/// A note a technician writes on a job.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct JobNote {
    pub id: JobNoteId,
    pub job_id: JobId,
    pub body: String,
    pub author: Actor,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JobNoteInput {
    /// Required; up to 10,000 characters.
    pub body: Option<String>,
}

const NOTE_MAX: usize = 10_000;

impl JobNoteInput {
    pub fn validate(&self) -> Result<String, Invalid> {
        let mut errors = Invalid::default();
        let body = clean_text("body", self.body.as_deref(), NOTE_MAX, &mut errors);
        match body {
            Some(b) if errors.0.is_empty() => Ok(b),
            _ if !errors.0.is_empty() => Err(errors),
            _ => Err(Invalid::field("body", "is required")),
        }
    }
}

/// The body of `POST /api/v1/jobs/{id}/sign-off`; the technician is the
/// signed-in user.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignOffInput {
    /// The customer's name as they typed it to accept the work.
    pub customer_name: Option<String>,
}

const NAME_MAX: usize = 200;

/// A job is signed off once, while the work is under way or done.
pub fn check_sign_off(
    status: JobStatus,
    already_signed: bool,
    input: &SignOffInput,
) -> Result<String, Invalid> {
    let mut errors = Invalid::default();
    let name = clean_text(
        "customer_name",
        input.customer_name.as_deref(),
        NAME_MAX,
        &mut errors,
    );
    if name.is_none() && errors.0.is_empty() {
        errors.push(
            "customer_name",
            "is required: the customer types their name",
        );
    }
    if already_signed {
        errors.push("sign_off", "the job is already signed off");
    } else if !matches!(status, JobStatus::InProgress | JobStatus::Completed) {
        errors.push(
            "status",
            format!(
                "a {} job cannot be signed off; start it first",
                status.as_str()
            ),
        );
    }
    match name {
        Some(n) if errors.0.is_empty() => Ok(n),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(id: UserId) -> Actor {
        Actor {
            kind: ActorKind::User,
            id: Some(id.0),
            name: "Tess Tech".into(),
        }
    }

    #[test]
    fn who_works_on_which_job() {
        let me = UserId::new();
        let other = UserId::new();
        assert_eq!(
            job_access(Role::Dispatcher, &user(me)),
            Some(JobAccess::Any)
        );
        assert_eq!(job_access(Role::Owner, &user(me)), Some(JobAccess::Any));
        let tech = job_access(Role::Technician, &user(me)).unwrap();
        assert!(tech.allows(&[other, me]));
        assert!(!tech.allows(&[other]));
        assert_eq!(job_access(Role::Sales, &user(me)), None);
        let key = Actor {
            kind: ActorKind::ApiKey,
            id: Some(me.0),
            name: "key".into(),
        };
        assert_eq!(job_access(Role::Technician, &key), None);
    }

    #[test]
    fn sign_off_rules() {
        let named = SignOffInput {
            customer_name: Some(" Grace Hopper ".into()),
        };
        assert_eq!(
            check_sign_off(JobStatus::InProgress, false, &named).unwrap(),
            "Grace Hopper"
        );
        let f = |r: Result<String, Invalid>| -> Vec<String> {
            r.unwrap_err().0.into_iter().map(|e| e.field).collect()
        };
        assert_eq!(
            f(check_sign_off(JobStatus::Scheduled, false, &named)),
            ["status"]
        );
        assert_eq!(
            f(check_sign_off(JobStatus::Completed, true, &named)),
            ["sign_off"]
        );
        assert_eq!(
            f(check_sign_off(
                JobStatus::InProgress,
                false,
                &SignOffInput::default()
            )),
            ["customer_name"]
        );
    }

    #[test]
    fn notes_need_a_body() {
        assert_eq!(
            JobNoteInput {
                body: Some(" Replaced filter ".into())
            }
            .validate()
            .unwrap(),
            "Replaced filter"
        );
        assert_eq!(
            JobNoteInput::default().validate().unwrap_err().0[0].field,
            "body"
        );
        assert_eq!(
            JobNoteInput {
                body: Some("\u{0}".into())
            }
            .validate()
            .unwrap_err()
            .0[0]
                .field,
            "body"
        );
    }
}
