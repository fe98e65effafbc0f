//! Look-alikes of a lead: customers (found as for a new customer) and open
//! leads with the same phone or email, both judged by the same rules.
//! Won and lost leads are history, not a second record of someone.

use super::{Candidate, ON_CREATE, OnCreate, PROBE_CAP, find, profile_name, profile_row, settings};
use crate::search::{Dynamic, placeholders};
use crate::{Conn, Result};
use hearth_domain::duplicates::{self as rules, Profile, Reason};
use hearth_domain::history::Actor;
use hearth_domain::leads::{Lead, LeadFields, LeadInput};
use hearth_domain::{LeadId, OrgId};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;

/// An open lead that looks like another record, with the evidence.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct LeadCandidate {
    pub lead_id: LeadId,
    pub display_name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// 0–100, best first.
    pub score: u32,
    pub reasons: Vec<Reason>,
}

/// Existing records a lead looks like.
#[derive(Clone, Debug, Default, Serialize, utoipa::ToSchema)]
pub struct Lookalikes {
    /// Live customers, most likely first.
    pub customers: Vec<Candidate>,
    /// Open leads, most likely first.
    pub leads: Vec<LeadCandidate>,
}

impl Lookalikes {
    pub fn is_empty(&self) -> bool {
        self.customers.is_empty() && self.leads.is_empty()
    }
}

fn profile(id: Uuid, f: &LeadFields) -> Profile {
    Profile {
        id,
        first_name: f.first_name.clone(),
        last_name: f.last_name.clone(),
        business_name: f.business_name.clone(),
        email: f.email.clone(),
        phone: f.phone.clone(),
        addresses: f.service_address.iter().cloned().collect(),
    }
}

/// Open leads with the same phone or email as `subject`, ranked.
async fn open_leads(
    c: &mut Conn,
    org: OrgId,
    subject: &Profile,
    limit: usize,
) -> Result<Vec<LeadCandidate>> {
    let mut ids: BTreeSet<Uuid> = BTreeSet::new();
    for (column, value) in [("phone", &subject.phone), ("email", &subject.email)] {
        let Some(value) = value else { continue };
        ids.extend(
            c.query(
                &Dynamic(
                    format!(
                        "SELECT l.id FROM leads l JOIN pipeline_stages s ON s.id = l.stage_id \
                         WHERE l.org_id = $1 AND l.{column} = $2 AND l.deleted_at IS NULL \
                         AND s.kind = 'open' LIMIT $3"
                    ),
                    vec![org.0.into(), value.clone().into(), PROBE_CAP.into()],
                ),
                |r| r.get::<Uuid>(0),
            )
            .await?,
        );
    }
    ids.remove(&subject.id);
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let mut values: Vec<sea_query::Value> = vec![org.0.into()];
    values.extend(ids.iter().map(|id| sea_query::Value::from(*id)));
    let others = c
        .query(
            &Dynamic(
                format!(
                    // Probes by id, not a walk of the organisation's
                    // leads (see `profiles`).
                    "SELECT id, first_name, last_name, business_name, email, phone, service_address \
                     FROM leads WHERE (org_id = $1) IS TRUE AND id IN ({})",
                    placeholders(2, ids.len())
                ),
                values,
            ),
            |r| {
                Ok(Profile {
                    addresses: r.get::<Option<String>>(6)?.into_iter().collect(),
                    ..profile_row(r)?
                })
            },
        )
        .await?;
    let by_id: BTreeMap<Uuid, &Profile> = others.iter().map(|p| (p.id, p)).collect();
    Ok(rules::rank(subject, &others, limit)
        .into_iter()
        .filter_map(|(id, l)| {
            by_id.get(&id).map(|p| LeadCandidate {
                lead_id: LeadId(id),
                display_name: profile_name(p),
                phone: p.phone.clone(),
                email: p.email.clone(),
                score: l.score,
                reasons: l.reasons,
            })
        })
        .collect())
}

async fn lookalikes(
    c: &mut Conn,
    org: OrgId,
    subject: &Profile,
    limit: usize,
) -> Result<Lookalikes> {
    Ok(Lookalikes {
        customers: find(c, org, subject, limit).await?,
        leads: open_leads(c, org, subject, limit).await?,
    })
}

/// What a live lead looks like, for its card: its own customer (the one it
/// was captured for or converted into) is not a duplicate of it.
pub async fn of_lead(c: &mut Conn, org: OrgId, id: LeadId, limit: usize) -> Result<Lookalikes> {
    let lead = crate::leads::get(c, org, id).await?;
    let mut found = lookalikes(c, org, &profile(id.0, &lead.fields), limit).await?;
    found
        .customers
        .retain(|cand| Some(cand.customer_id) != lead.customer_id);
    Ok(found)
}

/// The outcome of creating a lead with the duplicate check.
pub enum LeadChecked {
    /// Created; the records it looks like (empty when none).
    Created(Box<Lead>, Lookalikes),
    /// Not created: the organisation blocks duplicates and these exist.
    Blocked(Lookalikes),
}

/// Creates a lead by hand after the duplicate check, in one transaction;
/// the organisation's duplicate setting applies as for customers. `allow`
/// creates it even when blocked (the person saw the warning). Invalid
/// input is reported by the create itself, whole.
pub async fn create_lead(
    c: &mut Conn,
    org: OrgId,
    region: &str,
    actor: &Actor,
    input: &LeadInput,
    allow: bool,
) -> Result<LeadChecked> {
    let found = match input.validate(region) {
        Ok(fields) => lookalikes(c, org, &profile(Uuid::nil(), &fields), ON_CREATE).await?,
        Err(_) => Lookalikes::default(),
    };
    if !found.is_empty() && !allow && settings(c, org).await? == OnCreate::Block {
        return Ok(LeadChecked::Blocked(found));
    }
    let lead = crate::leads::create(c, org, region, actor, input).await?;
    Ok(LeadChecked::Created(Box::new(lead), found))
}
