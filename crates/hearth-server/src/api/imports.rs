//! CSV import of customers or leads: dry run, run (all or nothing, now or
//! in the background), revert.

mod runs;

pub use runs::{DEFAULT_UPLOAD_LIMIT, ImportRuns};

use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiResult, AppError, Problem};
use crate::extract::{ApiPath, ApiQuery};
use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hearth_domain::ImportId;
use hearth_domain::auth::Action;
use hearth_domain::import::Kind;
use hearth_store::imports::{self, Import, Options, Progress, Report};
use hearth_store::page::{self, Page};
use hearth_store::{StoreError, work};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    // The upload reads its body as a stream to disk, past the body limit
    // of the extractors that buffer, with a limit of its own.
    OpenApiRouter::new()
        .routes(routes!(upload))
        .routes(routes!(list))
        .routes(routes!(get_one))
        .routes(routes!(revert))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct UploadParams {
    /// `customers` (the default) or `leads`.
    kind: Option<Kind>,
    /// `true`: check the whole file and report, import nothing.
    dry_run: Option<bool>,
    /// JSON object, column name → field, for columns not named like the
    /// fields (`{"Surname": "last_name"}`); `""` ignores a column.
    mapping: Option<String>,
    /// `true`: answer 202 at once with the import `running` and run it in
    /// the background; follow it at `GET /api/v1/imports/{id}` (`status`,
    /// `rows_read`, `bytes_read` of `bytes_total`). A dry run always
    /// answers with its report.
    #[serde(rename = "async")]
    run_async: Option<bool>,
}

#[derive(Serialize, ToSchema)]
pub struct Imported {
    import: Import,
    report: Report,
}

/// Import customers or leads from a CSV body (`text/csv`, UTF-8, a header
/// line). Customer columns: name (or first_name, last_name), business_name, email,
/// phone, preferred_contact_method, customer_since, address_line1,
/// address_line2, city, region, postal_code, tags (`;`-separated, existing
/// tags). Lead columns (`kind=leads`): name (or first_name, last_name),
/// business_name, phone, email, service_address, source, owner (a user's
/// email), value (in major units, e.g. 1250.00), currency,
/// expected_close_date, tags, notes, pipeline and stage (by name; default
/// pipeline, first open stage), lost_reason. Headers match by letters and
/// digits (`First Name` is first_name), and other systems' names are
/// understood (`Surname`, `E-mail Address`, `Mobile Phone`, `Zip`, …); the
/// report's `columns` says which field each column fills. With `dry_run=true` the answer
/// is the report; otherwise 201 and the import, or 422 with every problem
/// (`problems: [{line, field, message}]`) and nothing imported; with
/// `async=true`, 202 and the import `running` (a failed run then shows
/// its problems on the import). Rows whose phone or email an existing
/// customer (or, for leads, lead) has are skipped. The file is streamed
/// to disk, up to 4 GiB unless the server is configured otherwise (413
/// beyond).
#[utoipa::path(post, path = "/api/v1/imports", tag = "imports", params(UploadParams),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = Report, description = "Dry run"), (status = 201, body = Imported),
        (status = 202, body = Import, description = "Started in the background (`async=true`)",
            headers(("location" = String, description = "The import, to follow its progress")))))]
async fn upload(
    State(s): State<AppState>,
    auth: Auth,
    ApiQuery(p): ApiQuery<UploadParams>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    let kind = p.kind.unwrap_or_default();
    auth.require(match kind {
        Kind::Customers => Action::WriteCustomers,
        Kind::Leads => Action::WriteLeads,
    })?;
    let principal = auth.principal;
    let mapping: BTreeMap<String, String> = match p.mapping.as_deref() {
        None => BTreeMap::new(),
        Some(m) => serde_json::from_str(m).map_err(|_| {
            hearth_domain::Invalid::field("mapping", "must be a JSON object of column name → field")
        })?,
    };
    let options = Options {
        kind,
        mapping,
        region: principal.region.clone(),
    };
    let org = principal.org_id;
    let config = &s.config;
    let limit = config.import_limit.unwrap_or(DEFAULT_UPLOAD_LIMIT);
    let upload = runs::Upload::receive(config.import_dir.clone(), limit, &headers, body).await?;
    if p.dry_run.unwrap_or(false) {
        let reader = upload.into_reader();
        let report = s
            .store
            .read_scan(work!(|c| imports::check(
                c,
                org,
                reader,
                &options,
                &|_: Progress| {}
            )))
            .await?;
        return Ok(Json(report).into_response());
    }
    let actor = principal.actor.clone();
    if p.run_async.unwrap_or(false) {
        let import = runs::start(&s, org, actor, options, upload).await?;
        let location = format!("/api/v1/imports/{}", import.id);
        return Ok((
            StatusCode::ACCEPTED,
            [(header::LOCATION, location)],
            Json(import),
        )
            .into_response());
    }
    let reader = upload.into_reader();
    let done = s
        .store
        .write(work!(|c| imports::run(
            c,
            org,
            &actor,
            reader,
            &options,
            &|_: Progress| {}
        )))
        .await;
    match done {
        Ok((import, report)) => Ok(crate::api::created(
            format!("/api/v1/imports/{}", import.id),
            Imported { import, report },
        )
        .into_response()),
        Err(StoreError::ImportProblems(report)) => {
            let error = AppError::Invalid(hearth_domain::Invalid::field(
                "file",
                format!(
                    "has {} problems; nothing was imported",
                    report.problems.len()
                ),
            ));
            let mut problem = serde_json::to_value(error.problem()).unwrap_or_default();
            problem["problems"] = serde_json::to_value(&report.problems).unwrap_or_default();
            let mut response = (StatusCode::UNPROCESSABLE_ENTITY, Json(problem)).into_response();
            response.headers_mut().insert(
                axum::http::header::CONTENT_TYPE,
                axum::http::HeaderValue::from_static("application/problem+json"),
            );
            Ok(response)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
    /// 1–200, default 50.
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u64>,
}

/// The organisation's imports, newest first; running ones with their
/// progress (`problems` is left empty: read one import for them).
#[utoipa::path(get, path = "/api/v1/imports", tag = "imports", params(ListParams),
    responses((status = 200, body = Page<Import>), (status = 422, body = Problem)))]
async fn list(
    State(s): State<AppState>,
    auth: Auth,
    ApiQuery(p): ApiQuery<ListParams>,
) -> ApiResult<Json<Page<Import>>> {
    auth.require(Action::ReadCustomers)?;
    let org = auth.principal.org_id;
    let after = crate::api::leads::decode_cursor::<ImportId>(p.cursor.as_deref())?;
    let limit = page::limit(p.limit)?;
    let mut page = s
        .store
        .read(work!(|c| imports::list(c, org, after, limit)))
        .await?;
    for import in &mut page.items {
        *import = s.imports.observe(&s.store, org, import.clone()).await?;
    }
    Ok(Json(page))
}

/// An import: its `status` (`running`, `done`, `failed`), progress while
/// running (`rows_read`; `bytes_read` of `bytes_total`), and for `failed`
/// the `error` and the `problems` by line and field. A running import
/// whose server stopped is marked failed ("interrupted") when read.
#[utoipa::path(get, path = "/api/v1/imports/{id}", tag = "imports",
    params(("id" = String, Path)), responses((status = 200, body = Import)))]
async fn get_one(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<ImportId>,
) -> ApiResult<Json<Import>> {
    let org = auth.principal.org_id;
    let import = s.store.read(work!(|c| imports::get(c, org, id))).await?;
    auth.require(match import.kind {
        Kind::Customers => Action::ReadCustomers,
        Kind::Leads => Action::ReadLeads,
    })?;
    Ok(Json(s.imports.observe(&s.store, org, import).await?))
}

/// Revert an import: every customer or lead it created goes to the bin.
/// 409 when already reverted, still running, or failed.
#[utoipa::path(post, path = "/api/v1/imports/{id}/revert", tag = "imports",
    params(("id" = String, Path)), responses((status = 200, body = Import)))]
async fn revert(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<ImportId>,
) -> ApiResult<Json<Import>> {
    let p = auth.principal.clone();
    let import = s
        .store
        .read(work!(|c| imports::get(c, p.org_id, id)))
        .await?;
    auth.require(match import.kind {
        Kind::Customers => Action::DeleteCustomers,
        Kind::Leads => Action::WriteLeads,
    })?;
    Ok(Json(
        s.store
            .write(work!(|c| imports::revert(c, p.org_id, &p.actor, id)))
            .await?,
    ))
}
