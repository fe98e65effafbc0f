//! The organisation's billing settings (currency, payment terms, loyalty
//! rule); the defaults until first saved.

use super::{check_version, currency, record};
use crate::orgs::now;
use crate::{Conn, Raw, Result, Row};
use hearth_domain::OrgId;
use hearth_domain::billing::settings::{BillingSettings, BillingSettingsPatch};
use hearth_domain::history::{Actor, diff};

fn settings(r: &Row) -> Result<BillingSettings> {
    Ok(BillingSettings {
        default_currency: currency(r, 0)?,
        quote_valid_days: r.get(1)?,
        invoice_due_days: r.get(2)?,
        loyalty_points_per_unit: r.get(3)?,
        version: r.get(4)?,
    })
}

pub async fn get(c: &mut Conn, org: OrgId) -> Result<BillingSettings> {
    let stored = c
        .query_opt(
            &Raw(
                "SELECT default_currency, quote_valid_days, invoice_due_days, loyalty_points_per_unit, version \
                 FROM billing_settings WHERE org_id = $1",
                vec![org.0.into()],
            ),
            settings,
        )
        .await?;
    Ok(stored.unwrap_or_default())
}

pub async fn update(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    patch: &BillingSettingsPatch,
) -> Result<BillingSettings> {
    let current = get(c, org).await?;
    check_version(current.version, patch.version)?;
    let next = current.patched(patch)?;
    let view = |s: &BillingSettings| {
        let mut v = serde_json::to_value(s).unwrap_or_default();
        if let Some(m) = v.as_object_mut() {
            m.remove("version");
        }
        v
    };
    let changes = diff(&view(&current), &view(&next));
    if changes.is_empty() {
        return Ok(current);
    }
    let n = c.execute(&Raw(
        "INSERT INTO billing_settings (org_id, default_currency, quote_valid_days, invoice_due_days, \
         loyalty_points_per_unit, version, updated_at) VALUES ($1, $2, $3, $4, $5, 1, $6) \
         ON CONFLICT (org_id) DO UPDATE SET default_currency = $2, quote_valid_days = $3, invoice_due_days = $4, \
         loyalty_points_per_unit = $5, version = billing_settings.version + 1, updated_at = $6 \
         WHERE billing_settings.version = $7",
        vec![
            org.0.into(),
            next.default_currency.as_str().into(),
            next.quote_valid_days.into(),
            next.invoice_due_days.into(),
            next.loyalty_points_per_unit.into(),
            now().into(),
            patch.version.into(),
        ],
    ))
    .await?;
    if n == 0 {
        return Err(crate::StoreError::Conflict {
            current_version: current.version,
        });
    }
    if next.default_currency != current.default_currency {
        // Lifetime value is counted in the default currency.
        crate::segments::facts::rebuild(c, org).await?;
    }
    let summary = "Billing settings changed".to_string();
    record(
        c,
        org,
        actor,
        ("billing_settings", org.0),
        None,
        "settings",
        "updated",
        summary,
        &changes,
    )
    .await?;
    get(c, org).await
}
