//! Portal sessions: one customer of one organisation, apart from staff
//! sessions (their own table, cookie and lifetimes).

use crate::auth::{digest, new_token};
use crate::orgs::now;
use crate::{Conn, Raw, Result};
use chrono::{DateTime, Duration, Utc};
use hearth_domain::history::{Actor, ActorKind};
use hearth_domain::portal::{SESSION_ABSOLUTE, session_alive};
use hearth_domain::{CustomerId, OrgId, SessionId};

/// Last-seen is written at most this often, so reads stay reads.
const TOUCH_EVERY: Duration = Duration::seconds(60);

/// The customer behind a portal session.
#[derive(Clone, Debug)]
pub struct PortalCustomer {
    pub org_id: OrgId,
    pub org_slug: String,
    pub org_name: String,
    pub region: String,
    pub customer_id: CustomerId,
    pub session_id: SessionId,
    /// How the customer's changes are attributed in history.
    pub actor: Actor,
}

/// The actor of a customer's own changes in the portal.
pub fn actor(customer: CustomerId, name: &str) -> Actor {
    Actor {
        kind: ActorKind::Customer,
        id: Some(customer.0),
        name: format!("{name} (portal)"),
    }
}

/// Starts a session; returns the token for the cookie (never stored).
pub async fn create(c: &mut Conn, org: OrgId, customer: CustomerId) -> Result<String> {
    let token = new_token();
    let at = now();
    c.execute(&Raw(
        "INSERT INTO portal_sessions (id, token_hash, org_id, customer_id, created_at, last_seen_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $5, $6)",
        vec![
            SessionId::new().0.into(),
            digest(&token).into(),
            org.0.into(),
            customer.0.into(),
            at.into(),
            (at + SESSION_ABSOLUTE).into(),
        ],
    ))
    .await?;
    Ok(token)
}

/// The live customer behind a session cookie, and whether its last-seen
/// stamp needs a [`touch`]. Expired sessions and deleted (or merged)
/// customers are simply not found.
pub async fn find(c: &mut Conn, token: &str) -> Result<Option<(PortalCustomer, bool)>> {
    let sql = "SELECT s.id, s.created_at, s.last_seen_at, s.customer_id, cu.first_name, cu.last_name, \
               cu.business_name, o.id, o.slug, o.name, o.default_region \
               FROM portal_sessions s JOIN customers cu ON cu.id = s.customer_id AND cu.org_id = s.org_id \
               JOIN orgs o ON o.id = s.org_id WHERE s.token_hash = $1 AND cu.deleted_at IS NULL";
    let found = c
        .query_opt(&Raw(sql, vec![digest(token).into()]), |r| {
            let customer: CustomerId = r.get(3)?;
            let name = hearth_domain::customers::display_name(
                r.get::<Option<String>>(4)?.as_deref(),
                r.get::<Option<String>>(5)?.as_deref(),
                r.get::<Option<String>>(6)?.as_deref(),
            );
            Ok((
                r.get::<DateTime<Utc>>(1)?,
                r.get::<DateTime<Utc>>(2)?,
                PortalCustomer {
                    session_id: r.get(0)?,
                    customer_id: customer,
                    actor: actor(customer, &name),
                    org_id: r.get(7)?,
                    org_slug: r.get(8)?,
                    org_name: r.get(9)?,
                    region: r.get(10)?,
                },
            ))
        })
        .await?;
    let Some((created, last_seen, who)) = found else {
        return Ok(None);
    };
    let at = now();
    if !session_alive(created, last_seen, at) {
        return Ok(None);
    }
    Ok(Some((who, at - last_seen > TOUCH_EVERY)))
}

pub async fn touch(c: &mut Conn, id: SessionId) -> Result<()> {
    c.execute(&Raw(
        "UPDATE portal_sessions SET last_seen_at = $1 WHERE id = $2",
        vec![now().into(), id.0.into()],
    ))
    .await
    .map(drop)
}

pub async fn end(c: &mut Conn, token: &str) -> Result<()> {
    c.execute(&Raw(
        "DELETE FROM portal_sessions WHERE token_hash = $1",
        vec![digest(token).into()],
    ))
    .await
    .map(drop)
}
