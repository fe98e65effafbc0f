//! What a customer does in the portal, on their communication log and
//! timeline as inbound `portal` activity.

use super::sessions;
use crate::comms::{self, NewCommunication};
use crate::{Conn, Result, customers};
use hearth_domain::comms::{Channel, CommStatus, Direction};
use hearth_domain::{CustomerId, OrgId};

/// Logs one portal action: `what` is its short name (`signed_in`,
/// `invoice_viewed`, …), shown as the entry's outcome; `detail` its text.
pub async fn log(
    c: &mut Conn,
    org: OrgId,
    customer: CustomerId,
    what: &str,
    detail: String,
) -> Result<()> {
    let name = customers::get(c, org, customer, false)
        .await?
        .fields
        .display_name();
    comms::insert(
        c,
        org,
        &sessions::actor(customer, &name),
        NewCommunication {
            customer_id: Some(customer),
            lead_id: None,
            channel: Channel::Portal,
            direction: Direction::In,
            subject: None,
            body: detail,
            status: CommStatus::Received,
            duration_seconds: None,
            outcome: Some(what.to_string()),
            occurred_at: None,
        },
    )
    .await
    .map(drop)
}
