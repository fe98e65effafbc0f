//! What a signed-in customer may read and do, shared by the portal pages
//! and their JSON API. Every record is checked to be this customer's: one
//! of another customer (of this or any organisation) is not found.

use super::owned_by;
use super::session::Customer;
use crate::AppState;
use crate::error::{ApiResult, AppError};
use hearth_domain::billing::invoices::{Invoice, InvoiceStatus};
use hearth_domain::billing::memberships::{Membership, MembershipAction};
use hearth_domain::customers::{ContactMethod, Customer as CustomerRecord, CustomerPatch};
use hearth_domain::equipment::Equipment;
use hearth_domain::jobs::{Job, JobNote, JobPhoto};
use hearth_domain::portal::slots::Slot;
use hearth_domain::{InvoiceId, JobId, MembershipId};
use hearth_store::billing::{invoices, memberships};
use hearth_store::customers;
use hearth_store::jobs::{self, ListQuery};
use hearth_store::portal::{activity, settings, slots};
use hearth_store::{equipment, orgs, work};
use serde::{Deserialize, Serialize};

/// Lists in the portal are a customer's own few records; this bounds them.
const LIST_MAX: u64 = 200;

/// Drafts are not issued yet; customers see every other invoice.
fn issued(invoice: &Invoice) -> bool {
    invoice.status != InvoiceStatus::Draft
}

pub async fn profile(s: &AppState, me: &Customer) -> ApiResult<CustomerRecord> {
    let (org, id) = (me.who.org_id, me.who.customer_id);
    Ok(s.store
        .read(work!(|c| customers::get(c, org, id, false)))
        .await?)
}

pub async fn invoices(s: &AppState, me: &Customer) -> ApiResult<Vec<Invoice>> {
    let org = me.who.org_id;
    let query = invoices::ListQuery {
        customer: Some(me.who.customer_id),
        status: None,
        cursor: None,
        limit: LIST_MAX,
    };
    let page = s
        .store
        .read(work!(|c| invoices::list(c, org, &query)))
        .await?;
    Ok(page.items.into_iter().filter(issued).collect())
}

/// One of the customer's invoices; reading it is logged on their timeline.
pub async fn invoice(s: &AppState, me: &Customer, id: InvoiceId) -> ApiResult<Invoice> {
    let org = me.who.org_id;
    let invoice = s.store.read(work!(|c| invoices::get(c, org, id))).await?;
    owned_by(invoice.customer_id, me.who.customer_id)?;
    if !issued(&invoice) {
        return Err(AppError::NotFound);
    }
    let detail = format!("Viewed invoice {}", invoice.number);
    log(s, me, "invoice_viewed", detail).await?;
    Ok(invoice)
}

/// How the customer pays an invoice.
#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Payment {
    /// Go to the provider's payment page.
    Redirect { url: String },
    /// The business takes payment itself: what to do.
    Instructions {
        invoice_number: String,
        text: String,
    },
}

/// Starts paying an invoice through the payment provider interface: a
/// hosted checkout page when one is configured, else the business's own
/// payment instructions.
pub async fn pay(
    s: &AppState,
    me: &Customer,
    id: InvoiceId,
    return_url: String,
) -> ApiResult<Payment> {
    let org = me.who.org_id;
    let invoice = s.store.read(work!(|c| invoices::get(c, org, id))).await?;
    owned_by(invoice.customer_id, me.who.customer_id)?;
    if !issued(&invoice) {
        return Err(AppError::NotFound);
    }
    let payment = if s.payments.get("hosted_checkout").is_some() {
        let session = crate::api::billing::invoices::checkout(
            s,
            &me.who.org_name,
            &me.who.actor,
            org,
            id,
            "hosted_checkout",
            Some(return_url),
        )
        .await?;
        Payment::Redirect { url: session.url }
    } else {
        if !invoice.status.is_collectable() {
            return Err(hearth_domain::Invalid::field(
                "status",
                format!("a {} invoice has nothing to pay", invoice.status),
            )
            .into());
        }
        let stored = s.store.read(work!(|c| settings::get(c, org))).await?;
        let text = stored.payment_instructions.unwrap_or_else(|| {
            format!(
                "{} takes payment directly. Call or message us to pay {} for invoice {}.",
                me.who.org_name,
                invoice.balance(),
                invoice.number
            )
        });
        Payment::Instructions {
            invoice_number: invoice.number.clone(),
            text,
        }
    };
    let detail = format!(
        "Started paying invoice {} ({})",
        invoice.number,
        invoice.balance()
    );
    log(s, me, "invoice_payment_started", detail).await?;
    Ok(payment)
}

pub async fn jobs(s: &AppState, me: &Customer) -> ApiResult<Vec<Job>> {
    let org = me.who.org_id;
    let query = ListQuery {
        customer: Some(me.who.customer_id),
        newest_first: true,
        limit: LIST_MAX,
        ..ListQuery::default()
    };
    Ok(s.store
        .read(work!(|c| jobs::list(c, org, &query)))
        .await?
        .items)
}

/// A job with the technicians' notes and photos.
#[derive(Serialize)]
pub struct JobDetail {
    pub job: Job,
    pub notes: Vec<JobNote>,
    pub photos: Vec<JobPhoto>,
}

pub async fn job(s: &AppState, me: &Customer, id: JobId) -> ApiResult<JobDetail> {
    let org = me.who.org_id;
    let job = s.store.read(work!(|c| jobs::get(c, org, id))).await?;
    owned_by(job.customer_id, me.who.customer_id)?;
    let (notes, photos) = s
        .store
        .read(work!(|c| async {
            let notes = jobs::list_notes(c, org, id, None, LIST_MAX).await?;
            let photos = jobs::list_photos(c, org, id, None, LIST_MAX).await?;
            Ok((notes.items, photos.items))
        }))
        .await?;
    Ok(JobDetail { job, notes, photos })
}

/// A photo of one of the customer's jobs.
pub async fn photo(
    s: &AppState,
    me: &Customer,
    job: JobId,
    photo: hearth_domain::JobPhotoId,
) -> ApiResult<axum::response::Response> {
    let org = me.who.org_id;
    let found = s.store.read(work!(|c| jobs::get(c, org, job))).await?;
    owned_by(found.customer_id, me.who.customer_id)?;
    crate::api::jobs::photo_response(s, org, job, photo).await
}

pub async fn equipment(s: &AppState, me: &Customer) -> ApiResult<Vec<Equipment>> {
    let (org, id) = (me.who.org_id, me.who.customer_id);
    Ok(s.store
        .read(work!(|c| equipment::for_customer(c, org, id)))
        .await?)
}

pub async fn memberships(s: &AppState, me: &Customer) -> ApiResult<Vec<Membership>> {
    let (org, id) = (me.who.org_id, me.who.customer_id);
    Ok(s.store
        .read(work!(|c| memberships::list(
            c,
            org,
            Some(id),
            None,
            LIST_MAX
        )))
        .await?
        .items)
}

/// Pauses or cancels one of the customer's memberships, if the business
/// lets customers do that themselves.
pub async fn membership_action(
    s: &AppState,
    me: &Customer,
    id: MembershipId,
    action: MembershipAction,
) -> ApiResult<Membership> {
    let org = me.who.org_id;
    let current = s
        .store
        .read(work!(|c| memberships::get(c, org, id)))
        .await?;
    owned_by(current.customer_id, me.who.customer_id)?;
    let allowed = s.store.read(work!(|c| settings::get(c, org))).await?;
    let permitted = match action {
        MembershipAction::Pause => allowed.allow_pause,
        MembershipAction::Cancel => allowed.allow_cancel,
        _ => false,
    };
    if !permitted {
        return Err(AppError::Refused(format!(
            "{} does not take this change online; please call us",
            me.who.org_name
        )));
    }
    let actor = me.who.actor.clone();
    let customer = me.who.customer_id;
    let what = format!("membership_{}", action.done());
    Ok(s.store
        .write(work!(|c| async {
            let m = memberships::act(c, org, &actor, id, action, None).await?;
            let detail = format!("Membership {} {}", m.plan_name, action.done());
            activity::log(c, org, customer, &what, detail).await?;
            Ok(m)
        }))
        .await?)
}

pub async fn open_slots(s: &AppState, me: &Customer) -> ApiResult<Vec<Slot>> {
    let org = me.who.org_id;
    Ok(s.store
        .read(work!(|c| slots::open(c, org, orgs::now())))
        .await?)
}

/// Books service in an open slot at one of the customer's addresses.
pub async fn request_service(
    s: &AppState,
    me: &Customer,
    request: slots::ServiceRequest,
) -> ApiResult<Job> {
    let (org, customer) = (me.who.org_id, me.who.customer_id);
    let (region, actor) = (me.who.region.clone(), me.who.actor.clone());
    let job = s
        .store
        .write(work!(|c| slots::request_service(
            c,
            org,
            &region,
            &actor,
            customer,
            &request,
            orgs::now()
        )))
        .await?;
    Ok(job)
}

/// The contact details a customer keeps current themselves.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContactInput {
    pub version: i64,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub preferred_contact_method: Option<ContactMethod>,
}

pub async fn update_contact(
    s: &AppState,
    me: &Customer,
    input: ContactInput,
) -> ApiResult<CustomerRecord> {
    let (org, id) = (me.who.org_id, me.who.customer_id);
    let (region, actor) = (me.who.region.clone(), me.who.actor.clone());
    // An empty field clears it, as on the staff form.
    let clearable = |v: Option<String>| v.map(|v| Some(v).filter(|v| !v.trim().is_empty()));
    let patch = CustomerPatch {
        version: input.version,
        email: clearable(input.email),
        phone: clearable(input.phone),
        preferred_contact_method: input.preferred_contact_method,
        first_name: None,
        last_name: None,
        business_name: None,
        customer_since: None,
    };
    Ok(s.store
        .write(work!(|c| async {
            let updated = customers::update(c, org, &region, &actor, id, &patch).await?;
            activity::log(
                c,
                org,
                id,
                "contact_updated",
                "Updated contact details".into(),
            )
            .await?;
            Ok(updated)
        }))
        .await?)
}

/// Logs a read on the customer's timeline.
async fn log(s: &AppState, me: &Customer, what: &'static str, detail: String) -> ApiResult<()> {
    let (org, id) = (me.who.org_id, me.who.customer_id);
    s.store
        .write(work!(|c| activity::log(c, org, id, what, detail)))
        .await?;
    Ok(())
}
