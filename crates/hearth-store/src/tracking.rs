//! Email opens and clicks. Each sent email has an open pixel and one
//! redirecting link per web address; their tokens are stored as SHA-256,
//! and a click redirects only to the address stored with its token.

use crate::auth::{digest, new_token};
use crate::history::{self, Change};
use crate::orgs::now;
use crate::{Conn, Raw, Result, leads};
use hearth_domain::history::Actor;
use hearth_domain::leads::SignalKind;
use hearth_domain::tracking::{Link, Tokens, links};
use hearth_domain::{CommunicationId, CustomerId, LeadId, OrgId};

/// Creates the pixel and link tokens of an email about to be sent.
pub async fn create_tokens(
    c: &mut Conn,
    org: OrgId,
    communication: CommunicationId,
    body: &str,
) -> Result<Tokens> {
    let tokens = Tokens {
        open: new_token(),
        links: links(body)
            .into_iter()
            .map(|url| Link {
                url,
                token: new_token(),
            })
            .collect(),
    };
    let rows = std::iter::once((&tokens.open, None))
        .chain(tokens.links.iter().map(|l| (&l.token, Some(l.url.clone()))));
    for (token, url) in rows {
        c.execute(&Raw(
            "INSERT INTO message_links (token_hash, org_id, communication_id, url) VALUES ($1, $2, $3, $4)",
            vec![
                digest(token).into(),
                org.0.into(),
                communication.0.into(),
                url.into(),
            ],
        ))
        .await?;
    }
    Ok(tokens)
}

/// What a tracking token stands for.
pub enum Hit {
    /// The open pixel.
    Open,
    /// A link, to this address.
    Click(String),
}

/// Records an open or a click; `None` for an unknown token. The first open,
/// and the first click of each link, go on the customer's timeline and
/// count as engagement of the customer's open leads.
pub async fn hit(c: &mut Conn, token: &str) -> Result<Option<Hit>> {
    let found = c
        .query_opt(
            &Raw(
                "SELECT l.org_id, l.communication_id, l.url, l.clicked_at, m.customer_id, m.lead_id, \
                 m.opened_at FROM message_links l JOIN communications m ON m.id = l.communication_id \
                 WHERE l.token_hash = $1",
                vec![digest(token).into()],
            ),
            |r| {
                Ok((
                    r.get::<OrgId>(0)?,
                    r.get::<CommunicationId>(1)?,
                    r.get::<Option<String>>(2)?,
                    r.get::<Option<chrono::DateTime<chrono::Utc>>>(3)?,
                    r.get::<Option<CustomerId>>(4)?,
                    r.get::<Option<LeadId>>(5)?,
                    r.get::<Option<chrono::DateTime<chrono::Utc>>>(6)?,
                ))
            },
        )
        .await?;
    let Some((org, comm, url, link_clicked, customer, lead, opened)) = found else {
        return Ok(None);
    };
    let at = now();
    // A click proves the email was opened, even with images blocked.
    c.execute(&Raw(
        "UPDATE communications SET opened_at = COALESCE(opened_at, $1), \
         clicked_at = CASE WHEN $2 THEN COALESCE(clicked_at, $1) ELSE clicked_at END \
         WHERE id = $3 AND org_id = $4",
        vec![at.into(), url.is_some().into(), comm.0.into(), org.0.into()],
    ))
    .await?;
    let actor = Actor::system("email tracking");
    let (first, summary, signal) = match &url {
        None => (
            opened.is_none(),
            "Email opened".to_string(),
            SignalKind::EmailOpen,
        ),
        Some(u) => {
            c.execute(&Raw(
                "UPDATE message_links SET clicked_at = $1 WHERE token_hash = $2 AND clicked_at IS NULL",
                vec![at.into(), digest(token).into()],
            ))
            .await?;
            (
                link_clicked.is_none(),
                format!("Email link followed: {u}"),
                SignalKind::EmailClick,
            )
        }
    };
    if first {
        history::record(
            c,
            org,
            &actor,
            Change {
                entity: "communication",
                entity_id: comm.0,
                customer_id: customer,
                lead_id: lead,
                action: if url.is_some() { "clicked" } else { "opened" },
                kind: "communication",
                summary,
                fields: &[],
            },
        )
        .await?;
        for l in leads_about(c, org, customer, lead).await? {
            leads::signals::record_signal(c, org, &actor, l, signal).await?;
        }
    }
    Ok(Some(match url {
        None => Hit::Open,
        Some(u) => Hit::Click(u),
    }))
}

/// The lead a message is about: its own, or its customer's open leads.
async fn leads_about(
    c: &mut Conn,
    org: OrgId,
    customer: Option<CustomerId>,
    lead: Option<LeadId>,
) -> Result<Vec<LeadId>> {
    if let Some(l) = lead {
        return Ok(vec![l]);
    }
    let Some(customer) = customer else {
        return Ok(Vec::new());
    };
    c.query(
        &Raw(
            "SELECT id FROM leads WHERE org_id = $1 AND customer_id = $2 AND deleted_at IS NULL \
             AND won_at IS NULL AND lost_at IS NULL",
            vec![org.0.into(), customer.0.into()],
        ),
        |r| r.get::<LeadId>(0),
    )
    .await
}
