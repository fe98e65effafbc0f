//! The warranties about to end, across all customers of an organisation.

use super::{equipment, today};
use crate::page::{self, Page};
use crate::{Conn, Raw, Result, Row, parent};
use chrono::NaiveDate;
use hearth_domain::OrgId;
use hearth_domain::customers::{ContactMethod, CustomerFields};
use hearth_domain::equipment::{Equipment, warranty_window};
use serde::Serialize;
use uuid::Uuid;

/// A warranty about to end, with who and where to call about it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ExpiringWarranty {
    #[serde(flatten)]
    pub equipment: Equipment,
    pub customer_display_name: String,
    pub address_line1: String,
}

fn expiring(r: &Row) -> Result<ExpiringWarranty> {
    // Only the name columns are read; the rest of the record is not needed
    // to say who the customer is.
    let names = CustomerFields {
        first_name: r.get(15)?,
        last_name: r.get(16)?,
        business_name: r.get(17)?,
        email: None,
        phone: None,
        preferred_contact_method: ContactMethod::default(),
        customer_since: NaiveDate::MIN,
    };
    Ok(ExpiringWarranty {
        equipment: equipment(r)?,
        customer_display_name: names.display_name(),
        address_line1: r.get(18)?,
    })
}

/// Equipment at live addresses of live customers whose warranty ends between
/// today and today + `within_days` (both included), soonest first.
///
/// Plan on SQLite: `SEARCH e USING INDEX equipment_warranty (org_id=? AND
/// warranty_expires_on>? AND warranty_expires_on<?)`, then a primary-key
/// probe each into addresses and customers; no sort step.
pub async fn expiring_warranties(
    c: &mut Conn,
    org: OrgId,
    within_days: Option<i64>,
    cursor: Option<&str>,
    limit: u64,
) -> Result<Page<ExpiringWarranty>> {
    let (from, until) = warranty_window(within_days, today())?;
    let (after_date, after_id) =
        parent::cursor::<(NaiveDate, Uuid)>(cursor)?.unwrap_or((from, Uuid::nil()));
    let sql = concat!(
        "SELECT ",
        columns!(),
        ", cu.first_name, cu.last_name, cu.business_name, a.line1 \
         FROM equipment e \
         JOIN addresses a ON a.id = e.address_id AND a.org_id = e.org_id \
         JOIN customers cu ON cu.id = e.customer_id AND cu.org_id = e.org_id \
         WHERE e.org_id = $1 AND e.deleted_at IS NULL AND e.warranty_expires_on IS NOT NULL \
         AND e.warranty_expires_on >= $2 AND e.warranty_expires_on <= $3 \
         AND (e.warranty_expires_on, e.id) > ($4, $5) \
         AND a.deleted_at IS NULL AND cu.deleted_at IS NULL \
         ORDER BY e.warranty_expires_on, e.id LIMIT $6"
    );
    let args = vec![
        org.0.into(),
        from.into(),
        until.into(),
        after_date.into(),
        after_id.into(),
        (limit as i64 + 1).into(),
    ];
    let rows = c.query(&Raw(sql, args), expiring).await?;
    let unit = |w: &ExpiringWarranty| {
        (
            w.equipment.fields.warranty_expires_on.unwrap_or(from),
            w.equipment.id.0,
        )
    };
    Ok(page::finish(rows, limit, unit))
}
