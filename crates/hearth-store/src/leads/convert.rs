//! Converting a lead into a customer (seed 000: "Convert to Customer … no
//! re-entry required").

use super::{Shown, board, lock_lead_pipelines, pipelines, record};
use crate::duplicates::{self, Candidate, Checked};
use crate::history::{self, Change};
use crate::orgs::now;
use crate::{Conn, Raw, Result, StoreError, addresses, customers, jobs};
use hearth_domain::addresses::AddressInput;
use hearth_domain::customers::CustomerInput;
use hearth_domain::history::{Actor, FieldChange};
use hearth_domain::jobs::{AgreedWork, Job, ScheduleInput};
use hearth_domain::leads::{Lead, StageKind};
use hearth_domain::{CustomerId, JobId, LeadId, OrgId};
use serde::Serialize;
use serde_json::json;

/// A live customer with the same phone or email, the longest-standing first.
pub(crate) async fn find_customer(
    c: &mut Conn,
    org: OrgId,
    phone: Option<&str>,
    email: Option<&str>,
) -> Result<Option<CustomerId>> {
    if phone.is_none() && email.is_none() {
        return Ok(None);
    }
    c.query_opt(
        &Raw(
            "SELECT id FROM customers WHERE org_id = $1 AND deleted_at IS NULL \
             AND (phone = $2 OR email = $3) ORDER BY created_at, id LIMIT 1",
            vec![
                org.0.into(),
                phone.map(str::to_owned).into(),
                email.map(str::to_owned).into(),
            ],
        ),
        |r| r.get::<CustomerId>(0),
    )
    .await
}

/// How a conversion found its customer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// A new customer was made from the lead.
    Created,
    /// The live customer with the lead's phone or email (no second record).
    Matched,
    /// The customer the lead was already linked to.
    Linked,
}

/// What converting a lead did.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Conversion {
    pub customer_id: CustomerId,
    pub outcome: Outcome,
    /// Existing customers a newly created one looks like (a warning).
    pub duplicates: Vec<Candidate>,
}

/// The answer of [`convert`].
pub enum Converted {
    Done(Conversion),
    /// Nothing changed: a new customer would look like these, and the
    /// organisation blocks duplicates.
    Blocked(Vec<Candidate>),
}

/// Makes the lead a customer — the live customer with the same phone or
/// email, or a new one after the duplicate check (`allow`: even when the
/// organisation blocks look-alikes) — and moves it to its pipeline's won
/// stage, all in the caller's transaction. Converting again returns the
/// same customer.
pub async fn convert(
    c: &mut Conn,
    org: OrgId,
    region: &str,
    actor: &Actor,
    id: LeadId,
    allow: bool,
) -> Result<Converted> {
    // The pipeline lock also makes two conversions of one lead take turns.
    let lead = lock_lead_pipelines(c, org, id, None).await?;
    let pipeline = pipelines::get(c, org, lead.pipeline_id).await?;
    let won = pipeline.won_stage().cloned().ok_or_else(|| {
        StoreError::Refused(format!(
            "pipeline {} has no won stage: add one before converting leads",
            pipeline.name
        ))
    })?;
    let on_won_stage = pipeline
        .stage(lead.stage_id)
        .is_some_and(|s| s.kind == StageKind::Won);
    let linked = match lead.customer_id {
        Some(cid) => match customers::get(c, org, cid, false).await {
            Ok(_) => Some(cid),
            Err(StoreError::NotFound) => None,
            Err(e) => return Err(e),
        },
        None => None,
    };
    if let Some(customer_id) = linked
        && on_won_stage
    {
        return Ok(Converted::Done(Conversion {
            customer_id,
            outcome: Outcome::Linked,
            duplicates: vec![],
        }));
    }
    let matched = match linked {
        Some(_) => None,
        None => {
            find_customer(
                c,
                org,
                lead.fields.phone.as_deref(),
                lead.fields.email.as_deref(),
            )
            .await?
        }
    };
    let (customer, outcome, duplicates) = match (linked, matched) {
        (Some(cid), _) => (cid, Outcome::Linked, vec![]),
        (None, Some(cid)) => (cid, Outcome::Matched, vec![]),
        (None, None) => match new_customer(c, org, region, actor, &lead, allow).await? {
            Checked::Created(customer, found) => (customer.id, Outcome::Created, found),
            Checked::Blocked(found) => return Ok(Converted::Blocked(found)),
        },
    };
    copy_notes(c, org, actor, &lead, customer).await?;
    carry_over(c, org, region, actor, &lead, customer).await?;
    if !on_won_stage {
        board::place(c, org, actor, &lead, &won, None, None).await?;
    }
    c.execute(&Raw(
        "UPDATE leads SET customer_id = $1, version = version + 1, updated_at = $2 WHERE id = $3 AND org_id = $4",
        vec![customer.0.into(), now().into(), id.0.into(), org.0.into()],
    ))
    .await?;
    let fields = [FieldChange {
        field: "customer_id".into(),
        before: json!(lead.customer_id),
        after: json!(customer),
    }];
    let summary = match outcome {
        Outcome::Created => format!("Converted lead {} into a new customer", lead.display_name),
        Outcome::Matched | Outcome::Linked => format!(
            "Converted lead {} into an existing customer",
            lead.display_name
        ),
    };
    record(
        c,
        org,
        actor,
        id,
        Shown::LeadAndCustomer(Some(customer)),
        "converted",
        summary,
        &fields,
    )
    .await?;
    Ok(Converted::Done(Conversion {
        customer_id: customer,
        outcome,
        duplicates,
    }))
}

/// Converts the lead (as [`convert`]) and books its order: the job the won
/// work becomes, recorded on the lead as `order_id`. Asking again returns
/// the job already booked (`false`: nothing new was made). A conversion
/// the duplicate check blocks is refused (409): convert it first.
pub async fn order(
    c: &mut Conn,
    org: OrgId,
    region: &str,
    actor: &Actor,
    id: LeadId,
    schedule: &ScheduleInput,
) -> Result<(Job, bool)> {
    let customer = match convert(c, org, region, actor, id, false).await? {
        Converted::Done(done) => done.customer_id,
        Converted::Blocked(found) => return Err(blocked(&found)),
    };
    let lead = super::get_any(c, org, id).await?;
    if let Some(job) = lead.order_id {
        return Ok((jobs::get(c, org, JobId(job)).await?, false));
    }
    let work = AgreedWork {
        customer,
        primary_address: None,
        service_type: "Service visit".into(),
        description: lead.fields.notes.clone(),
        currency: lead.fields.currency.clone(),
        line_items: lead.agreed_work(),
    };
    let job = jobs::book_agreed(c, org, region, actor, schedule, work).await?;
    // The conversion above locked the lead's pipelines, so a second order
    // of the same lead waits and then finds `order_id` set.
    c.execute(&Raw(
        "UPDATE leads SET order_id = $1, version = version + 1, updated_at = $2 WHERE id = $3 AND org_id = $4",
        vec![job.id.0.into(), now().into(), id.0.into(), org.0.into()],
    ))
    .await?;
    let fields = [FieldChange {
        field: "order_id".into(),
        before: json!(null),
        after: json!(job.id),
    }];
    let summary = format!(
        "Lead {} became job {}",
        lead.display_name, job.fields.service_type
    );
    record(
        c,
        org,
        actor,
        id,
        Shown::LeadAndCustomer(Some(customer)),
        "ordered",
        summary,
        &fields,
    )
    .await?;
    Ok((job, true))
}

/// What the lead gathered that the customer keeps with no re-entry: its
/// communications, and its service address when the customer has none.
async fn carry_over(
    c: &mut Conn,
    org: OrgId,
    region: &str,
    actor: &Actor,
    lead: &Lead,
    customer: CustomerId,
) -> Result<()> {
    c.execute(&Raw(
        "UPDATE communications SET customer_id = $1 WHERE org_id = $2 AND lead_id = $3 AND customer_id IS NULL",
        vec![customer.0.into(), org.0.into(), lead.id.0.into()],
    ))
    .await?;
    let Some(typed) = &lead.fields.service_address else {
        return Ok(());
    };
    if addresses::primary(c, org, customer).await?.is_some() {
        return Ok(());
    }
    let input = AddressInput {
        line1: Some(typed.clone()),
        ..AddressInput::default()
    };
    match addresses::create(c, org, region, actor, customer, &input).await {
        // Free text too long for an address line stays in the copied notes.
        Ok(_) | Err(StoreError::Invalid(_)) => Ok(()),
        Err(e) => Err(e),
    }
}

/// The refusal of a conversion the duplicate check blocked, naming the
/// look-alikes.
pub fn blocked(found: &[Candidate]) -> StoreError {
    let names: Vec<&str> = found.iter().map(|c| c.display_name.as_str()).collect();
    StoreError::Refused(format!(
        "this lead looks like existing customers ({}) and the organisation blocks duplicates; \
         give the lead that customer's phone or email to convert into them, or convert with allow_duplicate=true",
        names.join(", ")
    ))
}

async fn new_customer(
    c: &mut Conn,
    org: OrgId,
    region: &str,
    actor: &Actor,
    lead: &Lead,
    allow: bool,
) -> Result<Checked> {
    let f = &lead.fields;
    let input = CustomerInput {
        first_name: f.first_name.clone(),
        last_name: f.last_name.clone(),
        business_name: f.business_name.clone(),
        email: f.email.clone(),
        phone: f.phone.clone(),
        preferred_contact_method: None,
        customer_since: None,
    };
    duplicates::create_customer(c, org, region, actor, &input, allow).await
}

/// The lead's notes (and the address it was captured with, which the
/// customer's own address book does not hold yet) as a customer timeline
/// entry, so nothing typed about the prospect is lost.
async fn copy_notes(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    lead: &Lead,
    customer: CustomerId,
) -> Result<()> {
    let f = &lead.fields;
    if f.notes.is_none() && f.service_address.is_none() {
        return Ok(());
    }
    let mut fields = Vec::new();
    let mut text = Vec::new();
    if let Some(address) = &f.service_address {
        text.push(format!("Service address: {address}"));
        fields.push(FieldChange {
            field: "service_address".into(),
            before: json!(null),
            after: json!(address),
        });
    }
    if let Some(notes) = &f.notes {
        text.push(notes.clone());
        fields.push(FieldChange {
            field: "notes".into(),
            before: json!(null),
            after: json!(notes),
        });
    }
    history::record(
        c,
        org,
        actor,
        Change {
            entity: "lead",
            entity_id: lead.id.0,
            customer_id: Some(customer),
            lead_id: None,
            action: "notes_copied",
            kind: "note",
            summary: format!("Notes from lead: {}", text.join("\n")),
            fields: &fields,
        },
    )
    .await
}
