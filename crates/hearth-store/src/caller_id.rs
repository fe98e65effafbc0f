//! Caller ID: who is calling, from the number the phone system reports.

use crate::{Conn, Raw, Result};
use hearth_domain::customers::{ContactMethod, CustomerFields};
use hearth_domain::{CustomerId, OrgId};
use serde::Serialize;

/// A customer whose phone number is the caller's.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Caller {
    pub customer_id: CustomerId,
    pub display_name: String,
    pub business_name: Option<String>,
    /// E.164.
    pub phone: Option<String>,
    /// The customer's tags (shown on the incoming-call card).
    pub tags: Vec<String>,
    /// The last call status set on the customer card, if any.
    pub call_status: Option<String>,
}

/// At most this many customers share a number in an answer (a household
/// or a business line); more is noise on a call card.
const MAX_CALLERS: i64 = 20;

fn caller(r: &crate::Row) -> Result<Caller> {
    let fields = CustomerFields {
        first_name: r.get(1)?,
        last_name: r.get(2)?,
        business_name: r.get(3)?,
        email: None,
        phone: r.get(4)?,
        // Not read here; display_name() does not use them.
        preferred_contact_method: ContactMethod::default(),
        customer_since: chrono::NaiveDate::MIN,
    };
    Ok(Caller {
        customer_id: r.get(0)?,
        display_name: fields.display_name(),
        business_name: fields.business_name,
        phone: fields.phone,
        tags: Vec::new(),
        call_status: None,
    })
}

/// The organisation's live customers whose stored phone is one of `keys`
/// (E.164 forms from hearth_domain::search::caller_keys, at most three):
/// one statement, one probe of `customers_org_phone` per key.
pub async fn lookup(c: &mut Conn, org: OrgId, keys: &[String]) -> Result<Vec<Caller>> {
    let Some(first) = keys.first() else {
        return Ok(vec![]);
    };
    // Always three parameters, so the statement text never changes and
    // stays prepared; a missing key repeats the first.
    let key = |i: usize| keys.get(i).unwrap_or(first).clone();
    // No ORDER BY: SQLite would satisfy it by walking the org's name index
    // instead of probing the phone index. The few rows are sorted below.
    let sql = "SELECT id, first_name, last_name, business_name, phone FROM customers \
               WHERE org_id = $1 AND phone IN ($2, $3, $4) AND deleted_at IS NULL LIMIT $5";
    let params = vec![
        org.0.into(),
        key(0).into(),
        key(1).into(),
        key(2).into(),
        MAX_CALLERS.into(),
    ];
    let mut callers = c.query(&Raw(sql, params.clone()), caller).await?;
    if callers.is_empty() {
        // The number of a customer merged away reaches the customer it was
        // merged into (only probed when no live customer has it).
        let merged = c
            .query(
                &Raw(
                    "SELECT id FROM customers WHERE org_id = $1 AND phone IN ($2, $3, $4) \
                     AND merged_into IS NOT NULL LIMIT $5",
                    params,
                ),
                |r| r.get::<CustomerId>(0),
            )
            .await?;
        for id in merged {
            let Some(kept) = crate::customers::merged_target(c, org, id).await? else {
                continue;
            };
            if callers.iter().any(|k| k.customer_id == kept) {
                continue;
            }
            callers.extend(
                c.query_opt(
                    &Raw(
                        "SELECT id, first_name, last_name, business_name, phone FROM customers \
                         WHERE id = $1 AND org_id = $2",
                        vec![kept.0.into(), org.0.into()],
                    ),
                    caller,
                )
                .await?,
            );
        }
    }
    // A number usually belongs to one customer: two indexed probes each for
    // the card's tags and last call status, in the same unit of work.
    for caller in &mut callers {
        let tags = crate::tags::of_customer(c, org, caller.customer_id, None, 20).await?;
        caller.tags = tags.items.into_iter().map(|t| t.name).collect();
        caller.call_status = crate::call_status::get(c, org, caller.customer_id)
            .await?
            .map(|s| s.status.as_str().to_string());
    }
    callers.sort_by(|a, b| (&a.display_name, a.customer_id).cmp(&(&b.display_name, b.customer_id)));
    Ok(callers)
}
