//! Hosted checkout sessions: a payment provider collects an invoice's
//! balance on its own page, then reports the payment to our webhook. The
//! session ties the provider's report back to the organisation and invoice.

use super::payments::{self, NewPayment};
use super::{currency, invoices, record};
use crate::orgs::now;
use crate::{Conn, Raw, Result, Row};
use chrono::{DateTime, Utc};
use hearth_domain::billing::money::{Currency, Money};
use hearth_domain::billing::payments::{Payment, PaymentMethod, ProviderPayment};
use hearth_domain::history::{Actor, all_fields};
use hearth_domain::{CheckoutId, Invalid, InvoiceId, OrgId};
use serde::Serialize;
use serde_json::json;

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct CheckoutSession {
    pub id: CheckoutId,
    pub invoice_id: InvoiceId,
    pub provider: String,
    /// The provider's id of the session.
    pub provider_session_id: String,
    pub amount_minor: i64,
    pub currency: Currency,
    /// Where to send the customer to pay.
    pub url: String,
    pub created_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
}

macro_rules! select {
    ($rest:literal) => {
        concat!(
            "SELECT id, invoice_id, provider, provider_session_id, amount_minor, currency, url, created_at, \
             completed_at, org_id FROM checkout_sessions ",
            $rest
        )
    };
}

fn session(r: &Row) -> Result<(OrgId, CheckoutSession)> {
    Ok((
        r.get(9)?,
        CheckoutSession {
            id: r.get(0)?,
            invoice_id: r.get(1)?,
            provider: r.get(2)?,
            provider_session_id: r.get(3)?,
            amount_minor: r.get(4)?,
            currency: currency(r, 5)?,
            url: r.get(6)?,
            created_at: r.get(7)?,
            completed_at: r.get(8)?,
        },
    ))
}

/// Saves a session the provider created for an invoice.
#[allow(clippy::too_many_arguments)]
pub async fn save(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    invoice: InvoiceId,
    provider: &str,
    provider_session_id: &str,
    url: &str,
    amount: Money,
) -> Result<CheckoutSession> {
    let inv = invoices::get(c, org, invoice).await?;
    let id = CheckoutId::new();
    c.execute(&Raw(
        "INSERT INTO checkout_sessions (id, org_id, invoice_id, provider, provider_session_id, amount_minor, \
         currency, url, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        vec![
            id.0.into(),
            org.0.into(),
            invoice.0.into(),
            provider.into(),
            provider_session_id.into(),
            amount.minor.into(),
            amount.currency.as_str().into(),
            url.into(),
            now().into(),
        ],
    ))
    .await?;
    let fields = all_fields(
        &json!({"invoice_id": invoice, "provider": provider, "amount_minor": amount.minor, "currency": amount.currency}),
        true,
    );
    let summary = format!("Online payment of {amount} requested for {}", inv.number);
    record(
        c,
        org,
        actor,
        ("checkout_session", id.0),
        Some(inv.customer_id),
        "payment",
        "checkout_started",
        summary,
        &fields,
    )
    .await?;
    c.query_one(
        &Raw(
            select!("WHERE id = $1 AND org_id = $2"),
            vec![id.0.into(), org.0.into()],
        ),
        |r| session(r).map(|(_, s)| s),
    )
    .await
}

/// What a verified webhook did.
pub enum Completion {
    Recorded(Payment),
    /// The provider reported this payment before; nothing changed.
    AlreadyRecorded(Payment),
}

/// Records the payment a provider reports for one of its sessions, once:
/// the same provider payment id again returns the payment already stored.
/// An unknown session is `NotFound`.
pub async fn complete(
    c: &mut Conn,
    provider: &str,
    reported: &ProviderPayment,
) -> Result<Completion> {
    // The webhook is not signed in as anyone: the session names the
    // organisation (`checkout_sessions_provider`).
    let (org, s) = c
        .query_one(
            &Raw(
                select!("WHERE provider = $1 AND provider_session_id = $2"),
                vec![provider.into(), reported.session_id.clone().into()],
            ),
            session,
        )
        .await?;
    // Repeated webhooks for one payment queue on the invoice's row, so the
    // second one sees the first one's payment.
    invoices::lock(c, org, s.invoice_id).await?;
    if let Some(p) = payments::by_provider_id(c, org, provider, &reported.payment_id).await? {
        return Ok(Completion::AlreadyRecorded(p));
    }
    if reported.currency != s.currency {
        return Err(Invalid::field("currency", "does not match the checkout session").into());
    }
    let actor = Actor::system(provider);
    let new = NewPayment {
        amount_minor: reported.amount_minor,
        method: PaymentMethod::Card,
        reference: Some(reported.payment_id.clone()),
        provider,
        provider_payment_id: Some(&reported.payment_id),
    };
    let payment = payments::record_payment(c, org, &actor, s.invoice_id, &new).await?;
    c.execute(&Raw(
        "UPDATE checkout_sessions SET completed_at = $1 WHERE id = $2 AND org_id = $3",
        vec![now().into(), s.id.0.into(), org.0.into()],
    ))
    .await?;
    Ok(Completion::Recorded(payment))
}
