//! Support tickets and their messages, on the customer's timeline as kind
//! `support`.

use crate::billing::{check_version, lock_customer, record, word};
use crate::orgs::now;
use crate::page::{self, Page};
use crate::{Conn, Raw, Result, Row, StoreError, customers, parent};
use hearth_domain::history::{Actor, all_fields, diff};
use hearth_domain::support::{
    MessageAuthor, MessageInput, Ticket, TicketChannel, TicketFields, TicketInput, TicketMessage,
    TicketPatch, TicketPriority, TicketStatus, message_body,
};
use hearth_domain::{CustomerId, Invalid, OrgId, TicketId, TicketMessageId};
use sea_query::{Expr, ExprTrait, Order, Query};
use serde_json::json;

#[derive(sea_query::Iden, Clone, Copy)]
enum Tickets {
    Table,
    Id,
    OrgId,
    CustomerId,
    Subject,
    Status,
    Channel,
    Priority,
    MessageCount,
    LastMessageAt,
    ResolvedAt,
    Version,
    CreatedAt,
    UpdatedAt,
}

const COLUMNS: [Tickets; 13] = [
    Tickets::Id,
    Tickets::CustomerId,
    Tickets::Subject,
    Tickets::Status,
    Tickets::Channel,
    Tickets::Priority,
    Tickets::MessageCount,
    Tickets::LastMessageAt,
    Tickets::ResolvedAt,
    Tickets::Version,
    Tickets::CreatedAt,
    Tickets::UpdatedAt,
    Tickets::OrgId,
];

fn ticket(r: &Row) -> Result<Ticket> {
    Ok(Ticket {
        id: r.get(0)?,
        customer_id: r.get(1)?,
        subject: r.get(2)?,
        status: word(r, 3, TicketStatus::parse)?,
        channel: word(r, 4, TicketChannel::parse)?,
        priority: word(r, 5, TicketPriority::parse)?,
        message_count: r.get(6)?,
        last_message_at: r.get(7)?,
        resolved_at: r.get(8)?,
        version: r.get(9)?,
        created_at: r.get(10)?,
        updated_at: r.get(11)?,
    })
}

fn message(r: &Row) -> Result<TicketMessage> {
    Ok(TicketMessage {
        id: r.get(0)?,
        ticket_id: r.get(1)?,
        author: word(r, 2, MessageAuthor::parse)?,
        author_name: r.get(3)?,
        body: r.get(4)?,
        created_at: r.get(5)?,
    })
}

fn fields(t: &Ticket) -> TicketFields {
    TicketFields {
        subject: t.subject.clone(),
        status: t.status,
        channel: t.channel,
        priority: t.priority,
    }
}

fn audited(f: &TicketFields) -> serde_json::Value {
    serde_json::to_value(f).unwrap_or_default()
}

pub async fn create(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    input: &TicketInput,
) -> Result<Ticket> {
    lock_customer(c, org, input.customer_id).await?;
    let (f, body) = input.validate()?;
    let id = TicketId::new();
    c.execute(&Raw(
        "INSERT INTO tickets (id, org_id, customer_id, subject, status, channel, priority, message_count, \
         version, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 0, 1, $8, $8)",
        vec![
            id.0.into(),
            org.0.into(),
            input.customer_id.0.into(),
            f.subject.clone().into(),
            f.status.as_str().into(),
            f.channel.as_str().into(),
            f.priority.as_str().into(),
            now().into(),
        ],
    ))
    .await?;
    let changes = all_fields(&audited(&f), true);
    let summary = format!("Support ticket “{}” opened ({})", f.subject, f.channel);
    record(
        c,
        org,
        actor,
        ("ticket", id.0),
        Some(input.customer_id),
        "support",
        "created",
        summary,
        &changes,
    )
    .await?;
    if let Some(body) = body {
        append(
            c,
            org,
            actor,
            id,
            input.customer_id,
            MessageAuthor::Customer,
            body,
        )
        .await?;
    }
    get(c, org, id).await
}

pub async fn get(c: &mut Conn, org: OrgId, id: TicketId) -> Result<Ticket> {
    let mut q = Query::select();
    q.columns(COLUMNS)
        .from(Tickets::Table)
        .and_where(Expr::col(Tickets::Id).eq(id.0))
        .and_where(Expr::col(Tickets::OrgId).eq(org.0));
    c.query_one(&q, ticket).await
}

#[derive(Clone, Debug, Default)]
pub struct ListQuery {
    pub customer: Option<CustomerId>,
    pub status: Option<TicketStatus>,
    /// Only open and pending tickets.
    pub active: bool,
    pub cursor: Option<String>,
    pub limit: u64,
}

/// Tickets newest first (`tickets_org`, `tickets_customer`, `tickets_status`).
pub async fn list(c: &mut Conn, org: OrgId, query: &ListQuery) -> Result<Page<Ticket>> {
    let before =
        parent::cursor::<uuid::Uuid>(query.cursor.as_deref())?.unwrap_or(uuid::Uuid::max());
    let mut q = Query::select();
    q.columns(COLUMNS)
        .from(Tickets::Table)
        .and_where(Expr::col(Tickets::OrgId).eq(org.0))
        .and_where(Expr::col(Tickets::Id).lt(before))
        .order_by(Tickets::Id, Order::Desc)
        .limit(query.limit + 1);
    if let Some(customer) = query.customer {
        q.and_where(Expr::col(Tickets::CustomerId).eq(customer.0));
    }
    if let Some(status) = query.status {
        q.and_where(Expr::col(Tickets::Status).eq(status.as_str()));
    } else if query.active {
        q.and_where(Expr::col(Tickets::Status).is_in(["open", "pending"]));
    }
    let rows = c.query(&q, ticket).await?;
    Ok(page::finish(rows, query.limit, |t| t.id.0))
}

pub async fn update(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    id: TicketId,
    patch: &TicketPatch,
) -> Result<Ticket> {
    let current = get(c, org, id).await?;
    check_version(current.version, patch.version)?;
    let before = fields(&current);
    let f = before.patched(patch)?;
    let changes = diff(&audited(&before), &audited(&f));
    if changes.is_empty() {
        return Ok(current);
    }
    let now = now();
    let resolved_at = match f.status {
        TicketStatus::Resolved | TicketStatus::Closed => current.resolved_at.or(Some(now)),
        _ => None,
    };
    let n = c
        .execute(&Raw(
            "UPDATE tickets SET subject = $1, status = $2, channel = $3, priority = $4, resolved_at = $5, \
             version = version + 1, updated_at = $6 WHERE id = $7 AND org_id = $8 AND version = $9",
            vec![
                f.subject.clone().into(),
                f.status.as_str().into(),
                f.channel.as_str().into(),
                f.priority.as_str().into(),
                resolved_at.into(),
                now.into(),
                id.0.into(),
                org.0.into(),
                patch.version.into(),
            ],
        ))
        .await?;
    if n == 0 {
        return Err(StoreError::Conflict {
            current_version: current.version,
        });
    }
    let (action, summary) = if f.status != before.status {
        (
            "status_changed",
            format!("Support ticket “{}” {}", f.subject, f.status),
        )
    } else {
        (
            "updated",
            format!(
                "Support ticket “{}”: changed {}",
                f.subject,
                parent::changed(&changes)
            ),
        )
    };
    record(
        c,
        org,
        actor,
        ("ticket", id.0),
        Some(current.customer_id),
        "support",
        action,
        summary,
        &changes,
    )
    .await?;
    get(c, org, id).await
}

async fn append(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    ticket: TicketId,
    customer: CustomerId,
    author: MessageAuthor,
    body: String,
) -> Result<TicketMessage> {
    let author_name = match author {
        MessageAuthor::Staff => actor.name.clone(),
        MessageAuthor::Customer => customers::get(c, org, customer, true).await?.display_name,
    };
    let id = TicketMessageId::new();
    let now = now();
    c.execute(&Raw(
        "INSERT INTO ticket_messages (id, org_id, ticket_id, author, author_id, author_name, body, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        vec![
            id.0.into(),
            org.0.into(),
            ticket.0.into(),
            author.as_str().into(),
            match author {
                MessageAuthor::Staff => actor.id,
                MessageAuthor::Customer => Some(customer.0),
            }
            .into(),
            author_name.clone().into(),
            body.clone().into(),
            now.into(),
        ],
    ))
    .await?;
    c.execute(&Raw(
        "UPDATE tickets SET message_count = message_count + 1, last_message_at = $1, updated_at = $1 \
         WHERE id = $2 AND org_id = $3",
        vec![now.into(), ticket.0.into(), org.0.into()],
    ))
    .await?;
    let fields = all_fields(
        &json!({"ticket_id": ticket, "author": author, "body": body}),
        true,
    );
    let summary = format!(
        "Support message from {author_name}: {}",
        hearth_domain::notes::summary(&body)
    );
    record(
        c,
        org,
        actor,
        ("ticket_message", id.0),
        Some(customer),
        "support",
        "message_added",
        summary,
        &fields,
    )
    .await?;
    c.query_one(
        &Raw(
            "SELECT id, ticket_id, author, author_name, body, created_at FROM ticket_messages WHERE id = $1 AND org_id = $2",
            vec![id.0.into(), org.0.into()],
        ),
        message,
    )
    .await
}

/// Adds a message to a ticket.
pub async fn add_message(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    id: TicketId,
    input: &MessageInput,
) -> Result<TicketMessage> {
    let t = get(c, org, id).await?;
    let mut errors = Invalid::default();
    let body = message_body(&input.body, &mut errors);
    errors.or_ok(())?;
    let author = input.author.unwrap_or(MessageAuthor::Staff);
    append(c, org, actor, id, t.customer_id, author, body).await
}

/// A ticket's messages, oldest first (`ticket_messages_ticket`).
pub async fn messages(
    c: &mut Conn,
    org: OrgId,
    id: TicketId,
    cursor: Option<&str>,
    limit: u64,
) -> Result<Page<TicketMessage>> {
    get(c, org, id).await?;
    let after = parent::after_id(cursor)?;
    let rows = c
        .query(
            &Raw(
                "SELECT id, ticket_id, author, author_name, body, created_at FROM ticket_messages \
                 WHERE org_id = $1 AND ticket_id = $2 AND id > $3 ORDER BY id LIMIT $4",
                vec![
                    org.0.into(),
                    id.0.into(),
                    after.into(),
                    (limit as i64 + 1).into(),
                ],
            ),
            message,
        )
        .await?;
    Ok(page::finish(rows, limit, |m| m.id.0))
}
