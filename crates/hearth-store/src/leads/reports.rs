//! Pipeline reporting over a period.

use super::pipelines;
use crate::{Conn, Engine, Raw, Result};
use chrono::{DateTime, Datelike, Days, NaiveDate, Utc};
use hearth_domain::leads::LeadSource;
use hearth_domain::leads::report::{
    MonthReport, PipelineReport, SourceReport, StageReport, Totals, average_days, group_reasons,
    rate,
};
use hearth_domain::{OrgId, PipelineId, StageId};

fn day_start(d: NaiveDate) -> DateTime<Utc> {
    d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()
}

/// The report for leads of `pipeline_id` in `from..=to` (UTC days).
pub async fn pipeline_report(
    c: &mut Conn,
    org: OrgId,
    pipeline_id: PipelineId,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<PipelineReport> {
    let pipeline = pipelines::get(c, org, pipeline_id).await?;
    let start = from.map(day_start).unwrap_or(DateTime::UNIX_EPOCH);
    let end = to
        .and_then(|d| d.checked_add_days(Days::new(1)))
        .map(day_start)
        .unwrap_or_else(|| day_start(NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or_default()));
    let scope = || -> Vec<sea_query::Value> {
        vec![org.0.into(), pipeline_id.0.into(), start.into(), end.into()]
    };

    let per_stage = c
        .query(
            &Raw(
                "SELECT stage_id, currency, COUNT(*), CAST(SUM(value_minor) AS BIGINT) FROM leads \
                 WHERE org_id = $1 AND pipeline_id = $2 AND deleted_at IS NULL \
                 AND created_at >= $3 AND created_at < $4 GROUP BY stage_id, currency",
                scope(),
            ),
            |r| {
                Ok((
                    r.get::<StageId>(0)?,
                    r.get::<String>(1)?,
                    r.get::<i64>(2)?,
                    r.get::<i64>(3)?,
                ))
            },
        )
        .await?;
    let stays = stays(c, org, pipeline_id, start, end).await?;
    let stages = pipeline
        .stages
        .iter()
        .map(|s| {
            let mut value = Totals::new();
            let mut count = 0;
            for (_, currency, n, v) in per_stage.iter().filter(|row| row.0 == s.id) {
                count += n;
                *value.entry(currency.clone()).or_default() += v;
            }
            let (n, seconds) = stays
                .iter()
                .find(|(id, _, _)| *id == s.id)
                .map(|(_, n, secs)| (*n, *secs))
                .unwrap_or((0, 0.0));
            StageReport {
                stage_id: s.id,
                name: s.name.clone(),
                kind: s.kind,
                count,
                value,
                average_days: average_days(seconds, n),
                stays: n,
            }
        })
        .collect();

    let closed = |column: &'static str| -> &'static str {
        match column {
            "won" => {
                "SELECT COUNT(*) FROM leads WHERE org_id = $1 AND pipeline_id = $2 AND deleted_at IS NULL \
                 AND won_at >= $3 AND won_at < $4"
            }
            _ => {
                "SELECT COUNT(*) FROM leads WHERE org_id = $1 AND pipeline_id = $2 AND deleted_at IS NULL \
                 AND lost_at >= $3 AND lost_at < $4"
            }
        }
    };
    let won: i64 = c
        .query_one(&Raw(closed("won"), scope()), |r| r.get(0))
        .await?;
    let lost: i64 = c
        .query_one(&Raw(closed("lost"), scope()), |r| r.get(0))
        .await?;

    let reasons = c
        .query(
            &Raw(
                "SELECT lost_reason, COUNT(*) FROM leads WHERE org_id = $1 AND pipeline_id = $2 \
                 AND deleted_at IS NULL AND lost_at >= $3 AND lost_at < $4 AND lost_reason IS NOT NULL \
                 GROUP BY lost_reason",
                scope(),
            ),
            |r| Ok((r.get::<String>(0)?, r.get::<i64>(1)?)),
        )
        .await?;

    let sources = c
        .query(
            &Raw(
                "SELECT source, COUNT(*), CAST(SUM(CASE WHEN won_at IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT) \
                 FROM leads WHERE org_id = $1 AND pipeline_id = $2 AND deleted_at IS NULL \
                 AND created_at >= $3 AND created_at < $4 GROUP BY source",
                scope(),
            ),
            |r| {
                Ok((
                    r.get::<String>(0)?,
                    r.get::<i64>(1)?,
                    r.get::<i64>(2)?,
                ))
            },
        )
        .await?;
    let mut by_source: Vec<SourceReport> = sources
        .into_iter()
        .filter_map(|(source, leads, won)| {
            Some(SourceReport {
                source: LeadSource::parse(&source)?,
                leads,
                won,
                conversion_rate: rate(won, leads),
            })
        })
        .collect();
    by_source.sort_by(|a, b| {
        b.leads
            .cmp(&a.leads)
            .then(a.source.as_str().cmp(b.source.as_str()))
    });

    let won_rows = c
        .query(
            &Raw(
                "SELECT won_at, currency, value_minor FROM leads WHERE org_id = $1 AND pipeline_id = $2 \
                 AND deleted_at IS NULL AND won_at >= $3 AND won_at < $4 ORDER BY won_at",
                scope(),
            ),
            |r| {
                Ok((
                    r.get::<DateTime<Utc>>(0)?,
                    r.get::<String>(1)?,
                    r.get::<i64>(2)?,
                ))
            },
        )
        .await?;
    let mut won_by_month: Vec<MonthReport> = Vec::new();
    for (at, currency, value) in won_rows {
        let month = format!("{:04}-{:02}", at.year(), at.month());
        if won_by_month.last().is_none_or(|m| m.month != month) {
            won_by_month.push(MonthReport {
                month,
                count: 0,
                value: Totals::new(),
            });
        }
        if let Some(m) = won_by_month.last_mut() {
            m.count += 1;
            *m.value.entry(currency).or_default() += value;
        }
    }

    Ok(PipelineReport {
        pipeline_id,
        from,
        to,
        stages,
        won,
        lost,
        win_rate: rate(won, won + lost),
        lost_reasons: group_reasons(&reasons),
        by_source,
        won_by_month,
    })
}

/// Per stage of the pipeline: how many stays on it ended in the period and
/// their total length in seconds.
async fn stays(
    c: &mut Conn,
    org: OrgId,
    pipeline_id: PipelineId,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Result<Vec<(StageId, i64, f64)>> {
    let sql = match c.engine() {
        // Instants are integer microseconds.
        Engine::Sqlite => {
            "SELECT from_stage_id, COUNT(*), CAST(SUM(at - from_entered_at) AS REAL) / 1000000.0 \
             FROM lead_stage_changes WHERE org_id = $1 AND at >= $3 AND at < $4 \
             AND from_stage_id IN (SELECT id FROM pipeline_stages WHERE org_id = $1 AND pipeline_id = $2) \
             GROUP BY from_stage_id"
        }
        Engine::Postgres => {
            "SELECT from_stage_id, COUNT(*), CAST(SUM(EXTRACT(EPOCH FROM at - from_entered_at)) AS DOUBLE PRECISION) \
             FROM lead_stage_changes WHERE org_id = $1 AND at >= $3 AND at < $4 \
             AND from_stage_id IN (SELECT id FROM pipeline_stages WHERE org_id = $1 AND pipeline_id = $2) \
             GROUP BY from_stage_id"
        }
    };
    c.query(
        &Raw(
            sql,
            vec![org.0.into(), pipeline_id.0.into(), start.into(), end.into()],
        ),
        |r| Ok((r.get::<StageId>(0)?, r.get::<i64>(1)?, r.get::<f64>(2)?)),
    )
    .await
}
