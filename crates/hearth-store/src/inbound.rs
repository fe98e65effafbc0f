//! Inbound messages and call events: the per-org hook keys, and taking one
//! verified event into the communication log, threaded onto the customer
//! or lead it comes from (a new lead when nobody is known).

use crate::auth::{digest, new_token};
use crate::comms::{self, NewCommunication};
use crate::history::{self, Change};
use crate::leads::capture::{Captured, Contact, capture};
use crate::leads::convert::find_customer;
use crate::orgs::now;
use crate::{Conn, Raw, Result, Row, StoreError};
use chrono::{DateTime, Utc};
use hearth_domain::comms::{CommStatus, Direction};
use hearth_domain::history::{Actor, FieldChange};
use hearth_domain::inbound::{CallPhase, Event, Inbound};
use hearth_domain::leads::lead::Draft;
use hearth_domain::{CommunicationId, CustomerId, Invalid, LeadId, OrgId};
use serde::Serialize;
use serde_json::json;

/// The hook keys as the API shows them: never the keys themselves.
#[derive(Clone, Debug, Default, Serialize, utoipa::ToSchema)]
pub struct InboundSettings {
    /// Whether SMS, call and chat hooks accept anything yet.
    pub secret_set: bool,
    /// The secret's last four characters, to tell keys apart.
    pub secret_hint: Option<String>,
    pub secret_rotated_at: Option<DateTime<Utc>>,
    /// Whether the WhatsApp app secret and verify token are set.
    pub whatsapp_set: bool,
    pub whatsapp_updated_at: Option<DateTime<Utc>>,
}

/// What a hook needs to check a delivery for one organisation.
#[derive(Clone, Debug)]
pub struct HookKeys {
    pub org: OrgId,
    /// Numbers without a country code are read in this region.
    pub region: String,
    pub secret: Option<String>,
    pub whatsapp_app_secret: Option<String>,
}

fn settings_row(r: &Row) -> Result<InboundSettings> {
    let hint: Option<String> = r.get(0)?;
    let whatsapp_updated_at: Option<DateTime<Utc>> = r.get(2)?;
    Ok(InboundSettings {
        secret_set: hint.is_some(),
        secret_hint: hint,
        secret_rotated_at: r.get(1)?,
        whatsapp_set: whatsapp_updated_at.is_some(),
        whatsapp_updated_at,
    })
}

pub async fn settings(c: &mut Conn, org: OrgId) -> Result<InboundSettings> {
    Ok(c
        .query_opt(
            &Raw(
                "SELECT secret_hint, secret_rotated_at, whatsapp_updated_at FROM inbound_settings WHERE org_id = $1",
                vec![org.0.into()],
            ),
            settings_row,
        )
        .await?
        .unwrap_or_default())
}

/// The keys of an organisation's hooks; `None` if there is no such org.
pub async fn hook_keys(c: &mut Conn, org: OrgId) -> Result<Option<HookKeys>> {
    c.query_opt(
        &Raw(
            "SELECT o.default_region, s.secret, s.whatsapp_app_secret \
             FROM orgs o LEFT JOIN inbound_settings s ON s.org_id = o.id WHERE o.id = $1",
            vec![org.0.into()],
        ),
        |r| {
            Ok(HookKeys {
                org,
                region: r.get(0)?,
                secret: r.get(1)?,
                whatsapp_app_secret: r.get(2)?,
            })
        },
    )
    .await
}

/// Whether `token` is the organisation's WhatsApp verify token (compared
/// as SHA-256 digests, so the stored value is useless to a reader).
pub async fn whatsapp_token_matches(c: &mut Conn, org: OrgId, token: &str) -> Result<bool> {
    Ok(c
        .query_opt(
            &Raw(
                "SELECT org_id FROM inbound_settings WHERE org_id = $1 AND whatsapp_verify_token_sha256 = $2",
                vec![org.0.into(), digest(token).into()],
            ),
            |r| r.get::<OrgId>(0),
        )
        .await?
        .is_some())
}

async fn audit(c: &mut Conn, org: OrgId, actor: &Actor, field: &str, summary: &str) -> Result<()> {
    // The audit log says that a key changed, never what it is.
    let fields = [FieldChange {
        field: field.into(),
        before: json!(null),
        after: json!("changed"),
    }];
    history::record(
        c,
        org,
        actor,
        Change {
            entity: "inbound_settings",
            entity_id: org.0,
            customer_id: None,
            lead_id: None,
            action: "updated",
            kind: "settings",
            summary: summary.to_string(),
            fields: &fields,
        },
    )
    .await
}

/// Makes a new signing secret for the SMS, call and chat hooks, replacing
/// the old one at once. Returns it: the only time it is shown.
pub async fn rotate_secret(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
) -> Result<(String, InboundSettings)> {
    let secret = format!("ihk_{}", new_token());
    let hint: String = secret
        .chars()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let at = now();
    c.execute(&Raw(
        "INSERT INTO inbound_settings (org_id, secret, secret_hint, secret_rotated_at, version, updated_at) \
         VALUES ($1, $2, $3, $4, 1, $4) ON CONFLICT (org_id) DO UPDATE SET secret = $2, secret_hint = $3, \
         secret_rotated_at = $4, version = inbound_settings.version + 1, updated_at = $4",
        vec![org.0.into(), secret.clone().into(), hint.into(), at.into()],
    ))
    .await?;
    audit(c, org, actor, "secret", "Inbound hook secret rotated").await?;
    Ok((secret, settings(c, org).await?))
}

/// Stores the WhatsApp app secret (Meta signs deliveries with it) and the
/// verify token Meta's subscription handshake must present.
pub async fn set_whatsapp(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    app_secret: &str,
    verify_token: &str,
) -> Result<InboundSettings> {
    let mut errors = Invalid::default();
    for (field, value) in [("app_secret", app_secret), ("verify_token", verify_token)] {
        let len = value.trim().chars().count();
        if !(8..=200).contains(&len) {
            errors.push(field, "must be 8 to 200 characters");
        }
    }
    errors.or_ok(())?;
    let at = now();
    c.execute(&Raw(
        "INSERT INTO inbound_settings (org_id, whatsapp_app_secret, whatsapp_verify_token_sha256, whatsapp_updated_at, version, updated_at) \
         VALUES ($1, $2, $3, $4, 1, $4) ON CONFLICT (org_id) DO UPDATE SET whatsapp_app_secret = $2, \
         whatsapp_verify_token_sha256 = $3, whatsapp_updated_at = $4, version = inbound_settings.version + 1, updated_at = $4",
        vec![
            org.0.into(),
            app_secret.trim().to_string().into(),
            digest(verify_token.trim()).into(),
            at.into(),
        ],
    ))
    .await?;
    audit(c, org, actor, "whatsapp", "WhatsApp hook keys changed").await?;
    settings(c, org).await
}

/// Where one inbound event landed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Received {
    /// The same provider id (and call event) was taken before: nothing new
    /// was stored.
    pub duplicate: bool,
    pub customer_id: Option<CustomerId>,
    pub lead_id: Option<LeadId>,
    /// Whether this event created the lead.
    pub lead_created: bool,
    /// The log entry (none for a ringing or answered call: the call is
    /// logged when it completes).
    pub communication_id: Option<CommunicationId>,
}

/// Takes one verified event in the caller's transaction: once per provider
/// id (and call event), however often the provider delivers it.
pub async fn receive(c: &mut Conn, org: OrgId, region: &str, e: &Inbound) -> Result<Received> {
    let channel = e.channel.as_str();
    let taken = c
        .execute(&Raw(
            "INSERT INTO inbound_receipts (org_id, channel, provider_id, event, received_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            vec![
                org.0.into(),
                channel.into(),
                e.provider_id.clone().into(),
                e.event_key().into(),
                now().into(),
            ],
        ))
        .await?;
    if taken == 0 {
        return Ok(Received {
            duplicate: true,
            customer_id: None,
            lead_id: None,
            lead_created: false,
            communication_id: None,
        });
    }
    let actor = Actor::system(&format!("Inbound {}", e.via()));
    let (customer, lead, lead_created) = match earlier_event_of_call(c, org, e).await? {
        // A later event of a call already seen: the same people, and the
        // lead already has this call's signal.
        Some((customer, lead)) => (customer, lead, false),
        None => who(c, org, region, &actor, e).await?,
    };
    let communication = match &e.event {
        Event::Message { text } => Some((text.clone(), None, None)),
        Event::Call {
            phase: CallPhase::Completed,
            duration_seconds,
            outcome,
        } => Some((String::new(), *duration_seconds, outcome.clone())),
        Event::Call { .. } => None,
    };
    let communication_id = match communication {
        Some((body, duration_seconds, outcome)) => Some(
            comms::insert(
                c,
                org,
                &actor,
                NewCommunication {
                    customer_id: customer,
                    lead_id: lead,
                    channel: e.channel,
                    direction: Direction::In,
                    subject: None,
                    body,
                    status: CommStatus::Received,
                    duration_seconds,
                    outcome,
                    occurred_at: e.at,
                },
            )
            .await?
            .id,
        ),
        None => None,
    };
    c.execute(&Raw(
        "UPDATE inbound_receipts SET customer_id = $1, lead_id = $2, communication_id = $3 \
         WHERE org_id = $4 AND channel = $5 AND provider_id = $6 AND event = $7",
        vec![
            customer.map(|c| c.0).into(),
            lead.map(|l| l.0).into(),
            communication_id.map(|c| c.0).into(),
            org.0.into(),
            channel.into(),
            e.provider_id.clone().into(),
            e.event_key().into(),
        ],
    ))
    .await?;
    Ok(Received {
        duplicate: false,
        customer_id: customer,
        lead_id: lead,
        lead_created,
        communication_id,
    })
}

/// The customer and lead an earlier event of the same call landed on.
async fn earlier_event_of_call(
    c: &mut Conn,
    org: OrgId,
    e: &Inbound,
) -> Result<Option<(Option<CustomerId>, Option<LeadId>)>> {
    if !matches!(e.event, Event::Call { .. }) {
        return Ok(None);
    }
    c.query_opt(
        &Raw(
            "SELECT customer_id, lead_id FROM inbound_receipts WHERE org_id = $1 AND channel = $2 \
             AND provider_id = $3 AND event <> $4 AND (customer_id IS NOT NULL OR lead_id IS NOT NULL) LIMIT 1",
            vec![
                org.0.into(),
                e.channel.as_str().into(),
                e.provider_id.clone().into(),
                e.event_key().into(),
            ],
        ),
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .await
}

/// A live customer with the sender's phone or email gets the message on
/// their log; anyone else is captured as a lead (a new one, or their open
/// lead, which the contact scores).
async fn who(
    c: &mut Conn,
    org: OrgId,
    region: &str,
    actor: &Actor,
    e: &Inbound,
) -> Result<(Option<CustomerId>, Option<LeadId>, bool)> {
    let s = &e.sender;
    if let Some(customer) = find_customer(c, org, s.phone.as_deref(), s.email.as_deref()).await? {
        return Ok((Some(customer), None, false));
    }
    let (first_name, last_name) = match s.name.as_deref().map(str::trim) {
        Some(name) => match name.rsplit_once(' ') {
            Some((first, last)) => (Some(first), Some(last)),
            None => (Some(name), None),
        },
        None => (None, None),
    };
    let message = match &e.event {
        Event::Message { text } => Some(text.as_str()),
        Event::Call { .. } => None,
    };
    let fields = Draft {
        first_name,
        last_name,
        business_name: None,
        email: s.email.as_deref(),
        phone: s.phone.as_deref(),
        service_address: None,
        source: e.lead_source(),
        owner_id: None,
        value_minor: 0,
        currency: hearth_domain::leads::money::DEFAULT_CURRENCY,
        expected_close_date: None,
        notes: None,
        lost_reason: None,
    }
    .validate(region)
    // The sender was validated with the event; a name too long or odd for
    // a lead is a provider's problem, named as the sender.
    .map_err(|i| StoreError::Invalid(Invalid::field("from", i.summary())))?;
    let captured = capture(
        c,
        org,
        actor,
        &Contact {
            fields: &fields,
            signal: e.signal(),
            via: e.via(),
            message,
            pipeline: None,
        },
    )
    .await?;
    Ok((
        captured.customer(),
        Some(captured.lead()),
        matches!(captured, Captured::Created { .. }),
    ))
}
