//! The customer portal's persistence: branding settings, magic links,
//! customer sessions, activity on the timeline and bookable slots.

pub mod activity;
pub mod links;
pub mod sessions;
pub mod settings;
pub mod slots;

use crate::orgs::now;
use crate::{Conn, Raw, Result};
use hearth_domain::portal::{LINK_WINDOW, SESSION_ABSOLUTE, SESSION_IDLE};

/// Removes links, link requests and sessions nobody can use any more.
pub async fn purge_expired(c: &mut Conn) -> Result<u64> {
    let at = now();
    let mut removed = c
        .execute(&Raw(
            "DELETE FROM portal_tokens WHERE expires_at < $1",
            vec![at.into()],
        ))
        .await?;
    removed += c
        .execute(&Raw(
            "DELETE FROM portal_link_requests WHERE at < $1",
            vec![(at - LINK_WINDOW).into()],
        ))
        .await?;
    removed += c
        .execute(&Raw(
            "DELETE FROM portal_sessions WHERE expires_at < $1 OR last_seen_at < $2 OR created_at < $3",
            vec![
                at.into(),
                (at - SESSION_IDLE).into(),
                (at - SESSION_ABSOLUTE).into(),
            ],
        ))
        .await?;
    Ok(removed)
}
