//! Finding duplicate customers and leads: a few bounded index probes (same
//! phone, same email, same name key, same address key), then
//! hearth_domain::duplicates decides and ranks. Every way of creating a
//! customer or a lead by hand runs this check first ([`create_customer`],
//! [`create_lead`]).

mod keys;
mod leads;
mod pairs;

pub use keys::rekey_all;
pub use leads::{LeadCandidate, LeadChecked, Lookalikes, create_lead, of_lead};
pub use pairs::{Pair, pairs};

use crate::search::{Dynamic, placeholders};
use crate::{Conn, Raw, Result, Row};
use hearth_domain::customers::{Customer, CustomerFields, CustomerInput, display_name};
use hearth_domain::duplicates::{self as rules, Likeness, Profile, Reason};
use hearth_domain::history::Actor;
use hearth_domain::{CustomerId, OrgId};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;

/// Customers read per probe at most.
pub(super) const PROBE_CAP: i64 = 20;

/// A customer that looks like a duplicate, with the evidence.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Candidate {
    pub customer_id: CustomerId,
    pub display_name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// 0–100, best first.
    pub score: u32,
    pub reasons: Vec<Reason>,
}

/// What creating a customer that looks like an existing one does.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OnCreate {
    /// Create it and list the look-alikes in the answer.
    #[default]
    Warn,
    /// Refuse (409, listing them) unless the request insists.
    Block,
}

impl OnCreate {
    fn as_str(self) -> &'static str {
        match self {
            OnCreate::Warn => "warn",
            OnCreate::Block => "block",
        }
    }
}

pub async fn settings(c: &mut Conn, org: OrgId) -> Result<OnCreate> {
    let stored = c
        .query_opt(
            &Raw(
                "SELECT on_create FROM duplicate_settings WHERE org_id = $1",
                vec![org.0.into()],
            ),
            |r| r.get::<String>(0),
        )
        .await?;
    Ok(match stored.as_deref() {
        Some("block") => OnCreate::Block,
        _ => OnCreate::Warn,
    })
}

pub async fn set_settings(c: &mut Conn, org: OrgId, on_create: OnCreate) -> Result<OnCreate> {
    c.execute(&Raw(
        "INSERT INTO duplicate_settings (org_id, on_create, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (org_id) DO UPDATE SET on_create = excluded.on_create, updated_at = excluded.updated_at",
        vec![
            org.0.into(),
            on_create.as_str().into(),
            crate::orgs::now().into(),
        ],
    ))
    .await?;
    Ok(on_create)
}

/// A service address row's text as duplicate detection compares it, from
/// a row whose columns `at` and `at + 1` are its line1 and postal code.
pub(super) fn address_row(r: &Row, at: usize) -> Result<String> {
    let postal_code: Option<String> = r.get(at + 1)?;
    Ok(rules::address_text(
        &r.get::<String>(at)?,
        postal_code.as_deref(),
    ))
}

/// A profile from a row whose first six columns are id, first name, last
/// name, business name, email and phone (customers and leads alike).
pub(super) fn profile_row(r: &Row) -> Result<Profile> {
    Ok(Profile {
        id: r.get(0)?,
        first_name: r.get(1)?,
        last_name: r.get(2)?,
        business_name: r.get(3)?,
        email: r.get(4)?,
        phone: r.get(5)?,
        addresses: vec![],
    })
}

/// Live customers of organisation `$1` among the ids in `list` (`$2, …`).
/// `(org_id = $1) IS TRUE`: SQLite otherwise walks an index of the whole
/// organisation for the ids instead of probing each (0.6 s per call at 1M
/// customers; see search::index::SOURCES).
fn customers_among(list: &str) -> String {
    format!(
        "SELECT id, first_name, last_name, business_name, email, phone FROM customers \
         WHERE (org_id = $1) IS TRUE AND id IN ({list}) AND deleted_at IS NULL"
    )
}

/// The profiles of live customers `ids`, with their service addresses.
pub(super) async fn profiles(c: &mut Conn, org: OrgId, ids: &[Uuid]) -> Result<Vec<Profile>> {
    let mut out = Vec::with_capacity(ids.len());
    for part in ids.chunks(200) {
        let mut values: Vec<sea_query::Value> = vec![org.0.into()];
        values.extend(part.iter().map(|id| sea_query::Value::from(*id)));
        let list = placeholders(2, part.len());
        let mut found: BTreeMap<Uuid, Profile> = c
            .query(
                &Dynamic(customers_among(&list), values.clone()),
                profile_row,
            )
            .await?
            .into_iter()
            .map(|p| (p.id, p))
            .collect();
        let addresses = c
            .query(
                &Dynamic(
                    format!(
                        "SELECT customer_id, line1, postal_code FROM addresses \
                         WHERE org_id = $1 AND customer_id IN ({list}) AND deleted_at IS NULL"
                    ),
                    values,
                ),
                |r| Ok((r.get::<Uuid>(0)?, address_row(r, 1)?)),
            )
            .await?;
        for (id, address) in addresses {
            if let Some(p) = found.get_mut(&id) {
                p.addresses.push(address);
            }
        }
        out.extend(found.into_values());
    }
    Ok(out)
}

/// Live customers of organisation `$1` with one value (`$2`), at most `$3`:
/// each an index probe (the plans are pinned by a test below).
const BY_PHONE: &str = "SELECT id FROM customers \
     WHERE org_id = $1 AND phone = $2 AND deleted_at IS NULL LIMIT $3";
const BY_EMAIL: &str = "SELECT id FROM customers \
     WHERE org_id = $1 AND email = $2 AND deleted_at IS NULL LIMIT $3";
const BY_NAME: &str = "SELECT id FROM customers \
     WHERE org_id = $1 AND name_key = $2 AND deleted_at IS NULL LIMIT $3";
const BY_ADDRESS: &str = "SELECT customer_id FROM addresses \
     WHERE org_id = $1 AND address_key = $2 AND deleted_at IS NULL LIMIT $3";

/// Live customers of the organisation that look like `subject`, best first.
/// Bounded: at most a few dozen customers are read whatever the data size.
/// Complete: a look-alike shares a phone, an email or a service address
/// with `subject`, or has the same name (see `rules::LOOK_ALIKE`), and each
/// of those is one index probe.
pub(super) async fn find(
    c: &mut Conn,
    org: OrgId,
    subject: &Profile,
    limit: usize,
) -> Result<Vec<Candidate>> {
    let probes = [
        (BY_PHONE, subject.phone.clone()),
        (BY_EMAIL, subject.email.clone()),
        (BY_NAME, subject.name_key()),
    ]
    .into_iter()
    .chain(
        subject
            .addresses
            .iter()
            .take(PROBE_CAP as usize)
            .filter_map(|a| rules::address_key(a))
            .map(|key| (BY_ADDRESS, Some(key))),
    );
    let mut ids: BTreeSet<Uuid> = BTreeSet::new();
    for (sql, value) in probes {
        let Some(value) = value else { continue };
        ids.extend(
            c.query(
                &Raw(sql, vec![org.0.into(), value.into(), PROBE_CAP.into()]),
                |r| r.get::<Uuid>(0),
            )
            .await?,
        );
    }
    ids.remove(&subject.id);
    let ids: Vec<Uuid> = ids.into_iter().collect();
    let others = profiles(c, org, &ids).await?;
    let by_id: BTreeMap<Uuid, &Profile> = others.iter().map(|p| (p.id, p)).collect();
    Ok(rules::rank(subject, &others, limit)
        .into_iter()
        .filter_map(|(id, likeness)| by_id.get(&id).map(|p| candidate(p, likeness)))
        .collect())
}

pub(super) fn profile_name(p: &Profile) -> String {
    display_name(
        p.first_name.as_deref(),
        p.last_name.as_deref(),
        p.business_name.as_deref(),
    )
}

pub(super) fn candidate(p: &Profile, likeness: Likeness) -> Candidate {
    Candidate {
        customer_id: CustomerId(p.id),
        display_name: profile_name(p),
        phone: p.phone.clone(),
        email: p.email.clone(),
        score: likeness.score,
        reasons: likeness.reasons,
    }
}

/// The duplicates of one live customer.
pub async fn of_customer(
    c: &mut Conn,
    org: OrgId,
    id: CustomerId,
    limit: usize,
) -> Result<Vec<Candidate>> {
    crate::customers::get(c, org, id, false).await?;
    let subject = profiles(c, org, &[id.0]).await?.pop();
    match subject {
        Some(subject) => find(c, org, &subject, limit).await,
        None => Ok(vec![]),
    }
}

/// The duplicates a new customer with these fields would have.
pub async fn of_new(
    c: &mut Conn,
    org: OrgId,
    fields: &CustomerFields,
    limit: usize,
) -> Result<Vec<Candidate>> {
    let subject = Profile {
        // Nil: never an existing record's id.
        id: Uuid::nil(),
        first_name: fields.first_name.clone(),
        last_name: fields.last_name.clone(),
        business_name: fields.business_name.clone(),
        email: fields.email.clone(),
        phone: fields.phone.clone(),
        addresses: vec![],
    };
    find(c, org, &subject, limit).await
}

/// The outcome of creating a customer with the duplicate check.
pub enum Checked {
    /// Created; the look-alikes it has (empty when none).
    Created(Box<Customer>, Vec<Candidate>),
    /// Not created: the organisation blocks duplicates and these exist.
    Blocked(Vec<Candidate>),
}

/// Look-alikes listed on create, at most.
pub(super) const ON_CREATE: usize = 5;

/// Creates a customer after the duplicate check, in one transaction: every
/// way of creating one by hand goes through here. `allow` creates it even
/// when the organisation blocks duplicates (the person saw the warning).
pub async fn create_customer(
    c: &mut Conn,
    org: OrgId,
    region: &str,
    actor: &Actor,
    input: &CustomerInput,
    allow: bool,
) -> Result<Checked> {
    let fields = input.validate(region, crate::orgs::now().date_naive())?;
    let found = of_new(c, org, &fields, ON_CREATE).await?;
    if !found.is_empty() && !allow && settings(c, org).await? == OnCreate::Block {
        return Ok(Checked::Blocked(found));
    }
    let customer = crate::customers::insert(c, org, actor, &fields).await?;
    Ok(Checked::Created(Box::new(customer), found))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::work;

    async fn plan(sql: &str, values: Vec<sea_query::Value>) -> Vec<String> {
        let (_dir, store) = crate::test_store().await;
        let sql = format!("EXPLAIN QUERY PLAN {sql}");
        store
            .read(work!(
                |c| c.query(&Dynamic(sql, values), |r| r.get::<String>(3))
            ))
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn profiles_probe_their_ids_instead_of_walking_the_organisation() {
        let values = vec![sea_query::Value::from(Uuid::nil()); 4];
        let plan = plan(&customers_among(&placeholders(2, 3)), values).await;
        assert!(
            plan.iter().all(|step| !step.contains("org_id=?")),
            "{plan:?}"
        );
    }

    #[tokio::test]
    async fn each_look_alike_probe_is_one_index_lookup_on_its_key() {
        for (sql, index) in [
            (BY_PHONE, "customers_live_phone (org_id=? AND phone=?)"),
            (BY_EMAIL, "customers_live_email (org_id=? AND email=?)"),
            (BY_NAME, "customers_name_key (org_id=? AND name_key=?)"),
            (BY_ADDRESS, "addresses_key (org_id=? AND address_key=?)"),
        ] {
            let values = vec![Uuid::nil().into(), "x".into(), PROBE_CAP.into()];
            let plan = plan(sql, values).await;
            assert!(
                plan.len() == 1 && plan[0].ends_with(index),
                "{sql}: {plan:?}"
            );
        }
    }
}
