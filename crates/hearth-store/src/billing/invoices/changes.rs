//! Changes to an invoice after it was created: edits, issuing, voiding,
//! and the amount paid.

use super::{audited, fields, get, get_stored, lock};
use crate::billing::{check_version, lines_json, loyalty, record};
use crate::orgs::now;
use crate::{Conn, Raw, Result, StoreError, parent};
use hearth_domain::billing::invoices::{
    Invoice, InvoiceEvent, InvoicePatch, InvoiceState, InvoiceStatus, NewInvoiceStatus,
    invoice_after,
};
use hearth_domain::history::{Actor, diff};
use hearth_domain::{InvoiceId, OrgId};
use serde_json::json;
/// Changes the due date and notes, a draft's lines and currency, or issues
/// a draft (`status: open`).
pub async fn update(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    id: InvoiceId,
    patch: &InvoicePatch,
) -> Result<Invoice> {
    lock(c, org, id).await?;
    let current = get_stored(c, org, id).await?;
    check_version(current.invoice.version, patch.version)?;
    let before = fields(&current.invoice);
    let f = before.patched(current.status, patch)?;
    let mut state = InvoiceState {
        total_minor: f.totals().total_minor,
        currency: f.currency,
        ..current.state()
    };
    if patch.status == Some(NewInvoiceStatus::Open) {
        state = invoice_after(state, InvoiceEvent::Issue)?;
    } else if patch.status == Some(NewInvoiceStatus::Draft)
        && current.status != InvoiceStatus::Draft
    {
        return Err(hearth_domain::Invalid::field(
            "status",
            "an issued invoice cannot go back to draft",
        )
        .into());
    }
    let changes = diff(
        &audited(&before, current.status),
        &audited(&f, state.status),
    );
    if changes.is_empty() {
        return Ok(current.invoice);
    }
    let t = f.totals();
    let now = now();
    let issued = current.status == InvoiceStatus::Draft && state.status != InvoiceStatus::Draft;
    let issued_at = if issued {
        Some(now)
    } else {
        current.invoice.issued_at
    };
    let paid_at = (state.status == InvoiceStatus::Paid).then_some(now);
    let n = c
        .execute(&Raw(
            "UPDATE invoices SET status = $1, currency = $2, lines = $3, subtotal_minor = $4, tax_minor = $5, \
             total_minor = $6, due_date = $7, notes = $8, issued_at = $9, paid_at = $10, version = version + 1, \
             updated_at = $11 WHERE id = $12 AND org_id = $13 AND version = $14",
            vec![
                state.status.as_str().into(),
                f.currency.as_str().into(),
                lines_json(&f.lines).into(),
                t.subtotal_minor.into(),
                t.tax_minor.into(),
                t.total_minor.into(),
                f.due_date.into(),
                f.notes.clone().into(),
                issued_at.into(),
                paid_at.into(),
                now.into(),
                id.0.into(),
                org.0.into(),
                patch.version.into(),
            ],
        ))
        .await?;
    if n == 0 {
        return Err(StoreError::Conflict {
            current_version: current.invoice.version,
        });
    }
    let invoice = get(c, org, id).await?;
    let (action, summary) = if issued {
        (
            "issued",
            format!("Invoice {} for {} issued", invoice.number, invoice.total()),
        )
    } else {
        (
            "updated",
            format!(
                "Invoice {}: changed {}",
                invoice.number,
                parent::changed(&changes)
            ),
        )
    };
    record(
        c,
        org,
        actor,
        ("invoice", id.0),
        Some(invoice.customer_id),
        "invoice",
        action,
        summary,
        &changes,
    )
    .await?;
    if state.status == InvoiceStatus::Paid {
        loyalty::earn_for_invoice(c, org, actor, &invoice).await?;
    }
    Ok(invoice)
}

/// Cancels an invoice nothing was paid on; it keeps its number.
pub async fn void(c: &mut Conn, org: OrgId, actor: &Actor, id: InvoiceId) -> Result<Invoice> {
    lock(c, org, id).await?;
    let current = get_stored(c, org, id).await?;
    let next = invoice_after(current.state(), InvoiceEvent::Void)?;
    if next.status == current.status {
        return Ok(current.invoice);
    }
    let now = now();
    c.execute(&Raw(
        "UPDATE invoices SET status = 'void', voided_at = $1, version = version + 1, updated_at = $1 \
         WHERE id = $2 AND org_id = $3 AND amount_paid_minor = 0",
        vec![now.into(), id.0.into(), org.0.into()],
    ))
    .await?;
    let changes = diff(
        &json!({"status": current.status}),
        &json!({"status": "void"}),
    );
    let invoice = get(c, org, id).await?;
    let summary = format!("Invoice {} voided", invoice.number);
    record(
        c,
        org,
        actor,
        ("invoice", id.0),
        Some(invoice.customer_id),
        "invoice",
        "voided",
        summary,
        &changes,
    )
    .await?;
    Ok(invoice)
}

/// Writes the money side after a payment (see `payments::record`).
pub(crate) async fn set_paid(
    c: &mut Conn,
    org: OrgId,
    id: InvoiceId,
    before: &InvoiceState,
    after: &InvoiceState,
) -> Result<()> {
    let now = now();
    let paid_at = (after.status == InvoiceStatus::Paid).then_some(now);
    // Guarded by the amount read: a concurrent payment makes this one retry
    // as a conflict instead of overpaying.
    let n = c
        .execute(&Raw(
            "UPDATE invoices SET status = $1, amount_paid_minor = $2, paid_at = $3, version = version + 1, \
             updated_at = $4 WHERE id = $5 AND org_id = $6 AND amount_paid_minor = $7 AND status = $8",
            vec![
                after.status.as_str().into(),
                after.paid_minor.into(),
                paid_at.into(),
                now.into(),
                id.0.into(),
                org.0.into(),
                before.paid_minor.into(),
                before.status.as_str().into(),
            ],
        ))
        .await?;
    if n == 0 {
        return Err(StoreError::Conflict { current_version: 0 });
    }
    Ok(())
}
