//! Membership plans, an organisation-wide list (Settings → Membership plans).

use super::{check_version, currency, record, settings, word};
use crate::orgs::now;
use crate::page::{self, Page};
use crate::{Conn, Raw, Result, Row, StoreError, parent};
use hearth_domain::billing::memberships::{Plan, PlanFields, PlanInput, PlanInterval, PlanPatch};
use hearth_domain::history::{Actor, all_fields, diff};
use hearth_domain::{OrgId, PlanId};
use serde_json::json;

macro_rules! select {
    ($rest:literal) => {
        concat!(
            "SELECT id, name, description, price_minor, currency, billing_interval, included_visits, archived, \
             version, created_at, updated_at FROM membership_plans ",
            $rest
        )
    };
}

fn plan(r: &Row) -> Result<Plan> {
    Ok(Plan {
        id: r.get(0)?,
        fields: PlanFields {
            name: r.get(1)?,
            description: r.get(2)?,
            price_minor: r.get(3)?,
            currency: currency(r, 4)?,
            interval: word(r, 5, PlanInterval::parse)?,
            included_visits: r.get(6)?,
        },
        archived: r.get(7)?,
        version: r.get(8)?,
        created_at: r.get(9)?,
        updated_at: r.get(10)?,
    })
}

fn audited(f: &PlanFields, archived: bool) -> serde_json::Value {
    let mut v = serde_json::to_value(f).unwrap_or_default();
    if let Some(m) = v.as_object_mut() {
        m.insert("archived".into(), json!(archived));
    }
    v
}

pub async fn create(c: &mut Conn, org: OrgId, actor: &Actor, input: &PlanInput) -> Result<Plan> {
    let s = settings::get(c, org).await?;
    let f = input.validate(s.default_currency)?;
    let id = PlanId::new();
    c.execute(&Raw(
        "INSERT INTO membership_plans (id, org_id, name, description, price_minor, currency, billing_interval, \
         included_visits, archived, version, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $10, $10)",
        vec![
            id.0.into(),
            org.0.into(),
            f.name.clone().into(),
            f.description.clone().into(),
            f.price_minor.into(),
            f.currency.as_str().into(),
            f.interval.as_str().into(),
            f.included_visits.into(),
            false.into(),
            now().into(),
        ],
    ))
    .await?;
    let changes = all_fields(&audited(&f, false), true);
    let summary = format!("Membership plan {} created", f.name);
    record(
        c,
        org,
        actor,
        ("membership_plan", id.0),
        None,
        "membership",
        "created",
        summary,
        &changes,
    )
    .await?;
    get(c, org, id).await
}

pub async fn get(c: &mut Conn, org: OrgId, id: PlanId) -> Result<Plan> {
    c.query_one(
        &Raw(
            select!("WHERE id = $1 AND org_id = $2"),
            vec![id.0.into(), org.0.into()],
        ),
        plan,
    )
    .await
}

/// Plans in the order they were created (`membership_plans_org`).
pub async fn list(
    c: &mut Conn,
    org: OrgId,
    include_archived: bool,
    cursor: Option<&str>,
    limit: u64,
) -> Result<Page<Plan>> {
    let after = parent::after_id(cursor)?;
    let sql = if include_archived {
        select!("WHERE org_id = $1 AND id > $2 ORDER BY id LIMIT $3")
    } else {
        select!("WHERE org_id = $1 AND id > $2 AND archived = $4 ORDER BY id LIMIT $3")
    };
    let mut args = vec![org.0.into(), after.into(), (limit as i64 + 1).into()];
    if !include_archived {
        args.push(false.into());
    }
    let rows = c.query(&Raw(sql, args), plan).await?;
    Ok(page::finish(rows, limit, |p| p.id.0))
}

/// Changes a plan; its members see the new terms. `archived: true` stops
/// new enrolments.
pub async fn update(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    id: PlanId,
    patch: &PlanPatch,
) -> Result<Plan> {
    let current = get(c, org, id).await?;
    check_version(current.version, patch.version)?;
    let f = current.fields.patched(patch)?;
    let archived = patch.archived.unwrap_or(current.archived);
    let changes = diff(
        &audited(&current.fields, current.archived),
        &audited(&f, archived),
    );
    if changes.is_empty() {
        return Ok(current);
    }
    let n = c
        .execute(&Raw(
            "UPDATE membership_plans SET name = $1, description = $2, price_minor = $3, currency = $4, \
             billing_interval = $5, included_visits = $6, archived = $7, version = version + 1, updated_at = $8 \
             WHERE id = $9 AND org_id = $10 AND version = $11",
            vec![
                f.name.clone().into(),
                f.description.clone().into(),
                f.price_minor.into(),
                f.currency.as_str().into(),
                f.interval.as_str().into(),
                f.included_visits.into(),
                archived.into(),
                now().into(),
                id.0.into(),
                org.0.into(),
                patch.version.into(),
            ],
        ))
        .await?;
    if n == 0 {
        return Err(StoreError::Conflict {
            current_version: current.version,
        });
    }
    let summary = format!(
        "Membership plan {}: changed {}",
        f.name,
        parent::changed(&changes)
    );
    record(
        c,
        org,
        actor,
        ("membership_plan", id.0),
        None,
        "membership",
        "updated",
        summary,
        &changes,
    )
    .await?;
    get(c, org, id).await
}
