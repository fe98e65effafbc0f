//! An organisation's portal settings (branding, custom host, what
//! customers may do); the defaults until first saved.

use crate::history::{self, Change};
use crate::orgs::now;
use crate::{Conn, Raw, Result, Row, StoreError};
use hearth_domain::history::{Actor, diff};
use hearth_domain::portal::branding::{PortalSettings, PortalSettingsInput};
use hearth_domain::{Invalid, OrgId};

fn settings(r: &Row) -> Result<PortalSettings> {
    Ok(PortalSettings {
        business_name: r.get(0)?,
        primary_color: r.get(1)?,
        accent_color: r.get(2)?,
        host: r.get(3)?,
        has_logo: r.get(4)?,
        allow_pause: r.get(5)?,
        allow_cancel: r.get(6)?,
        payment_instructions: r.get(7)?,
        day_start_hour: r.get(8)?,
        day_end_hour: r.get(9)?,
        slot_minutes: r.get(10)?,
        version: r.get(11)?,
    })
}

pub async fn get(c: &mut Conn, org: OrgId) -> Result<PortalSettings> {
    let sql = "SELECT business_name, primary_color, accent_color, host, logo_key IS NOT NULL, allow_pause, \
               allow_cancel, payment_instructions, day_start_hour, day_end_hour, slot_minutes, version \
               FROM portal_settings WHERE org_id = $1";
    let stored = c.query_opt(&Raw(sql, vec![org.0.into()]), settings).await?;
    Ok(stored.unwrap_or_default())
}

/// The organisation whose portal a request for `host` serves.
pub async fn org_for_host(c: &mut Conn, host: &str) -> Result<Option<OrgId>> {
    c.query_opt(
        &Raw(
            "SELECT org_id FROM portal_settings WHERE host = $1",
            vec![host.to_ascii_lowercase().into()],
        ),
        |r| r.get::<OrgId>(0),
    )
    .await
}

/// Saves the whole settings if `input.version` is still the stored one.
pub async fn update(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    input: &PortalSettingsInput,
) -> Result<PortalSettings> {
    let current = get(c, org).await?;
    if current.version != input.version {
        return Err(StoreError::Conflict {
            current_version: current.version,
        });
    }
    let next = input.validate(&current)?;
    let n = c
        .execute(&Raw(
            "INSERT INTO portal_settings (org_id, business_name, primary_color, accent_color, host, allow_pause, \
             allow_cancel, payment_instructions, day_start_hour, day_end_hour, slot_minutes, version, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 1, $12) \
             ON CONFLICT (org_id) DO UPDATE SET business_name = $2, primary_color = $3, accent_color = $4, \
             host = $5, allow_pause = $6, allow_cancel = $7, payment_instructions = $8, day_start_hour = $9, \
             day_end_hour = $10, slot_minutes = $11, version = portal_settings.version + 1, updated_at = $12 \
             WHERE portal_settings.version = $13",
            vec![
                org.0.into(),
                next.business_name.clone().into(),
                next.primary_color.clone().into(),
                next.accent_color.clone().into(),
                next.host.clone().into(),
                next.allow_pause.into(),
                next.allow_cancel.into(),
                next.payment_instructions.clone().into(),
                next.day_start_hour.into(),
                next.day_end_hour.into(),
                next.slot_minutes.into(),
                now().into(),
                input.version.into(),
            ],
        ))
        .await
        .map_err(|e| match e {
            StoreError::Duplicate { .. } => {
                Invalid::field("host", "is the portal host of another organisation").into()
            }
            e => e,
        })?;
    if n == 0 {
        return Err(StoreError::Conflict {
            current_version: current.version,
        });
    }
    let view = |s: &PortalSettings| {
        let mut v = serde_json::to_value(s).unwrap_or_default();
        if let Some(m) = v.as_object_mut() {
            m.remove("version");
        }
        v
    };
    let changes = diff(&view(&current), &view(&next));
    audit(c, org, actor, &changes).await?;
    get(c, org).await
}

/// Where the logo's bytes are kept, and their type.
pub async fn logo(c: &mut Conn, org: OrgId) -> Result<Option<(String, String)>> {
    let found = c
        .query_opt(
            &Raw(
                "SELECT logo_key, logo_content_type FROM portal_settings WHERE org_id = $1",
                vec![org.0.into()],
            ),
            |r| Ok((r.get::<Option<String>>(0)?, r.get::<Option<String>>(1)?)),
        )
        .await?;
    Ok(match found {
        Some((Some(key), Some(kind))) => Some((key, kind)),
        _ => None,
    })
}

/// Records a newly stored logo; returns the key of the one it replaces.
pub async fn set_logo(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    key: &str,
    content_type: &str,
) -> Result<Option<String>> {
    let previous = logo(c, org).await?.map(|(k, _)| k);
    let d = PortalSettings::default();
    c.execute(&Raw(
        "INSERT INTO portal_settings (org_id, primary_color, accent_color, allow_pause, allow_cancel, \
         day_start_hour, day_end_hour, slot_minutes, logo_key, logo_content_type, version, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1, $11) \
         ON CONFLICT (org_id) DO UPDATE SET logo_key = $9, logo_content_type = $10, \
         version = portal_settings.version + 1, updated_at = $11",
        vec![
            org.0.into(),
            d.primary_color.into(),
            d.accent_color.into(),
            d.allow_pause.into(),
            d.allow_cancel.into(),
            d.day_start_hour.into(),
            d.day_end_hour.into(),
            d.slot_minutes.into(),
            key.into(),
            content_type.into(),
            now().into(),
        ],
    ))
    .await?;
    let change = hearth_domain::history::FieldChange {
        field: "logo".into(),
        before: previous.is_some().into(),
        after: true.into(),
    };
    audit(c, org, actor, &[change]).await?;
    Ok(previous)
}

async fn audit(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    changes: &[hearth_domain::history::FieldChange],
) -> Result<()> {
    if changes.is_empty() {
        return Ok(());
    }
    history::record(
        c,
        org,
        actor,
        Change {
            entity: "portal_settings",
            entity_id: org.0,
            customer_id: None,
            lead_id: None,
            action: "updated",
            kind: "settings",
            summary: "Portal settings changed".into(),
            fields: changes,
        },
    )
    .await
}
