//! An organisation's reminder settings: how many days ahead each kind is
//! raised, whether staff also get it by email, and which reminders go to
//! customers with what text. One row per organisation; none until first
//! saved, which reads as the defaults.

use crate::orgs::now;
use crate::{Conn, Raw, Result, Row, StoreError};
use hearth_domain::OrgId;
use hearth_domain::history::Actor;
use hearth_domain::reminders::{
    CustomerKinds, CustomerMessage, ReminderSettings, ReminderSettingsPatch,
};

fn settings_row(r: &Row) -> Result<ReminderSettings> {
    let defaults = ReminderSettings::default();
    // NULL is the built-in text.
    let text = |i: usize, default: &String| -> Result<String> {
        Ok(r.get::<Option<String>>(i)?
            .unwrap_or_else(|| default.clone()))
    };
    let message = |first: usize, default: &CustomerMessage| -> Result<CustomerMessage> {
        Ok(CustomerMessage {
            email_subject: text(first, &default.email_subject)?,
            email_body: text(first + 1, &default.email_body)?,
            sms_body: text(first + 2, &default.sms_body)?,
        })
    };
    Ok(ReminderSettings {
        warranty_days: r.get(0)?,
        membership_days: r.get(1)?,
        follow_up_days: r.get(2)?,
        version: r.get(3)?,
        email_staff: r.get(4)?,
        notify_customers: CustomerKinds {
            warranty_expiring: r.get(5)?,
            membership_renewal: r.get(6)?,
        },
        customer_messages: CustomerKinds {
            warranty_expiring: message(7, &defaults.customer_messages.warranty_expiring)?,
            membership_renewal: message(10, &defaults.customer_messages.membership_renewal)?,
        },
    })
}

pub async fn settings(c: &mut Conn, org: OrgId) -> Result<ReminderSettings> {
    Ok(c
        .query_opt(
            &Raw(
                "SELECT warranty_days, membership_days, follow_up_days, version, email_staff, \
                 notify_warranty, notify_membership, warranty_email_subject, warranty_email_body, \
                 warranty_sms_body, membership_email_subject, membership_email_body, membership_sms_body \
                 FROM reminder_settings WHERE org_id = $1",
                vec![org.0.into()],
            ),
            settings_row,
        )
        .await?
        .unwrap_or_default())
}

pub async fn update_settings(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    patch: &ReminderSettingsPatch,
) -> Result<ReminderSettings> {
    let current = settings(c, org).await?;
    if current.version != patch.version {
        return Err(StoreError::Conflict {
            current_version: current.version,
        });
    }
    let next = current.patched(patch)?;
    let view = |s: &ReminderSettings| {
        let mut v = serde_json::to_value(s).unwrap_or_default();
        if let Some(m) = v.as_object_mut() {
            m.remove("version");
        }
        v
    };
    let changes = hearth_domain::history::diff(&view(&current), &view(&next));
    if changes.is_empty() {
        return Ok(current);
    }
    let (w, m) = (
        &next.customer_messages.warranty_expiring,
        &next.customer_messages.membership_renewal,
    );
    let n = c
        .execute(&Raw(
            "INSERT INTO reminder_settings (org_id, warranty_days, membership_days, follow_up_days, \
             email_staff, notify_warranty, notify_membership, warranty_email_subject, warranty_email_body, \
             warranty_sms_body, membership_email_subject, membership_email_body, membership_sms_body, \
             version, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 1, $14) \
             ON CONFLICT (org_id) DO UPDATE SET warranty_days = $2, membership_days = $3, \
             follow_up_days = $4, email_staff = $5, notify_warranty = $6, notify_membership = $7, \
             warranty_email_subject = $8, warranty_email_body = $9, warranty_sms_body = $10, \
             membership_email_subject = $11, membership_email_body = $12, membership_sms_body = $13, \
             version = reminder_settings.version + 1, updated_at = $14 \
             WHERE reminder_settings.version = $15",
            vec![
                org.0.into(),
                next.warranty_days.into(),
                next.membership_days.into(),
                next.follow_up_days.into(),
                next.email_staff.into(),
                next.notify_customers.warranty_expiring.into(),
                next.notify_customers.membership_renewal.into(),
                w.email_subject.clone().into(),
                w.email_body.clone().into(),
                w.sms_body.clone().into(),
                m.email_subject.clone().into(),
                m.email_body.clone().into(),
                m.sms_body.clone().into(),
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
    crate::history::record(
        c,
        org,
        actor,
        crate::history::Change {
            entity: "reminder_settings",
            entity_id: org.0,
            customer_id: None,
            lead_id: None,
            action: "updated",
            kind: "settings",
            summary: "Reminder settings changed".to_string(),
            fields: &changes,
        },
    )
    .await?;
    settings(c, org).await
}
