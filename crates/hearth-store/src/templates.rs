//! An organisation's message templates. They are settings, not customer
//! records, so they carry no timeline; a deleted one is kept (soft delete)
//! because sent messages were written from it.

use crate::orgs::now;
use crate::{Conn, Raw, Result, Row, StoreError};
use hearth_domain::comms::Channel;
use hearth_domain::templates::{Content, Template};
use hearth_domain::{OrgId, TemplateId};

macro_rules! select {
    ($rest:literal) => {
        concat!(
            "SELECT id, name, channel, subject, body, version, created_at, updated_at \
             FROM message_templates ",
            $rest
        )
    };
}

fn template(r: &Row) -> Result<Template> {
    let channel: String = r.get(2)?;
    Ok(Template {
        id: r.get(0)?,
        name: r.get(1)?,
        channel: Channel::parse(&channel)
            .ok_or_else(|| StoreError::decode(2, format!("unknown channel {channel:?}")))?,
        subject: r.get(3)?,
        body: r.get(4)?,
        version: r.get(5)?,
        created_at: r.get(6)?,
        updated_at: r.get(7)?,
    })
}

pub async fn create(c: &mut Conn, org: OrgId, name: &str, t: &Content) -> Result<Template> {
    let id = TemplateId::new();
    let at = now();
    c.execute(&Raw(
        "INSERT INTO message_templates (id, org_id, name, channel, subject, body, version, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $7)",
        vec![
            id.0.into(),
            org.0.into(),
            name.into(),
            t.channel.as_str().into(),
            t.subject.clone().into(),
            t.body.clone().into(),
            at.into(),
        ],
    ))
    .await?;
    get(c, org, id).await
}

pub async fn get(c: &mut Conn, org: OrgId, id: TemplateId) -> Result<Template> {
    c.query_one(
        &Raw(
            select!("WHERE id = $1 AND org_id = $2 AND deleted_at IS NULL"),
            vec![id.0.into(), org.0.into()],
        ),
        template,
    )
    .await
}

/// Every live template, by name (an org has a handful).
pub async fn list(c: &mut Conn, org: OrgId) -> Result<Vec<Template>> {
    c.query(
        &Raw(
            select!("WHERE org_id = $1 AND deleted_at IS NULL ORDER BY name, id"),
            vec![org.0.into()],
        ),
        template,
    )
    .await
}

/// Replaces a template's content if `version` is still the stored one.
pub async fn update(
    c: &mut Conn,
    org: OrgId,
    id: TemplateId,
    version: i64,
    name: &str,
    t: &Content,
) -> Result<Template> {
    let current = get(c, org, id).await?;
    if current.version != version {
        return Err(StoreError::Conflict {
            current_version: current.version,
        });
    }
    let n = c
        .execute(&Raw(
            "UPDATE message_templates SET name = $1, channel = $2, subject = $3, body = $4, \
         version = version + 1, updated_at = $5 WHERE id = $6 AND org_id = $7 AND version = $8",
            vec![
                name.into(),
                t.channel.as_str().into(),
                t.subject.clone().into(),
                t.body.clone().into(),
                now().into(),
                id.0.into(),
                org.0.into(),
                version.into(),
            ],
        ))
        .await?;
    let updated = get(c, org, id).await?;
    if n == 0 {
        return Err(StoreError::Conflict {
            current_version: updated.version,
        });
    }
    Ok(updated)
}

pub async fn delete(c: &mut Conn, org: OrgId, id: TemplateId) -> Result<()> {
    let n = c
        .execute(&Raw(
            "UPDATE message_templates SET deleted_at = $1 WHERE id = $2 AND org_id = $3 AND deleted_at IS NULL",
            vec![now().into(), id.0.into(), org.0.into()],
        ))
        .await?;
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}
