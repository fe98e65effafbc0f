//! The portal's pages, server-rendered for phones first. Each handler
//! reads or acts through [`super::customer`] and renders.

use super::Site;
use super::customer::{self, ContactInput, Payment};
use super::session::{Customer, CustomerPage};
use crate::AppState;
use crate::error::{ApiResult, AppError};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::{DateTime, Utc};
use hearth_domain::billing::invoices::Invoice;
use hearth_domain::billing::memberships::{Membership, MembershipAction};
use hearth_domain::billing::money::Money;
use hearth_domain::customers::ContactMethod;
use hearth_domain::equipment::Equipment;
use hearth_domain::jobs::Job;
use hearth_domain::portal::slots::Slot;
use hearth_domain::{AddressId, FieldError, InvoiceId, JobId, JobPhotoId, MembershipId};
use hearth_store::portal::settings as store_settings;
use hearth_store::portal::slots::ServiceRequest;
use hearth_store::{addresses, work};
use std::collections::HashMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/portal",
            get(|| async { Redirect::to("/portal/invoices") }),
        )
        .route("/portal/invoices", get(invoices))
        .route("/portal/invoices/{id}", get(invoice))
        .route("/portal/invoices/{id}/pay", post(pay))
        .route("/portal/jobs", get(jobs))
        .route("/portal/jobs/{id}", get(job))
        .route("/portal/jobs/{id}/photos/{photo}", get(photo))
        .route("/portal/equipment", get(equipment))
        .route("/portal/membership", get(membership))
        .route("/portal/membership/{id}/{action}", post(membership_action))
        .route("/portal/request", get(request_page).post(request_service))
        .route("/portal/contact", get(contact_page).post(update_contact))
}

/// What every portal page shows around its content: the business's
/// branding, and for a signed-in customer the menu.
pub struct Chrome {
    pub business_name: String,
    pub org_id: String,
    pub brand_version: i64,
    pub has_logo: bool,
    /// Set when a customer is signed in.
    pub csrf: Option<String>,
}

impl Chrome {
    /// Before sign-in.
    pub fn public(site: &Site) -> Chrome {
        Chrome {
            business_name: site.business_name().to_string(),
            org_id: site.org.id.to_string(),
            brand_version: site.settings.version,
            has_logo: site.settings.has_logo,
            csrf: None,
        }
    }

    async fn of(s: &AppState, me: &Customer) -> ApiResult<Chrome> {
        let org = me.who.org_id;
        let settings = s.store.read(work!(|c| store_settings::get(c, org))).await?;
        Ok(Chrome {
            business_name: settings
                .business_name
                .clone()
                .unwrap_or_else(|| me.who.org_name.clone()),
            org_id: org.to_string(),
            brand_version: settings.version,
            has_logo: settings.has_logo,
            csrf: Some(me.csrf.clone()),
        })
    }
}

pub fn render<T: Template>(page: &T) -> Response {
    match page.render() {
        Ok(html) => axum::response::Html(html).into_response(),
        Err(e) => crate::pages::error_page(AppError::Internal(e.to_string())),
    }
}

/// A failure as a page; portal pages share the staff error page.
pub fn error(e: AppError) -> Response {
    crate::pages::error_page(e)
}

type PageResult = Result<Response, Response>;

fn id<T: std::str::FromStr>(raw: &str) -> Result<T, Response> {
    raw.parse().map_err(|_| error(AppError::NotFound))
}

#[derive(Template)]
#[template(path = "portal/invoices.html")]
struct InvoicesPage {
    chrome: Chrome,
    invoices: Vec<Invoice>,
}

async fn invoices(State(s): State<AppState>, CustomerPage(me): CustomerPage) -> PageResult {
    let invoices = customer::invoices(&s, &me).await.map_err(error)?;
    let chrome = Chrome::of(&s, &me).await.map_err(error)?;
    Ok(render(&InvoicesPage { chrome, invoices }))
}

#[derive(Template)]
#[template(path = "portal/invoice.html")]
struct InvoicePage {
    chrome: Chrome,
    csrf: String,
    lines: Vec<(String, String)>,
    paid: String,
    invoice: Invoice,
}

async fn invoice(
    State(s): State<AppState>,
    CustomerPage(me): CustomerPage,
    Path(raw): Path<String>,
) -> PageResult {
    let invoice = customer::invoice(&s, &me, id(&raw)?).await.map_err(error)?;
    let chrome = Chrome::of(&s, &me).await.map_err(error)?;
    let money = |minor| Money::new(minor, invoice.currency).to_string();
    Ok(render(&InvoicePage {
        chrome,
        csrf: me.csrf.clone(),
        lines: invoice
            .lines
            .iter()
            .map(|l| (l.description.clone(), money(l.amount_minor)))
            .collect(),
        paid: money(invoice.amount_paid_minor),
        invoice,
    }))
}

#[derive(Template)]
#[template(path = "portal/pay.html")]
struct PayPage {
    chrome: Chrome,
    number: String,
    text: String,
}

type Posted = Form<HashMap<String, String>>;

fn field<'a>(form: &'a HashMap<String, String>, name: &str) -> &'a str {
    form.get(name).map(|v| v.trim()).unwrap_or_default()
}

async fn pay(
    State(s): State<AppState>,
    CustomerPage(me): CustomerPage,
    Path(raw): Path<String>,
    Form(form): Posted,
) -> PageResult {
    me.verify_csrf(field(&form, "_csrf")).map_err(error)?;
    let invoice_id: InvoiceId = id(&raw)?;
    let back = return_url(&s, &format!("/portal/invoices/{invoice_id}"));
    match customer::pay(&s, &me, invoice_id, back)
        .await
        .map_err(error)?
    {
        Payment::Redirect { url } => Ok(Redirect::to(&url).into_response()),
        Payment::Instructions {
            invoice_number,
            text,
        } => {
            let chrome = Chrome::of(&s, &me).await.map_err(error)?;
            Ok(render(&PayPage {
                chrome,
                number: invoice_number,
                text,
            }))
        }
    }
}

/// Where the payment provider sends the customer back: the invoice in
/// this portal, at the public URL.
fn return_url(s: &AppState, path: &str) -> String {
    format!("{}{path}", super::public_base(s))
}

#[derive(Template)]
#[template(path = "portal/jobs.html")]
struct JobsPage {
    chrome: Chrome,
    jobs: Vec<Job>,
}

async fn jobs(State(s): State<AppState>, CustomerPage(me): CustomerPage) -> PageResult {
    let jobs = customer::jobs(&s, &me).await.map_err(error)?;
    let chrome = Chrome::of(&s, &me).await.map_err(error)?;
    Ok(render(&JobsPage { chrome, jobs }))
}

#[derive(Template)]
#[template(path = "portal/job.html")]
struct JobPage {
    chrome: Chrome,
    detail: customer::JobDetail,
}

async fn job(
    State(s): State<AppState>,
    CustomerPage(me): CustomerPage,
    Path(raw): Path<String>,
) -> PageResult {
    let detail = customer::job(&s, &me, id(&raw)?).await.map_err(error)?;
    let chrome = Chrome::of(&s, &me).await.map_err(error)?;
    Ok(render(&JobPage { chrome, detail }))
}

async fn photo(
    State(s): State<AppState>,
    CustomerPage(me): CustomerPage,
    Path((job, photo)): Path<(String, String)>,
) -> PageResult {
    let (job, photo): (JobId, JobPhotoId) = (id(&job)?, id(&photo)?);
    customer::photo(&s, &me, job, photo).await.map_err(error)
}

#[derive(Template)]
#[template(path = "portal/equipment.html")]
struct EquipmentPage {
    chrome: Chrome,
    equipment: Vec<Equipment>,
}

async fn equipment(State(s): State<AppState>, CustomerPage(me): CustomerPage) -> PageResult {
    let equipment = customer::equipment(&s, &me).await.map_err(error)?;
    let chrome = Chrome::of(&s, &me).await.map_err(error)?;
    Ok(render(&EquipmentPage { chrome, equipment }))
}

#[derive(Template)]
#[template(path = "portal/membership.html")]
struct MembershipPage {
    chrome: Chrome,
    csrf: String,
    memberships: Vec<Membership>,
    allow_pause: bool,
    allow_cancel: bool,
    error: Option<String>,
}

async fn membership_page(s: &AppState, me: &Customer, error_text: Option<String>) -> PageResult {
    let memberships = customer::memberships(s, me).await.map_err(error)?;
    let org = me.who.org_id;
    let settings = s
        .store
        .read(work!(|c| store_settings::get(c, org)))
        .await
        .map_err(|e| error(e.into()))?;
    let chrome = Chrome::of(s, me).await.map_err(error)?;
    Ok(render(&MembershipPage {
        chrome,
        csrf: me.csrf.clone(),
        memberships,
        allow_pause: settings.allow_pause,
        allow_cancel: settings.allow_cancel,
        error: error_text,
    }))
}

async fn membership(State(s): State<AppState>, CustomerPage(me): CustomerPage) -> PageResult {
    membership_page(&s, &me, None).await
}

async fn membership_action(
    State(s): State<AppState>,
    CustomerPage(me): CustomerPage,
    Path((raw, action)): Path<(String, String)>,
    Form(form): Posted,
) -> PageResult {
    me.verify_csrf(field(&form, "_csrf")).map_err(error)?;
    let membership: MembershipId = id(&raw)?;
    let action = match action.as_str() {
        "pause" => MembershipAction::Pause,
        "cancel" => MembershipAction::Cancel,
        _ => return Err(error(AppError::NotFound)),
    };
    match customer::membership_action(&s, &me, membership, action).await {
        Ok(_) => Ok(Redirect::to("/portal/membership").into_response()),
        Err(e @ (AppError::Refused(_) | AppError::Invalid(_))) => {
            let status = e.status();
            let page = membership_page(&s, &me, Some(e.problem().detail)).await?;
            Ok((status, page).into_response())
        }
        Err(e) => Err(error(e)),
    }
}

#[derive(Template)]
#[template(path = "portal/request.html")]
struct RequestPage {
    chrome: Chrome,
    csrf: String,
    slots: Vec<Slot>,
    addresses: Vec<(AddressId, String)>,
    service_type: String,
    description: String,
    error: Option<String>,
}

async fn request_form(
    s: &AppState,
    me: &Customer,
    form: &HashMap<String, String>,
    error_text: Option<String>,
) -> PageResult {
    let slots = customer::open_slots(s, me).await.map_err(error)?;
    let (org, id) = (me.who.org_id, me.who.customer_id);
    let addresses = s
        .store
        .read(work!(|c| addresses::list(c, org, id, None, 20)))
        .await
        .map_err(|e| error(e.into()))?
        .items
        .into_iter()
        .map(|a| (a.id, a.fields.one_line()))
        .collect();
    let chrome = Chrome::of(s, me).await.map_err(error)?;
    Ok(render(&RequestPage {
        chrome,
        csrf: me.csrf.clone(),
        slots,
        addresses,
        service_type: field(form, "service_type").to_string(),
        description: field(form, "description").to_string(),
        error: error_text,
    }))
}

async fn request_page(State(s): State<AppState>, CustomerPage(me): CustomerPage) -> PageResult {
    request_form(&s, &me, &HashMap::new(), None).await
}

async fn request_service(
    State(s): State<AppState>,
    CustomerPage(me): CustomerPage,
    Form(form): Posted,
) -> PageResult {
    me.verify_csrf(field(&form, "_csrf")).map_err(error)?;
    let request = match service_request(&form) {
        Ok(r) => r,
        Err(e) => return invalid_request(&s, &me, &form, e).await,
    };
    match customer::request_service(&s, &me, request).await {
        Ok(job) => Ok(Redirect::to(&format!("/portal/jobs/{}", job.id)).into_response()),
        Err(e @ AppError::Invalid(_)) => invalid_request(&s, &me, &form, e).await,
        Err(e) => Err(error(e)),
    }
}

async fn invalid_request(
    s: &AppState,
    me: &Customer,
    form: &HashMap<String, String>,
    e: AppError,
) -> PageResult {
    let page = request_form(s, me, form, Some(e.problem().detail)).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// A form's service request: `slot` is an RFC 3339 start, `address_id`
/// optional.
fn service_request(form: &HashMap<String, String>) -> Result<ServiceRequest, AppError> {
    let slot_start = DateTime::parse_from_rfc3339(field(form, "slot"))
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| hearth_domain::Invalid::field("slot", "pick one of the times offered"))?;
    let address_id = match field(form, "address_id") {
        "" => None,
        raw => Some(raw.parse().map_err(|_| {
            hearth_domain::Invalid::field("address_id", "is not one of your addresses")
        })?),
    };
    let text = |name| Some(field(form, name).to_string()).filter(|v| !v.is_empty());
    Ok(ServiceRequest {
        address_id,
        service_type: text("service_type"),
        description: text("description"),
        slot_start,
    })
}

#[derive(Template)]
#[template(path = "portal/contact.html")]
struct ContactPage {
    chrome: Chrome,
    csrf: String,
    version: i64,
    email: String,
    phone: String,
    preferred: String,
    methods: Vec<(&'static str, &'static str)>,
    errors: Vec<FieldError>,
    notice: Option<String>,
}

const METHODS: [(&str, &str); 3] = [
    ("call", "Phone call"),
    ("sms", "Text message"),
    ("email", "Email"),
];

async fn contact_form(
    s: &AppState,
    me: &Customer,
    errors: Vec<FieldError>,
    notice: Option<String>,
) -> PageResult {
    let profile = customer::profile(s, me).await.map_err(error)?;
    let chrome = Chrome::of(s, me).await.map_err(error)?;
    Ok(render(&ContactPage {
        chrome,
        csrf: me.csrf.clone(),
        version: profile.version,
        email: profile.fields.email.unwrap_or_default(),
        phone: profile.fields.phone.unwrap_or_default(),
        preferred: profile.fields.preferred_contact_method.as_str().to_string(),
        methods: METHODS.to_vec(),
        errors,
        notice,
    }))
}

async fn contact_page(State(s): State<AppState>, CustomerPage(me): CustomerPage) -> PageResult {
    contact_form(&s, &me, vec![], None).await
}

async fn update_contact(
    State(s): State<AppState>,
    CustomerPage(me): CustomerPage,
    Form(form): Posted,
) -> PageResult {
    me.verify_csrf(field(&form, "_csrf")).map_err(error)?;
    let input = ContactInput {
        version: field(&form, "version").parse().unwrap_or(-1),
        email: Some(field(&form, "email").to_string()),
        phone: Some(field(&form, "phone").to_string()),
        preferred_contact_method: ContactMethod::ALL
            .into_iter()
            .find(|m| m.as_str() == field(&form, "preferred_contact_method")),
    };
    match customer::update_contact(&s, &me, input).await {
        Ok(_) => contact_form(&s, &me, vec![], Some("Saved.".into())).await,
        Err(AppError::Invalid(invalid)) => {
            let page = contact_form(&s, &me, invalid.0, None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(AppError::Conflict(_)) => {
            let page = contact_form(
                &s,
                &me,
                vec![],
                Some("Your details changed meanwhile; here they are now.".into()),
            )
            .await?;
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Err(e) => Err(error(e)),
    }
}
