//! What technicians add to a job on site: notes, photos and the sign-off.
//! Each is allowed to the technicians on the job and to managers.

use super::get;
use super::write::record;
use crate::orgs::now;
use crate::page::{self, Page};
use crate::{Conn, Raw, Result, Row, StoreError, parent};
use hearth_domain::history::{Actor, ActorKind, FieldChange};
use hearth_domain::jobs::{
    Job, JobAccess, JobNote, JobNoteInput, JobPhoto, SignOffInput, check_sign_off,
};
use hearth_domain::{JobId, JobNoteId, JobPhotoId, OrgId};
use serde_json::json;

/// The job, if it exists and `access` may work on it.
pub async fn check_work(c: &mut Conn, org: OrgId, access: JobAccess, id: JobId) -> Result<Job> {
    let job = get(c, org, id).await?;
    if access.allows(&job.fields.technician_ids) {
        Ok(job)
    } else {
        Err(StoreError::Forbidden(
            "only the technicians on a job add to it",
        ))
    }
}

fn actor_at(r: &Row, idx: usize) -> Result<Actor> {
    Ok(Actor {
        kind: ActorKind::parse(&r.get::<String>(idx)?),
        id: r.get(idx + 1)?,
        name: r.get(idx + 2)?,
    })
}

fn note(r: &Row) -> Result<JobNote> {
    Ok(JobNote {
        id: r.get(0)?,
        job_id: r.get(1)?,
        body: r.get(2)?,
        author: actor_at(r, 3)?,
        created_at: r.get(6)?,
    })
}

/// Adds a note to a job, attributed to `actor`.
pub async fn add_note(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    access: JobAccess,
    id: JobId,
    input: &JobNoteInput,
) -> Result<JobNote> {
    let job = check_work(c, org, access, id).await?;
    let body = input.validate()?;
    let note_id = JobNoteId::new();
    let now = now();
    c.execute(&Raw(
        "INSERT INTO job_notes (id, org_id, job_id, customer_id, body, author_kind, author_id, author_name, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        vec![
            note_id.0.into(),
            org.0.into(),
            id.0.into(),
            job.customer_id.0.into(),
            body.clone().into(),
            actor.kind.as_str().into(),
            actor.id.into(),
            actor.name.clone().into(),
            now.into(),
        ],
    ))
    .await?;
    let changes = [FieldChange {
        field: "note".into(),
        before: serde_json::Value::Null,
        after: json!({"id": note_id, "body": body}),
    }];
    let summary = format!(
        "Note on job {}: {}",
        job.fields.service_type,
        hearth_domain::notes::summary(&body)
    );
    record(
        c,
        org,
        actor,
        (id, job.customer_id),
        "note_added",
        summary,
        &changes,
    )
    .await?;
    Ok(JobNote {
        id: note_id,
        job_id: id,
        body,
        author: actor.clone(),
        created_at: now,
    })
}

/// A job's notes, oldest first (`job_notes_job`).
pub async fn list_notes(
    c: &mut Conn,
    org: OrgId,
    id: JobId,
    cursor: Option<&str>,
    limit: u64,
) -> Result<Page<JobNote>> {
    get(c, org, id).await?;
    let after = parent::after_id(cursor)?;
    let rows = c
        .query(
            &Raw(
                "SELECT id, job_id, body, author_kind, author_id, author_name, created_at FROM job_notes \
                 WHERE org_id = $1 AND job_id = $2 AND id > $3 ORDER BY id LIMIT $4",
                vec![
                    org.0.into(),
                    id.0.into(),
                    after.into(),
                    (limit as i64 + 1).into(),
                ],
            ),
            note,
        )
        .await?;
    Ok(page::finish(rows, limit, |n| n.id.0))
}

/// A photo whose bytes are already in the attachment store under
/// `storage_key`.
pub struct NewPhoto {
    pub id: JobPhotoId,
    pub storage_key: String,
    pub file_name: String,
    pub content_type: &'static str,
    pub size_bytes: i64,
    pub sha256: String,
}

fn photo(r: &Row) -> Result<JobPhoto> {
    Ok(JobPhoto {
        id: r.get(0)?,
        job_id: r.get(1)?,
        file_name: r.get(2)?,
        content_type: r.get(3)?,
        size_bytes: r.get(4)?,
        sha256: r.get(5)?,
        uploaded_by: actor_at(r, 6)?,
        created_at: r.get(9)?,
    })
}

/// Records a photo of a job.
pub async fn add_photo(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    access: JobAccess,
    id: JobId,
    p: &NewPhoto,
) -> Result<JobPhoto> {
    let job = check_work(c, org, access, id).await?;
    let now = now();
    c.execute(&Raw(
        "INSERT INTO job_photos (id, org_id, job_id, customer_id, storage_key, file_name, content_type, \
         size_bytes, sha256, uploaded_by_kind, uploaded_by_id, uploaded_by_name, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        vec![
            p.id.0.into(),
            org.0.into(),
            id.0.into(),
            job.customer_id.0.into(),
            p.storage_key.clone().into(),
            p.file_name.clone().into(),
            p.content_type.into(),
            p.size_bytes.into(),
            p.sha256.clone().into(),
            actor.kind.as_str().into(),
            actor.id.into(),
            actor.name.clone().into(),
            now.into(),
        ],
    ))
    .await?;
    let changes = [FieldChange {
        field: "photo".into(),
        before: serde_json::Value::Null,
        after: json!({"id": p.id, "file_name": p.file_name, "content_type": p.content_type,
                      "size_bytes": p.size_bytes, "sha256": p.sha256}),
    }];
    let summary = format!(
        "Photo {} added to job {}",
        p.file_name, job.fields.service_type
    );
    record(
        c,
        org,
        actor,
        (id, job.customer_id),
        "photo_added",
        summary,
        &changes,
    )
    .await?;
    Ok(JobPhoto {
        id: p.id,
        job_id: id,
        file_name: p.file_name.clone(),
        content_type: p.content_type.to_string(),
        size_bytes: p.size_bytes,
        sha256: p.sha256.clone(),
        uploaded_by: actor.clone(),
        created_at: now,
    })
}

/// A job's photos, oldest first (`job_photos_job`).
pub async fn list_photos(
    c: &mut Conn,
    org: OrgId,
    id: JobId,
    cursor: Option<&str>,
    limit: u64,
) -> Result<Page<JobPhoto>> {
    get(c, org, id).await?;
    let after = parent::after_id(cursor)?;
    let sql = "SELECT id, job_id, file_name, content_type, size_bytes, sha256, uploaded_by_kind, \
               uploaded_by_id, uploaded_by_name, created_at FROM job_photos \
               WHERE org_id = $1 AND job_id = $2 AND id > $3 ORDER BY id LIMIT $4";
    let rows = c
        .query(
            &Raw(
                sql,
                vec![
                    org.0.into(),
                    id.0.into(),
                    after.into(),
                    (limit as i64 + 1).into(),
                ],
            ),
            photo,
        )
        .await?;
    Ok(page::finish(rows, limit, |p| p.id.0))
}

/// A photo of a live job of this organisation, with the key of its bytes.
pub async fn get_photo(
    c: &mut Conn,
    org: OrgId,
    job: JobId,
    id: JobPhotoId,
) -> Result<(JobPhoto, String)> {
    get(c, org, job).await?;
    c.query_one(
        &Raw(
            "SELECT id, job_id, file_name, content_type, size_bytes, sha256, uploaded_by_kind, uploaded_by_id, \
             uploaded_by_name, created_at, storage_key FROM job_photos \
             WHERE id = $1 AND org_id = $2 AND job_id = $3",
            vec![id.0.into(), org.0.into(), job.0.into()],
        ),
        |r| Ok((photo(r)?, r.get(10)?)),
    )
    .await
}

/// The technician's sign-off: their name and the time, with the name the
/// customer typed. Once per job.
pub async fn sign_off(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    access: JobAccess,
    id: JobId,
    input: &SignOffInput,
) -> Result<Job> {
    let job = check_work(c, org, access, id).await?;
    parent::lock_live(c, org, job.customer_id).await?;
    let customer_name = check_sign_off(job.status, job.sign_off.is_some(), input)?;
    let now = now();
    let n = c
        .execute(&Raw(
            "UPDATE jobs SET signed_off_at = $1, signed_off_by_id = $2, signed_off_by_name = $3, \
             customer_signature_name = $4, version = version + 1, updated_at = $1 \
             WHERE id = $5 AND org_id = $6 AND version = $7 AND signed_off_at IS NULL",
            vec![
                now.into(),
                actor.id.into(),
                actor.name.clone().into(),
                customer_name.clone().into(),
                id.0.into(),
                org.0.into(),
                job.version.into(),
            ],
        ))
        .await?;
    if n == 0 {
        return Err(StoreError::Conflict {
            current_version: job.version,
        });
    }
    let changes = [FieldChange {
        field: "sign_off".into(),
        before: serde_json::Value::Null,
        after: json!({"technician_name": actor.name, "customer_name": customer_name, "signed_at": now}),
    }];
    let summary = format!(
        "Job {} signed off by {} and {}",
        job.fields.service_type, actor.name, customer_name
    );
    record(
        c,
        org,
        actor,
        (id, job.customer_id),
        "signed_off",
        summary,
        &changes,
    )
    .await?;
    get(c, org, id).await
}
