//! CSV import of customers (with a service address and tags), streamed
//! from any reader: [`check`] reads the whole file and reports every
//! problem (the dry run); [`run`] reads it again and, only if it is
//! clean, inserts every row in the caller's one transaction with
//! multi-row statements. Rows whose phone or email an existing customer
//! (or an earlier row of the file) already has are skipped and listed.

use crate::bulk::{self, NewCustomer, NewEvent};
use crate::history::{self, Change};
use crate::orgs::now;
use crate::search::{Dynamic, placeholders};
use crate::{Conn, Raw, Result, StoreError};
use chrono::{DateTime, Utc};
use hearth_domain::history::Actor;
use hearth_domain::import::{ColumnMap, Problem, Row, validate_row};
use hearth_domain::{AddressId, CustomerId, ImportId, OrgId, tags::name_key};
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};
use std::io::Read;
use uuid::Uuid;

/// Rows validated and inserted per batch.
const BATCH: usize = 1000;

/// A row left out because the customer exists already.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Skipped {
    pub line: u64,
    /// `phone` or `email`: what matched.
    pub field: String,
    /// The existing customer, or none when an earlier line of the file has it.
    pub existing: Option<CustomerId>,
}

/// What a file would import: problems make it import nothing.
#[derive(Clone, Debug, Default, Serialize, utoipa::ToSchema)]
pub struct Report {
    /// Data rows read.
    pub rows: u64,
    /// Rows that would be imported.
    pub importable: u64,
    pub skipped: Vec<Skipped>,
    /// Every problem, by line and field; any makes the import refuse.
    pub problems: Vec<Problem>,
}

/// A finished import.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Import {
    pub id: ImportId,
    pub kind: String,
    pub rows_imported: i64,
    pub rows_skipped: i64,
    pub actor_name: String,
    pub created_at: DateTime<Utc>,
    pub reverted_at: Option<DateTime<Utc>>,
}

/// How to read a file.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Header name → field, for columns not named like our fields.
    pub mapping: BTreeMap<String, String>,
    /// The organisation's region, for local phone numbers and countries.
    pub region: String,
}

/// Reads `reader` batch by batch, calling `batch` with the valid rows of
/// each (deduplicated) and `progress` with the bytes read so far.
async fn scan<R: Read>(
    c: &mut Conn,
    org: OrgId,
    reader: R,
    options: &Options,
    progress: &(dyn Fn(u64) + Sync),
    mut batch: impl AsyncBatch,
) -> Result<Report> {
    let mut report = Report::default();
    let mut csv = csv::ReaderBuilder::new().flexible(true).from_reader(reader);
    let header = match csv.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            report.problems.push(csv_problem(&e, 1));
            return Ok(report);
        }
    };
    let header: Vec<&str> = header.iter().collect();
    let map = match ColumnMap::from_header(&header, &options.mapping) {
        Ok(m) => m,
        Err(problems) => {
            report.problems = problems;
            return Ok(report);
        }
    };
    let today = now().date_naive();
    let mut seen_phones = HashSet::new();
    let mut seen_emails = HashSet::new();
    let mut pending: Vec<Row> = Vec::with_capacity(BATCH);
    let mut record = csv::StringRecord::new();
    loop {
        let line = csv.position().line();
        match csv.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                report.rows += 1;
                report.problems.push(csv_problem(&e, line));
                // An encoding error ends only this record; a broken quote
                // leaves the reader out of step, so nothing after it is trusted.
                if matches!(e.kind(), csv::ErrorKind::Utf8 { .. }) {
                    continue;
                }
                break;
            }
        }
        report.rows += 1;
        let line = record.position().map_or(line, |p| p.line());
        let cells: Vec<&str> = record.iter().collect();
        if cells.len() < map.width() {
            report.problems.push(Problem::new(
                line,
                "file",
                format!(
                    "has {} fields; the header has at least {}",
                    cells.len(),
                    map.width()
                ),
            ));
            continue;
        }
        match validate_row(&map, &cells, line, &options.region, today) {
            Ok(row) => pending.push(row),
            Err(problems) => report.problems.extend(problems),
        }
        if pending.len() == BATCH {
            let rows = std::mem::take(&mut pending);
            flush(
                c,
                org,
                rows,
                &mut seen_phones,
                &mut seen_emails,
                &mut report,
                &mut batch,
            )
            .await?;
            progress(csv.position().byte());
        }
    }
    flush(
        c,
        org,
        pending,
        &mut seen_phones,
        &mut seen_emails,
        &mut report,
        &mut batch,
    )
    .await?;
    progress(csv.position().byte());
    Ok(report)
}

fn csv_problem(e: &csv::Error, line: u64) -> Problem {
    let line = e.position().map_or(line, |p| p.line());
    match e.kind() {
        csv::ErrorKind::Utf8 { .. } => Problem::new(
            line,
            "file",
            "is not UTF-8 text (save the file as UTF-8 CSV)",
        ),
        _ => Problem::new(line, "file", format!("cannot be read as CSV: {e}")),
    }
}

/// Called with each batch of valid, new rows.
trait AsyncBatch {
    fn rows<'a>(
        &'a mut self,
        c: &'a mut Conn,
        rows: Vec<Row>,
        tags: &'a BTreeMap<String, Uuid>,
    ) -> futures::future::BoxFuture<'a, Result<()>>;
}

/// The dry run's batch: nothing to write.
struct Nothing;

impl AsyncBatch for Nothing {
    fn rows<'a>(
        &'a mut self,
        _: &'a mut Conn,
        _: Vec<Row>,
        _: &'a BTreeMap<String, Uuid>,
    ) -> futures::future::BoxFuture<'a, Result<()>> {
        Box::pin(async { Ok(()) })
    }
}

/// Drops rows whose customer exists (by phone or email, in the database
/// or earlier in the file), checks their tags exist, then hands the rest on.
async fn flush(
    c: &mut Conn,
    org: OrgId,
    rows: Vec<Row>,
    seen_phones: &mut HashSet<String>,
    seen_emails: &mut HashSet<String>,
    report: &mut Report,
    batch: &mut impl AsyncBatch,
) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let existing_phones = existing(
        c,
        org,
        "phone",
        rows.iter().filter_map(|r| r.customer.phone.clone()),
    )
    .await?;
    let existing_emails = existing(
        c,
        org,
        "email",
        rows.iter().filter_map(|r| r.customer.email.clone()),
    )
    .await?;
    let names: Vec<String> = rows
        .iter()
        .flat_map(|r| r.tags.iter().map(|t| name_key(t)))
        .collect();
    let tags = tag_ids(c, org, names).await?;
    let mut keep = Vec::with_capacity(rows.len());
    for row in rows {
        let mut skip = None;
        for (field, value, known, seen) in [
            (
                "phone",
                &row.customer.phone,
                &existing_phones,
                &mut *seen_phones,
            ),
            (
                "email",
                &row.customer.email,
                &existing_emails,
                &mut *seen_emails,
            ),
        ] {
            let Some(value) = value else { continue };
            if skip.is_some() {
                continue;
            }
            if let Some(id) = known.get(value) {
                skip = Some((field, Some(*id)));
            } else if !seen.insert(value.clone()) {
                skip = Some((field, None));
            }
        }
        if let Some((field, existing)) = skip {
            report.skipped.push(Skipped {
                line: row.line,
                field: field.to_string(),
                existing,
            });
            continue;
        }
        for tag in &row.tags {
            if !tags.contains_key(&name_key(tag)) {
                report.problems.push(Problem::new(
                    row.line,
                    "tags",
                    format!("no tag is called “{tag}”; create it under Settings → Tags first"),
                ));
            }
        }
        keep.push(row);
    }
    report.importable += keep.len() as u64;
    if report.problems.is_empty() {
        batch.rows(c, keep, &tags).await?;
    }
    Ok(())
}

async fn existing(
    c: &mut Conn,
    org: OrgId,
    column: &str,
    values: impl Iterator<Item = String>,
) -> Result<BTreeMap<String, CustomerId>> {
    let values: Vec<String> = values.collect();
    if values.is_empty() {
        return Ok(BTreeMap::new());
    }
    let mut params: Vec<sea_query::Value> = vec![org.0.into()];
    params.extend(values.iter().map(|v| sea_query::Value::from(v.clone())));
    let rows = c
        .query(
            &Dynamic(
                format!(
                    "SELECT {column}, id FROM customers WHERE org_id = $1 AND deleted_at IS NULL AND {column} IN ({})",
                    placeholders(2, values.len())
                ),
                params,
            ),
            |r| Ok((r.get::<String>(0)?, r.get::<CustomerId>(1)?)),
        )
        .await?;
    Ok(rows.into_iter().collect())
}

async fn tag_ids(
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

/// The dry run: reads everything, writes nothing.
pub async fn check<R: Read>(
    c: &mut Conn,
    org: OrgId,
    reader: R,
    options: &Options,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Report> {
    scan(c, org, reader, options, progress, Nothing).await
}

/// Inserts a batch: customers (indexed for search), addresses, tags and
/// a `created` timeline entry each, all marked with the import.
struct Insert {
    org: OrgId,
    import: ImportId,
    actor: Actor,
    at: DateTime<Utc>,
}

impl AsyncBatch for Insert {
    fn rows<'a>(
        &'a mut self,
        c: &'a mut Conn,
        rows: Vec<Row>,
        tags: &'a BTreeMap<String, Uuid>,
    ) -> futures::future::BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            let customers: Vec<NewCustomer> = rows
                .iter()
                .map(|r| NewCustomer {
                    id: CustomerId::new(),
                    fields: r.customer.clone(),
                    created_at: self.at,
                })
                .collect();
            bulk::insert_customer_rows(c, self.org, Some(self.import), &customers).await?;
            let mut addresses = Vec::new();
            let mut links = Vec::new();
            for (row, customer) in rows.iter().zip(&customers) {
                if let Some(a) = &row.address {
                    addresses.push((customer.id, a));
                }
                for t in &row.tags {
                    if let Some(tag) = tags.get(&name_key(t)) {
                        links.push((customer.id, *tag));
                    }
                }
            }
            for part in addresses.chunks(300) {
                let mut values: Vec<sea_query::Value> = Vec::new();
                let mut tuples = Vec::new();
                for (customer, a) in part {
                    let n = values.len();
                    tuples.push(format!(
                        "(${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, 1, ${}, ${})",
                        n + 1,
                        n + 2,
                        n + 3,
                        n + 4,
                        n + 5,
                        n + 6,
                        n + 7,
                        n + 8,
                        n + 9,
                        n + 10,
                        n + 11,
                        n + 12,
                        n + 12
                    ));
                    values.extend([
                        AddressId::new().0.into(),
                        self.org.0.into(),
                        customer.0.into(),
                        a.line1.clone().into(),
                        a.line2.clone().into(),
                        a.city.clone().into(),
                        a.region.clone().into(),
                        a.postal_code.clone().into(),
                        a.country.clone().into(),
                        a.access_instructions.clone().into(),
                        true.into(),
                        self.at.into(),
                    ]);
                }
                c.execute(&Dynamic(
                    format!(
                        "INSERT INTO addresses (id, org_id, customer_id, line1, line2, city, region, postal_code, \
                         country, access_instructions, is_primary, version, created_at, updated_at) VALUES {}",
                        tuples.join(", ")
                    ),
                    values,
                ))
                .await?;
            }
            for part in links.chunks(500) {
                let mut values: Vec<sea_query::Value> = Vec::new();
                let mut tuples = Vec::new();
                for (customer, tag) in part {
                    let n = values.len();
                    tuples.push(format!("(${}, ${}, ${}, ${})", n + 1, n + 2, n + 3, n + 4));
                    values.extend([
                        self.org.0.into(),
                        customer.0.into(),
                        (*tag).into(),
                        self.at.into(),
                    ]);
                }
                c.execute(&Dynamic(
                    format!(
                        "INSERT INTO customer_tags (org_id, customer_id, tag_id, added_at) VALUES {}",
                        tuples.join(", ")
                    ),
                    values,
                ))
                .await?;
            }
            // Indexed once the addresses (part of the document) are in.
            let ids: Vec<CustomerId> = customers.iter().map(|cu| cu.id).collect();
            crate::search::reindex_customers(c, self.org, &ids).await?;
            let events: Vec<NewEvent> = customers
                .iter()
                .map(|cu| NewEvent {
                    customer_id: cu.id,
                    kind: "profile",
                    action: "customer.imported",
                    summary: format!("Customer {} imported from CSV", cu.fields.display_name()),
                    at: self.at,
                })
                .collect();
            bulk::insert_events(c, self.org, &self.actor, &events).await
        })
    }
}

/// Imports a file in the caller's transaction: all rows or, when any
/// problem is found, none: the error is then
/// [`StoreError::ImportProblems`], and the unit of work rolls back.
pub async fn run<R: Read>(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    reader: R,
    options: &Options,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<(Import, Report)> {
    let id = ImportId::new();
    let at = now();
    c.execute(&Raw(
        "INSERT INTO imports (id, org_id, kind, rows_imported, rows_skipped, actor_name, created_at) \
         VALUES ($1, $2, 'customers', 0, 0, $3, $4)",
        vec![id.0.into(), org.0.into(), actor.name.clone().into(), at.into()],
    ))
    .await?;
    let insert = Insert {
        org,
        import: id,
        actor: actor.clone(),
        at,
    };
    let report = scan(c, org, reader, options, progress, insert).await?;
    if !report.problems.is_empty() {
        return Err(StoreError::ImportProblems(Box::new(report)));
    }
    c.execute(&Raw(
        "UPDATE imports SET rows_imported = $1, rows_skipped = $2 WHERE id = $3 AND org_id = $4",
        vec![
            (report.importable as i64).into(),
            (report.skipped.len() as i64).into(),
            id.0.into(),
            org.0.into(),
        ],
    ))
    .await?;
    let summary = format!("Imported {} customers from CSV", report.importable);
    history::record(
        c,
        org,
        actor,
        Change {
            entity: "import",
            entity_id: id.0,
            customer_id: None,
            lead_id: None,
            action: "created",
            kind: "import",
            summary,
            fields: &[],
        },
    )
    .await?;
    Ok((get(c, org, id).await?, report))
}

pub async fn get(c: &mut Conn, org: OrgId, id: ImportId) -> Result<Import> {
    c.query_one(
        &Raw(
            "SELECT id, kind, rows_imported, rows_skipped, actor_name, created_at, reverted_at FROM imports \
             WHERE id = $1 AND org_id = $2",
            vec![id.0.into(), org.0.into()],
        ),
        |r| {
            Ok(Import {
                id: r.get(0)?,
                kind: r.get(1)?,
                rows_imported: r.get(2)?,
                rows_skipped: r.get(3)?,
                actor_name: r.get(4)?,
                created_at: r.get(5)?,
                reverted_at: r.get(6)?,
            })
        },
    )
    .await
}

/// Reverts a finished import: every customer it created goes to the bin
/// (soft delete, so each can still be restored) and leaves search.
pub async fn revert(c: &mut Conn, org: OrgId, actor: &Actor, id: ImportId) -> Result<Import> {
    let import = get(c, org, id).await?;
    if import.reverted_at.is_some() {
        return Err(StoreError::Refused(
            "this import has already been reverted".into(),
        ));
    }
    let at = now();
    let ids = c
        .query(
            &Raw(
                "SELECT id FROM customers WHERE org_id = $1 AND import_id = $2 AND deleted_at IS NULL",
                vec![org.0.into(), id.0.into()],
            ),
            |r| r.get::<CustomerId>(0),
        )
        .await?;
    c.execute(&Raw(
        "UPDATE customers SET deleted_at = $1, version = version + 1, updated_at = $1 \
         WHERE org_id = $2 AND import_id = $3 AND deleted_at IS NULL",
        vec![at.into(), org.0.into(), id.0.into()],
    ))
    .await?;
    crate::search::reindex_customers(c, org, &ids).await?;
    c.execute(&Raw(
        "UPDATE imports SET reverted_at = $1 WHERE id = $2 AND org_id = $3",
        vec![at.into(), id.0.into(), org.0.into()],
    ))
    .await?;
    history::record(
        c,
        org,
        actor,
        Change {
            entity: "import",
            entity_id: id.0,
            customer_id: None,
            lead_id: None,
            action: "reverted",
            kind: "import",
            summary: format!("Reverted an import of {} customers", ids.len()),
            fields: &[],
        },
    )
    .await?;
    get(c, org, id).await
}
