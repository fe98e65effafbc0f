//! Payments on invoices. Recording one moves the invoice to partially paid
//! or paid, and a paid invoice earns loyalty points, all in one transaction.

use super::invoices::{self, Stored};
use super::{currency, loyalty, record, word};
use crate::orgs::now;
use crate::page::{self, Page};
use crate::{Conn, Raw, Result, Row, parent};
use hearth_domain::billing::invoices::{InvoiceEvent, InvoiceStatus, invoice_after};
use hearth_domain::billing::money::Money;
use hearth_domain::billing::payments::{Payment, PaymentInput, PaymentMethod};
use hearth_domain::history::{Actor, FieldChange, all_fields, diff};
use hearth_domain::{InvoiceId, OrgId, PaymentId};
use serde_json::json;

macro_rules! select {
    ($rest:literal) => {
        concat!(
            "SELECT id, invoice_id, customer_id, amount_minor, currency, method, reference, provider, \
             provider_payment_id, received_at FROM payments ",
            $rest
        )
    };
}

fn payment(r: &Row) -> Result<Payment> {
    Ok(Payment {
        id: r.get(0)?,
        invoice_id: r.get(1)?,
        customer_id: r.get(2)?,
        amount_minor: r.get(3)?,
        currency: currency(r, 4)?,
        method: word(r, 5, PaymentMethod::parse)?,
        reference: r.get(6)?,
        provider: r.get(7)?,
        provider_payment_id: r.get(8)?,
        received_at: r.get(9)?,
    })
}

/// A payment about to be recorded.
pub struct NewPayment<'a> {
    pub amount_minor: i64,
    pub method: PaymentMethod,
    pub reference: Option<String>,
    /// `manual`, or the provider that took the money.
    pub provider: &'a str,
    pub provider_payment_id: Option<&'a str>,
}

/// A payment staff took themselves (cash, check, card terminal, transfer).
pub async fn create_manual(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    invoice: InvoiceId,
    input: &PaymentInput,
) -> Result<Payment> {
    let reference = input.reference()?;
    let new = NewPayment {
        amount_minor: input.amount_minor,
        method: input.method,
        reference,
        provider: "manual",
        provider_payment_id: None,
    };
    record_payment(c, org, actor, invoice, &new).await
}

/// Records a payment if the invoice can take it: not a draft or void, and
/// no more than its balance (422 naming `amount_minor`, nothing written).
pub(crate) async fn record_payment(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    invoice: InvoiceId,
    new: &NewPayment<'_>,
) -> Result<Payment> {
    invoices::lock(c, org, invoice).await?;
    let current: Stored = invoices::get_stored(c, org, invoice).await?;
    let before = current.state();
    let after = invoice_after(
        before,
        InvoiceEvent::Pay {
            amount_minor: new.amount_minor,
        },
    )?;
    let id = PaymentId::new();
    let now = now();
    let inv = &current.invoice;
    c.execute(&Raw(
        "INSERT INTO payments (id, org_id, invoice_id, customer_id, amount_minor, currency, method, reference, \
         provider, provider_payment_id, received_at, actor_kind, actor_id, actor_name) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        vec![
            id.0.into(),
            org.0.into(),
            invoice.0.into(),
            inv.customer_id.0.into(),
            new.amount_minor.into(),
            inv.currency.as_str().into(),
            new.method.as_str().into(),
            new.reference.clone().into(),
            new.provider.into(),
            new.provider_payment_id.map(str::to_owned).into(),
            now.into(),
            actor.kind.as_str().into(),
            actor.id.into(),
            actor.name.clone().into(),
        ],
    ))
    .await?;
    invoices::set_paid(c, org, invoice, &before, &after).await?;

    let amount = Money::new(new.amount_minor, inv.currency);
    let balance = Money::new(after.balance_minor(), inv.currency);
    let fields = all_fields(
        &json!({
            "invoice_id": invoice,
            "amount_minor": new.amount_minor,
            "currency": inv.currency,
            "method": new.method,
            "reference": new.reference,
            "provider": new.provider,
            "provider_payment_id": new.provider_payment_id,
        }),
        true,
    );
    let summary = format!(
        "Payment of {amount} ({}) received on {}; balance {balance}",
        new.method.label().to_lowercase(),
        inv.number
    );
    record(
        c,
        org,
        actor,
        ("payment", id.0),
        Some(inv.customer_id),
        "payment",
        "received",
        summary,
        &fields,
    )
    .await?;
    // The invoice's own history shows the new status and amount paid; the
    // timeline already has the payment, so this is audit only.
    let status_change: Vec<FieldChange> = diff(
        &json!({"status": before.status, "amount_paid_minor": before.paid_minor}),
        &json!({"status": after.status, "amount_paid_minor": after.paid_minor}),
    );
    let action = if after.status == InvoiceStatus::Paid {
        "paid"
    } else {
        "partially_paid"
    };
    let summary = format!("Invoice {} {}", inv.number, after.status);
    record(
        c,
        org,
        actor,
        ("invoice", invoice.0),
        None,
        "invoice",
        action,
        summary,
        &status_change,
    )
    .await?;
    if after.status == InvoiceStatus::Paid {
        let paid = invoices::get(c, org, invoice).await?;
        loyalty::earn_for_invoice(c, org, actor, &paid).await?;
    }
    get(c, org, id).await
}

pub async fn get(c: &mut Conn, org: OrgId, id: PaymentId) -> Result<Payment> {
    c.query_one(
        &Raw(
            select!("WHERE id = $1 AND org_id = $2"),
            vec![id.0.into(), org.0.into()],
        ),
        payment,
    )
    .await
}

/// An invoice's payments in the order received (`payments_invoice`).
pub async fn list(
    c: &mut Conn,
    org: OrgId,
    invoice: InvoiceId,
    cursor: Option<&str>,
    limit: u64,
) -> Result<Page<Payment>> {
    invoices::get(c, org, invoice).await?;
    let after = parent::after_id(cursor)?;
    let sql = select!("WHERE org_id = $1 AND invoice_id = $2 AND id > $3 ORDER BY id LIMIT $4");
    let args = vec![
        org.0.into(),
        invoice.0.into(),
        after.into(),
        (limit as i64 + 1).into(),
    ];
    let rows = c.query(&Raw(sql, args), payment).await?;
    Ok(page::finish(rows, limit, |p| p.id.0))
}

/// The payment a provider already reported under this id, if any
/// (`payments_provider`).
pub async fn by_provider_id(
    c: &mut Conn,
    org: OrgId,
    provider: &str,
    provider_payment_id: &str,
) -> Result<Option<Payment>> {
    c.query_opt(
        &Raw(
            select!("WHERE org_id = $1 AND provider = $2 AND provider_payment_id = $3"),
            vec![org.0.into(), provider.into(), provider_payment_id.into()],
        ),
        payment,
    )
    .await
}
