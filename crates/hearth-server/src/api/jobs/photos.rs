//! Job photos: uploaded as multipart form data or as a raw image body,
//! checked (type allow-list, bytes match the type, 10 MB), stored through
//! the attachment store under a key made of ids, and served back only to
//! the organisation that owns the job.

use super::{PageParams, access};
use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiResult, AppError};
use crate::extract::{ApiPath, ApiQuery};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hearth_domain::auth::Action;
use hearth_domain::jobs::{JobAccess, JobPhoto, PHOTO_MAX_BYTES, check_photo, clean_file_name};
use hearth_domain::{JobId, JobPhotoId};
use hearth_store::auth::Principal;
use hearth_store::files::{path, sha256_hex};
use hearth_store::jobs::{self, NewPhoto};
use hearth_store::page::{self, Page};
use hearth_store::work;
use std::collections::HashMap;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

/// A multipart body may carry a little more than the photo itself.
pub const UPLOAD_BODY_LIMIT: usize = PHOTO_MAX_BYTES + 64 * 1024;

pub fn routes() -> OpenApiRouter<AppState> {
    let (schemas, paths, method_router) = routes!(list_photos, upload);
    OpenApiRouter::new()
        .routes((
            schemas,
            paths,
            method_router.layer(DefaultBodyLimit::max(UPLOAD_BODY_LIMIT)),
        ))
        .routes(routes!(download))
}

/// An uploaded file as it arrived.
pub(crate) struct Upload {
    pub file_name: Option<String>,
    pub content_type: Option<String>,
    pub bytes: Bytes,
    /// The other fields of a multipart form (a page's `_csrf`).
    pub fields: HashMap<String, String>,
}

impl Upload {
    /// Reads either a multipart form (its `file` part, or the first part
    /// with a file name) or a raw body typed by its Content-Type, with the
    /// name from `Content-Disposition: …; filename="…"`.
    pub(crate) async fn read(req: Request) -> Result<Upload, AppError> {
        let headers = req.headers().clone();
        let content_type = header_text(&headers, header::CONTENT_TYPE);
        let is_multipart = content_type
            .as_deref()
            .is_some_and(|t| t.to_ascii_lowercase().starts_with("multipart/form-data"));
        if is_multipart {
            let multipart = Multipart::from_request(req, &())
                .await
                .map_err(|e| AppError::BadRequest(e.body_text()))?;
            return read_multipart(multipart).await;
        }
        // Read up to the limit and stop: answering before the body is read
        // would leave a client still sending a reset connection, not a 413.
        let bytes = axum::body::to_bytes(req.into_body(), PHOTO_MAX_BYTES)
            .await
            .map_err(|_| AppError::PayloadTooLarge(PHOTO_MAX_BYTES))?;
        let file_name = header_text(&headers, header::CONTENT_DISPOSITION)
            .and_then(|d| disposition_file_name(&d));
        Ok(Upload {
            file_name,
            content_type,
            bytes,
            fields: HashMap::new(),
        })
    }
}

fn header_text(headers: &HeaderMap, name: header::HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// `attachment; filename="a.jpg"` → `a.jpg`.
fn disposition_file_name(value: &str) -> Option<String> {
    value.split(';').find_map(|part| {
        let (k, v) = part.trim().split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("filename")
            .then(|| v.trim().trim_matches('"').to_string())
    })
}

async fn read_multipart(mut multipart: Multipart) -> Result<Upload, AppError> {
    let failed = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::PayloadTooLarge(PHOTO_MAX_BYTES)
        } else {
            AppError::BadRequest(e.body_text())
        }
    };
    let mut file: Option<(Option<String>, Option<String>, Bytes)> = None;
    let mut fields = HashMap::new();
    while let Some(mut field) = multipart.next_field().await.map_err(failed)? {
        let name = field.name().unwrap_or_default().to_string();
        let is_file = name == "file" || field.file_name().is_some();
        if is_file && file.is_none() {
            let file_name = field.file_name().map(str::to_string);
            let content_type = field.content_type().map(str::to_string);
            let mut bytes = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(failed)? {
                if bytes.len() + chunk.len() > PHOTO_MAX_BYTES {
                    return Err(AppError::PayloadTooLarge(PHOTO_MAX_BYTES));
                }
                bytes.extend_from_slice(&chunk);
            }
            file = Some((file_name, content_type, Bytes::from(bytes)));
        } else if !is_file {
            let text = field.text().await.map_err(failed)?;
            fields.insert(name, text.chars().take(4096).collect());
        }
    }
    let (file_name, content_type, bytes) = file.unwrap_or_default();
    Ok(Upload {
        file_name,
        content_type,
        bytes,
        fields,
    })
}

/// Checks and stores a photo of a job: the bytes go to the attachment
/// store first, then the record; if the record cannot be written the bytes
/// are removed again.
pub(crate) async fn store_photo(
    s: &AppState,
    p: &Principal,
    access: JobAccess,
    job: JobId,
    upload: Upload,
) -> ApiResult<JobPhoto> {
    let org = p.org_id;
    // The job first: nothing is stored for a job the caller cannot see.
    s.store
        .read(work!(|c| jobs::check_work(c, org, access, job)))
        .await?;
    let kind = check_photo(upload.content_type.as_deref(), &upload.bytes)?;
    let file_name = clean_file_name(upload.file_name.as_deref(), kind);
    let bytes = upload.bytes;
    let hashed = bytes.clone();
    let sha256 = tokio::task::spawn_blocking(move || sha256_hex(&hashed))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let id = JobPhotoId::new();
    let (org_s, job_s, id_s) = (org.to_string(), job.to_string(), id.to_string());
    let key = ["jobs", org_s.as_str(), job_s.as_str(), id_s.as_str()];
    let new = NewPhoto {
        id,
        storage_key: path(&key).to_string(),
        file_name,
        content_type: kind.mime(),
        size_bytes: bytes.len() as i64,
        sha256,
    };
    s.files.put(&key, bytes).await?;
    let actor = p.actor.clone();
    let written = s
        .store
        .write(work!(|c| jobs::add_photo(
            c, org, &actor, access, job, &new
        )))
        .await;
    match written {
        Ok(photo) => Ok(photo),
        Err(e) => {
            if let Err(cleanup) = s.files.delete(&key).await {
                tracing::warn!(error = %cleanup, "could not remove the bytes of an unrecorded photo");
            }
            Err(e.into())
        }
    }
}

/// What a multipart upload holds.
#[derive(ToSchema)]
#[allow(dead_code, reason = "describes the form for the OpenAPI document")]
struct PhotoForm {
    /// A JPEG, PNG, WebP or HEIC image, at most 10 MB.
    #[schema(content_media_type = "application/octet-stream")]
    file: Vec<u8>,
}

/// Add a photo to a job: multipart form data with a `file` part, or the
/// image itself as the body with its Content-Type (and optionally
/// `Content-Disposition: attachment; filename="…"`). JPEG, PNG, WebP or
/// HEIC, at most 10 MB; the bytes must match the type.
#[utoipa::path(post, path = "/api/v1/jobs/{id}/photos", tag = "jobs", params(("id" = Uuid, Path)),
    request_body(content(
        (inline(PhotoForm) = "multipart/form-data"),
        ("image/jpeg"), ("image/png"), ("image/webp"), ("image/heic")
    )),
    responses((status = 201, body = JobPhoto)))]
async fn upload(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<JobId>,
    req: Request,
) -> ApiResult<impl IntoResponse> {
    let access = access(&auth)?;
    let upload = Upload::read(req).await?;
    let photo = store_photo(&s, &auth.principal, access, id, upload).await?;
    Ok((StatusCode::CREATED, Json(photo)))
}

/// A job's photos (descriptions; each one's bytes at its own URL).
#[utoipa::path(get, path = "/api/v1/jobs/{id}/photos", tag = "jobs", params(("id" = Uuid, Path), PageParams),
    responses((status = 200, body = Page<JobPhoto>)))]
async fn list_photos(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<JobId>,
    ApiQuery(p): ApiQuery<PageParams>,
) -> ApiResult<Json<Page<JobPhoto>>> {
    auth.require(Action::ReadJobs)?;
    let org = auth.principal.org_id;
    let limit = page::limit(p.limit)?;
    Ok(Json(
        s.store
            .read(work!(|c| jobs::list_photos(
                c,
                org,
                id,
                p.cursor.as_deref(),
                limit
            )))
            .await?,
    ))
}

/// The bytes of a photo, with its type.
#[utoipa::path(get, path = "/api/v1/jobs/{id}/photos/{photo_id}", tag = "jobs",
    params(("id" = Uuid, Path), ("photo_id" = Uuid, Path)),
    responses((status = 200, description = "The image", content(("image/jpeg"), ("image/png"), ("image/webp"), ("image/heic")))))]
async fn download(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath((job, id)): ApiPath<(JobId, JobPhotoId)>,
) -> ApiResult<Response> {
    auth.require(Action::ReadJobs)?;
    photo_response(&s, auth.principal.org_id, job, id).await
}

/// A photo's bytes as a response: for staff, and for the customer whose
/// job it is in the portal.
pub(crate) async fn photo_response(
    s: &AppState,
    org: hearth_domain::OrgId,
    job: JobId,
    id: JobPhotoId,
) -> ApiResult<Response> {
    let (photo, key) = s
        .store
        .read(work!(|c| jobs::get_photo(c, org, job, id)))
        .await?;
    let bytes = s.files.get(&key).await?;
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    // Only allow-listed image types were ever stored.
    if let Ok(v) = HeaderValue::from_str(&photo.content_type) {
        headers.insert(header::CONTENT_TYPE, v);
    }
    // The stored name holds only letters, digits, dot, dash, underscore
    // and space, so it cannot break out of the quotes.
    if let Ok(v) = HeaderValue::from_str(&format!("inline; filename=\"{}\"", photo.file_name)) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=3600"),
    );
    Ok(response)
}
