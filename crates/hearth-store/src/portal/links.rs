//! Magic links: asked for by email address or phone number, sent through
//! the outbox in the transaction that stores their hash, and exchanged once
//! for a portal session.

use super::{activity, sessions};
use crate::auth::{digest, new_token};
use crate::orgs::now;
use crate::{Conn, Raw, Result, outbox};
use chrono::{DateTime, Utc};
use hearth_domain::outbox::Delivery;
use hearth_domain::portal::{
    LINK_TTL, LINK_WINDOW, LinkAddress, LinkRefusal, link_allowed, link_usable,
};
use hearth_domain::{CustomerId, OrgId};
use uuid::Uuid;

/// What became of a link request. The customer is told the same in every
/// case but `Limited`, which does not depend on whether the address exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkOutcome {
    Sent,
    NoMatch,
    Limited,
}

/// A request for a sign-in link.
pub struct LinkRequest<'a> {
    pub address: &'a LinkAddress,
    /// The client's address, for the per-client limit.
    pub ip: &'a str,
    /// Shown in the message: who is sending it.
    pub business_name: &'a str,
    /// The link with `{token}` where the token goes.
    pub link_template: &'a str,
}

/// Counts the request against both limits, and when a live customer of
/// this organisation has that email or phone, stores a new link's hash and
/// queues the message carrying it, all in this transaction.
pub async fn request(c: &mut Conn, org: OrgId, req: LinkRequest<'_>) -> Result<LinkOutcome> {
    let at = now();
    let address_hash = digest(req.address.as_str());
    let since = at - LINK_WINDOW;
    let (by_address, by_ip) = c
        .query_one(
            &Raw(
                "SELECT (SELECT COUNT(*) FROM portal_link_requests WHERE org_id = $1 AND address_hash = $2 AND at > $4), \
                        (SELECT COUNT(*) FROM portal_link_requests WHERE ip = $3 AND at > $4)",
                vec![
                    org.0.into(),
                    address_hash.clone().into(),
                    req.ip.into(),
                    since.into(),
                ],
            ),
            |r| Ok((r.get::<i64>(0)?, r.get::<i64>(1)?)),
        )
        .await?;
    if !link_allowed(by_address, by_ip) {
        return Ok(LinkOutcome::Limited);
    }
    c.execute(&Raw(
        "INSERT INTO portal_link_requests (id, org_id, address_hash, ip, at) VALUES ($1, $2, $3, $4, $5)",
        vec![
            Uuid::now_v7().into(),
            org.0.into(),
            address_hash.into(),
            req.ip.into(),
            at.into(),
        ],
    ))
    .await?;
    // Both columns are indexed per organisation; the oldest record wins when
    // a household shares one address.
    let sql = match req.address {
        LinkAddress::Email(_) => {
            "SELECT id FROM customers WHERE org_id = $1 AND email = $2 AND deleted_at IS NULL ORDER BY created_at, id LIMIT 1"
        }
        LinkAddress::Phone(_) => {
            "SELECT id FROM customers WHERE org_id = $1 AND phone = $2 AND deleted_at IS NULL ORDER BY created_at, id LIMIT 1"
        }
    };
    let customer = c
        .query_opt(
            &Raw(sql, vec![org.0.into(), req.address.as_str().into()]),
            |r| r.get::<CustomerId>(0),
        )
        .await?;
    let Some(customer) = customer else {
        return Ok(LinkOutcome::NoMatch);
    };
    let token = new_token();
    c.execute(&Raw(
        "INSERT INTO portal_tokens (id, token_hash, org_id, customer_id, channel, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        vec![
            Uuid::now_v7().into(),
            digest(&token).into(),
            org.0.into(),
            customer.0.into(),
            req.address.channel().as_str().into(),
            at.into(),
            (at + LINK_TTL).into(),
        ],
    ))
    .await?;
    let link = req.link_template.replace("{token}", &token);
    let body = format!(
        "Sign in to your {} customer portal:\n{link}\n\nThe link works once, within 10 minutes. \
         If you did not ask for it, ignore this message.",
        req.business_name
    );
    let to = req.address.as_str().to_string();
    // No communication row: the message holds a live credential, and the
    // log keeps what customers and staff may read later.
    let delivery = match req.address {
        LinkAddress::Email(_) => Delivery::Email {
            to,
            subject: format!("Your sign-in link for {}", req.business_name),
            body,
            tracking: None,
        },
        LinkAddress::Phone(_) => Delivery::Sms { to, body },
    };
    outbox::enqueue(c, org, None, None, &delivery).await?;
    Ok(LinkOutcome::Sent)
}

/// A started portal session: the cookie's token and whose it is.
pub struct SignedIn {
    pub session_token: String,
    pub customer: CustomerId,
}

/// Spends a link opened on the portal of `org`: marks it used, starts a
/// session and logs the sign-in on the customer's timeline. A link of
/// another organisation, a used, expired or unknown one starts nothing.
pub async fn redeem(
    c: &mut Conn,
    org: OrgId,
    token: &str,
) -> Result<std::result::Result<SignedIn, LinkRefusal>> {
    let found = c
        .query_opt(
            &Raw(
                "SELECT t.id, t.org_id, t.customer_id, t.expires_at, t.used_at, t.channel FROM portal_tokens t \
                 JOIN customers cu ON cu.id = t.customer_id AND cu.deleted_at IS NULL WHERE t.token_hash = $1",
                vec![digest(token).into()],
            ),
            |r| {
                Ok((
                    r.get::<Uuid>(0)?,
                    r.get::<OrgId>(1)?,
                    r.get::<CustomerId>(2)?,
                    r.get::<DateTime<Utc>>(3)?,
                    r.get::<Option<DateTime<Utc>>>(4)?,
                    r.get::<String>(5)?,
                ))
            },
        )
        .await?;
    let Some((id, token_org, customer, expires_at, used_at, channel)) = found else {
        return Ok(Err(LinkRefusal::Unknown));
    };
    if token_org != org {
        return Ok(Err(LinkRefusal::OtherPortal));
    }
    let at = now();
    if let Err(refusal) = link_usable(expires_at, used_at, at) {
        return Ok(Err(refusal));
    }
    // Two tabs racing with one link: only one update finds it unused.
    let spent = c
        .execute(&Raw(
            "UPDATE portal_tokens SET used_at = $1 WHERE id = $2 AND used_at IS NULL",
            vec![at.into(), id.into()],
        ))
        .await?;
    if spent == 0 {
        return Ok(Err(LinkRefusal::Used));
    }
    let session_token = sessions::create(c, org, customer).await?;
    activity::log(
        c,
        org,
        customer,
        "signed_in",
        format!("Signed in to the portal with a link sent by {channel}"),
    )
    .await?;
    Ok(Ok(SignedIn {
        session_token,
        customer,
    }))
}
