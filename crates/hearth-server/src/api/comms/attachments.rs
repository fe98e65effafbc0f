//! Files attached to engagements, kept through `object_store` under the
//! data directory. The stored name is made of ids only: the client's file
//! name is shown and offered on download, never used as a path.

use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiResult, AppError};
use crate::extract::{ApiPath, ApiQuery};
use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hearth_domain::auth::Action;
use hearth_domain::{AttachmentId, EngagementId, Invalid};
use hearth_store::attachments::{self, Attachment, NewAttachment};
use hearth_store::{engagements, work};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

/// Photos from a phone and scanned documents fit; videos do not.
pub const MAX_ATTACHMENT_BYTES: usize = 10 * 1024 * 1024;

/// Content types accepted, with the file name endings that go with them.
pub const ALLOWED_TYPES: &[(&str, &[&str])] = &[
    ("application/pdf", &["pdf"]),
    ("image/jpeg", &["jpg", "jpeg"]),
    ("image/png", &["png"]),
    ("image/webp", &["webp"]),
    ("text/plain", &["txt"]),
    (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        &["docx"],
    ),
];

const FILENAME_MAX: usize = 200;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(upload, list))
        .routes(routes!(download))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct UploadParams {
    /// The file's name as the user knows it (shown and offered on download).
    filename: String,
}

/// The content type without parameters, if it is on the allow-list, and
/// the file name without any folder part, if its ending fits the type.
fn check(content_type: Option<&str>, filename: &str) -> Result<(String, String), Invalid> {
    let mut errors = Invalid::default();
    let ct = content_type
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let endings = ALLOWED_TYPES
        .iter()
        .find(|(t, _)| *t == ct)
        .map(|(_, e)| *e);
    if endings.is_none() {
        errors.push(
            "content_type",
            "must be PDF, JPEG, PNG, WebP, plain text or Word (.docx)",
        );
    }
    let base = filename
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default()
        .trim()
        .to_string();
    if base.is_empty() || base == "." || base == ".." {
        errors.push("filename", "is required");
    } else if base.chars().count() > FILENAME_MAX || base.chars().any(char::is_control) {
        errors.push(
            "filename",
            format!("must be at most {FILENAME_MAX} printable characters"),
        );
    } else if let Some(endings) = endings {
        let ext = base
            .rsplit_once('.')
            .map(|(_, e)| e.to_ascii_lowercase())
            .unwrap_or_default();
        if !endings.contains(&ext.as_str()) {
            errors.push(
                "filename",
                format!("must end in .{}", endings.join(" or .")),
            );
        }
    }
    errors.or_ok((ct, base))
}

/// Attach a file to an engagement: the raw bytes as the body, their type
/// as `Content-Type`, the name in `?filename=`. PDF, JPEG, PNG, WebP, plain
/// text and .docx up to 10 MB.
#[utoipa::path(post, path = "/api/v1/engagements/{id}/attachments", tag = "engagements",
    params(("id" = Uuid, Path), UploadParams),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = Attachment)))]
async fn upload(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<EngagementId>,
    ApiQuery(p): ApiQuery<UploadParams>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<(StatusCode, Json<Attachment>)> {
    auth.require(Action::WriteCustomers)?;
    let principal = auth.principal;
    let org = principal.org_id;
    // A missing engagement is a 404 before anything is read or checked.
    s.store
        .read(work!(|c| engagements::get(c, org, id)))
        .await?;
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let (content_type, filename) = check(ct, &p.filename)?;
    let bytes = axum::body::to_bytes(body, MAX_ATTACHMENT_BYTES)
        .await
        .map_err(|_| AppError::PayloadTooLarge(MAX_ATTACHMENT_BYTES))?;
    if bytes.is_empty() {
        return Err(Invalid::field("body", "is empty; send the file's bytes").into());
    }
    let new = NewAttachment {
        id: AttachmentId::new(),
        filename,
        content_type,
        size_bytes: bytes.len() as i64,
        sha256: hex::encode(Sha256::digest(&bytes)),
    };
    let (org_part, id_part) = (org.to_string(), new.id.to_string());
    let key = [
        attachments::STORAGE_PREFIX,
        org_part.as_str(),
        id_part.as_str(),
    ];
    s.files.put(&key, bytes).await?;
    let recorded = s
        .store
        .write(work!(|c| attachments::insert(
            c,
            org,
            &principal.actor,
            id,
            new
        )))
        .await;
    match recorded {
        Ok(a) => Ok((StatusCode::CREATED, Json(a))),
        Err(e) => {
            // Nothing refers to the bytes: remove them.
            if let Err(cleanup) = s.files.delete(&key).await {
                tracing::warn!(error = %cleanup, "orphaned attachment left in storage");
            }
            Err(e.into())
        }
    }
}

/// An engagement's attachments, oldest first.
#[utoipa::path(get, path = "/api/v1/engagements/{id}/attachments", tag = "engagements",
    params(("id" = Uuid, Path)), responses((status = 200, body = Vec<Attachment>)))]
async fn list(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<EngagementId>,
) -> ApiResult<Json<Vec<Attachment>>> {
    auth.require(Action::ReadCustomers)?;
    let org = auth.principal.org_id;
    Ok(Json(
        s.store
            .read(work!(|c| async {
                engagements::get(c, org, id).await?;
                attachments::list(c, org, id).await
            }))
            .await?,
    ))
}

/// A name safe inside a quoted header parameter.
fn header_filename(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ' ') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Download an attachment (always as a download, never shown inline).
#[utoipa::path(get, path = "/api/v1/attachments/{id}", tag = "engagements",
    params(("id" = Uuid, Path)),
    responses((status = 200, description = "The file", content_type = "application/octet-stream")))]
async fn download(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<AttachmentId>,
) -> ApiResult<Response> {
    auth.require(Action::ReadCustomers)?;
    let org = auth.principal.org_id;
    let a = s
        .store
        .read(work!(|c| attachments::get(c, org, id)))
        .await?;
    let bytes = s.files.get(&a.storage_key).await?;
    let disposition = format!("attachment; filename=\"{}\"", header_filename(&a.filename));
    let mut response = bytes.into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&a.content_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&disposition).unwrap_or(HeaderValue::from_static("attachment")),
    );
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn only_listed_types_with_matching_names_pass() {
        let (ct, name) = check(Some("Image/PNG; q=1"), "../../etc/boiler.png").unwrap();
        assert_eq!((ct.as_str(), name.as_str()), ("image/png", "boiler.png"));
        let err = check(Some("text/html"), "x.html").unwrap_err();
        assert_eq!(err.0[0].field, "content_type");
        let err = check(Some("application/pdf"), "invoice.exe").unwrap_err();
        assert_eq!(err.0[0].field, "filename");
        assert!(check(Some("text/plain"), "..").is_err());
    }
}
