//! The customer card's insights strip, read in one unit of work.

use crate::{Conn, Raw, Result, call_status, comms, customers, jobs, notes, tags};
use chrono::{DateTime, Utc};
use hearth_domain::customers::Customer;
use hearth_domain::insights::{ActivityCounts, Insights, insights};
use hearth_domain::{CustomerId, OrgId};

/// A customer has at most as many tags as the organisation defines; the
/// strip shows them all.
const TAGS_SHOWN: u64 = 200;

/// Insights of a live customer of this organisation.
pub async fn get(c: &mut Conn, org: OrgId, id: CustomerId) -> Result<Insights> {
    let customer = customers::get(c, org, id, false).await?;
    of(c, org, &customer).await
}

/// Insights of a customer already read (the card also shows deleted ones).
pub async fn of(c: &mut Conn, org: OrgId, customer: &Customer) -> Result<Insights> {
    let id = customer.id;
    let status = call_status::get(c, org, id).await?;
    let tags = tags::of_customer(c, org, id, None, TAGS_SHOWN).await?.items;
    let counts = counts(c, org, id).await?;
    Ok(insights(
        customer.fields.customer_since,
        customer.created_at,
        status,
        tags,
        &counts,
    ))
}

/// What the strip counts.
async fn counts(c: &mut Conn, org: OrgId, id: CustomerId) -> Result<ActivityCounts> {
    let pinned_notes = notes::pinned_count(c, org, id).await?;
    let completed_jobs = jobs::completed_count(c, org, id).await?;
    let communications_by_channel = comms::counts_by_channel(c, org, id).await?;
    let last_activity_at = c
        .query_opt(
            &Raw(
                "SELECT at FROM events WHERE org_id = $1 AND customer_id = $2 \
                 ORDER BY at DESC, id DESC LIMIT 1",
                vec![org.0.into(), id.0.into()],
            ),
            |r| r.get::<DateTime<Utc>>(0),
        )
        .await?;
    Ok(ActivityCounts {
        completed_jobs,
        communications_by_channel,
        pinned_notes,
        last_activity_at,
    })
}
