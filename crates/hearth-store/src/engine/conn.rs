use super::bind::sqlite_value;
use super::{Engine, Result, Row};
use crate::StoreError;
use sea_query::{
    DeleteStatement, InsertStatement, PostgresQueryBuilder, QueryStatementWriter, SelectStatement,
    SqliteQueryBuilder, UpdateStatement, Value,
};
use sea_query_postgres::PostgresValue;
use tokio::sync::OwnedMutexGuard;

/// A statement that renders itself for either engine.
pub trait Sql: Send + Sync {
    fn build(&self, engine: Engine) -> (String, Vec<Value>);
}

macro_rules! sea_sql {
    ($($t:ty),*) => {$(
        impl Sql for $t {
            fn build(&self, engine: Engine) -> (String, Vec<Value>) {
                let (sql, values) = match engine {
                    Engine::Sqlite => QueryStatementWriter::build(self, SqliteQueryBuilder),
                    Engine::Postgres => QueryStatementWriter::build(self, PostgresQueryBuilder),
                };
                (sql, values.0)
            }
        }
    )*};
}
sea_sql!(
    SelectStatement,
    InsertStatement,
    UpdateStatement,
    DeleteStatement
);

/// A multi-row INSERT of a unit of work that fails whole when it fails:
/// on SQLite it runs as `INSERT OR FAIL`, which spares SQLite the
/// statement journal (a copy of every page the statement changes, kept so
/// that a failing statement can undo only its own rows while the
/// transaction goes on): ~13 % of an import's time went to those copies.
/// A failing statement may then leave some of its rows behind, so use it
/// only where the error is returned and the transaction rolls back
/// (bulk loads, imports, the search index); PostgreSQL is unchanged.
pub struct Bulk<'a>(pub &'a InsertStatement);

impl Sql for Bulk<'_> {
    fn build(&self, engine: Engine) -> (String, Vec<Value>) {
        let (sql, values) = Sql::build(self.0, engine);
        match engine {
            Engine::Sqlite => {
                debug_assert!(sql.starts_with("INSERT INTO "), "{sql}");
                (
                    sql.replacen("INSERT INTO ", "INSERT OR FAIL INTO ", 1),
                    values,
                )
            }
            Engine::Postgres => (sql, values),
        }
    }
}

/// Plain SQL with `$1, $2, …` placeholders, numbered in order of first use;
/// both engines accept them as they are. For hot statements whose text
/// never changes.
pub struct Raw(pub &'static str, pub Vec<Value>);

impl Sql for Raw {
    fn build(&self, _: Engine) -> (String, Vec<Value>) {
        (self.0.to_string(), self.1.clone())
    }
}

/// A connection lent to one unit of work.
pub enum Conn {
    Sqlite(OwnedMutexGuard<rusqlite::Connection>),
    /// Boxed: a pooled client is large and the enum moves per request.
    Postgres(Box<deadpool_postgres::Object>),
}

impl Conn {
    pub fn engine(&self) -> Engine {
        match self {
            Conn::Sqlite(_) => Engine::Sqlite,
            Conn::Postgres(_) => Engine::Postgres,
        }
    }

    /// Every row, each mapped by `map`.
    pub async fn query<T>(
        &mut self,
        q: &impl Sql,
        map: impl Fn(&Row) -> Result<T>,
    ) -> Result<Vec<T>> {
        let (sql, values) = q.build(self.engine());
        match self {
            Conn::Sqlite(c) => sqlite_query(c, &sql, &values, &map, usize::MAX),
            Conn::Postgres(c) => {
                let stmt = pg_statement(c, &sql).await?;
                let params = pg_params(values);
                let rows = c.query(&stmt, &pg_refs(&params)).await?;
                rows.iter().map(|r| map(&Row::Postgres(r))).collect()
            }
        }
    }

    /// The first row, if any.
    pub async fn query_opt<T>(
        &mut self,
        q: &impl Sql,
        map: impl Fn(&Row) -> Result<T>,
    ) -> Result<Option<T>> {
        let (sql, values) = q.build(self.engine());
        match self {
            Conn::Sqlite(c) => Ok(sqlite_query(c, &sql, &values, &map, 1)?.pop()),
            Conn::Postgres(c) => {
                let stmt = pg_statement(c, &sql).await?;
                let params = pg_params(values);
                let row = c.query_opt(&stmt, &pg_refs(&params)).await?;
                row.as_ref().map(|r| map(&Row::Postgres(r))).transpose()
            }
        }
    }

    /// The first row, or [`StoreError::NotFound`].
    pub async fn query_one<T>(
        &mut self,
        q: &impl Sql,
        map: impl Fn(&Row) -> Result<T>,
    ) -> Result<T> {
        self.query_opt(q, map).await?.ok_or(StoreError::NotFound)
    }

    /// Runs a statement; returns the number of rows it changed.
    pub async fn execute(&mut self, q: &impl Sql) -> Result<u64> {
        let (sql, values) = q.build(self.engine());
        match self {
            Conn::Sqlite(c) => {
                let mut stmt = c.prepare_cached(&sql)?;
                bind_sqlite(&mut stmt, &values)?;
                Ok(stmt.raw_execute()? as u64)
            }
            Conn::Postgres(c) => {
                let stmt = pg_statement(c, &sql).await?;
                let params = pg_params(values);
                Ok(c.execute(&stmt, &pg_refs(&params)).await?)
            }
        }
    }

    /// Runs several statements without parameters (migrations, pragmas).
    pub async fn batch(&mut self, sql: &str) -> Result<()> {
        match self {
            Conn::Sqlite(c) => Ok(c.execute_batch(sql)?),
            Conn::Postgres(c) => Ok(c.batch_execute(sql).await?),
        }
    }
}

fn sqlite_query<T>(
    c: &rusqlite::Connection,
    sql: &str,
    values: &[Value],
    map: &impl Fn(&Row) -> Result<T>,
    limit: usize,
) -> Result<Vec<T>> {
    let mut stmt = c.prepare_cached(sql)?;
    bind_sqlite(&mut stmt, values)?;
    let mut rows = stmt.raw_query();
    let mut out = Vec::new();
    while out.len() < limit {
        match rows.next()? {
            Some(r) => out.push(map(&Row::Sqlite(r))?),
            None => break,
        }
    }
    Ok(out)
}

/// SQLite numbers `$N` parameters by first appearance, not by N; binding by
/// name makes `$2 … $1` mean what PostgreSQL means. sea-query's `?` are
/// positional.
fn bind_sqlite(stmt: &mut rusqlite::CachedStatement<'_>, values: &[Value]) -> Result<()> {
    let named = stmt.parameter_name(1).is_some_and(|n| n.starts_with('$'));
    for (i, v) in values.iter().enumerate() {
        let idx = if named {
            stmt.parameter_index(&format!("${}", i + 1))?
                .ok_or_else(|| StoreError::Db(format!("statement has no parameter ${}", i + 1)))?
        } else {
            i + 1
        };
        stmt.raw_bind_parameter(idx, sqlite_value(v))?;
    }
    Ok(())
}

/// Prepared statements each PostgreSQL connection keeps, like SQLite's
/// statement cache. deadpool-postgres's cache has no bound, and statements
/// with `IN` lists have one text per list length: a long-lived connection
/// kept every one (in this process and in its server backend).
const PG_STATEMENTS: usize = 256;

/// The connection's prepared statement for `sql`. A full cache is emptied
/// rather than trimmed (its entries carry no use order): the hot statements
/// are prepared again on their next use, one round trip each.
async fn pg_statement(
    c: &deadpool_postgres::Object,
    sql: &str,
) -> Result<tokio_postgres::Statement> {
    if c.statement_cache.size() >= PG_STATEMENTS {
        c.statement_cache.clear();
    }
    Ok(c.prepare_cached(sql).await?)
}

fn pg_params(values: Vec<Value>) -> Vec<PostgresValue> {
    values.into_iter().map(PostgresValue).collect()
}

fn pg_refs(params: &[PostgresValue]) -> Vec<&(dyn tokio_postgres::types::ToSql + Sync)> {
    params
        .iter()
        .map(|p| p as &(dyn tokio_postgres::types::ToSql + Sync))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::Dynamic;
    use crate::{Store, work};

    /// Statements of ever new texts (an `IN` list of every length) keep a
    /// PostgreSQL connection's cache bounded. Runs where the API suite's
    /// PostgreSQL is configured (always in CI).
    #[tokio::test]
    async fn postgres_keeps_a_bounded_number_of_statements() {
        let Ok(url) = std::env::var("HEARTH_TEST_POSTGRES_URL") else {
            assert!(
                std::env::var("CI").is_err(),
                "CI must set HEARTH_TEST_POSTGRES_URL"
            );
            return;
        };
        let store = Store::connect_postgres(&url, 1).await.unwrap();
        let kept = store
            .read(work!(|c| async move {
                let mut kept = 0;
                for n in 1..=2 * PG_STATEMENTS {
                    let sql = format!("SELECT {n} + $1::int8");
                    let sum = c
                        .query_one(&Dynamic(sql, vec![1i64.into()]), |r| r.get::<i64>(0))
                        .await?;
                    assert_eq!(sum, n as i64 + 1);
                    if let Conn::Postgres(client) = c {
                        kept = kept.max(client.statement_cache.size());
                    }
                }
                Ok(kept)
            }))
            .await
            .unwrap();
        assert!(kept <= PG_STATEMENTS, "{kept} statements kept");
        assert!(kept > 0, "statements are still cached");
    }
}
