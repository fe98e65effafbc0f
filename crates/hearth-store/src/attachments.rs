//! Files attached to engagements. The bytes live in object storage under a
//! key made from ids only; this table records what they are.

use crate::history::{self, Change};
use crate::orgs::now;
use crate::{Conn, Raw, Result, Row, engagements};
use chrono::{DateTime, Utc};
use hearth_domain::history::{Actor, ActorKind, FieldChange};
use hearth_domain::{AttachmentId, EngagementId, OrgId};
use serde::Serialize;

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Attachment {
    pub id: AttachmentId,
    pub engagement_id: EngagementId,
    /// As the uploader named it; shown, never used as a path.
    pub filename: String,
    pub content_type: String,
    pub size_bytes: i64,
    /// Hex SHA-256 of the content.
    pub sha256: String,
    #[serde(skip)]
    pub storage_key: String,
    pub author: Actor,
    pub created_at: DateTime<Utc>,
}

fn attachment(r: &Row) -> Result<Attachment> {
    Ok(Attachment {
        id: r.get(0)?,
        engagement_id: r.get(1)?,
        filename: r.get(2)?,
        content_type: r.get(3)?,
        size_bytes: r.get(4)?,
        sha256: r.get(5)?,
        storage_key: r.get(6)?,
        author: Actor {
            kind: ActorKind::parse(&r.get::<String>(7)?),
            id: r.get(8)?,
            name: r.get(9)?,
        },
        created_at: r.get(10)?,
    })
}

/// The object-store key of an attachment under the attachments folder:
/// organisation and attachment id
/// only, so nothing a client sends can reach the path.
/// Engagement files live under this folder of the shared file store.
pub const STORAGE_PREFIX: &str = "engagements";

pub fn storage_key(org: OrgId, id: AttachmentId) -> String {
    format!("{STORAGE_PREFIX}/{org}/{id}")
}

/// What was stored, to be recorded.
pub struct NewAttachment {
    pub id: AttachmentId,
    pub filename: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
}

/// Records an attachment on a live engagement of this organisation.
pub async fn insert(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    engagement: EngagementId,
    a: NewAttachment,
) -> Result<Attachment> {
    let e = engagements::get(c, org, engagement).await?;
    let key = storage_key(org, a.id);
    c.execute(&Raw(
        "INSERT INTO attachments (id, org_id, engagement_id, filename, content_type, size_bytes, sha256, \
         storage_key, author_kind, author_id, author_name, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        vec![
            a.id.0.into(),
            org.0.into(),
            engagement.0.into(),
            a.filename.clone().into(),
            a.content_type.clone().into(),
            a.size_bytes.into(),
            a.sha256.clone().into(),
            key.into(),
            actor.kind.as_str().into(),
            actor.id.into(),
            actor.name.clone().into(),
            now().into(),
        ],
    ))
    .await?;
    let fields = [FieldChange {
        field: "attachment".into(),
        before: serde_json::Value::Null,
        after: serde_json::json!({"id": a.id, "filename": a.filename, "size_bytes": a.size_bytes}),
    }];
    let change = Change {
        entity: "engagement",
        entity_id: engagement.0,
        customer_id: Some(e.customer_id),
        lead_id: None,
        action: "attached",
        kind: "communication",
        summary: format!("Attached {} to engagement {}", a.filename, e.fields.subject),
        fields: &fields,
    };
    history::record(c, org, actor, change).await?;
    get(c, org, a.id).await
}

/// An attachment of this organisation whose engagement is live.
pub async fn get(c: &mut Conn, org: OrgId, id: AttachmentId) -> Result<Attachment> {
    let a = c
        .query_one(
            &Raw(
                "SELECT id, engagement_id, filename, content_type, size_bytes, sha256, storage_key, \
                 author_kind, author_id, author_name, created_at FROM attachments \
                 WHERE id = $1 AND org_id = $2",
                vec![id.0.into(), org.0.into()],
            ),
            attachment,
        )
        .await?;
    engagements::get(c, org, a.engagement_id).await?;
    Ok(a)
}

/// An engagement's attachments, oldest first (`attachments_engagement`).
pub async fn list(c: &mut Conn, org: OrgId, engagement: EngagementId) -> Result<Vec<Attachment>> {
    c.query(
        &Raw(
            "SELECT id, engagement_id, filename, content_type, size_bytes, sha256, storage_key, \
             author_kind, author_id, author_name, created_at FROM attachments \
             WHERE org_id = $1 AND engagement_id = $2 ORDER BY id",
            vec![org.0.into(), engagement.0.into()],
        ),
        attachment,
    )
    .await
}
