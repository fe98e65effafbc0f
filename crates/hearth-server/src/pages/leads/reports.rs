//! The pipeline report page, with its charts drawn as inline SVG.

use super::{page_err, totals_text};
use crate::AppState;
use crate::api::leads::reports::{ReportParams, report};
use crate::auth::PageAuth;
use crate::pages::{Chrome, Html, render};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use chrono::NaiveDate;
use hearth_domain::auth::Action;
use hearth_domain::leads::money::format_money;
use hearth_domain::leads::report::PipelineReport;
use hearth_store::leads::pipelines;
use hearth_store::work;
use serde::Deserialize;

/// One horizontal bar: a label on the left, the bar, its value after it.
pub struct HBar {
    pub label: String,
    pub text: String,
    pub y: i64,
    pub width: i64,
}

pub struct HChart {
    pub height: i64,
    pub bars: Vec<HBar>,
}

const ROW: i64 = 28;
const BAR_SPACE: f64 = 330.0;

/// Bars scaled to the largest value.
fn hchart(rows: Vec<(String, f64, String)>) -> HChart {
    let max = rows.iter().map(|r| r.1).fold(0.0, f64::max);
    let bars = rows
        .into_iter()
        .enumerate()
        .map(|(i, (label, value, text))| HBar {
            label,
            text,
            y: i as i64 * ROW,
            width: if max > 0.0 {
                ((value / max) * BAR_SPACE)
                    .round()
                    .max(if value > 0.0 { 2.0 } else { 0.0 }) as i64
            } else {
                0
            },
        })
        .collect::<Vec<_>>();
    HChart {
        height: (bars.len() as i64 * ROW).max(ROW),
        bars,
    }
}

/// One column of a monthly chart.
pub struct VBar {
    pub label: String,
    pub text: String,
    pub x: i64,
    pub y: i64,
    pub height: i64,
}

pub struct VChart {
    pub currency: String,
    pub bar_width: i64,
    pub bars: Vec<VBar>,
}

const PLOT_HEIGHT: f64 = 160.0;
const PLOT_TOP: i64 = 20;

fn vchart(report: &PipelineReport) -> VChart {
    // Chart the currency with the most won; the table lists every currency.
    let mut by_currency: std::collections::BTreeMap<&str, i64> = Default::default();
    for m in &report.won_by_month {
        for (c, v) in &m.value {
            *by_currency.entry(c).or_default() += v;
        }
    }
    let currency = by_currency
        .iter()
        .max_by_key(|(_, v)| **v)
        .map(|(c, _)| c.to_string())
        .unwrap_or_else(|| "USD".to_string());
    let values: Vec<(String, i64)> = report
        .won_by_month
        .iter()
        .map(|m| {
            (
                m.month.clone(),
                m.value.get(&currency).copied().unwrap_or(0),
            )
        })
        .collect();
    let max = values.iter().map(|v| v.1).max().unwrap_or(0).max(1) as f64;
    let n = values.len().max(1) as i64;
    let slot = 560 / n;
    let bar_width = (slot * 2 / 3).clamp(4, 60);
    VChart {
        bar_width,
        bars: values
            .into_iter()
            .enumerate()
            .map(|(i, (month, value))| {
                let height = ((value as f64 / max) * PLOT_HEIGHT).round() as i64;
                VBar {
                    text: format_money(value, &currency),
                    label: month,
                    x: 20 + i as i64 * slot + (slot - bar_width) / 2,
                    y: PLOT_TOP + PLOT_HEIGHT as i64 - height,
                    height,
                }
            })
            .collect(),
        currency,
    }
}

pub struct StageRow {
    pub name: String,
    pub kind: &'static str,
    pub count: i64,
    pub value: String,
    pub average_days: String,
}

#[derive(Template)]
#[template(path = "leads/report.html")]
struct ReportPage {
    chrome: Chrome,
    pipelines: Vec<(String, String)>,
    pipeline_id: String,
    from: String,
    to: String,
    report: PipelineReport,
    stages: Vec<StageRow>,
    stage_chart: HChart,
    source_chart: HChart,
    month_chart: VChart,
    months: Vec<(String, i64, String)>,
    win_rate: String,
}

#[derive(Deserialize)]
pub struct Params {
    #[serde(default)]
    pipeline_id: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

fn percent(rate: Option<f64>) -> String {
    rate.map(|r| format!("{:.0}%", r * 100.0))
        .unwrap_or_else(|| "—".to_string())
}

pub async fn show(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Query(p): Query<Params>,
) -> Result<Html, Response> {
    auth.require(Action::ReadLeads).map_err(page_err)?;
    let date = |raw: &str| NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").ok();
    let params = ReportParams {
        pipeline_id: p.pipeline_id.parse().ok(),
        from: date(&p.from),
        to: date(&p.to),
    };
    let report = report(&s, &auth, &params).await.map_err(page_err)?;
    let org = auth.principal.org_id;
    let all = s
        .store
        .read(work!(|c| pipelines::list(c, org)))
        .await
        .map_err(page_err)?;
    let stages = report
        .stages
        .iter()
        .map(|st| StageRow {
            name: st.name.clone(),
            kind: st.kind.as_str(),
            count: st.count,
            value: totals_text(&st.value),
            average_days: st
                .average_days
                .map(|d| format!("{d:.1}"))
                .unwrap_or_else(|| "—".to_string()),
        })
        .collect();
    let stage_chart = hchart(
        report
            .stages
            .iter()
            .map(|st| (st.name.clone(), st.count as f64, st.count.to_string()))
            .collect(),
    );
    let source_chart = hchart(
        report
            .by_source
            .iter()
            .map(|src| {
                (
                    src.source.label().to_string(),
                    src.conversion_rate.unwrap_or(0.0),
                    format!("{} of {} won", src.won, src.leads),
                )
            })
            .collect(),
    );
    let months = report
        .won_by_month
        .iter()
        .map(|m| (m.month.clone(), m.count, totals_text(&m.value)))
        .collect();
    render(&ReportPage {
        chrome: Chrome::of(&auth),
        pipelines: all
            .iter()
            .map(|p| (p.id.to_string(), p.name.clone()))
            .collect(),
        pipeline_id: report.pipeline_id.to_string(),
        from: params.from.map(|d| d.to_string()).unwrap_or_default(),
        to: params.to.map(|d| d.to_string()).unwrap_or_default(),
        stages,
        stage_chart,
        source_chart,
        month_chart: vchart(&report),
        months,
        win_rate: percent(report.win_rate),
        report,
    })
}
