//! CSV import of customers or leads, streamed from any reader: [`check`]
//! reads the whole file and reports every problem (the dry run); [`run`]
//! reads it again and, only if it is clean, inserts every row in the
//! caller's one transaction with multi-row statements. Rows whose phone or
//! email an existing record (or an earlier row of the file) already has
//! are skipped and listed. One pipeline serves every kind; a [`Target`]
//! says how a kind's rows are read, resolved, written and reverted.

mod customers;
mod leads;
mod lookups;
mod records;
mod runs;

use crate::orgs::now;
use crate::{Conn, Engine, Raw, Result, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use hearth_domain::history::Actor;
use hearth_domain::import::{ColumnMap, ImportRow, Kind, Problem};
use hearth_domain::{ImportId, OrgId, tags::name_key};
use lookups::{Seen, duplicate, existing, tag_ids};
use records::audit;
pub use records::{Import, Lease, get, list, revert};
pub use runs::{Failure, begin, fail, interrupt_abandoned, renew};
use serde::Serialize;
use std::collections::BTreeMap;
use std::future::Future;
use std::io::Read;
use uuid::Uuid;

/// Rows validated and inserted per batch.
const BATCH: usize = 1000;

/// A row left out because its record exists already.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Skipped {
    pub line: u64,
    /// `phone` or `email`: what matched.
    pub field: String,
    /// The existing record, or none when an earlier line of the file has it.
    #[schema(value_type = Option<String>, format = Uuid)]
    pub existing: Option<Uuid>,
    /// `customer` or `lead`: what the existing record is.
    pub existing_kind: Option<String>,
}

/// What a file would import: problems make it import nothing.
#[derive(Clone, Debug, Default, Serialize, utoipa::ToSchema)]
pub struct Report {
    /// How the header was read: each column with the field it fills, or
    /// none when it is ignored.
    pub columns: Vec<Column>,
    /// Data rows read.
    pub rows: u64,
    /// Rows that would be imported.
    pub importable: u64,
    pub skipped: Vec<Skipped>,
    /// Every problem, by line and field; any makes the import refuse.
    pub problems: Vec<Problem>,
}

/// A column of the file's header and the field it fills.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
#[schema(as = ImportColumn)]
pub struct Column {
    pub column: String,
    pub field: Option<&'static str>,
}

/// How far a read has come: data rows and bytes of the file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    pub rows: u64,
    pub bytes: u64,
}

/// How to read a file.
#[derive(Clone, Debug, Default)]
pub struct Options {
    pub kind: Kind,
    /// Header name → field, for columns not named like our fields.
    pub mapping: BTreeMap<String, String>,
    /// The organisation's region, for local phone numbers and countries.
    pub region: String,
}

/// Who a run writes as, and the one time all its records carry.
struct Writing {
    import: ImportId,
    actor: Actor,
    at: DateTime<Utc>,
}

/// What one kind of file brings in.
trait Target: Send {
    type Row: ImportRow + Send + Sync;
    /// The tables whose live records a row repeats by phone or email, each
    /// with what its records are called.
    const DUPLICATES: &'static [(&'static str, &'static str)];

    fn validate(
        &self,
        map: &ColumnMap,
        cells: &[&str],
        line: u64,
        region: &str,
        today: NaiveDate,
    ) -> std::result::Result<Self::Row, Vec<Problem>>;

    /// Problems only the database shows (an unknown owner or stage).
    fn resolve(
        &mut self,
        c: &mut Conn,
        org: OrgId,
        rows: &[Self::Row],
        problems: &mut Vec<Problem>,
    ) -> impl Future<Output = Result<()>> + Send;

    /// Writes a batch of resolved rows with their timeline entries.
    fn insert(
        &mut self,
        c: &mut Conn,
        org: OrgId,
        writing: &Writing,
        rows: Vec<Self::Row>,
        tags: &BTreeMap<String, Uuid>,
    ) -> impl Future<Output = Result<()>> + Send;
}

/// Reads `reader` batch by batch: validates, drops duplicates, resolves,
/// and (when `writing`) inserts each batch; calls `progress` with the bytes
/// read so far.
async fn scan<R: Read, T: Target>(
    c: &mut Conn,
    org: OrgId,
    reader: R,
    options: &Options,
    progress: &(dyn Fn(Progress) + Sync),
    mut target: T,
    writing: Option<&Writing>,
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
    let map = match ColumnMap::from_header(options.kind, &header, &options.mapping) {
        Ok(m) => m,
        Err(problems) => {
            report.problems = problems;
            return Ok(report);
        }
    };
    report.columns = header
        .iter()
        .enumerate()
        .map(|(i, name)| Column {
            column: name.to_string(),
            field: map.field_of(i),
        })
        .collect();
    let today = now().date_naive();
    let mut seen = Seen::default();
    let mut pending: Vec<T::Row> = Vec::with_capacity(BATCH);
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
        match target.validate(&map, &cells, line, &options.region, today) {
            Ok(row) => pending.push(row),
            Err(problems) => report.problems.extend(problems),
        }
        if pending.len() == BATCH {
            let rows = std::mem::take(&mut pending);
            flush(c, org, rows, &mut seen, &mut report, &mut target, writing).await?;
            progress(Progress {
                rows: report.rows,
                bytes: csv.position().byte(),
            });
        }
    }
    flush(
        c,
        org,
        pending,
        &mut seen,
        &mut report,
        &mut target,
        writing,
    )
    .await?;
    progress(Progress {
        rows: report.rows,
        bytes: csv.position().byte(),
    });
    // Batches report what the database shows after the rows they hold.
    report.problems.sort_by_key(|p| p.line);
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

/// Drops rows whose record exists (by phone or email, in the database or
/// earlier in the file), checks their tags exist and the target resolves
/// them, then, when writing and nothing is wrong so far, inserts the rest.
async fn flush<T: Target>(
    c: &mut Conn,
    org: OrgId,
    rows: Vec<T::Row>,
    seen: &mut Seen,
    report: &mut Report,
    target: &mut T,
    writing: Option<&Writing>,
) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    // (field, what the table holds, value → existing id)
    let mut known = Vec::new();
    for (table, what) in T::DUPLICATES {
        let phones = rows.iter().filter_map(|r| r.phone());
        known.push((
            "phone",
            *what,
            existing(c, org, table, "phone", phones).await?,
        ));
        let emails = rows.iter().filter_map(|r| r.email());
        known.push((
            "email",
            *what,
            existing(c, org, table, "email", emails).await?,
        ));
    }
    let names: Vec<String> = rows
        .iter()
        .flat_map(|r| r.tags().iter().map(|t| name_key(t)))
        .collect();
    let tags = tag_ids(c, org, names).await?;
    let mut keep = Vec::with_capacity(rows.len());
    for row in rows {
        if let Some(skip) = duplicate(&row, &known, seen) {
            report.skipped.push(skip);
            continue;
        }
        for tag in row.tags() {
            if !tags.contains_key(&name_key(tag)) {
                report.problems.push(Problem::new(
                    row.line(),
                    "tags",
                    format!("no tag is called “{tag}”; create it under Settings → Tags first"),
                ));
            }
        }
        keep.push(row);
    }
    target.resolve(c, org, &keep, &mut report.problems).await?;
    report.importable += keep.len() as u64;
    if let Some(writing) = writing
        && report.problems.is_empty()
    {
        target.insert(c, org, writing, keep, &tags).await?;
    }
    Ok(())
}

/// Reads a file through the target of its kind.
async fn scan_kind<R: Read>(
    c: &mut Conn,
    org: OrgId,
    reader: R,
    options: &Options,
    progress: &(dyn Fn(Progress) + Sync),
    writing: Option<&Writing>,
) -> Result<Report> {
    // PostgreSQL plans a prepared statement once for any values after five
    // runs, and with statistics a bulk load has just made stale that plan
    // scanned the whole organisation for each batch's phones (63 ms instead
    // of 2 ms per lookup at 100k customers): plan each batch with its
    // values. Inside a run's transaction a rollback undoes the setting too.
    let postgres = c.engine() == Engine::Postgres;
    let bulk_cache = c.engine() == Engine::Sqlite && writing.is_some();
    if postgres {
        c.batch("SET plan_cache_mode = force_custom_plan").await?;
    }
    if bulk_cache {
        c.batch(&crate::engine::cache_pragma(true)).await?;
    }
    let report = match options.kind {
        Kind::Customers => {
            let target = customers::Customers;
            scan(c, org, reader, options, progress, target, writing).await
        }
        Kind::Leads => match leads::Leads::load(c, org, writing.map(|w| &w.actor)).await {
            Ok(target) => scan(c, org, reader, options, progress, target, writing).await,
            Err(e) => Err(e),
        },
    };
    if postgres {
        // After an error in a run the transaction is aborted (and its
        // rollback undoes the setting), so only a clean scan's reset counts.
        let reset = c.batch("RESET plan_cache_mode").await;
        if report.is_ok() {
            reset?;
        }
    }
    if bulk_cache {
        c.batch(&crate::engine::cache_pragma(false)).await?;
    }
    report
}

/// The dry run: reads everything, writes nothing.
pub async fn check<R: Read>(
    c: &mut Conn,
    org: OrgId,
    reader: R,
    options: &Options,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<Report> {
    scan_kind(c, org, reader, options, progress, None).await
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
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<(Import, Report)> {
    let import = begin(c, org, actor, options.kind, None, None).await?;
    run_begun(c, org, actor, import.id, reader, options, progress).await
}

/// [`run`] for an import [`begin`] has recorded as `running` (in a
/// transaction of its own, so others see it running): marks it `done` in
/// the caller's transaction, which commits the rows and the status
/// together.
pub async fn run_begun<R: Read>(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    id: ImportId,
    reader: R,
    options: &Options,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<(Import, Report)> {
    let writing = Writing {
        import: id,
        actor: actor.clone(),
        at: now(),
    };
    let report = scan_kind(c, org, reader, options, progress, Some(&writing)).await?;
    if !report.problems.is_empty() {
        return Err(StoreError::ImportProblems(Box::new(report)));
    }
    let finished = c
        .execute(&Raw(
            "UPDATE imports SET status = 'done', rows_imported = $1, rows_skipped = $2, \
             rows_read = $3, finished_at = $4, lease_until = NULL \
             WHERE id = $5 AND org_id = $6 AND status = 'running'",
            vec![
                (report.importable as i64).into(),
                (report.skipped.len() as i64).into(),
                (report.rows as i64).into(),
                now().into(),
                id.0.into(),
                org.0.into(),
            ],
        ))
        .await?;
    // Marked failed meanwhile (its lease ran out): what it reported stands,
    // so its rows must not land.
    if finished == 0 {
        return Err(StoreError::Refused(
            "the import was marked interrupted while it ran; nothing was imported".into(),
        ));
    }
    let kind = options.kind.as_str();
    let summary = format!("Imported {} {kind} from CSV", report.importable);
    audit(c, org, actor, id, "created", summary).await?;
    Ok((get(c, org, id).await?, report))
}
