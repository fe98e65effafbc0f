//! CSV exports of customers, leads and a segment's members, a page at a
//! time, so a caller can stream any number of rows without holding them:
//! each page is one short read, continuing after the last row's sort key.

use crate::page;
use crate::search::{Dynamic, placeholders};
use crate::{Conn, Result, StoreError};
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use hearth_domain::leads::money::money_input;
use hearth_domain::segments::filter::Filter;
use hearth_domain::{CustomerId, Invalid, OrgId};
use std::collections::HashMap;
use uuid::Uuid;

/// Rows per page of an export.
pub const PAGE: u64 = 2000;

/// What an export lists.
#[derive(Clone, Debug)]
pub enum Export {
    /// Live customers in name order.
    Customers,
    /// Live leads, oldest first.
    Leads,
    /// A segment's members in id order, with bookings and spending.
    Segment(Filter),
}

/// The columns of a customer export, in order; an import reads the same.
const CUSTOMER_COLUMNS: [&str; 9] = [
    "id",
    "first_name",
    "last_name",
    "business_name",
    "email",
    "phone",
    "preferred_contact_method",
    "customer_since",
    "created_at",
];

/// The columns of a lead export; a lead import reads the same names.
const LEAD_COLUMNS: [&str; 19] = [
    "id",
    "first_name",
    "last_name",
    "business_name",
    "email",
    "phone",
    "service_address",
    "source",
    "owner",
    "value",
    "currency",
    "expected_close_date",
    "pipeline",
    "stage",
    "tags",
    "notes",
    "lost_reason",
    "score",
    "created_at",
];

const SEGMENT_COLUMNS: [&str; 8] = [
    "id",
    "name",
    "email",
    "phone",
    "bookings",
    "last_booking_at",
    "lifetime_value_minor",
    "membership",
];

/// Where the next page starts (an opaque cursor, as in list paging).
pub type After = String;

/// One page of lines: each cell already defused where it is free text.
type Lines = Vec<Vec<String>>;

impl Export {
    pub fn columns(&self) -> &'static [&'static str] {
        match self {
            Export::Customers => &CUSTOMER_COLUMNS,
            Export::Leads => &LEAD_COLUMNS,
            Export::Segment(_) => &SEGMENT_COLUMNS,
        }
    }
}

/// The header line.
pub fn header(export: &Export) -> Result<Vec<u8>> {
    let columns: Vec<String> = export.columns().iter().map(|c| c.to_string()).collect();
    write(&[columns])
}

/// RFC 4180 lines (CRLF, quoted where needed).
fn write(lines: &[Vec<String>]) -> Result<Vec<u8>> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    for cells in lines {
        w.write_record(cells)
            .map_err(|e| StoreError::Io(e.to_string()))?;
    }
    w.into_inner().map_err(|e| StoreError::Io(e.to_string()))
}

/// Free text that a spreadsheet would run as a formula (`=`, `+`, `-`,
/// `@` first) gets a leading apostrophe (OWASP CSV injection). Stored
/// phones are E.164 digits and dates are ISO, so they pass unchanged.
fn defuse(text: String) -> String {
    let looks_numeric = text.len() > 1 && text[1..].chars().all(|c| c.is_ascii_digit());
    match text.chars().next() {
        Some('=' | '@' | '\t' | '\r') => format!("'{text}"),
        Some('+' | '-') if !looks_numeric => format!("'{text}"),
        _ => text,
    }
}

fn text(value: Option<String>) -> String {
    defuse(value.unwrap_or_default())
}

fn time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn bad_cursor() -> StoreError {
    Invalid::field("cursor", "is not a cursor from this export").into()
}

/// One page of `export` as CSV lines, and the cursor of the next page
/// (`None` at the end).
pub async fn page(
    c: &mut Conn,
    org: OrgId,
    export: &Export,
    after: Option<&After>,
) -> Result<(Vec<u8>, Option<After>)> {
    let (lines, next) = match export {
        Export::Customers => customers(c, org, after).await?,
        Export::Leads => leads(c, org, after).await?,
        Export::Segment(filter) => segment(c, org, filter, after).await?,
    };
    Ok((write(&lines)?, next))
}

async fn customers(
    c: &mut Conn,
    org: OrgId,
    after: Option<&After>,
) -> Result<(Lines, Option<After>)> {
    let mut params: Vec<sea_query::Value> = vec![org.0.into(), ((PAGE + 1) as i64).into()];
    let mut after_sql = "";
    if let Some(after) = after {
        let (name, id): (String, Uuid) = page::decode(after).ok_or_else(bad_cursor)?;
        params.extend([name.into(), id.into()]);
        after_sql = "AND (sort_name, id) > ($3, $4)";
    }
    let sql = format!(
        "SELECT id, first_name, last_name, business_name, email, phone, preferred_contact_method, \
         customer_since, created_at, sort_name FROM customers \
         WHERE org_id = $1 AND deleted_at IS NULL {after_sql} ORDER BY sort_name, id LIMIT $2"
    );
    let rows = c
        .query(&Dynamic(sql, params), |r| {
            let id: Uuid = r.get(0)?;
            let cells = vec![
                id.to_string(),
                text(r.get(1)?),
                text(r.get(2)?),
                text(r.get(3)?),
                text(r.get(4)?),
                text(r.get(5)?),
                text(r.get(6)?),
                r.get::<NaiveDate>(7)?.to_string(),
                r.get::<DateTime<Utc>>(8)?.to_rfc3339(),
            ];
            Ok((cells, (r.get::<String>(9)?, id)))
        })
        .await?;
    let page = page::finish(rows, PAGE, |(_, key)| key.clone());
    Ok((
        page.items.into_iter().map(|(cells, _)| cells).collect(),
        page.next_cursor,
    ))
}

async fn leads(c: &mut Conn, org: OrgId, after: Option<&After>) -> Result<(Lines, Option<After>)> {
    let mut params: Vec<sea_query::Value> = vec![org.0.into(), ((PAGE + 1) as i64).into()];
    let mut after_sql = "";
    if let Some(after) = after {
        let (at, id): (DateTime<Utc>, Uuid) = page::decode(after).ok_or_else(bad_cursor)?;
        params.extend([at.into(), id.into()]);
        after_sql = "AND (l.created_at, l.id) > ($3, $4)";
    }
    // Served by leads_recent (org_id, created_at, id) in order; the joins
    // are primary-key probes.
    let sql = format!(
        "SELECT l.id, l.first_name, l.last_name, l.business_name, l.email, l.phone, \
         l.service_address, l.source, u.email, l.value_minor, l.currency, l.expected_close_date, \
         p.name, s.name, l.notes, l.lost_reason, l.score, l.created_at \
         FROM leads l \
         JOIN pipelines p ON p.id = l.pipeline_id AND p.org_id = l.org_id \
         JOIN pipeline_stages s ON s.id = l.stage_id AND s.org_id = l.org_id \
         LEFT JOIN users u ON u.id = l.owner_id AND u.org_id = l.org_id \
         WHERE l.org_id = $1 AND l.deleted_at IS NULL {after_sql} \
         ORDER BY l.created_at, l.id LIMIT $2"
    );
    let rows = c
        .query(&Dynamic(sql, params), |r| {
            let id: Uuid = r.get(0)?;
            let created_at: DateTime<Utc> = r.get(17)?;
            let currency: String = r.get(10)?;
            let cells = vec![
                id.to_string(),
                text(r.get(1)?),
                text(r.get(2)?),
                text(r.get(3)?),
                text(r.get(4)?),
                text(r.get(5)?),
                text(r.get(6)?),
                r.get::<String>(7)?,
                text(r.get(8)?),
                money_input(r.get(9)?, &currency),
                currency,
                r.get::<Option<NaiveDate>>(11)?
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
                text(r.get(12)?),
                text(r.get(13)?),
                String::new(),
                text(r.get(14)?),
                text(r.get(15)?),
                r.get::<i64>(16)?.to_string(),
                time(created_at),
            ];
            Ok((cells, (created_at, id)))
        })
        .await?;
    let mut page = page::finish(rows, PAGE, |(_, key)| *key);
    let ids: Vec<Uuid> = page.items.iter().map(|(_, (_, id))| *id).collect();
    let tags = lead_tags(c, org, &ids).await?;
    for (cells, (_, id)) in &mut page.items {
        if let Some(names) = tags.get(id) {
            cells[14] = defuse(names.join("; "));
        }
    }
    Ok((
        page.items.into_iter().map(|(cells, _)| cells).collect(),
        page.next_cursor,
    ))
}

/// The live tag names of each lead, by name.
async fn lead_tags(c: &mut Conn, org: OrgId, ids: &[Uuid]) -> Result<HashMap<Uuid, Vec<String>>> {
    let mut tags: HashMap<Uuid, Vec<String>> = HashMap::new();
    for part in ids.chunks(1000) {
        let mut params: Vec<sea_query::Value> = vec![org.0.into()];
        params.extend(part.iter().map(|id| sea_query::Value::from(*id)));
        let sql = format!(
            "SELECT lt.lead_id, t.name FROM lead_tags lt \
             JOIN tags t ON t.id = lt.tag_id AND t.org_id = lt.org_id \
             WHERE lt.org_id = $1 AND t.deleted_at IS NULL AND lt.lead_id IN ({}) \
             ORDER BY t.name",
            placeholders(2, part.len())
        );
        let rows = c
            .query(&Dynamic(sql, params), |r| {
                Ok((r.get::<Uuid>(0)?, r.get::<String>(1)?))
            })
            .await?;
        for (lead, name) in rows {
            tags.entry(lead).or_default().push(name);
        }
    }
    Ok(tags)
}

async fn segment(
    c: &mut Conn,
    org: OrgId,
    filter: &Filter,
    after: Option<&After>,
) -> Result<(Lines, Option<After>)> {
    let after: Option<CustomerId> = match after {
        Some(a) => Some(page::decode(a).ok_or_else(bad_cursor)?),
        None => None,
    };
    let page = crate::segments::members(c, org, filter, after, PAGE).await?;
    let lines = page
        .items
        .into_iter()
        .map(|m| {
            vec![
                m.id.to_string(),
                defuse(m.name),
                text(m.email),
                text(m.phone),
                m.bookings.to_string(),
                m.last_booking_at.map(time).unwrap_or_default(),
                m.lifetime_value_minor.to_string(),
                m.membership,
            ]
        })
        .collect();
    Ok((lines, page.next_cursor))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_and_formulas_defused() {
        let cells: Vec<String> = [
            "plain",
            "a,b",
            "say \"hi\"",
            "=HYPERLINK(\"x\")",
            "+15125550188",
            "two\nlines",
            "-5 off",
        ]
        .into_iter()
        .map(|s| defuse(s.to_string()))
        .collect();
        let out = String::from_utf8(write(&[cells]).unwrap()).unwrap();
        assert_eq!(
            out,
            "plain,\"a,b\",\"say \"\"hi\"\"\",\"'=HYPERLINK(\"\"x\"\")\",+15125550188,\"two\nlines\",'-5 off\r\n"
        );
    }
}
