use super::PageParams;
use crate::AppState;
use crate::api::created;
use crate::auth::Auth;
use crate::error::{ApiResult, AppError};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::payments::{CheckoutRequest, Collection};
use axum::Json;
use axum::extract::State;
use axum::response::IntoResponse;
use hearth_domain::auth::Action;
use hearth_domain::billing::invoices::{Invoice, InvoiceInput, InvoicePatch, InvoiceStatus};
use hearth_domain::billing::payments::{Payment, PaymentInput};
use hearth_domain::{CustomerId, Invalid, InvoiceId};
use hearth_store::billing::checkout::{self, CheckoutSession};
use hearth_store::billing::{invoices, payments};
use hearth_store::page::{self, Page};
use hearth_store::work;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get_one, update))
        .routes(routes!(void))
        .routes(routes!(list_payments, pay))
        .routes(routes!(start_checkout))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    /// Only this customer's invoices.
    #[param(value_type = Option<String>, format = Uuid)]
    customer_id: Option<CustomerId>,
    /// draft, open, partially_paid, paid, void or overdue — as read today.
    status: Option<String>,
    cursor: Option<String>,
    /// 1–200, default 50.
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u64>,
}

/// Invoices, newest first.
#[utoipa::path(get, path = "/api/v1/invoices", tag = "invoices", params(ListParams),
    responses((status = 200, body = Page<Invoice>)))]
async fn list(
    State(s): State<AppState>,
    auth: Auth,
    ApiQuery(p): ApiQuery<ListParams>,
) -> ApiResult<Json<Page<Invoice>>> {
    auth.require(Action::ReadCustomers)?;
    let org = auth.principal.org_id;
    let status = match p.status.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(raw) => Some(InvoiceStatus::parse(raw).ok_or_else(|| {
            Invalid::field("status", format!("must be {}", InvoiceStatus::choices()))
        })?),
    };
    let query = invoices::ListQuery {
        customer: p.customer_id,
        status,
        cursor: p.cursor,
        limit: page::limit(p.limit)?,
    };
    Ok(Json(
        s.store
            .read(work!(|c| invoices::list(c, org, &query)))
            .await?,
    ))
}

/// Create an invoice for a customer (a draft unless `status` is `open`).
/// It takes the organisation's next number, INV-000001 upwards, with no gaps.
#[utoipa::path(post, path = "/api/v1/invoices", tag = "invoices", request_body = InvoiceInput,
    responses((status = 201, body = Invoice)))]
async fn create(
    State(s): State<AppState>,
    auth: Auth,
    ApiJson(input): ApiJson<InvoiceInput>,
) -> ApiResult<impl IntoResponse> {
    auth.require(Action::WriteCustomers)?;
    let p = auth.principal;
    let invoice = s
        .store
        .write(work!(|c| invoices::create(c, p.org_id, &p.actor, &input)))
        .await?;
    Ok(created(format!("/api/v1/invoices/{}", invoice.id), invoice))
}

/// Read an invoice; `status` is as of today (overdue once past due).
#[utoipa::path(get, path = "/api/v1/invoices/{id}", tag = "invoices", params(("id" = Uuid, Path)),
    responses((status = 200, body = Invoice)))]
async fn get_one(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<InvoiceId>,
) -> ApiResult<Json<Invoice>> {
    auth.require(Action::ReadCustomers)?;
    let org = auth.principal.org_id;
    Ok(Json(
        s.store.read(work!(|c| invoices::get(c, org, id))).await?,
    ))
}

/// Change the due date or notes, a draft's lines or currency, or issue a
/// draft with `status: open`. Send the `version` you read.
#[utoipa::path(patch, path = "/api/v1/invoices/{id}", tag = "invoices", params(("id" = Uuid, Path)), request_body = InvoicePatch,
    responses((status = 200, body = Invoice), (status = 409, description = "The invoice changed since `version`; nothing was written")))]
async fn update(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<InvoiceId>,
    ApiJson(patch): ApiJson<InvoicePatch>,
) -> ApiResult<Json<Invoice>> {
    auth.require(Action::WriteCustomers)?;
    let p = auth.principal;
    Ok(Json(
        s.store
            .write(work!(|c| invoices::update(
                c, p.org_id, &p.actor, id, &patch
            )))
            .await?,
    ))
}

/// Void an invoice nothing has been paid on. It keeps its number.
#[utoipa::path(post, path = "/api/v1/invoices/{id}/void", tag = "invoices", params(("id" = Uuid, Path)),
    responses((status = 200, body = Invoice)))]
async fn void(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<InvoiceId>,
) -> ApiResult<Json<Invoice>> {
    auth.require(Action::VoidInvoices)?;
    let p = auth.principal;
    Ok(Json(
        s.store
            .write(work!(|c| invoices::void(c, p.org_id, &p.actor, id)))
            .await?,
    ))
}

/// An invoice's payments in the order received.
#[utoipa::path(get, path = "/api/v1/invoices/{id}/payments", tag = "invoices", params(("id" = Uuid, Path), PageParams),
    responses((status = 200, body = Page<Payment>)))]
async fn list_payments(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<InvoiceId>,
    ApiQuery(p): ApiQuery<PageParams>,
) -> ApiResult<Json<Page<Payment>>> {
    auth.require(Action::ReadCustomers)?;
    let org = auth.principal.org_id;
    let limit = page::limit(p.limit)?;
    Ok(Json(
        s.store
            .read(work!(|c| payments::list(
                c,
                org,
                id,
                p.cursor.as_deref(),
                limit
            )))
            .await?,
    ))
}

/// Record a payment taken offline (the `manual` provider). More than the
/// balance, or a draft or void invoice, is refused (422) and nothing changes.
/// The payment that settles the invoice earns the customer loyalty points.
#[utoipa::path(post, path = "/api/v1/invoices/{id}/payments", tag = "invoices", params(("id" = Uuid, Path)), request_body = PaymentInput,
    responses((status = 201, body = Payment)))]
async fn pay(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<InvoiceId>,
    ApiJson(input): ApiJson<PaymentInput>,
) -> ApiResult<impl IntoResponse> {
    auth.require(Action::WriteCustomers)?;
    let p = auth.principal;
    let payment = s
        .store
        .write(work!(|c| payments::create_manual(
            c, p.org_id, &p.actor, id, &input
        )))
        .await?;
    Ok(created(format!("/api/v1/invoices/{id}/payments"), payment))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckoutInput {
    /// Defaults to `hosted_checkout`.
    provider: Option<String>,
    /// Where the provider sends the customer after paying.
    return_url: Option<String>,
}

/// Ask the payment provider for a page where the customer pays the
/// balance; send them to `url`. The provider's signed webhook records the
/// payment.
#[utoipa::path(post, path = "/api/v1/invoices/{id}/checkout", tag = "invoices", params(("id" = Uuid, Path)), request_body = CheckoutInput,
    responses((status = 201, body = CheckoutSession), (status = 502, description = "The payment provider failed")))]
async fn start_checkout(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<InvoiceId>,
    ApiJson(input): ApiJson<CheckoutInput>,
) -> ApiResult<impl IntoResponse> {
    auth.require(Action::WriteCustomers)?;
    let p = auth.principal;
    let name = input.provider.as_deref().unwrap_or("hosted_checkout");
    let session = checkout(
        &s,
        &p.org_name,
        &p.actor,
        p.org_id,
        id,
        name,
        input.return_url,
    )
    .await?;
    Ok(created(format!("/api/v1/invoices/{id}"), session))
}

/// Starts collecting an invoice's balance through provider `name`: the
/// staff checkout and the customer portal's pay button both come here.
pub(crate) async fn checkout(
    s: &AppState,
    org_name: &str,
    actor: &hearth_domain::history::Actor,
    org: hearth_domain::OrgId,
    id: InvoiceId,
    name: &str,
    return_url: Option<String>,
) -> ApiResult<CheckoutSession> {
    let invoice = s.store.read(work!(|c| invoices::get(c, org, id))).await?;
    let provider = s.payments.get(name).ok_or_else(|| {
        Invalid::field(
            "provider",
            "is not a payment provider configured on this server",
        )
    })?;
    if !invoice.status.is_collectable() {
        return Err(Invalid::field(
            "status",
            format!("a {} invoice has nothing to collect", invoice.status),
        )
        .into());
    }
    if let Some(url) = &return_url
        && !(url.starts_with("https://") || url.starts_with("http://"))
    {
        return Err(Invalid::field("return_url", "must be an http(s) URL").into());
    }
    let request = CheckoutRequest {
        invoice_id: id,
        invoice_number: invoice.number.clone(),
        amount: invoice.balance(),
        description: format!("Invoice {} from {org_name}", invoice.number),
        return_url,
    };
    let (session_id, url) = match provider.start(&request).await {
        Ok(Collection::Redirect { session_id, url }) => (session_id, url),
        Ok(Collection::Offline) => {
            return Err(Invalid::field(
                "provider",
                "takes payments offline; record them with POST /api/v1/invoices/{id}/payments",
            )
            .into());
        }
        Err(e) => {
            tracing::warn!(provider = name, error = %e, "checkout failed");
            return Err(AppError::Upstream(e.to_string()));
        }
    };
    let provider_name = provider.name();
    let amount = request.amount;
    let actor = actor.clone();
    Ok(s.store
        .write(work!(|c| checkout::save(
            c,
            org,
            &actor,
            id,
            provider_name,
            &session_id,
            &url,
            amount
        )))
        .await?)
}
