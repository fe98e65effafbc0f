//! Lead capture, the one way every source (web form, SMS, call, chat,
//! WhatsApp) turns a prospect's contact into a lead: a repeat contact from
//! someone with an open lead attaches to that lead; anyone else becomes a
//! new lead, linked to the live customer with the same phone or email.
//! Either way the lead gets the source's signal, so its score moves.

use super::convert::find_customer;
use super::{Shown, edit, pipelines, record, records, signals};
use crate::orgs::now;
use crate::{Conn, Raw, Result};
use hearth_domain::history::{Actor, FieldChange, all_fields};
use hearth_domain::leads::LeadFields;
use hearth_domain::leads::score::SignalKind;
use hearth_domain::{CustomerId, Invalid, LeadId, OrgId, PipelineId};
use serde_json::json;

/// A prospect getting in touch.
pub struct Contact<'a> {
    /// Validated; `source` says where the lead came from.
    pub fields: &'a LeadFields,
    pub signal: SignalKind,
    /// How the timeline names the source: "web form Quote request", "SMS".
    pub via: &'a str,
    /// What they said, if anything (shown as an excerpt).
    pub message: Option<&'a str>,
    /// The pipeline of a new lead; the default pipeline when `None`.
    pub pipeline: Option<PipelineId>,
}

/// The lead the contact landed on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Captured {
    Created {
        lead: LeadId,
        customer: Option<CustomerId>,
    },
    /// An open lead with the same phone or email got it.
    Attached {
        lead: LeadId,
        customer: Option<CustomerId>,
    },
}

impl Captured {
    pub fn lead(self) -> LeadId {
        match self {
            Captured::Created { lead, .. } | Captured::Attached { lead, .. } => lead,
        }
    }

    pub fn customer(self) -> Option<CustomerId> {
        match self {
            Captured::Created { customer, .. } | Captured::Attached { customer, .. } => customer,
        }
    }
}

/// Captures one contact in the caller's transaction. A pipeline without an
/// open stage is refused (422 `pipeline_id`) before anything is written.
pub async fn capture(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    contact: &Contact<'_>,
) -> Result<Captured> {
    let f = contact.fields;
    if let Some(lead) = open_lead_with(c, org, f).await? {
        let customer = attach(c, org, actor, contact, lead).await?;
        return Ok(Captured::Attached { lead, customer });
    }
    let pipeline = match contact.pipeline {
        Some(id) => pipelines::get(c, org, id).await?,
        None => pipelines::default_pipeline(c, org, actor).await?,
    };
    let Some(stage) = pipeline.entry_stage() else {
        return Err(Invalid::field("pipeline_id", "the pipeline has no open stage").into());
    };
    let customer = find_customer(c, org, f.phone.as_deref(), f.email.as_deref()).await?;
    let lead = edit::insert(c, org, f, stage, customer).await?;
    let summary = format!("Lead {} captured by {}", f.display_name(), contact.via);
    let changes = all_fields(&serde_json::to_value(f).unwrap_or_default(), true);
    record(
        c,
        org,
        actor,
        lead,
        Shown::LeadAndCustomer(customer),
        "created",
        summary,
        &changes,
    )
    .await?;
    signals::add(c, org, lead, contact.signal, now()).await?;
    Ok(Captured::Created { lead, customer })
}

/// The newest open lead with the same phone or email.
async fn open_lead_with(c: &mut Conn, org: OrgId, f: &LeadFields) -> Result<Option<LeadId>> {
    if f.phone.is_none() && f.email.is_none() {
        return Ok(None);
    }
    c.query_opt(
        &Raw(
            "SELECT l.id FROM leads l JOIN pipeline_stages s ON s.id = l.stage_id \
             WHERE l.org_id = $1 AND l.deleted_at IS NULL AND s.kind = 'open' \
             AND (l.phone = $2 OR l.email = $3) ORDER BY l.created_at DESC, l.id DESC LIMIT 1",
            vec![org.0.into(), f.phone.clone().into(), f.email.clone().into()],
        ),
        |r| r.get::<LeadId>(0),
    )
    .await
}

/// A repeat contact: a signal and a timeline entry on the existing lead.
/// Returns the lead's customer, if it has one.
async fn attach(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    contact: &Contact<'_>,
    lead: LeadId,
) -> Result<Option<CustomerId>> {
    let existing = records::get(c, org, lead).await?;
    let scored = signals::add(c, org, lead, contact.signal, now()).await?;
    let f = contact.fields;
    let submitted = json!({
        "via": contact.via,
        "name": f.display_name(),
        "phone": f.phone,
        "email": f.email,
        "service_address": f.service_address,
        "message": contact.message,
    });
    let fields = [FieldChange {
        field: "contact".into(),
        before: json!(null),
        after: submitted,
    }];
    let mut summary = format!(
        "Got in touch again by {} (score {})",
        contact.via, scored.score
    );
    if let Some(message) = contact.message {
        let excerpt: String = message.chars().take(300).collect();
        summary.push_str(&format!(": {excerpt}"));
    }
    record(
        c,
        org,
        actor,
        lead,
        Shown::LeadAndCustomer(existing.customer_id),
        "contact",
        summary,
        &fields,
    )
    .await?;
    Ok(existing.customer_id)
}
