//! Jobs (bookings): reading them, with their technicians, line items and
//! serviced equipment loaded in one batch per list.

mod card;
mod children;
mod status;
mod work;
mod write;

pub use card::{CustomerJobs, PastNote, for_customer_card, past_notes_of_customer};
pub use status::{set_status, status_history};
pub use work::{
    NewPhoto, add_note, add_photo, check_work, get_photo, list_notes, list_photos, sign_off,
};
pub use write::{book_agreed, create, delete, update};

use crate::page::{self, Page};
use crate::{Conn, Raw, Result, Row};
use children::complete;
use chrono::{DateTime, Utc};
use hearth_domain::addresses::AddressFields;
use hearth_domain::customers::{ContactMethod, CustomerFields};
use hearth_domain::jobs::{Industry, Job, JobFields, JobGroup, JobStatus, SignOff, totals};
use hearth_domain::{AddressId, CustomerId, JobId, OrgId, UserId};
use sea_query::{Expr, ExprTrait, Order, Query, SelectStatement};
use serde::Serialize;
use uuid::Uuid;

#[derive(sea_query::Iden)]
enum Jobs {
    Table,
    Id,
    OrgId,
    CustomerId,
    AddressId,
    ServiceType,
    Industry,
    Description,
    ScheduledStart,
    ScheduledEnd,
    Status,
    CancelReason,
    Currency,
    CompletedAt,
    SignedOffAt,
    SignedOffById,
    SignedOffByName,
    CustomerSignatureName,
    Version,
    CreatedAt,
    UpdatedAt,
    DeletedAt,
}

#[derive(sea_query::Iden)]
enum Customers {
    Table,
    Id,
    OrgId,
    FirstName,
    LastName,
    BusinessName,
    DeletedAt,
}

#[derive(sea_query::Iden)]
enum Addresses {
    Table,
    Id,
    OrgId,
    Line1,
    Line2,
    City,
    Region,
    PostalCode,
    Country,
}

#[derive(sea_query::Iden)]
enum JobTechnicians {
    Table,
    JobId,
    OrgId,
    UserId,
    ScheduledStart,
}

/// The job's row joined with its customer's name and its address; the
/// order [`job`] reads.
fn select() -> SelectStatement {
    let mut q = Query::select();
    for col in [
        Jobs::Id,
        Jobs::CustomerId,
        Jobs::AddressId,
        Jobs::ServiceType,
        Jobs::Industry,
        Jobs::Description,
        Jobs::ScheduledStart,
        Jobs::ScheduledEnd,
        Jobs::Status,
        Jobs::CancelReason,
        Jobs::Currency,
        Jobs::CompletedAt,
        Jobs::SignedOffAt,
        Jobs::SignedOffById,
        Jobs::SignedOffByName,
        Jobs::CustomerSignatureName,
        Jobs::Version,
        Jobs::CreatedAt,
        Jobs::UpdatedAt,
    ] {
        q.column((Jobs::Table, col));
    }
    for col in [
        Customers::FirstName,
        Customers::LastName,
        Customers::BusinessName,
    ] {
        q.column((Customers::Table, col));
    }
    for col in [
        Addresses::Line1,
        Addresses::Line2,
        Addresses::City,
        Addresses::Region,
        Addresses::PostalCode,
        Addresses::Country,
    ] {
        q.column((Addresses::Table, col));
    }
    q.from(Jobs::Table)
        .inner_join(
            Customers::Table,
            Expr::col((Customers::Table, Customers::Id))
                .equals((Jobs::Table, Jobs::CustomerId))
                .and(
                    Expr::col((Customers::Table, Customers::OrgId))
                        .equals((Jobs::Table, Jobs::OrgId)),
                ),
        )
        .inner_join(
            Addresses::Table,
            Expr::col((Addresses::Table, Addresses::Id))
                .equals((Jobs::Table, Jobs::AddressId))
                .and(
                    Expr::col((Addresses::Table, Addresses::OrgId))
                        .equals((Jobs::Table, Jobs::OrgId)),
                ),
        );
    q
}

fn job(r: &Row) -> Result<Job> {
    let status: String = r.get(8)?;
    let industry: String = r.get(4)?;
    let names = CustomerFields {
        first_name: r.get(19)?,
        last_name: r.get(20)?,
        business_name: r.get(21)?,
        email: None,
        phone: None,
        preferred_contact_method: ContactMethod::default(),
        customer_since: chrono::NaiveDate::MIN,
    };
    let place = AddressFields {
        label: None,
        line1: r.get(22)?,
        line2: r.get(23)?,
        city: r.get(24)?,
        region: r.get(25)?,
        postal_code: r.get(26)?,
        country: r.get(27)?,
        access_instructions: None,
    };
    let currency: String = r.get(10)?;
    let sign_off = match r.get::<Option<DateTime<Utc>>>(12)? {
        Some(signed_at) => Some(SignOff {
            technician_id: r.get(13)?,
            technician_name: r.get::<Option<String>>(14)?.unwrap_or_default(),
            customer_name: r.get::<Option<String>>(15)?.unwrap_or_default(),
            signed_at,
        }),
        None => None,
    };
    Ok(Job {
        id: r.get(0)?,
        customer_id: r.get(1)?,
        customer_display_name: names.display_name(),
        address_one_line: place.one_line(),
        fields: JobFields {
            address_id: r.get(2)?,
            service_type: r.get(3)?,
            industry: Industry::parse(&industry).unwrap_or(Industry::Other),
            description: r.get(5)?,
            scheduled_start: r.get(6)?,
            scheduled_end: r.get(7)?,
            technician_ids: vec![],
            equipment_ids: vec![],
            currency: currency.clone(),
            line_items: vec![],
        },
        technicians: vec![],
        status: JobStatus::parse(&status).unwrap_or(JobStatus::Scheduled),
        cancel_reason: r.get(9)?,
        totals: totals(&currency, &[]),
        sign_off,
        completed_at: r.get(11)?,
        version: r.get(16)?,
        created_at: r.get(17)?,
        updated_at: r.get(18)?,
    })
}

/// A live job of this organisation whose customer is not in the bin.
pub async fn get(c: &mut Conn, org: OrgId, id: JobId) -> Result<Job> {
    let mut q = select();
    q.and_where(Expr::col((Jobs::Table, Jobs::Id)).eq(id.0))
        .and_where(Expr::col((Jobs::Table, Jobs::OrgId)).eq(org.0))
        .and_where(Expr::col((Jobs::Table, Jobs::DeletedAt)).is_null())
        .and_where(Expr::col((Customers::Table, Customers::DeletedAt)).is_null());
    let mut one = vec![c.query_one(&q, job).await?];
    complete(c, org, &mut one).await?;
    Ok(one.remove(0))
}

/// What a list of jobs is filtered by.
#[derive(Clone, Debug, Default)]
pub struct ListQuery {
    pub customer: Option<CustomerId>,
    pub address: Option<AddressId>,
    pub technician: Option<UserId>,
    pub status: Option<JobStatus>,
    /// Only jobs not yet completed or cancelled, however late.
    pub open_only: bool,
    /// The customer card's grouping; `now` decides upcoming from past.
    pub group: Option<(JobGroup, DateTime<Utc>)>,
    /// Scheduled to start at or after this instant…
    pub from: Option<DateTime<Utc>>,
    /// …and before this one.
    pub to: Option<DateTime<Utc>>,
    /// Latest first instead of soonest first.
    pub newest_first: bool,
    /// The customer card lists the jobs of a customer in the bin too.
    pub include_binned_customers: bool,
    pub cursor: Option<String>,
    pub limit: u64,
}

/// The cursor of a job list: the last job's start and id.
#[derive(Serialize, serde::Deserialize)]
struct After(DateTime<Utc>, Uuid);

/// Jobs by scheduled start. Each filter has an index whose columns start
/// with `org_id` and end with the start time, so a page is one index range:
/// `jobs_customer`, `jobs_address`, `jobs_status`, `job_technicians_user`
/// (its copy of the start), or `jobs_start` without a filter.
pub async fn list(c: &mut Conn, org: OrgId, query: &ListQuery) -> Result<Page<Job>> {
    let after = crate::parent::cursor::<After>(query.cursor.as_deref())?;
    let mut q = select();
    // With a technician, the range and the order run over their
    // assignment rows (start, job), which their index holds in order.
    let (start, id) = match query.technician {
        Some(user) => {
            q.inner_join(
                JobTechnicians::Table,
                Expr::col((JobTechnicians::Table, JobTechnicians::JobId))
                    .equals((Jobs::Table, Jobs::Id))
                    .and(Expr::col((JobTechnicians::Table, JobTechnicians::OrgId)).eq(org.0))
                    .and(Expr::col((JobTechnicians::Table, JobTechnicians::UserId)).eq(user.0)),
            );
            (
                Expr::col((JobTechnicians::Table, JobTechnicians::ScheduledStart)),
                Expr::col((JobTechnicians::Table, JobTechnicians::JobId)),
            )
        }
        None => (
            Expr::col((Jobs::Table, Jobs::ScheduledStart)),
            Expr::col((Jobs::Table, Jobs::Id)),
        ),
    };
    q.and_where(Expr::col((Jobs::Table, Jobs::OrgId)).eq(org.0))
        .and_where(Expr::col((Jobs::Table, Jobs::DeletedAt)).is_null());
    if !query.include_binned_customers {
        q.and_where(Expr::col((Customers::Table, Customers::DeletedAt)).is_null());
    }
    if let Some(customer) = query.customer {
        q.and_where(Expr::col((Jobs::Table, Jobs::CustomerId)).eq(customer.0));
    }
    if let Some(address) = query.address {
        q.and_where(Expr::col((Jobs::Table, Jobs::AddressId)).eq(address.0));
    }
    if let Some(status) = query.status {
        q.and_where(Expr::col((Jobs::Table, Jobs::Status)).eq(status.as_str()));
    }
    if query.open_only {
        q.and_where(open_condition());
    }
    if let Some((group, now)) = query.group {
        q.and_where(group_condition(group, now));
    }
    if let Some(from) = query.from {
        q.and_where(start.clone().gte(from));
    }
    if let Some(to) = query.to {
        q.and_where(start.clone().lt(to));
    }
    if let Some(After(at, last)) = after {
        let key = Expr::tuple([start.clone(), id.clone()]);
        let seen = Expr::tuple([Expr::val(at), Expr::val(last)]);
        q.and_where(if query.newest_first {
            key.lt(seen)
        } else {
            key.gt(seen)
        });
    }
    let order = if query.newest_first {
        Order::Desc
    } else {
        Order::Asc
    };
    q.order_by_expr(start, order.clone())
        .order_by_expr(id, order)
        .limit(query.limit + 1);
    let mut rows = c.query(&q, job).await?;
    complete(c, org, &mut rows).await?;
    Ok(page::finish(rows, query.limit, |j| {
        After(j.fields.scheduled_start, j.id.0)
    }))
}

/// The SQL side of [`hearth_domain::jobs::group`]; the two must agree.
fn group_condition(group: JobGroup, now: DateTime<Utc>) -> Expr {
    let status = || Expr::col((Jobs::Table, Jobs::Status));
    let end = || Expr::col((Jobs::Table, Jobs::ScheduledEnd));
    match group {
        JobGroup::Cancelled => status().eq("cancelled"),
        JobGroup::Upcoming => open_condition().and(end().gte(now)),
        JobGroup::Past => status()
            .eq("completed")
            .or(open_condition().and(end().lt(now))),
    }
}

/// Scheduled, en route or in progress: the statuses that are not final.
fn open_condition() -> Expr {
    let open = JobStatus::ALL
        .into_iter()
        .filter(|s| !s.is_final())
        .map(JobStatus::as_str);
    Expr::col((Jobs::Table, Jobs::Status)).is_in(open)
}

/// How many of a customer's jobs are completed, for the insights strip
/// (`jobs_customer`, then the status of each of their jobs).
pub async fn completed_count(c: &mut Conn, org: OrgId, customer: CustomerId) -> Result<i64> {
    c.query_one(
        &Raw(
            "SELECT COUNT(*) FROM jobs WHERE org_id = $1 AND customer_id = $2 \
             AND status = 'completed' AND deleted_at IS NULL",
            vec![org.0.into(), customer.0.into()],
        ),
        |r| r.get(0),
    )
    .await
}

/// Someone a job or a follow-up can be assigned to.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct TeamMember {
    pub id: UserId,
    pub name: String,
    pub role: hearth_domain::auth::Role,
}

/// The organisation's active users, by name (`users_org`).
pub async fn assignable_users(c: &mut Conn, org: OrgId) -> Result<Vec<TeamMember>> {
    c.query(
        &Raw(
            "SELECT id, name, role FROM users WHERE org_id = $1 AND disabled_at IS NULL \
             ORDER BY name, id LIMIT 500",
            vec![org.0.into()],
        ),
        |r: &Row| {
            Ok(TeamMember {
                id: r.get(0)?,
                name: r.get(1)?,
                role: r
                    .get::<String>(2)?
                    .parse()
                    .map_err(|e: String| crate::StoreError::Db(e))?,
            })
        },
    )
    .await
}
