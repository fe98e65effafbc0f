//! `customer_facts`: what segment filters need of a customer's jobs,
//! payments and memberships, one row per live customer. [`refresh`] is
//! called by `history::record` for every change to a customer, job,
//! payment or membership, inside that change's transaction, so the facts
//! (and every segment count) are right the moment it commits. Facts hold
//! instants, never ages, so the passing of time changes no row.

use crate::billing::settings;
use crate::{Bulk, Conn, Raw, Result};
use chrono::{DateTime, Utc};
use hearth_domain::{CustomerId, OrgId};
use sea_query::{Expr, Query};
use std::sync::LazyLock;

/// Entities whose changes move a customer's facts.
pub(crate) const MOVES_FACTS: &[&str] = &["customer", "job", "payment", "membership"];

/// Which customers' facts a statement writes.
#[derive(Clone, Copy)]
enum Scope {
    Organisation,
    /// The customer bound as `$3`.
    Customer,
}

/// Writes the facts of the organisation's (`$1`) live customers in
/// `scope`, payments counted in its default currency (`$2`). The best
/// membership wins: active over paused over cancelled; none at all is
/// `none`. Set-based: each child table is aggregated by customer in one
/// ordered pass over its customer index (jobs over the covering index of
/// migration 0021), then joined, so rewriting a whole organisation reads
/// each table once instead of probing it once per customer.
fn facts_sql(scope: Scope) -> String {
    let (of_child, of_customer) = match scope {
        Scope::Organisation => ("", ""),
        Scope::Customer => (" AND customer_id = $3", " AND c.id = $3"),
    };
    format!(
        "INSERT INTO customer_facts \
         (org_id, customer_id, created_at, bookings, last_booking_at, lifetime_minor, membership) \
         SELECT c.org_id, c.id, c.created_at, COALESCE(j.bookings, 0), j.last_booking_at, \
         COALESCE(p.lifetime_minor, 0), COALESCE(m.membership, 'none') \
         FROM customers c \
         LEFT JOIN (SELECT customer_id, COUNT(*) AS bookings, MAX(scheduled_start) AS last_booking_at \
          FROM jobs WHERE org_id = $1{of_child} AND deleted_at IS NULL AND status <> 'cancelled' \
          GROUP BY customer_id) j ON j.customer_id = c.id \
         LEFT JOIN (SELECT customer_id, CAST(SUM(amount_minor) AS BIGINT) AS lifetime_minor \
          FROM payments WHERE org_id = $1{of_child} AND currency = $2 \
          GROUP BY customer_id) p ON p.customer_id = c.id \
         LEFT JOIN (SELECT customer_id, \
          CASE MIN(CASE status WHEN 'active' THEN 1 WHEN 'paused' THEN 2 ELSE 3 END) \
          WHEN 1 THEN 'active' WHEN 2 THEN 'paused' ELSE 'cancelled' END AS membership \
          FROM memberships WHERE org_id = $1{of_child} \
          GROUP BY customer_id) m ON m.customer_id = c.id \
         WHERE c.org_id = $1 AND c.deleted_at IS NULL{of_customer}"
    )
}

/// [`facts_sql`] of each scope, written once (the one-customer statement runs in
/// every change's transaction).
static OF_ORGANISATION: LazyLock<String> = LazyLock::new(|| facts_sql(Scope::Organisation));
static OF_CUSTOMER: LazyLock<String> = LazyLock::new(|| facts_sql(Scope::Customer));

/// Rewrites one customer's facts; a deleted customer has none, so it
/// leaves every segment (and comes back on restore).
pub async fn refresh(c: &mut Conn, org: OrgId, customer: CustomerId) -> Result<()> {
    let currency = settings::get(c, org).await?.default_currency;
    c.execute(&Raw(
        "DELETE FROM customer_facts WHERE org_id = $1 AND customer_id = $2",
        vec![org.0.into(), customer.0.into()],
    ))
    .await?;
    c.execute(&Raw(
        OF_CUSTOMER.as_str(),
        vec![org.0.into(), currency.as_str().into(), customer.0.into()],
    ))
    .await?;
    Ok(())
}

/// Rewrites the facts of every customer of the organisation: after the
/// migration that adds them, and when its default currency changes.
/// Returns how many customers have facts.
pub async fn rebuild(c: &mut Conn, org: OrgId) -> Result<u64> {
    let currency = settings::get(c, org).await?.default_currency;
    c.execute(&Raw(
        "DELETE FROM customer_facts WHERE org_id = $1",
        vec![org.0.into()],
    ))
    .await?;
    c.execute(&Raw(
        OF_ORGANISATION.as_str(),
        vec![org.0.into(), currency.as_str().into()],
    ))
    .await
}

/// [`rebuild`] for every organisation.
pub async fn rebuild_all(c: &mut Conn) -> Result<u64> {
    let orgs = c
        .query(&Raw("SELECT id FROM orgs", vec![]), |r| r.get::<OrgId>(0))
        .await?;
    let mut n = 0;
    for org in orgs {
        n += rebuild(c, org).await?;
    }
    Ok(n)
}

/// Facts of customers just bulk-loaded (no jobs, payments or memberships
/// yet), one statement per call.
pub async fn insert_new(
    c: &mut Conn,
    org: OrgId,
    customers: impl IntoIterator<Item = (CustomerId, DateTime<Utc>)>,
) -> Result<()> {
    let mut insert = Query::insert();
    insert.into_table("customer_facts").columns([
        "org_id",
        "customer_id",
        "created_at",
        "bookings",
        "last_booking_at",
        "lifetime_minor",
        "membership",
    ]);
    let mut any = false;
    for (id, created_at) in customers {
        any = true;
        insert.values_panic([
            Expr::val(org.0),
            Expr::val(id.0),
            Expr::val(created_at),
            Expr::val(0i64),
            Expr::val(Option::<DateTime<Utc>>::None),
            Expr::val(0i64),
            Expr::val("none"),
        ]);
    }
    if any {
        c.execute(&Bulk(&insert)).await?;
    }
    Ok(())
}
