//! Billing records: quotes, invoices and their payments, hosted checkout
//! sessions, membership plans and memberships, the loyalty ledger, the
//! organisation's billing settings and spending insights. Every change
//! writes the audit log and the customer's timeline in its transaction.

pub mod checkout;
pub mod invoices;
pub mod loyalty;
pub mod memberships;
pub mod payments;
pub mod plans;
pub mod quotes;
pub mod settings;
pub mod spending;

use crate::history::{self, Change};
use crate::orgs::now;
use crate::{Conn, Result, Row, StoreError, parent};
use chrono::NaiveDate;
use hearth_domain::billing::lines::Line;
use hearth_domain::billing::money::Currency;
use hearth_domain::history::{Actor, FieldChange};
use hearth_domain::{CustomerId, Invalid, OrgId};
use uuid::Uuid;

pub(crate) fn today() -> NaiveDate {
    now().date_naive()
}

/// A currency column.
pub(crate) fn currency(r: &Row, idx: usize) -> Result<Currency> {
    let code: String = r.get(idx)?;
    Currency::parse(&code).map_err(|e| StoreError::Decode {
        idx,
        message: format!("{code}: {e}"),
    })
}

/// A word column (status, method, …) read through the enum's `parse`.
pub(crate) fn word<T>(r: &Row, idx: usize, parse: fn(&str) -> Option<T>) -> Result<T> {
    let text: String = r.get(idx)?;
    parse(&text).ok_or_else(|| StoreError::Decode {
        idx,
        message: format!("unknown value {text:?}"),
    })
}

pub(crate) fn lines_json(lines: &[Line]) -> serde_json::Value {
    serde_json::to_value(lines).unwrap_or_default()
}

pub(crate) fn lines(r: &Row, idx: usize) -> Result<Vec<Line>> {
    serde_json::from_value(r.get(idx)?).map_err(|e| StoreError::decode(idx, e))
}

/// The live customer a record is written for, locked until the
/// transaction ends; a customer of another organisation, deleted or made
/// up is a 422 naming `customer_id`, never a hint that it exists.
pub(crate) async fn lock_customer(c: &mut Conn, org: OrgId, customer: CustomerId) -> Result<()> {
    match parent::lock_live(c, org, customer).await {
        Err(StoreError::NotFound) => {
            Err(Invalid::field("customer_id", "is not a customer of this organisation").into())
        }
        other => other,
    }
}

/// One audited change to a billing record, on the customer's timeline
/// when it has a customer.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn record(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    entity: (&'static str, Uuid),
    customer: Option<CustomerId>,
    kind: &'static str,
    action: &'static str,
    summary: String,
    fields: &[FieldChange],
) -> Result<()> {
    history::record(
        c,
        org,
        actor,
        Change {
            entity: entity.0,
            entity_id: entity.1,
            customer_id: customer,
            lead_id: None,
            action,
            kind,
            summary,
            fields,
        },
    )
    .await
}

/// Fails with 409 when the stored version moved on.
pub(crate) fn check_version(current: i64, sent: i64) -> Result<()> {
    if current == sent {
        Ok(())
    } else {
        Err(StoreError::Conflict {
            current_version: current,
        })
    }
}
