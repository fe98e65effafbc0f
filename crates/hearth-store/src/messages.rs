//! Messages to customers: written by staff on the customer card (their
//! text or a template) or by the reminder pass; rendered, logged as a
//! queued communication and put in the outbox in one transaction.

use crate::comms::{self, NewCommunication};
use crate::{Conn, Result, StoreError, customers, orgs, outbox, parent, templates, tracking};
use hearth_domain::comms::{Channel, CommStatus, Communication, Direction};
use hearth_domain::customers::Customer;
use hearth_domain::history::Actor;
use hearth_domain::outbox::Delivery;
use hearth_domain::templates::{Content, EventValues, MergeValues, MessageInput, render};
use hearth_domain::{CustomerId, Invalid, OrgId};

/// Queues a message to a live customer of this organisation.
pub async fn send(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    customer: CustomerId,
    input: &MessageInput,
) -> Result<Communication> {
    parent::lock_live(c, org, customer).await?;
    let template = match input.template_id {
        Some(id) => Some(templates::get(c, org, id).await.map_err(|e| match e {
            StoreError::NotFound => {
                Invalid::field("template_id", "is not a template of this organisation").into()
            }
            e => e,
        })?),
        None => None,
    };
    let content = input.validate(template.as_ref())?;
    let who = customers::get(c, org, customer, false).await?;
    queue(c, org, actor, &who, &content, None).await
}

/// Renders valid `content` for `who` (a live customer the caller locked),
/// logs it on their communications and timeline as queued, and puts it in
/// the outbox. `event` fills a reminder message's `{{item}}` and `{{date}}`.
pub(crate) async fn queue(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    who: &Customer,
    content: &Content,
    event: Option<EventValues>,
) -> Result<Communication> {
    let to = match content.channel {
        Channel::Email => who.fields.email.clone(),
        _ => who.fields.phone.clone(),
    }
    .ok_or_else(|| {
        let what = match content.channel {
            Channel::Email => "an email address",
            _ => "a phone number",
        };
        Invalid::field("channel", format!("the customer has no {what}"))
    })?;
    let values = MergeValues {
        first_name: who.fields.first_name.clone(),
        last_name: who.fields.last_name.clone(),
        business_name: who.fields.business_name.clone(),
        email: who.fields.email.clone(),
        phone: who.fields.phone.clone(),
        org_name: orgs::get(c, org).await?.name,
        event,
    };
    let merged = |field: &str, text: &str| {
        render(text, &values).map_err(|e| Invalid::field(field, e.to_string()))
    };
    let body = merged("body", &content.body)?;
    let subject = content
        .subject
        .as_deref()
        .map(|s| merged("subject", s))
        .transpose()?;
    let logged = comms::insert(
        c,
        org,
        actor,
        NewCommunication {
            customer_id: Some(who.id),
            lead_id: None,
            channel: content.channel,
            direction: Direction::Out,
            subject: subject.clone(),
            body: body.clone(),
            status: CommStatus::Queued,
            duration_seconds: None,
            outcome: None,
            occurred_at: None,
        },
    )
    .await?;
    let delivery = match content.channel {
        Channel::Email => Delivery::Email {
            to,
            subject: subject.unwrap_or_default(),
            tracking: Some(tracking::create_tokens(c, org, logged.id, &body).await?),
            body,
        },
        _ => Delivery::Sms { to, body },
    };
    outbox::enqueue(c, org, Some(logged.id), None, &delivery).await?;
    Ok(logged)
}
