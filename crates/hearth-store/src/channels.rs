//! Channel health: the last success and the last failure of every delivery
//! channel of an org. Recorded by whoever delivers or receives, read by the
//! settings page and `/healthz`.

use crate::orgs::now;
use crate::{Conn, Raw, Result, Row, StoreError};
use hearth_domain::OrgId;
use hearth_domain::channels::{Channel, ChannelHealth};

fn health(r: &Row) -> Result<ChannelHealth> {
    let channel: String = r.get(0)?;
    Ok(ChannelHealth {
        channel: Channel::parse(&channel)
            .ok_or_else(|| StoreError::Db(format!("unknown channel {channel:?}")))?,
        last_success_at: r.get(1)?,
        last_failure_at: r.get(2)?,
        last_error: r.get(3)?,
    })
}

/// Records one attempt on `channel`: `Ok` for success, `Err(error)` for a
/// failure, whose message must not carry a secret.
pub async fn record(
    c: &mut Conn,
    org: OrgId,
    channel: Channel,
    outcome: std::result::Result<(), &str>,
) -> Result<()> {
    let sql = match outcome {
        Ok(()) => {
            "INSERT INTO channel_health (org_id, channel, last_success_at) VALUES ($1, $2, $3) \
             ON CONFLICT (org_id, channel) DO UPDATE SET last_success_at = excluded.last_success_at"
        }
        Err(_) => {
            "INSERT INTO channel_health (org_id, channel, last_failure_at, last_error) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (org_id, channel) DO UPDATE SET \
             last_failure_at = excluded.last_failure_at, last_error = excluded.last_error"
        }
    };
    let mut params = vec![org.0.into(), channel.as_str().into(), now().into()];
    if let Err(error) = outcome {
        params.push(error.to_string().into());
    }
    c.execute(&Raw(sql, params)).await?;
    Ok(())
}

/// Every channel of the org, in [`Channel::ALL`] order; one never used has
/// neither a success nor a failure.
pub async fn list(c: &mut Conn, org: OrgId) -> Result<Vec<ChannelHealth>> {
    let known = c
        .query(
            &Raw(
                "SELECT channel, last_success_at, last_failure_at, last_error \
                 FROM channel_health WHERE org_id = $1",
                vec![org.0.into()],
            ),
            health,
        )
        .await?;
    Ok(complete(known))
}

/// Every channel's latest outcomes over all orgs, without error text.
pub async fn latest_everywhere(c: &mut Conn) -> Result<Vec<ChannelHealth>> {
    let known = c
        .query(
            &Raw(
                "SELECT channel, MAX(last_success_at), MAX(last_failure_at) \
                 FROM channel_health GROUP BY channel",
                vec![],
            ),
            |r| {
                let channel: String = r.get(0)?;
                Ok(ChannelHealth {
                    channel: Channel::parse(&channel)
                        .ok_or_else(|| StoreError::Db(format!("unknown channel {channel:?}")))?,
                    last_success_at: r.get(1)?,
                    last_failure_at: r.get(2)?,
                    last_error: None,
                })
            },
        )
        .await?;
    Ok(complete(known))
}

/// One entry per channel in [`Channel::ALL`] order; one never used has
/// neither a success nor a failure.
fn complete(known: Vec<ChannelHealth>) -> Vec<ChannelHealth> {
    Channel::ALL
        .into_iter()
        .map(|channel| {
            known
                .iter()
                .find(|h| h.channel == channel)
                .cloned()
                .unwrap_or(ChannelHealth {
                    channel,
                    last_success_at: None,
                    last_failure_at: None,
                    last_error: None,
                })
        })
        .collect()
}
