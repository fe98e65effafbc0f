//! The loyalty points ledger: append-only rows whose sum is the balance.

use super::{record, settings, word};
use crate::orgs::now;
use crate::{Conn, Raw, Result, Row, customers, parent};
use hearth_domain::billing::invoices::Invoice;
use hearth_domain::billing::loyalty::{
    AdjustInput, LoyaltyAccount, LoyaltyEntry, LoyaltyKind, RedeemInput, points_for,
};
use hearth_domain::history::{Actor, all_fields};
use hearth_domain::{CustomerId, InvoiceId, LoyaltyEntryId, OrgId};
use serde_json::json;

/// The account shows this many entries; the balance covers them all.
pub const ENTRIES_SHOWN: i64 = 100;

fn entry(r: &Row) -> Result<LoyaltyEntry> {
    Ok(LoyaltyEntry {
        id: r.get(0)?,
        customer_id: r.get(1)?,
        kind: word(r, 2, LoyaltyKind::parse)?,
        points: r.get(3)?,
        reason: r.get(4)?,
        invoice_id: r.get(5)?,
        at: r.get(6)?,
    })
}

/// The sum of a customer's ledger (`loyalty_customer`).
pub async fn balance(c: &mut Conn, org: OrgId, customer: CustomerId) -> Result<i64> {
    c.query_one(
        &Raw(
            "SELECT CAST(COALESCE(SUM(points), 0) AS BIGINT) FROM loyalty_ledger WHERE org_id = $1 AND customer_id = $2",
            vec![org.0.into(), customer.0.into()],
        ),
        |r| r.get::<i64>(0),
    )
    .await
}

/// Balance and newest entries of a live customer.
pub async fn account(c: &mut Conn, org: OrgId, customer: CustomerId) -> Result<LoyaltyAccount> {
    customers::get(c, org, customer, false).await?;
    let balance = balance(c, org, customer).await?;
    let entries = c
        .query(
            &Raw(
                "SELECT id, customer_id, kind, points, reason, invoice_id, at FROM loyalty_ledger \
                 WHERE org_id = $1 AND customer_id = $2 ORDER BY id DESC LIMIT $3",
                vec![org.0.into(), customer.0.into(), ENTRIES_SHOWN.into()],
            ),
            entry,
        )
        .await?;
    Ok(LoyaltyAccount {
        customer_id: customer,
        balance,
        entries,
    })
}

#[allow(clippy::too_many_arguments)]
async fn append(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    customer: CustomerId,
    kind: LoyaltyKind,
    points: i64,
    reason: Option<String>,
    invoice: Option<InvoiceId>,
    summary: String,
) -> Result<LoyaltyEntry> {
    let id = LoyaltyEntryId::new();
    c.execute(&Raw(
        "INSERT INTO loyalty_ledger (id, org_id, customer_id, kind, points, reason, invoice_id, actor_kind, \
         actor_id, actor_name, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        vec![
            id.0.into(),
            org.0.into(),
            customer.0.into(),
            kind.as_str().into(),
            points.into(),
            reason.clone().into(),
            invoice.map(|i| i.0).into(),
            actor.kind.as_str().into(),
            actor.id.into(),
            actor.name.clone().into(),
            now().into(),
        ],
    ))
    .await?;
    let fields = all_fields(
        &json!({"kind": kind, "points": points, "reason": reason, "invoice_id": invoice}),
        true,
    );
    let action = match kind {
        LoyaltyKind::Earned => "earned",
        LoyaltyKind::Redeemed => "redeemed",
        LoyaltyKind::Adjusted => "adjusted",
    };
    record(
        c,
        org,
        actor,
        ("loyalty_entry", id.0),
        Some(customer),
        "loyalty",
        action,
        summary,
        &fields,
    )
    .await?;
    c.query_one(
        &Raw(
            "SELECT id, customer_id, kind, points, reason, invoice_id, at FROM loyalty_ledger WHERE id = $1 AND org_id = $2",
            vec![id.0.into(), org.0.into()],
        ),
        entry,
    )
    .await
}

/// Points for an invoice that became paid, by the organisation's rule;
/// called in the payment's transaction, and never twice for one invoice
/// (`loyalty_earned_once`).
pub(crate) async fn earn_for_invoice(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    invoice: &Invoice,
) -> Result<()> {
    let rule = settings::get(c, org).await?.loyalty_points_per_unit;
    let points = points_for(invoice.totals.total_minor, invoice.currency, rule);
    if points == 0 {
        return Ok(());
    }
    let earned = c
        .query_opt(
            &Raw(
                "SELECT id FROM loyalty_ledger WHERE org_id = $1 AND invoice_id = $2 AND kind = 'earned'",
                vec![org.0.into(), invoice.id.0.into()],
            ),
            |r| r.get::<LoyaltyEntryId>(0),
        )
        .await?;
    if earned.is_some() {
        return Ok(());
    }
    let summary = format!("{points} loyalty points earned on {}", invoice.number);
    let reason = Some(format!("Paid invoice {}", invoice.number));
    append(
        c,
        org,
        actor,
        invoice.customer_id,
        LoyaltyKind::Earned,
        points,
        reason,
        Some(invoice.id),
        summary,
    )
    .await
    .map(drop)
}

/// Takes points off a live customer's balance; never more than it holds.
pub async fn redeem(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    customer: CustomerId,
    input: &RedeemInput,
) -> Result<LoyaltyEntry> {
    // Locked: two redemptions at once cannot both spend the same points.
    parent::lock_live(c, org, customer).await?;
    let balance = balance(c, org, customer).await?;
    let (points, reason) = input.validate(balance)?;
    let summary = format!("{} loyalty points redeemed", -points);
    append(
        c,
        org,
        actor,
        customer,
        LoyaltyKind::Redeemed,
        points,
        reason,
        None,
        summary,
    )
    .await
}

/// Corrects a live customer's balance by hand, with a reason.
pub async fn adjust(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    customer: CustomerId,
    input: &AdjustInput,
) -> Result<LoyaltyEntry> {
    parent::lock_live(c, org, customer).await?;
    let balance = balance(c, org, customer).await?;
    let (points, reason) = input.validate(balance)?;
    let summary = format!("Loyalty balance adjusted by {points:+} points: {reason}");
    append(
        c,
        org,
        actor,
        customer,
        LoyaltyKind::Adjusted,
        points,
        Some(reason),
        None,
        summary,
    )
    .await
}
