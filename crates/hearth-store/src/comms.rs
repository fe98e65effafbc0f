//! The communication log. Every entry is on the customer's timeline as kind
//! `communication`; entries are facts about the past and are not edited.

use crate::history::{self, Change};
use crate::orgs::now;
use crate::page::{self, Page};
use crate::{Conn, Raw, Result, Row, StoreError, parent};
use chrono::{DateTime, Utc};
use hearth_domain::comms::{CallLog, Channel, CommStatus, Communication, Direction, summary};
use hearth_domain::history::{Actor, ActorKind, FieldChange};
use hearth_domain::{CommunicationId, CustomerId, LeadId, OrgId};
use sea_query::{Expr, ExprTrait, Order, Query};
use uuid::Uuid;

#[derive(sea_query::Iden)]
enum Communications {
    Table,
    Id,
    OrgId,
    CustomerId,
    LeadId,
    Channel,
    Direction,
    Subject,
    Body,
    Status,
    DurationSeconds,
    Outcome,
    AuthorKind,
    AuthorId,
    AuthorName,
    OccurredAt,
    CreatedAt,
    OpenedAt,
    ClickedAt,
    DeliveryError,
}

const COLUMNS: [Communications; 18] = [
    Communications::Id,
    Communications::CustomerId,
    Communications::LeadId,
    Communications::Channel,
    Communications::Direction,
    Communications::Subject,
    Communications::Body,
    Communications::Status,
    Communications::DurationSeconds,
    Communications::Outcome,
    Communications::AuthorKind,
    Communications::AuthorId,
    Communications::AuthorName,
    Communications::OccurredAt,
    Communications::CreatedAt,
    Communications::OpenedAt,
    Communications::ClickedAt,
    Communications::DeliveryError,
];

fn word<T>(r: &Row, idx: usize, parse: fn(&str) -> Option<T>) -> Result<T> {
    let s: String = r.get(idx)?;
    parse(&s).ok_or_else(|| StoreError::decode(idx, format!("unknown value {s:?}")))
}

fn communication(r: &Row) -> Result<Communication> {
    Ok(Communication {
        id: r.get(0)?,
        customer_id: r.get(1)?,
        lead_id: r.get(2)?,
        channel: word(r, 3, Channel::parse)?,
        direction: word(r, 4, Direction::parse)?,
        subject: r.get(5)?,
        body: r.get(6)?,
        status: word(r, 7, CommStatus::parse)?,
        duration_seconds: r.get(8)?,
        outcome: r.get(9)?,
        author: Actor {
            kind: ActorKind::parse(&r.get::<String>(10)?),
            id: r.get(11)?,
            name: r.get(12)?,
        },
        occurred_at: r.get(13)?,
        created_at: r.get(14)?,
        opened_at: r.get(15)?,
        clicked_at: r.get(16)?,
        delivery_error: r.get(17)?,
    })
}

/// A communication about to be written: on a customer's log, a lead's, or
/// both (a lead of a known customer).
pub struct NewCommunication {
    pub customer_id: Option<CustomerId>,
    pub lead_id: Option<LeadId>,
    pub channel: Channel,
    pub direction: Direction,
    pub subject: Option<String>,
    pub body: String,
    pub status: CommStatus,
    pub duration_seconds: Option<i64>,
    pub outcome: Option<String>,
    pub occurred_at: Option<DateTime<Utc>>,
}

/// Writes a communication on the log and timeline of its customer and/or
/// lead. The caller has checked they are live ones of this organisation.
pub async fn insert(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    n: NewCommunication,
) -> Result<Communication> {
    let id = CommunicationId::new();
    let created = now();
    c.execute(&Raw(
        "INSERT INTO communications (id, org_id, customer_id, lead_id, channel, direction, subject, body, status, \
         duration_seconds, outcome, author_kind, author_id, author_name, occurred_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
        vec![
            id.0.into(),
            org.0.into(),
            n.customer_id.map(|c| c.0).into(),
            n.lead_id.map(|l| l.0).into(),
            n.channel.as_str().into(),
            n.direction.as_str().into(),
            n.subject.clone().into(),
            n.body.clone().into(),
            n.status.as_str().into(),
            n.duration_seconds.into(),
            n.outcome.clone().into(),
            actor.kind.as_str().into(),
            actor.id.into(),
            actor.name.clone().into(),
            n.occurred_at.unwrap_or(created).into(),
            created.into(),
        ],
    ))
    .await?;
    let fields: Vec<FieldChange> = [
        ("channel", serde_json::Value::from(n.channel.as_str())),
        ("direction", n.direction.as_str().into()),
        ("status", n.status.as_str().into()),
        ("duration_seconds", n.duration_seconds.into()),
        ("outcome", n.outcome.clone().into()),
    ]
    .into_iter()
    .filter(|(_, v)| !v.is_null())
    .map(|(f, v)| FieldChange {
        field: f.into(),
        before: serde_json::Value::Null,
        after: v,
    })
    .collect();
    let change = Change {
        entity: "communication",
        entity_id: id.0,
        customer_id: n.customer_id,
        lead_id: n.lead_id,
        action: "created",
        kind: "communication",
        summary: summary(n.channel, n.direction, n.outcome.as_deref()),
        fields: &fields,
    };
    history::record(c, org, actor, change).await?;
    get(c, org, id).await
}

/// Logs a call with a live customer of this organisation.
pub async fn log_call(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    customer: CustomerId,
    call: &CallLog,
    occurred_at: Option<DateTime<Utc>>,
) -> Result<Communication> {
    parent::lock_live(c, org, customer).await?;
    let status = match call.direction {
        Direction::In => CommStatus::Received,
        Direction::Out => CommStatus::Sent,
    };
    insert(
        c,
        org,
        actor,
        NewCommunication {
            customer_id: Some(customer),
            lead_id: None,
            channel: Channel::Call,
            direction: call.direction,
            subject: None,
            body: call.notes.clone(),
            status,
            duration_seconds: call.duration_seconds,
            outcome: call.outcome.clone(),
            occurred_at,
        },
    )
    .await
}

pub async fn get(c: &mut Conn, org: OrgId, id: CommunicationId) -> Result<Communication> {
    let mut q = Query::select();
    q.columns(COLUMNS)
        .from(Communications::Table)
        .and_where(Expr::col(Communications::Id).eq(id.0))
        .and_where(Expr::col(Communications::OrgId).eq(org.0));
    c.query_one(&q, communication).await
}

/// Where a page ended: occurred_at and id of its last entry.
pub type Cursor = (DateTime<Utc>, Uuid);

/// A customer's log, newest first, optionally one channel only.
pub async fn list(
    c: &mut Conn,
    org: OrgId,
    customer: CustomerId,
    channel: Option<Channel>,
    cursor: Option<&str>,
    limit: u64,
) -> Result<Page<Communication>> {
    let cursor = parent::cursor::<Cursor>(cursor)?;
    let mut q = Query::select();
    q.columns(COLUMNS)
        .from(Communications::Table)
        .and_where(Expr::col(Communications::OrgId).eq(org.0))
        .and_where(Expr::col(Communications::CustomerId).eq(customer.0))
        .order_by(Communications::OccurredAt, Order::Desc)
        .order_by(Communications::Id, Order::Desc)
        .limit(limit + 1);
    if let Some(ch) = channel {
        q.and_where(Expr::col(Communications::Channel).eq(ch.as_str()));
    }
    if let Some((at, id)) = cursor {
        q.and_where(
            Expr::tuple([
                Expr::col(Communications::OccurredAt),
                Expr::col(Communications::Id),
            ])
            .lt(Expr::tuple([Expr::val(at), Expr::val(id)])),
        );
    }
    let rows = c.query(&q, communication).await?;
    Ok(page::finish(rows, limit, |m| (m.occurred_at, m.id.0)))
}

/// Communications per channel, the most recently used channel first (the
/// insights strip breaks ties that way).
pub async fn counts_by_channel(
    c: &mut Conn,
    org: OrgId,
    customer: CustomerId,
) -> Result<Vec<(String, i64)>> {
    c.query(
        &Raw(
            "SELECT channel, COUNT(*), MAX(occurred_at) AS last FROM communications \
             WHERE org_id = $1 AND customer_id = $2 GROUP BY channel ORDER BY last DESC",
            vec![org.0.into(), customer.0.into()],
        ),
        |r| Ok((r.get::<String>(0)?, r.get::<i64>(1)?)),
    )
    .await
}
