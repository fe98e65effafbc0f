//! Finding duplicate customers: a few bounded index probes (same phone,
//! same email, search hits on the name and first service address), then
//! hearth_domain::duplicates decides and ranks.

use crate::search::{self, Dynamic, placeholders};
use crate::{Conn, Raw, Result};
use hearth_domain::customers::{ContactMethod, Customer, CustomerFields, CustomerInput};
use hearth_domain::duplicates::{self as rules, Likeness, Profile, Reason};
use hearth_domain::history::Actor;
use hearth_domain::{CustomerId, OrgId};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Customers read per probe at most, and search hits per search.
const PROBE_CAP: i64 = 20;

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

/// A pair of customers of the organisation that look like one.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Pair {
    pub a: Candidate,
    pub b: Candidate,
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

/// The profiles of live customers `ids`, with their service addresses.
async fn profiles(c: &mut Conn, org: OrgId, ids: &[CustomerId]) -> Result<Vec<Profile>> {
    let mut out = Vec::with_capacity(ids.len());
    for part in ids.chunks(200) {
        let mut values: Vec<sea_query::Value> = vec![org.0.into()];
        values.extend(part.iter().map(|id| sea_query::Value::from(id.0)));
        let list = placeholders(2, part.len());
        let mut found: BTreeMap<CustomerId, Profile> = c
            .query(
                &Dynamic(
                    format!(
                        "SELECT id, first_name, last_name, business_name, email, phone FROM customers \
                         WHERE org_id = $1 AND id IN ({list}) AND deleted_at IS NULL"
                    ),
                    values.clone(),
                ),
                |r| {
                    Ok(Profile {
                        id: r.get(0)?,
                        first_name: r.get(1)?,
                        last_name: r.get(2)?,
                        business_name: r.get(3)?,
                        email: r.get(4)?,
                        phone: r.get(5)?,
                        addresses: vec![],
                    })
                },
            )
            .await?
            .into_iter()
            .map(|p| (p.id, p))
            .collect();
        let addresses = c
            .query(
                &Dynamic(
                    format!(
                        "SELECT customer_id, line1 || COALESCE(' ' || postal_code, '') FROM addresses \
                         WHERE org_id = $1 AND customer_id IN ({list}) AND deleted_at IS NULL"
                    ),
                    values,
                ),
                |r| Ok((r.get::<CustomerId>(0)?, r.get::<String>(1)?)),
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

/// Live customers of the organisation that look like `subject`, best first.
/// Bounded: at most a few dozen customers are read whatever the data size.
pub async fn find(
    c: &mut Conn,
    org: OrgId,
    subject: &Profile,
    limit: usize,
) -> Result<Vec<Candidate>> {
    let mut ids: BTreeSet<CustomerId> = BTreeSet::new();
    for (sql, value) in [
        (
            "SELECT id FROM customers WHERE org_id = $1 AND phone = $2 AND deleted_at IS NULL LIMIT $3",
            subject.phone.clone(),
        ),
        (
            "SELECT id FROM customers WHERE org_id = $1 AND email = $2 AND deleted_at IS NULL LIMIT $3",
            subject.email.clone(),
        ),
    ] {
        let Some(value) = value else { continue };
        ids.extend(
            c.query(
                &Raw(sql, vec![org.0.into(), value.into(), PROBE_CAP.into()]),
                |r| r.get::<CustomerId>(0),
            )
            .await?,
        );
    }
    // Typo-tolerant search on the name and on the first address finds
    // similar names and shared addresses.
    let name = [subject.first_name.as_deref(), subject.last_name.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let name = if name.trim().is_empty() {
        subject.business_name.clone().unwrap_or_default()
    } else {
        name
    };
    for text in [Some(name), subject.addresses.first().cloned()]
        .into_iter()
        .flatten()
    {
        let hits = search::search(c, org, &text, PROBE_CAP as usize).await?;
        ids.extend(hits.into_iter().map(|h| h.customer_id));
    }
    ids.remove(&subject.id);
    let ids: Vec<CustomerId> = ids.into_iter().collect();
    let others = profiles(c, org, &ids).await?;
    let by_id: BTreeMap<CustomerId, &Profile> = others.iter().map(|p| (p.id, p)).collect();
    Ok(rules::rank(subject, &others, limit)
        .into_iter()
        .filter_map(|(id, likeness)| by_id.get(&id).map(|p| candidate(p, likeness)))
        .collect())
}

fn candidate(p: &Profile, likeness: Likeness) -> Candidate {
    let fields = CustomerFields {
        first_name: p.first_name.clone(),
        last_name: p.last_name.clone(),
        business_name: p.business_name.clone(),
        email: p.email.clone(),
        phone: p.phone.clone(),
        preferred_contact_method: ContactMethod::default(),
        customer_since: chrono::NaiveDate::MIN,
    };
    Candidate {
        customer_id: p.id,
        display_name: fields.display_name(),
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
    let subject = profiles(c, org, &[id]).await?.pop();
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
        // Nil: never an existing customer's id.
        id: CustomerId(uuid::Uuid::nil()),
        first_name: fields.first_name.clone(),
        last_name: fields.last_name.clone(),
        business_name: fields.business_name.clone(),
        email: fields.email.clone(),
        phone: fields.phone.clone(),
        addresses: vec![],
    };
    find(c, org, &subject, limit).await
}

/// The organisation's duplicate pairs, best first: customers sharing a
/// phone, an email or a whole name, each pair scored on all evidence.
/// Grouped by the database, so it is one pass over three indexes; typos
/// in names are found per customer ([`of_customer`], on create), not here.
pub async fn pairs(c: &mut Conn, org: OrgId, limit: usize) -> Result<Vec<Pair>> {
    let mut groups: Vec<Vec<CustomerId>> = Vec::new();
    for column in ["phone", "email", "sort_name"] {
        let keys = c
            .query(
                &Dynamic(
                    format!(
                        "SELECT {column} FROM customers WHERE org_id = $1 AND deleted_at IS NULL \
                         AND {column} IS NOT NULL AND {column} <> '' \
                         GROUP BY {column} HAVING COUNT(*) > 1 LIMIT $2"
                    ),
                    vec![org.0.into(), ((limit as i64) * 2).into()],
                ),
                |r| r.get::<String>(0),
            )
            .await?;
        for key in keys {
            groups.push(
                c.query(
                    &Dynamic(
                        format!(
                            "SELECT id FROM customers WHERE org_id = $1 AND {column} = $2 \
                             AND deleted_at IS NULL LIMIT $3"
                        ),
                        vec![org.0.into(), key.into(), PROBE_CAP.into()],
                    ),
                    |r| r.get::<CustomerId>(0),
                )
                .await?,
            );
        }
    }
    let ids: BTreeSet<CustomerId> = groups.iter().flatten().copied().collect();
    let ids: Vec<CustomerId> = ids.into_iter().collect();
    let profiles: BTreeMap<CustomerId, Profile> = profiles(c, org, &ids)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for group in &groups {
        for (i, a) in group.iter().enumerate() {
            for b in &group[i + 1..] {
                let key = if a < b { (*a, *b) } else { (*b, *a) };
                let (Some(pa), Some(pb)) = (profiles.get(&key.0), profiles.get(&key.1)) else {
                    continue;
                };
                if !seen.insert(key) {
                    continue;
                }
                if let Some(l) = rules::compare(pa, pb) {
                    let (score, reasons) = (l.score, l.reasons.clone());
                    out.push(Pair {
                        a: candidate(pa, l.clone()),
                        b: candidate(pb, l),
                        score,
                        reasons,
                    });
                }
            }
        }
    }
    out.sort_by(|x, y| {
        y.score
            .cmp(&x.score)
            .then((x.a.customer_id, x.b.customer_id).cmp(&(y.a.customer_id, y.b.customer_id)))
    });
    out.truncate(limit);
    Ok(out)
}

/// The outcome of creating a customer with the duplicate check.
pub enum Checked {
    /// Created; the look-alikes it has (empty when none).
    Created(Box<Customer>, Vec<Candidate>),
    /// Not created: the organisation blocks duplicates and these exist.
    Blocked(Vec<Candidate>),
}

/// Look-alikes listed on create, at most.
const ON_CREATE: usize = 5;

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
    let customer = crate::customers::create(c, org, region, actor, input).await?;
    Ok(Checked::Created(Box::new(customer), found))
}
