//! Engagement signals and the stored lead score. Every feature that sees a
//! prospect act (web forms now; email, calls and quotes later) calls
//! [`add`], which recomputes the score in the same transaction.

use super::{Shown, audit, record, records};
use crate::orgs::now;
use crate::{Conn, Raw, Result, Row};
use chrono::{DateTime, Duration, Utc};
use hearth_domain::history::{Actor, FieldChange};
use hearth_domain::leads::Lead;
use hearth_domain::leads::score::{self, LeadScore, ScoringRules, SignalKind};
use hearth_domain::{LeadId, LeadSignalId, OrgId};
use serde::Serialize;
use serde_json::json;

/// One recorded signal.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct LeadSignal {
    pub id: LeadSignalId,
    pub kind: SignalKind,
    pub at: DateTime<Utc>,
}

fn signal(r: &Row) -> Result<Option<LeadSignal>> {
    let kind: String = r.get(1)?;
    Ok(SignalKind::parse(&kind).map(|kind| LeadSignal {
        id: r.get(0).unwrap_or_default(),
        kind,
        at: r.get(2).unwrap_or_default(),
    }))
}

/// The organisation's scoring rules, or the defaults.
pub async fn rules(c: &mut Conn, org: OrgId) -> Result<ScoringRules> {
    let stored = c
        .query_opt(
            &Raw(
                "SELECT scoring FROM lead_settings WHERE org_id = $1",
                vec![org.0.into()],
            ),
            |r| r.get::<serde_json::Value>(0),
        )
        .await?;
    Ok(stored
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default())
}

/// Replaces the scoring rules and rescores every lead with them.
pub async fn set_rules(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    new: &ScoringRules,
) -> Result<ScoringRules> {
    new.validate()?;
    let old = rules(c, org).await?;
    if &old == new {
        return Ok(old);
    }
    let value = serde_json::to_value(new).unwrap_or_default();
    c.execute(&Raw(
        "INSERT INTO lead_settings (org_id, scoring, version, updated_at) VALUES ($1, $2, 1, $3) \
         ON CONFLICT (org_id) DO UPDATE SET scoring = $2, version = lead_settings.version + 1, updated_at = $3",
        vec![org.0.into(), value.clone().into(), now().into()],
    ))
    .await?;
    let fields = [FieldChange {
        field: "scoring".into(),
        before: serde_json::to_value(&old).unwrap_or_default(),
        after: value,
    }];
    let summary = "Lead scoring rules changed".to_string();
    audit(
        c,
        org,
        actor,
        "lead_settings",
        org.0,
        "updated",
        summary,
        &fields,
    )
    .await?;
    rescore_all(c, org).await?;
    Ok(new.clone())
}

/// A lead's signals, newest first.
pub async fn list(c: &mut Conn, org: OrgId, lead: LeadId, limit: u64) -> Result<Vec<LeadSignal>> {
    let rows = c
        .query(
            &Raw(
                "SELECT id, kind, at FROM lead_signals WHERE org_id = $1 AND lead_id = $2 \
                 ORDER BY at DESC, id DESC LIMIT $3",
                vec![org.0.into(), lead.0.into(), (limit as i64).into()],
            ),
            signal,
        )
        .await?;
    Ok(rows.into_iter().flatten().collect())
}

/// Records a signal and rescores the lead; writes no history (the caller
/// says what happened).
pub async fn add(
    c: &mut Conn,
    org: OrgId,
    lead: LeadId,
    kind: SignalKind,
    at: DateTime<Utc>,
) -> Result<LeadScore> {
    c.execute(&Raw(
        "INSERT INTO lead_signals (id, org_id, lead_id, kind, at) VALUES ($1, $2, $3, $4, $5)",
        vec![
            LeadSignalId::new().0.into(),
            org.0.into(),
            lead.0.into(),
            kind.as_str().into(),
            at.into(),
        ],
    ))
    .await?;
    let rules = rules(c, org).await?;
    rescore(c, org, lead, &rules, now()).await
}

/// Records a signal on a live lead, rescores it and shows it on its timeline.
pub async fn record_signal(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    id: LeadId,
    kind: SignalKind,
) -> Result<Lead> {
    let before = records::get(c, org, id).await?;
    let scored = add(c, org, id, kind, now()).await?;
    let fields = [FieldChange {
        field: "score".into(),
        before: json!(before.score),
        after: json!(scored.score),
    }];
    let summary = format!("{} (score {})", kind.label(), scored.score);
    record(c, org, actor, id, Shown::Lead, "signal", summary, &fields).await?;
    records::get(c, org, id).await
}

/// Recomputes and stores one lead's score as of `at`.
pub async fn rescore(
    c: &mut Conn,
    org: OrgId,
    lead: LeadId,
    rules: &ScoringRules,
    at: DateTime<Utc>,
) -> Result<LeadScore> {
    // Past twenty half-lives a signal is worth under a millionth of its
    // weight: leaving it out bounds the work per lead.
    let horizon = at - Duration::days(i64::from(rules.half_life_days) * 20);
    let signals: Vec<(SignalKind, DateTime<Utc>)> = c
        .query(
            &Raw(
                "SELECT id, kind, at FROM lead_signals WHERE org_id = $1 AND lead_id = $2 AND at >= $3",
                vec![org.0.into(), lead.0.into(), horizon.into()],
            ),
            signal,
        )
        .await?
        .into_iter()
        .flatten()
        .map(|s| (s.kind, s.at))
        .collect();
    let scored = score::score(&signals, rules, at);
    c.execute(&Raw(
        "UPDATE leads SET score = $1, score_breakdown = $2, scored_at = $3 WHERE id = $4 AND org_id = $5",
        vec![
            scored.score.into(),
            serde_json::to_value(&scored.breakdown)
                .unwrap_or_default()
                .into(),
            at.into(),
            lead.0.into(),
            org.0.into(),
        ],
    ))
    .await?;
    Ok(scored)
}

/// Rescores every live lead of the organisation that has signals (after a
/// rules change; a periodic job calls it so scores decay between signals).
pub async fn rescore_all(c: &mut Conn, org: OrgId) -> Result<u64> {
    let rules = rules(c, org).await?;
    let at = now();
    let leads = c
        .query(
            &Raw(
                "SELECT DISTINCT s.lead_id FROM lead_signals s JOIN leads l ON l.id = s.lead_id \
                 WHERE s.org_id = $1 AND l.deleted_at IS NULL",
                vec![org.0.into()],
            ),
            |r| r.get::<LeadId>(0),
        )
        .await?;
    for &lead in &leads {
        rescore(c, org, lead, &rules, at).await?;
    }
    Ok(leads.len() as u64)
}

/// Scores older than this are refreshed by [`rescore_stale`].
pub const RESCORE_AFTER: Duration = Duration::hours(6);

/// Refreshes up to `limit` of the oldest non-zero scores, in any
/// organisation, so scores (and the hot flag) decay between signals.
/// Returns how many it rescored; the worker calls it until that is 0.
pub async fn rescore_stale(c: &mut Conn, limit: u64) -> Result<u64> {
    let at = now();
    let stale = c
        .query(
            &Raw(
                "SELECT id, org_id FROM leads WHERE score > 0 AND deleted_at IS NULL \
                 AND (scored_at IS NULL OR scored_at < $1) ORDER BY scored_at LIMIT $2",
                vec![(at - RESCORE_AFTER).into(), (limit as i64).into()],
            ),
            |r| Ok((r.get::<LeadId>(0)?, r.get::<OrgId>(1)?)),
        )
        .await?;
    let mut rules_of: Vec<(OrgId, ScoringRules)> = Vec::new();
    for &(lead, org) in &stale {
        let rules = match rules_of.iter().find(|(o, _)| *o == org) {
            Some((_, r)) => r.clone(),
            None => {
                let r = rules(c, org).await?;
                rules_of.push((org, r.clone()));
                r
            }
        };
        rescore(c, org, lead, &rules, at).await?;
    }
    Ok(stale.len() as u64)
}
