//! The customer portal (seed 000): who may sign in by magic link, when a
//! link or session still works, and how often links may be asked for.
//! Tokens themselves are random values made and hashed by the store.

pub mod branding;
pub mod slots;

use crate::Invalid;
use crate::contact::{Email, Phone};
use chrono::{DateTime, Duration, Utc};

/// A sign-in link works this long after it is sent…
pub const LINK_TTL: Duration = Duration::minutes(10);
/// …a portal session this long without a request…
pub const SESSION_IDLE: Duration = Duration::hours(2);
/// …and in any case this long after sign-in.
pub const SESSION_ABSOLUTE: Duration = Duration::days(7);

/// Link requests are counted over this window…
pub const LINK_WINDOW: Duration = Duration::minutes(15);
/// …and refused past these counts, per address and per client address. The
/// address limit stops one inbox or phone from being flooded; the client
/// limit stops one machine from probing many addresses.
pub const LINKS_PER_ADDRESS: i64 = 3;
pub const LINKS_PER_IP: i64 = 20;

/// Whether another link may be sent now, given the requests already made
/// within [`LINK_WINDOW`] for this address and from this client.
pub fn link_allowed(by_address: i64, by_ip: i64) -> bool {
    by_address < LINKS_PER_ADDRESS && by_ip < LINKS_PER_IP
}

/// Where a customer asks for their sign-in link: an email address or a
/// phone number, normalised the way customer records store them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkAddress {
    Email(Email),
    Phone(Phone),
}

impl LinkAddress {
    /// Anything with an `@` is an email address; the rest is read as a
    /// phone number in the organisation's region.
    pub fn parse(raw: &str, region: &str) -> Result<LinkAddress, Invalid> {
        let raw = raw.trim();
        let parsed = if raw.contains('@') {
            Email::parse(raw).map(LinkAddress::Email)
        } else {
            Phone::parse(raw, region).map(LinkAddress::Phone)
        };
        parsed.map_err(|why| {
            Invalid::field(
                "address",
                if raw.is_empty() {
                    "is empty: enter your email address or mobile number"
                } else {
                    why
                },
            )
        })
    }

    /// The normalised form: a lower-case email or an E.164 number.
    pub fn as_str(&self) -> &str {
        match self {
            LinkAddress::Email(e) => e.as_str(),
            LinkAddress::Phone(p) => p.as_str(),
        }
    }

    /// The channel the link travels on.
    pub fn channel(&self) -> crate::comms::Channel {
        match self {
            LinkAddress::Email(_) => crate::comms::Channel::Email,
            LinkAddress::Phone(_) => crate::comms::Channel::Sms,
        }
    }
}

/// Why a sign-in link cannot be used. Each is shown to the customer as a
/// page that says what to do; none starts a session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkRefusal {
    /// No such link (mistyped, tampered with, or never sent).
    Unknown,
    Used,
    Expired,
    /// A link of another business than the portal it was opened on.
    OtherPortal,
}

impl LinkRefusal {
    pub fn message(self) -> &'static str {
        match self {
            LinkRefusal::Unknown => {
                "This sign-in link is not valid. Check that you opened the whole link, or ask for a new one."
            }
            LinkRefusal::Used => {
                "This sign-in link has been used already. Each link works once; ask for a new one."
            }
            LinkRefusal::Expired => {
                "This sign-in link has expired. Links work for 10 minutes; ask for a new one."
            }
            LinkRefusal::OtherPortal => {
                "This sign-in link belongs to another business's portal. Open it from the message you received."
            }
        }
    }
}

/// Whether a stored link may start a session now.
pub fn link_usable(
    expires_at: DateTime<Utc>,
    used_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<(), LinkRefusal> {
    if used_at.is_some() {
        Err(LinkRefusal::Used)
    } else if now >= expires_at {
        Err(LinkRefusal::Expired)
    } else {
        Ok(())
    }
}

/// Whether a portal session is still alive.
pub fn session_alive(
    created_at: DateTime<Utc>,
    last_seen_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> bool {
    now - created_at < SESSION_ABSOLUTE && now - last_seen_at < SESSION_IDLE
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_normalise_like_customer_records() {
        let email = LinkAddress::parse("  Grace@Navy.Example.com ", "US").unwrap();
        assert_eq!(email.as_str(), "grace@navy.example.com");
        assert_eq!(email.channel(), crate::comms::Channel::Email);
        let phone = LinkAddress::parse("(512) 555-0188", "US").unwrap();
        assert_eq!(phone.as_str(), "+15125550188");
        assert_eq!(phone.channel(), crate::comms::Channel::Sms);
        assert_eq!(LinkAddress::parse("+1 512 555 0188", "GB").unwrap(), phone);
    }

    #[test]
    fn bad_addresses_name_the_field() {
        for raw in ["", "not an address", "grace@", "12"] {
            let e = LinkAddress::parse(raw, "US").unwrap_err();
            assert_eq!(e.0[0].field, "address", "{raw:?}");
        }
    }

    #[test]
    fn a_link_works_once_and_only_for_ten_minutes() {
        let sent = Utc::now();
        let expires = sent + LINK_TTL;
        assert_eq!(link_usable(expires, None, sent), Ok(()));
        assert_eq!(
            link_usable(expires, None, sent + Duration::minutes(9)),
            Ok(())
        );
        assert_eq!(
            link_usable(expires, None, expires),
            Err(LinkRefusal::Expired)
        );
        assert_eq!(
            link_usable(expires, Some(sent), sent),
            Err(LinkRefusal::Used)
        );
    }

    #[test]
    fn rate_limits_count_per_address_and_per_client() {
        assert!(link_allowed(0, 0));
        assert!(link_allowed(LINKS_PER_ADDRESS - 1, LINKS_PER_IP - 1));
        assert!(!link_allowed(LINKS_PER_ADDRESS, 0));
        assert!(!link_allowed(0, LINKS_PER_IP));
    }

    #[test]
    fn sessions_end_when_idle_or_old() {
        let start = Utc::now();
        assert!(session_alive(start, start, start + Duration::minutes(5)));
        assert!(!session_alive(start, start, start + SESSION_IDLE));
        let later = start + SESSION_ABSOLUTE - Duration::minutes(1);
        assert!(session_alive(start, later, later));
        assert!(!session_alive(start, later, start + SESSION_ABSOLUTE));
    }
}
