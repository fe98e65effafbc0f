//! The health of each delivery channel, so an org can see "connected, but
//! nothing arrives" instead of finding out from a customer.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A way messages leave or reach Hearth.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
// Named apart from `comms::Channel` (how one message travelled) in the
// OpenAPI document, where one name is one schema.
#[schema(as = DeliveryChannel)]
pub enum Channel {
    /// Outbound email over SMTP.
    Smtp,
    /// Outbound SMS through the provider's HTTP API.
    Sms,
    /// Outbound webhook deliveries to the org's subscribers.
    Webhooks,
    /// Inbound SMS hook.
    InboundSms,
    /// Inbound call-event hook.
    InboundCalls,
    /// Inbound WhatsApp hook.
    InboundWhatsapp,
    /// Inbound website-chat hook.
    InboundChat,
}

impl Channel {
    pub const ALL: [Channel; 7] = [
        Channel::Smtp,
        Channel::Sms,
        Channel::Webhooks,
        Channel::InboundSms,
        Channel::InboundCalls,
        Channel::InboundWhatsapp,
        Channel::InboundChat,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Smtp => "smtp",
            Channel::Sms => "sms",
            Channel::Webhooks => "webhooks",
            Channel::InboundSms => "inbound_sms",
            Channel::InboundCalls => "inbound_calls",
            Channel::InboundWhatsapp => "inbound_whatsapp",
            Channel::InboundChat => "inbound_chat",
        }
    }

    pub fn parse(s: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Channel::Smtp => "Email (SMTP)",
            Channel::Sms => "SMS provider",
            Channel::Webhooks => "Outbound webhooks",
            Channel::InboundSms => "Inbound SMS hook",
            Channel::InboundCalls => "Inbound call hook",
            Channel::InboundWhatsapp => "Inbound WhatsApp hook",
            Channel::InboundChat => "Inbound chat hook",
        }
    }
}

/// The last outcome in each direction of one channel of one org.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct ChannelHealth {
    pub channel: Channel,
    pub last_success_at: Option<DateTime<Utc>>,
    pub last_failure_at: Option<DateTime<Utc>>,
    /// What went wrong the last time, with no secret in it.
    pub last_error: Option<String>,
}

impl ChannelHealth {
    /// Never used, or the last attempt succeeded.
    pub fn healthy(&self) -> bool {
        match (self.last_success_at, self.last_failure_at) {
            (_, None) => true,
            (None, Some(_)) => false,
            (Some(ok), Some(failed)) => ok >= failed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_names_round_trip() {
        for c in Channel::ALL {
            assert_eq!(Channel::parse(c.as_str()), Some(c));
        }
        assert_eq!(Channel::parse("carrier_pigeon"), None);
    }

    #[test]
    fn health_follows_the_latest_outcome() {
        let t = |s: i64| DateTime::from_timestamp(s, 0);
        let h = |ok, failed| ChannelHealth {
            channel: Channel::Smtp,
            last_success_at: ok,
            last_failure_at: failed,
            last_error: None,
        };
        assert!(h(None, None).healthy());
        assert!(h(t(10), None).healthy());
        assert!(!h(None, t(10)).healthy());
        assert!(!h(t(5), t(10)).healthy());
        assert!(h(t(10), t(5)).healthy());
    }
}
