//! What the child records of a customer (contacts, addresses, equipment)
//! share: checking the customer they hang from, and paging by id.

use crate::page;
use crate::{Conn, Engine, Raw, Result};
use hearth_domain::history::FieldChange;
use hearth_domain::{CustomerId, Invalid, OrgId};
use uuid::Uuid;

/// The live customer a child record is written under, or `NotFound`. On
/// PostgreSQL its row stays locked until the transaction ends, so
/// concurrent changes to one customer's records take turns ("exactly one
/// primary address" holds); SQLite writers take turns already.
pub(crate) async fn lock_live(c: &mut Conn, org: OrgId, customer: CustomerId) -> Result<()> {
    let sql = match c.engine() {
        Engine::Sqlite => {
            "SELECT id FROM customers WHERE id = $1 AND org_id = $2 AND deleted_at IS NULL"
        }
        Engine::Postgres => {
            "SELECT id FROM customers WHERE id = $1 AND org_id = $2 AND deleted_at IS NULL FOR UPDATE"
        }
    };
    c.query_one(&Raw(sql, vec![customer.0.into(), org.0.into()]), |r| {
        r.get::<CustomerId>(0)
    })
    .await
    .map(drop)
}

/// A customer of this organisation, deleted or not: the records of a
/// customer in the bin stay readable.
pub(crate) async fn exists(c: &mut Conn, org: OrgId, customer: CustomerId) -> Result<()> {
    c.query_one(
        &Raw(
            "SELECT id FROM customers WHERE id = $1 AND org_id = $2",
            vec![customer.0.into(), org.0.into()],
        ),
        |r| r.get::<CustomerId>(0),
    )
    .await
    .map(drop)
}

/// The key of a cursor this server handed out, or a 422 naming `cursor`.
pub(crate) fn cursor<K: serde::de::DeserializeOwned>(cursor: Option<&str>) -> Result<Option<K>> {
    cursor
        .map(|c| {
            page::decode(c)
                .ok_or_else(|| Invalid::field("cursor", "is not a cursor from this list").into())
        })
        .transpose()
}

/// The key of an id-ordered list's cursor; the nil id sorts before every
/// UUIDv7, so the first page needs no separate statement.
pub(crate) fn after_id(raw: Option<&str>) -> Result<Uuid> {
    Ok(cursor::<Uuid>(raw)?.unwrap_or(Uuid::nil()))
}

/// "phone, access instructions": the changed fields, for a timeline line.
pub(crate) fn changed(changes: &[FieldChange]) -> String {
    changes
        .iter()
        .map(|c| c.field.replace('_', " "))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Serialises a record's editable fields for the audit log, plus extra
/// fields kept outside them (a primary flag, a parent id).
pub(crate) fn audited<T: serde::Serialize>(
    fields: &T,
    extra: &[(&str, serde_json::Value)],
) -> serde_json::Value {
    let mut value = serde_json::to_value(fields).unwrap_or_default();
    if let Some(map) = value.as_object_mut() {
        for (k, v) in extra {
            map.insert((*k).to_string(), v.clone());
        }
    }
    value
}
