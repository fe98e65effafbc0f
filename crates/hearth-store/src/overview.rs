//! The customer 360° in one unit of work (seeds 001, 002, 003): profile,
//! places and their equipment, open work, money, membership, loyalty,
//! support, insights and the latest timeline, for `GET
//! /api/v1/customers/{id}/overview`.

use crate::billing::{invoices, loyalty, memberships, spending};
use crate::history::{self, Event};
use crate::{Conn, Result, addresses, customer_contacts, customers, equipment, insights, jobs};
use crate::{page::MAX_LIMIT, support};
use hearth_domain::addresses::ServiceAddress;
use hearth_domain::billing::invoices::Invoice;
use hearth_domain::billing::memberships::{Membership, MembershipStatus};
use hearth_domain::billing::spending::Spending;
use hearth_domain::customer_contacts::CustomerContact;
use hearth_domain::customers::Customer;
use hearth_domain::equipment::Equipment;
use hearth_domain::insights::Insights;
use hearth_domain::jobs::Job;
use hearth_domain::support::Ticket;
use hearth_domain::{CustomerId, OrgId};
use serde::Serialize;
use utoipa::ToSchema;

/// Rows per list; the list endpoints page through the rest.
const SHOWN: u64 = 10;

/// A service address with the equipment installed there.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct AddressWithEquipment {
    #[serde(flatten)]
    pub address: ServiceAddress,
    pub equipment: Vec<Equipment>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Overview {
    pub customer: Customer,
    pub addresses: Vec<AddressWithEquipment>,
    pub contacts: Vec<CustomerContact>,
    /// Not yet completed or cancelled, soonest first.
    pub open_jobs: Vec<Job>,
    /// Newest first, each with its `balance_minor`.
    pub recent_invoices: Vec<Invoice>,
    /// Active and paused memberships.
    pub memberships: Vec<Membership>,
    pub loyalty_balance: i64,
    /// Tickets not yet closed.
    pub open_tickets: Vec<Ticket>,
    pub insights: Insights,
    pub spending: Spending,
    /// The latest entries, newest first.
    pub timeline: Vec<Event>,
}

/// A customer's addresses (primary first, as listed) with their equipment.
pub async fn addresses_with_equipment(
    c: &mut Conn,
    org: OrgId,
    customer: CustomerId,
) -> Result<(Vec<AddressWithEquipment>, bool)> {
    let places = addresses::list(c, org, customer, None, MAX_LIMIT).await?;
    let mut units = equipment::for_customer(c, org, customer).await?;
    let truncated = places.next_cursor.is_some();
    let grouped = places
        .items
        .into_iter()
        .map(|address| {
            let (here, elsewhere) = units.drain(..).partition(|u| u.address_id == address.id);
            units = elsewhere;
            AddressWithEquipment {
                address,
                equipment: here,
            }
        })
        .collect();
    Ok((grouped, truncated))
}

/// The 360° of a live customer.
pub async fn get(c: &mut Conn, org: OrgId, id: CustomerId) -> Result<Overview> {
    let customer = customers::get(c, org, id, false).await?;
    let (addresses, _) = addresses_with_equipment(c, org, id).await?;
    let contacts = customer_contacts::list(c, org, id, None, SHOWN)
        .await?
        .items;
    let jobs = jobs::ListQuery {
        customer: Some(id),
        open_only: true,
        limit: SHOWN,
        ..jobs::ListQuery::default()
    };
    let open_jobs = jobs::list(c, org, &jobs).await?.items;
    let invoices = invoices::ListQuery {
        customer: Some(id),
        limit: SHOWN,
        ..invoices::ListQuery::default()
    };
    let recent_invoices = invoices::list(c, org, &invoices).await?.items;
    let memberships = memberships::list(c, org, Some(id), None, SHOWN)
        .await?
        .items
        .into_iter()
        .filter(|m| m.status != MembershipStatus::Cancelled)
        .collect();
    let loyalty_balance = loyalty::balance(c, org, id).await?;
    let tickets = support::ListQuery {
        customer: Some(id),
        active: true,
        limit: SHOWN,
        ..support::ListQuery::default()
    };
    let open_tickets = support::list(c, org, &tickets).await?.items;
    let insights = insights::of(c, org, &customer).await?;
    let spending = spending::of(c, org, &customer, insights.completed_jobs).await?;
    let timeline = history::timeline(c, org, id, None, None, SHOWN)
        .await?
        .items;
    Ok(Overview {
        customer,
        addresses,
        contacts,
        open_jobs,
        recent_invoices,
        memberships,
        loyalty_balance,
        open_tickets,
        insights,
        spending,
        timeline,
    })
}
