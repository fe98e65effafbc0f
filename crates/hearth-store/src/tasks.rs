//! Tasks, including the follow-up task of an engagement. Completing a
//! follow-up task completes the engagement's follow-up and vice versa.

use crate::history::{self, Change};
use crate::orgs::now;
use crate::page::{self, Page};
use crate::{Conn, Raw, Result, Row, StoreError, engagements, parent};
use chrono::{DateTime, Utc};
use hearth_domain::engagements::Engagement;
use hearth_domain::history::{Actor, FieldChange, all_fields, diff};
use hearth_domain::tasks::{
    Task, TaskInput, TaskPatch, clean_title, due_by_end_of, follow_up_title,
};
use hearth_domain::{EngagementId, Invalid, OrgId, TaskId, UserId};
use sea_query::{Expr, ExprTrait, Order, Query};
use serde::Serialize;
use uuid::Uuid;

#[derive(sea_query::Iden)]
enum Tasks {
    Table,
    Id,
    OrgId,
    CustomerId,
    LeadId,
    Title,
    AssigneeId,
    DueAt,
    RemindAt,
    CompletedAt,
    EngagementId,
    Version,
    CreatedAt,
    UpdatedAt,
    DeletedAt,
}

const COLUMNS: [Tasks; 12] = [
    Tasks::Id,
    Tasks::CustomerId,
    Tasks::LeadId,
    Tasks::Title,
    Tasks::AssigneeId,
    Tasks::DueAt,
    Tasks::RemindAt,
    Tasks::CompletedAt,
    Tasks::EngagementId,
    Tasks::Version,
    Tasks::CreatedAt,
    Tasks::UpdatedAt,
];

fn task(r: &Row) -> Result<Task> {
    Ok(Task {
        id: r.get(0)?,
        customer_id: r.get(1)?,
        lead_id: r.get(2)?,
        title: r.get(3)?,
        assignee_id: r.get(4)?,
        due_at: r.get(5)?,
        remind_at: r.get(6)?,
        completed_at: r.get(7)?,
        engagement_id: r.get(8)?,
        version: r.get(9)?,
        created_at: r.get(10)?,
        updated_at: r.get(11)?,
    })
}

/// What the audit log compares between two versions of a task.
#[derive(Serialize)]
struct Audited<'a> {
    title: &'a str,
    assignee_id: Option<UserId>,
    due_at: Option<DateTime<Utc>>,
    remind_at: Option<DateTime<Utc>>,
    completed_at: Option<DateTime<Utc>>,
}

fn audited(t: &Task) -> serde_json::Value {
    serde_json::to_value(Audited {
        title: &t.title,
        assignee_id: t.assignee_id,
        due_at: t.due_at,
        remind_at: t.remind_at,
        completed_at: t.completed_at,
    })
    .unwrap_or_default()
}

/// Tasks are not on a customer's timeline (the engagement they follow is);
/// their changes are in the audit log.
async fn record(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    t: &Task,
    action: &'static str,
    fields: &[FieldChange],
) -> Result<()> {
    let change = Change {
        entity: "task",
        entity_id: t.id.0,
        customer_id: None,
        lead_id: None,
        action,
        kind: "communication",
        summary: format!("Task {action}: {}", t.title),
        fields,
    };
    history::record(c, org, actor, change).await
}

async fn check_assignee(c: &mut Conn, org: OrgId, user: Option<UserId>) -> Result<()> {
    let Some(user) = user else { return Ok(()) };
    let found = c
        .query_opt(
            &Raw(
                "SELECT id FROM users WHERE id = $1 AND org_id = $2 AND disabled_at IS NULL",
                vec![user.0.into(), org.0.into()],
            ),
            |r| r.get::<UserId>(0),
        )
        .await?;
    match found {
        Some(_) => Ok(()),
        None => Err(Invalid::field("assignee_id", "is not a user of this organisation").into()),
    }
}

pub async fn create(c: &mut Conn, org: OrgId, actor: &Actor, input: &TaskInput) -> Result<Task> {
    let title = clean_title(&input.title)?;
    if let Some(customer) = input.customer_id
        && parent::lock_live(c, org, customer).await.is_err()
    {
        return Err(Invalid::field("customer_id", "is not a customer of this organisation").into());
    }
    if let Some(lead) = input.lead_id {
        let found = c
            .query_opt(
                &Raw(
                    "SELECT id FROM leads WHERE id = $1 AND org_id = $2",
                    vec![lead.0.into(), org.0.into()],
                ),
                |r| r.get::<Uuid>(0),
            )
            .await?;
        if found.is_none() {
            return Err(Invalid::field("lead_id", "is not a lead of this organisation").into());
        }
    }
    check_assignee(c, org, input.assignee_id).await?;
    let id = TaskId::new();
    let now = now();
    c.execute(&Raw(
        "INSERT INTO tasks (id, org_id, customer_id, lead_id, title, assignee_id, due_at, remind_at, \
         version, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $9)",
        vec![
            id.0.into(),
            org.0.into(),
            input.customer_id.map(|x| x.0).into(),
            input.lead_id.map(|x| x.0).into(),
            title.into(),
            input.assignee_id.map(|x| x.0).into(),
            input.due_at.into(),
            input.remind_at.into(),
            now.into(),
        ],
    ))
    .await?;
    let t = get(c, org, id).await?;
    record(
        c,
        org,
        actor,
        &t,
        "created",
        &all_fields(&audited(&t), true),
    )
    .await?;
    Ok(t)
}

pub async fn get(c: &mut Conn, org: OrgId, id: TaskId) -> Result<Task> {
    let mut q = Query::select();
    q.columns(COLUMNS)
        .from(Tasks::Table)
        .and_where(Expr::col(Tasks::Id).eq(id.0))
        .and_where(Expr::col(Tasks::OrgId).eq(org.0))
        .and_where(Expr::col(Tasks::DeletedAt).is_null());
    c.query_one(&q, task).await
}

/// Which tasks a list shows.
#[derive(Clone, Debug, Default)]
pub struct TaskQuery {
    pub assignee: Option<UserId>,
    /// Only tasks not completed.
    pub open: bool,
    /// Only open tasks past their due time.
    pub overdue: bool,
    pub cursor: Option<String>,
    pub limit: u64,
}

/// Where a page ended: due time (tasks without one sort last) and id.
pub type Cursor = (Option<DateTime<Utc>>, Uuid);

/// Tasks by due time, soonest (most overdue) first, then those without a
/// due time (`tasks_assignee_open` / `tasks_due`, org_id first).
pub async fn list(c: &mut Conn, org: OrgId, query: &TaskQuery) -> Result<Page<Task>> {
    let cursor = parent::cursor::<Cursor>(query.cursor.as_deref())?;
    let mut q = Query::select();
    q.columns(COLUMNS)
        .from(Tasks::Table)
        .and_where(Expr::col(Tasks::OrgId).eq(org.0))
        .and_where(Expr::col(Tasks::DeletedAt).is_null())
        .order_by_expr(Expr::col(Tasks::DueAt).is_null(), Order::Asc)
        .order_by(Tasks::DueAt, Order::Asc)
        .order_by(Tasks::Id, Order::Asc)
        .limit(query.limit + 1);
    if let Some(a) = query.assignee {
        q.and_where(Expr::col(Tasks::AssigneeId).eq(a.0));
    }
    if query.open || query.overdue {
        q.and_where(Expr::col(Tasks::CompletedAt).is_null());
    }
    if query.overdue {
        q.and_where(Expr::col(Tasks::DueAt).lt(now()));
    }
    match cursor {
        Some((Some(due), id)) => {
            q.and_where(
                Expr::col(Tasks::DueAt)
                    .gt(due)
                    .or(Expr::col(Tasks::DueAt)
                        .eq(due)
                        .and(Expr::col(Tasks::Id).gt(id)))
                    .or(Expr::col(Tasks::DueAt).is_null()),
            );
        }
        Some((None, id)) => {
            q.and_where(Expr::col(Tasks::DueAt).is_null())
                .and_where(Expr::col(Tasks::Id).gt(id));
        }
        None => {}
    }
    let rows = c.query(&q, task).await?;
    Ok(page::finish(rows, query.limit, |t| (t.due_at, t.id.0)))
}

async fn write(c: &mut Conn, org: OrgId, before: &Task, after: &Task) -> Result<()> {
    let n = c
        .execute(&Raw(
            "UPDATE tasks SET title = $1, assignee_id = $2, due_at = $3, remind_at = $4, completed_at = $5, \
             customer_id = $6, version = version + 1, updated_at = $7 \
             WHERE id = $8 AND org_id = $9 AND version = $10 AND deleted_at IS NULL",
            vec![
                after.title.clone().into(),
                after.assignee_id.map(|x| x.0).into(),
                after.due_at.into(),
                after.remind_at.into(),
                after.completed_at.into(),
                after.customer_id.map(|x| x.0).into(),
                now().into(),
                before.id.0.into(),
                org.0.into(),
                before.version.into(),
            ],
        ))
        .await?;
    if n == 0 {
        return Err(StoreError::Conflict {
            current_version: before.version,
        });
    }
    Ok(())
}

/// Applies a partial update if `patch.version` is still current. Completing
/// or reopening a follow-up task does the same to its engagement.
pub async fn update(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    id: TaskId,
    patch: &TaskPatch,
) -> Result<Task> {
    let current = get(c, org, id).await?;
    if current.version != patch.version {
        return Err(StoreError::Conflict {
            current_version: current.version,
        });
    }
    let mut after = current.clone();
    if let Some(t) = &patch.title {
        after.title = clean_title(t)?;
    }
    if let Some(a) = patch.assignee_id {
        check_assignee(c, org, a).await?;
        after.assignee_id = a;
    }
    if let Some(d) = patch.due_at {
        after.due_at = d;
    }
    if let Some(r) = patch.remind_at {
        after.remind_at = r;
    }
    match patch.completed {
        Some(true) if current.completed_at.is_none() => after.completed_at = Some(now()),
        Some(false) => after.completed_at = None,
        _ => {}
    }
    let changes = diff(&audited(&current), &audited(&after));
    if changes.is_empty() {
        return Ok(current);
    }
    write(c, org, &current, &after).await?;
    let action = match (current.completed_at, after.completed_at) {
        (None, Some(_)) => "completed",
        (Some(_), None) => "reopened",
        _ => "updated",
    };
    record(c, org, actor, &after, action, &changes).await?;
    if let Some(e) = current.engagement_id
        && current.completed_at.is_some() != after.completed_at.is_some()
    {
        engagements::set_follow_up_completed(c, org, actor, e, after.completed_at.is_some())
            .await?;
    }
    get(c, org, id).await
}

/// Marks a task done (again is a no-op).
pub async fn complete(c: &mut Conn, org: OrgId, actor: &Actor, id: TaskId) -> Result<Task> {
    let current = get(c, org, id).await?;
    let patch = TaskPatch {
        version: current.version,
        title: None,
        assignee_id: None,
        due_at: None,
        remind_at: None,
        completed: Some(true),
    };
    update(c, org, actor, id, &patch).await
}

async fn of_engagement(c: &mut Conn, org: OrgId, e: EngagementId) -> Result<Option<Task>> {
    let mut q = Query::select();
    q.columns(COLUMNS)
        .from(Tasks::Table)
        .and_where(Expr::col(Tasks::OrgId).eq(org.0))
        .and_where(Expr::col(Tasks::EngagementId).eq(e.0))
        .and_where(Expr::col(Tasks::DeletedAt).is_null());
    c.query_opt(&q, task).await
}

/// Makes the engagement's follow-up task match it: created when it gets a
/// follow-up, updated with its assignee, date and completion, removed when
/// the follow-up is unticked.
pub(crate) async fn sync_follow_up(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    e: &Engagement,
) -> Result<()> {
    let existing = of_engagement(c, org, e.id).await?;
    let f = &e.fields;
    if !f.follow_up {
        return drop_follow_up(c, org, actor, e.id).await;
    }
    let title = follow_up_title(&f.subject);
    let due_at = f.follow_up_date.map(due_by_end_of);
    let Some(current) = existing else {
        let id = TaskId::new();
        let now = now();
        let completed_at = f.follow_up_completed.then_some(now);
        c.execute(&Raw(
            "INSERT INTO tasks (id, org_id, customer_id, title, assignee_id, due_at, completed_at, \
             engagement_id, version, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $9)",
            vec![
                id.0.into(),
                org.0.into(),
                e.customer_id.0.into(),
                title.into(),
                f.follow_up_assignee.map(|x| x.0).into(),
                due_at.into(),
                completed_at.into(),
                e.id.0.into(),
                now.into(),
            ],
        ))
        .await?;
        let t = get(c, org, id).await?;
        return record(
            c,
            org,
            actor,
            &t,
            "created",
            &all_fields(&audited(&t), true),
        )
        .await;
    };
    let after = Task {
        title,
        assignee_id: f.follow_up_assignee,
        due_at,
        completed_at: match (f.follow_up_completed, current.completed_at) {
            (true, Some(at)) => Some(at),
            (true, None) => Some(now()),
            (false, _) => None,
        },
        ..current.clone()
    };
    let changes = diff(&audited(&current), &audited(&after));
    if changes.is_empty() {
        return Ok(());
    }
    write(c, org, &current, &after).await?;
    record(c, org, actor, &after, "updated", &changes).await
}

/// Removes an engagement's follow-up task, if it has one.
pub(crate) async fn drop_follow_up(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    e: EngagementId,
) -> Result<()> {
    let Some(t) = of_engagement(c, org, e).await? else {
        return Ok(());
    };
    let now = now();
    c.execute(&Raw(
        "UPDATE tasks SET deleted_at = $1, version = version + 1, updated_at = $1 \
         WHERE id = $2 AND org_id = $3",
        vec![now.into(), t.id.0.into(), org.0.into()],
    ))
    .await?;
    record(
        c,
        org,
        actor,
        &t,
        "deleted",
        &all_fields(&audited(&t), false),
    )
    .await
}
