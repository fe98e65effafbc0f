//! The jobs a customer card shows, and the notes of past visits a
//! technician reads before the next one.

use super::{ListQuery, list};
use crate::{Conn, Raw, Result};
use chrono::{DateTime, Utc};
use hearth_domain::history::{Actor, ActorKind};
use hearth_domain::jobs::{Job, JobGroup, JobNote};
use hearth_domain::{AddressId, CustomerId, OrgId};
use std::collections::HashMap;

/// Per group, the card shows this many; the full lists are a click away.
const SHOWN: u64 = 10;
/// Recent jobs read to fill the address cards, and how many each shows.
const RECENT: u64 = 100;
const PER_ADDRESS: usize = 5;

/// A customer's jobs as the card groups them (seed 001: "all bookings:
/// past, upcoming, cancelled"), and the latest at each address.
#[derive(Debug, Default)]
pub struct CustomerJobs {
    pub upcoming: Vec<Job>,
    pub past: Vec<Job>,
    pub cancelled: Vec<Job>,
    pub more_upcoming: bool,
    pub more_past: bool,
    pub more_cancelled: bool,
    by_address: HashMap<AddressId, Vec<Job>>,
}

impl CustomerJobs {
    /// The newest jobs at one address.
    pub fn at(&self, address: &AddressId) -> &[Job] {
        self.by_address.get(address).map_or(&[], Vec::as_slice)
    }
}

/// The card's jobs, also for a customer in the bin.
pub async fn for_customer_card(
    c: &mut Conn,
    org: OrgId,
    customer: CustomerId,
    now: DateTime<Utc>,
) -> Result<CustomerJobs> {
    let query = |group: Option<JobGroup>, limit: u64| ListQuery {
        customer: Some(customer),
        group: group.map(|g| (g, now)),
        newest_first: group != Some(JobGroup::Upcoming),
        include_binned_customers: true,
        limit,
        ..ListQuery::default()
    };
    let upcoming = list(c, org, &query(Some(JobGroup::Upcoming), SHOWN)).await?;
    let past = list(c, org, &query(Some(JobGroup::Past), SHOWN)).await?;
    let cancelled = list(c, org, &query(Some(JobGroup::Cancelled), SHOWN)).await?;
    let recent = list(c, org, &query(None, RECENT)).await?;
    let mut by_address: HashMap<AddressId, Vec<Job>> = HashMap::new();
    for job in recent.items {
        let at = by_address.entry(job.fields.address_id).or_default();
        if at.len() < PER_ADDRESS {
            at.push(job);
        }
    }
    Ok(CustomerJobs {
        more_upcoming: upcoming.next_cursor.is_some(),
        more_past: past.next_cursor.is_some(),
        more_cancelled: cancelled.next_cursor.is_some(),
        upcoming: upcoming.items,
        past: past.items,
        cancelled: cancelled.items,
        by_address,
    })
}

/// A note from one of the customer's jobs, with the job it belongs to.
#[derive(Clone, Debug)]
pub struct PastNote {
    pub note: JobNote,
    pub service_type: String,
    pub scheduled_start: DateTime<Utc>,
}

/// The customer's newest job notes (`job_notes_customer`, newest first).
pub async fn past_notes_of_customer(
    c: &mut Conn,
    org: OrgId,
    customer: CustomerId,
    limit: u64,
) -> Result<Vec<PastNote>> {
    c.query(
        &Raw(
            "SELECT n.id, n.job_id, n.body, n.author_kind, n.author_id, n.author_name, n.created_at, \
             j.service_type, j.scheduled_start FROM job_notes n \
             JOIN jobs j ON j.id = n.job_id AND j.org_id = n.org_id \
             WHERE n.org_id = $1 AND n.customer_id = $2 AND j.deleted_at IS NULL \
             ORDER BY n.id DESC LIMIT $3",
            vec![org.0.into(), customer.0.into(), (limit as i64).into()],
        ),
        |r| {
            Ok(PastNote {
                note: JobNote {
                    id: r.get(0)?,
                    job_id: r.get(1)?,
                    body: r.get(2)?,
                    author: Actor {
                        kind: ActorKind::parse(&r.get::<String>(3)?),
                        id: r.get(4)?,
                        name: r.get(5)?,
                    },
                    created_at: r.get(6)?,
                },
                service_type: r.get(7)?,
                scheduled_start: r.get(8)?,
            })
        },
    )
    .await
}
