//! What a batch is checked against: the records that exist already (by
//! phone or email, in the database or earlier in the file) and the tags.

use super::Skipped;
use crate::search::{Dynamic, placeholders};
use crate::{Conn, Result};
use hearth_domain::OrgId;
use hearth_domain::import::ImportRow;
use std::collections::{BTreeMap, HashSet};
use uuid::Uuid;

/// Phones and emails of the rows read so far.
#[derive(Default)]
pub(super) struct Seen {
    phones: HashSet<String>,
    emails: HashSet<String>,
}

/// Why `row` is left out, if it is: the first of its phone and email that
/// a stored record or an earlier row has. A row it does not repeat adds
/// its phone and email to `seen`.
pub(super) fn duplicate(
    row: &impl ImportRow,
    known: &[(&str, &str, BTreeMap<String, Uuid>)],
    seen: &mut Seen,
) -> Option<Skipped> {
    for (field, value) in [("phone", row.phone()), ("email", row.email())] {
        let Some(value) = value else { continue };
        let stored = known
            .iter()
            .filter(|(f, _, _)| *f == field)
            .find_map(|(_, what, ids)| ids.get(value).map(|id| (*what, *id)));
        let earlier = match field {
            "phone" => &mut seen.phones,
            _ => &mut seen.emails,
        };
        if stored.is_some() || !earlier.insert(value.to_string()) {
            return Some(Skipped {
                line: row.line(),
                field: field.to_string(),
                existing: stored.map(|(_, id)| id),
                existing_kind: stored.map(|(what, _)| what.to_string()),
            });
        }
    }
    None
}

/// Live records of `table` with one of `values` in `column`: one indexed
/// lookup per batch rather than one per row.
pub(super) async fn existing(
    c: &mut Conn,
    org: OrgId,
    table: &str,
    column: &str,
    values: impl Iterator<Item = &str>,
) -> Result<BTreeMap<String, Uuid>> {
    let values: Vec<sea_query::Value> = values.map(|v| v.to_string().into()).collect();
    if values.is_empty() {
        return Ok(BTreeMap::new());
    }
    let sql = format!(
        "SELECT {column}, id FROM {table} WHERE org_id = $1 AND deleted_at IS NULL AND {column} IN ({})",
        placeholders(2, values.len())
    );
    let mut params: Vec<sea_query::Value> = vec![org.0.into()];
    params.extend(values);
    let rows = c
        .query(&Dynamic(sql, params), |r| {
            Ok((r.get::<String>(0)?, r.get::<Uuid>(1)?))
        })
        .await?;
    Ok(rows.into_iter().collect())
}

pub(super) async fn tag_ids(
    c: &mut Conn,
    org: OrgId,
    mut keys: Vec<String>,
) -> Result<BTreeMap<String, Uuid>> {
    keys.sort();
    keys.dedup();
    if keys.is_empty() {
        return Ok(BTreeMap::new());
    }
    let mut params: Vec<sea_query::Value> = vec![org.0.into()];
    params.extend(keys.iter().map(|v| sea_query::Value::from(v.clone())));
    let rows = c
        .query(
            &Dynamic(
                format!(
                    "SELECT name_key, id FROM tags WHERE org_id = $1 AND deleted_at IS NULL AND name_key IN ({})",
                    placeholders(2, keys.len())
                ),
                params,
            ),
            |r| Ok((r.get::<String>(0)?, r.get::<Uuid>(1)?)),
        )
        .await?;
    Ok(rows.into_iter().collect())
}
