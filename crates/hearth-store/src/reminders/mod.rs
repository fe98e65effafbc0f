//! Automated reminders for staff: raised by the worker's pass, listed in
//! the app, dismissed by whoever dealt with them. A reminder's unique key
//! is the event it is about, so the pass can run any number of times on any
//! number of workers and still raise one reminder per event.
//!
//! A new reminder is also delivered (see [`delivery`]) in the transaction
//! that inserts it, so its email or customer message is sent once too.

mod delivery;
mod settings;

pub use settings::{settings, update_settings};

use crate::equipment::expiring_warranties;
use crate::orgs::now;
use crate::page::{self, Page};
use crate::{Conn, Raw, Result, Row, StoreError, parent};
use chrono::{Days, NaiveDate, NaiveTime};
use hearth_domain::customers::{ContactMethod, CustomerFields};
use hearth_domain::history::Actor;
use hearth_domain::reminders::{Reminder, ReminderKind, ReminderSettings};
use hearth_domain::{CustomerId, LeadId, OrgId, ReminderId, UserId};
use uuid::Uuid;

/// A reminder about to be raised.
struct Raise {
    kind: ReminderKind,
    subject_id: Uuid,
    event_on: NaiveDate,
    title: String,
    /// What it is about, for a customer message's `{{item}}`.
    item: String,
    customer_id: Option<CustomerId>,
    lead_id: Option<LeadId>,
    assignee_id: Option<UserId>,
}

/// Inserts the reminder unless its event already has one, and delivers a
/// new one as `settings` say; true if new.
async fn raise(c: &mut Conn, org: OrgId, settings: &ReminderSettings, r: Raise) -> Result<bool> {
    let n = c
        .execute(&Raw(
            "INSERT INTO reminders (id, org_id, kind, subject_id, event_on, title, customer_id, lead_id, \
             assignee_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
             ON CONFLICT (org_id, kind, subject_id, event_on) DO NOTHING",
            vec![
                ReminderId::new().0.into(),
                org.0.into(),
                r.kind.as_str().into(),
                r.subject_id.into(),
                r.event_on.into(),
                r.title.clone().into(),
                r.customer_id.map(|c| c.0).into(),
                r.lead_id.map(|l| l.0).into(),
                r.assignee_id.map(|u| u.0).into(),
                now().into(),
            ],
        ))
        .await?;
    if n == 0 {
        return Ok(false);
    }
    delivery::deliver(c, org, settings, &r).await?;
    Ok(true)
}

/// Rows read per page while collecting warranties.
const BATCH: u64 = 200;
/// Overdue follow-ups older than this get no reminder any more.
const OVERDUE_DAYS: u64 = 30;

fn days_after(day: NaiveDate, days: i64) -> NaiveDate {
    day.checked_add_days(Days::new(days.max(0) as u64))
        .unwrap_or(NaiveDate::MAX)
}

async fn customer_name(c: &mut Conn, org: OrgId, id: CustomerId) -> Result<String> {
    c.query_one(
        &Raw(
            "SELECT first_name, last_name, business_name FROM customers WHERE id = $1 AND org_id = $2",
            vec![id.0.into(), org.0.into()],
        ),
        |r| {
            Ok(CustomerFields {
                first_name: r.get(0)?,
                last_name: r.get(1)?,
                business_name: r.get(2)?,
                email: None,
                phone: None,
                preferred_contact_method: ContactMethod::default(),
                customer_since: NaiveDate::MIN,
            }
            .display_name())
        },
    )
    .await
}

/// Raises the organisation's reminders due as of `today` under its
/// settings; returns how many are new. Idempotent.
pub async fn raise_due(c: &mut Conn, org: OrgId, today: NaiveDate) -> Result<u64> {
    let s = settings(c, org).await?;
    let mut raised = 0;

    let mut cursor: Option<String> = None;
    loop {
        let page =
            expiring_warranties(c, org, Some(s.warranty_days), cursor.as_deref(), BATCH).await?;
        for w in page.items {
            let Some(ends) = w.equipment.fields.warranty_expires_on else {
                continue;
            };
            let what = [
                w.equipment.fields.make.as_deref(),
                w.equipment.fields.model.as_deref(),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
            let item = if what.is_empty() {
                w.equipment.fields.kind.clone()
            } else {
                format!("{} ({what})", w.equipment.fields.kind)
            };
            let title = format!(
                "Warranty on {item} for {} ends {ends}",
                w.customer_display_name
            );
            let new = raise(
                c,
                org,
                &s,
                Raise {
                    kind: ReminderKind::WarrantyExpiring,
                    subject_id: w.equipment.id.0,
                    event_on: ends,
                    title,
                    item,
                    customer_id: Some(w.equipment.customer_id),
                    lead_id: None,
                    assignee_id: None,
                },
            )
            .await?;
            raised += u64::from(new);
        }
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }

    let until = days_after(today, s.membership_days);
    for m in crate::billing::memberships::renewing(c, org, today, until).await? {
        let name = customer_name(c, org, m.customer_id).await?;
        let title = format!("{name}'s {} membership renews {}", m.plan_name, m.renews_on);
        let new = raise(
            c,
            org,
            &s,
            Raise {
                kind: ReminderKind::MembershipRenewal,
                subject_id: m.id.0,
                event_on: m.renews_on,
                title,
                item: m.plan_name.clone(),
                customer_id: Some(m.customer_id),
                lead_id: None,
                assignee_id: None,
            },
        )
        .await?;
        raised += u64::from(new);
    }

    // Open tasks due by the end of today + N days (overdue ones included,
    // back to a bound), one reminder per due date.
    let until = days_after(today, s.follow_up_days + 1)
        .and_time(NaiveTime::MIN)
        .and_utc();
    let since = today
        .checked_sub_days(Days::new(OVERDUE_DAYS))
        .unwrap_or(NaiveDate::MIN)
        .and_time(NaiveTime::MIN)
        .and_utc();
    let tasks = c
        .query(
            &Raw(
                "SELECT id, title, customer_id, lead_id, assignee_id, due_at FROM tasks \
                 WHERE org_id = $1 AND deleted_at IS NULL AND completed_at IS NULL \
                 AND due_at >= $2 AND due_at < $3 ORDER BY due_at, id",
                vec![org.0.into(), since.into(), until.into()],
            ),
            |r| {
                let task: String = r.get(1)?;
                Ok(Raise {
                    kind: ReminderKind::FollowUpDue,
                    subject_id: r.get(0)?,
                    title: format!("Follow-up due: {task}"),
                    item: task,
                    customer_id: r.get(2)?,
                    lead_id: r.get(3)?,
                    assignee_id: r.get(4)?,
                    event_on: r.get::<chrono::DateTime<chrono::Utc>>(5)?.date_naive(),
                })
            },
        )
        .await?;
    for t in tasks {
        raised += u64::from(raise(c, org, &s, t).await?);
    }
    Ok(raised)
}

/// Every organisation, for the worker's pass.
pub async fn orgs(c: &mut Conn) -> Result<Vec<OrgId>> {
    c.query(&Raw("SELECT id FROM orgs ORDER BY id", vec![]), |r| {
        r.get::<OrgId>(0)
    })
    .await
}

fn reminder(r: &Row) -> Result<Reminder> {
    let kind: String = r.get(1)?;
    Ok(Reminder {
        id: r.get(0)?,
        kind: ReminderKind::parse(&kind)
            .ok_or_else(|| StoreError::decode(1, format!("unknown reminder kind {kind:?}")))?,
        subject_id: r.get(2)?,
        event_on: r.get(3)?,
        title: r.get(4)?,
        customer_id: r.get(5)?,
        lead_id: r.get(6)?,
        assignee_id: r.get(7)?,
        created_at: r.get(8)?,
        dismissed_at: r.get(9)?,
    })
}

macro_rules! select {
    ($rest:literal) => {
        concat!(
            "SELECT id, kind, subject_id, event_on, title, customer_id, lead_id, assignee_id, \
             created_at, dismissed_at FROM reminders ",
            $rest
        )
    };
}

/// Open reminders, soonest event first (`reminders_open`): those for
/// `user` and those for nobody in particular; every one when `user` is
/// `None` (an API key).
pub async fn list_open(
    c: &mut Conn,
    org: OrgId,
    user: Option<UserId>,
    cursor: Option<&str>,
    limit: u64,
) -> Result<Page<Reminder>> {
    let user = user.map(|u| u.0);
    let fetch = limit as i64 + 1;
    let rows = match parent::cursor::<(NaiveDate, Uuid)>(cursor)? {
        None => {
            let sql = select!(
                "WHERE org_id = $1 AND dismissed_at IS NULL \
                 AND ($2 OR assignee_id IS NULL OR assignee_id = $3) \
                 ORDER BY event_on, id LIMIT $4"
            );
            let args = vec![
                org.0.into(),
                user.is_none().into(),
                user.into(),
                fetch.into(),
            ];
            c.query(&Raw(sql, args), reminder).await?
        }
        Some((after_on, after_id)) => {
            let sql = select!(
                "WHERE org_id = $1 AND dismissed_at IS NULL \
                 AND ($2 OR assignee_id IS NULL OR assignee_id = $3) \
                 AND (event_on, id) > ($4, $5) ORDER BY event_on, id LIMIT $6"
            );
            let args = vec![
                org.0.into(),
                user.is_none().into(),
                user.into(),
                after_on.into(),
                after_id.into(),
                fetch.into(),
            ];
            c.query(&Raw(sql, args), reminder).await?
        }
    };
    Ok(page::finish(rows, limit, |r| (r.event_on, r.id.0)))
}

/// Marks a reminder dealt with; dismissing it again changes nothing.
pub async fn dismiss(c: &mut Conn, org: OrgId, actor: &Actor, id: ReminderId) -> Result<Reminder> {
    c.execute(&Raw(
        "UPDATE reminders SET dismissed_at = $1, dismissed_by = $2 \
         WHERE id = $3 AND org_id = $4 AND dismissed_at IS NULL",
        vec![
            now().into(),
            actor.name.clone().into(),
            id.0.into(),
            org.0.into(),
        ],
    ))
    .await?;
    let sql = select!("WHERE id = $1 AND org_id = $2");
    c.query_one(&Raw(sql, vec![id.0.into(), org.0.into()]), reminder)
        .await
}
