//! Web forms that capture leads from the business's own site.

use super::capture::{Captured, Contact, capture};
use super::{audit, edit, pipelines};
use crate::auth::new_token;
use crate::orgs::now;
use crate::{Conn, Raw, Result, Row, StoreError};
use chrono::Duration;
use hearth_domain::history::{Actor, FieldChange};
use hearth_domain::leads::form::{LeadForm, LeadFormInput, Submission, parse_submission};
use hearth_domain::leads::score::SignalKind;
use hearth_domain::{Invalid, LeadFormId, LeadId, OrgId};
use serde_json::json;

/// Submissions one address may make to one form per [`WINDOW`].
pub const SUBMISSIONS_PER_WINDOW: i64 = 10;
pub const WINDOW: Duration = Duration::minutes(10);

fn form(r: &Row) -> Result<LeadForm> {
    Ok(LeadForm {
        id: r.get(0)?,
        pipeline_id: r.get(1)?,
        name: r.get(2)?,
        public_key: r.get(3)?,
        allowed_origins: serde_json::from_value(r.get(4)?).unwrap_or_default(),
        redirect_url: r.get(5)?,
        version: r.get(6)?,
        created_at: r.get(7)?,
        updated_at: r.get(8)?,
    })
}

pub async fn list(c: &mut Conn, org: OrgId) -> Result<Vec<LeadForm>> {
    c.query(
        &Raw(
            "SELECT id, pipeline_id, name, public_key, allowed_origins, redirect_url, version, created_at, updated_at \
             FROM lead_forms WHERE org_id = $1 AND deleted_at IS NULL ORDER BY created_at, id",
            vec![org.0.into()],
        ),
        form,
    )
    .await
}

pub async fn get(c: &mut Conn, org: OrgId, id: LeadFormId) -> Result<LeadForm> {
    c.query_one(
        &Raw(
            "SELECT id, pipeline_id, name, public_key, allowed_origins, redirect_url, version, created_at, updated_at \
             FROM lead_forms WHERE id = $1 AND org_id = $2 AND deleted_at IS NULL",
            vec![id.0.into(), org.0.into()],
        ),
        form,
    )
    .await
}

pub async fn create(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    input: &LeadFormInput,
) -> Result<LeadForm> {
    let settings = input.validate()?;
    let pipeline = match input.pipeline_id {
        Some(id) => pipelines::get(c, org, id).await.map_err(|e| {
            edit::not_found_as(e, "pipeline_id", "is not a pipeline of this organisation")
        })?,
        None => pipelines::default_pipeline(c, org, actor).await?,
    };
    let id = LeadFormId::new();
    let key = format!("lf_{}", new_token());
    let now = now();
    c.execute(&Raw(
        "INSERT INTO lead_forms (id, org_id, pipeline_id, name, public_key, allowed_origins, redirect_url, version, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $8)",
        vec![
            id.0.into(),
            org.0.into(),
            pipeline.id.0.into(),
            settings.name.clone().into(),
            key.into(),
            json!(settings.allowed_origins).into(),
            settings.redirect_url.clone().into(),
            now.into(),
        ],
    ))
    .await?;
    let fields = [
        FieldChange {
            field: "name".into(),
            before: json!(null),
            after: json!(settings.name),
        },
        FieldChange {
            field: "allowed_origins".into(),
            before: json!(null),
            after: json!(settings.allowed_origins),
        },
    ];
    let summary = format!("Web form {} created", settings.name);
    audit(
        c,
        org,
        actor,
        "lead_form",
        id.0,
        "created",
        summary,
        &fields,
    )
    .await?;
    get(c, org, id).await
}

/// Retires a form: its key stops accepting submissions.
pub async fn delete(c: &mut Conn, org: OrgId, actor: &Actor, id: LeadFormId) -> Result<()> {
    let current = get(c, org, id).await?;
    let now = now();
    c.execute(&Raw(
        "UPDATE lead_forms SET deleted_at = $1, version = version + 1, updated_at = $1 WHERE id = $2 AND org_id = $3",
        vec![now.into(), id.0.into(), org.0.into()],
    ))
    .await?;
    let summary = format!("Web form {} deleted", current.name);
    audit(c, org, actor, "lead_form", id.0, "deleted", summary, &[]).await
}

/// A form found by its public key, with what a submission needs of its org.
#[derive(Clone, Debug)]
pub struct PublicForm {
    pub org: OrgId,
    pub region: String,
    pub form: LeadForm,
}

pub async fn by_key(c: &mut Conn, key: &str) -> Result<Option<PublicForm>> {
    if !key.starts_with("lf_") || key.len() > 100 {
        return Ok(None);
    }
    c.query_opt(
        &Raw(
            "SELECT f.id, f.pipeline_id, f.name, f.public_key, f.allowed_origins, f.redirect_url, f.version, \
             f.created_at, f.updated_at, f.org_id, o.default_region \
             FROM lead_forms f JOIN orgs o ON o.id = f.org_id \
             WHERE f.public_key = $1 AND f.deleted_at IS NULL",
            vec![key.into()],
        ),
        |r| {
            Ok(PublicForm {
                form: form(r)?,
                org: r.get(9)?,
                region: r.get(10)?,
            })
        },
    )
    .await
}

/// What became of a submission.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// Too many from this address lately; nothing stored.
    Limited,
    /// Rejected input; nothing stored but the rate-limit hit.
    Invalid(Invalid),
    /// The honeypot was filled in; nothing stored.
    Spam,
    Created(LeadId),
    /// An open lead with the same phone or email got the submission.
    Attached(LeadId),
}

/// Takes one submission from `ip`. Commits in every outcome, so refused
/// and spam submissions still count against the address's rate limit.
pub async fn submit(
    c: &mut Conn,
    public: &PublicForm,
    ip: &str,
    pairs: &[(String, String)],
) -> Result<Outcome> {
    let (org, form) = (public.org, &public.form);
    let now = now();
    c.execute(&Raw(
        "DELETE FROM lead_form_hits WHERE form_id = $1 AND at < $2",
        vec![form.id.0.into(), (now - WINDOW).into()],
    ))
    .await?;
    let recent: i64 = c
        .query_one(
            &Raw(
                "SELECT COUNT(*) FROM lead_form_hits WHERE form_id = $1 AND ip = $2 AND at >= $3",
                vec![form.id.0.into(), ip.into(), (now - WINDOW).into()],
            ),
            |r| r.get(0),
        )
        .await?;
    if recent >= SUBMISSIONS_PER_WINDOW {
        return Ok(Outcome::Limited);
    }
    c.execute(&Raw(
        "INSERT INTO lead_form_hits (id, org_id, form_id, ip, at) VALUES ($1, $2, $3, $4, $5)",
        vec![
            uuid::Uuid::now_v7().into(),
            org.0.into(),
            form.id.0.into(),
            ip.into(),
            now.into(),
        ],
    ))
    .await?;
    let fields = match parse_submission(pairs, &public.region) {
        Ok(Submission::Lead(fields)) => *fields,
        Ok(Submission::Spam) => return Ok(Outcome::Spam),
        Err(invalid) => return Ok(Outcome::Invalid(invalid)),
    };
    let actor = Actor::system(&format!("Web form {}", form.name));
    let via = format!("web form {}", form.name);
    let contact = Contact {
        fields: &fields,
        signal: SignalKind::FormSubmission,
        via: &via,
        message: fields.notes.as_deref(),
        pipeline: Some(form.pipeline_id),
    };
    match capture(c, org, &actor, &contact).await {
        Ok(Captured::Created { lead, .. }) => Ok(Outcome::Created(lead)),
        Ok(Captured::Attached { lead, .. }) => Ok(Outcome::Attached(lead)),
        // Refused before anything was written; the rate-limit hit stays.
        Err(StoreError::Invalid(invalid)) => Ok(Outcome::Invalid(invalid)),
        Err(e) => Err(e),
    }
}
