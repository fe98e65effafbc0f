use super::default_pipeline;
use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiResult, Problem};
use crate::extract::ApiQuery;
use axum::Json;
use axum::extract::State;
use chrono::NaiveDate;
use hearth_domain::auth::Action;
use hearth_domain::leads::report::PipelineReport;
use hearth_domain::{Invalid, PipelineId};
use hearth_store::leads::reports;
use hearth_store::work;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(pipeline_report))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ReportParams {
    /// Default: the default pipeline.
    pub pipeline_id: Option<PipelineId>,
    /// First day (UTC), inclusive.
    pub from: Option<NaiveDate>,
    /// Last day (UTC), inclusive.
    pub to: Option<NaiveDate>,
}

/// Pipeline report for a period: count and value per stage, win rate, lost
/// reasons, average days in each stage, conversion by source and value won
/// per month.
#[utoipa::path(get, path = "/api/v1/reports/pipeline", tag = "reports", params(ReportParams),
    responses((status = 200, body = PipelineReport), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn pipeline_report(
    State(s): State<AppState>,
    auth: Auth,
    ApiQuery(p): ApiQuery<ReportParams>,
) -> ApiResult<Json<PipelineReport>> {
    auth.require(Action::ReadLeads)?;
    Ok(Json(report(&s, &auth, &p).await?))
}

pub async fn report(s: &AppState, auth: &Auth, p: &ReportParams) -> ApiResult<PipelineReport> {
    if let (Some(from), Some(to)) = (p.from, p.to)
        && from > to
    {
        return Err(Invalid::field("to", "is before from").into());
    }
    let org = auth.principal.org_id;
    let pipeline = match p.pipeline_id {
        Some(id) => id,
        None => default_pipeline(s, &auth.principal).await?.id,
    };
    let (from, to) = (p.from, p.to);
    Ok(s.store
        .read_scan(work!(|c| reports::pipeline_report(
            c, org, pipeline, from, to
        )))
        .await?)
}
