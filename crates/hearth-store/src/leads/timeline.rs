//! A lead's timeline, written by `history::record` (a change with a
//! `lead_id`) into `lead_events`.

use crate::page::{self, Page};
use crate::{Conn, Raw, Result, Row};
use chrono::{DateTime, Utc};
use hearth_domain::history::{Actor, ActorKind};
use hearth_domain::{EventId, LeadId, OrgId};
use serde::Serialize;
use uuid::Uuid;

/// One entry of a lead's timeline.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct LeadEvent {
    pub id: EventId,
    pub lead_id: LeadId,
    pub kind: String,
    pub action: String,
    pub summary: String,
    pub data: serde_json::Value,
    pub actor: Actor,
    pub at: DateTime<Utc>,
}

fn event(r: &Row) -> Result<LeadEvent> {
    Ok(LeadEvent {
        id: r.get(0)?,
        lead_id: r.get(1)?,
        kind: r.get(2)?,
        action: r.get(3)?,
        summary: r.get(4)?,
        data: r.get(5)?,
        actor: Actor {
            kind: ActorKind::parse(&r.get::<String>(6)?),
            id: r.get(7)?,
            name: r.get(8)?,
        },
        at: r.get(9)?,
    })
}

/// Newest first.
pub async fn timeline(
    c: &mut Conn,
    org: OrgId,
    lead: LeadId,
    cursor: Option<(DateTime<Utc>, Uuid)>,
    limit: u64,
) -> Result<Page<LeadEvent>> {
    // Without a cursor, start after the last instant either engine stores.
    let end = DateTime::from_timestamp(253_402_300_799, 0).unwrap_or_default();
    let (at, id) = cursor.unwrap_or((end, Uuid::max()));
    let rows = c
        .query(
            &Raw(
                "SELECT id, lead_id, kind, action, summary, data, actor_kind, actor_id, actor_name, at \
                 FROM lead_events WHERE org_id = $1 AND lead_id = $2 AND (at < $3 OR (at = $3 AND id < $4)) \
                 ORDER BY at DESC, id DESC LIMIT $5",
                vec![
                    org.0.into(),
                    lead.0.into(),
                    at.into(),
                    id.into(),
                    (limit as i64 + 1).into(),
                ],
            ),
            event,
        )
        .await?;
    Ok(page::finish(rows, limit, |e| (e.at, e.id.0)))
}
