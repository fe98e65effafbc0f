//! Service requests from the portal: the open slots, and booking one as a
//! job the dispatcher sees on the jobs list and dashboard.

use super::{activity, settings};
use crate::{Conn, Raw, Result, addresses, jobs};
use chrono::{DateTime, Duration, Utc};
use hearth_domain::history::Actor;
use hearth_domain::jobs::{Job, JobInput};
use hearth_domain::portal::slots::{self, HORIZON_DAYS, Slot};
use hearth_domain::{AddressId, CustomerId, Invalid, OrgId};

/// The start and end of every job in the calendar between `from` and
/// `until`. Jobs last at most 31 days, so the range on `jobs_start` is
/// bounded.
async fn booked(
    c: &mut Conn,
    org: OrgId,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Vec<(DateTime<Utc>, DateTime<Utc>)>> {
    c.query(
        &Raw(
            "SELECT scheduled_start, scheduled_end FROM jobs WHERE org_id = $1 AND deleted_at IS NULL \
             AND status <> 'cancelled' AND scheduled_start >= $2 AND scheduled_start < $3 AND scheduled_end > $4",
            vec![
                org.0.into(),
                (from - Duration::days(31)).into(),
                until.into(),
                from.into(),
            ],
        ),
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .await
}

/// The slots a customer may pick now.
pub async fn open(c: &mut Conn, org: OrgId, now: DateTime<Utc>) -> Result<Vec<Slot>> {
    let hours = settings::get(c, org).await?;
    let taken = booked(c, org, now, now + Duration::days(HORIZON_DAYS + 1)).await?;
    Ok(slots::open_slots(&hours, now, &taken))
}

/// What a customer asks for.
pub struct ServiceRequest {
    /// One of their addresses; their primary one when absent.
    pub address_id: Option<AddressId>,
    pub service_type: Option<String>,
    pub description: Option<String>,
    pub slot_start: DateTime<Utc>,
}

/// Books the request as a scheduled job in the slot picked, if it is still
/// open, and logs it on the customer's timeline.
pub async fn request_service(
    c: &mut Conn,
    org: OrgId,
    region: &str,
    actor: &Actor,
    customer: CustomerId,
    request: &ServiceRequest,
    now: DateTime<Utc>,
) -> Result<Job> {
    let hours = settings::get(c, org).await?;
    let taken = booked(c, org, now, now + Duration::days(HORIZON_DAYS + 1)).await?;
    let slot = slots::pick(&hours, now, &taken, request.slot_start)?;
    let address_id = match request.address_id {
        Some(a) => Some(a),
        None => addresses::primary(c, org, customer).await?,
    };
    if address_id.is_none() {
        return Err(Invalid::field(
            "address_id",
            "we have no service address for you yet; call us to add one",
        )
        .into());
    }
    let input = JobInput {
        customer_id: Some(customer),
        address_id,
        service_type: request.service_type.clone(),
        description: request.description.clone(),
        scheduled_start: Some(slot.start),
        scheduled_end: Some(slot.end),
        ..JobInput::default()
    };
    let job = jobs::create(c, org, region, actor, &input).await?;
    activity::log(
        c,
        org,
        customer,
        "service_requested",
        format!("Requested {}", job.title()),
    )
    .await?;
    Ok(job)
}
