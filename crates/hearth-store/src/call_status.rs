//! A customer's last call status ("You spoke to them"), kept apart from the
//! customer row so setting it never bumps the customer's `version` and never
//! turns a colleague's profile edit into a conflict.

use crate::history::{self, Change};
use crate::orgs::now;
use crate::{Conn, Raw, Result, Row, StoreError, comms, customers};
use hearth_domain::comms::{CallLog, Direction};
use hearth_domain::history::{Actor, ActorKind, FieldChange};
use hearth_domain::insights::{CallStatus, CallStatusRecord};
use hearth_domain::{CustomerId, OrgId};

fn record(r: &Row) -> Result<CallStatusRecord> {
    let status: String = r.get(0)?;
    Ok(CallStatusRecord {
        status: CallStatus::parse(&status)
            .ok_or_else(|| StoreError::Db(format!("unknown call status {status:?}")))?,
        set_by: Actor {
            kind: ActorKind::parse(&r.get::<String>(1)?),
            id: r.get(2)?,
            name: r.get(3)?,
        },
        set_at: r.get(4)?,
    })
}

pub async fn get(
    c: &mut Conn,
    org: OrgId,
    customer: CustomerId,
) -> Result<Option<CallStatusRecord>> {
    c.query_opt(
        &Raw(
            "SELECT status, set_by_kind, set_by_id, set_by_name, set_at FROM call_statuses \
             WHERE org_id = $1 AND customer_id = $2",
            vec![org.0.into(), customer.0.into()],
        ),
        record,
    )
    .await
}

/// Records the outcome of a call to a live customer, by `actor`, now.
/// Setting the same status again is a new attempt and is recorded again,
/// and every attempt is logged as an outbound call.
pub async fn set(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    customer: CustomerId,
    status: CallStatus,
) -> Result<CallStatusRecord> {
    customers::get(c, org, customer, false).await?;
    let before = get(c, org, customer).await?;
    c.execute(&Raw(
        "INSERT INTO call_statuses (org_id, customer_id, status, set_by_kind, set_by_id, set_by_name, set_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (org_id, customer_id) DO UPDATE SET status = excluded.status, \
         set_by_kind = excluded.set_by_kind, set_by_id = excluded.set_by_id, \
         set_by_name = excluded.set_by_name, set_at = excluded.set_at",
        vec![
            org.0.into(),
            customer.0.into(),
            status.as_str().into(),
            actor.kind.as_str().into(),
            actor.id.into(),
            actor.name.clone().into(),
            now().into(),
        ],
    ))
    .await?;
    let fields = [FieldChange {
        field: "call_status".into(),
        before: before
            .map(|b| b.status.as_str().into())
            .unwrap_or(serde_json::Value::Null),
        after: status.as_str().into(),
    }];
    let change = Change {
        lead_id: None,
        entity: "customer",
        entity_id: customer.0,
        customer_id: Some(customer),
        action: "call_status_set",
        kind: "communication",
        summary: format!("Call status: {}", status.label()),
        fields: &fields,
    };
    history::record(c, org, actor, change).await?;
    // Each button press is also a call on the communication log.
    let call = CallLog {
        direction: Direction::Out,
        duration_seconds: None,
        outcome: Some(status.as_str().to_string()),
        notes: String::new(),
    };
    comms::log_call(c, org, actor, customer, &call, None).await?;
    get(c, org, customer).await?.ok_or(StoreError::NotFound)
}
