//! Customers' memberships: enrolment, pause, resume, cancel and renewal,
//! each on the customer's timeline as kind `membership`.

use super::{check_version, currency, lock_customer, plans, record, today, word};
use crate::orgs::now;
use crate::page::{self, Page};
use crate::{Conn, Raw, Result, Row, StoreError, parent};
use hearth_domain::billing::memberships::{
    Membership, MembershipAction, MembershipInput, MembershipStatus, PlanInterval, billing_status,
    membership_after, renews_on,
};
use hearth_domain::history::{Actor, all_fields, diff};
use hearth_domain::{CustomerId, Invalid, MembershipId, OrgId};
use serde_json::json;

macro_rules! select {
    ($rest:literal) => {
        concat!(
            "SELECT m.id, m.customer_id, m.plan_id, p.name, p.price_minor, p.currency, p.billing_interval, \
             p.included_visits, m.status, m.started_on, m.periods, m.cancelled_at, m.version, m.created_at, \
             m.updated_at FROM memberships m JOIN membership_plans p ON p.id = m.plan_id AND p.org_id = m.org_id ",
            $rest
        )
    };
}

fn membership(r: &Row) -> Result<Membership> {
    let interval = word(r, 6, PlanInterval::parse)?;
    let status = word(r, 8, MembershipStatus::parse)?;
    let started_on = r.get(9)?;
    let periods: i64 = r.get(10)?;
    let renews = renews_on(started_on, interval, periods);
    Ok(Membership {
        id: r.get(0)?,
        customer_id: r.get(1)?,
        plan_id: r.get(2)?,
        plan_name: r.get(3)?,
        price_minor: r.get(4)?,
        currency: currency(r, 5)?,
        interval,
        included_visits: r.get(7)?,
        status,
        billing_status: billing_status(status, renews, today()),
        started_on,
        periods,
        renews_on: renews,
        cancelled_at: r.get(11)?,
        version: r.get(12)?,
        created_at: r.get(13)?,
        updated_at: r.get(14)?,
    })
}

/// Enrols a live customer in a plan that takes members.
pub async fn create(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    input: &MembershipInput,
) -> Result<Membership> {
    lock_customer(c, org, input.customer_id).await?;
    let plan = match plans::get(c, org, input.plan_id).await {
        Ok(p) if !p.archived => p,
        Ok(_) => {
            return Err(Invalid::field("plan_id", "is archived and takes no new members").into());
        }
        Err(StoreError::NotFound) => {
            return Err(
                Invalid::field("plan_id", "is not a membership plan of this organisation").into(),
            );
        }
        Err(e) => return Err(e),
    };
    let started_on = input.started_on.unwrap_or_else(today);
    let id = MembershipId::new();
    c.execute(&Raw(
        "INSERT INTO memberships (id, org_id, customer_id, plan_id, status, started_on, periods, version, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, 'active', $5, 1, 1, $6, $6)",
        vec![
            id.0.into(),
            org.0.into(),
            input.customer_id.0.into(),
            plan.id.0.into(),
            started_on.into(),
            now().into(),
        ],
    ))
    .await?;
    let m = get(c, org, id).await?;
    let fields = all_fields(
        &json!({"plan_id": plan.id, "plan_name": plan.fields.name, "status": m.status, "started_on": started_on}),
        true,
    );
    let summary = format!(
        "Membership {} started; renews {}",
        plan.fields.name, m.renews_on
    );
    record(
        c,
        org,
        actor,
        ("membership", id.0),
        Some(m.customer_id),
        "membership",
        "created",
        summary,
        &fields,
    )
    .await?;
    Ok(m)
}

pub async fn get(c: &mut Conn, org: OrgId, id: MembershipId) -> Result<Membership> {
    c.query_one(
        &Raw(
            select!("WHERE m.id = $1 AND m.org_id = $2"),
            vec![id.0.into(), org.0.into()],
        ),
        membership,
    )
    .await
}

/// Memberships newest first, optionally one customer's
/// (`memberships_org` / `memberships_customer`).
pub async fn list(
    c: &mut Conn,
    org: OrgId,
    customer: Option<CustomerId>,
    cursor: Option<&str>,
    limit: u64,
) -> Result<Page<Membership>> {
    let before = parent::cursor::<uuid::Uuid>(cursor)?.unwrap_or(uuid::Uuid::max());
    let fetch = limit as i64 + 1;
    let rows = match customer {
        Some(customer) => {
            let sql = select!(
                "WHERE m.org_id = $1 AND m.customer_id = $2 AND m.id < $3 ORDER BY m.id DESC LIMIT $4"
            );
            let args = vec![org.0.into(), customer.0.into(), before.into(), fetch.into()];
            c.query(&Raw(sql, args), membership).await?
        }
        None => {
            let sql = select!("WHERE m.org_id = $1 AND m.id < $2 ORDER BY m.id DESC LIMIT $3");
            c.query(
                &Raw(sql, vec![org.0.into(), before.into(), fetch.into()]),
                membership,
            )
            .await?
        }
    };
    Ok(page::finish(rows, limit, |m| m.id.0))
}

/// Active memberships renewing between `from` and `until` (both included),
/// soonest first. The renewal date is computed from the start and the
/// periods paid, so the org's active memberships are read and filtered.
pub async fn renewing(
    c: &mut Conn,
    org: OrgId,
    from: chrono::NaiveDate,
    until: chrono::NaiveDate,
) -> Result<Vec<Membership>> {
    let sql = select!("WHERE m.org_id = $1 AND m.status = 'active' ORDER BY m.id");
    let mut due: Vec<Membership> = c
        .query(&Raw(sql, vec![org.0.into()]), membership)
        .await?
        .into_iter()
        .filter(|m| (from..=until).contains(&m.renews_on))
        .collect();
    due.sort_by_key(|m| (m.renews_on, m.id));
    Ok(due)
}

/// Pauses, resumes, cancels or renews (one more interval paid) a
/// membership.
pub async fn act(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    id: MembershipId,
    action: MembershipAction,
    version: Option<i64>,
) -> Result<Membership> {
    let current = get(c, org, id).await?;
    if let Some(v) = version {
        check_version(current.version, v)?;
    }
    let status = membership_after(current.status, action)?;
    let periods = current.periods + i64::from(action == MembershipAction::Renew);
    let now = now();
    let cancelled_at = if status == MembershipStatus::Cancelled {
        Some(now)
    } else {
        current.cancelled_at
    };
    let n = c
        .execute(&Raw(
            "UPDATE memberships SET status = $1, periods = $2, cancelled_at = $3, version = version + 1, \
             updated_at = $4 WHERE id = $5 AND org_id = $6 AND version = $7",
            vec![
                status.as_str().into(),
                periods.into(),
                cancelled_at.into(),
                now.into(),
                id.0.into(),
                org.0.into(),
                current.version.into(),
            ],
        ))
        .await?;
    if n == 0 {
        return Err(StoreError::Conflict {
            current_version: current.version,
        });
    }
    let m = get(c, org, id).await?;
    let changes = diff(
        &json!({"status": current.status, "periods": current.periods, "renews_on": current.renews_on}),
        &json!({"status": m.status, "periods": m.periods, "renews_on": m.renews_on}),
    );
    let summary = match action {
        MembershipAction::Renew => {
            format!("Membership {} renewed until {}", m.plan_name, m.renews_on)
        }
        other => format!("Membership {} {}", m.plan_name, other.done()),
    };
    record(
        c,
        org,
        actor,
        ("membership", id.0),
        Some(m.customer_id),
        "membership",
        action.done(),
        summary,
        &changes,
    )
    .await?;
    Ok(m)
}
