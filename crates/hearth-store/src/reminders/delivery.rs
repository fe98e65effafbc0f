//! Where a new reminder goes besides the dashboard: by email to the staff
//! member it is for, and to the customer it is about by their preferred
//! contact method. Runs in the transaction that inserted the reminder and
//! only when that insert was new, so each message is sent exactly as often
//! as its reminder is raised: once.

use super::Raise;
use crate::{Conn, Raw, Result, StoreError, customers, messages, outbox, parent};
use hearth_domain::auth::Role;
use hearth_domain::history::Actor;
use hearth_domain::outbox::Delivery;
use hearth_domain::reminders::{ReminderSettings, customer_channel};
use hearth_domain::templates::EventValues;
use hearth_domain::{CustomerId, OrgId};

pub(super) async fn deliver(
    c: &mut Conn,
    org: OrgId,
    settings: &ReminderSettings,
    r: &Raise,
) -> Result<()> {
    if settings.email_staff {
        email_staff(c, org, r).await?;
    }
    if let Some(customer) = r.customer_id
        && settings.notify_customers.get(r.kind) == Some(&true)
    {
        message_customer(c, org, settings, r, customer).await?;
    }
    Ok(())
}

/// To the assignee, or the first owner when there is none (or they were
/// disabled since); nobody to send to is not an error.
async fn email_staff(c: &mut Conn, org: OrgId, r: &Raise) -> Result<()> {
    let to = c
        .query_opt(
            &Raw(
                "SELECT email FROM users WHERE org_id = $1 AND disabled_at IS NULL \
                 AND (id = $2 OR role = $3) \
                 ORDER BY CASE WHEN id = $2 THEN 0 ELSE 1 END, created_at, id LIMIT 1",
                vec![
                    org.0.into(),
                    r.assignee_id.map(|u| u.0).into(),
                    Role::Owner.as_str().into(),
                ],
            ),
            |row| row.get::<String>(0),
        )
        .await?;
    let Some(to) = to else {
        return Ok(());
    };
    let delivery = Delivery::Email {
        to,
        subject: format!("Reminder: {}", r.title),
        body: format!(
            "{}\n\nIt stays on your Hearth dashboard until someone dismisses it.",
            r.title
        ),
        tracking: None,
    };
    outbox::enqueue(c, org, None, None, &delivery).await?;
    Ok(())
}

/// The organisation's message for this kind, through the same path as a
/// message staff send, so it is logged on the customer's timeline. A
/// customer in the bin, or with neither email nor phone, gets nothing.
async fn message_customer(
    c: &mut Conn,
    org: OrgId,
    settings: &ReminderSettings,
    r: &Raise,
    customer: CustomerId,
) -> Result<()> {
    let Some(message) = settings.customer_messages.get(r.kind) else {
        return Ok(());
    };
    let who = match parent::lock_live(c, org, customer).await {
        Ok(()) => customers::get(c, org, customer, false).await?,
        Err(StoreError::NotFound) => return Ok(()),
        Err(e) => return Err(e),
    };
    let f = &who.fields;
    let Some(channel) = customer_channel(
        f.preferred_contact_method,
        f.email.is_some(),
        f.phone.is_some(),
    ) else {
        return Ok(());
    };
    let event = EventValues {
        item: r.item.clone(),
        date: r.event_on.format("%B %-d, %Y").to_string(),
    };
    messages::queue(
        c,
        org,
        &Actor::system("reminders"),
        &who,
        &message.content(channel),
        Some(event),
    )
    .await?;
    Ok(())
}
