//! A job's child rows: its technicians, serviced equipment and line items.

use super::JobTechnicians;
use crate::{Conn, Result};
use hearth_domain::jobs::{Job, LineItem, LineItemKind, Quantity, Technician};
use hearth_domain::{EquipmentId, OrgId, UserId};
use sea_query::{Expr, ExprTrait, Order, Query};
use std::collections::HashMap;
use uuid::Uuid;

/// Fills in the technicians, equipment and line items of jobs just read:
/// three statements however many jobs there are, each a probe per job into
/// the table's (org_id, job_id, …) key.
pub(super) async fn complete(c: &mut Conn, org: OrgId, jobs: &mut [Job]) -> Result<()> {
    if jobs.is_empty() {
        return Ok(());
    }
    let ids: Vec<Uuid> = jobs.iter().map(|j| j.id.0).collect();
    let index: HashMap<Uuid, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let in_ids = |col: &str| Expr::cust(col.to_string()).is_in(ids.iter().copied().map(Expr::val));

    let mut q = Query::select();
    q.expr(Expr::cust("job_technicians.job_id"))
        .expr(Expr::cust("users.id"))
        .expr(Expr::cust("users.name"))
        .from(JobTechnicians::Table)
        .inner_join(
            Users::Table,
            Expr::cust("users.id = job_technicians.user_id"),
        )
        .and_where(Expr::cust("job_technicians.org_id").eq(org.0))
        .and_where(in_ids("job_technicians.job_id"))
        .order_by_expr(Expr::cust("users.name"), Order::Asc)
        .order_by_expr(Expr::cust("users.id"), Order::Asc);
    let rows = c
        .query(&q, |r| {
            Ok((
                r.get::<Uuid>(0)?,
                Technician {
                    id: r.get(1)?,
                    name: r.get(2)?,
                },
            ))
        })
        .await?;
    for (job, t) in rows {
        if let Some(&i) = index.get(&job) {
            jobs[i].technicians.push(t);
        }
    }
    for j in jobs.iter_mut() {
        let mut ids: Vec<UserId> = j.technicians.iter().map(|t| t.id).collect();
        ids.sort_unstable();
        j.fields.technician_ids = ids;
    }

    let mut q = Query::select();
    q.expr(Expr::cust("job_id"))
        .expr(Expr::cust("equipment_id"))
        .from(JobEquipment::Table)
        .and_where(Expr::cust("org_id").eq(org.0))
        .and_where(in_ids("job_id"))
        // The primary key's order; by equipment alone would tempt SQLite
        // into the org's whole equipment index to skip a sort.
        .order_by_expr(Expr::cust("job_id"), Order::Asc)
        .order_by_expr(Expr::cust("equipment_id"), Order::Asc);
    let rows = c
        .query(&q, |r| Ok((r.get::<Uuid>(0)?, r.get::<EquipmentId>(1)?)))
        .await?;
    for (job, e) in rows {
        if let Some(&i) = index.get(&job) {
            jobs[i].fields.equipment_ids.push(e);
        }
    }

    let mut q = Query::select();
    q.expr(Expr::cust("job_id"))
        .expr(Expr::cust("kind"))
        .expr(Expr::cust("description"))
        .expr(Expr::cust("quantity_milli"))
        .expr(Expr::cust("unit_price_minor"))
        .expr(Expr::cust("currency"))
        .expr(Expr::cust("total_minor"))
        .from(JobLineItems::Table)
        .and_where(Expr::cust("org_id").eq(org.0))
        .and_where(in_ids("job_id"))
        .order_by_expr(Expr::cust("job_id"), Order::Asc)
        .order_by_expr(Expr::cust("position"), Order::Asc);
    let rows = c
        .query(&q, |r| {
            let kind: String = r.get(1)?;
            Ok((
                r.get::<Uuid>(0)?,
                LineItem {
                    kind: LineItemKind::parse(&kind).unwrap_or(LineItemKind::Service),
                    description: r.get(2)?,
                    quantity: Quantity::from_milli(r.get(3)?),
                    unit_price_minor: r.get(4)?,
                    currency: r.get(5)?,
                    total_minor: r.get(6)?,
                },
            ))
        })
        .await?;
    for (job, item) in rows {
        if let Some(&i) = index.get(&job) {
            jobs[i].fields.line_items.push(item);
        }
    }
    for j in jobs.iter_mut() {
        j.totals = j.fields.totals();
    }
    Ok(())
}

#[derive(sea_query::Iden)]
pub(super) enum Users {
    Table,
}

#[derive(sea_query::Iden)]
enum JobEquipment {
    Table,
}

#[derive(sea_query::Iden)]
enum JobLineItems {
    Table,
}
