//! Inbound messages and call events (issue 6): what SMS, telephony, chat and
//! WhatsApp providers post to `/hooks/…`, read into one validated shape.
//! Signatures are checked before any of this runs (hearth-server).

use crate::Invalid;
use crate::comms::{BODY_MAX, CALL_MAX_SECONDS, Channel, OUTCOME_MAX};
use crate::contact::{Email, Phone};
use crate::customers::clean_text;
use crate::leads::LeadSource;
use crate::leads::score::SignalKind;
use chrono::{DateTime, Utc};
use serde::Deserialize;

/// Longest provider message or call id we keep.
pub const PROVIDER_ID_MAX: usize = 200;
const NAME_MAX: usize = 200;

/// `POST /hooks/sms/{org_id}`: one text message received.
#[derive(Clone, Debug, Deserialize)]
pub struct SmsPayload {
    /// The provider's message id; a redelivery with the same id is ignored.
    pub id: String,
    /// The sender's number, any common format.
    pub from: String,
    pub text: String,
    /// When the provider received it; now if absent.
    #[serde(default)]
    pub received_at: Option<DateTime<Utc>>,
}

/// Where a call is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallPhase {
    Ringing,
    Answered,
    Completed,
}

impl CallPhase {
    pub fn as_str(self) -> &'static str {
        match self {
            CallPhase::Ringing => "ringing",
            CallPhase::Answered => "answered",
            CallPhase::Completed => "completed",
        }
    }
}

/// `POST /hooks/calls/{org_id}`: one event of an inbound call.
#[derive(Clone, Debug, Deserialize)]
pub struct CallPayload {
    /// The provider's call id, the same for every event of one call.
    pub id: String,
    pub event: CallPhase,
    /// The caller's number, any common format.
    pub from: String,
    /// `completed` only: 0 to 86,400 seconds.
    #[serde(default)]
    pub duration_seconds: Option<i64>,
    /// `completed` only: how it ended (`answered`, `no_answer`, `voicemail`, …).
    #[serde(default)]
    pub outcome: Option<String>,
    /// When it happened; now if absent.
    #[serde(default)]
    pub at: Option<DateTime<Utc>>,
}

/// `POST /hooks/chat/{org_id}`: one message from the website chat.
#[derive(Clone, Debug, Deserialize)]
pub struct ChatPayload {
    /// The chat provider's message id.
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    /// A phone or an email is needed to know who is writing.
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    pub text: String,
    #[serde(default)]
    pub at: Option<DateTime<Utc>>,
}

/// Who got in touch, as far as the provider tells.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sender {
    /// E.164.
    pub phone: Option<String>,
    /// Lower-cased.
    pub email: Option<String>,
    pub name: Option<String>,
}

/// What arrived.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    Message {
        text: String,
    },
    Call {
        phase: CallPhase,
        duration_seconds: Option<i64>,
        outcome: Option<String>,
    },
}

/// One accepted inbound event, validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Inbound {
    pub channel: Channel,
    /// The provider's id of the message or call.
    pub provider_id: String,
    pub event: Event,
    pub sender: Sender,
    pub at: Option<DateTime<Utc>>,
}

impl Inbound {
    /// The part of the dedup key that tells a call's events apart.
    pub fn event_key(&self) -> &'static str {
        match &self.event {
            Event::Message { .. } => "message",
            Event::Call { phase, .. } => phase.as_str(),
        }
    }

    /// The lead source of a prospect first seen through this channel.
    pub fn lead_source(&self) -> LeadSource {
        match self.channel {
            Channel::Whatsapp => LeadSource::Whatsapp,
            Channel::Chat => LeadSource::Chat,
            // A call or a text to the business number is a phone enquiry.
            _ => LeadSource::Phone,
        }
    }

    /// The scoring signal this contact gives a lead.
    pub fn signal(&self) -> SignalKind {
        match self.channel {
            Channel::Call => SignalKind::InboundCall,
            _ => SignalKind::Chat,
        }
    }

    /// How the timeline names the channel ("captured by SMS").
    pub fn via(&self) -> &'static str {
        match self.channel {
            Channel::Sms => "SMS",
            Channel::Call => "phone call",
            Channel::Whatsapp => "WhatsApp",
            Channel::Chat => "website chat",
            Channel::Email => "email",
            Channel::Portal => "portal",
            Channel::System => "system",
        }
    }
}

fn provider_id(raw: &str, errors: &mut Invalid) -> String {
    let id = raw.trim();
    if id.is_empty() {
        errors.push("id", "is empty");
    } else if id.chars().count() > PROVIDER_ID_MAX {
        errors.push("id", format!("is longer than {PROVIDER_ID_MAX} characters"));
    }
    id.to_string()
}

fn phone(field: &str, raw: &str, region: &str, errors: &mut Invalid) -> Option<String> {
    match Phone::parse(raw, region) {
        Ok(p) => Some(p.into_string()),
        Err(why) => {
            errors.push(field, why);
            None
        }
    }
}

fn message_text(raw: &str, errors: &mut Invalid) -> String {
    let text = raw.replace("\r\n", "\n");
    match clean_text("text", Some(&text), BODY_MAX, errors) {
        Some(t) => t,
        None => {
            if text.trim().is_empty() {
                errors.push("text", "is empty");
            }
            String::new()
        }
    }
}

impl SmsPayload {
    pub fn validate(&self, region: &str) -> Result<Inbound, Invalid> {
        let mut errors = Invalid::default();
        let provider_id = provider_id(&self.id, &mut errors);
        let from = phone("from", &self.from, region, &mut errors);
        let text = message_text(&self.text, &mut errors);
        errors.or_ok(Inbound {
            channel: Channel::Sms,
            provider_id,
            event: Event::Message { text },
            sender: Sender {
                phone: from,
                ..Sender::default()
            },
            at: self.received_at,
        })
    }
}

impl CallPayload {
    pub fn validate(&self, region: &str) -> Result<Inbound, Invalid> {
        let mut errors = Invalid::default();
        let provider_id = provider_id(&self.id, &mut errors);
        let from = phone("from", &self.from, region, &mut errors);
        let completed = self.event == CallPhase::Completed;
        match self.duration_seconds {
            Some(_) if !completed => {
                errors.push("duration_seconds", "only a completed call has a duration")
            }
            Some(d) if !(0..=CALL_MAX_SECONDS).contains(&d) => errors.push(
                "duration_seconds",
                format!("must be between 0 and {CALL_MAX_SECONDS}"),
            ),
            None if completed => errors.push("duration_seconds", "a completed call needs one"),
            _ => {}
        }
        let outcome = clean_text("outcome", self.outcome.as_deref(), OUTCOME_MAX, &mut errors);
        if outcome.is_some() && !completed {
            errors.push("outcome", "only a completed call has an outcome");
        }
        errors.or_ok(Inbound {
            channel: Channel::Call,
            provider_id,
            event: Event::Call {
                phase: self.event,
                duration_seconds: self.duration_seconds,
                outcome,
            },
            sender: Sender {
                phone: from,
                ..Sender::default()
            },
            at: self.at,
        })
    }
}

impl ChatPayload {
    pub fn validate(&self, region: &str) -> Result<Inbound, Invalid> {
        let mut errors = Invalid::default();
        let provider_id = provider_id(&self.id, &mut errors);
        let name = clean_text("name", self.name.as_deref(), NAME_MAX, &mut errors);
        fn given(s: &Option<String>) -> Option<&str> {
            s.as_deref().map(str::trim).filter(|s| !s.is_empty())
        }
        let phone = given(&self.phone).and_then(|p| phone("phone", p, region, &mut errors));
        let email = given(&self.email).and_then(|e| match Email::parse(e) {
            Ok(e) => Some(e.into_string()),
            Err(why) => {
                errors.push("email", why);
                None
            }
        });
        if given(&self.phone).is_none() && given(&self.email).is_none() {
            errors.push("phone", "a chat needs the visitor's phone or email");
        }
        let text = message_text(&self.text, &mut errors);
        errors.or_ok(Inbound {
            channel: Channel::Chat,
            provider_id,
            event: Event::Message { text },
            sender: Sender { phone, email, name },
            at: self.at,
        })
    }
}

/// The WhatsApp Cloud API webhook body (only what Hearth reads).
/// <https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/payload-examples>
#[derive(Clone, Debug, Deserialize)]
pub struct WhatsappPayload {
    pub object: String,
    #[serde(default)]
    pub entry: Vec<WaEntry>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct WaEntry {
    #[serde(default)]
    pub changes: Vec<WaChange>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct WaChange {
    #[serde(default)]
    pub field: String,
    pub value: WaValue,
}

#[derive(Clone, Debug, Deserialize)]
pub struct WaValue {
    #[serde(default)]
    pub contacts: Vec<WaContact>,
    /// Messages from customers. Delivery `statuses` of our own messages are
    /// not read here.
    #[serde(default)]
    pub messages: Vec<WaMessage>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct WaContact {
    pub wa_id: String,
    #[serde(default)]
    pub profile: Option<WaProfile>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct WaProfile {
    #[serde(default)]
    pub name: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct WaMessage {
    pub from: String,
    pub id: String,
    /// Unix seconds, as a string.
    #[serde(default)]
    pub timestamp: Option<String>,
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub text: Option<WaText>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct WaText {
    pub body: String,
}

impl WhatsappPayload {
    /// Every customer message in the delivery; field names in errors are
    /// paths into the body. A delivery with only statuses yields none.
    pub fn messages(&self) -> Result<Vec<Inbound>, Invalid> {
        let mut errors = Invalid::default();
        if self.object != "whatsapp_business_account" {
            errors.push("object", "must be whatsapp_business_account");
        }
        let mut out = Vec::new();
        for (e, entry) in self.entry.iter().enumerate() {
            for (c, change) in entry.changes.iter().enumerate() {
                if change.field != "messages" {
                    continue;
                }
                for (m, msg) in change.value.messages.iter().enumerate() {
                    let path = format!("entry[{e}].changes[{c}].value.messages[{m}]");
                    let mut one = Invalid::default();
                    let provider_id = provider_id(&msg.id, &mut one);
                    // wa_id is the number in international form without "+".
                    let from = phone("from", &format!("+{}", msg.from.trim()), "ZZ", &mut one);
                    let text = match (&msg.text, msg.kind.as_str()) {
                        (Some(t), _) => message_text(&t.body, &mut one),
                        // Media, locations, …: the log says what came; the
                        // content stays with WhatsApp.
                        (None, kind) if !kind.is_empty() => format!("[{kind} message]"),
                        (None, _) => {
                            one.push("text", "is missing");
                            String::new()
                        }
                    };
                    let at = msg
                        .timestamp
                        .as_deref()
                        .and_then(|t| t.parse::<i64>().ok())
                        .and_then(|t| DateTime::from_timestamp(t, 0));
                    let name = change
                        .value
                        .contacts
                        .iter()
                        .find(|ct| ct.wa_id == msg.from)
                        .and_then(|ct| ct.profile.as_ref()?.name.as_deref())
                        .map(str::trim)
                        .filter(|n| !n.is_empty())
                        .map(|n| n.chars().take(NAME_MAX).collect());
                    if !one.0.is_empty() {
                        for f in one.0 {
                            errors.push(format!("{path}.{}", f.field), f.message);
                        }
                        continue;
                    }
                    out.push(Inbound {
                        channel: Channel::Whatsapp,
                        provider_id,
                        event: Event::Message { text },
                        sender: Sender {
                            phone: from,
                            email: None,
                            name,
                        },
                        at,
                    });
                }
            }
        }
        errors.or_ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Meta's sample text-message notification.
    pub const SAMPLE: &str = r#"{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Sheena Nelson"},"wa_id":"16505551234"}],"messages":[{"from":"16505551234","id":"wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=","timestamp":"1749416383","type":"text","text":{"body":"Does it come in another color?"}}]},"field":"messages"}]}]}"#;

    #[test]
    fn whatsapp_cloud_api_text_messages_are_read() {
        let p: WhatsappPayload = serde_json::from_str(SAMPLE).unwrap();
        let msgs = p.messages().unwrap();
        assert_eq!(msgs.len(), 1);
        let m = &msgs[0];
        assert_eq!(m.sender.phone.as_deref(), Some("+16505551234"));
        assert_eq!(m.sender.name.as_deref(), Some("Sheena Nelson"));
        assert_eq!(
            m.event,
            Event::Message {
                text: "Does it come in another color?".into()
            }
        );
        assert_eq!(m.at.unwrap().timestamp(), 1_749_416_383);
        assert_eq!(m.lead_source(), LeadSource::Whatsapp);
    }

    #[test]
    fn whatsapp_statuses_only_yield_nothing_and_bad_numbers_name_their_path() {
        let statuses = r#"{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"statuses":[{"id":"wamid.x","status":"read"}]}}]}]}"#;
        let p: WhatsappPayload = serde_json::from_str(statuses).unwrap();
        assert!(p.messages().unwrap().is_empty());
        let bad = SAMPLE.replace("\"from\":\"16505551234\"", "\"from\":\"12\"");
        let p: WhatsappPayload = serde_json::from_str(&bad).unwrap();
        let err = p.messages().unwrap_err();
        assert_eq!(err.0[0].field, "entry[0].changes[0].value.messages[0].from");
    }

    #[test]
    fn call_events_carry_a_duration_only_when_completed() {
        let call = |event, duration| CallPayload {
            id: "CA1".into(),
            event,
            from: "(512) 555-0188".into(),
            duration_seconds: duration,
            outcome: None,
            at: None,
        };
        let ok = call(CallPhase::Completed, Some(75)).validate("US").unwrap();
        assert_eq!(ok.sender.phone.as_deref(), Some("+15125550188"));
        assert_eq!(ok.event_key(), "completed");
        let fields = |r: Result<Inbound, Invalid>| {
            r.unwrap_err()
                .0
                .into_iter()
                .map(|f| f.field)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            fields(call(CallPhase::Completed, None).validate("US")),
            ["duration_seconds"]
        );
        assert_eq!(
            fields(call(CallPhase::Ringing, Some(3)).validate("US")),
            ["duration_seconds"]
        );
        assert_eq!(
            fields(call(CallPhase::Completed, Some(-1)).validate("US")),
            ["duration_seconds"]
        );
    }

    #[test]
    fn sms_and_chat_name_bad_fields() {
        let sms = SmsPayload {
            id: " ".into(),
            from: "not a number".into(),
            text: "".into(),
            received_at: None,
        };
        let err = sms.validate("US").unwrap_err();
        let fields: Vec<_> = err.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["id", "from", "text"]);
        let chat = ChatPayload {
            id: "c1".into(),
            name: Some("Ann".into()),
            phone: None,
            email: Some(" ANN@Example.com ".into()),
            text: "Hi\r\nthere".into(),
            at: None,
        };
        let ok = chat.validate("US").unwrap();
        assert_eq!(ok.sender.email.as_deref(), Some("ann@example.com"));
        assert_eq!(
            ok.event,
            Event::Message {
                text: "Hi\nthere".into()
            }
        );
        let anonymous = ChatPayload {
            email: None,
            ..chat
        };
        assert_eq!(anonymous.validate("US").unwrap_err().0[0].field, "phone");
    }
}
