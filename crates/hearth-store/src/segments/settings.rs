//! The organisation's thresholds for the built-in segments; the defaults
//! until first saved. A change moves membership at once: built-in
//! segments are read with the thresholds of the moment.

use crate::billing::check_version;
use crate::history::{self, Change};
use crate::orgs::now;
use crate::{Conn, Raw, Result, Row, StoreError};
use hearth_domain::OrgId;
use hearth_domain::history::{Actor, diff};
use hearth_domain::segments::settings::{SegmentSettings, SegmentSettingsPatch};

fn settings(r: &Row) -> Result<SegmentSettings> {
    Ok(SegmentSettings {
        vip_lifetime_value_minor: r.get(0)?,
        vip_bookings: r.get(1)?,
        at_risk_days: r.get(2)?,
        new_days: r.get(3)?,
        version: r.get(4)?,
    })
}

pub async fn get(c: &mut Conn, org: OrgId) -> Result<SegmentSettings> {
    let stored = c
        .query_opt(
            &Raw(
                "SELECT vip_lifetime_value_minor, vip_bookings, at_risk_days, new_days, version \
                 FROM segment_settings WHERE org_id = $1",
                vec![org.0.into()],
            ),
            settings,
        )
        .await?;
    Ok(stored.unwrap_or_default())
}

pub async fn update(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    patch: &SegmentSettingsPatch,
) -> Result<SegmentSettings> {
    let current = get(c, org).await?;
    check_version(current.version, patch.version)?;
    let next = current.patched(patch)?;
    let view = |s: &SegmentSettings| {
        let mut v = serde_json::to_value(s).unwrap_or_default();
        if let Some(m) = v.as_object_mut() {
            m.remove("version");
        }
        v
    };
    let changes = diff(&view(&current), &view(&next));
    if changes.is_empty() {
        return Ok(current);
    }
    let n = c
        .execute(&Raw(
            "INSERT INTO segment_settings (org_id, vip_lifetime_value_minor, vip_bookings, at_risk_days, \
             new_days, version, updated_at) VALUES ($1, $2, $3, $4, $5, 1, $6) \
             ON CONFLICT (org_id) DO UPDATE SET vip_lifetime_value_minor = $2, vip_bookings = $3, \
             at_risk_days = $4, new_days = $5, version = segment_settings.version + 1, updated_at = $6 \
             WHERE segment_settings.version = $7",
            vec![
                org.0.into(),
                next.vip_lifetime_value_minor.into(),
                next.vip_bookings.into(),
                next.at_risk_days.into(),
                next.new_days.into(),
                now().into(),
                patch.version.into(),
            ],
        ))
        .await?;
    if n == 0 {
        return Err(StoreError::Conflict {
            current_version: current.version,
        });
    }
    let change = Change {
        entity: "segment_settings",
        entity_id: org.0,
        customer_id: None,
        lead_id: None,
        action: "updated",
        kind: "settings",
        summary: "Segment thresholds changed".to_string(),
        fields: &changes,
    };
    history::record(c, org, actor, change).await?;
    get(c, org).await
}
