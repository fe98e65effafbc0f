//! The customer card's billing sections and the forms posted from them.

use super::{Posted, allowed, field, money, page_err, parse_id, to};
use crate::AppState;
use crate::auth::PageAuth;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use hearth_domain::auth::Action;
use hearth_domain::billing::loyalty::RedeemInput;
use hearth_domain::billing::memberships::{MembershipAction, MembershipInput};
use hearth_domain::billing::money::parse_decimal;
use hearth_domain::billing::payments::{PaymentInput, PaymentMethod};
use hearth_domain::customers::Customer;
use hearth_domain::support::Ticket;
use hearth_domain::{CustomerId, Invalid, InvoiceId, MembershipId, OrgId};
use hearth_store::billing::{invoices, loyalty, memberships, payments, plans, quotes, spending};
use hearth_store::{Conn, support, work};

/// Rows the card shows; the API pages through the rest.
const SHOWN: u64 = 20;

pub struct QuoteRow {
    pub id: String,
    pub title: String,
    pub status: &'static str,
    pub total: String,
    pub valid_until: String,
}

pub struct InvoiceRow {
    pub id: String,
    pub number: String,
    pub status: &'static str,
    pub total: String,
    pub balance: String,
    pub due_date: String,
    /// Takes payments: open, partially paid or overdue.
    pub collectable: bool,
    /// The balance as a form's default amount, e.g. "129.00".
    pub balance_input: String,
}

pub struct MembershipRow {
    pub id: String,
    pub plan: String,
    pub price: String,
    pub interval: &'static str,
    pub status: &'static str,
    pub billing_status: &'static str,
    pub renews_on: String,
    pub actions: Vec<(&'static str, &'static str)>,
}

pub struct SpendingRow {
    pub total_spent: String,
    pub per_invoice: String,
    pub per_booking: String,
    pub per_month: String,
    pub outstanding: String,
}

pub struct BillingCard {
    pub quotes: Vec<QuoteRow>,
    pub invoices: Vec<InvoiceRow>,
    pub memberships: Vec<MembershipRow>,
    /// Plans a customer can be enrolled in: (id, "Name · 19.00 USD / month").
    pub plans: Vec<(String, String)>,
    pub loyalty_balance: i64,
    pub spending: Vec<SpendingRow>,
    pub tickets: Vec<Ticket>,
    pub methods: Vec<(&'static str, &'static str)>,
}

/// Reads the card's billing sections inside the card's unit of work.
pub async fn load_card(
    c: &mut Conn,
    org: OrgId,
    customer: &Customer,
) -> hearth_store::Result<BillingCard> {
    let id = customer.id;
    let quotes = quotes::list(c, org, Some(id), None, SHOWN)
        .await?
        .items
        .into_iter()
        .map(|q| QuoteRow {
            id: q.id.to_string(),
            title: q.title.clone().unwrap_or_else(|| "Quote".into()),
            status: q.status.as_str(),
            total: money(q.totals.total_minor, q.currency),
            valid_until: q.valid_until.to_string(),
        })
        .collect();
    let query = invoices::ListQuery {
        customer: Some(id),
        limit: SHOWN,
        ..Default::default()
    };
    let invoices = invoices::list(c, org, &query)
        .await?
        .items
        .into_iter()
        .map(|i| invoice_row(&i))
        .collect();
    let memberships = memberships::list(c, org, Some(id), None, SHOWN)
        .await?
        .items
        .into_iter()
        .map(|m| {
            use hearth_domain::billing::memberships::MembershipStatus::*;
            let actions = match m.status {
                Active => vec![("renew", "Renew"), ("pause", "Pause"), ("cancel", "Cancel")],
                Paused => vec![("resume", "Resume"), ("cancel", "Cancel")],
                Cancelled => vec![],
            };
            MembershipRow {
                id: m.id.to_string(),
                plan: m.plan_name.clone(),
                price: money(m.price_minor, m.currency),
                interval: m.interval.as_str(),
                status: m.status.as_str(),
                billing_status: m.billing_status.as_str(),
                renews_on: m.renews_on.to_string(),
                actions,
            }
        })
        .collect();
    let plans = plans::list(c, org, false, None, 100)
        .await?
        .items
        .into_iter()
        .map(|p| {
            let f = &p.fields;
            let label = format!(
                "{} · {} / {}",
                f.name,
                money(f.price_minor, f.currency),
                f.interval
            );
            (p.id.to_string(), label)
        })
        .collect();
    let loyalty_balance = loyalty::balance(c, org, id).await?;
    let spending = if customer.deleted_at.is_none() {
        spending::get(c, org, id)
            .await?
            .per_currency
            .into_iter()
            .map(|s| SpendingRow {
                total_spent: money(s.total_spent_minor, s.currency),
                per_invoice: money(s.average_per_paid_invoice_minor, s.currency),
                per_booking: money(s.average_per_booking_minor, s.currency),
                per_month: money(s.average_per_month_minor, s.currency),
                outstanding: money(s.outstanding_minor, s.currency),
            })
            .collect()
    } else {
        vec![]
    };
    let query = support::ListQuery {
        customer: Some(id),
        active: true,
        limit: SHOWN,
        ..Default::default()
    };
    let tickets = support::list(c, org, &query).await?.items;
    Ok(BillingCard {
        quotes,
        invoices,
        memberships,
        plans,
        loyalty_balance,
        spending,
        tickets,
        methods: PaymentMethod::ALL
            .iter()
            .map(|m| (m.as_str(), m.label()))
            .collect(),
    })
}

pub fn invoice_row(i: &hearth_domain::billing::invoices::Invoice) -> InvoiceRow {
    InvoiceRow {
        id: i.id.to_string(),
        number: i.number.clone(),
        status: i.status.as_str(),
        total: money(i.totals.total_minor, i.currency),
        balance: money(i.balance_minor, i.currency),
        due_date: i.due_date.to_string(),
        collectable: i.status.is_collectable(),
        balance_input: hearth_domain::billing::money::format_minor(i.balance_minor, i.currency)
            .replace(',', ""),
    }
}

/// Records a payment from the card or the invoice page, then goes back
/// (`back=invoice` returns to the invoice).
pub async fn record_payment(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<String>,
    Form(form): Form<Posted>,
) -> Response {
    if let Err(r) = allowed(&auth, &form, Action::WriteCustomers) {
        return r;
    }
    let id: InvoiceId = match parse_id(&id) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let p = auth.principal;
    let org = p.org_id;
    let invoice = match s.store.read(work!(|c| invoices::get(c, org, id))).await {
        Ok(i) => i,
        Err(e) => return page_err(e),
    };
    let amount_minor = match parse_decimal(field(&form, "amount"), invoice.currency.exponent()) {
        Ok(n) => n,
        Err(why) => return page_err(Invalid::field("amount", why)),
    };
    let Some(method) = PaymentMethod::parse(field(&form, "method")) else {
        return page_err(Invalid::field(
            "method",
            format!("must be {}", PaymentMethod::choices()),
        ));
    };
    let reference = Some(field(&form, "reference").to_string()).filter(|r| !r.is_empty());
    let input = PaymentInput {
        amount_minor,
        method,
        reference,
    };
    match s
        .store
        .write(work!(|c| payments::create_manual(
            c, org, &p.actor, id, &input
        )))
        .await
    {
        Ok(_) if field(&form, "back") == "invoice" => to(format!("/invoices/{id}")),
        Ok(_) => to(format!("/customers/{}#invoices", invoice.customer_id)),
        Err(e) => page_err(e),
    }
}

pub async fn enrol(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<String>,
    Form(form): Form<Posted>,
) -> Response {
    if let Err(r) = allowed(&auth, &form, Action::WriteCustomers) {
        return r;
    }
    let customer: CustomerId = match parse_id(&id) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let Ok(plan_id) = field(&form, "plan_id").parse() else {
        return page_err(Invalid::field("plan_id", "choose a plan"));
    };
    let started_on = field(&form, "started_on").parse().ok();
    let input = MembershipInput {
        customer_id: customer,
        plan_id,
        started_on,
    };
    let p = auth.principal;
    match s
        .store
        .write(work!(|c| memberships::create(
            c, p.org_id, &p.actor, &input
        )))
        .await
    {
        Ok(_) => to(format!("/customers/{customer}#membership")),
        Err(e) => page_err(e),
    }
}

pub async fn membership_action(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path((id, action)): Path<(String, String)>,
    Form(form): Form<Posted>,
) -> Response {
    if let Err(r) = allowed(&auth, &form, Action::WriteCustomers) {
        return r;
    }
    let id: MembershipId = match parse_id(&id) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let Some(action) = MembershipAction::parse(&action) else {
        return page_err(crate::error::AppError::NotFound);
    };
    let version = field(&form, "version").parse().ok();
    let p = auth.principal;
    match s
        .store
        .write(work!(|c| memberships::act(
            c, p.org_id, &p.actor, id, action, version
        )))
        .await
    {
        Ok(m) => to(format!("/customers/{}#membership", m.customer_id)),
        Err(e) => page_err(e),
    }
}

pub async fn redeem(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<String>,
    Form(form): Form<Posted>,
) -> Response {
    if let Err(r) = allowed(&auth, &form, Action::WriteCustomers) {
        return r;
    }
    let customer: CustomerId = match parse_id(&id) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let Ok(points) = field(&form, "points").parse::<i64>() else {
        return page_err(Invalid::field("points", "is not a whole number"));
    };
    let input = RedeemInput {
        points,
        reason: Some(field(&form, "reason").to_string()).filter(|r| !r.is_empty()),
    };
    let p = auth.principal;
    match s
        .store
        .write(work!(|c| loyalty::redeem(
            c, p.org_id, &p.actor, customer, &input
        )))
        .await
    {
        Ok(_) => to(format!("/customers/{customer}#loyalty")),
        Err(e) => page_err(e),
    }
}
