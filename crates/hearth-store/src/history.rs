//! The one mechanism that writes the audit log and the customer timeline.
//! Store functions call [`record`] inside the transaction of the change they
//! describe, so history can never disagree with the data.

use crate::orgs::now;
use crate::page::{self, Page};
use crate::{Conn, Raw, Result, Row};
use chrono::{DateTime, Utc};
use hearth_domain::history::{Actor, ActorKind, FieldChange};
use hearth_domain::{AuditId, CustomerId, EventId, LeadId, OrgId};
use sea_query::{Expr, ExprTrait, Order, Query};
use serde::Serialize;
use uuid::Uuid;

/// What happened to one record.
pub struct Change<'a> {
    /// Record type, e.g. `customer`.
    pub entity: &'static str,
    pub entity_id: Uuid,
    /// The customer whose timeline shows it, if any.
    pub customer_id: Option<CustomerId>,
    /// The lead whose timeline shows it, if any (a lead converted into a
    /// customer shows the conversion on both).
    pub lead_id: Option<LeadId>,
    /// `created`, `updated`, `deleted`, `restored`, …
    pub action: &'static str,
    /// Timeline filter group: `profile`, `note`, `job`, `invoice`, …
    pub kind: &'static str,
    pub summary: String,
    pub fields: &'a [FieldChange],
}

pub async fn record(c: &mut Conn, org: OrgId, actor: &Actor, change: Change<'_>) -> Result<()> {
    let at = now();
    let action = format!("{}.{}", change.entity, change.action);
    // A change without field differences (delete, restore) still gets one
    // audit row, so the log shows every action.
    let rows: Vec<(Option<&str>, serde_json::Value, serde_json::Value)> =
        if change.fields.is_empty() {
            vec![(None, serde_json::Value::Null, serde_json::Value::Null)]
        } else {
            change
                .fields
                .iter()
                .map(|f| (Some(f.field.as_str()), f.before.clone(), f.after.clone()))
                .collect()
        };
    let mut insert = Query::insert();
    insert.into_table(Audit::Table).columns([
        Audit::Id,
        Audit::OrgId,
        Audit::Entity,
        Audit::EntityId,
        Audit::CustomerId,
        Audit::Action,
        Audit::Field,
        Audit::Before,
        Audit::After,
        Audit::ActorKind,
        Audit::ActorId,
        Audit::ActorName,
        Audit::At,
    ]);
    for (field, before, after) in rows {
        let json = |v: serde_json::Value| -> sea_query::Value {
            if serde_json::Value::is_null(&v) {
                sea_query::Value::Json(None)
            } else {
                v.into()
            }
        };
        let row: [sea_query::Value; 13] = [
            AuditId::new().0.into(),
            org.0.into(),
            change.entity.into(),
            change.entity_id.into(),
            change.customer_id.map(|c| c.0).into(),
            action.clone().into(),
            field.map(str::to_owned).into(),
            json(before),
            json(after),
            actor.kind.as_str().into(),
            actor.id.into(),
            actor.name.clone().into(),
            at.into(),
        ];
        insert.values_panic(row.map(Expr::val));
    }
    c.execute(&insert).await?;
    let data = serde_json::json!({
        "entity": change.entity,
        "entity_id": change.entity_id,
        "fields": change.fields,
    });
    let timelines = [
        (
            change.customer_id.map(|c| c.0),
            "INSERT INTO events (id, org_id, customer_id, kind, action, summary, data, actor_kind, actor_id, actor_name, at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        ),
        (
            change.lead_id.map(|l| l.0),
            "INSERT INTO lead_events (id, org_id, lead_id, kind, action, summary, data, actor_kind, actor_id, actor_name, at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        ),
    ];
    if let Some(customer) = change.customer_id
        && crate::segments::facts::MOVES_FACTS.contains(&change.entity)
    {
        crate::segments::facts::refresh(c, org, customer).await?;
    }
    for (owner, sql) in timelines {
        let Some(owner) = owner else { continue };
        c.execute(&Raw(
            sql,
            vec![
                EventId::new().0.into(),
                org.0.into(),
                owner.into(),
                change.kind.into(),
                action.clone().into(),
                change.summary.clone().into(),
                data.clone().into(),
                actor.kind.as_str().into(),
                actor.id.into(),
                actor.name.clone().into(),
                at.into(),
            ],
        ))
        .await?;
    }
    crate::webhooks::emit(c, org, &change, at).await
}

#[derive(sea_query::Iden)]
#[iden = "audit_log"]
enum Audit {
    Table,
    Id,
    OrgId,
    Entity,
    EntityId,
    CustomerId,
    Action,
    Field,
    Before,
    After,
    ActorKind,
    ActorId,
    ActorName,
    At,
}

#[derive(sea_query::Iden)]
enum Events {
    Table,
    Id,
    OrgId,
    CustomerId,
    Kind,
    Action,
    Summary,
    Data,
    ActorKind,
    ActorId,
    ActorName,
    At,
}

/// One timeline entry.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Event {
    pub id: EventId,
    pub customer_id: CustomerId,
    pub kind: String,
    pub action: String,
    pub summary: String,
    pub data: serde_json::Value,
    pub actor: Actor,
    pub at: DateTime<Utc>,
}

fn event(r: &Row) -> Result<Event> {
    Ok(Event {
        id: r.get(0)?,
        customer_id: r.get(1)?,
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

/// A customer's timeline, newest first, optionally one kind only.
pub async fn timeline(
    c: &mut Conn,
    org: OrgId,
    customer: CustomerId,
    kind: Option<&str>,
    cursor: Option<(DateTime<Utc>, Uuid)>,
    limit: u64,
) -> Result<Page<Event>> {
    let mut q = Query::select();
    q.columns([
        Events::Id,
        Events::CustomerId,
        Events::Kind,
        Events::Action,
        Events::Summary,
        Events::Data,
        Events::ActorKind,
        Events::ActorId,
        Events::ActorName,
        Events::At,
    ])
    .from(Events::Table)
    .and_where(Expr::col(Events::OrgId).eq(org.0))
    .and_where(Expr::col(Events::CustomerId).eq(customer.0))
    .order_by(Events::At, Order::Desc)
    .order_by(Events::Id, Order::Desc)
    .limit(limit + 1);
    if let Some(kind) = kind {
        q.and_where(Expr::col(Events::Kind).eq(kind));
    }
    if let Some((at, id)) = cursor {
        q.and_where(
            Expr::tuple([Expr::col(Events::At), Expr::col(Events::Id)])
                .lt(Expr::tuple([Expr::val(at), Expr::val(id)])),
        );
    }
    let rows = c.query(&q, event).await?;
    Ok(page::finish(rows, limit, |e| (e.at, e.id.0)))
}

/// One field change from the audit log ("view changes").
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct AuditEntry {
    pub id: AuditId,
    pub entity: String,
    #[schema(value_type = String, format = Uuid)]
    pub entity_id: Uuid,
    pub action: String,
    pub field: Option<String>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub actor: Actor,
    pub at: DateTime<Utc>,
}

fn audit(r: &Row) -> Result<AuditEntry> {
    Ok(AuditEntry {
        id: r.get(0)?,
        entity: r.get(1)?,
        entity_id: r.get(2)?,
        action: r.get(3)?,
        field: r.get(4)?,
        before: r.get(5)?,
        after: r.get(6)?,
        actor: Actor {
            kind: ActorKind::parse(&r.get::<String>(7)?),
            id: r.get(8)?,
            name: r.get(9)?,
        },
        at: r.get(10)?,
    })
}

/// Field history of one record, newest first.
pub async fn changes(
    c: &mut Conn,
    org: OrgId,
    entity_id: Uuid,
    cursor: Option<Uuid>,
    limit: u64,
) -> Result<Page<AuditEntry>> {
    let mut q = Query::select();
    q.columns([
        Audit::Id,
        Audit::Entity,
        Audit::EntityId,
        Audit::Action,
        Audit::Field,
        Audit::Before,
        Audit::After,
        Audit::ActorKind,
        Audit::ActorId,
        Audit::ActorName,
        Audit::At,
    ])
    .from(Audit::Table)
    .and_where(Expr::col(Audit::OrgId).eq(org.0))
    .and_where(Expr::col(Audit::EntityId).eq(entity_id))
    .order_by(Audit::Id, Order::Desc)
    .limit(limit + 1);
    if let Some(id) = cursor {
        q.and_where(Expr::col(Audit::Id).lt(id));
    }
    let rows = c.query(&q, audit).await?;
    Ok(page::finish(rows, limit, |e| e.id.0))
}
